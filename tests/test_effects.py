"""How prevalence varies with metadata (topics.analysis.effects), its figures, and the
planted-trend corpus on which the answer is known."""

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from topics.analysis.design import Design, default_formula
from topics.analysis.effects import (
    composition_samples,
    draw_shares,
    effect_table,
    posterior_gamma,
    summarize,
    unit_matrix,
)
from topics.cli import app
from topics.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
YEARS = np.repeat(np.arange(2000, 2020), 6)  # 120 documents


def synthetic_gamma(slope: float, concentration: float, seed: int = 0) -> np.ndarray:
    """Two topics; topic 1's mean share is 0.2 + slope × (year − 2000) plus document noise;
    γ = mean × concentration (a larger concentration is a more certain posterior)."""
    noise = np.random.default_rng(seed).normal(0, 0.03, len(YEARS))
    mean = np.clip(0.2 + slope * (YEARS - 2000) + noise, 0.02, 0.98)
    return np.column_stack([mean, 1 - mean]) * concentration


def year_slope(samples: np.ndarray) -> dict:
    return {k: v[0] for k, v in summarize(samples, np.array([[0.0, 1.0]])).items()}


X_YEAR = np.column_stack([np.ones(len(YEARS)), YEARS - 2000.0])


def test_planted_slope_is_recovered_inside_its_interval():
    samples = composition_samples(synthetic_gamma(0.02, 100), X_YEAR, draws=100, seed=3)
    stats = year_slope(samples)
    assert samples.shape == (100 * 20, 2, 2)
    assert stats["low"][0] < 0.02 < stats["high"][0]
    assert stats["low"][1] < -0.02 < stats["high"][1]  # shares sum to 1: topic 2 falls
    assert stats["high"][0] - stats["low"][0] < 0.006
    again = composition_samples(synthetic_gamma(0.02, 100), X_YEAR, draws=100, seed=3)
    assert np.array_equal(samples, again)  # reproducible from the seed
    assert not np.array_equal(samples, composition_samples(synthetic_gamma(0.02, 100), X_YEAR))


def test_interval_grows_when_the_posterior_is_less_certain():
    widths = []
    for concentration in (1000.0, 30.0, 5.0):
        stats = year_slope(composition_samples(synthetic_gamma(0.02, concentration), X_YEAR))
        widths.append(stats["high"][0] - stats["low"][0])
    assert widths[0] < widths[1] < widths[2]
    assert widths[2] > 1.5 * widths[0]


def test_without_model_uncertainty_it_is_ols_as_statsmodels_fits_it():
    import statsmodels.api as sm

    gamma = synthetic_gamma(0.01, 1e8)
    samples = composition_samples(gamma, X_YEAR, draws=20, samples_per_draw=500, seed=1)
    shares = gamma / gamma.sum(axis=1, keepdims=True)
    for k in range(2):
        fit = sm.OLS(shares[:, k], X_YEAR).fit()
        np.testing.assert_allclose(samples[:, :, k].mean(axis=0), fit.params, rtol=0.02, atol=1e-3)
        np.testing.assert_allclose(samples[:, :, k].std(axis=0), fit.bse, rtol=0.06)


def test_articles_mix_their_paragraphs_by_tokens():
    ids, mixing = unit_matrix(["b", "b", "a"], np.array([30.0, 10.0, 8.0]))
    assert ids.tolist() == ["b", "a"]
    np.testing.assert_allclose(mixing.toarray(), [[0.75, 0.25, 0], [0, 0, 1]])
    gamma = np.array([[1e7, 1.0], [1.0, 1e7], [5e6, 5e6]])
    (draw,) = draw_shares(gamma, 1, mixing=mixing)
    np.testing.assert_allclose(draw, [[0.75, 0.25], [0.5, 0.5]], atol=1e-3)
    with pytest.raises(ValueError, match="positive"):
        next(draw_shares(np.zeros((2, 2)), 1))


TOPICS = pd.DataFrame({"name": ["T1", "T2"], "theme": ["finance", ""], "label": ["财政", "x"]})


