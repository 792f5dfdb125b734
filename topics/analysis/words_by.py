"""How a topic's words change across the levels of a metadata column (years, places).

R's stm answers this with content covariates and ``labelTopics`` by level, keyATM with
``by_strata_TopicWord``, BERTopic with ``topics_over_time``. Here the fitted model is kept as it
is, and each level's words of a topic are read off the model's *per-token responsibilities*:
word w of document d belongs to topic k with probability φ_kw θ_dk / Σ_j φ_jw θ_dj, so the
expected count of w in topic k among a level's documents is

    n_Lkw = Σ_{d ∈ L} count(d, w) · φ_kw θ_dk / Σ_j φ_jw θ_dj.

A word's *weight* in topic k at level L is n_Lkw / n_Lk (its share of the topic's expected
tokens there). Each topic's words at a level are ranked by a stated score computed on the
level's smoothed topic-word matrix (:data:`METHODS`, relevance at λ = 0.6 by default, as in
every other term ranking of the package), and the table keeps, for every topic, the union of
each level's top ``n`` words, so each word can be followed across all levels.

*Change* is a word's weight at a level minus its weight at the reference level: the first
level of an ordered column (years: the first period), or all other levels pooled for a
category (which words one place uses and the others do not). Its interval comes from a
*cluster bootstrap*: the articles of each level are resampled with replacement (an article
carries all its paragraphs), and everything above is recomputed from the responsibilities.
Each level's draws are spread by √(n/(n−1)) for its n articles (the bootstrap's known
understatement of a mean's variance, large for small levels). The intervals are simultaneous
over a topic's listed words at one level (bootstrap max-|t|),
so "rising" (``signal``) means that the change is beyond what resampling produces for any of
that topic's words, not one lucky word among dozens.

Levels: a numeric column with more than ``periods`` values (years; 4 by default, at most
:data:`MAX_LEVELS`) is cut into that many periods of consecutive values holding about equal
numbers of articles (never splitting a value), else each value is a level; a category with more than :data:`MAX_LEVELS` values keeps the largest.
Levels with fewer than :data:`MIN_ARTICLES` articles are left out, with a warning.

>>> counts = sparse.csr_matrix([[4, 0, 1], [0, 3, 1]])
>>> theta = np.array([[0.8, 0.2], [0.5, 0.5]])
>>> phi = np.array([[0.5, 0.5, 0.0], [0.0, 0.0, 1.0]])
>>> expected_counts(counts, theta, phi).round(2).tolist()  # topics × words, both documents
[[4.0, 3.0, 0.0], [0.0, 0.0, 2.0]]
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from threadpoolctl import threadpool_limits

from topics.errors import TopicsWarning, input_error
from topics.model import terms
from topics.model.choices import LAMBDA, METHODS

#: Most levels a column keeps (the figure stays readable up to this many).
MAX_LEVELS = 20
#: Periods a numeric column with more values than this is cut into, by default.
PERIODS = 4
#: Fewest articles a level needs: with fewer, resampling cannot show its variability.
MIN_ARTICLES = 3
#: Bootstrap replicates behind each interval.
DRAWS = 200
#: Coverage of the intervals.
LEVEL = 0.95
#: Top words per topic and level that enter the table.
TOP_N = 10
#: Non-zero counts handled at once when computing responsibilities (bounds memory).
CHUNK = 200_000


# --- the core: plain arrays ---------------------------------------------------------------


def token_ratios(
    counts: sparse.csr_matrix, theta: np.ndarray, phi: np.ndarray
) -> sparse.csr_matrix:
    """``counts`` with each entry (d, w) divided by Σ_j θ_dj φ_jw, the model's probability of
    word w in document d: then θ_dk φ_kw times an entry is the expected count of w in topic k."""
    counts = sparse.csr_matrix(counts, dtype=float)
    rows = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))
    cols = counts.indices
    denominator = np.empty(counts.nnz)
    for start in range(0, counts.nnz, CHUNK):
        part = slice(start, start + CHUNK)
        denominator[part] = np.einsum("nk,kn->n", theta[rows[part]], phi[:, cols[part]])
    ratios = counts.copy()
    ratios.data = counts.data / np.maximum(denominator, 1e-300)
    return ratios


def expected_counts(counts: sparse.csr_matrix, theta: np.ndarray, phi: np.ndarray) -> np.ndarray:
    """Expected topic × word counts of the documents in ``counts`` (documents × words), from
    their topic shares ``theta`` (documents × topics) and the topic-word matrix ``phi``."""
    ratios = token_ratios(counts, theta, phi)
    return phi * np.asarray((ratios.T @ theta).T)


def pair_contributions(
    ratios: sparse.csr_matrix, theta: np.ndarray, phi: np.ndarray, pairs: np.ndarray
) -> sparse.csr_matrix:
    """Documents × pairs: each document's expected count of word w in topic k, for every
    (k, w) row of ``pairs``."""
    k, w = pairs[:, 0], pairs[:, 1]
    columns = sparse.csc_matrix(ratios)[:, w]  # documents × pairs, the ratio of each pair's word
    columns = sparse.csc_matrix(columns.multiply(phi[k, w][None, :]))
    # times θ_dk, column by column (each column belongs to one topic)
    data = columns.data * theta[columns.indices, np.repeat(k, np.diff(columns.indptr))]
    return sparse.csc_matrix((data, columns.indices, columns.indptr), shape=columns.shape).tocsr()


def topic_tokens(ratios: sparse.csr_matrix, theta: np.ndarray, phi: np.ndarray) -> np.ndarray:
    """Documents × topics: each document's expected tokens in each topic (rows sum to its
    length)."""
    return theta * np.asarray(ratios @ phi.T)


def bootstrap_weights(groups: np.ndarray, draws: int, seed: int = 0) -> np.ndarray:
    """``draws`` × units: how often each unit is drawn when every group's units are resampled
    with replacement (a cluster bootstrap within groups)."""
    rng = np.random.default_rng(seed)
    weights = np.zeros((draws, len(groups)))
    for group in np.unique(groups):
        members = np.flatnonzero(groups == group)
        picks = rng.integers(0, len(members), size=(draws, len(members)))
        for b in range(draws):
            weights[b] += np.bincount(members[picks[b]], minlength=len(groups))
    return weights


def level_scores(level_counts: np.ndarray, method: str, smoothing: float, lam: float) -> np.ndarray:
    """Topic × word scores of one level's expected counts (``method`` of :data:`METHODS`), on
    the counts plus ``smoothing`` pseudo-counts, so that a word absent there scores lowest."""
    smoothed = level_counts + smoothing
    phi = smoothed / smoothed.sum(axis=1, keepdims=True)
    frequency = smoothed.sum(axis=0)
    if method == "probability":
        return phi
    if method == "relevance":
        return terms.relevance(phi, frequency, lam)
    if method == "frex":
        return terms.frex(phi)
    return terms.lift(phi, frequency)


def simultaneous_bounds(
    estimate: np.ndarray, replicates: np.ndarray, families: np.ndarray, level: float = LEVEL
) -> tuple[np.ndarray, np.ndarray]:
    """Intervals est ± c·sd per column of ``replicates`` (draws × columns), with c the
    ``level`` quantile of the largest |t| within each family of columns (``families``: one
    label per column), so that all intervals of a family hold together with that coverage."""
    sd = replicates.std(axis=0, ddof=1)
    safe = np.where(sd > 0, sd, np.inf)
    t = np.abs(replicates - replicates.mean(axis=0)) / safe
    half = np.zeros_like(estimate)
    for family in np.unique(families):
        members = families == family
        critical = np.quantile(t[:, members].max(axis=1), level)
        half[members] = critical * sd[members]
    return estimate - half, estimate + half


# --- levels of a metadata column ------------------------------------------------------------


def period_labels(values: pd.Series, periods: int = PERIODS) -> pd.Series:
    """Numeric ``values`` (one per article) cut into ``periods`` runs of consecutive values
    with about equal numbers of articles, never splitting a value: labels ``"2000–2004"``
    (a single value stays itself). The rule behind numeric columns with many values.

    >>> period_labels(pd.Series([2000, 2000, 2001, 2002, 2003, 2003, 2004, 2005]), 2).tolist()
    ['2000–2002', '2000–2002', '2000–2002', '2000–2002', '2003–2005', '2003–2005', '2003–2005', '2003–2005']
    """
    numbers = pd.to_numeric(values)
    distinct = np.sort(numbers.dropna().unique())
    sizes = numbers.value_counts().reindex(distinct).to_numpy()
    cumulative = np.cumsum(sizes) / sizes.sum()
    # value i goes to the period its cumulative share (at its middle) falls into
    middle = cumulative - sizes / sizes.sum() / 2
    period = np.minimum((middle * periods).astype(int), periods - 1)
    labels = {}
    for p in np.unique(period):
        members = distinct[period == p]
        low, high = _plain(members[0]), _plain(members[-1])
        labels.update({v: f"{low}" if low == high else f"{low}–{high}" for v in members})
    return numbers.map(labels)


def _plain(value) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


@dataclass(frozen=True)
class Levels:
    """Each article's level (missing: left out), the levels in order, and how they were made."""

    of_article: pd.Series
    order: list[str]
    ordered: bool
    rule: str


