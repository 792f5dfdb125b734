"""The rule that recommends K from a K-selection table: pure pandas, cheap to import.

Plots import it to draw the thresholds; :mod:`topics.model.evaluate` builds the table (one row
per K and topic of the full-data fit).

The thresholds are properties of the measures, not of a corpus:

- ``STABLE``: a topic is stable when its mean top-10 Jaccard against the subsample fits is at
  least 0.5, that is when on average two of every three of its top words come back (two
  10-word lists sharing m words have Jaccard m / (20 − m); m = 6.7 gives 0.5). Below it, a
  reader would see a different topic in a third or more of its top words.
- ``MIN_THEME_SEEDS``: a seeded theme forms a topic of its own when at least 3 of its seed
  words are among that topic's top 10 (a single seed word can be there by chance).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

STABLE = 0.5  # a topic (or a model, on average) is stable from this mean top-10 Jaccard
MIN_THEME_SEEDS = 3  # seed words every theme topic needs among its top 10 words

#: Per-K columns of :func:`k_summary` averaged over topics.
MEANS = ["stability", "stability_js", "c_npmi", "npmi_paragraph", "c_v", "u_mass",
         "diversity", "perplexity", "perplexity_unigram"]  # fmt: skip


def k_summary(table: pd.DataFrame) -> pd.DataFrame:
    """One row per K (sorted): the means over topics of :data:`MEANS`, ``stable_topics`` (how
    many topics reach ``STABLE``), ``theme_seeds`` (fewest seed words any theme topic keeps in
    its top 10; NaN without themes), ``beats_unigram`` (held-out perplexity below that of word
    frequencies alone; True when not measured) and ``qualifies``: mean stability ≥ ``STABLE``,
    every theme forms (``theme_seeds`` ≥ ``MIN_THEME_SEEDS``) and the topics beat word
    frequencies. Step 1 of :func:`recommend`."""
    if table.empty:
        raise ValueError("the table has no fitted K to recommend from")
    groups = table.groupby("k")
    means = groups[[c for c in MEANS if c in table]].mean()
    means["topics"] = groups.size()
    # standard error of the mean stability over topics (0 for a single topic)
    means["stability_se"] = groups["stability"].std(ddof=1).fillna(0) / means["topics"] ** 0.5
    means["stable_topics"] = groups["stability"].apply(lambda s: int((s >= STABLE).sum()))
    means["theme_seeds"] = groups["seeds_in_top"].min()
    themes_form = means["theme_seeds"].isna() | (means["theme_seeds"] >= MIN_THEME_SEEDS)
    if "perplexity_unigram" in means:
        means["beats_unigram"] = ~(means["perplexity"] >= means["perplexity_unigram"])
    else:
        means["beats_unigram"] = True
    means["qualifies"] = (means["stability"] >= STABLE) & themes_form & means["beats_unigram"]
    return means


@dataclass(frozen=True)
class Recommendation:
    """The recommended ``k``; ``qualified`` is False when no K met the criteria (``k`` is then
    the most stable K of all, to be read with care); ``at_edge`` when ``k`` is the smallest
    or largest K of the grid (the best K may lie outside it)."""

    k: int
    qualified: bool
    at_edge: bool
    grid: tuple[int, ...]

    def notes(self) -> list[str]:
        """What a reader must know about this recommendation, one sentence each."""
        notes = []
        if not self.qualified:
            notes.append(
                f"no K meets the criteria (mean stability >= {STABLE:g}, held-out perplexity "
                f"below word frequencies', every theme topic with >= {MIN_THEME_SEEDS} seed "
                f"words in its top 10): K = {self.k} is only "
                "the most stable K"
            )
        if self.at_edge:
            side = "largest" if self.k == max(self.grid) else "smallest"
            notes.append(
                f"K = {self.k} is the {side} K of the grid {list(self.grid)}: "
                "extend [select_k] ks to see whether another K is better"
            )
        return notes


def recommend(table: pd.DataFrame) -> Recommendation:
    """The recommended K from a :func:`~topics.model.evaluate.select_k` table:

    1. keep the K whose topics are stable on average (mean top-10 Jaccard against the
       subsample fits ≥ ``STABLE``), predict held-out paragraphs better than word frequencies
       alone (held-out perplexity below the unigram model's: there are topics to find) and,
       with seeded themes, where every theme forms a topic of its own (≥ ``MIN_THEME_SEEDS``
       seed words in its top 10);
    2. among them find the highest mean stability (Greene, O'Callaghan & Cunningham 2014: the
       K whose topics come back most often under resampling), and take the smallest K whose
       mean stability is within one standard error (over its topics) of it: the usual
       one-standard-error rule, which prefers fewer topics when more are not measurably more
       stable (exact ties go to the smaller K too);
    3. if no K qualifies, do the same among all K and say so (``qualified`` False).

    Coherence, perplexity and diversity are shown beside it but do not decide: their scales
    depend on the corpus, so no threshold on them holds everywhere.

    >>> table = pd.DataFrame({"k": [4] * 4 + [6] * 6, "seeds_in_top": float("nan"),
    ...                       "stability": [0.9] * 4 + [0.95] * 5 + [0.9]})
    >>> recommend(table)
    Recommendation(k=6, qualified=True, at_edge=True, grid=(4, 6))
    """
    summary = k_summary(table)
    pool = summary[summary["qualifies"]] if summary["qualifies"].any() else summary
    top = pool["stability"].idxmax()
    within = pool["stability"] >= pool.at[top, "stability"] - pool.at[top, "stability_se"]
    best = int(pool.index[within].min())
    grid = tuple(int(k) for k in summary.index)
    at_edge = len(grid) > 1 and best in (grid[0], grid[-1])
    return Recommendation(best, bool(summary["qualifies"].any()), at_edge, grid)


def recommend_k(table: pd.DataFrame) -> int:
    """The K of :func:`recommend`."""
    return recommend(table).k


def explain(table: pd.DataFrame) -> str:
    """The recommended K, the rule (with its thresholds) that chose it, and its notes."""
    choice = recommend(table)
    lines = [
        f"recommended K = {choice.k}: among K whose topics are stable on average (mean top-10 "
        f"Jaccard against the subsample fits >= {STABLE:g}), predict left-out paragraphs better "
        f"than word frequencies and keep at least {MIN_THEME_SEEDS} seed words in each theme "
        "topic's top 10, the smallest within one standard error of the most stable"
    ]
    return "\n".join([*lines, *(f"note: {note}" for note in choice.notes())])
