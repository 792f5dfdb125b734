"""Corpus tokenization: the tokens of the one-text tokenizer, batches, cache, worker processes."""

import copy
import shutil
from collections import Counter
from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from topics.text import stream
from topics.text.cache import text_hash
from topics.text.lexicons import DictEntry, load_lexicons
from topics.text.stream import batch_bounds, tokenize_corpus
from topics.text.tokenize import Tokenizer, TokenizeSettings, removal_report


@pytest.fixture(scope="module")
def texts(prepared):
    return prepared.paragraphs["text"].tolist() * 2  # 476 texts: several batches


@pytest.fixture(autouse=True)
def small_batches(monkeypatch):
    monkeypatch.setattr(stream, "BATCH_TEXTS", 16)  # the bundled corpus in ~30 batches


@pytest.fixture(scope="module")
def shared_tokenizer(lexicons, tmp_path_factory):
    settings = TokenizeSettings(workers=2, parallel_min_chars=0)  # processes even for this corpus
    tokenizer = Tokenizer(lexicons, settings, tmp_path_factory.mktemp("jieba"))
    _ = tokenizer.jieba  # the dictionary is loaded once for the module
    return tokenizer


@pytest.fixture
def tokenizer(shared_tokenizer, tmp_path):
    """The shared tokenizer with a fresh batch cache for each test."""
    tokenizer = copy.copy(shared_tokenizer)
    tokenizer.cache_dir = tmp_path
    return tokenizer


def one_text_at_a_time(texts, tokenizer):
    """Tokens and removal report from the one-text tokenizer (no batches, cache or workers)."""
    tokens, removed = [], Counter()
    for text in texts:
        kept, dropped = tokenizer.filter(tokenizer.segment(text))
        tokens.append(kept)
        removed.update(dropped)
    return tokens, removal_report(removed, Counter(w for doc in tokens for w in doc))


@pytest.fixture(scope="module")
def expected(texts, lexicons):
    tokens, report = one_text_at_a_time(texts, Tokenizer(lexicons))
    return SimpleNamespace(tokens=tokens, report=report)


@pytest.mark.parametrize("workers", [1, 2])
def test_same_tokens_and_report_as_one_text_at_a_time(texts, tokenizer, expected, workers):
    result = tokenize_corpus(texts, tokenizer, progress=False, workers=workers)
    assert result.tokens == expected.tokens
    pd.testing.assert_frame_equal(result.report, expected.report)
    assert result.n_tokens.tolist() == [len(doc) for doc in expected.tokens]
    # the corpus is in twice: the second copy of each batch is read from the first's cache
    assert result.cache.hits + result.cache.misses == len(texts)
    assert result.cache.misses >= len(texts) / 2


def test_second_run_reads_the_cache(texts, tokenizer, expected):
    tokenize_corpus(texts, tokenizer, progress=False)
    again = tokenize_corpus(texts, tokenizer, progress=False)
    assert (again.cache.hits, again.cache.misses) == (len(texts), 0)
    assert again.tokens == expected.tokens


def test_an_edited_text_resegments_only_its_batch(texts, tokenizer):
    tokenize_corpus(texts, tokenizer, progress=False)
    edited = list(texts)
    edited[300] = edited[300] + "乡镇财政负债。"
    result = tokenize_corpus(edited, tokenizer, progress=False)
    assert 0 < result.cache.misses < len(texts) / 3
    assert result.tokens[300][-2:] == ["乡镇财政", "负债"]


def test_stoplist_change_needs_no_segmentation(texts, tokenizer, tmp_path):
    tokenize_corpus(texts, tokenizer, progress=False)
    stoplist = tmp_path / "governance.txt"
    stoplist.write_text("乡镇\n", encoding="utf-8")
    lexicons = load_lexicons(replace(load_lexicons_paths(), governance=stoplist))
    edited = copy.copy(tokenizer)
    edited.lexicons = lexicons
    result = tokenize_corpus(texts, edited, progress=False)
    assert result.cache.misses == 0
    assert "乡镇" not in {w for doc in result.tokens for w in doc}


def load_lexicons_paths():
    from topics.text.lexicons import LexiconPaths

    return LexiconPaths()