def column_levels(
    articles: pd.DataFrame, column: str, periods: int = PERIODS, tokens: pd.Series | None = None
) -> Levels:
    """The levels of ``column`` per article (``articles``: ``article_id`` and the column)."""
    from topics.corpus.metadata import metadata_columns

    if column not in articles.columns:
        known = metadata_columns(articles)
        raise input_error(None, f"no metadata column {column!r}",
                          f"known: {', '.join(known)}" if known else "the corpus has no metadata")  # fmt: skip
    values = articles.set_index("article_id")[column]
    present = values.dropna()
    if present.empty:
        raise input_error(None, f"metadata column {column!r} has no values")
    numeric = pd.api.types.is_numeric_dtype(present)
    if numeric and present.nunique() > periods:
        labels = period_labels(present, periods).reindex(values.index)
        order = list(dict.fromkeys(labels.dropna().loc[present.sort_values(kind="stable").index]))
        rule = (f"{column} cut into {len(order)} periods of consecutive values with about equal "
                "numbers of articles")  # fmt: skip
        return Levels(labels, order, True, rule)
    if numeric:
        order = [str(_plain(v)) for v in np.sort(present.unique())]
        labels = values.map(lambda v: None if pd.isna(v) else str(_plain(v)))
        return Levels(labels, order, True, f"each value of {column} a level")
    labels = values.astype("string").astype(object).where(values.notna(), None)
    size = labels.value_counts() if tokens is None else tokens.groupby(labels).sum()
    order = sorted(size.index.astype(str))
    rule = f"each value of {column} a level"
    if len(order) > MAX_LEVELS:
        kept = set(size.sort_values(ascending=False, kind="stable").index[:MAX_LEVELS])
        order = [v for v in order if v in kept]
        labels = labels.where(labels.isin(kept), None)
        rule += f" (the {MAX_LEVELS} largest of {len(size)})"
    return Levels(labels, order, False, rule)


