"""Figure: the articles of the corpus, their paragraph counts and lengths, duplicates marked."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from topics.plots.style import color, plot_style


def plot_corpus_overview(articles: pd.DataFrame, paragraphs: pd.DataFrame) -> Figure:
    """Bar of paragraph counts and strip of paragraph lengths per article, by page colour.

    Near-duplicate articles are hatched and labelled with the article they copy.
    """
    articles = articles.reset_index(drop=True)
    pages = list(dict.fromkeys(articles["page_id"]))
    labels = [
        f"{row.short_title}  ({row.article_id.split('_')[0]}#{row.article_no})"
        for row in articles.itertuples()
    ]
    y = np.arange(len(articles))[::-1]
    with plot_style():
        fig = Figure(figsize=(10, 0.42 * len(articles) + 1.6), layout="constrained")
        bars_ax, length_ax = fig.subplots(1, 2, sharey=True, width_ratios=[1, 1.4])
        for yi, row in zip(y, articles.itertuples(), strict=True):
            duplicate = isinstance(row.duplicate_of, str)
            page_color = color(pages.index(row.page_id))
            bars_ax.barh(
                yi, row.n_paragraphs, color=page_color, alpha=0.45 if duplicate else 0.9,
                hatch="///" if duplicate else None, edgecolor="white" if not duplicate else "0.3",
            )  # fmt: skip
            note = f"{row.n_paragraphs}"
            if duplicate:
                copied = row.duplicate_of.split("_")[0] + "#" + row.duplicate_of.split("#")[1]
                note += f"  ≈ 重复 {copied} ({row.duplicate_containment:.0%})"
            bars_ax.text(row.n_paragraphs + 0.4, yi, note, va="center", fontsize=7.5)
            lengths = paragraphs.loc[paragraphs["article_id"] == row.article_id, "n_chars"]
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
        n_dup = int(paragraphs["duplicate_of"].notna().sum())
        fig.suptitle(
            f"语料概览 Corpus overview: {len(pages)} pages, {len(articles)} articles, "
            f"{len(paragraphs)} paragraphs ({n_dup} duplicate paragraphs, hatched = duplicate article)"
        )
        handles = [Patch(color=color(i), label=p) for i, p in enumerate(pages)]
        length_ax.legend(handles=handles, title="page", fontsize=7, loc="lower right")
    return fig
