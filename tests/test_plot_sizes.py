"""Figures at 50 and 1,000 made-up articles: bounded pixels, rows told apart, and past the
readable number of rows a summary whose rule the footnote states."""

from __future__ import annotations

import re
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from topics.plots.labels import DUPLICATE_MARK
from topics.plots.style import save_figure


def _ytick_texts(ax) -> list[str]:
    return [t.get_text() for t in ax.get_yticklabels()]


def _heatmap_axes(fig):
    return next(ax for ax in fig.axes if ax.images and ax.axison)


def _legend_sizes(fig) -> list[int]:
    legends = [*fig.legends, *(ax.get_legend() for ax in fig.axes)]
    return [len(legend.get_texts()) for legend in legends if legend is not None]


def made_up_run(n: int, k: int = 8, seed: int = 0, years: bool = True) -> SimpleNamespace:
    """A run-like object of ``n`` articles (one file each) whose long titles share their opening
    and differ only in the year (the outside corpus of issue #14), mixes from 6 clusters."""
    rng = np.random.default_rng(seed)
    centres = rng.dirichlet(np.full(k, 0.3), size=6)
    mix = np.array([rng.dirichlet(50 * centres[c] + 0.05) for c in rng.integers(0, 6, n)])
    names = [f"T{i}" for i in range(1, k + 1)]
    year = 2000 + np.arange(n) % 24
    ids = [f"{y}_报告_{i:05d}#1" for i, y in enumerate(year)]
    articles = pd.DataFrame(
        {
            "article_id": ids,
            "page_id": [i.split("#")[0] for i in ids],
            "title": [
                f"中共某某县委员会某某县人民政府关于{y}年度乡镇治理工作情况的报告" for y in year
            ],
            "duplicate_of": [None, ids[0], *[None] * (n - 2)],
            "n_tokens": rng.integers(50, 500, n),
        }
    )
    articles[names] = mix
    if years:
        articles["year"] = year
    topics = pd.DataFrame(
        {"topic": range(1, k + 1), "name": names, "theme": [""] * k, "label_en": [""] * k,
         "label": [f"乡镇·财政·{i}" for i in range(1, k + 1)], "prevalence": mix.mean(axis=0)}
    )  # fmt: skip
    return SimpleNamespace(articles=articles, topic_columns=names, k=k, topics=topics)


