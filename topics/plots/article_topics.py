"""Figure: articles × topics heatmap of topic shares, rows clustered by topic mix.

Up to :data:`~topics.plots.grid.MAX_ROWS` articles each get a row. Past that, rows are groups
of articles: the values of a metadata column such as ``year`` when there are few enough, else
:data:`CLUSTERS` clusters of similar mixes; the footnote states which.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from topics.plots.grid import MAX_ROWS, footnote, freeze_layout, row_inches
from topics.plots.labels import (
    DUPLICATE_COLOR,
    DUPLICATE_MARK,
    article_labels,
    is_duplicate,
    with_metadata,
)
from topics.plots.labels import topic_labels as make_topic_labels
from topics.plots.ordering import cluster_rows, cut_tree, medoid
from topics.plots.style import color, plot_style

#: Shares at or above this are written in their cell.
ANNOTATE_MIN = 0.1
#: Rows of a corpus too large for a row per article and without a usable metadata column:
#: this many clusters, half of ``MAX_ROWS``, so that each row is a distinct mix worth reading.
CLUSTERS = 30


def article_order(run, metric: str = "jensen_shannon") -> list[str]:
    """Article ids in the row order of the article figures: clustered by topic mix
    (average linkage, optimal leaf order); articles without words come last."""
    articles = run.articles
    mix = articles[run.topic_columns].to_numpy(dtype=float)
    known = np.isfinite(mix).all(axis=1)
    ids = articles["article_id"].to_numpy()
    clustered = ids[known][cluster_rows(mix[known], metric).order]
    return [*clustered, *ids[~known]]


@dataclass(frozen=True)
class HeatmapRows:
    """What the heatmap draws: ``shares`` (rows × K), a label per row, which rows are greyed
    (near-duplicate articles) and the ``rule`` that made rows of groups ("" for one per article)."""

    shares: np.ndarray
    labels: list[str]
    grey: list[bool]
    rule: str = ""


def _weighted_mean(mix: np.ndarray, weights: np.ndarray) -> np.ndarray:
    weights = np.where(weights > 0, weights, 0.0)
    return np.average(mix, axis=0, weights=weights) if weights.sum() else mix.mean(axis=0)


def heatmap_rows(
    run, metric: str = "jensen_shannon", by: str | None = "year", title_width: int = 16,
    metadata: pd.DataFrame | None = None,
) -> HeatmapRows:  # fmt: skip
    """The rows of :func:`plot_article_topics`: one per article up to ``MAX_ROWS`` articles;
    past that, one per value of the metadata column ``by`` if it has 2 to ``MAX_ROWS`` values,
    else :data:`CLUSTERS` clusters of articles (average linkage on ``metric`` distances).
    Group rows hold the token-weighted mean mix of their articles with words."""
    articles = with_metadata(run.articles, metadata)
    n = len(articles)
    if n <= MAX_ROWS:
        order = article_order(run, metric)
        ordered = articles.set_index("article_id").loc[order].reset_index()
        return HeatmapRows(
            ordered[run.topic_columns].to_numpy(dtype=float),
            article_labels(ordered, width=title_width),
            [is_duplicate(row) for _, row in ordered.iterrows()],
        )
    mix = articles[run.topic_columns].to_numpy(dtype=float)
    known = np.isfinite(mix).all(axis=1)
    words = articles[known]
    weights = (
        words["n_tokens"].to_numpy(dtype=float) if "n_tokens" in words else np.ones(len(words))
    )
    too_many = f"{n:,} articles, more than {MAX_ROWS} rows"
    if by and by in words and 2 <= words[by].nunique() <= MAX_ROWS:
        values = words[by].astype("string").fillna("unknown")
        levels = sorted(values.unique())
        shares = [_weighted_mean(mix[known][values == v], weights[values == v]) for v in levels]
        sizes = values.value_counts()
        return HeatmapRows(
            np.array(shares),
            [f"{v} ({sizes[v]} articles)" for v in levels],
            [False] * len(levels),
            f"{too_many}: one row per {by}, the token-weighted mean mix of its articles.",
        )
    clustering = cluster_rows(mix[known], metric, method="ward")
    groups = cut_tree(clustering, CLUSTERS)
    labels = article_labels(words, width=title_width)
    rows, names = [], []
    for g in range(groups.max() + 1):
        members = np.flatnonzero(groups == g)
        rows.append(_weighted_mean(mix[known][members], weights[members]))
        centre = medoid(clustering.distances, members)
        names.append(labels[centre] + (f" (+{len(members) - 1})" if len(members) > 1 else ""))
    return HeatmapRows(
        np.array(rows),
        names,
        [False] * len(rows),
        f"{too_many}: rows are {len(rows)} clusters of similar mixes "
        f"({metric.replace('_', '–').title()} distance, Ward linkage), each named by its most "
        "central article (+ how many others); cells are the clusters' token-weighted mean shares.",
    )


def plot_article_topics(
    run, metric: str = "jensen_shannon", title_width: int = 16, by: str | None = "year",
    metadata: pd.DataFrame | None = None,
) -> Figure:  # fmt: skip
    """Heatmap of each article's topic shares (rows: articles, columns: topics T1…TK).

    Rows are ordered by :func:`article_order` (hierarchical clustering on ``metric``
    distances between topic mixes), labelled by :func:`~topics.plots.labels.article_labels`;
    near-duplicate articles are marked ``≈`` and greyed. Shares of at least 0.1 are written
    in their cells; a strip of topic colours heads the columns. Past ``MAX_ROWS`` articles the
    rows are groups (:func:`heatmap_rows`; ``by`` and ``metadata``, e.g. the prepared corpus's
    articles with a ``year`` column) and the footnote says how they were made.
    """
    rows = heatmap_rows(run, metric, by, title_width, metadata)
    shares, k, n = rows.shares, run.k, len(rows.labels)
    col_labels = make_topic_labels(run, width=12)
    with plot_style():
        height = row_inches(n, 0.34, 2.2) * n + 2.2
        fig = Figure(figsize=(1.0 + 0.75 * k + 0.11 * title_width, height), layout="constrained")
        strip_ax, ax = fig.subplots(
            2, 1, height_ratios=[0.25, max(n, 1)], sharex=True, gridspec_kw={"hspace": 0.01}
        )
        image = ax.imshow(
            np.ma.masked_invalid(shares), cmap=colormaps["Blues"].with_extremes(bad="0.93"),
            vmin=0, vmax=1, aspect="auto",
            interpolation="nearest",
        )  # fmt: skip
        for i, j in zip(*np.nonzero(np.nan_to_num(shares) >= ANNOTATE_MIN), strict=True):
            value = shares[i, j]
            ax.text(
                j, i, f"{value:.2f}".lstrip("0"), ha="center", va="center", fontsize=7.5,
                color="white" if value > 0.55 else "0.15",
            )  # fmt: skip
        ax.set_yticks(np.arange(n), rows.labels)
        for tick, dup in zip(ax.get_yticklabels(), rows.grey, strict=True):
            if dup:
                tick.set_color(DUPLICATE_COLOR)
        ax.set_xticks(np.arange(k), col_labels, rotation=40, ha="right", rotation_mode="anchor")
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
        ax.set_xticks(np.arange(k + 1) - 0.5, minor=True)
        ax.set_yticks(np.arange(n + 1) - 0.5, minor=True)
        ax.grid(which="minor", color="white", linewidth=1)
        ax.tick_params(which="minor", length=0)
        strip_ax.imshow(
            np.arange(k)[None, :], cmap=_topic_cmap(k), aspect="auto", interpolation="nearest"
        )
        strip_ax.set_axis_off()
        colorbar = fig.colorbar(
            image, ax=[strip_ax, ax], shrink=0.4, aspect=25, pad=0.01, ticks=[0, 0.25, 0.5, 0.75, 1]
        )
        colorbar.set_label("主题占比 share of the article's tokens")
        colorbar.outline.set_visible(False)
        fig.suptitle("文章主题构成 Topic mix of each article", x=0.01, ha="left")
        if rows.rule:
            footnote(fig, f"{rows.rule} Values ≥ {ANNOTATE_MIN:g} shown.")
        else:
            ax.set_xlabel(
                f"Rows clustered by {metric.replace('_', '–').title()} distance (average linkage); "
                f"{DUPLICATE_MARK} grey = near-duplicate article ({sum(rows.grey)}); "
                f"values ≥ {ANNOTATE_MIN:g} shown.",
                fontsize=7.5,
                color="0.35",
                loc="left",
            )
    return freeze_layout(fig)


def _topic_cmap(k: int) -> ListedColormap:
    return ListedColormap([color(i) for i in range(k)])
