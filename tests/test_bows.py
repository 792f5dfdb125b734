"""Bags of words from a count matrix: the same bags, dictionary and model as from token lists."""

import logging
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from gensim.corpora import Dictionary

from topics import pipeline
from topics.model.bows import MatrixCorpus, corpus_words, count_matrix
from topics.model.lda import ModelSettings, fit_lda
from topics.text import stream
from topics.text.stream import tokenize_corpus
from topics.text.token_ids import as_token_ids


@pytest.fixture(scope="module")
def token_ids(prepared, tokenizer):
    return tokenize_corpus(prepared.paragraphs["text"].tolist(), tokenizer, progress=False)


@pytest.fixture(scope="module")
def token_lists(prepared, tokenizer):
    """The same tokens from the one-text tokenizer, as lists."""
    return [tokenizer(text) for text in prepared.paragraphs["text"]]


def dictionary_state(dictionary: Dictionary) -> tuple:
    return (dictionary.token2id, dictionary.dfs, dictionary.cfs, dictionary.num_docs,
            dictionary.num_pos, dictionary.num_nnz)  # fmt: skip


def test_matrix_corpus_yields_the_bags_of_doc2bow(token_lists, token_ids):
    dictionary = Dictionary(token_lists)
    dictionary.filter_extremes(no_below=3, no_above=0.5, keep_n=None)
    expected = [dictionary.doc2bow(doc) for doc in token_lists]
    assert token_ids.tokens == token_lists
    assert list(MatrixCorpus(count_matrix(as_token_ids(token_lists), dictionary))) == expected
    assert list(MatrixCorpus(count_matrix(token_ids, dictionary))) == expected
    assert len(MatrixCorpus(count_matrix(token_ids, dictionary))) == len(token_lists)
    assert corpus_words(token_ids) == {word for doc in token_lists for word in doc}


def test_dictionary_from_token_ids_equals_gensims(token_lists, token_ids):
    assert dictionary_state(token_ids.dictionary()) == dictionary_state(Dictionary(token_lists))
    rows = np.arange(len(token_lists))[::-3]  # another order: word ids follow first appearance
    subset = token_ids.subset(rows)
    assert subset.tokens == [token_lists[i] for i in rows]
    assert dictionary_state(subset.dictionary()) == dictionary_state(
        Dictionary([token_lists[i] for i in rows])
    )


def test_a_model_fitted_from_token_ids_is_the_one_fitted_from_lists(token_lists, token_ids):
    settings = ModelSettings(k=5, seed=3, passes=3)
    from_lists = fit_lda(token_lists, settings)
    from_ids = fit_lda(token_ids, settings)
    assert np.array_equal(from_lists.topic_word(), from_ids.topic_word())
    assert from_lists.pruning == from_ids.pruning
    np.testing.assert_array_equal(
        from_lists.transform(from_lists.counts(token_lists)),
        from_ids.transform(from_ids.counts(token_ids)),
    )


def test_inference_does_not_depend_on_the_chunk_size(token_lists):
    fitted = fit_lda(token_lists, ModelSettings(k=4, passes=2))
    counts = fitted.counts([*token_lists[:50], [], *token_lists[50:], ["不在词典里的词"]])
    whole = fitted.transform(counts)
    assert np.isnan(whole).any(axis=1).nonzero()[0].tolist() == [50, counts.shape[0] - 1]
    np.testing.assert_array_equal(fitted.transform(counts, chunk=7), whole)


def test_fit_shows_progress_and_restores_gensims_logging(token_lists, capsys):
    logger = logging.getLogger("gensim.models")
    before = logger.level, logger.propagate, list(logger.handlers)
    fit_lda(token_lists, ModelSettings(k=4, passes=3), progress=True)
    assert "fitting LDA" in capsys.readouterr().err
    assert (logger.level, logger.propagate, list(logger.handlers)) == before


def test_the_parallel_path_gives_the_same_run(project_settings, run, monkeypatch):
    """`topics fit` with tokenization in worker processes (as for a large corpus): the same run."""
    pools = []

    class Pool(stream.ProcessPoolExecutor):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            pools.append(self)

    monkeypatch.setattr(stream, "ProcessPoolExecutor", Pool)
    monkeypatch.setattr(stream, "BATCH_TEXTS", 16)  # several batches
    tokenize = replace(project_settings.tokenize, workers=2, parallel_min_chars=0)
    folder = project_settings.path(project_settings.paths.runs).parent
    paths = replace(project_settings.paths, runs=folder / "runs-parallel",
                    cache=folder / "cache-parallel")  # fmt: skip
    parallel = pipeline.fit(
        replace(project_settings, paths=paths, tokenize=tokenize), progress=False
    )
    assert pools  # the batches did go to worker processes
    assert np.array_equal(parallel.topic_word(), run.topic_word())
    for name in ("paragraphs", "articles", "topics", "vocabulary", "seeds"):
        pd.testing.assert_frame_equal(getattr(parallel, name), getattr(run, name))
