"""Rank the terms of fitted topics by probability, relevance, lift and FREX.

``topic_word`` is a (K, V) array whose rows are probability distributions over a vocabulary
of V terms (e.g. gensim's ``LdaModel.get_topics()``); ``term_frequency`` holds the corpus
count of each term. Relevance and lift follow LDAvis (Sievert & Shirley 2014), FREX follows
``calcfrex`` in R's stm (Roberts et al.).
"""

from collections.abc import Sequence

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from topics.model.choices import LAMBDA, METHODS

ATOL = 1e-6


def _as_matrix(x: ArrayLike, name: str) -> np.ndarray:
    """Return ``x`` as a non-empty, finite, non-negative 2-D float array."""
    m = np.asarray(x, dtype=float)
    if m.ndim != 2 or m.size == 0:
        raise ValueError(f"{name} must be a non-empty 2-D array, got shape {m.shape}")
    if not np.all(np.isfinite(m)):
        raise ValueError(f"{name} contains NaN or infinite values")
    if np.any(m < 0):
        raise ValueError(f"{name} contains negative values")
    return m


def _check_topic_word(topic_word: ArrayLike) -> np.ndarray:
    phi = _as_matrix(topic_word, "topic_word")
    sums = phi.sum(axis=1)
    bad = np.flatnonzero(np.abs(sums - 1.0) > ATOL)
    if bad.size:
        raise ValueError(
            f"topic_word rows must sum to 1 (row {bad[0]} sums to {sums[bad[0]]:.6g}); "
            "use normalize_rows first"
        )
    return phi


def _term_probability(term_frequency: ArrayLike, n_terms: int) -> np.ndarray:
    tf = np.asarray(term_frequency, dtype=float)
    if tf.shape != (n_terms,):
        raise ValueError(f"term_frequency must have shape ({n_terms},), got {tf.shape}")
    if not np.all(np.isfinite(tf)) or np.any(tf <= 0):
        raise ValueError("term_frequency must be finite and positive for every term")
    return tf / tf.sum()


def _check_weight(value: float, name: str) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be between 0 and 1, got {value}")


def normalize_rows(counts: ArrayLike) -> np.ndarray:
    """Scale each row of a non-negative matrix so that it sums to one.

    Parameters
    ----------
    counts : array_like, shape (K, V)
        Non-negative weights, e.g. topic-word pseudo-counts.

    Returns
    -------
    numpy.ndarray, shape (K, V)

    Examples
    --------
    >>> normalize_rows([[1, 3], [2, 2]]).tolist()
    [[0.25, 0.75], [0.5, 0.5]]
    """
    m = _as_matrix(counts, "counts")
    sums = m.sum(axis=1)
    bad = np.flatnonzero(sums <= 0)
    if bad.size:
        raise ValueError(f"counts row {bad[0]} sums to zero and cannot be normalised")
    return m / sums[:, None]


def relevance(topic_word: ArrayLike, term_frequency: ArrayLike, lam: float = LAMBDA) -> np.ndarray:
    """LDAvis relevance: ``lam * log p(w|k) + (1 - lam) * log(p(w|k) / p(w))``.

    ``p(w)`` is ``term_frequency / term_frequency.sum()``. ``lam=1`` ranks by probability,
    ``lam=0`` by lift. Terms with ``p(w|k) = 0`` score ``-inf``.

    Returns
    -------
    numpy.ndarray, shape (K, V)

    Examples
    --------
    >>> phi = [[0.6, 0.3, 0.1], [0.1, 0.3, 0.6]]
    >>> relevance(phi, [35, 30, 35], lam=1.0).round(2).tolist()
    [[-0.51, -1.2, -2.3], [-2.3, -1.2, -0.51]]
    """
    phi = _check_topic_word(topic_word)
    pw = _term_probability(term_frequency, phi.shape[1])
    _check_weight(lam, "lam")
    with np.errstate(divide="ignore"):
        log_phi = np.log(phi)
    # Algebraically equal to lam*log(phi) + (1-lam)*log(phi/pw), but avoids 0 * -inf = nan.
    return log_phi - (1.0 - lam) * np.log(pw)


def lift(topic_word: ArrayLike, term_frequency: ArrayLike) -> np.ndarray:
    """Lift ``p(w|k) / p(w)``: how much more likely a term is in the topic than overall.

    Returns
    -------
    numpy.ndarray, shape (K, V)

    Examples
    --------
    >>> lift([[0.5, 0.5, 0.0], [0.0, 0.5, 0.5]], [1, 2, 1]).tolist()
    [[2.0, 1.0, 0.0], [0.0, 1.0, 2.0]]
    """
    phi = _check_topic_word(topic_word)
    return phi / _term_probability(term_frequency, phi.shape[1])


def max_ranks(values: np.ndarray) -> np.ndarray:
    """Rank of each entry within its row, ties given the highest rank (scipy's
    ``rankdata(method="max", axis=1)``, without loading ``scipy.stats``, which is slow to import).

    >>> max_ranks(np.array([[0.5, 0.1, 0.5], [3.0, 2.0, 1.0]])).tolist()
    [[3, 1, 3], [3, 2, 1]]
    """
    ordered = np.sort(values, axis=1)
    return np.stack([np.searchsorted(row, value, side="right")
                     for row, value in zip(ordered, values, strict=True)])  # fmt: skip


