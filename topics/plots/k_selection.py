"""Figure: the measures of :func:`topics.model.evaluate.select_k` against K, the recommended K marked."""

from __future__ import annotations

import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from topics.model.k_rule import MIN_THEME_SEEDS, STABLE, k_summary, recommend
from topics.plots.style import color, plot_style


def _draw_measure(ax: Axes, table: pd.DataFrame, column: str, colour: str, label: str) -> None:
    """Mean over topics as a line, the min–max over topics as a band, each topic as a dot."""
    stats = table.groupby("k")[column].agg(["mean", "min", "max"])
    ax.fill_between(stats.index, stats["min"], stats["max"], color=colour, alpha=0.15, lw=0)
    ax.scatter(table["k"], table[column], s=9, color=colour, alpha=0.5, lw=0)
    ax.plot(stats.index, stats["mean"], color=colour, marker="o", ms=4, lw=1.6, label=label)


def _headline(recommended: int, qualified: bool, used: int | None, by_hand: bool) -> str:
    text = f"推荐 recommended K = {recommended}"
    if not qualified:
        text = f"no K meets the criteria; most stable K = {recommended}"
    if used is not None and (by_hand or used != recommended):
        text += f"\n所用 used K = {used}" + (" (set by hand)" if by_hand else "")
    return text


def plot_k_selection(
    table: pd.DataFrame, recommended: int, used: int | None = None, by_hand: bool = False
) -> Figure:
    """Four panels against K: stability under resampling (top-10 Jaccard and 1 − JS),
    coherence (gensim c_npmi and paragraph-level NPMI), held-out perplexity and diversity;
    each the mean over topics with the topics' spread. The ``recommended`` K is dashed (with
    "no K meets the criteria" when none did, and a note when it lies at the grid's edge), the
    threshold of :func:`topics.model.k_rule.recommend` dotted, the K it rules out grey. ``used``:
    the run's K, labelled "set by hand" with ``by_hand`` (a number in the config, not "auto").
    ``plot_k_selection(*pipeline.k_selection(settings))`` draws a project's (tested in
    ``tests/test_evaluate.py``).
    """
    ks = sorted(table["k"].unique())
    step = min((b - a for a, b in zip(ks, ks[1:], strict=False)), default=2)
    summary = k_summary(table)
    ruled_out = [k for k, ok in summary["qualifies"].items() if not ok]
    choice = recommend(table)
    with plot_style():
        fig = Figure(figsize=(9, 6.4), layout="constrained")
        stability, coherence, perplexity, diversity = fig.subplots(2, 2).ravel()
        _draw_measure(stability, table, "stability", color(0), "top-10 Jaccard")
        _draw_measure(stability, table, "stability_js", color(1), "1 − Jensen–Shannon")
        stability.axhline(STABLE, color="0.35", ls=":", lw=1)
        stability.set_ylim(-0.02, 1.02)
        _draw_measure(coherence, table, "c_npmi", color(0), "c_npmi (10-word windows)")
        _draw_measure(coherence, table, "npmi_paragraph", color(1), "NPMI within paragraphs")
        _draw_measure(perplexity, table, "perplexity", color(0), "topic model")
        if "perplexity_unigram" in table:
            baseline = table.groupby("k")["perplexity_unigram"].mean()
            perplexity.plot(baseline.index, baseline, color="0.45", ls=":", lw=1.2,
                            label="word frequencies alone")  # fmt: skip
        perplexity.legend(loc="center right", fontsize=7.5, frameon=False)
        _draw_measure(diversity, table, "diversity", color(0), "diversity")
        for ax in (stability, coherence):
            ax.legend(loc="lower left", fontsize=7.5, frameon=False)
        panels = {
            stability: ("重抽样稳定性 Resample stability", "per topic; higher is better"),
            coherence: ("一致性 Coherence, top 10 words", "per topic; higher is better"),
            perplexity: ("留出困惑度 Held-out perplexity", "left-out 20 %; lower is better"),
            diversity: ("主题多样性 Topic diversity, top 25 words", "higher is better"),
        }
        for ax, (title, note) in panels.items():
            for k in ruled_out:
                ax.axvspan(k - step / 2, k + step / 2, color="0.95", lw=0, zorder=0)
            ax.set_title(title, loc="left")
            ax.text(1.0, 1.02, note, transform=ax.transAxes, ha="right", va="bottom",
                    fontsize=7.5, color="0.45")  # fmt: skip
            ax.axvline(recommended, color="0.3", ls="--", lw=1, zorder=0)
            if used is not None and used != recommended:
                ax.axvline(used, color=color(3), ls="-.", lw=1, zorder=0)
            ax.grid(axis="y", color="0.92", lw=0.6)
            ax.set_xticks(ks)
            ax.set_xlim(ks[0] - step / 2, ks[-1] + step / 2)
            ax.set_xlabel("主题数 number of topics K")
        stability.annotate(
            _headline(recommended, choice.qualified, used, by_hand), xy=(recommended, 1.0),
            xycoords=("data", "axes fraction"), xytext=(4, -4), textcoords="offset points",
            ha="right" if recommended == ks[-1] else "left", va="top", fontsize=8.5,
            color="0.15" if choice.qualified else "firebrick", zorder=5,
            bbox={"fc": "white", "ec": "none", "alpha": 0.85, "pad": 1.5},
        )  # fmt: skip
        fig.suptitle(
            "选择主题数 Choosing K: each topic of the full-data fit against fits on 80 % "
            "subsamples; line = mean over topics, dots = topics"
        )
        notes = "".join(f"\nNote: {note}." for note in choice.notes())
        fig.text(
            0.5, 0, f"Grey: K ruled out: mean stability below the dotted line ({STABLE:g}: on "
            f"average fewer than two of three top words come back), held-out perplexity not below "
            f"word frequencies',\nor a theme topic with fewer than {MIN_THEME_SEEDS} of its seed "
            "words in its top 10. "
            "Recommended: of the other K, the smallest within one standard error of the most stable."
            + notes,
            ha="center", va="top", fontsize=8, color="0.3", linespacing=1.5,
        )  # fmt: skip
    return fig
