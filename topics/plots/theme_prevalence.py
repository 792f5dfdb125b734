"""Figure: each seeded theme's share per article, with 95% intervals over its paragraphs
resampled (bootstrap) and posterior draws of their shares.

The function takes plain tables (one per theme, columns ``article_id``, ``short_title``,
``share``, ``low``, ``high``, ``n_paragraphs``: the output of
:func:`topics.analysis.share.theme_prevalence`, whose intervals come from the method of
composition), so it does not compute anything itself.
:func:`theme_annotations` gives the matching labels, colours and corpus shares of a run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from topics.plots.grid import MAX_ROWS, footnote, freeze_layout, row_inches
from topics.plots.labels import (
    DUPLICATE_COLOR,
    DUPLICATE_MARK,
    article_label,
    is_duplicate,
    topic_label,
)
from topics.plots.style import color, plot_style

REQUIRED = ("article_id", "share", "low", "high")


def theme_annotations(run) -> dict:
    """Keyword arguments for :func:`plot_theme_prevalence` from a run: per theme id, the
    label (``"T1 乡镇财政"`` and the English label below), the topic's colour and its corpus prevalence;
    and the run's articles (titles and duplicate flags for the row labels)."""
    themes = run.theme_topics()
    prevalence = run.topics.set_index("topic")["prevalence"]
    return {
        "labels": {
            t: f"{topic_label(run, k, width=12)}\n{run.topics.set_index('topic').at[k, 'label_en']}".strip()
            for t, k in themes.items()
        },
        "colors": {t: color(k - 1) for t, k in themes.items()},
        "reference": {t: float(prevalence[k]) for t, k in themes.items()},
        "articles": run.articles,
    }


def _check(tables: Mapping[str, pd.DataFrame]) -> None:
    problems = []
    if not tables:
        problems.append("no theme tables given")
    for theme, table in tables.items():
        missing = [c for c in REQUIRED if c not in table.columns]
        if missing:
            problems.append(f"table of {theme!r} lacks column(s) {', '.join(missing)}")
    if problems:
        raise ValueError("cannot plot theme prevalence: " + "; ".join(problems))


