"""Tokens of many texts as int32 ids into one vocabulary: the one form tokens take.

Token lists (``list[list[str]]``) cost about 100 bytes per token; :class:`TokenIds` keeps one
int32 per token plus the distinct words once. Token lists appear only at the edges: a user's own
lists go in through :func:`as_token_ids`, and :attr:`TokenIds.tokens` gives lists back (their
strings shared) for display and for libraries that need them.

>>> docs = as_token_ids([["财政", "负债", "财政"], ["村民", "自治"], []])
>>> docs.vocabulary, docs.ids.tolist(), docs.n_tokens.tolist()
(['负债', '财政', '村民', '自治'], [1, 0, 1, 2, 3], [3, 2, 0])
>>> docs.tokens[0]
['财政', '负债', '财政']
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import sparse

from topics.text.cache import CacheStats

if TYPE_CHECKING:  # gensim is slow to import; commands that only read a run never need it
    from gensim.corpora import Dictionary


@dataclass
class TokenIds:
    """Kept tokens of many texts as int32 ids into ``vocabulary`` (doc i: ``ids[offsets[i]:
    offsets[i + 1]]``), with the removal report, cache statistics and, when phrases were
    merged, the frozen gensim phraser that merged them (tokens are the merged ones)."""

    vocabulary: list[str]
    ids: np.ndarray
    offsets: np.ndarray
    report: pd.DataFrame = field(default_factory=pd.DataFrame)
    cache: CacheStats = field(default_factory=CacheStats)
    phraser: object | None = None
    _tokens: list[list[str]] | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @property
    def n_tokens(self) -> np.ndarray:
        return np.diff(self.offsets)

    def iter_tokens(self) -> Iterator[list[str]]:
        """The token list of each document, one at a time (nothing kept)."""
        words = np.array(self.vocabulary + [""], dtype=object)
        for a, b in zip(self.offsets[:-1].tolist(), self.offsets[1:].tolist(), strict=True):
            yield words[self.ids[a:b]].tolist()

    @property
    def tokens(self) -> list[list[str]]:
        """Token lists (built once); their strings are the vocabulary's, shared."""
        if self._tokens is None:
            self._tokens = list(self.iter_tokens())
        return self._tokens

    def subset(self, rows: Sequence[int] | np.ndarray) -> TokenIds:
        """The documents ``rows`` (in that order), over the same vocabulary."""
        rows = np.asarray(rows, dtype=np.int64)
        starts, stops = self.offsets[rows], self.offsets[rows + 1]
        ids = [self.ids[a:b] for a, b in zip(starts.tolist(), stops.tolist(), strict=True)]
        offsets = np.concatenate([[0], np.cumsum(stops - starts)]).astype(np.int64)
        ids = np.concatenate(ids) if ids else np.empty(0, dtype=np.int32)
        return TokenIds(self.vocabulary, ids, offsets, self.report, self.cache, self.phraser)

    def words(self) -> set[str]:
        """The distinct words that occur."""
        return {self.vocabulary[i] for i in np.unique(self.ids).tolist()}

    def dictionary(self) -> Dictionary:
        """The gensim ``Dictionary`` of these documents, equal to ``Dictionary(self.tokens)``
        (same ids and counts) but built from the arrays, without token lists."""
        from gensim.corpora import Dictionary

        present, first = np.unique(self.ids, return_index=True)
        first_doc = np.searchsorted(self.offsets, first, side="right") - 1
        by_word = np.argsort(np.array(self.vocabulary, dtype=object)[present], kind="stable")
        word_rank = np.empty(len(present), dtype=np.int64)
        word_rank[by_word] = np.arange(len(present))
        # gensim numbers words by first appearance, the new words of a document sorted
        order = present[np.lexsort((word_rank, first_doc))]
        new_id = np.full(len(self.vocabulary), -1, dtype=np.int64)
        new_id[order] = np.arange(len(order))
        dfs = np.bincount(self.counts().indices, minlength=len(self.vocabulary))
        cfs = np.bincount(self.ids, minlength=len(self.vocabulary))
        dictionary = Dictionary()
        dictionary.token2id = {self.vocabulary[i]: n for n, i in enumerate(order.tolist())}
        dictionary.dfs = {int(new_id[i]): int(dfs[i]) for i in order.tolist()}
        dictionary.cfs = {int(new_id[i]): int(cfs[i]) for i in order.tolist()}
        dictionary.num_docs, dictionary.num_pos = len(self), len(self.ids)
        dictionary.num_nnz = int(dfs.sum())
        return dictionary

    def counts(self) -> sparse.csr_matrix:
        """Document × vocabulary count matrix."""
        return count_rows(self.ids, self.n_tokens, len(self.vocabulary))


def count_rows(columns: np.ndarray, lengths: np.ndarray, n_columns: int) -> sparse.csr_matrix:
    """Count matrix of documents given as one array of column ids (document d: the next
    ``lengths[d]`` entries); negative ids (unknown words) are skipped. CSR, int32 counts, column
    indices sorted within each row (as ``Dictionary.doc2bow`` sorts its bags)."""
    columns = np.asarray(columns, dtype=np.int64)
    doc = np.repeat(np.arange(len(lengths)), lengths)
    known = columns >= 0
    matrix = sparse.csr_matrix(
        (np.ones(int(known.sum()), dtype=np.int32), (doc[known], columns[known])),
        shape=(len(lengths), n_columns),
    )
    matrix.sum_duplicates()
    return matrix


class TokenIdsBuilder:
    """Collects documents' words into :class:`TokenIds`; ids are given in gensim ``Dictionary``
    order (per document, its new words sorted)."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.words: list[str] = []
        self.ids: list[np.ndarray] = []
        self.offsets: list[int] = [0]

    def add(self, words: Sequence[str]) -> None:
        index = self.index
        for word in sorted({w for w in words if w not in index}):
            index[word] = len(self.words)
            self.words.append(word)
        self.ids.append(np.fromiter((index[w] for w in words), dtype=np.int32, count=len(words)))
        self.offsets.append(self.offsets[-1] + len(words))

    def build(self, **extra) -> TokenIds:
        ids = np.concatenate(self.ids) if self.ids else np.empty(0, dtype=np.int32)
        return TokenIds(self.words, ids, np.asarray(self.offsets, dtype=np.int64), **extra)


def from_lists(documents: Iterable[Sequence[str]], **extra) -> TokenIds:
    """:class:`TokenIds` of token lists (``extra``: report, cache, phraser)."""
    builder = TokenIdsBuilder()
    for words in documents:
        builder.add(words)
    return builder.build(**extra)


#: Documents as a user may give them: token lists, or token ids.
Documents = Sequence[Sequence[str]] | TokenIds


def as_token_ids(documents: Documents) -> TokenIds:
    """The edge where token lists become token ids (token ids pass through unchanged)."""
    return documents if isinstance(documents, TokenIds) else from_lists(documents)
