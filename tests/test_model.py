"""LDA fitting: known answers on made-up data, reproducibility, seeded themes, pruning."""

import hashlib
import pickle
import subprocess
import sys
import textwrap
from dataclasses import replace

import numpy as np
import pytest

from topics.errors import InputError
from topics.model.lda import ModelSettings, build_dictionary, fit_lda, theme_prior
from topics.model.themes import Theme, ThemeSet

BLOCKS = [
    ["财政", "负债", "赤字", "税费", "经费"],
    ["村民", "村委会", "选举", "公开", "自治"],
    ["考核", "待遇", "激励", "晋升", "奖励"],
]


def block_corpus(n_docs: int = 60, seed: int = 0) -> list[list[str]]:
    rng = np.random.default_rng(seed)
    return [list(rng.choice(BLOCKS[i % 3], size=30)) for i in range(n_docs)]


@pytest.mark.parametrize("init", ["nmf", "random"])
def test_three_blocks_give_three_topics(init):
    fitted = fit_lda(block_corpus(), ModelSettings(k=3, seed=1, no_below=1, init=init))
    vocab = fitted.vocabulary()
    found = []
    for row in fitted.topic_word():
        top5 = {vocab[i] for i in np.argsort(-row)[:5]}
        found.append(next(i for i, block in enumerate(BLOCKS) if top5 == set(block)))
    assert sorted(found) == [0, 1, 2]


def test_same_seed_gives_bitwise_identical_topics():
    tokens = block_corpus()
    settings = ModelSettings(k=3, seed=7, no_below=1)
    a, b = fit_lda(tokens, settings), fit_lda(tokens, settings)
    assert np.array_equal(a.topic_word(), b.topic_word())
    assert np.array_equal(a.transform(a.counts(tokens)), b.transform(b.counts(tokens)))


def model_state(fitted) -> bytes:
    """Everything the fitted model holds, as bytes (random state included)."""
    return pickle.dumps((fitted.model.__dict__, fitted.dictionary.__dict__))


def test_inference_is_repeatable_and_leaves_the_model_unchanged():
    tokens = block_corpus()
    fitted = fit_lda(tokens, ModelSettings(k=3, seed=7, no_below=1, init="random"))
    before = model_state(fitted)
    counts = fitted.counts(tokens)
    first = fitted.transform(counts)
    assert model_state(fitted) == before
    assert np.array_equal(first, fitted.transform(counts))
    assert model_state(fitted) == before
    assert np.allclose(first.sum(axis=1), 1.0)
    # the shares of a document depend on the random start, which every call draws afresh
    assert np.array_equal(fitted.transform(counts[:5]), first[:5])


def _run_digest(run) -> str:
    digest = hashlib.sha256(run.topic_word().tobytes())
    digest.update(run.paragraphs[run.topic_columns].to_numpy().tobytes())
    digest.update(run.articles[run.topic_columns].to_numpy().tobytes())
    return digest.hexdigest()


def test_project_run_is_identical_in_a_second_process(run, project_settings, tmp_path):
    from topics import pipeline

    again = pipeline.fit(
        replace(project_settings, paths=replace(project_settings.paths, runs=tmp_path)),
        progress=False,
    )
    assert _run_digest(again) == _run_digest(run)
    script = textwrap.dedent(
        f"""
        import hashlib, pathlib
        from dataclasses import replace
        from topics.config import Settings
        from topics import pipeline
        s = Settings.load({str(project_settings.source)!r})
        s = replace(s, model=replace(s.model, k={project_settings.model.k!r}))  # as the session's
        paths = replace(s.paths, raw=pathlib.Path({str(project_settings.paths.raw)!r}),
                        processed=pathlib.Path({str(tmp_path / "p")!r}),
                        cache=pathlib.Path({str(tmp_path / "c")!r}),
                        runs=pathlib.Path({str(tmp_path / "r")!r}))
        run = pipeline.fit(replace(s, paths=paths), progress=False)
        d = hashlib.sha256(run.topic_word().tobytes())
        d.update(run.paragraphs[run.topic_columns].to_numpy().tobytes())
        d.update(run.articles[run.topic_columns].to_numpy().tobytes())
        print(d.hexdigest())
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == _run_digest(run)


def test_different_seeds_agree_with_the_nmf_start():
    from topics.model.metrics import seed_stability
    from topics.model.terms import top_terms

    tokens = block_corpus()
    runs = []
    for seed in (1, 2, 3):
        fitted = fit_lda(tokens, ModelSettings(k=3, seed=seed, no_below=1))
        runs.append(top_terms(fitted.topic_word(), fitted.vocabulary(), 5))
    assert seed_stability(runs) == 1.0


def test_pruning_reports_what_it_removed():
    tokens = [["财政", "负债", "罕见词"], ["财政", "村民"], ["财政", "村民", "负债"]]
    dictionary, report = build_dictionary(tokens, no_below=2, no_above=1.0, keep=["罕见词"])
    assert "罕见词" in dictionary.token2id  # kept on request
    dictionary, report = build_dictionary(tokens, no_below=2, no_above=0.9)
    assert set(dictionary.token2id) == {"负债", "村民"}
    assert report.words_before == 4 and report.words_after == 2
    assert report.tokens_before == 8 and report.tokens_after == 4
    assert dict(report.removed_top) == {"财政": 3, "罕见词": 1}


def test_theme_prior_puts_seed_weight_in_its_own_topic():
    tokens = block_corpus()
    dictionary, _ = build_dictionary(tokens, 1, 1.0)
    themes = ThemeSet((Theme("finance", "财政", "Finance", ("财政", "负债", "不存在")),))
    eta = theme_prior(dictionary, 3, themes, strength=10.0, base=0.1)
    fin = dictionary.token2id["财政"]
    assert eta[0, fin] == pytest.approx(10.1)
    assert eta[1, fin] == pytest.approx(0.1)
    assert np.count_nonzero(eta > 0.1) == 2  # the unknown seed is ignored
    with pytest.raises(InputError, match="2 themes but only k=1"):
        theme_prior(dictionary, 1, ThemeSet(themes.themes * 2), 10.0, 0.1)


def test_seeded_theme_lands_in_topic_one():
    tokens = block_corpus()
    themes = ThemeSet((Theme("village", "村民自治", "Village", ("村民", "自治")),))
    fitted = fit_lda(tokens, ModelSettings(k=3, seed=3, no_below=1), themes)
    vocab = fitted.vocabulary()
    top = {vocab[i] for i in np.argsort(-fitted.topic_word()[0])[:5]}
    assert top == set(BLOCKS[1])


def test_too_many_topics_is_a_clear_error():
    with pytest.raises(InputError, match=r"k=80 topics for only 60 documents"):
        fit_lda(block_corpus(), ModelSettings(k=80, no_below=1))
    with pytest.raises(InputError, match="no document has a word left"):
        fit_lda([["财政"], ["村民"]], ModelSettings(k=2, no_below=5))
    with pytest.raises(InputError, match="model.init"):
        ModelSettings(init="spectral")
