"""Figure: the top terms of every topic, ranked by relevance, as LDAvis draws them."""

from __future__ import annotations

import math

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from topics.model.choices import LAMBDA
from topics.plots.grid import freeze_layout
from topics.plots.labels import (
    THEME_MARK,
    is_unstable,
    stability_tag,
    stability_threshold,
    topic_label,
)
from topics.plots.style import color, plot_style

#: Marks seed words among a theme topic's terms.
SEED_MARK = "*"
#: Panels of topics that are unstable under resampling: tinted, their tag in this colour.
UNSTABLE_FACE, UNSTABLE_COLOR = "#fbeeee", "firebrick"


def topic_term_counts(run) -> np.ndarray:
    """Estimated tokens (K, V) of each term in each topic: ``p(w|k)`` times the topic's tokens
    (its prevalence times the model's tokens)."""
    topic_word = run.topic_word()
    n_tokens = run.term_frequency().sum()
    prevalence = run.topics.sort_values("topic")["prevalence"].to_numpy(dtype=float)
    return topic_word * (prevalence * n_tokens)[:, None]


def plot_topic_terms(run, n: int = 10, lam: float = LAMBDA, ncols: int = 4) -> Figure:
    """A panel per topic: its top-``n`` terms by relevance (λ = ``lam``) as horizontal bars.

    The dark bar is the term's estimated tokens in the topic (proportional to ``p(w|k)``), the
    light bar behind it the term's observed count in the corpus, as in LDAvis: a dark bar that
    fills its light bar marks a term exclusive to the topic. Where a seed word of the topic's
    formed theme is estimated above its observed count (its prior adds pseudo-counts), the
    excess is hatched; any other term's bar stops at its observed count (inferred shares and
    training counts differ slightly). Panel titles give number, label and prevalence; topics
    whose theme formed are marked ``◆``, their seed words ``*``.
    Each panel is tagged with its topic's stability under resampling; unstable topics (below
    the run's threshold, :func:`topics.plots.labels.stability_threshold`) are tinted and
    tagged in red.
    """
    terms = run.terms(n, lam)
    terms = terms[terms["method"] == "relevance"]
    in_topic = topic_term_counts(run)
    total = run.term_frequency()
    index = {term: i for i, term in enumerate(run.vocabulary["term"])}
    seeds = run.theme_seeds()
    k = run.k
    ncols = max(1, min(ncols, k))
    nrows = math.ceil(k / ncols)
    with plot_style():
        fig = Figure(
            figsize=(3.3 * ncols, 0.24 * n * nrows + 0.9 * nrows + 0.6), layout="constrained"
        )
        axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()
        for topic in range(1, k + 1):
            ax = axes[topic - 1]
            rows = terms[terms["topic"] == topic].sort_values("rank")
            ids = [index[t] for t in rows["term"]]
            y = np.arange(len(ids))[::-1]
            c = color(topic - 1)
            ax.barh(y, total[ids], color=c, alpha=0.25, height=0.75, linewidth=0)
            estimate, observed = in_topic[topic - 1, ids], total[ids]
            ax.barh(y, np.minimum(estimate, observed), color=c, height=0.75, linewidth=0)
            topic_seeds = seeds.get(topic, set())
            excess = (estimate > observed) & np.isin(rows["term"].to_numpy(), list(topic_seeds))
            if excess.any():
                ax.barh(
                    y[excess], (estimate - observed)[excess], left=observed[excess], height=0.75,
                    color="white", edgecolor=c, hatch="////", linewidth=0.6,
                )  # fmt: skip
            names = [t + (SEED_MARK if t in topic_seeds else "") for t in rows["term"]]
            ax.set_yticks(y, names)
            ax.tick_params(axis="y", length=0, pad=2)
            ax.tick_params(axis="x", labelsize=7)
            # A fixed number of bins (not "auto") keeps ticks, and so the layout, independent
            # of the panel size: saving the figure again gives the same bytes.
            ax.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
            ax.set_ylim(-0.6, n - 0.4)
            tag = stability_tag(run, topic)
            ax.set_title(
                topic_label(run, topic, width=14, english=True, prevalence=True, theme_mark=True),
                fontsize=9,
                loc="left",
                color="0.1",
                pad=11 if tag else 6,
            )
            unstable = is_unstable(run, topic)
            ax.text(0.0, 1.012, tag, transform=ax.transAxes, ha="left", va="bottom",
                    fontsize=7.5, color=UNSTABLE_COLOR if unstable else "0.4")  # fmt: skip
            if unstable:
                ax.set_facecolor(UNSTABLE_FACE)
            ax.spines["left"].set_visible(False)
            ax.xaxis.grid(True, color="0.9", linewidth=0.6)
            ax.set_axisbelow(True)
        for ax in axes[k:]:
            ax.set_axis_off()
        for ax in axes[(nrows - 1) * ncols : k]:
            ax.set_xlabel("tokens (estimated)", fontsize=7.5)
        fig.suptitle(
            f"主题词 Top terms per topic, ranked by relevance (λ = {lam:g})",
            x=0.01,
            ha="left",
            fontsize=11,
        )
        handles = [
            Patch(color="0.35", label="该主题 tokens in the topic ∝ p(w|k)"),
            Patch(color="0.35", alpha=0.25, label="全语料 observed count in the corpus"),
            Patch(
                facecolor="white",
                edgecolor="0.35",
                hatch="////",
                label="estimate above the observed count (seed prior)",
            ),
        ]
        note = f"{THEME_MARK} 种子主题 seeded theme topic;  {SEED_MARK} 种子词 seed word"
        cut = stability_threshold(run)
        if cut == cut:
            floor, ceiling = run.topics[["stability_floor", "stability_ceiling"]].iloc[0]
            handles.append(Patch(facecolor=UNSTABLE_FACE, edgecolor="none",
                                 label=f"不稳定 unstable: top-10 Jaccard against subsample fits "
                                       f"below {cut:.2f} (midway between floor {floor:.2f} "
                                       f"and ceiling {ceiling:.2f})"))  # fmt: skip
        fig.legend(
            handles=handles + [Patch(color="none", label=note)],
            loc="outside lower left",
            ncols=4,
            fontsize=7.5,
            frameon=False,
        )
    return freeze_layout(fig)
