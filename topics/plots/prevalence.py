"""Figure: how topic prevalence varies with one metadata column, with 95% intervals.

Takes the tidy table of :func:`topics.analysis.effects.estimate_effect` (rows of one
``covariate``): it computes nothing itself. A continuous covariate (``year``) gives a line with
its band for each theme topic on top and small multiples of every topic below; a categorical
one (``place``) gives, on top, each theme topic's difference from the reference level and,
below, every topic's predicted share per level as point ranges.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from topics.errors import input_error
from topics.plots.grid import footnote, freeze_layout, row_inches
from topics.plots.labels import topic_label
from topics.plots.style import color, plot_style

#: Small multiples per row.
COLUMNS = 4
#: Levels of a categorical covariate shown (the first ones in the table's order).
MAX_LEVELS = 15
REQUIRED = ("topic", "theme", "covariate", "kind", "value", "x", "estimate", "low", "high")


def _check(table: pd.DataFrame, covariate: str) -> pd.DataFrame:
    missing = [c for c in REQUIRED if c not in table.columns]
    if missing:
        raise ValueError(f"cannot plot prevalence: the table lacks {', '.join(missing)}")
    rows = table[table["covariate"] == covariate]
    if rows.empty:
        raise ValueError(f"cannot plot prevalence: no rows for covariate {covariate!r}")
    return rows


def _label(topics: pd.DataFrame | None, name: str, width: int = 12) -> str:
    return topic_label(topics, int(name[1:]), width=width) if topics is not None else name


def plot_prevalence(
    table: pd.DataFrame, covariate: str, topics: pd.DataFrame | None = None, note: str = ""
) -> Figure:
    """The prevalence figure of ``covariate`` from an effects table.

    ``topics`` (``run.topics``) names the topics; ``note`` (e.g. ``Effects.describe()``) is
    printed under the figure with the rule for what is shown.
    """
    rows = _check(table, covariate)
    predictions = rows[rows["kind"] == "prediction"]
    continuous = predictions["x"].notna().all()
    names = list(dict.fromkeys(rows["topic"]))
    themes = [n for n in names if rows.loc[rows["topic"] == n, "theme"].iloc[0]]
    n_rows = math.ceil(len(names) / COLUMNS)
    levels = list(dict.fromkeys(predictions["value"]))
    shown = levels[:MAX_LEVELS]
    top_height = 2.8 if continuous else 0.7 + 0.2 * len(shown)
    panel_height = row_inches(
        n_rows, 1.7 if continuous else 0.5 + 0.16 * len(shown), top_height + 0.9
    )
    with plot_style():
        fig = Figure(figsize=(10, top_height + panel_height * n_rows + 0.9), layout="constrained")
        top, bottom = fig.subfigures(2, 1, height_ratios=[top_height, panel_height * n_rows])
        if continuous:
            _theme_lines(top, predictions, themes or names[:3], topics, covariate)
        else:
            _theme_differences(top, rows[rows["kind"] == "difference"], themes or names[:3],
                               topics, levels)  # fmt: skip
        axes = bottom.subplots(n_rows, COLUMNS, sharex=True, sharey=True, squeeze=False).ravel()
        for ax, name in zip(axes, names, strict=False):
            part = predictions[predictions["topic"] == name]
            k = int(name[1:])
            if continuous:
                _band(ax, part, color(k - 1))
            else:
                _point_ranges(ax, part[part["value"].isin(shown)], shown, color(k - 1))
            ax.set_title(_label(topics, name, 10), fontsize=8.5, loc="left")
            ax.yaxis.grid(True, color="0.92", lw=0.6)
            ax.set_axisbelow(True)
        whole = continuous and bool((predictions["x"] % 1 == 0).all())
        for i, ax in enumerate(axes):
            if i >= len(names):
                ax.set_visible(False)
            elif i + COLUMNS >= len(names):  # the lowest panel of its column
                ax.tick_params(labelbottom=True)
                ax.set_xlabel(covariate if continuous else "share of tokens", fontsize=8)
            if whole:
                ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        bottom.suptitle("每个主题 Every topic: predicted share, 95% interval", fontsize=9.5,
                        x=0.01, ha="left")  # fmt: skip
        fig.suptitle(f"主题占比随 {covariate} 的变化 Topic prevalence by {covariate}", x=0.01,
                     ha="left")  # fmt: skip
        rule = (
            ""
            if continuous or len(shown) == len(levels)
            else (f"; the first {len(shown)} of {len(levels)} levels shown")
        )
        footnote(fig, f"{note}{rule}")
    return freeze_layout(fig)


def _band(ax, part: pd.DataFrame, c: str, label: str | None = None) -> None:
    ax.fill_between(part["x"], part["low"], part["high"], color=c, alpha=0.25, lw=0)
    ax.plot(part["x"], part["estimate"], color=c, lw=1.6, label=label)


def _point_ranges(ax, part: pd.DataFrame, levels: list[str], c: str) -> None:
    y = [levels.index(v) for v in part["value"]]
    ax.hlines(y, part["low"], part["high"], color=c, lw=1.5)
    ax.scatter(part["estimate"], y, s=16, color=c, zorder=3)
    ax.set_yticks(range(len(levels)), levels, fontsize=7.5)
    ax.set_ylim(len(levels) - 0.5, -0.5)


def _theme_lines(fig, predictions, names, topics, covariate: str) -> None:
    ax = fig.subplots()
    for name in names:
        part = predictions[predictions["topic"] == name]
        k = int(name[1:])
        _band(ax, part, color(k - 1), _label(topics, name))
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8.5)
    if (predictions["x"] % 1 == 0).all():
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(covariate)
    ax.set_ylabel("share of tokens")
    ax.yaxis.grid(True, color="0.92", lw=0.6)
    ax.set_title("主题 Theme topics: predicted share, 95% band", fontsize=9.5, loc="left")


def _theme_differences(fig, differences, names, topics, levels: list[str]) -> None:
    axes = np.atleast_1d(fig.subplots(1, len(names), sharey=True, squeeze=False)).ravel()
    contrasts = [f"{v} − {levels[0]}" for v in levels[1:MAX_LEVELS]]
    for ax, name in zip(axes, names, strict=True):
        part = differences[(differences["topic"] == name) & differences["value"].isin(contrasts)]
        k = int(name[1:])
        ax.axvline(0, color="0.4", lw=0.9, ls="--")
        _point_ranges(ax, part, contrasts, color(k - 1))
        ax.set_title(_label(topics, name), fontsize=9, loc="left")
        ax.set_xlabel(f"difference from {levels[0]}", fontsize=8)
    fig.suptitle("主题 Theme topics: difference from the reference level, 95% interval",
                 fontsize=9.5, x=0.01, ha="left")  # fmt: skip


def prevalence_columns(articles: pd.DataFrame, columns: Sequence[str] | None) -> list[str]:
    """The metadata columns to draw: ``columns`` (``[figures] prevalence_by``), checked, or by
    default ``year`` when the articles have it."""
    from topics.corpus.metadata import metadata_columns

    known = metadata_columns(articles)
    if columns is None:
        return ["year"] if "year" in known and articles["year"].notna().any() else []
    unknown = [c for c in columns if c not in known]
    if unknown:
        raise input_error(
            None, f"[figures] prevalence_by: no metadata column {', '.join(map(repr, unknown))}",
            f"known: {', '.join(known)}" if known else "the corpus has no metadata columns",
        )  # fmt: skip
    return list(columns)


def prevalence_jobs(run, corpus, columns: Sequence[str] | None = None) -> dict[str, Callable]:
    """``prevalence_by_<column>`` → a function drawing it, for :mod:`topics.figures`."""
    from topics.analysis.design import default_formula
    from topics.analysis.effects import estimate_effect

    def draw(column: str) -> Figure:
        effects = estimate_effect(run, corpus, default_formula(corpus.articles[column]))
        return plot_prevalence(effects.table, column, run.topics, effects.describe())

    return {
        f"prevalence_by_{c}": (lambda c=c: draw(c))
        for c in prevalence_columns(corpus.articles, columns)
    }
