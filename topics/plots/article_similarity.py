"""Figure: article-by-article distances of topic mixes, with their clustering dendrogram.

The matrix grows with the corpus up to :data:`MATRIX_INCHES`, then its cells shrink. Distances
are written in cells only while a cell is at least :data:`TEXT_CELL_INCHES` wide, and past
:data:`~topics.plots.grid.MAX_ROWS` articles only every n-th row is named; the footnote says so.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import MaxNLocator
from scipy.cluster.hierarchy import dendrogram

from topics.plots.grid import MAX_ROWS, footnote, freeze_layout
from topics.plots.labels import (
    DUPLICATE_COLOR,
    DUPLICATE_MARK,
    article_labels,
    is_duplicate,
    short_article_ids,
    with_metadata,
)
from topics.plots.ordering import cluster_rows
from topics.plots.style import plot_style

#: Pairs closer than this are written in their cells: near-identical topic mixes.
CLOSE = 0.25
METRIC_NAMES = {"jensen_shannon": "Jensen–Shannon", "hellinger": "Hellinger"}
#: Cell size of a small matrix, in inches (width, height).
CELL_INCHES = (0.46, 0.36)
#: Widest the matrix gets: with the dendrogram and labels the figure stays within
#: ``grid.MAX_INCHES`` (3,200 px); past 23 articles its cells shrink instead.
MATRIX_INCHES = 10.5
#: Narrowest cell that still holds a distance written at 6.5 pt ("0.12" is about 0.2 in wide).
TEXT_CELL_INCHES = 0.3


def plot_article_similarity(
    run, metric: str = "jensen_shannon", title_width: int = 16, close: float = CLOSE,
    metadata: pd.DataFrame | None = None,
) -> Figure:  # fmt: skip
    """Distance matrix of the articles' topic mixes, rows and columns in dendrogram order.

    The dendrogram (average linkage on the same distances) is drawn on the left with the same
    leaf order as the matrix and as :func:`~topics.plots.article_topics.plot_article_topics`.
    Distances below ``close`` are written in their cells; pairs the corpus flagged as
    near-duplicates (by text) are outlined and their rows marked ``≈``. Articles without
    words are left out. Rows are named by :func:`~topics.plots.labels.article_labels`
    (``metadata``: a table with ``article_id`` and columns such as ``year``). The figure's
    size is bounded: see the module docstring for what it leaves out at large sizes.
    """
    if metric not in METRIC_NAMES:
        raise ValueError(f"metric must be one of {tuple(METRIC_NAMES)}, got {metric!r}")
    articles = with_metadata(run.articles, metadata)
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
    scale = min(1.0, MATRIX_INCHES / (CELL_INCHES[0] * max(n, 1)))
    cell_width, cell_height = (scale * side for side in CELL_INCHES)
    write_distances = cell_width >= TEXT_CELL_INCHES
    every = -(-n // MAX_ROWS)  # name every row up to MAX_ROWS rows, else every n-th
    labelled = np.arange(0, n, every)
    with plot_style():
        fig = Figure(
            figsize=(3.0 + cell_width * n + 0.11 * title_width, cell_height * n + 2.4),
            layout="constrained",
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
        for i, j in zip(*np.nonzero((d < close) & write_distances), strict=True):
            if i != j:
                ax.text(
                    j, i, f"{d[i, j]:.2f}", ha="center", va="center", fontsize=6.5, color="white"
                )
        for row in ordered.itertuples():
            if isinstance(row.duplicate_of, str) and row.duplicate_of in position:
                i, j = position[row.article_id], position[row.duplicate_of]
                for a, b in ((i, j), (j, i)):
                    ax.add_patch(
                        Rectangle((b - 0.5, a - 0.5), 1, 1, fill=False, edgecolor="#f28e2b", lw=1.6)
                    )
        ax.yaxis.tick_right()
        names = np.array(article_labels(ordered, width=title_width), dtype=object)
        ids = np.array(short_article_ids(ordered["article_id"].tolist()), dtype=object)
        ax.set_yticks(labelled, names[labelled])
        ax.set_xticks(labelled, ids[labelled], rotation=90, fontsize=7)
        for ticks in (ax.get_yticklabels(), ax.get_xticklabels()):
            for tick, i in zip(ticks, labelled, strict=True):
                if duplicate[i]:
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
        written = f"distances < {close:g} written; " if write_distances else ""
        ax.set_title(
            f"{written}orange box = near-duplicate text pair "
            f"({DUPLICATE_MARK} grey, {n_dup} articles)",
            fontsize=7.5,
            color="0.35",
            loc="left",
        )
        rules = size_rules(n, write_distances, every)
        if rules:
            footnote(fig, rules)
    return freeze_layout(fig)


def size_rules(n: int, write_distances: bool, every: int) -> str:
    """The footnote of a matrix of ``n`` articles: what it leaves out at that size ("" if nothing)."""
    rules = []
    if not write_distances:
        rules.append(
            f"{n:,} articles: cells narrower than {TEXT_CELL_INCHES:g} in, so no distances "
            f"are written (the matrix is kept within {MATRIX_INCHES:g} in)."
        )
    if every > 1:
        rules.append(f"More than {MAX_ROWS} rows: every {every}th article is named.")
    return " ".join(rules)
