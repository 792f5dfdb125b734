"""Choosing K: measures on the real corpus (small grid), the recommendation rule, the cache."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from topics import pipeline
from topics.model import evaluate, terms
from topics.model.evaluate import heldout_split, select_k
from topics.model.k_rule import STABLE, k_summary, recommend, recommend_k
from topics.model.lda import ModelSettings, fit_lda
from topics.model.settings import SelectKSettings
from topics.model.synthetic import planted_corpus, shuffled_corpus

KS, RESAMPLES = (4, 6), 2
#: Quick fits for the made-up corpora.
QUICK = ModelSettings(no_below=2, passes=10, iterations=100)


@pytest.fixture(scope="module")
def selection(project_settings):
    """The k_selection of the project on a small grid, computed once (and saved)."""
    return pipeline.k_selection(project_settings, ks=KS, resamples=RESAMPLES, progress=False)


def blocks(n_docs: int = 30) -> list[list[str]]:
    """Made-up documents from three blocks of words: three topics, known in advance."""
    words = [["财政", "负债", "债务", "资金"], ["干部", "考核", "激励", "待遇"], ["村民", "自治", "村委会", "选举"]]  # fmt: skip
    return [words[i % 3] * 3 + words[(i + 1) % 3][:1] for i in range(n_docs)]


def test_table_has_one_row_per_k_and_topic(selection):
    table, _ = selection
    assert list(table.columns) == evaluate.COLUMNS
    assert len(table) == sum(KS)
    assert sorted(zip(table["k"], table["topic"], strict=True)) == [
        (k, t) for k in KS for t in range(1, k + 1)
    ]
    assert not table[["c_v", "c_npmi", "u_mass", "npmi_paragraph", "stability"]].isna().any().any()
    assert table.groupby("k")["perplexity"].nunique().eq(1).all()  # one value per K
    themes = table[table["theme"] != ""]
    assert themes.groupby("k")["theme"].apply(list).tolist() == [
        ["finance", "cadre_incentives", "village_autonomy", "rural_setting"]
    ] * len(KS)
    assert themes["seeds_in_top"].notna().all()
    assert table.loc[table["theme"] == "", "seeds_in_top"].isna().all()


def test_measures_lie_in_their_ranges(selection):
    table, _ = selection
    assert table["c_npmi"].between(-1, 1).all() and table["npmi_paragraph"].between(-1, 1).all()
    assert table["c_v"].between(0, 1).all()
    assert (table["u_mass"] <= 1e-9).all()  # ≤ 0 up to gensim's epsilon
    assert (table["diversity"] > 0).all() and (table["diversity"] <= 1).all()
    perplexity = table["perplexity"]
    assert np.isfinite(perplexity).all() and (perplexity > 1).all()
    # the topics predict left-out paragraphs better than word frequencies alone
    assert (perplexity < table["perplexity_unigram"]).all()
    assert table["stability"].between(0, 1).all() and table["stability_js"].between(0, 1).all()
    assert (table["fit_seconds"] > 0).all()


def test_resampled_topics_differ_on_the_real_corpus(selection):
    """Unlike seeds with the NMF start (1.0 by construction), subsamples move some topics."""
    table, _ = selection
    assert (table["stability"] < 1).any() and (table["stability"] > 0).all()
    assert 0.3 < table["stability"].mean() < 0.95


def test_the_pipeline_recommends_the_k_the_rule_gives_by_hand(selection):
    """The pipeline's K is the rule worked by hand on the real table (the rule on made-up
    tables: ``test_recommend_k_rule``): among the K that qualify (or all, if none does), the
    smallest whose mean stability is within one standard error of the most stable K's."""
    table, k = selection
    by_k = table.groupby("k")
    mean = by_k["stability"].mean()
    qualifies = [
        kk for kk in KS
        if mean[kk] >= 0.5 and by_k["seeds_in_top"].min()[kk] >= 3
        and by_k["perplexity"].first()[kk] < by_k["perplexity_unigram"].first()[kk]
    ]  # fmt: skip
    pool = qualifies or list(KS)
    best = max(pool, key=lambda kk: mean[kk])
    se = table.loc[table["k"] == best, "stability"].std(ddof=1) / best**0.5
    assert k == min(kk for kk in pool if mean[kk] >= mean[best] - se)


def test_planted_topics_are_stable_and_the_rule_finds_their_number():
    """Known answer: 4 disjoint blocks of words give 4 topics, each stable under resampling;
    the rule recommends K = 4 from a grid around it."""
    docs = planted_corpus(4, n_docs=120, words_per_topic=10, seed=4)
    table = select_k(docs, QUICK, ks=(2, 3, 4, 5, 6), resamples=3, progress=False, workers=1)
    at_planted = table[table["k"] == 4]
    assert (at_planted["stability"] >= 0.9).all(), at_planted["stability"].tolist()
    assert (at_planted["stability_js"] >= 0.9).all()
    choice = recommend(table)
    assert choice.k == 4 and choice.qualified and not choice.at_edge
    assert k_summary(table)["beats_unigram"].all()