def plot_theme_prevalence(
    tables: Mapping[str, pd.DataFrame],
    labels: Mapping[str, str] | None = None,
    colors: Mapping[str, str] | None = None,
    reference: Mapping[str, float] | None = None,
    articles: pd.DataFrame | None = None,
    order: Sequence[str] | None = None,
    title_width: int = 16,
) -> Figure:
    """Dot-and-whisker panels, one per theme: each article's share and its 95% interval.

    ``tables`` maps theme id → table (see the module docstring); ``labels`` and ``colors``
    give each theme's panel title and colour, ``reference`` a corpus-wide share drawn as a
    dashed line. Rows are articles in ``order`` (article ids; default: the order of the
    first table), the same in every panel. ``articles`` (``run.articles``) supplies full
    titles and duplicate flags: near-duplicates are marked ``≈`` and greyed. Articles
    without a share (no paragraphs with words) show an empty row. Past :data:`MAX_ROWS`
    articles, the ones with the highest share of any theme are shown, and the footnote says so.
    """
    _check(tables)
    themes = list(tables)
    labels = dict(labels or {})
    colors = dict(colors or {})
    reference = dict(reference or {})
    first = tables[themes[0]]
    ids = list(order) if order is not None else list(first["article_id"])
    total = len(ids)
    ids = _most_thematic(tables, ids)
    info = _row_info(tables, ids, articles, title_width)
    n = len(ids)
    y = np.arange(n)
    with plot_style():
        fig = Figure(
            figsize=(
                1.6 + 0.11 * title_width + 2.8 * len(themes),
                row_inches(n, 0.3, 2.2) * n + 1.7,
            ),
            layout="constrained",
        )
        axes = np.atleast_1d(fig.subplots(1, len(themes), sharey=True, squeeze=False)).ravel()
        for i, (ax, theme) in enumerate(zip(axes, themes, strict=True)):
            table = tables[theme].set_index("article_id").reindex(ids)
            c = colors.get(theme, color(i))
            share = table["share"].to_numpy(dtype=float)
            low, high = table["low"].to_numpy(dtype=float), table["high"].to_numpy(dtype=float)
            ax.hlines(y, low, high, color=c, lw=1.6, alpha=0.8)
            ax.scatter(share, y, s=22, color=c, edgecolors="white", linewidths=0.6, zorder=3)
            if theme in reference:
                ax.axvline(reference[theme], color="0.4", lw=0.9, ls="--", zorder=1)
            ax.set_title(labels.get(theme, theme), fontsize=9.5, loc="left")
            ax.set_xlim(-0.02, max(1.0, np.nanmax(high, initial=0) + 0.02))
            ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0], ["0", ".25", ".5", ".75", "1"])
            ax.xaxis.grid(True, color="0.92", lw=0.6)
            ax.set_axisbelow(True)
            ax.tick_params(axis="y", length=0)
            ax.set_xlabel("share of the article's tokens", fontsize=8)
        axes[0].set_yticks(y, info["label"])
        axes[0].set_ylim(n - 0.5, -0.5)
        for tick, dup in zip(axes[0].get_yticklabels(), info["duplicate"], strict=True):
            if dup:
                tick.set_color(DUPLICATE_COLOR)
        fig.suptitle("主题在各文章中的占比 Theme share per article", x=0.01, ha="left")
        handles = [
            Line2D(
                [],
                [],
                color="0.3",
                marker="o",
                lw=1.6,
                label="share; 95% interval: its paragraphs resampled (bootstrap) "
                "× posterior draws of their shares",
            ),
            Line2D([], [], color="0.4", ls="--", lw=0.9, label="corpus prevalence"),
        ]
        fig.legend(
            handles=handles
            + [
                Line2D(
                    [],
                    [],
                    color="none",
                    label=f"{DUPLICATE_MARK} grey = near-duplicate; (n) = paragraphs",
                )
            ],
            loc="outside lower left",
            ncols=3,
            fontsize=7.5,
            frameon=False,
        )
        if n < total:
            footnote(fig, f"{n} of {total} articles shown: those with the highest share of a theme")
    return freeze_layout(fig)


def _most_thematic(tables: Mapping[str, pd.DataFrame], ids: list[str]) -> list[str]:
    """``ids``, or past :data:`MAX_ROWS` the ones whose largest theme share is highest (in the
    given order)."""
    if len(ids) <= MAX_ROWS:
        return ids
    best = pd.concat([t.set_index("article_id")["share"] for t in tables.values()], axis=1)
    keep = set(best.max(axis=1).reindex(ids).nlargest(MAX_ROWS).index)
    return [i for i in ids if i in keep]


def _row_info(
    tables: Mapping[str, pd.DataFrame],
    ids: list[str],
    articles: pd.DataFrame | None,
    title_width: int,
) -> dict[str, list]:
    """Row labels (title, short id, paragraph count) and duplicate flags for ``ids``."""
    rows = {}
    for table in tables.values():
        for record in table.to_dict("records"):
            rows.setdefault(record["article_id"], record)
    if articles is not None:
        for record in articles.to_dict("records"):
            rows[record["article_id"]] = {**rows.get(record["article_id"], {}), **record}
    labels, duplicate = [], []
    for article_id in ids:
        record = {"article_id": article_id, **rows.get(article_id, {})}
        text = article_label(record, width=title_width)
        n_paragraphs = record.get("n_paragraphs")
        if n_paragraphs is not None and not pd.isna(n_paragraphs):
            text += f" ({int(n_paragraphs)})"
        labels.append(text)
        duplicate.append("duplicate_of" in record and is_duplicate(record))
    return {"label": labels, "duplicate": duplicate}
