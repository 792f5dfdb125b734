"""Choosing K: measures on the real corpus (small grid), the recommendation rule, the cache."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from topics import pipeline
from topics.model import evaluate, terms
from topics.model.evaluate import heldout_split, select_k
from topics.model.k_rule import recommend_k
from topics.model.lda import ModelSettings, fit_lda
from topics.model.settings import SelectKSettings

KS, SEEDS = (4, 6), (1, 2)


@pytest.fixture(scope="module")
def selection(project_settings):
    """The k_selection of the project on a small grid, computed once (and saved)."""
    return pipeline.k_selection(project_settings, ks=KS, seeds=SEEDS, progress=False)


def blocks(n_docs: int = 30) -> list[list[str]]:
    """Made-up documents from three blocks of words: three topics, known in advance."""
    words = [["财政", "负债", "债务", "资金"], ["干部", "考核", "激励", "待遇"], ["村民", "自治", "村委会", "选举"]]  # fmt: skip
    return [words[i % 3] * 3 + words[(i + 1) % 3][:1] for i in range(n_docs)]


def test_table_has_one_row_per_k_and_seed(selection):
    table, _ = selection
    assert list(table.columns) == evaluate.COLUMNS
    assert len(table) == len(KS) * len(SEEDS)
    assert sorted(zip(table["k"], table["seed"], strict=True)) == [
        (k, s) for k in KS for s in SEEDS
    ]
    assert not table[["c_v", "c_npmi", "u_mass", "diversity"]].isna().any().any()
    first_seed = table["seed"] == SEEDS[0]  # held-out perplexity: one split and fit per K
    assert table.loc[first_seed, "perplexity"].notna().all()
    assert table.loc[~first_seed, "perplexity"].isna().all()


def test_measures_lie_in_their_ranges(selection):
    table, _ = selection
    assert table["c_npmi"].between(-1, 1).all()
    assert table["c_v"].between(0, 1).all()
    assert (table["u_mass"] <= 1e-9).all()  # ≤ 0 up to gensim's epsilon
    assert (table["diversity"] > 0).all() and (table["diversity"] <= 1).all()
    perplexity = table["perplexity"].dropna()
    assert np.isfinite(perplexity).all() and (perplexity > 1).all() and len(perplexity) == len(KS)
    assert table["stability"].between(0, 1).all()
    assert (table["fit_seconds"] > 0).all()


def test_nmf_start_is_stable_across_seeds(selection):
    """The seed only moves gensim's E-step start, so top words agree up to near-ties
    (with the four seeded themes, one word of 66 at K = 6; a random start gives about 0.3)."""
    table, _ = selection
    assert (table["stability"] >= 0.95).all()
    assert (table.loc[table["k"] == KS[0], "stability"] == 1.0).all()


def test_recommended_k_is_in_the_grid_and_follows_the_rule(selection):
    table, k = selection
    assert k in KS
    assert k == recommend_k(table)


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


def test_each_row_has_the_coherence_of_its_own_fit():
    """Coherence is computed once per distinct set of top words; every row still gets its own."""
    docs = [doc + [f"词{i % 7}", f"字{i % 5}"] for i, doc in enumerate(blocks(40))]
    model = ModelSettings(no_below=1, passes=2, iterations=50, init="random")
    table = select_k(docs, model, ks=(2, 4), seeds=(1, 2), progress=False, workers=1)
    for row in table.itertuples():
        fitted = fit_lda(docs, dataclasses.replace(model, k=row.k, seed=row.seed))
        top = terms.top_terms(fitted.topic_word(), fitted.vocabulary(), 10)
        expected = evaluate.coherence(top, docs, fitted.dictionary)
        assert (row.c_v, row.c_npmi, row.u_mass) == tuple(expected[m] for m in evaluate.MEASURES)


@pytest.mark.filterwarnings("ignore:invalid value encountered in sqrt")  # NMF on exact blocks
def test_large_k_warns_and_k_above_documents_is_skipped():
    docs = blocks(30)
    model = ModelSettings(no_below=1, passes=2, iterations=50)
    with pytest.warns(UserWarning) as caught:
        table = select_k(docs, model, ks=(3, 4, 40), seeds=(1, 2), progress=False)
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
        table = select_k(blocks(30), model, themes, ks=(3,), seeds=(1,), progress=False)
    assert table.empty
    with pytest.raises(ValueError, match="no fitted K"):
        recommend_k(table)


def hand_table(rows: dict[int, tuple]) -> pd.DataFrame:
    """Two seeds per K with the given (stability, diversity, c_npmi, theme_seeds) as means."""
    records = []
    for k, (stability, diversity, npmi, seeds) in rows.items():
        for offset in (-0.01, 0.01):
            records.append({"k": k, "seed": offset, "stability": stability, "theme_seeds": seeds,
                            "diversity": diversity + offset, "c_npmi": npmi - offset})  # fmt: skip
    return pd.DataFrame(records)


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # the most coherent of the K that are stable, diverse and form the themes
        ({4: (1.0, 0.9, 0.02, 5), 6: (0.9, 0.85, 0.05, 4), 8: (0.7, 0.9, 0.09, 4)}, 6),
        # diversity below 0.8 disqualifies the most coherent K
        ({4: (1.0, 0.9, 0.02, 5), 6: (1.0, 0.79, 0.05, 4)}, 4),
        # themes that do not form (fewer than 3 seed words in a theme topic) disqualify
        ({4: (1.0, 0.95, 0.07, 0), 8: (1.0, 0.82, 0.001, 5)}, 8),
        # a tie in c_npmi goes to the smaller K
        ({6: (1.0, 0.9, 0.04, 4), 8: (1.0, 0.9, 0.04, 4), 10: (1.0, 0.9, 0.01, 4)}, 6),
        # none qualifies: the highest c_npmi of all
        ({4: (0.5, 0.9, 0.01, 4), 6: (0.9, 0.5, 0.03, 4), 8: (0.9, 0.9, 0.08, 1)}, 8),
        # without themes (NaN) the theme condition does not apply
        ({4: (1.0, 0.9, 0.02, np.nan), 6: (1.0, 0.9, 0.05, np.nan)}, 6),
    ],
)
def test_recommend_k_rule(rows, expected):
    assert recommend_k(hand_table(rows)) == expected


def test_saved_table_is_reused_while_inputs_are_unchanged(project_settings, selection, monkeypatch):
    table, k = selection
    folder = project_settings.path(project_settings.paths.runs) / "k_selection"
    assert {p.name for p in folder.iterdir()} >= {
        "k_selection.parquet",
        "k_selection.csv",
        "manifest.json",
    }

    def no_fitting(*args, **kwargs):
        raise AssertionError("select_k ran although the saved table is current")

    monkeypatch.setattr(pipeline, "select_k", no_fitting)
    again, k_again = pipeline.k_selection(project_settings, ks=KS, seeds=SEEDS, progress=False)
    pd.testing.assert_frame_equal(again, table)
    assert k_again == k
    with pytest.raises(AssertionError, match="select_k ran"):  # other inputs: fit again
        pipeline.k_selection(project_settings, ks=KS, seeds=(1, 2, 3), progress=False)
    changed = dataclasses.replace(
        project_settings, model=dataclasses.replace(project_settings.model, passes=5)
    )
    with pytest.raises(AssertionError, match="select_k ran"):
        pipeline.k_selection(changed, ks=KS, seeds=SEEDS, progress=False)


def test_k_auto_in_the_config_uses_the_recommendation(project_settings, selection, monkeypatch):
    _, k = selection
    monkeypatch.setattr(pipeline, "select_k", lambda *a, **kw: pytest.fail("should reuse"))
    auto = dataclasses.replace(
        project_settings,
        model=dataclasses.replace(project_settings.model, k="auto"),
        select_k=SelectKSettings(ks=KS, seeds=SEEDS),  # the grid of the saved table
    )
    assert pipeline.recommended_k(auto) == k
    assert pipeline.model_settings(auto).k == k


def test_k_selection_figure(selection, tmp_path):
    from matplotlib.figure import Figure

    from topics.plots.k_selection import plot_k_selection
    from topics.plots.style import save_figure

    table, k = selection
    fig = plot_k_selection(table, k)
    assert isinstance(fig, Figure) and len(fig.axes) == 5  # four panels and the c_v axis
    assert any(f"K = {k}" in t.get_text() for ax in fig.axes for t in ax.texts)
    one_seed = table[table["seed"] == 1].assign(stability=np.nan, theme_seeds=np.nan)
    assert save_figure(plot_k_selection(one_seed, 4), tmp_path / "k.png")[0].stat().st_size
