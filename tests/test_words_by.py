"""How a topic's words change across levels (topics.analysis.words_by): the arithmetic on small
arrays, and the planted corpus whose finance words shift at 2010 while its share stays flat."""

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from typer.testing import CliRunner

from topics.analysis.words_by import (
    bootstrap_weights,
    column_levels,
    expected_counts,
    pair_contributions,
    period_labels,
    simultaneous_bounds,
    token_ratios,
    topic_tokens,
)
from topics.cli import app

ROOT = Path(__file__).resolve().parents[1]
runner = CliRunner()


# --- the arithmetic ------------------------------------------------------------------------


def random_model(seed: int = 0, docs: int = 30, k: int = 3, words: int = 12):
    rng = np.random.default_rng(seed)
    counts = sparse.random(docs, words, density=0.4, random_state=seed, format="csr")
    counts.data = rng.integers(1, 5, counts.nnz).astype(float)
    theta = rng.dirichlet(np.ones(k), docs)
    phi = rng.dirichlet(np.ones(words), k)
    return counts, theta, phi


def test_responsibilities_split_every_token_among_the_topics():
    counts, theta, phi = random_model()
    expected = expected_counts(counts, theta, phi)
    # each word's tokens are all given out: columns sum to the word's count
    np.testing.assert_allclose(expected.sum(axis=0), np.asarray(counts.sum(axis=0)).ravel())
    # the same from the definition, one document and word at a time
    dense = counts.toarray()
    direct = np.zeros_like(expected)
    for d, w in zip(*np.nonzero(dense), strict=True):
        weights = theta[d] * phi[:, w]
        direct[:, w] += dense[d, w] * weights / weights.sum()
    np.testing.assert_allclose(expected, direct)
    # per document and topic, and per (topic, word) pair, the same numbers
    ratios = token_ratios(counts, theta, phi)
    per_doc = topic_tokens(ratios, theta, phi)
    np.testing.assert_allclose(per_doc.sum(axis=1), dense.sum(axis=1))
    np.testing.assert_allclose(per_doc.sum(axis=0), expected.sum(axis=1))
    pairs = np.array([[0, 3], [2, 3], [1, 7]])
    contributions = pair_contributions(ratios, theta, phi, pairs).toarray()
    np.testing.assert_allclose(contributions.sum(axis=0), expected[pairs[:, 0], pairs[:, 1]])


def test_bootstrap_resamples_within_levels():
    groups = np.array([0, 0, 0, 1, 1, 2, 2, 2, 2])
    weights = bootstrap_weights(groups, 50, seed=1)
    for g in range(3):  # every draw keeps each level's number of units
        assert (weights[:, groups == g].sum(axis=1) == (groups == g).sum()).all()
    assert weights.std(axis=0).min() > 0
    np.testing.assert_array_equal(weights, bootstrap_weights(groups, 50, seed=1))


def test_simultaneous_intervals_are_wider_than_pointwise_ones():
    rng = np.random.default_rng(0)
    replicates = rng.normal(0, 1, (4000, 10))
    low, high = simultaneous_bounds(np.zeros(10), replicates, np.zeros(10))
    pointwise = np.quantile(replicates, 0.975, axis=0)
    assert (high > pointwise * 1.2).all()
    # joint coverage about 95 %: fresh draws fall wholly inside in about 95 % of cases
    fresh = rng.normal(0, 1, (4000, 10))
    inside = ((fresh > low) & (fresh < high)).all(axis=1).mean()
    assert 0.93 < inside < 0.97
    # separate families get separate critical values: one column alone is pointwise
    low1, high1 = simultaneous_bounds(np.zeros(10), replicates, np.arange(10))
    np.testing.assert_allclose(high1, 1.96 * replicates.std(axis=0, ddof=1), rtol=0.06)


def test_years_are_cut_into_periods_of_about_equal_size():
    years = pd.Series(np.repeat(np.arange(2000, 2020), 3))
    labels = period_labels(years, 4)
    assert labels.value_counts().to_dict() == {"2000–2004": 15, "2005–2009": 15,
                                               "2010–2014": 15, "2015–2019": 15}  # fmt: skip
    uneven = period_labels(pd.Series([2001] * 10 + [2002, 2003, 2004, 2005]), 2)
    assert uneven.tolist() == ["2001"] * 10 + ["2002–2005"] * 4  # a year is never split
    articles = pd.DataFrame({"article_id": list("abcdef"), "year": [2001, 2003, 2003, None, 2001, 2003],
                             "place": ["湖北", "湖南", "湖北", "湖北", None, "四川"]})  # fmt: skip
    few = column_levels(articles, "year")
    assert few.order == ["2001", "2003"] and few.ordered and few.of_article.isna().sum() == 1
    places = column_levels(articles, "place")
    assert places.order == sorted(["四川", "湖北", "湖南"]) and not places.ordered


