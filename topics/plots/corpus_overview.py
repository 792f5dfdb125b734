"""Figure: the articles of the corpus, their paragraph counts and lengths, duplicates marked.

Up to :data:`~topics.plots.grid.MAX_ROWS` articles each get a row, coloured by page when there
are at most :data:`~topics.plots.grid.MAX_LEGEND_ENTRIES` pages. Larger corpora get histograms
of the same two quantities instead; the footnote says which rule applied.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from topics.plots.grid import MAX_LEGEND_ENTRIES, MAX_ROWS, footnote, row_inches
from topics.plots.labels import article_labels, short_article_ids
from topics.plots.style import color, plot_style

#: Bins of the histograms drawn for corpora with more than ``MAX_ROWS`` articles.
BINS = 30
DUPLICATE_HATCH = "///"


def plot_corpus_overview(articles: pd.DataFrame, paragraphs: pd.DataFrame) -> Figure:
    """Bar of paragraph counts and strip of paragraph lengths per article, by page colour.

    Near-duplicate articles are hatched and labelled with the article they copy. Past
    ``MAX_ROWS`` articles: histograms of paragraphs per article and of paragraph lengths.
    """
    articles = articles.reset_index(drop=True)
    n_pages = articles["page_id"].nunique()
    with plot_style():
        if len(articles) > MAX_ROWS:
            fig = _distributions(articles, paragraphs)
        else:
            fig = _per_article(articles, paragraphs)
        n_dup = int(paragraphs["duplicate_of"].notna().sum())
        fig.suptitle(
            f"语料概览 Corpus overview: {n_pages:,} pages, {len(articles):,} articles, "
            f"{len(paragraphs):,} paragraphs ({n_dup:,} duplicate paragraphs, "
            "hatched = duplicate article)"
        )
    return fig


def _per_article(articles: pd.DataFrame, paragraphs: pd.DataFrame) -> Figure:
    pages = list(dict.fromkeys(articles["page_id"]))
    by_page = len(pages) <= MAX_LEGEND_ENTRIES
    labels = article_labels(articles, width=16, mark_duplicate=False)
    short = dict(
        zip(articles["article_id"], short_article_ids(articles["article_id"]), strict=True)
    )
    lengths_of = paragraphs.groupby("article_id")["n_chars"]
    y = np.arange(len(articles))[::-1]
    fig = Figure(
        figsize=(10, row_inches(len(articles), 0.42, 1.6) * len(articles) + 1.6),
        layout="constrained",
    )
    bars_ax, length_ax = fig.subplots(1, 2, sharey=True, width_ratios=[1, 1.4])
    for yi, row in zip(y, articles.itertuples(), strict=True):
        duplicate = isinstance(row.duplicate_of, str)
        page_color = color(pages.index(row.page_id) if by_page else 0)
        bars_ax.barh(
            yi, row.n_paragraphs, color=page_color, alpha=0.45 if duplicate else 0.9,
            hatch=DUPLICATE_HATCH if duplicate else None,
            edgecolor="white" if not duplicate else "0.3",
        )  # fmt: skip
        note = f"{row.n_paragraphs}"
        if duplicate:
            copied = short.get(row.duplicate_of, row.duplicate_of)
            note += f"  ≈ 重复 {copied} ({row.duplicate_containment:.0%})"
        bars_ax.text(row.n_paragraphs + 0.4, yi, note, va="center", fontsize=7.5)
        lengths = (
            lengths_of.get_group(row.article_id)
            if row.article_id in lengths_of.groups
            else pd.Series(dtype=float)
        )
        jitter = np.linspace(-0.18, 0.18, len(lengths)) if len(lengths) > 1 else [0.0]
        length_ax.scatter(
            lengths, yi + np.asarray(jitter), s=9, color=page_color,
            alpha=0.35 if duplicate else 0.8, linewidths=0,
        )  # fmt: skip
        if len(lengths):
            length_ax.plot([lengths.median()] * 2, [yi - 0.3, yi + 0.3], color="0.2", lw=1.2)
    bars_ax.set_yticks(y, labels)
    bars_ax.set_xlabel("段落数 paragraphs")
    bars_ax.set_xlim(0, articles["n_paragraphs"].max() * 1.55)
    length_ax.set_xlabel("段落长度(字)paragraph length in characters; bar = median")
    if by_page:
        handles = [Patch(color=color(i), label=p) for i, p in enumerate(pages)]
        length_ax.legend(handles=handles, title="page", fontsize=7, loc="lower right")
    else:
        footnote(
            fig,
            f"{len(pages):,} pages, more than {MAX_LEGEND_ENTRIES} colours can tell apart: "
            "one colour, articles in page order, no page legend.",
        )
    return fig


def bin_edges(values: pd.Series) -> np.ndarray:
    """At most :data:`BINS` bins over whole-number ``values``, each spanning whole numbers
    (so no bin is empty for lack of a whole number in it).

    >>> bin_edges(pd.Series([4, 5, 25])).tolist()[:3], len(bin_edges(pd.Series([1, 1000]))) - 1
    ([3.5, 4.5, 5.5], 30)
    """
    low, high = int(values.min()), int(values.max())
    step = max(1, -(-(high - low + 1) // BINS))
    return np.arange(low - 0.5, high + 0.5 + step, step)


def _distributions(articles: pd.DataFrame, paragraphs: pd.DataFrame) -> Figure:
    """Histograms of paragraphs per article and of paragraph lengths, duplicates stacked."""
    fig = Figure(figsize=(10, 4.6), layout="constrained")
    count_ax, length_ax = fig.subplots(1, 2, width_ratios=[1, 1.4])
    copies = articles["duplicate_of"].notna()
    counts = [articles.loc[~copies, "n_paragraphs"], articles.loc[copies, "n_paragraphs"]]
    para_copies = paragraphs["duplicate_of"].notna()
    lengths = [paragraphs.loc[~para_copies, "n_chars"], paragraphs.loc[para_copies, "n_chars"]]
    for ax, (kept, copied), units in (
        (count_ax, counts, "articles"),
        (length_ax, lengths, "paragraphs"),
    ):
        edges = bin_edges(pd.concat([kept, copied]))
        below = np.histogram(kept, edges)[0]
        width = np.diff(edges)
        ax.bar(edges[:-1], below, width, align="edge", color=color(0), label=units)
        above = np.histogram(copied, edges)[0]
        ax.set_ylim(0, (below + above).max() * 1.35)  # room for the legend above the bars
        ax.bar(
            edges[:-1], above, width, bottom=below, align="edge",
            color=color(0), alpha=0.45, hatch=DUPLICATE_HATCH, edgecolor="0.3",
            label=f"near-duplicate {units}",
        )  # fmt: skip
        median = pd.concat([kept, copied]).median()
        ax.axvline(median, color="0.2", lw=1.2, label=f"median {median:g}")
        ax.set_ylabel(units)
        ax.legend(fontsize=7, loc="upper right")
    count_ax.set_xlabel("段落数 paragraphs per article")
    length_ax.set_xlabel("段落长度(字)paragraph length in characters")
    footnote(
        fig,
        f"{len(articles):,} articles, more than {MAX_ROWS} rows: distributions instead of one "
        "bar per article.",
    )
    return fig
