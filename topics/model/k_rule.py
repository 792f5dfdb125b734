"""The rule that recommends K from a K-selection table: pure pandas, cheap to import.

Plots import it to draw the thresholds; :mod:`topics.model.evaluate` builds the table.
"""

from __future__ import annotations

import pandas as pd

MIN_STABILITY = 0.8  # recommend_k: mean seed stability (top-10 Jaccard) a K must reach ...
MIN_DIVERSITY = 0.8  # ... and mean diversity of top-25 words ...
MIN_THEME_SEEDS = 3  # ... and seed words every theme topic has among its top 10 words


def qualifying_k(table: pd.DataFrame) -> pd.DataFrame:
    """Means over seeds per K (sorted) with a column ``qualifies``: step 1 of :func:`recommend_k`."""
    if table.empty:
        raise ValueError("the table has no fitted K to recommend from")
    columns = ["stability", "diversity", "c_npmi", "theme_seeds"]
    means = table.reindex(columns=["k", *columns]).groupby("k").mean()
    ok = (means["stability"] >= MIN_STABILITY) & (means["diversity"] >= MIN_DIVERSITY)
    means["qualifies"] = ok & (
        means["theme_seeds"].isna() | (means["theme_seeds"] >= MIN_THEME_SEEDS)
    )
    return means


def recommend_k(table: pd.DataFrame) -> int:
    """The recommended K from a :func:`select_k` table, by this rule on the means over seeds:

    1. keep the K whose mean stability ≥ 0.8 and mean diversity ≥ 0.8 (topics that come back
       with another seed and do not share their top words) and, with seeded themes, mean
       theme_seeds ≥ 3 (every theme forms a topic of its own);
    2. among them (or among all K, if none qualifies) take the highest mean c_npmi;
    3. ties go to the smaller K.

    Why the theme gate: c_npmi favours few broad topics. On the bundled corpus K = 4 scores
    the best c_npmi, but there the finance and village-autonomy seeds do not form topics.

    >>> table = pd.DataFrame({"k": [4, 6, 8], "stability": [0.9, 0.95, 0.7],
    ...                       "diversity": [0.9, 0.85, 0.9], "c_npmi": [0.02, 0.05, 0.09]})
    >>> recommend_k(table)
    6
    """
    means = qualifying_k(table)
    pool = means[means["qualifies"]] if means["qualifies"].any() else means
    return int(pool["c_npmi"].idxmax())  # idxmax takes the first maximum: the smaller K


def k_summary(table: pd.DataFrame) -> pd.DataFrame:
    """One row per K: the mean of every measure over seeds, and whether the K ``qualifies``."""
    means = table.drop(columns=["seed", "large_k"], errors="ignore").groupby("k").mean()
    means["qualifies"] = qualifying_k(table)["qualifies"]
    return means.reset_index()


def explain(table: pd.DataFrame, best: int) -> str:
    """One sentence: the recommended K and the rule (with its thresholds) that chose it."""
    rule = (
        f"among K with mean stability >= {MIN_STABILITY} and diversity >= {MIN_DIVERSITY} whose "
        f"theme topics keep at least {MIN_THEME_SEEDS} seed words in their top 10, the highest "
        "mean c_npmi"
    )
    if not qualifying_k(table)["qualifies"].any():
        return (
            f"recommended K = {best}: no K qualifies ({rule}; stability needs two seeds or more),"
            " so the highest mean c_npmi of all"
        )
    return f"recommended K = {best}: {rule}"