def test_categorical_levels_give_group_means_and_differences():
    place = np.array(["湖北", "湖南", "四川"])[np.arange(90) % 3]
    mean = np.select([place == "湖北", place == "湖南"], [0.3, 0.5], 0.1)
    gamma = np.column_stack([mean, 1 - mean]) * 1e8
    design = Design.build("~ C(place)", pd.DataFrame({"place": place}))
    assert design.categorical == {"place": ["四川", "湖北", "湖南"]}
    table = effect_table(composition_samples(gamma, design.X, draws=5), design, TOPICS)
    t1 = table[table["topic"] == "T1"].set_index(["kind", "value"])["estimate"]
    assert t1["prediction"].round(3).to_dict() == {"四川": 0.1, "湖北": 0.3, "湖南": 0.5}
    assert t1["difference"].round(3).to_dict() == {"湖北 − 四川": 0.2, "湖南 − 四川": 0.4}
    assert table.columns.tolist() == [
        "topic", "theme", "label", "covariate", "kind", "value", "x",
        "estimate", "std_error", "low", "high",
    ]  # fmt: skip
    assert set(table.loc[table["topic"] == "T1", "theme"]) == {"finance"}


def test_spline_predictions_follow_a_curve_and_missing_years_are_dropped():
    year = pd.array([*YEARS[:-1], None], dtype="Int64")
    curve = 0.3 + 0.2 * np.sin((YEARS - 2000) / 19 * np.pi)  # up then down
    gamma = np.column_stack([curve, 1 - curve]) * 1e6
    design = Design.build("~ bs(year, df=4)", pd.DataFrame({"year": year}))
    assert len(design.data) == len(YEARS) - 1
    samples = composition_samples(gamma[design.data.index], design.X, draws=5)
    table = effect_table(samples, design, TOPICS)
    rows = table[(table["topic"] == "T1") & (table["kind"] == "prediction")]
    assert rows["x"].tolist() == list(range(2000, 2020))  # 20 distinct years, all predicted
    expected = 0.3 + 0.2 * np.sin((rows["x"] - 2000) / 19 * np.pi)
    np.testing.assert_allclose(rows["estimate"], expected, atol=0.01)
    linear = Design.build("~ year", pd.DataFrame({"year": year}))
    fit = effect_table(composition_samples(gamma[linear.data.index], linear.X, 5), linear, TOPICS)
    assert (
        np.abs(fit.query("topic == 'T1' and kind == 'prediction'")["estimate"] - 0.43).max() < 0.05
    )


@pytest.mark.parametrize(
    ("formula", "message"),
    [
        ("T1 ~ year", r"formula 'T1 ~ year' has a left-hand side"),
        (
            "~ county",
            r"formula '~ county': 'county' names no metadata column \(usable columns: year, "
            r"place; add",
        ),
        ("~ year + I(2 * year)", r"rank-deficient"),
        ("~ C(year)", r"120 units with its covariates cannot fit"),
        ("~ year +", r"formula '~ year \+': "),
    ],
)
def test_bad_formulas_are_one_line_errors(formula, message):
    data = pd.DataFrame({"year": YEARS, "place": np.array(["a", "b"])[np.arange(120) % 2]})
    data["year"] = data["year"] + np.arange(120) * ("C(" in formula)  # 120 levels for C(year)
    with pytest.raises((InputError, ValueError), match=message):
        design = Design.build(formula, data)
        composition_samples(np.ones((120, 2)), design.X, draws=1)


def test_default_formula_per_column_type():
    assert default_formula(pd.Series(YEARS, name="year")) == "~ bs(year, df=4)"
    assert default_formula(pd.Series([2019, 2020, 2021], name="year")) == "~ year"
    assert default_formula(pd.Series(["湖北", "湖南"], name="地区")) == "~ C(地区)"
    assert default_formula(pd.Series(["a"], name="doc type")) == '~ C(Q("doc type"))'


# --- on the bundled run ---------------------------------------------------------------------


def test_posterior_gamma_is_what_gensim_inference_returns(run, project_settings, prepared):
    from topics import pipeline
    from topics.model.bows import MatrixCorpus, count_matrix

    tokens = pipeline.tokenize_paragraphs(project_settings, prepared, False)
    bows = list(MatrixCorpus(count_matrix(tokens, run.dictionary)))
    rows = [i for i, bow in enumerate(bows) if bow]
    run.model.random_state = np.random.RandomState(run.settings.seed)
    expected = run.model.inference([bows[i] for i in rows])[0]
    para = run.paragraphs.iloc[rows]
    gamma = posterior_gamma(para[run.topic_columns], para["n_tokens"], run.model.alpha)
    np.testing.assert_allclose(gamma, expected, rtol=1e-6)


