"""Bags of words as one compact document × word count matrix, streamed to gensim.

gensim trains from any re-iterable corpus of ``[(word_id, count), ...]`` lists. Held as Python
token lists or bag-of-words tuples, a corpus costs about 100 bytes per token; a CSR count matrix
costs 8 bytes per distinct word per document, and :class:`MatrixCorpus` hands gensim one
document's bag at a time from it. The bags are exactly those of ``Dictionary.doc2bow``, so a
model trained from the matrix is bit-for-bit the one trained from the lists.

>>> from gensim.corpora import Dictionary
>>> from topics.text.token_ids import as_token_ids
>>> docs = [["财政", "负债", "财政"], ["村民", "自治"], []]
>>> matrix = count_matrix(as_token_ids(docs), Dictionary(docs))
>>> list(MatrixCorpus(matrix)) == [Dictionary(docs).doc2bow(d) for d in docs]
True
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from gensim.corpora import Dictionary
from scipy import sparse

from topics.text.token_ids import TokenIds, count_rows


def count_matrix(documents: TokenIds, dictionary: Dictionary) -> sparse.csr_matrix:
    """Document × word counts of ``documents`` over ``dictionary`` (unknown words dropped),
    CSR with sorted column indices, int32 counts."""
    to_word = np.fromiter(
        (dictionary.token2id.get(w, -1) for w in documents.vocabulary),
        dtype=np.int64, count=len(documents.vocabulary),
    )  # fmt: skip
    return count_rows(to_word[documents.ids], documents.n_tokens, len(dictionary))


def corpus_words(documents: TokenIds) -> set[str]:
    """The distinct words of ``documents``."""
    return documents.words()


class MatrixCorpus:
    """A re-iterable gensim corpus over the rows of a CSR count matrix."""

    def __init__(self, matrix: sparse.csr_matrix):
        self.matrix = matrix.tocsr()

    def __len__(self) -> int:
        return self.matrix.shape[0]

    def __iter__(self) -> Iterator[list[tuple[int, int]]]:
        indptr, indices, data = self.matrix.indptr, self.matrix.indices, self.matrix.data
        for start, stop in zip(indptr[:-1].tolist(), indptr[1:].tolist(), strict=True):
            yield list(zip(indices[start:stop].tolist(), data[start:stop].tolist(), strict=True))
