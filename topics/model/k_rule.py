"""The rule that recommends K from a K-selection table: pure pandas, cheap to import.

Plots import it to draw the thresholds; :mod:`topics.model.evaluate` builds the table (one row
per K and topic of the full-data fit, with per-K columns: draws, the standard error over
draws, the floor and the ceiling of stability).

The thresholds are properties of the measures, not of a corpus:

- **stable**: a model (or one of its topics) is stable when its stability is at least
  :func:`threshold`, midway between the floor (tokens shuffled across paragraphs: no topics
  exist) and the ceiling (a corpus sampled from the fitted model and refitted: the topics
  exist and are the model's) measured at the same K on the same draws' sizes. Above it, the
  topics come back more like real topics than like chance splits of the vocabulary. The
  floor moves with K (few topics split any vocabulary alike) and the ceiling with the size
  of the corpus (0.85 at 208 paragraphs, 0.92 at 5,000), so no fixed number holds for every
  corpus.
- ``MIN_THEME_SEEDS``: a seeded theme forms a topic of its own when at least 3 of its seed
  words are among that topic's top 10 (a single seed word can be there by chance).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

MIN_THEME_SEEDS = 3  # seed words every theme topic needs among its top 10 words

#: Per-K columns of :func:`k_summary` averaged over topics.
MEANS = ["stability", "stability_js", "c_npmi", "npmi_paragraph", "c_v", "u_mass",
         "diversity", "perplexity", "perplexity_unigram"]  # fmt: skip
#: Per-K columns of the table, the same on each topic's row.
PER_K = ["draws", "stability_se", "stability_floor", "stability_ceiling"]


def threshold(floor: float, ceiling: float) -> float:
    """Where stability counts as stable: midway between ``floor`` and ``ceiling``.

    >>> threshold(0.32, 0.86)
    0.59
    """
    return round(floor + (ceiling - floor) / 2, 10)


def k_summary(table: pd.DataFrame) -> pd.DataFrame:
    """One row per K (sorted): the means over topics of :data:`MEANS`; ``draws``,
    ``stability_se`` (standard error over draws of the model-level stability), the floor,
    ceiling and ``threshold`` (NaN where not measured); ``stable_topics`` (topics at or above
    the threshold); ``themes_formed`` (theme topics with ≥ ``MIN_THEME_SEEDS`` seed words in
    their top 10); ``beats_unigram`` (held-out perplexity below that of word frequencies
    alone; True when not measured); ``stable`` (stability ≥ threshold; NA until the floor and
    ceiling are measured) and ``qualifies`` (stable and beats word frequencies)."""
    if table.empty:
        raise ValueError("the table has no fitted K to recommend from")
    groups = table.groupby("k")
    means = groups[[c for c in MEANS if c in table]].mean()
    means["topics"] = groups.size()
    for column in PER_K:
        means[column] = groups[column].first() if column in table else np.nan
    means["threshold"] = threshold(means["stability_floor"], means["stability_ceiling"])
    at = table["k"].map(means["threshold"])
    means["stable_topics"] = (table["stability"] >= at).groupby(table["k"]).sum().astype(int)
    if "seeds_in_top" in table:
        seeds = table.dropna(subset=["seeds_in_top"])
        formed = (seeds["seeds_in_top"] >= MIN_THEME_SEEDS).groupby(seeds["k"]).sum()
        means["themes_formed"] = formed.reindex(means.index).fillna(0).astype(int)
    else:
        means["themes_formed"] = 0
    if "perplexity_unigram" in means:
        means["beats_unigram"] = ~(means["perplexity"] >= means["perplexity_unigram"])
    else:
        means["beats_unigram"] = True
    known = means["threshold"].notna() & means["stability"].notna()
    stable = pd.array([pd.NA] * len(means), dtype="boolean")
    stable[known.to_numpy()] = (means["stability"] >= means["threshold"])[known].to_numpy()
    means["stable"] = stable
    means["qualifies"] = (means["stable"].fillna(False) & means["beats_unigram"]).astype(bool)
    return means


def themes_never_formed(table: pd.DataFrame) -> list[str]:
    """Theme ids whose topic keeps fewer than ``MIN_THEME_SEEDS`` seed words at every K."""
    if "theme" not in table or "seeds_in_top" not in table:
        return []
    themes = table[(table["theme"].astype(str) != "") & table["seeds_in_top"].notna()]
    best = themes.groupby("theme", sort=False)["seeds_in_top"].max()
    return [theme for theme, seeds in best.items() if not seeds >= MIN_THEME_SEEDS]


@dataclass(frozen=True)
class Recommendation:
    """The recommended ``k`` and why (``reason``). ``qualified`` is False when no K
    qualifies (``k`` is then the most stable K, which ``k = "auto"`` falls back to);
    ``at_edge`` when ``k`` is the smallest or largest K of the grid; ``pending``: K whose
    draws or floor and ceiling must be measured before the answer holds (empty once the
    table is complete); ``ignored_themes``: themes that form at no K of the grid."""

    k: int
    qualified: bool
    at_edge: bool
    grid: tuple[int, ...]
    reason: str = ""
    pending: tuple[int, ...] = ()
    ignored_themes: tuple[str, ...] = ()

    def notes(self) -> list[str]:
        """What a reader must know beside the reason, one sentence each."""
        notes = []
        if self.ignored_themes:
            notes.append(
                f"theme(s) {', '.join(self.ignored_themes)} form at no K of the grid (fewer "
                f"than {MIN_THEME_SEEDS} seed words in their topic's top 10): ignored by the rule"
            )
        if self.at_edge and self.qualified:
            side = "largest" if self.k == max(self.grid) else "smallest"
            if side == "largest" or self.k > 2:
                notes.append(
                    f"K = {self.k} is the {side} K of the grid {list(self.grid)}: add "
                    f"{'larger' if side == 'largest' else 'smaller'} K to [select_k] ks to see "
                    "whether another K is better"
                )
        if self.pending and not self.reason.startswith("no K"):
            notes.append(
                f"K = {_ks(self.pending)} not yet measured with every draw or against its floor "
                "and ceiling: this answer is provisional"
            )
        return notes


def _ks(ks) -> str:
    return ", ".join(str(int(k)) for k in ks)


def _stability_text(row: pd.Series) -> str:
    text = f"{row['stability']:.2f}"
    if row["stability_se"] == row["stability_se"]:
        text += f" ± {row['stability_se']:.2f} over {int(row['draws'])} draws"
    return text


def recommend(table: pd.DataFrame, resamples: int | None = None) -> Recommendation:
    """The recommended K from a :func:`~topics.model.evaluate.select_k` table:

    1. a K qualifies when its topics predict held-out paragraphs better than word frequencies
       alone (held-out perplexity below the unigram model's: there are topics to find) and
       its stability reaches :func:`threshold` (midway between floor and ceiling);
    2. themes that form at no K of the grid are reported and ignored; among qualifying K keep
       those where the most themes form (≥ ``MIN_THEME_SEEDS`` seed words in the top 10);
    3. among those, find the most stable (Greene, O'Callaghan & Cunningham 2014) and take the
       smallest K whose stability is within one standard error (over draws) of it: fewer
       topics unless more are measurably more stable (exact ties go to the smaller K too);
    4. if no K qualifies, say which criterion fails at which K and what to change; ``k`` is
       then the most stable K of the grid.

    A K whose floor and ceiling are not measured yet counts as possibly stable; the K the
    rule would answer with, and the most stable K it is compared with, are listed in
    ``pending`` until they are measured (and, with ``resamples``, have that many draws).
    Coherence and diversity are shown beside it but do not decide: their scales depend on
    the corpus, so no threshold on them holds everywhere.

    >>> table = pd.DataFrame({"k": [4] * 4 + [6] * 6, "stability": [0.9] * 4 + [0.95] * 6,
    ...                       "stability_se": 0.01, "draws": 8, "stability_floor": 0.3,
    ...                       "stability_ceiling": 0.9})
    >>> choice = recommend(table)
    >>> choice.k, choice.qualified
    (6, True)
    """
    summary = k_summary(table)
    grid = tuple(int(k) for k in summary.index)
    ignored = tuple(themes_never_formed(table))
    presumed = _presumed_unstable(summary)
    open_ = summary["stable"].fillna(True).astype(bool) & ~summary.index.isin(presumed)
    possible = summary[summary["beats_unigram"] & open_ & summary["stability"].notna()]
    if possible.empty:
        k = int(summary["stability"].idxmax()) if summary["stability"].notna().any() else grid[0]
        reason = _no_k_reason(summary, k, presumed=presumed)
        return Recommendation(k, False, False, grid, reason, (), ignored)
    pool = possible[possible["themes_formed"] == possible["themes_formed"].max()]
    top = int(pool["stability"].idxmax())
    se = pool.at[top, "stability_se"]
    within = pool["stability"] >= pool.at[top, "stability"] - (0 if se != se else se)
    best = int(pool.index[within].min())
    pending = tuple(
        k for k in sorted({best, top})
        if summary.at[k, "stable"] is pd.NA
        or (resamples is not None and summary.at[k, "draws"] < resamples)
    )  # fmt: skip
    at_edge = len(grid) > 1 and best in (grid[0], grid[-1])
    failed = summary["stable"].fillna(True).astype(bool)
    if pending and not failed.all():  # some K failed, the next are not checked: no answer
        k = int(summary["stability"].idxmax())
        unchecked = [int(k) for k in possible.index if summary.at[k, "stable"] is pd.NA]
        reason = _no_k_reason(summary, k, unchecked, presumed)
        return Recommendation(k, False, False, grid, reason, pending, ignored)
    reason = _answer_reason(summary, pool, best, top, len(possible) > len(pool))
    return Recommendation(best, not pending, at_edge, grid, reason, pending, ignored)


def _answer_reason(
    summary: pd.DataFrame, pool: pd.DataFrame, best: int, top: int, themes_decided: bool
) -> str:
    row = summary.loc[best]
    parts = [
        f"its topics are stable ({_stability_text(row)}; threshold {row['threshold']:.2f}, "
        f"midway between the floor {row['stability_floor']:.2f} and the ceiling "
        f"{row['stability_ceiling']:.2f})"
        if row["threshold"] == row["threshold"]
        else f"its stability {_stability_text(row)} is not yet read against its floor and ceiling"
    ]
    if row.get("perplexity", np.nan) == row.get("perplexity", np.nan):
        parts.append(
            f"they predict left-out paragraphs better than word frequencies (perplexity "
            f"{row['perplexity']:.0f} against {row['perplexity_unigram']:.0f})"
        )
    if themes_decided:
        parts.append(f"{int(row['themes_formed'])} theme(s) form, the most of any qualifying K")
    if best == top:
        parts.append("it is the most stable qualifying K")
    else:
        parts.append(
            f"it is the smallest K within one standard error of the most stable qualifying K "
            f"(K = {top}: {_stability_text(summary.loc[top])})"
        )
    return f"K = {best}, because " + "; ".join(parts)


def _below(value: float, cut: float) -> str:
    """``value < cut`` with enough decimals to tell them apart.

    >>> _below(0.616, 0.6204)
    '0.616 < 0.620'
    """
    digits = 2 if round(value, 2) != round(cut, 2) else 3
    return f"{value:.{digits}f} < {cut:.{digits}f}"


def _presumed_unstable(summary: pd.DataFrame) -> list[int]:
    """K not checked against their floor and ceiling whose stability lies more than two
    standard errors (0.1 when unknown) below the lowest threshold measured at any K: the
    threshold varies little between K beyond the smallest, so they would fail it."""
    lowest = summary["threshold"].min()
    if lowest != lowest:
        return []
    reach = summary["stability"] + 2 * summary["stability_se"].fillna(0.05)
    unchecked = summary["stable"].isna()
    return [int(k) for k in summary.index[unchecked & (reach < lowest)]]


def _no_k_reason(
    summary: pd.DataFrame, fallback: int, unchecked: list[int] = (), presumed: list[int] = ()
) -> str:
    failures, advice = [], []
    if summary["stability"].isna().all():
        failures.append("stability is not measured ([select_k] resamples = 0)")
        advice.append("set [select_k] resamples to 8")
    noisy = [k for k, ok in summary["beats_unigram"].items() if not ok]
    if noisy:
        failures.append(f"held-out perplexity is not below word frequencies' at K = {_ks(noisy)}")
    unstable = [k for k, ok in summary["stable"].items() if ok is not pd.NA and not ok]
    if unstable:
        shown = ", ".join(
            f"K = {k} ({_below(summary.at[k, 'stability'], summary.at[k, 'threshold'])})"
            for k in unstable
        )
        failures.append(f"stability is below its threshold at {shown}")
    if presumed:
        shown = ", ".join(f"K = {k} ({summary.at[k, 'stability']:.2f})" for k in presumed)
        failures.append(
            f"stability is more than two standard errors below the lowest threshold measured "
            f"({summary['threshold'].min():.2f}) at {shown}, not checked further"
        )
    if unchecked:
        failures.append(
            f"K = {_ks(unchecked)} were not checked against their floor and ceiling (a K "
            "selection checks at most two K, in the rule's order: most themes formed, then "
            "most stable)"
        )
    if len(noisy) == len(summary):
        advice.append(
            "no K finds word patterns beyond word frequencies: check that the documents are "
            "real text and the tokens (stoplists, user dictionary) are words"
        )
    elif unstable or presumed:
        smaller = min(summary.index) > 2
        advice.append(
            ("add smaller K to [select_k] ks, " if smaller else "")
            + "add documents, or make longer ones (paragraphs that carry one subject each)"
        )
    text = "no K qualifies: " + "; ".join(failures)
    if advice:
        text += ". To change: " + "; ".join(advice)
    if summary["stability"].notna().any():
        text += (
            f'. k = "auto" falls back to K = {fallback}, the most stable K of the grid '
            f"({summary.at[fallback, 'stability']:.2f}), without that warrant"
        )
    return text


def recommend_k(table: pd.DataFrame) -> int:
    """The K of :func:`recommend`."""
    return recommend(table).k


def explain(table: pd.DataFrame) -> str:
    """The recommendation with its reason (or why no K qualifies), and its notes."""
    choice = recommend(table)
    lines = [f"recommended {choice.reason}" if choice.qualified else choice.reason]
    return "\n".join([*lines, *(f"note: {note}" for note in choice.notes())])
