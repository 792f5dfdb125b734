"""Saved runs: complete tables, atomic writes, stale and damaged runs detected."""

import json
import shutil
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from topics import pipeline
from topics.errors import InputError, StaleRunError
from topics.model.runs import load_run


def test_run_tables_cover_every_paragraph_and_article(run, prepared):
    assert run.k == 8
    assert list(run.paragraphs["paragraph_id"]) == list(prepared.paragraphs["paragraph_id"])
    assert run.paragraphs["in_model"].sum() == len(prepared.modelling_paragraphs())
    shares = run.paragraphs.loc[run.paragraphs["n_tokens"] > 0, run.topic_columns]
    assert np.allclose(shares.sum(axis=1), 1.0)
    assert np.allclose(run.articles[run.topic_columns].sum(axis=1), 1.0)
    assert run.topics["topic"].tolist() == list(range(1, 9))
    assert run.topics["prevalence"].sum() == pytest.approx(1.0)
    manifest = run.manifest
    assert manifest["seed"] == 42 and manifest["versions"]["gensim"]
    assert set(manifest["inputs"]["raw"]) == set(prepared.pages["path"])


def test_theme_topics_come_first_and_carry_their_words(run):
    assert run.theme_topics() == {
        "finance": 1, "cadre_incentives": 2, "village_autonomy": 3, "rural_setting": 4
    }  # fmt: skip
    top = dict(zip(run.topics["theme"], run.topics["top_terms"], strict=True))
    assert {"财政", "负债", "乡镇财政"} & set(top["finance"].split())
    assert {"考核", "激励"} <= set(top["cadre_incentives"].split())
    # village autonomy is self-government, and the rural setting has a topic of its own
    assert {"村委会", "村民自治", "选举"} <= set(top["village_autonomy"].split())
    assert not {"农村", "农民", "村干部"} & set(top["village_autonomy"].split())
    assert {"农村", "农民"} <= set(top["rural_setting"].split())
    assert not {"农民", "农村"} & set(top["finance"].split())
    seeds = run.seeds[run.seeds["in_vocabulary"]]
    ranks = seeds.groupby("theme")["rank"]
    # half of every theme's seeds among its top 25 words, and every seed in the top sixth of
    # the vocabulary (seeds the corpus uses once, e.g. 村规民约, cannot outrank context words)
    assert (ranks.median() <= 25).all()
    assert (ranks.max() <= len(run.vocabulary) / 6).all()


def test_duplicate_articles_get_nearly_the_same_mix(run):
    mix = run.articles.set_index("article_id")[run.topic_columns]
    a, b = mix.loc["000_786013f1ef10bced#1"], mix.loc["000_786013f1ef10bced#2"]
    assert np.abs(a - b).max() < 0.02


def test_saved_run_loads_back_identically(run):
    loaded = load_run(run.path)
    assert np.array_equal(loaded.topic_word(), run.topic_word())
    pd.testing.assert_frame_equal(loaded.articles, run.articles)
    assert loaded.settings == run.settings
    assert loaded.fitted.pruning == run.fitted.pruning
    assert loaded.fitted.themes.themes == run.fitted.themes.themes  # labels and seeds, in order
    counts = run.counts([["乡镇财政", "负债"], ["村民", "自治"]])
    assert np.array_equal(loaded.fitted.transform(counts), run.fitted.transform(counts))


def test_interrupted_save_leaves_the_previous_run_intact(run, tmp_path, monkeypatch):
    target = tmp_path / "run"
    run.save(target)
    before = sorted(p.name for p in target.iterdir())

    def explode(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(pd.DataFrame, "to_csv", explode)
    with pytest.raises(KeyboardInterrupt):
        run.save(target)
    monkeypatch.undo()
    assert sorted(p.name for p in target.iterdir()) == before
    assert [p.name for p in tmp_path.iterdir()] == ["run"]  # no temporary folder left
    assert np.array_equal(load_run(target).topic_word(), run.topic_word())


def test_changed_lexicon_makes_the_run_stale(run, project_settings, tmp_path):
    stoplist = tmp_path / "governance.txt"
    shutil.copy(project_settings.path(project_settings.lexicons.governance), stoplist)
    with stoplist.open("a", encoding="utf-8") as handle:
        handle.write("乡镇\n")
    edited = replace(
        project_settings, lexicons=replace(project_settings.lexicons, governance=stoplist)
    )
    with pytest.raises(StaleRunError, match=r"stale: lexicons changed"):
        pipeline.open_run(edited, run.path)
    assert pipeline.open_run(project_settings, run.path).k == run.k


def test_damaged_or_foreign_runs_are_named(run, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(run.path, copy)
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    manifest["format_version"] = 0
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(InputError, match=r"run format 0 is not the supported 2"):
        load_run(copy)
    (copy / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match=r"manifest.json: is corrupt"):
        load_run(copy)
    with pytest.raises(InputError, match="is not a topic run"):
        load_run(tmp_path)


def test_current_run_is_reused_when_nothing_changed(run, project_settings, monkeypatch):
    monkeypatch.setattr(pipeline, "fit_lda", lambda *a, **k: pytest.fail("refitted"))
    again = pipeline.current_run(project_settings, progress=False)
    assert again.path == run.path
