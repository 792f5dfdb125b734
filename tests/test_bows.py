"""Bags of words from a count matrix: the same bags, dictionary and model as from token lists."""

import logging
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from gensim.corpora import Dictionary

from topics import pipeline
from topics.model.bows import MatrixCorpus, corpus_words, count_matrix
from topics.model.lda import ModelSettings, fit_lda, infer_doc_topics
from topics.text.stream import tokenize_large
from topics.text.tokenize import tokenize_corpus


@pytest.fixture(scope="module")
def token_lists(prepared, tokenizer):
    return tokenize_corpus(prepared.paragraphs["text"].tolist(), tokenizer, progress=False).tokens


@pytest.fixture(scope="module")
def token_ids(prepared, tokenizer):
    return tokenize_large(prepared.paragraphs["text"].tolist(), tokenizer, progress=False)


def dictionary_state(dictionary: Dictionary) -> tuple:
    return (dictionary.token2id, dictionary.dfs, dictionary.cfs, dictionary.num_docs,
            dictionary.num_pos, dictionary.num_nnz)  # fmt: skip


def test_matrix_corpus_yields_the_bags_of_doc2bow(token_lists, token_ids):
    dictionary = Dictionary(token_lists)
    dictionary.filter_extremes(no_below=3, no_above=0.5, keep_n=None)
    expected = [dictionary.doc2bow(doc) for doc in token_lists]
    assert list(MatrixCorpus(count_matrix(token_lists, dictionary))) == expected
    assert list(MatrixCorpus(count_matrix(token_ids, dictionary))) == expected
    assert len(MatrixCorpus(count_matrix(token_ids, dictionary))) == len(token_lists)
    assert corpus_words(token_ids) == corpus_words(token_lists)


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
        from_lists.doc_topics(token_lists), from_ids.doc_topics(token_ids)
    )


def test_inference_does_not_depend_on_the_chunk_size(token_lists):
    fitted = fit_lda(token_lists, ModelSettings(k=4, passes=2))
    bows = fitted.bows([*token_lists[:50], [], *token_lists[50:], ["不在词典里的词"]])
    whole = infer_doc_topics(fitted.model, bows, seed=1)
    assert np.isnan(whole).any(axis=1).nonzero()[0].tolist() == [50, len(bows) - 1]
    np.testing.assert_array_equal(infer_doc_topics(fitted.model, bows, seed=1, chunk=7), whole)


def test_fit_shows_progress_and_restores_gensims_logging(token_lists, capsys):
    logger = logging.getLogger("gensim.models")
    before = logger.level, logger.propagate, list(logger.handlers)
    fit_lda(token_lists, ModelSettings(k=4, passes=3), progress=True)
    assert "fitting LDA" in capsys.readouterr().err
    assert (logger.level, logger.propagate, list(logger.handlers)) == before


def test_the_large_corpus_path_gives_the_same_run(project_settings, run, monkeypatch):
    """`topics fit` on a corpus big enough to stream: token ids all the way, the same run."""
    monkeypatch.setattr(pipeline, "is_large", lambda texts: True)
    runs = project_settings.path(project_settings.paths.runs)
    streamed = pipeline.fit(replace(project_settings, paths=replace(
        project_settings.paths, runs=runs.parent / "runs-streamed")), progress=False)  # fmt: skip
    assert np.array_equal(streamed.topic_word(), run.topic_word())
    for name in ("paragraphs", "articles", "topics", "vocabulary", "seeds"):
        pd.testing.assert_frame_equal(getattr(streamed, name), getattr(run, name))