# --- a fitted run ---------------------------------------------------------------------------


@dataclass
class WordsBy:
    """The result of :func:`words_by`: the tidy ``table`` and how it was made.

    ``table``: one row per topic, word and level, with ``topic`` (T1…), ``label``, ``term``,
    ``level``, ``tokens`` (expected tokens of the word in the topic at the level), ``weight``
    (their share of the topic's expected tokens there), ``score`` and ``rank`` (by ``method``,
    within topic and level; 0: not among the level's top ``n``), ``reference``, ``change``
    (weight minus the reference's), ``low``, ``high`` and ``signal`` ("rising", "falling" or "").
    """

    table: pd.DataFrame
    column: str
    levels: list[str]
    ordered: bool
    rule: str
    method: str
    draws: int
    n_articles: int

    def describe(self) -> str:
        """What was computed, in one paragraph."""
        reference = "the first level" if self.ordered else "the other levels pooled"
        return (
            f"words by {self.column}: {len(self.levels)} levels ({self.rule}), "
            f"{self.n_articles} articles; words ranked by {self.method} within topic and level; "
            f"change = weight at a level minus at {reference}, {LEVEL:.0%} intervals "
            f"simultaneous over a topic's words, from {self.draws} bootstrap draws of the "
            "articles within levels"
        )

    def changes(self) -> pd.DataFrame:
        """The rows whose change is beyond the noise (``signal`` set), largest first."""
        rows = self.table[self.table["signal"] != ""]
        return rows.reindex(rows["change"].abs().sort_values(ascending=False).index)

    def wide(self) -> pd.DataFrame:
        """One row per topic and word, one column per level (the weight there), and the
        change from the reference to the last level with its interval."""
        weights = self.table.pivot_table(index=["topic", "label", "term"], columns="level",
                                         values="weight", sort=False)[self.levels]  # fmt: skip
        last = self.table[self.table["level"] == self.levels[-1]]
        last = last.set_index(["topic", "label", "term"])[["change", "low", "high", "signal"]]
        return weights.join(last).reset_index().rename_axis(columns=None)