def test_theme_prevalence_intervals_have_at_least_the_posterior_spread(run):
    """The posterior draws are one part of the interval (the paragraphs' resampling the other,
    see test_compare): never narrower than the posterior spread alone."""
    from topics.analysis.share import theme_prevalence

    table = theme_prevalence(run, "village_autonomy", draws=4000, seed=0).set_index("article_id")
    k = run.theme_topics()["village_autonomy"]
    para = run.paragraphs[run.paragraphs["n_tokens"] > 0]
    gamma = posterior_gamma(para[run.topic_columns], para["n_tokens"], run.model.alpha)
    a, total = gamma[:, k - 1], gamma.sum(axis=1)
    variance = a * (total - a) / (total**2 * (total + 1))  # Beta(a, total − a)
    w = para["n_tokens"].to_numpy(float)
    w = w / para.groupby("article_id")["n_tokens"].transform("sum").to_numpy(float)
    sd = pd.Series(w**2 * variance).groupby(para["article_id"].to_numpy()).sum() ** 0.5
    wide = table[table["share"] > 0.1].index
    assert len(wide) >= 3
    ratio = (table.loc[wide, "high"] - table.loc[wide, "low"]) / (2 * 1.96 * sd[wide])
    assert (ratio >= 0.85).all(), ratio


# --- the planted-trend corpus, end to end through the CLI -------------------------------------


@pytest.fixture(scope="module")
def planted(tmp_path_factory, prepared):
    """The planted corpus (60 documents, 2000–2019) as a project with a small K grid, after
    ``topics figures``."""
    from topics.corpus.planted import build_planted_corpus
    from topics.model.themes import load_themes

    root = tmp_path_factory.mktemp("planted")
    themes = {t.id: t for t in load_themes(ROOT / "data" / "themes.toml")}
    texts = prepared.paragraphs[prepared.paragraphs["duplicate_of"].isna()]
    truth = build_planted_corpus(
        root / "raw", texts.set_index("paragraph_id")["text"],
        themes["finance"].seeds, themes["village_autonomy"].seeds,
    )  # fmt: skip
    config = (ROOT / "topics.toml").read_text(encoding="utf-8")
    config = config.replace('raw = "data/raw"', f'raw = "{(root / "raw").as_posix()}"')
    for key in ("furniture", "themes"):
        config = config.replace(f'{key} = "data/', f'{key} = "{ROOT.as_posix()}/data/')
    config = re.sub(
        r'(?m)^(\w+) = "data/lexicons/', rf'\1 = "{ROOT.as_posix()}/data/lexicons/', config
    )
    config = re.sub(r"(?m)^ks = .*$", "ks = [6, 8]", config)
    config = re.sub(r"(?m)^resamples = .*$", "resamples = 1", config)
    (root / "topics.toml").write_text(config, encoding="utf-8")
    result = CliRunner().invoke(app, ["figures", "-q", "-c", str(root / "topics.toml")])
    assert result.exit_code == 0, result.output
    return root, truth


def test_planted_design_is_linear_in_the_year(planted):
    from topics.corpus.planted import planted_slopes

    root, truth = planted
    assert len(truth) == 60 and truth["year"].tolist() == sorted(truth["year"])
    assert sorted(p.name for p in (root / "raw").glob("*.txt"))[0] == "2000_planted_00.txt"
    slopes = planted_slopes(truth)
    assert slopes["rising"] > 0.02 and slopes["falling"] < -0.02
    assert np.corrcoef(truth["year"], truth["n_rising"])[0, 1] > 0.95