def test_damaged_cache_file_is_segmented_again(texts, tokenizer, expected):
    tokenize_corpus(texts, tokenizer, progress=False)
    folder = tokenizer.cache_dir / "segments"
    victim = sorted(folder.rglob("*.npz"))[0]
    victim.write_bytes(b"not an npz file")
    result = tokenize_corpus(texts, tokenizer, progress=False)
    assert result.cache.misses > 0 and result.tokens == expected.tokens
    shutil.rmtree(folder)


def test_part_of_speech_filter_gives_the_same_tokens(prepared, lexicons, tmp_path):
    texts = prepared.paragraphs["text"].tolist()[:4]  # tagging re-reads the dictionary per text
    settings = TokenizeSettings(pos_filter=("n", "v"), workers=2)
    expected, _ = one_text_at_a_time(texts, Tokenizer(lexicons, settings))
    result = tokenize_corpus(texts, Tokenizer(lexicons, settings, tmp_path), progress=False)
    assert result.tokens == expected
    again = tokenize_corpus(texts, Tokenizer(lexicons, settings, tmp_path), progress=False)
    assert again.cache.hits == len(texts) and again.tokens == expected  # tags from the cache


def test_tokens_share_their_strings_and_counts_match(texts, tokenizer):
    result = tokenize_corpus(texts, tokenizer, progress=False)
    words = [w for doc in result.tokens for w in doc]
    assert len({id(w) for w in words}) == len(set(words))  # one object per distinct word
    counts = result.counts()
    assert counts.shape == (len(texts), len(result.vocabulary))
    assert np.array_equal(np.asarray(counts.sum(axis=1)).ravel(), result.n_tokens)


def test_batches_are_content_defined(texts):
    hashes = [text_hash(t) for t in texts]
    bounds = batch_bounds(hashes, [len(t) for t in texts])
    assert bounds[0][0] == 0 and bounds[-1][1] == len(texts)
    assert all(a < b for a, b in bounds)
    shifted = batch_bounds([text_hash("新的一段。"), *hashes], [5, *map(len, texts)])
    later = {(a + 1, b + 1) for a, b in bounds[2:]}
    assert len(later & set(shifted)) >= len(later) - 1  # boundaries move with their texts


def test_userdict_change_resegments_only_the_texts_it_touches(texts, tokenizer, lexicons):
    """Across batches: texts without the changed word keep their segmentation, the others are
    segmented with the new dictionary (the batches are not all redone)."""
    texts = texts[: len(texts) // 2]  # each batch once, so none is read back from its twin
    tokenize_corpus(texts, tokenizer, progress=False)
    word = "干部考核"  # in 4 paragraphs; jieba splits it without the entry
    edited = copy.copy(tokenizer)
    edited.lexicons = replace(lexicons, userdict=lexicons.userdict + (DictEntry(word, 50000, "n"),))
    edited._jieba = None
    touched = sum(word in text for text in texts)
    result = tokenize_corpus(texts, edited, progress=False)
    assert 0 < touched < len(texts) / 10
    assert (result.cache.hits, result.cache.reused, result.cache.misses) == (
        0, len(texts) - touched, touched)  # fmt: skip
    assert result.tokens == one_text_at_a_time(texts, Tokenizer(edited.lexicons))[0]
    assert any(word in doc for doc in result.tokens)
    again = tokenize_corpus(texts, edited, progress=False)
    assert again.cache.hits == len(texts)  # every batch was rewritten with the new dictionary
    back = tokenize_corpus(texts, tokenizer, progress=False)  # and back to the old dictionary
    assert (back.cache.reused, back.cache.misses) == (len(texts) - touched, touched)


@pytest.mark.parametrize("scheduler", ["synchronous", "processes"])
def test_dask_runner_gives_the_same_tokens(texts, tokenizer, expected, scheduler):
    pytest.importorskip("dask.bag")
    from topics.text.distributed import dask_runner

    result = tokenize_corpus(texts, tokenizer, progress=False, runner=dask_runner(scheduler))
    assert result.tokens == expected.tokens
    pd.testing.assert_frame_equal(result.report, expected.report)
    again = tokenize_corpus(texts, tokenizer, progress=False, runner=dask_runner(scheduler))
    assert again.cache.misses == 0