def words_by(
    run,
    corpus,
    documents,
    column: str,
    n: int = TOP_N,
    method: str = "relevance",
    lam: float = LAMBDA,
    periods: int = PERIODS,
    draws: int = DRAWS,
    seed: int = 0,
    progress: bool = False,
) -> WordsBy:
    """Each topic's words per level of ``column``, with their change and its interval.

    ``run``: a :class:`~topics.model.runs.TopicRun`; ``corpus``: its prepared corpus (metadata
    per article); ``documents``: the token ids of ``corpus.paragraphs``, in its order
    (``pipeline.tokenize_paragraphs``). Paragraphs the model did not train on (near-duplicates)
    and articles that copy another are left out.

    >>> result = words_by(run, corpus, tokens, "year")  # doctest: +SKIP
    >>> result.changes().head()  # doctest: +SKIP
    """
    if not 2 <= periods <= MAX_LEVELS:
        raise input_error(None, f"periods must be between 2 and {MAX_LEVELS}, not {periods}")
    if method not in METHODS:
        raise input_error(None, f"method must be one of {', '.join(METHODS)}, not {method!r}")
    if draws < 20:
        raise input_error(None, f"draws must be at least 20 for {LEVEL:.0%} intervals, not {draws}")
    if n < 1:
        raise input_error(None, f"n must be at least 1, not {n}")
    data = _inputs(run, corpus, documents, column, periods)
    with threadpool_limits(1, user_api="blas"):  # small products: threads only wait here
        return _words_by(run, data, column, n, method, lam, draws, seed, progress)


@dataclass
class _Inputs:
    counts: sparse.csr_matrix  # kept paragraphs × words
    theta: np.ndarray  # kept paragraphs × topics
    article: np.ndarray  # kept paragraph → article number
    article_level: np.ndarray  # article number → level number
    order: list[str]
    levels: Levels