def test_topics_effect_recovers_the_planted_trends(planted):
    from topics import pipeline
    from topics.config import Settings

    root, truth = planted
    config = ["-c", str(root / "topics.toml")]
    out = root / "effects.csv"
    result = CliRunner().invoke(app, ["effect", "~ year", *config, "--draws", "50", "-o", str(out)])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(out, encoding="utf-8-sig")
    slope = table[(table["kind"] == "coefficient") & (table["value"] == "year")].set_index("theme")
    finance, village = slope.loc["finance"], slope.loc["village_autonomy"]
    assert finance["low"] > 0 and village["high"] < 0  # both signs recovered
    # the planted trend as the fitted model reads the planted documents (each one the
    # token-weighted mix of its paragraphs' shares): its slope lies inside the intervals
    settings = Settings.load(root / "topics.toml")
    run, corpus = pipeline.open_run(settings), pipeline.prepared_corpus(settings)
    articles = run.articles.merge(corpus.articles[["article_id", "year"]], on="article_id")
    articles = articles[articles["duplicate_of"].isna()]
    assert f"~ year: {len(articles)} articles, 50 posterior draws" in result.output
    for theme, row in (("finance", finance), ("village_autonomy", village)):
        topic = f"T{run.theme_topics()[theme]}"
        read = np.polyfit(articles["year"].astype(float), articles[topic], 1)[0]
        assert row["low"] < read < row["high"], (theme, read, row)
    # paragraphs as units: every paragraph with words of those articles, repeats included
    from topics.analysis.effects import estimate_effect

    by_paragraph = estimate_effect(run, corpus, "~ year", level="paragraph", draws=20)
    kept = run.paragraphs[run.paragraphs["article_id"].isin(articles["article_id"])]
    assert by_paragraph.n_units == (kept["n_tokens"] > 0).sum() > 9 * len(articles)
    rows = by_paragraph.headline().set_index("theme")
    assert rows.at["finance", "low"] > 0 and rows.at["village_autonomy", "high"] < 0
    # a topic share cannot change faster than the share of its planted paragraphs
    assert finance["estimate"] < truth.pipe(
        lambda t: np.polyfit(t["year"], t["rising_share"], 1)[0]
    )
    parquet = root / "effects.parquet"
    args = ["effect", "~ year", *config, "--draws", "50", "-o", str(parquet)]
    assert CliRunner().invoke(app, args).exit_code == 0
    expected = table.fillna({"theme": "", "covariate": ""})  # CSV reads "" back as missing
    pd.testing.assert_frame_equal(pd.read_parquet(parquet), expected, check_dtype=False)


def test_every_figure_is_drawn_on_the_planted_corpus(planted, tmp_path):
    """The planted project's figures are the ones its metadata call for (prevalence and words by
    year: the documents have years), each recorded with its hash, and the prevalence figure shows
    the planted trends: finance rising, village autonomy falling, year by year."""
    from topics import pipeline
    from topics.config import Settings
    from topics.plots.prevalence import prevalence_jobs
    from topics.plots.style import save_figure
    from topics.storage import file_sha256

    root, _ = planted
    figures = root / "figures"
    manifest = json.loads((figures / "MANIFEST.json").read_text(encoding="utf-8"))
    drawn = {p.name for p in figures.iterdir() if not p.name.startswith("MANIFEST")}
    assert set(manifest["figures"]) == drawn
    assert drawn == {"corpus_overview.png", "k_selection.png", "article_similarity.png",
                     "intertopic_map.png", "ldavis.html"} | {
        f"{name}.{suffix}" for suffix in ("png", "svg")
        for name in ("topic_terms", "article_topics", "theme_prevalence", "prevalence_by_year",
                     "topic_words_by_year")
    }  # fmt: skip
    for name in drawn:
        assert manifest["figures"][name]["sha256"] == file_sha256(figures / name), name
    settings = Settings.load(root / "topics.toml")
    run, corpus = pipeline.open_run(settings), pipeline.prepared_corpus(settings)
    fig = prevalence_jobs(run, corpus)["prevalence_by_year"]()
    lines = {line.get_label().split()[0]: line for line in fig.axes[0].lines}
    for theme, sign in (("finance", 1), ("village_autonomy", -1)):
        line = lines[f"T{run.theme_topics()[theme]}"]
        years, share = line.get_xdata(), line.get_ydata()
        assert years[0] == 2000 and years[-1] == 2019
        assert sign * np.polyfit(years, share, 1)[0] > 0, theme
    saved = save_figure(fig, tmp_path / "prevalence_by_year.png")[0]
    assert saved.read_bytes() == (figures / "prevalence_by_year.png").read_bytes()