def frex(topic_word: ArrayLike, weight: float = 0.5) -> np.ndarray:
    """FREX score of stm: weighted harmonic mean of exclusivity and frequency ranks.

    Exclusivity is ``p(w|k) / sum_k' p(w|k')`` (0 for terms absent from every topic). Both
    exclusivity and ``p(w|k)`` are turned into ECDF values within each topic (rank with ties
    at the maximum, divided by V), then combined as
    ``1 / (weight / ecdf_excl + (1 - weight) / ecdf_freq)``.

    ``weight`` in [0, 1] is the weight on exclusivity. Returns a (K, V) array in (0, 1].

    Examples
    --------
    >>> phi = [[0.5, 0.4, 0.1], [0.1, 0.8, 0.1]]
    >>> frex(phi).round(3).tolist()
    [[1.0, 0.444, 0.444], [0.444, 1.0, 0.667]]
    """
    phi = _check_topic_word(topic_word)
    _check_weight(weight, "weight")
    column = phi.sum(axis=0)
    exclusivity = np.divide(phi, column, out=np.zeros_like(phi), where=column > 0)
    n_terms = phi.shape[1]
    excl_ecdf = max_ranks(exclusivity) / n_terms
    freq_ecdf = max_ranks(phi) / n_terms
    return 1.0 / (weight / excl_ecdf + (1.0 - weight) / freq_ecdf)


def top_terms(scores: ArrayLike, vocabulary: Sequence[str], n: int = 10) -> list[list[str]]:
    """The ``n`` highest-scoring terms of each topic, best first.

    ``scores`` is any (K, V) term score, e.g. ``topic_word`` or :func:`relevance`; returns K
    lists of terms from ``vocabulary`` (length V). Ties are broken by term index (earlier
    vocabulary entries first); if ``n`` exceeds V, all terms are returned.

    Examples
    --------
    >>> top_terms([[0.2, 0.5, 0.3], [0.4, 0.2, 0.4]], ["财政", "负债", "财力"], n=2)
    [['负债', '财力'], ['财政', '财力']]
    """
    s = np.asarray(scores, dtype=float)
    if s.ndim != 2:
        raise ValueError(f"scores must be a 2-D array, got shape {s.shape}")
    if np.any(np.isnan(s)):
        raise ValueError("scores contain NaN values")
    vocab = list(vocabulary)
    if len(vocab) != s.shape[1]:
        raise ValueError(f"vocabulary has {len(vocab)} terms but scores has {s.shape[1]} columns")
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    order = np.argsort(-s, axis=1, kind="stable")[:, :n]
    return [[vocab[j] for j in row] for row in order]


def term_table(
    topic_word: ArrayLike,
    term_frequency: ArrayLike,
    vocabulary: Sequence[str],
    n: int = 10,
    lam: float = LAMBDA,
    frex_weight: float = 0.5,
) -> pd.DataFrame:
    """Tidy table of each topic's top-``n`` terms under every ranking method.

    For each topic and each method in ``METHODS`` ("probability", "relevance", "frex",
    "lift") the top-``n`` terms by that method are listed with all four scores.

    Returns
    -------
    pandas.DataFrame
        Columns ``topic`` (0-based), ``method``, ``rank`` (1-based), ``term``,
        ``probability``, ``relevance``, ``lift``, ``frex``; ordered by topic, then method in
        the order of ``METHODS``, then rank.

    Examples
    --------
    >>> phi = [[0.6, 0.3, 0.1], [0.1, 0.3, 0.6]]
    >>> table = term_table(phi, [35, 30, 35], ["a", "b", "c"], n=2)
    >>> table.shape
    (16, 8)
    >>> table.loc[table.method == "probability", "term"].tolist()
    ['a', 'b', 'c', 'b']
    """
    phi = _check_topic_word(topic_word)
    vocab = np.asarray(list(vocabulary), dtype=object)
    if vocab.shape != (phi.shape[1],):
        raise ValueError(f"vocabulary has {vocab.size} terms but topic_word has {phi.shape[1]}")
    scores = {
        "probability": phi,
        "relevance": relevance(phi, term_frequency, lam),
        "frex": frex(phi, frex_weight),
        "lift": lift(phi, term_frequency),
    }
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    frames = []
    for k in range(phi.shape[0]):
        for method in METHODS:
            idx = np.argsort(-scores[method][k], kind="stable")[:n]
            frame = {"topic": k, "method": method, "rank": np.arange(1, idx.size + 1)}
            frame["term"] = vocab[idx]
            for name in ("probability", "relevance", "lift", "frex"):
                frame[name] = scores[name][k, idx]
            frames.append(pd.DataFrame(frame))
    return pd.concat(frames, ignore_index=True)


def auto_label(
    topic_word: ArrayLike,
    term_frequency: ArrayLike,
    vocabulary: Sequence[str],
    n: int = 3,
    lam: float = LAMBDA,
    sep: str = "·",
) -> list[str]:
    """Short topic labels: the top-``n`` terms by relevance joined by ``sep``.

    Examples
    --------
    >>> phi = [[0.5, 0.3, 0.1, 0.1], [0.1, 0.1, 0.3, 0.5]]
    >>> auto_label(phi, [30, 20, 20, 30], ["财政", "负债", "财力", "改革"], n=2)
    ['财政·负债', '改革·财力']
    """
    scores = relevance(topic_word, term_frequency, lam)
    return [sep.join(terms) for terms in top_terms(scores, vocabulary, n)]
