"""Figure: article-by-article distances of topic mixes, with their clustering dendrogram."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator
from scipy.cluster.hierarchy import dendrogram

from topics.plots.grid import freeze_layout
from topics.plots.labels import (
    DUPLICATE_COLOR,
    DUPLICATE_MARK,
    article_labels,
    is_duplicate,
    short_article_id,
)
from topics.plots.ordering import cluster_rows
from topics.plots.style import plot_style

#: Pairs closer than this are written in their cells: near-identical topic mixes.
CLOSE = 0.25
METRIC_NAMES = {"jensen_shannon": "Jensen–Shannon", "hellinger": "Hellinger"}


def plot_article_similarity(
    run, metric: str = "jensen_shannon", title_width: int = 16, close: float = CLOSE
) -> Figure:
    """Distance matrix of the articles' topic mixes, rows and columns in dendrogram order.

    The dendrogram (average linkage on the same distances) is drawn on the left with the same
    leaf order as the matrix and as :func:`~topics.plots.article_topics.plot_article_topics`.
    Distances below ``close`` are written in their cells; pairs the corpus flagged as
    near-duplicates (by text) are outlined and their rows marked ``≈``. Articles without
    words are left out.
    """
    if metric not in METRIC_NAMES:
        raise ValueError(f"metric must be one of {tuple(METRIC_NAMES)}, got {metric!r}")
    articles = run.articles
    mix = articles[run.topic_columns].to_numpy(dtype=float)
    known = np.isfinite(mix).all(axis=1)
    articles = articles[known].reset_index(drop=True)
    clustering = cluster_rows(mix[known], metric)
    order = clustering.order
    ordered = articles.iloc[order].reset_index(drop=True)
    d = clustering.distances[np.ix_(order, order)]
    n = len(ordered)
    position = {aid: i for i, aid in enumerate(ordered["article_id"])}
    duplicate = [is_duplicate(row) for _, row in ordered.iterrows()]
    with plot_style():
        fig = Figure(
            figsize=(3.0 + 0.46 * n + 0.11 * title_width, 0.36 * n + 2.4), layout="constrained"
        )
        tree_ax, ax = fig.subplots(1, 2, width_ratios=[0.25 * n, n])
        if n > 1:
            dendrogram(
                clustering.tree, orientation="left", ax=tree_ax, no_labels=True,
                link_color_func=lambda _: "0.35",
            )  # fmt: skip
        tree_ax.set_ylim(10 * n, 0)
        for side in ("left", "top", "right"):
            tree_ax.spines[side].set_visible(False)
        tree_ax.set_yticks([])
        tree_ax.tick_params(axis="x", labelsize=7)
        tree_ax.xaxis.set_major_locator(MaxNLocator(nbins=4))
        tree_ax.set_xlabel("merge distance", fontsize=7.5)
        image = ax.imshow(d, cmap="viridis", vmin=0, vmax=1, aspect="auto", interpolation="nearest")
        for i in range(n):
            for j in range(n):
                if i != j and d[i, j] < close:
                    ax.text(
                        j, i, f"{d[i, j]:.2f}", ha="center", va="center", fontsize=6.5,
                        color="white",
                    )  # fmt: skip
        for row in ordered.itertuples():
            if isinstance(row.duplicate_of, str) and row.duplicate_of in position:
                i, j = position[row.article_id], position[row.duplicate_of]
                for a, b in ((i, j), (j, i)):
                    ax.add_patch(
                        Rectangle((b - 0.5, a - 0.5), 1, 1, fill=False, edgecolor="#f28e2b", lw=1.6)
                    )
        ax.yaxis.tick_right()
        ax.set_yticks(np.arange(n), article_labels(ordered, width=title_width))
        ax.set_xticks(
            np.arange(n), [short_article_id(a) for a in ordered["article_id"]], rotation=90,
            fontsize=7,
        )  # fmt: skip
        for ticks in (ax.get_yticklabels(), ax.get_xticklabels()):
            for tick, dup in zip(ticks, duplicate, strict=True):
                if dup:
                    tick.set_color(DUPLICATE_COLOR)
        ax.tick_params(length=0)
        for spine in ax.spines.values():
            spine.set_visible(False)
        name = METRIC_NAMES[metric]
        colorbar = fig.colorbar(
            image, ax=[tree_ax, ax], location="bottom", shrink=0.45, aspect=35,
            ticks=[0, 0.2, 0.4, 0.6, 0.8, 1],
        )  # fmt: skip
        colorbar.set_label(f"{name} distance of topic mixes (0 = identical, 1 = disjoint)")
        colorbar.outline.set_visible(False)
        n_dup = sum(duplicate)
        fig.suptitle(f"文章相似度 Article similarity ({name})", x=0.01, ha="left")
        ax.set_title(
            f"distances < {close:g} written; orange box = near-duplicate text pair "
            f"({DUPLICATE_MARK} grey, {n_dup} articles)",
            fontsize=7.5,
            color="0.35",
            loc="left",
        )
    return freeze_layout(fig)
