"""Topic shares with their uncertainty: per value of a metadata column, and per article.

:func:`share_by` gives the token-weighted topic share per value of a metadata column (e.g.
topic share by year). :func:`theme_prevalence` gives each article's share of one theme's topic
with an interval by the method of composition (as in :mod:`topics.analysis.effects`): the
article's paragraphs' shares are drawn from their posterior Dirichlet(γ) and mixed by tokens.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from topics.analysis.effects import LEVEL, posterior_gamma, unit_matrix
from topics.analysis.passages import resolve_topic
from topics.corpus.metadata import metadata_columns
from topics.errors import input_error
from topics.model.runs import TopicRun
from topics.weighting import token_weighted_means

#: Posterior draws behind each article's interval (one topic at a time, so cheap).
INTERVAL_DRAWS = 1000
CHUNK = 100


def theme_prevalence(
    run: TopicRun, theme_or_topic: str | int, draws: int = INTERVAL_DRAWS, seed: int = 0
) -> pd.DataFrame:
    """Per article: the share of a theme's (or topic's) topic with a 95% interval.

    The share is the token-weighted mean over the article's paragraphs (as in
    ``run.articles``). The interval takes the 2.5 and 97.5 percentiles over ``draws`` draws of
    that mean, each paragraph's share drawn from its posterior Beta(γ_k, Σγ − γ_k) (the
    topic's marginal of Dirichlet(γ)) with ``numpy.random.default_rng(seed)``: it carries the
    model's uncertainty, which is larger for short paragraphs. Columns: article_id,
    short_title, share, low, high, n_paragraphs (with words).
    """
    if draws < 1:
        raise ValueError(f"draws must be at least 1, got {draws}")
    is_theme = isinstance(theme_or_topic, str) and not re.fullmatch(r"[Tt]?\d+", theme_or_topic)
    k = resolve_topic(run, **{"theme" if is_theme else "topic": theme_or_topic})
    para = run.paragraphs[(run.paragraphs["n_tokens"] > 0) & run.paragraphs[f"T{k}"].notna()]
    n_tokens = para["n_tokens"].to_numpy(dtype=float)
    gamma = posterior_gamma(para[run.topic_columns].to_numpy(float), n_tokens, run.model.alpha)
    ids, mixing = unit_matrix(para["article_id"], n_tokens)
    rng = np.random.default_rng(seed)
    a, b = gamma[:, k - 1], gamma.sum(axis=1) - gamma[:, k - 1]
    chunks = [  # a few draws at a time: memory stays bounded for large corpora
        mixing @ rng.beta(a, b, size=(min(CHUNK, draws - start), len(a))).T
        for start in range(0, draws, CHUNK)
    ]
    tail = (1 - LEVEL) / 2
    low, high = np.quantile(np.hstack(chunks), [tail, 1 - tail], axis=1)
    stats = pd.DataFrame(
        {"share": mixing @ para[f"T{k}"].to_numpy(float), "low": low, "high": high,
         "n_paragraphs": np.diff(mixing.indptr)}, index=ids,
    )  # fmt: skip
    table = run.articles[["article_id", "short_title"]].join(stats, on="article_id")
    table["n_paragraphs"] = table["n_paragraphs"].fillna(0).astype(int)
    return table.reset_index(drop=True)


def share_by(
    table: pd.DataFrame,
    column: str,
    metadata: pd.DataFrame | None = None,
    topics: Sequence[str] | None = None,
    include_duplicates: bool = False,
) -> pd.DataFrame:
    """Token-weighted topic share per value of a metadata ``column`` (e.g. topic share by year).

    ``table``: a run's ``articles`` or ``paragraphs`` (topic columns ``T1``… and ``n_tokens``).
    When ``column`` is not in it, it is taken from ``metadata`` (the prepared corpus's table of
    the same unit) through the shared id. Duplicates are left out unless ``include_duplicates``.
    Returns one row per value: ``n`` units, ``n_tokens`` and the topic shares (rows sum to 1).

    >>> runs = pd.DataFrame({"article_id": ["a", "b", "c"], "n_tokens": [10, 30, 20],
    ...                      "T1": [1.0, 0.0, 0.5], "T2": [0.0, 1.0, 0.5]})
    >>> meta = pd.DataFrame({"article_id": ["a", "b", "c"], "year": [2019, 2019, 2020]})
    >>> share_by(runs, "year", meta)
       year  n  n_tokens    T1    T2
    0  2019  2        40  0.25  0.75
    1  2020  1        20  0.50  0.50
    """
    topics = list(topics) if topics is not None else [c for c in table if re.fullmatch(r"T\d+", c)]
    if not topics:
        raise input_error(None, "the table has no topic columns (T1, T2, …)")
    if column not in table.columns:
        if metadata is None or column not in metadata.columns:
            known = metadata_columns(metadata) if metadata is not None else []
            raise input_error(
                None, f"no metadata column {column!r}",
                f"known: {', '.join(known)}" if known else "the corpus has no metadata columns",
            )  # fmt: skip
        key = next(k for k in ("paragraph_id", "article_id", "page_id") if k in table)
        table = table.merge(metadata[[key, column]], on=key, how="left")
    if not include_duplicates and "duplicate_of" in table.columns:
        table = table[table["duplicate_of"].isna()]
    weights = table["n_tokens"].fillna(0).to_numpy(dtype=float)
    shares = table[topics].to_numpy(dtype=float)
    usable = (weights > 0) & np.isfinite(shares).all(axis=1) & table[column].notna().to_numpy()
    means = token_weighted_means(
        shares[usable], weights[usable], table[column].to_numpy()[usable], sort=True
    )
    grouped = pd.DataFrame(means.means, columns=topics)
    grouped.insert(0, column, means.groups)
    grouped.insert(1, "n", means.sizes)
    grouped.insert(2, "n_tokens", means.weights.astype(int))
    return grouped