def test_shuffled_noise_topics_are_not_stable():
    """The same tokens shuffled across documents have no topics: at no K are the fitted
    topics stable on average, most are unstable, and the rule says that no K meets its
    criteria: the topics do not even predict left-out paragraphs better than word frequencies.
    (A small vocabulary makes chance agreement likelier: 40 words per block here.)"""
    docs = shuffled_corpus(planted_corpus(4, n_docs=120, words_per_topic=40, seed=1), seed=1)
    table = select_k(docs, QUICK, ks=(3, 4, 5), resamples=3, progress=False, workers=1)
    summary = k_summary(table)
    assert (summary["stability"] < STABLE).all()
    assert (table["stability"] < STABLE).mean() > 0.75
    assert not summary["beats_unigram"].any()  # no topics: word frequencies predict as well
    assert not recommend(table).qualified


def test_perplexity_is_lower_for_the_model_of_the_data():
    docs = blocks(60)
    train, test = heldout_split(len(docs), 0.1, seed=1)
    fitted = fit_lda([docs[i] for i in train], ModelSettings(k=3, seed=1, no_below=1, passes=5))
    scored = evaluate.heldout_perplexity(fitted, [docs[i] for i in test])
    shuffled = evaluate.heldout_perplexity(fitted, [["财政", "干部", "村民", "考核"] * 3])
    assert 1 < scored < shuffled < len(fitted.dictionary) * 2
    assert np.isnan(evaluate.heldout_perplexity(fitted, [["未知"], []]))


def test_heldout_split_is_a_seeded_partition():
    train, test = heldout_split(208, 0.1, seed=3)
    assert len(test) == 21 and len(train) == 187
    assert sorted(np.concatenate([train, test]).tolist()) == list(range(208))
    again = heldout_split(208, 0.1, seed=3)
    assert np.array_equal(again[1], test)
    assert not np.array_equal(heldout_split(208, 0.1, seed=4)[1], test)
    with pytest.raises(ValueError, match="share"):
        heldout_split(10, 1.5)


def test_coherence_prefers_words_that_occur_together():
    from gensim.corpora import Dictionary

    docs = blocks(30)
    good = evaluate.coherence(
        [["财政", "负债", "债务"], ["干部", "考核", "激励"]], docs, Dictionary(docs)
    )
    mixed = evaluate.coherence(
        [["财政", "考核", "村民"], ["负债", "激励", "自治"]], docs, Dictionary(docs)
    )
    assert set(good) == {"c_v", "c_npmi", "u_mass"}
    assert all(good[m] > mixed[m] for m in good)


def test_each_row_has_the_coherence_of_its_own_topic():
    """Every (k, topic) row has the coherence of that topic of the full-data fit."""
    docs = [doc + [f"词{i % 7}", f"字{i % 5}"] for i, doc in enumerate(blocks(40))]
    model = ModelSettings(no_below=1, passes=2, iterations=50, init="random")
    table = select_k(docs, model, ks=(2, 4), resamples=1, progress=False, workers=1)
    for k, rows in table.groupby("k"):
        fitted = fit_lda(docs, dataclasses.replace(model, k=k))
        top = terms.top_terms(fitted.topic_word(), fitted.vocabulary(), 10)
        expected = evaluate.coherence_per_topic(top, docs, fitted.dictionary)
        for measure in evaluate.MEASURES:
            assert rows[measure].tolist() == expected[measure]
        assert rows[evaluate.MEASURES[1]].mean() == pytest.approx(
            evaluate.coherence(top, docs, fitted.dictionary)["c_npmi"]
        )


def test_paragraph_npmi_counts_pairs_within_documents():
    docs = [["a", "b", "x"], ["a", "b"], ["c", "d"], ["c", "x"]]
    # a-b always together (1); c-d share 1 of 4 documents with p(c) = 1/2, p(d) = 1/4;
    # a-c never (−1).
    scores = evaluate.paragraph_npmi([["a", "b"], ["c", "d"], ["a", "c"]], docs)
    np.testing.assert_allclose(scores, [1.0, np.log(2) / np.log(4), -1.0])