def test_effect_errors_are_one_line(planted):
    root, _ = planted
    config = ["-c", str(root / "topics.toml")]
    result = CliRunner().invoke(app, ["effect", "~ county", *config])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        "error: formula '~ county': 'county' names no metadata column "
        "(usable columns: year, page_id; "
    )
    assert "metadata.csv" in lines[0] and "filename_pattern" in lines[0]
    result = CliRunner().invoke(app, ["effect", "~ year", *config, "--level", "paragraph",
                                      "--draws", "5", "-o", str(root / "p.xlsx")])  # fmt: skip
    assert result.exit_code == 0 and pd.read_excel(root / "p.xlsx")["kind"].notna().all()


# --- the figure --------------------------------------------------------------------------------


def test_prevalence_figure_draws_the_table(tmp_path):
    from topics.plots.prevalence import plot_prevalence, prevalence_columns
    from topics.plots.style import save_figure

    place = np.array(["湖北", "湖南", "四川"])[np.arange(120) % 3]
    data = pd.DataFrame({"year": YEARS, "place": place})
    gamma = synthetic_gamma(0.02, 100)
    design = Design.build("~ year + place", data)
    table = effect_table(composition_samples(gamma, design.X, draws=10), design, TOPICS)
    fig = plot_prevalence(table, "year", note="~ year + place: 120 articles")
    top, first = fig.axes[0], fig.axes[1]
    assert [t.get_text() for t in top.get_legend().get_texts()] == ["T1"]  # the theme topic
    rows = table.query("topic == 'T1' and covariate == 'year' and kind == 'prediction'")
    np.testing.assert_allclose(top.lines[0].get_ydata(), rows["estimate"])
    np.testing.assert_allclose(first.lines[0].get_ydata(), rows["estimate"])
    assert [ax.get_title(loc="left") for ax in fig.axes[1:3]] == ["T1", "T2"]
    assert fig.get_supxlabel() == "~ year + place: 120 articles"
    categorical = plot_prevalence(table, "place")
    ticks = [t.get_text() for t in categorical.axes[0].get_yticklabels()]
    assert ticks == ["湖北 − 四川", "湖南 − 四川"]
    dots = categorical.axes[0].collections[-1].get_offsets()[:, 0]
    diffs = table.query("topic == 'T1' and kind == 'difference'")["estimate"]
    np.testing.assert_allclose(dots, diffs)
    assert save_figure(categorical, tmp_path / "p.png")[0].stat().st_size > 10_000
    by_year = Design.build("~ C(year)", data)  # 20 levels: the first 15 are drawn, and said so
    many = effect_table(composition_samples(gamma, by_year.X, draws=2), by_year, TOPICS)
    fig = plot_prevalence(many, "year", note="n")
    assert fig.get_supxlabel() == "n; the first 15 of 20 levels shown"
    assert len(fig.axes[0].get_yticklabels()) == 14  # differences from 2000: 2001…2014
    with pytest.raises(ValueError, match="no rows for covariate 'county'"):
        plot_prevalence(table, "county")
    articles = pd.DataFrame({"article_id": ["a"], "title": ["t"], "year": [2019]})
    assert prevalence_columns(articles, None) == ["year"]
    assert prevalence_columns(articles.drop(columns="year"), None) == []
    with pytest.raises(InputError, match=r"\[figures\] prevalence_by: no metadata column 'place'"):
        prevalence_columns(articles, ["place"])


def test_theme_prevalence_keeps_the_most_thematic_articles_past_the_row_limit(tmp_path):
    from PIL import Image

    from topics.plots.grid import MAX_INCHES, MAX_ROWS
    from topics.plots.style import DPI, save_figure
    from topics.plots.theme_prevalence import plot_theme_prevalence

    rng = np.random.default_rng(0)
    ids = [f"{i:03d}_report#1" for i in range(300)]
    tables = {}
    for theme in ("finance", "village_autonomy"):
        share = rng.uniform(0, 0.5, len(ids))
        tables[theme] = pd.DataFrame({"article_id": ids, "short_title": "报告", "share": share,
                                      "low": share - 0.02, "high": share + 0.02})  # fmt: skip
    tables["finance"].loc[7, "share"] = 0.99  # the most thematic article must be kept
    fig = plot_theme_prevalence(tables)
    rows = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert len(rows) == MAX_ROWS and any("007" in r for r in rows)
    assert (
        fig.get_supxlabel()
        == f"{MAX_ROWS} of 300 articles shown: those with the highest share of a theme"
    )
    width, height = Image.open(save_figure(fig, tmp_path / "t.png")[0]).size
    assert height <= (MAX_INCHES + 0.2) * DPI