def made_up_corpus(n: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Articles and paragraphs tables of ``made_up_run(n)``: one page per article."""
    rng = np.random.default_rng(seed)
    articles = made_up_run(n, seed=seed).articles[["article_id", "page_id", "title", "year"]]
    articles = articles.assign(
        duplicate_of=[None, articles["article_id"][0], *[None] * (n - 2)],
        duplicate_containment=[np.nan, 0.93, *[np.nan] * (n - 2)],
        n_paragraphs=rng.integers(3, 40, n),
    )
    article_ids = np.repeat(articles["article_id"], articles["n_paragraphs"])
    paragraphs = pd.DataFrame(
        {"article_id": article_ids.to_numpy(), "n_chars": rng.integers(20, 900, len(article_ids))}
    )
    paragraphs["duplicate_of"] = np.where(
        paragraphs["article_id"] == articles["article_id"][1], "x", None
    )
    return articles, paragraphs


SIZES = [50, 1000]


@pytest.fixture(scope="module", params=SIZES, ids=lambda n: f"{n}_articles")
def sized(request) -> dict:
    """The three article figures drawn at ``n`` made-up articles."""
    from topics.plots.article_similarity import plot_article_similarity
    from topics.plots.article_topics import plot_article_topics
    from topics.plots.corpus_overview import plot_corpus_overview

    n = request.param
    run = made_up_run(n)
    return {
        "n": n,
        "run": run,
        "article_topics": plot_article_topics(run),
        "article_similarity": plot_article_similarity(run),
        "corpus_overview": plot_corpus_overview(*made_up_corpus(n)),
    }


SIZED = ["article_topics", "article_similarity", "corpus_overview"]


def _footnote(fig) -> str:
    return fig.get_supxlabel()


@pytest.mark.parametrize("name", SIZED)
def test_figures_stay_within_bounded_pixels_and_name_rows_apart(sized, name, tmp_path):
    from PIL import Image

    from topics.plots.grid import MAX_INCHES, MAX_ROWS
    from topics.plots.style import DPI

    fig = sized[name]
    width, height = Image.open(save_figure(fig, tmp_path / f"{name}.png")[0]).size
    limit = (MAX_INCHES + 0.2) * DPI  # bbox_inches="tight" pads 0.1 in on each side
    assert width <= limit and height <= limit, (width, height)
    for ax in fig.axes:
        rows = [t for t in _ytick_texts(ax) if t]
        assert len(rows) <= MAX_ROWS
        assert len(set(rows)) == len(rows), "two rows carry the same label"
        # Per-article rows show the year, which the titles only differ in after their opening.
        per_article = [r for r in rows if "#" in r]
        shown = [r.removeprefix(f"{DUPLICATE_MARK} ") for r in per_article]
        assert all(re.match(r"…20\d\d年度", r) for r in shown), shown[:3]


def test_rows_past_the_limit_are_groups_stated_in_the_footnote(sized):
    from topics.plots.article_topics import CLUSTERS, heatmap_rows
    from topics.plots.grid import MAX_ROWS

    n, run = sized["n"], sized["run"]
    heatmap = _heatmap_axes(sized["article_topics"])
    shares = np.asarray(heatmap.images[0].get_array())
    if n <= MAX_ROWS:
        assert shares.shape == (n, run.k) and not _footnote(sized["article_topics"])
        assert all("年度" in r for r in _ytick_texts(heatmap))  # the year is in every label
        return
    # By year (the made-up corpus has 24): token-weighted mean mixes, sizes in the labels.
    assert shares.shape == (24, run.k) and "one row per year" in _footnote(sized["article_topics"])
    year_2003 = run.articles[run.articles["year"] == 2003]
    expected = np.average(year_2003[run.topic_columns], axis=0, weights=year_2003["n_tokens"])
    assert np.allclose(shares[3], expected)
    assert _ytick_texts(heatmap)[3] == f"2003 ({len(year_2003)} articles)"
    # The year may come from the corpus tables (``metadata``) rather than the run's articles.
    no_year = SimpleNamespace(**{**vars(run), "articles": run.articles.drop(columns="year")})
    from_corpus = heatmap_rows(no_year, metadata=run.articles[["article_id", "year"]])
    assert from_corpus.labels == _ytick_texts(heatmap)
    # Without a usable column: clusters, every article in exactly one.
    rows = heatmap_rows(no_year)
    assert len(rows.labels) <= CLUSTERS and "clusters" in rows.rule
    assert np.allclose(rows.shares.sum(axis=1), 1)
    sizes = [
        int(m.group(1)) + 1 if (m := re.search(r"\(\+(\d+)\)$", t)) else 1 for t in rows.labels
    ]
    assert sum(sizes) == n


def test_similarity_drops_cell_numbers_and_names_every_nth_row_when_large(sized):
    from topics.plots.grid import MAX_ROWS

    n = sized["n"]
    fig = sized["article_similarity"]
    ax = fig.axes[1]
    assert np.asarray(ax.images[0].get_array()).shape == (n, n)
    close = (np.asarray(ax.images[0].get_array()) < 0.25).sum() - n
    assert close > 0 and not ax.texts  # close pairs exist, but the cells are too small
    assert "no distances are written" in _footnote(fig)
    assert ("every" in _footnote(fig)) == (n > MAX_ROWS)
    assert len(ax.get_yticks()) == min(n, len(range(0, n, -(-n // MAX_ROWS))))


def test_corpus_overview_bounds_its_legend_and_shows_distributions_when_large(sized):
    from topics.plots.grid import MAX_LEGEND_ENTRIES, MAX_ROWS

    n, fig = sized["n"], sized["corpus_overview"]
    assert f"{n} pages, more than {MAX_LEGEND_ENTRIES}" in _footnote(fig) or n > MAX_ROWS
    if n > MAX_ROWS:
        count_ax = fig.axes[0]
        assert sum(p.get_height() for p in count_ax.patches) == n  # every article counted once
        assert "distributions instead of one bar per article" in _footnote(fig)


def test_every_legend_is_bounded_at_any_size(sized):
    from topics.plots.grid import MAX_LEGEND_ENTRIES

    for fig in (sized[name] for name in SIZED):
        assert all(size <= MAX_LEGEND_ENTRIES for size in _legend_sizes(fig))