@pytest.mark.filterwarnings("ignore:invalid value encountered in sqrt")  # NMF on exact blocks
def test_large_k_warns_and_k_above_documents_is_skipped():
    docs = blocks(30)
    model = ModelSettings(no_below=1, passes=2, iterations=50)
    with pytest.warns(UserWarning) as caught:
        table = select_k(docs, model, ks=(3, 4, 40), resamples=1, progress=False)
    messages = " | ".join(str(w.message) for w in caught)
    assert "skipping k=40: more topics than the 30 documents" in messages
    assert "k=4 is large for 30 documents" in messages
    assert "k=3" not in messages
    assert sorted(set(table["k"])) == [3, 4]
    assert table.groupby("k")["large_k"].all().to_dict() == {3: False, 4: True}


def test_k_below_the_number_of_themes_is_skipped(project_settings):
    model = pipeline.model_settings(project_settings)
    themes = pipeline.themes_for(project_settings, model)
    assert len(themes) == 4
    with pytest.warns(UserWarning, match="skipping k=3: fewer topics than the 4 seeded themes"):
        table = select_k(blocks(30), model, themes, ks=(3,), resamples=1, progress=False)
    assert table.empty
    with pytest.raises(ValueError, match="no fitted K"):
        recommend_k(table)


def hand_table(rows: dict[int, tuple]) -> pd.DataFrame:
    """Per K: (mean stability, fewest seed words of a theme topic); K topics each, their
    stabilities spread around the mean, theme 1 in topic 1."""
    records = []
    for k, (stability, seeds) in rows.items():
        for topic in range(1, k + 1):
            offset = 0.02 * (topic - (k + 1) / 2)
            records.append({"k": k, "topic": topic, "stability": stability + offset,
                            "seeds_in_top": seeds if topic == 1 else np.nan})  # fmt: skip
    return pd.DataFrame(records)


@pytest.mark.parametrize(
    ("rows", "expected", "qualified", "at_edge"),
    [
        # the most stable of the K where the themes form
        ({4: (0.7, 5), 6: (0.8, 4), 8: (0.6, 4)}, 6, True, False),
        # themes that do not form (fewer than 3 seed words in a theme topic) disqualify
        ({4: (0.9, 2), 6: (0.7, 4), 8: (0.6, 4)}, 6, True, False),
        # unstable on average (below 0.5) disqualifies
        ({4: (0.45, 5), 6: (0.4, 4), 8: (0.55, 4)}, 8, True, True),
        # a tie goes to the smaller K
        ({4: (0.6, 4), 6: (0.7, 4), 8: (0.7, 4), 10: (0.6, 4)}, 6, True, False),
        # none qualifies: the most stable of all, flagged
        ({4: (0.45, 4), 6: (0.9, 1), 8: (0.3, 4)}, 6, False, False),
        # without themes (NaN) the theme condition does not apply; best K at the grid's edge
        ({4: (0.9, np.nan), 6: (0.6, np.nan)}, 4, True, True),
    ],
)
def test_recommend_k_rule(rows, expected, qualified, at_edge):
    choice = recommend(hand_table(rows))
    assert (choice.k, choice.qualified, choice.at_edge) == (expected, qualified, at_edge)
    assert recommend_k(hand_table(rows)) == expected
    notes = " ".join(choice.notes())
    assert ("no K meets the criteria" in notes) == (not qualified)
    assert ("of the grid" in notes) == at_edge


def test_the_smallest_k_within_one_standard_error_of_the_most_stable_is_taken():
    """K = 8 is more stable on average, but its topics spread so widely that K = 6 lies within
    one standard error of it: the rule prefers the fewer topics."""
    rows = [{"k": 6, "topic": t, "stability": 0.6, "seeds_in_top": np.nan} for t in range(1, 7)]
    rows += [{"k": 8, "topic": t, "stability": 0.3 if t % 2 else 1.0, "seeds_in_top": np.nan}
             for t in range(1, 9)]  # fmt: skip
    table = pd.DataFrame(rows)  # K = 8: mean 0.65, standard error 0.13
    assert recommend(table).k == 6
    spread_less = table.assign(stability=np.where(table["k"] == 8, 0.65, 0.6))
    assert recommend(spread_less).k == 8  # no spread: 0.65 is measurably more stable


def test_summary_counts_stable_topics():
    summary = k_summary(hand_table({4: (0.5, 5)}))  # stabilities 0.47, 0.49, 0.51, 0.53
    assert summary.loc[4, "stable_topics"] == 2 and summary.loc[4, "topics"] == 4


