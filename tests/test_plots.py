"""Figures: content, shared names and order, byte-reproducible output (the LDAvis page: test_ldavis.py)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from scipy.cluster.hierarchy import dendrogram

from topics.plots.labels import (
    DUPLICATE_MARK,
    THEME_MARK,
    article_label,
    short_article_id,
    shorten,
    topic_label,
    topic_labels,
)
from topics.plots.style import save_figure


def bootstrap_tables(run) -> dict[str, pd.DataFrame]:
    """The tables ``topics figures`` draws: ``compare.theme_prevalence`` for every theme."""
    from topics.analysis.compare import theme_prevalence

    return {theme: theme_prevalence(run, theme, draws=200) for theme in run.theme_topics()}


@pytest.fixture(scope="module")
def figures(run) -> dict[str, Figure]:
    """Every figure of the real run with default arguments, built once for this module."""
    from topics.plots.article_similarity import plot_article_similarity
    from topics.plots.article_topics import plot_article_topics
    from topics.plots.intertopic_map import plot_intertopic_map
    from topics.plots.theme_prevalence import plot_theme_prevalence, theme_annotations
    from topics.plots.topic_terms import plot_topic_terms

    return {
        "topic_terms": plot_topic_terms(run),
        "article_topics": plot_article_topics(run),
        "article_similarity": plot_article_similarity(run),
        "intertopic_map": plot_intertopic_map(run),
        "theme_prevalence": plot_theme_prevalence(bootstrap_tables(run), **theme_annotations(run)),
    }


FIGURES = [
    "topic_terms",
    "article_topics",
    "article_similarity",
    "intertopic_map",
    "theme_prevalence",
]


def _ytick_texts(ax) -> list[str]:
    return [t.get_text() for t in ax.get_yticklabels()]


def _heatmap_axes(fig):
    """The axes holding the articles × topics image (the other image is the colour strip)."""
    return next(ax for ax in fig.axes if ax.images and ax.axison)


# -- names ---------------------------------------------------------------------------------


def test_labels_name_topics_and_articles_the_same_way(run):
    labels = topic_labels(run)
    assert len(labels) == run.k
    for k, label in enumerate(labels, start=1):
        assert label.startswith(f"T{k} ")
        assert label == topic_label(run.topics, k)
    theme, k = next(iter(run.theme_topics().items()))
    full = topic_label(run, k, english=True, prevalence=True, theme_mark=True)
    row = run.topics.set_index("topic").loc[k]
    assert full.startswith(f"{THEME_MARK} T{k} {row['label']}")
    assert row["label_en"] in full and f"({row['prevalence']:.1%})" in full
    with pytest.raises(ValueError, match="no topic 99"):
        topic_label(run, 99)

    assert shorten("改进和完善乡镇执政方式与研究", 6) == "改进和完善…"
    assert short_article_id("002_f5720e37d39fd83a#4") == "002#4"
    duplicates = run.articles[run.articles["duplicate_of"].notna()]
    assert len(duplicates), "the bundled corpus has near-duplicate articles"
    assert article_label(duplicates.iloc[0]).startswith(f"{DUPLICATE_MARK} ")
    original = run.articles[run.articles["duplicate_of"].isna()].iloc[0]
    assert not article_label(original).startswith(DUPLICATE_MARK)
    assert article_label(original).endswith(short_article_id(original["article_id"]))


# -- figures -------------------------------------------------------------------------------


def test_topic_terms_has_a_panel_per_topic_with_its_top_terms(run):
    from topics.plots.topic_terms import plot_topic_terms

    fig = plot_topic_terms(run, n=7)
    assert isinstance(fig, Figure)
    panels = [ax for ax in fig.axes if ax.axison]
    assert len(panels) == run.k
    themes = set(run.theme_topics().values())
    terms = run.terms(7)
    for k, ax in enumerate(panels, start=1):
        title = ax.get_title(loc="left")
        assert f"T{k} " in title
        assert title.startswith(THEME_MARK) == (k in themes)
        expected = terms[(terms["topic"] == k) & (terms["method"] == "relevance")]["term"]
        shown = [t.rstrip("*") for t in _ytick_texts(ax)]
        assert shown == list(expected)
        assert ax.get_yticks()[0] == max(ax.get_yticks())  # best term on top


def test_article_topics_heatmap_has_one_row_per_article(run, figures):
    from topics.plots.article_topics import ANNOTATE_MIN, article_order

    ax = _heatmap_axes(figures["article_topics"])
    shares = ax.images[0].get_array()
    assert shares.shape == (len(run.articles), run.k)
    rows = _ytick_texts(ax)
    assert len(rows) == len(run.articles)
    order = article_order(run)
    assert [r.split()[-1] for r in rows] == [short_article_id(a) for a in order]
    assert [t.get_text().split()[0] for t in ax.get_xticklabels()] == run.topic_columns
    duplicates = set(run.articles.loc[run.articles["duplicate_of"].notna(), "article_id"])
    for text, article_id in zip(rows, order, strict=True):
        assert text.startswith(DUPLICATE_MARK) == (article_id in duplicates)
    n_annotated = int((np.asarray(shares) >= ANNOTATE_MIN).sum())
    assert len(ax.texts) == n_annotated > 0


def test_article_order_is_scipys_clustering_and_keeps_near_duplicates_together(run):
    """The rows follow average linkage with optimal leaf order on Jensen-Shannon distances
    computed by scipy; the near-duplicate pair whose mixes are (nearly) identical sits side by
    side."""
    from scipy.cluster.hierarchy import leaves_list, linkage
    from scipy.spatial.distance import jensenshannon, pdist

    from topics.plots.article_topics import article_order

    order = article_order(run)
    mix = run.articles.set_index("article_id")[run.topic_columns]
    assert mix.notna().all().all()  # every bundled article has words
    with np.errstate(invalid="ignore"):  # the root of a tiny negative divergence: NaN, read 0
        d = np.nan_to_num(pdist(mix.to_numpy(), lambda p, q: jensenshannon(p, q, base=2)))
    tree = linkage(d, method="average", optimal_ordering=True)
    assert order == mix.index[leaves_list(tree)].tolist()
    twins = [
        (a, b) for a, b in run.articles[["article_id", "duplicate_of"]].dropna().values
        if np.abs(mix.loc[a] - mix.loc[b]).sum() < 0.01
    ]  # fmt: skip
    assert twins == [("000_786013f1ef10bced#2", "000_786013f1ef10bced#1")]
    for a, b in twins:
        assert abs(order.index(a) - order.index(b)) == 1


def test_article_similarity_dendrogram_and_matrix_share_the_heatmap_order(run, figures):
    from topics.model.metrics import pairwise_distances
    from topics.plots.ordering import cluster_rows

    tree_ax, ax = figures["article_similarity"].axes[:2]
    n = len(run.articles)
    matrix = np.asarray(ax.images[0].get_array())
    assert matrix.shape == (n, n)
    assert np.allclose(np.diag(matrix), 0) and np.allclose(matrix, matrix.T)
    # Rows in the heatmap's order, and the dendrogram's leaves in the same order.
    heatmap_rows = _ytick_texts(_heatmap_axes(figures["article_topics"]))
    assert _ytick_texts(ax) == heatmap_rows
    clustering = cluster_rows(run.articles[run.topic_columns].to_numpy())
    assert dendrogram(clustering.tree, no_plot=True)["leaves"] == clustering.order.tolist()
    assert len(tree_ax.collections) + len(tree_ax.lines) > 0, "dendrogram not drawn"
    ids = run.articles["article_id"].to_numpy()[clustering.order]
    full = pairwise_distances(run.articles.set_index("article_id").loc[ids, run.topic_columns])
    assert np.allclose(matrix, full)
    # The near-identical pair is written in its cells and outlined.
    close = [(i, j) for i in range(n) for j in range(n) if i != j and matrix[i, j] < 0.25]
    assert close and len(ax.texts) == len(close)
    assert any(t.get_text() == "0.00" for t in ax.texts)
    assert len(ax.patches) >= 2


def test_intertopic_map_places_every_topic_with_area_by_prevalence(run, figures):
    from topics.model.ordination import topic_coordinates

    ax = figures["intertopic_map"].axes[0]
    circles = ax.collections[0]
    assert np.allclose(circles.get_offsets(), topic_coordinates(run.topic_word()).coordinates)
    prevalence = run.topics.sort_values("topic")["prevalence"].to_numpy()
    assert np.allclose(
        circles.get_sizes() / circles.get_sizes().max(), prevalence / prevalence.max()
    )
    labels = [t.get_text() for t in ax.texts if "\n" in t.get_text()]
    assert [t.split("\n")[0] for t in labels] == topic_labels(run, theme_mark=True)
    assert ax.get_xlabel().startswith("PC1 (") and ax.get_ylabel().startswith("PC2 (")


def test_theme_prevalence_panels_share_one_article_order(run):
    from topics.plots.theme_prevalence import plot_theme_prevalence, theme_annotations

    tables = bootstrap_tables(run)
    annotations = theme_annotations(run)
    order = list(run.articles["article_id"])[::-1]
    fig = plot_theme_prevalence(tables, order=order, **annotations)
    assert len(fig.axes) == len(run.theme_topics()) == len(tables)
    rows = _ytick_texts(fig.axes[0])
    assert [r.split()[-2] for r in rows] == [short_article_id(a) for a in order]
    for ax, (theme, k) in zip(fig.axes, run.theme_topics().items(), strict=True):
        assert ax.get_title(loc="left").startswith(f"T{k} ")
        dots = ax.collections[-1].get_offsets()
        table = tables[theme].set_index("article_id").loc[order]
        assert np.allclose(dots[:, 0], table["share"]) and np.allclose(
            dots[:, 1], range(len(order))
        )
        assert ax.lines and np.isclose(ax.lines[0].get_xdata()[0], annotations["reference"][theme])
    with pytest.raises(ValueError, match="lacks column"):
        plot_theme_prevalence({"finance": tables["finance"].drop(columns="low")})


@pytest.mark.parametrize("name", FIGURES)
def test_figures_save_png_without_missing_glyphs(figures, tmp_path, name):
    """Same bytes in another process: ``test_figures.py`` redraws the committed figures."""
    fig = figures[name]
    assert isinstance(fig, Figure)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = save_figure(fig, tmp_path / "first.png")[0].read_bytes()
    glyphs = [str(w.message) for w in caught if "Glyph" in str(w.message)]
    assert not glyphs, glyphs[:3]
    assert png[:8] == b"\x89PNG\r\n\x1a\n"


def test_figures_keep_the_cjk_font_when_drawn_outside_plot_style(figures):
    import io

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        figures["intertopic_map"].savefig(io.BytesIO(), format="png", dpi=50)
    assert not [w for w in caught if "Glyph" in str(w.message)]


# -- figures at the bundled size (larger sizes: test_plot_sizes.py) ---------------------------


def test_bundled_figures_keep_one_row_per_article_and_no_footnote(run, figures, project_settings):
    from topics import pipeline
    from topics.plots.corpus_overview import plot_corpus_overview
    from topics.plots.labels import article_labels

    # At 16 articles the labels are the per-article ones: nothing to tell apart further.
    assert article_labels(run.articles) == [article_label(r) for _, r in run.articles.iterrows()]
    for name in ("article_topics", "article_similarity"):
        assert not _footnote(figures[name])
    corpus = pipeline.prepared_corpus(project_settings)
    overview = plot_corpus_overview(corpus.articles, corpus.paragraphs)
    assert not _footnote(overview) and overview.axes[1].get_legend() is not None
    assert _legend_sizes(overview) == [len(corpus.pages)]  # 4 pages, 4 colours


def _footnote(fig) -> str:
    return fig.get_supxlabel()


def _legend_sizes(fig) -> list[int]:
    legends = [*fig.legends, *(ax.get_legend() for ax in fig.axes)]
    return [len(legend.get_texts()) for legend in legends if legend is not None]


def test_every_legend_is_bounded(figures):
    from topics.plots.grid import MAX_LEGEND_ENTRIES

    for fig in figures.values():
        assert all(size <= MAX_LEGEND_ENTRIES for size in _legend_sizes(fig))


def test_labels_tell_articles_apart_by_what_differs():
    from topics.plots.labels import article_labels, distinct_titles, short_article_ids

    titles = [f"中共某某县委员会某某县人民政府关于{y}年度工作报告" for y in (2005, 2006, 2007)]
    assert distinct_titles(titles, 12) == [f"…{y}年度工作报告" for y in (2005, 2006, 2007)]
    # Only titles that collide once cut lose their opening; identical titles are kept whole.
    assert distinct_titles(["改进和完善乡镇执政方式", "改进和完善乡镇调控能力", "村务"], 8) == [
        "…执政方式", "…调控能力", "村务",
    ]  # fmt: skip
    assert distinct_titles(["同一个标题", "同一个标题", "别的"], 8) == [
        "同一个标题",
        "同一个标题",
        "别的",
    ]
    assert short_article_ids(["2019_湖北_01#1", "2019_湖南_02#1", "003_ab#2"]) == [
        "2019_湖北_01#1", "2019_湖南_02#1", "003#2",
    ]  # fmt: skip
    table = pd.DataFrame(
        {"article_id": ["a_1#1", "b_2#1"], "title": ["报告", "报告"], "year": [2019, 2020]}
    )
    assert article_labels(table) == ["2019 报告 a#1", "2020 报告 b#1"]


def test_a_year_inside_a_dropped_opening_stays_in_the_label():
    """Titles that read the same once cut lose their shared opening, but not the year in it:
    the labels of two reports of 2019 and one of 2020 keep their years and still differ."""
    from topics.plots.labels import distinct_titles

    titles = [f"某市年鉴{y}年某县人民政府工作报告{part}" for y, part in
              ((2019, "甲"), (2019, "乙"), (2020, "丙"))]  # fmt: skip
    labels = distinct_titles(titles, 14)
    assert labels[:2] == ["…2019年…甲", "…2019年…乙"] and "2020" in labels[2]
    same_year = distinct_titles([f"2019年某县人民政府工作报告{p}" for p in "甲乙丙"], 14)
    assert same_year == ["2019年…甲", "2019年…乙", "2019年…丙"]


def test_annual_reports_lose_the_template_after_their_year():
    """A series of annual reports whose titles share a template after a leading year: the
    template is dropped, the year leads, and it is not written twice beside a year column."""
    from topics.plots.labels import article_labels

    years = range(1954, 1960)
    table = pd.DataFrame({
        "article_id": [f"{y}_报告#1" for y in years], "year": list(years),
        "title": [f"{y}年中华人民共和国国务院政府工作报告" for y in years],
    })  # fmt: skip
    labels = article_labels(table)
    assert labels == [f"{y}年… {y}#1" for y in years]
    assert not any("国务院" in label for label in labels)


def test_subtitles_and_legends_stay_inside_their_figure_and_say_what_intervals_cover(figures):
    """The intertopic map's subtitle ends inside the figure; the theme-prevalence legend says
    its interval covers the article's paragraphs resampled and the posterior draws."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = figures["intertopic_map"]
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    for ax in fig.axes:  # well inside the plot's width, not running on to the figure's edge
        title = ax._left_title
        end = title.get_window_extent(renderer).x1
        assert end <= ax.bbox.x0 + 0.85 * ax.bbox.width, title.get_text()
    legend = figures["theme_prevalence"].legends[0]
    text = " ".join(t.get_text() for t in legend.get_texts())
    assert "resampled (bootstrap)" in text and "posterior draws" in text
