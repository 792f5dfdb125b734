"""Figure: articles × topics heatmap of topic shares, rows clustered by topic mix."""

from __future__ import annotations

import numpy as np
from matplotlib import colormaps
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from topics.plots.grid import freeze_layout
from topics.plots.labels import DUPLICATE_COLOR, DUPLICATE_MARK, article_labels, is_duplicate
from topics.plots.labels import topic_labels as make_topic_labels
from topics.plots.ordering import cluster_rows
from topics.plots.style import color, plot_style

#: Shares at or above this are written in their cell.
ANNOTATE_MIN = 0.1


def article_order(run, metric: str = "jensen_shannon") -> list[str]:
    """Article ids in the row order of the article figures: clustered by topic mix
    (average linkage, optimal leaf order); articles without words come last."""
    articles = run.articles
    mix = articles[run.topic_columns].to_numpy(dtype=float)
    known = np.isfinite(mix).all(axis=1)
    ids = articles["article_id"].to_numpy()
    clustered = ids[known][cluster_rows(mix[known], metric).order]
    return [*clustered, *ids[~known]]


def plot_article_topics(run, metric: str = "jensen_shannon", title_width: int = 16) -> Figure:
    """Heatmap of each article's topic shares (rows: articles, columns: topics T1…TK).

    Rows are ordered by :func:`article_order` (hierarchical clustering on ``metric``
    distances between topic mixes), labelled with shortened title and short id;
    near-duplicate articles are marked ``≈`` and greyed. Shares of at least 0.1 are written
    in their cells; a strip of topic colours heads the columns.
    """
    order = article_order(run, metric)
    articles = run.articles.set_index("article_id").loc[order].reset_index()
    shares = articles[run.topic_columns].to_numpy(dtype=float)
    k, n = run.k, len(articles)
    row_labels = article_labels(articles, width=title_width)
    duplicate = [is_duplicate(row) for _, row in articles.iterrows()]
    col_labels = make_topic_labels(run, width=12)
    with plot_style():
        fig = Figure(
            figsize=(1.0 + 0.75 * k + 0.11 * title_width, 0.34 * n + 2.2), layout="constrained"
        )
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
        ax.set_yticks(np.arange(n), row_labels)
        for tick, dup in zip(ax.get_yticklabels(), duplicate, strict=True):
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
        n_dup = sum(duplicate)
        fig.suptitle("文章主题构成 Topic mix of each article", x=0.01, ha="left")
        ax.set_xlabel(
            f"Rows clustered by {metric.replace('_', '–').title()} distance (average linkage); "
            f"{DUPLICATE_MARK} grey = near-duplicate article ({n_dup}); values ≥ {ANNOTATE_MIN:g} shown.",
            fontsize=7.5,
            color="0.35",
            loc="left",
        )
    return freeze_layout(fig)


def _topic_cmap(k: int) -> ListedColormap:
    return ListedColormap([color(i) for i in range(k)])