def test_saved_table_is_reused_while_inputs_are_unchanged(project_settings, selection, monkeypatch):
    table, k = selection
    folder = project_settings.path(project_settings.paths.runs) / "k_selection"
    assert {p.name for p in folder.iterdir()} >= {
        "k_selection.parquet",
        "k_selection.csv",
        "manifest.json",
    }

    def no_fitting(*args, **kwargs):
        raise AssertionError("measure_ks ran although the saved table is current")

    monkeypatch.setattr(pipeline, "measure_ks", no_fitting)
    again, k_again = pipeline.k_selection(project_settings, KS, RESAMPLES, progress=False)
    pd.testing.assert_frame_equal(again, table)
    assert k_again == k
    with pytest.raises(AssertionError, match="measure_ks ran"):  # other inputs: fit again
        pipeline.k_selection(project_settings, ks=KS, resamples=3, progress=False)
    changed = dataclasses.replace(
        project_settings, model=dataclasses.replace(project_settings.model, passes=5)
    )
    with pytest.raises(AssertionError, match="measure_ks ran"):
        pipeline.k_selection(changed, ks=KS, resamples=RESAMPLES, progress=False)


def test_k_auto_in_the_config_uses_the_recommendation(project_settings, selection, monkeypatch):
    _, k = selection
    monkeypatch.setattr(pipeline, "measure_ks", lambda *a, **kw: pytest.fail("should reuse"))
    auto = dataclasses.replace(
        project_settings,
        model=dataclasses.replace(project_settings.model, k="auto"),
        select_k=SelectKSettings(ks=KS, resamples=RESAMPLES),  # the grid of the saved table
    )
    assert pipeline.recommended_k(auto) == k
    assert pipeline.model_settings(auto).k == k


def test_k_selection_figure(selection, tmp_path):
    from matplotlib.figure import Figure

    from topics.plots.k_selection import plot_k_selection
    from topics.plots.style import save_figure

    table, k = selection
    fig = plot_k_selection(table, k)
    assert isinstance(fig, Figure) and len(fig.axes) == 4
    texts = [t.get_text() for ax in fig.axes for t in ax.texts] + [t.get_text() for t in fig.texts]
    assert any(f"K = {k}" in t for t in texts)
    # on this grid (K = 4, 6) the themes do not form: no K qualifies, and the figure says so
    assert not recommend(table).qualified
    assert any("no K meets the criteria" in t for t in texts)
    by_hand = plot_k_selection(table, k, used=6, by_hand=True)
    texts = [t.get_text() for ax in by_hand.axes for t in ax.texts]
    assert any("used K = 6 (set by hand)" in t for t in texts)
    seeds = table["seeds_in_top"]
    stable = table.assign(stability=0.9, seeds_in_top=seeds.where(seeds.isna(), 5.0))
    texts = [t.get_text() for ax in plot_k_selection(stable, 4).axes for t in ax.texts]
    assert any("recommended K = 4" in t for t in texts)
    assert save_figure(plot_k_selection(stable, 4), tmp_path / "k.png")[0].stat().st_size


def test_the_full_data_fit_of_the_chosen_k_is_the_run(project_settings, tmp_path, monkeypatch):
    """With k = "auto", K selection saves the fit of the recommended K as the run, with each
    topic's stability from the table; the run is then reused, never fitted again."""
    paths = dataclasses.replace(project_settings.paths, runs=tmp_path / "runs")
    auto = dataclasses.replace(
        project_settings, paths=paths, model=dataclasses.replace(project_settings.model, k="auto"),
        select_k=SelectKSettings(ks=(6, 8), resamples=1),
    )  # fmt: skip
    table, best = pipeline.k_selection(auto, progress=False)
    monkeypatch.setattr(pipeline, "fit_lda", lambda *a, **k: pytest.fail("fitted again"))
    run = pipeline.current_run(auto, progress=False)
    assert run.k == best
    expected = table.loc[table["k"] == best, evaluate.QUALITY].reset_index(drop=True)
    pd.testing.assert_frame_equal(run.topics[evaluate.QUALITY], expected)
    assert run.topics["stability"].between(0, 1).all()


def test_a_fit_against_itself_is_stable_and_subsamples_are_seeded():
    from topics.model.stability import FitTopics, per_topic_stability, subsample

    fitted = fit_lda(planted_corpus(3, n_docs=60, seed=2), dataclasses.replace(QUICK, k=3))
    itself = FitTopics.of(fitted)
    table = per_topic_stability(itself, [itself, itself])
    assert table["stability"].tolist() == [1.0] * 3
    np.testing.assert_allclose(table["stability_js"], 1.0)
    inside, outside = subsample(100, 1, seed=42)
    assert len(inside) == 80 and sorted([*inside, *outside]) == list(range(100))
    assert np.array_equal(subsample(100, 1, seed=42)[0], inside)  # seeded
    assert not np.array_equal(subsample(100, 2, seed=42)[0], inside)  # replicates differ
    assert not np.array_equal(subsample(100, 1, seed=7)[0], inside)
