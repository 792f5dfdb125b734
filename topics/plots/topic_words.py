"""Figure: how each topic's leading words move across the levels of a metadata column.

Takes the tidy table of :func:`topics.analysis.words_by.words_by` and computes nothing itself.
One small heat chart per topic: rows are the topic's leading words, columns the levels (2 to
20), a cell's shade the word's weight in the topic at that level (its share of the topic's
expected tokens) on one square-root scale per panel (its largest weight printed beside the
word): a common word's moves are not hidden, a rare word's noise is not blown up. ▲ and ▼ mark changes beyond the noise (the
table's ``signal``: the simultaneous 95 % interval excludes zero). Words are ordered by the
level where they weigh most, so a vocabulary shift reads as a diagonal.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from topics.plots.grid import footnote, freeze_layout
from topics.plots.labels import topic_label
from topics.plots.style import plot_style

#: Words shown per topic: those with a change beyond the noise first, then the heaviest.
WORDS = 8
REQUIRED = ("topic", "term", "level", "weight", "signal")
MARKS = {"rising": "▲", "falling": "▼"}


def leading_words(part: pd.DataFrame, levels: list[str], n: int = WORDS) -> pd.DataFrame:
    """One topic's words × levels weights, for its ``n`` leading words: words with a signal
    first (largest |change|), then by their largest weight; rows ordered by the level where
    the word weighs most, then by that weight."""
    weights = part.pivot_table(index="term", columns="level", values="weight", sort=False)
    weights = weights.reindex(columns=levels).fillna(0.0)
    signal = part[part["signal"].fillna("") != ""]
    size = signal.assign(size=signal["change"].abs()).groupby("term")["size"].max()
    peak = weights.max(axis=1)
    key = pd.DataFrame({"signal": size.reindex(weights.index).fillna(-1.0), "peak": peak})
    chosen = key.sort_values(["signal", "peak"], ascending=False, kind="stable").index[:n]
    chosen = weights.loc[chosen]
    where = chosen.to_numpy().argmax(axis=1)
    order = np.lexsort((-chosen.max(axis=1).to_numpy(), where))
    return chosen.iloc[order]


def plot_topic_words_by(
    table: pd.DataFrame,
    column: str,
    levels: list[str] | None = None,
    topics: pd.DataFrame | None = None,
    note: str = "",
) -> Figure:
    """The words-by figure of ``column`` from a :func:`~topics.analysis.words_by.words_by`
    table; ``levels`` in order (default: as in the table), ``topics`` (``run.topics``) names
    the topics, ``note`` (e.g. ``WordsBy.describe()``) goes under the figure."""
    missing = [c for c in REQUIRED if c not in table.columns]
    if missing:
        raise ValueError(f"cannot plot words by {column}: the table lacks {', '.join(missing)}")
    levels = list(dict.fromkeys(table["level"])) if levels is None else list(levels)
    names = list(dict.fromkeys(table["topic"]))
    columns = 4 if len(levels) <= 8 else 3
    n_rows = math.ceil(len(names) / columns)
    rotate = len(levels) > 6 or max(len(str(v)) for v in levels) > 4
    panel_width = max(2.2, 0.55 + 0.2 * len(levels))
    panel_height = 0.9 + 0.19 * WORDS + (0.45 if rotate else 0.0)
    with plot_style():
        fig = Figure(figsize=(min(16.0, columns * panel_width + 0.4), panel_height * n_rows + 1.2),
                     layout="constrained")  # fmt: skip
        axes = fig.subplots(n_rows, columns, squeeze=False).ravel()
        for ax, name in zip(axes, names, strict=False):
            part = table[table["topic"] == name]
            _heat(ax, leading_words(part, levels), part, levels, rotate)
            title = topic_label(topics, int(name[1:]), width=12) if topics is not None else name
            ax.set_title(title, fontsize=8.5, loc="left")
        for ax in axes[len(names) :]:
            ax.set_visible(False)
        fig.suptitle(f"主题用词随 {column} 的变化 Each topic's leading words by {column}",
                     x=0.01, ha="left")  # fmt: skip
        rule = ("shade: the word's share of the topic's tokens at that level (square-root "
                "scale per panel; its largest share printed beside the word); ▲ ▼ change from "
                "the reference beyond the noise. ")  # fmt: skip
        footnote(fig, rule + note)
    return freeze_layout(fig)


def _heat(ax, weights: pd.DataFrame, part: pd.DataFrame, levels: list[str], rotate: bool) -> None:
    values = weights.to_numpy()
    peak = values.max(axis=1, keepdims=True)
    top = values.max() if values.size and values.max() > 0 else 1.0
    scaled = np.sqrt(values / top)  # square root: a rare word's moves stay visible
    ax.imshow(scaled, cmap="Blues", vmin=0, vmax=1, aspect="auto", interpolation="nearest")
    signals = part.set_index(["term", "level"])["signal"].fillna("")
    for i, term in enumerate(weights.index):
        for j, level in enumerate(levels):
            mark = MARKS.get(signals.get((term, level), ""), "")
            if mark:
                dark = scaled[i, j] > 0.55
                ax.text(j, i, mark, ha="center", va="center", fontsize=6.5,
                        color="white" if dark else ("#b2182b" if mark == "▼" else "#1a6a1a"))  # fmt: skip
    labels = [
        f"{term} {100 * top:.1f}%" for term, top in zip(weights.index, peak[:, 0], strict=True)
    ]
    ax.set_yticks(range(len(weights)), labels, fontsize=7.5)
    ax.set_xticks(range(len(levels)), levels, fontsize=6.5 if len(levels) > 10 else 7.5,
                  rotation=90 if rotate else 0)  # fmt: skip
    ax.tick_params(length=0)
    for side in ("top", "right", "left", "bottom"):
        ax.spines[side].set_visible(False)


def topic_words_jobs(run, corpus, documents, columns=None) -> dict:
    """``topic_words_by_<column>`` → a function drawing it, for :mod:`topics.figures`: the
    columns of ``[figures] prevalence_by`` (default ``year`` when the corpus has it);
    ``documents`` gives the paragraphs' token ids."""
    from topics.analysis.words_by import words_by
    from topics.plots.prevalence import prevalence_columns

    def draw(column: str) -> Figure:
        result = words_by(run, corpus, documents(), column)
        return plot_topic_words_by(result.table, column, result.levels, run.topics,
                                   result.describe())  # fmt: skip

    return {
        f"topic_words_by_{c}": (lambda c=c: draw(c))
        for c in prevalence_columns(corpus.articles, columns)
    }
