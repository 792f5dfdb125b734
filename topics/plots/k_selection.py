"""Figure: the measures of :func:`topics.model.evaluate.select_k` against K, the recommended K marked."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from topics.model.k_rule import MIN_DIVERSITY, MIN_STABILITY, MIN_THEME_SEEDS, qualifying_k
from topics.plots.style import color, plot_style


def _draw_measure(ax: Axes, table: pd.DataFrame, column: str, colour: str) -> None:
    """Mean over seeds as a line, the min–max over seeds as a band, each seed as a dot."""
    stats = table.groupby("k")[column].agg(["mean", "min", "max"])
    ax.fill_between(stats.index, stats["min"], stats["max"], color=colour, alpha=0.18, lw=0)
    ax.scatter(table["k"], table[column], s=10, color=colour, alpha=0.55, lw=0)
    ax.plot(stats.index, stats["mean"], color=colour, marker="o", ms=4, lw=1.6, label=column)


def plot_k_selection(table: pd.DataFrame, recommended: int) -> Figure:
    """Four panels against K: coherence (c_npmi, c_v), held-out perplexity, diversity and seed
    stability; mean over seeds with the seed spread, the ``recommended`` K as a dashed line,
    the thresholds of :func:`topics.model.k_rule.recommend_k` dotted and the K it rules out grey.

    >>> fig = plot_k_selection(*k_selection(settings))        # doctest: +SKIP
    """
    ks = sorted(table["k"].unique())
    step = min((b - a for a, b in zip(ks, ks[1:], strict=False)), default=2)
    ruled_out = [k for k, ok in qualifying_k(table)["qualifies"].items() if not ok]
    with plot_style():
        fig = Figure(figsize=(9, 6.2), layout="constrained")
        coherence, perplexity, diversity, stability = fig.subplots(2, 2).ravel()
        _draw_measure(coherence, table, "c_npmi", color(0))
        c_v = coherence.twinx()
        _draw_measure(c_v, table, "c_v", color(1))
        coherence.set_ylabel("c_npmi", color=color(0))
        c_v.set_ylabel("c_v", color=color(1))
        c_v.spines["right"].set_visible(True)
        handles = coherence.get_legend_handles_labels()[0] + c_v.get_legend_handles_labels()[0]
        coherence.legend(handles=handles, loc="lower left", fontsize=7.5, frameon=False)
        _draw_measure(perplexity, table, "perplexity", color(0))
        _draw_measure(diversity, table, "diversity", color(0))
        _draw_measure(stability, table, "stability", color(0))
        panels = {
            coherence: ("一致性 Coherence", "higher is better"),
            perplexity: ("留出困惑度 Held-out perplexity", "first seed; lower is better"),
            diversity: ("主题多样性 Topic diversity, top 25 words", "higher is better"),
            stability: ("种子稳定性 Seed stability, top 10 words", "higher is better"),
        }
        diversity.axhline(MIN_DIVERSITY, color="0.35", ls=":", lw=1)
        stability.axhline(MIN_STABILITY, color="0.35", ls=":", lw=1)
        stability.set_ylim(np.nanmin([table["stability"].min(), MIN_STABILITY]) - 0.03, 1.02)
        for ax, (title, note) in panels.items():
            for k in ruled_out:
                ax.axvspan(k - step / 2, k + step / 2, color="0.955", lw=0, zorder=0)
            ax.set_title(title, loc="left")
            ax.text(1.0, 1.02, note, transform=ax.transAxes, ha="right", va="bottom",
                    fontsize=7.5, color="0.45")  # fmt: skip
            ax.axvline(recommended, color="0.3", ls="--", lw=1, zorder=0)
            ax.grid(axis="y", color="0.92", lw=0.6)
            ax.set_xticks(ks)
            ax.set_xlim(ks[0] - step / 2, ks[-1] + step / 2)
            ax.set_xlabel("主题数 number of topics K")
        c_v.annotate(  # on the twin, which is drawn above the c_npmi axes
            f"推荐 recommended K = {recommended}", xy=(recommended, 1.0),
            xycoords=("data", "axes fraction"), xytext=(4, -4), textcoords="offset points",
            ha="left", va="top", fontsize=8.5, color="0.15", zorder=5,
            bbox={"fc": "white", "ec": "none", "alpha": 0.85, "pad": 1.5},
        )  # fmt: skip
        fig.suptitle(
            f"选择主题数 Choosing K: mean over {table['seed'].nunique()} seeds (line), "
            "each seed (dots), min–max band"
        )
        fig.text(
            0.5, 0, f"Grey: K ruled out: mean stability or diversity below the dotted line "
            f"({MIN_STABILITY:g}, {MIN_DIVERSITY:g}), or a theme topic with fewer than "
            f"{MIN_THEME_SEEDS} of its seed words in its top 10.\n"
            "Recommended: the highest mean c_npmi among the other K (ties: the smaller K).",
            ha="center", va="top", fontsize=8, color="0.3", linespacing=1.5,
        )  # fmt: skip
    return fig