# --- the planted corpus: finance words shift at 2010, its share stays flat ---------------------


def planted_project(root: Path, prepared, shift: bool) -> Path:
    from topics.corpus.planted import FLAT, SHIFT, build_planted_corpus
    from topics.model.themes import load_themes

    themes = {t.id: t for t in load_themes(ROOT / "data" / "themes.toml")}
    texts = prepared.paragraphs[prepared.paragraphs["duplicate_of"].isna()]
    truth = build_planted_corpus(
        root / "raw", texts.set_index("paragraph_id")["text"], themes["finance"].seeds,
        themes["village_autonomy"].seeds, share_range=FLAT, shift=SHIFT if shift else None,
    )  # fmt: skip
    # a category with no planted difference: documents alternate between two places
    places = pd.DataFrame(
        {"file": truth["file"], "place": np.where(truth.index % 2, "甲县", "乙县")}
    )
    places.to_csv(root / "raw" / "metadata.csv", index=False)
    config = (ROOT / "topics.toml").read_text(encoding="utf-8")
    config = config.replace('raw = "data/raw"', f'raw = "{(root / "raw").as_posix()}"')
    for key in ("furniture", "themes"):
        config = config.replace(f'{key} = "data/', f'{key} = "{ROOT.as_posix()}/data/')
    config = re.sub(r'(?m)^(\w+) = "data/lexicons/', rf'\1 = "{ROOT.as_posix()}/data/lexicons/',
                    config)  # fmt: skip
    config = re.sub(r"(?m)^k = .*$", "k = 8", config)
    config = re.sub(r"(?m)^resamples = .*$", "resamples = 1", config)
    (root / "topics.toml").write_text(config, encoding="utf-8")
    result = runner.invoke(app, ["fit", "-q", "-c", str(root / "topics.toml")])
    assert result.exit_code == 0, result.output
    return root / "topics.toml"


@pytest.fixture(scope="module")
def shifted(tmp_path_factory, prepared):
    return planted_project(tmp_path_factory.mktemp("shifted"), prepared, shift=True)


@pytest.fixture(scope="module")
def unshifted(tmp_path_factory, prepared):
    return planted_project(tmp_path_factory.mktemp("unshifted"), prepared, shift=False)


def words_by_table(config: Path, column: str, suffix: str = ".csv", *extra: str) -> pd.DataFrame:
    out = config.parent / f"words_by_{column}{suffix}"
    result = runner.invoke(
        app, ["words-by", column, "-q", "-c", str(config), "-o", str(out), *extra]
    )
    assert result.exit_code == 0, result.output
    if suffix == ".parquet":
        return pd.read_parquet(out)
    return pd.read_csv(out, encoding="utf-8-sig", keep_default_na=False, na_values=[""])


def finance_rows(config: Path, table: pd.DataFrame) -> pd.DataFrame:
    """The rows of the finance topic: the topic the theme formed or, where it did not form
    (the label rule), the topic holding most of its seed words."""
    from topics import pipeline
    from topics.config import Settings

    run = pipeline.open_run(Settings.load(config))
    topic, _ = run.nearest_topic("finance")
    return table[table["topic"] == f"T{topic}"].set_index(["term", "level"])


LATE = ("2010–2014", "2015–2019")


def test_words_by_year_finds_the_planted_shift(shifted):
    table = words_by_table(shifted, "year")
    assert list(dict.fromkeys(table["level"])) == ["2000–2004", "2005–2009", *LATE]
    assert {"term", "topic", "level", "change", "low", "high"} <= set(table.columns)
    finance = finance_rows(shifted, table)
    # 财力 → 财源 and 增长 → 攀升 from 2010 on (攀升 then occurs in too few distinct
    # paragraphs to survive pruning): the new word rises, the old ones fall, beyond the noise
    for level in LATE:
        assert finance.at[("财源", level), "low"] > 0, finance.loc["财源"]
        for old in ("财力", "增长"):
            assert finance.at[(old, level), "high"] < 0, finance.loc[old]
            assert finance.at[(old, level), "signal"] == "falling"
    # before the shift nothing moves for these words
    for word in ("财源", "财力", "增长"):
        row = finance.loc[(word, "2005–2009")]
        assert row["low"] < 0 < row["high"], (word, row)
    # the model's own reading: the old words' expected tokens in finance are (almost) gone
    assert (
        finance.loc[("财力", LATE[1]), "tokens"]
        < 0.05 * finance.loc[("财力", "2000–2004"), "tokens"]
    )
    # and few other changes: most of the table is noise, and is shown as such
    assert (table["signal"].fillna("") != "").mean() < 0.05