def _inputs(run, corpus, documents, column: str, periods: int) -> _Inputs:
    """The paragraphs with words, in articles that are no copy, with a level. A paragraph
    repeated in several reports belongs to each of them (as in :mod:`topics.analysis.effects`)."""
    para = corpus.paragraphs[["paragraph_id", "article_id"]].reset_index(drop=True)
    counts = sparse.csr_matrix(run.counts(documents))
    if counts.shape[0] != len(para):
        raise ValueError(f"{counts.shape[0]} tokenized paragraphs for {len(para)} in the corpus")
    shares = run.paragraphs.set_index("paragraph_id").reindex(para["paragraph_id"])
    copies = set(run.articles.loc[run.articles["duplicate_of"].notna(), "article_id"])
    lengths = np.asarray(counts.sum(axis=1)).ravel()
    keep = (lengths > 0) & ~para["article_id"].isin(copies).to_numpy()
    article_tokens = pd.Series(lengths[keep]).groupby(para["article_id"].to_numpy()[keep]).sum()
    levels = column_levels(corpus.articles, column, periods, article_tokens)
    level_of = para["article_id"].map(levels.of_article)
    keep &= level_of.notna().to_numpy()
    articles = para.loc[keep, "article_id"].drop_duplicates()
    per_level = levels.of_article.reindex(articles).value_counts()
    small = [lv for lv in levels.order if per_level.get(lv, 0) < MIN_ARTICLES]
    if small:
        warnings.warn(f"words by {column}: level(s) {', '.join(small)} left out: fewer than "
                      f"{MIN_ARTICLES} articles", TopicsWarning, stacklevel=3)  # fmt: skip
        keep &= ~level_of.isin(small).to_numpy()
    order = [lv for lv in levels.order if lv not in small]
    if len(order) < 2:
        raise input_error(None, f"metadata column {column!r} has fewer than 2 levels with "
                          f"{MIN_ARTICLES} or more articles", "nothing to compare")  # fmt: skip
    theta = np.nan_to_num(shares[run.topic_columns].to_numpy(dtype=float)[keep])
    ids, article = np.unique(para["article_id"].to_numpy()[keep], return_inverse=True)
    article_level = levels.of_article.reindex(ids).map(order.index).to_numpy(dtype=int)
    return _Inputs(counts[np.flatnonzero(keep)], theta, article, article_level, order, levels)


def _words_by(run, data: _Inputs, column: str, n: int, method: str, lam: float, draws: int,
              seed: int, progress: bool) -> WordsBy:  # fmt: skip
    from tqdm.auto import tqdm

    phi, theta, order = run.topic_word(), data.theta, data.order
    n_levels = len(order)
    ratios = token_ratios(data.counts, theta, phi)
    doc_level = data.article_level[data.article]
    eta = np.asarray(run.model.eta, dtype=float)
    smoothing = float(eta.min())  # the prior's base pseudo-count (seed words get more)
    scores = []
    for level in range(n_levels):
        rows = doc_level == level
        level_counts = phi * np.asarray((ratios[rows].T @ theta[rows]).T)
        scores.append(level_scores(level_counts, method, smoothing, lam))
    top = [np.argsort(-s, axis=1, kind="stable")[:, :n] for s in scores]
    pairs = np.array(sorted({(t, int(w)) for ranks in top for t in range(phi.shape[0])
                             for w in ranks[t]}))  # fmt: skip
    mixing = sparse.csr_matrix(  # articles × paragraphs
        (np.ones(len(data.article)), (data.article, np.arange(len(data.article)))),
        shape=(len(data.article_level), len(data.article)),
    )
    per_article = (mixing @ pair_contributions(ratios, theta, phi, pairs)).toarray()
    totals = (mixing @ topic_tokens(ratios, theta, phi))[:, pairs[:, 0]]  # articles × pairs
    resampled = bootstrap_weights(data.article_level, draws, seed)
    # the bootstrap understates a mean's variance by (n - 1) / n in a level of n articles:
    # each level's draws are spread by sqrt(n / (n - 1)) around the estimate to make up for it
    sizes = np.bincount(data.article_level)
    spread = np.sqrt(sizes / (sizes - 1))[data.article_level]
    resampled = 1 + (resampled - 1) * spread
    full = np.ones((1, len(data.article_level)))
    estimate_tokens = np.zeros((1, n_levels, len(pairs)))
    estimate_totals = np.zeros_like(estimate_tokens)
    boot_tokens = np.zeros((draws, n_levels, len(pairs)))
    boot_totals = np.zeros_like(boot_tokens)
    for level in tqdm(range(n_levels), desc=f"words by {column}", disable=not progress):
        members = data.article_level == level
        for weights, tokens, total in ((full, estimate_tokens, estimate_totals),
                                       (resampled, boot_tokens, boot_totals)):  # fmt: skip
            tokens[:, level] = weights[:, members] @ per_article[members]
            total[:, level] = weights[:, members] @ totals[members]
    weight, change = _changes(estimate_tokens, estimate_totals, data.levels.ordered)
    _, boot_change = _changes(boot_tokens, boot_totals, data.levels.ordered)
    families = np.arange(n_levels)[:, None] * phi.shape[0] + pairs[None, :, 0]
    low, high = simultaneous_bounds(change[0].ravel(), boot_change.reshape(draws, -1),
                                    families.ravel())  # fmt: skip
    low, high = low.reshape(n_levels, -1), high.reshape(n_levels, -1)
    if data.levels.ordered:  # the reference level's change is 0 by construction
        low[0], high[0] = np.nan, np.nan
    columns = {
        "tokens": estimate_tokens[0], "weight": weight[0], "change": change[0],
        "low": low, "high": high,
        "score": np.stack([s[pairs[:, 0], pairs[:, 1]] for s in scores]),
        "rank": np.stack([_rank_of(t, pairs) for t in top]),
    }  # fmt: skip
    table = _table(run, pairs, order, columns, data.levels.ordered)
    return WordsBy(table, column, order, data.levels.ordered, data.levels.rule, method, draws,
                   len(data.article_level))  # fmt: skip


def _changes(tokens: np.ndarray, totals: np.ndarray, ordered: bool):
    """Weights (draws × levels × pairs) and their change from the reference: the first level
    (ordered) or the other levels pooled."""
    weight = tokens / np.maximum(totals, 1e-12)
    if ordered:
        return weight, weight - weight[:, :1]
    rest_tokens = tokens.sum(axis=1, keepdims=True) - tokens
    rest_totals = totals.sum(axis=1, keepdims=True) - totals
    return weight, weight - rest_tokens / np.maximum(rest_totals, 1e-12)


def _rank_of(top: np.ndarray, pairs: np.ndarray) -> np.ndarray:
    """The 1-based rank of each (topic, word) pair among its topic's top words (0: not there)."""
    rank = np.zeros(len(pairs), dtype=int)
    for i, (topic, word) in enumerate(pairs):
        hit = np.flatnonzero(top[topic] == word)
        rank[i] = hit[0] + 1 if hit.size else 0
    return rank


def _table(run, pairs: np.ndarray, order: list[str], columns: dict, ordered: bool) -> pd.DataFrame:
    """The tidy table: one row per topic, word and level."""
    n_levels = len(order)
    vocab = np.asarray(run.fitted.vocabulary(), dtype=object)
    topic_names = np.asarray(run.topic_columns, dtype=object)
    labels = run.topics.set_index("name")["label"]
    table = pd.DataFrame({
        "topic": np.tile(topic_names[pairs[:, 0]], n_levels),
        "label": np.tile(labels.reindex(topic_names[pairs[:, 0]]).to_numpy(), n_levels),
        "term": np.tile(vocab[pairs[:, 1]], n_levels),
        "level": np.repeat(np.asarray(order, dtype=object), len(pairs)),
        "reference": order[0] if ordered else "others",
        **{name: values.ravel() for name, values in columns.items()},
    })  # fmt: skip
    table["signal"] = np.select([table["low"] > 0, table["high"] < 0], ["rising", "falling"], "")
    table["_topic"] = np.tile(pairs[:, 0], n_levels)
    table["_level"] = np.repeat(np.arange(n_levels), len(pairs))
    # each topic's words in the order of their largest weight over the levels
    table["_peak"] = table.groupby(["_topic", "term"])["weight"].transform("max")
    table = table.sort_values(["_topic", "_peak", "term", "_level"],
                              ascending=[True, False, True, True], kind="stable")  # fmt: skip
    order_columns = ["topic", "label", "term", "level", "tokens", "weight", "score", "rank",
                     "reference", "change", "low", "high", "signal"]  # fmt: skip
    return table[order_columns].reset_index(drop=True)