def test_no_shift_planted_none_found(unshifted):
    table = words_by_table(unshifted, "year", ".parquet")
    finance = finance_rows(unshifted, table)
    for word in ("财力", "增长"):
        for level in LATE:
            row = finance.loc[(word, level)]
            assert row["low"] < 0 < row["high"], (word, level)
    assert (table["signal"] != "").mean() < 0.01, table[table["signal"] != ""]
    # a category with no planted difference: each place against the other, nothing found
    places = words_by_table(unshifted, "place")
    assert set(places["level"]) == {"甲县", "乙县"} and set(places["reference"]) == {"others"}
    assert (places["signal"].fillna("") != "").mean() < 0.01


def test_words_by_table_is_reproducible_and_exports(shifted):
    a = words_by_table(shifted, "year", ".parquet")
    b = words_by_table(shifted, "year", ".parquet")
    pd.testing.assert_frame_equal(a, b)
    md = shifted.parent / "words.md"
    result = runner.invoke(app, ["words-by", "year", "-q", "-c", str(shifted), "--draws", "50",
                                 "--method", "frex", "-n", "5", "-o", str(md)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "words ranked by frex" in result.output and "50 bootstrap draws" in result.output
    assert md.read_text(encoding="utf-8").startswith("| topic | label | term | level |")


def test_words_by_errors_are_one_line(shifted):
    config = ["-c", str(shifted)]
    result = runner.invoke(app, ["words-by", "county", *config, "-q"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "error: no metadata column 'county' (known: year, place)"
    ]
    result = runner.invoke(app, ["words-by", "year", *config, "-q", "--draws", "5"])
    assert result.exit_code == 2 and "--draws" in result.output


# --- the figure ----------------------------------------------------------------------------


def synthetic_table(n_levels: int, k: int = 5, words: int = 12, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    levels = [str(2000 + i) for i in range(n_levels)]
    rows = [{"topic": f"T{t + 1}", "term": f"词{t}{w:02d}", "level": lv,
             "weight": rng.uniform(0, 0.1) * (1 + (w == 0) * i), "change": 0.0, "signal": ""}
            for t in range(k) for w in range(words) for i, lv in enumerate(levels)]  # fmt: skip
    table = pd.DataFrame(rows)
    table.loc[(table["term"] == "词000") & (table["level"] != levels[0]), "signal"] = "rising"
    return table


@pytest.mark.parametrize("n_levels", [2, 20])
def test_words_figure_reads_from_2_to_20_levels(n_levels, tmp_path):
    from topics.plots.style import save_figure
    from topics.plots.topic_words import WORDS, leading_words, plot_topic_words_by

    table = synthetic_table(n_levels)
    fig = plot_topic_words_by(table, "year", note="a note")
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert len(axes) == 5 and max(fig.get_size_inches()) <= 16
    first = axes[0]
    assert [t.get_text() for t in first.get_xticklabels()] == list(dict.fromkeys(table["level"]))
    # the word with a signal comes first among the leading words and carries its marks
    rows = [t.get_text().split()[0] for t in first.get_yticklabels()]
    assert len(rows) == WORDS and "词000" in rows
    assert sum(t.get_text() == "▲" for t in first.texts) == n_levels - 1
    chosen = leading_words(table[table["topic"] == "T1"], list(dict.fromkeys(table["level"])))
    assert list(chosen.index) == rows
    (path,) = save_figure(fig, tmp_path / "words.png")
    assert path.stat().st_size > 20_000


def test_report_shows_the_planted_shift(shifted):
    out = shifted.parent / "report.html"
    result = runner.invoke(app, ["report", "-q", "-c", str(shifted), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.output
    section = out.read_text(encoding="utf-8").split('id="words-by"', 1)[1]
    section = section.split("</section>", 1)[0]
    assert "<h3>Words by year</h3>" in section
    rows = re.findall(r"<tr>(.*?)</tr>", section)
    assert any("财源" in r and "rising" in r for r in rows)
    assert any("财力" in r and "falling" in r for r in rows)
    assert "Effects of year" in out.read_text(encoding="utf-8")
