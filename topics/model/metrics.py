"""Compare topics and documents: distances, diversity, matching across fits, aggregation.

Distributions (rows of a topic-word or document-topic matrix) must be non-negative and sum
to 1 within ``ATOL``. Jensen-Shannon distances use base 2, so they lie in [0, 1].
"""

from collections.abc import Hashable, Sequence
from itertools import combinations

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import entr

from topics.model.choices import DISTANCES
from topics.weighting import token_weighted_means

ATOL = 1e-6
# Upper bound on the number of elements in one temporary (rows, rows, columns) block.
CHUNK_ELEMENTS = 2**22
# One fit's topics: a list of top-term lists, or a (K, V) topic-word array.
Topics = Sequence[Sequence[str]] | ArrayLike


def _as_distributions(x: ArrayLike, name: str, ndim: int) -> np.ndarray:
    """Validate ``x`` as one (ndim=1) or several (ndim=2, rows) probability distributions."""
    a = np.asarray(x, dtype=float)
    if a.ndim != ndim or a.size == 0:
        raise ValueError(f"{name} must be a non-empty {ndim}-D array, got shape {a.shape}")
    if not np.all(np.isfinite(a)) or np.any(a < 0):
        raise ValueError(f"{name} must be finite and non-negative")
    sums = np.atleast_1d(a.sum(axis=-1))
    bad = np.flatnonzero(np.abs(sums - 1.0) > ATOL)
    if bad.size:
        where = f"row {bad[0]} of {name}" if ndim == 2 else name
        raise ValueError(f"{where} must sum to 1, sums to {sums[bad[0]]:.6g}")
    return a


def _check_metric(metric: str, allowed: tuple[str, ...]) -> None:
    if metric not in allowed:
        raise ValueError(f"metric must be one of {allowed}, got {metric!r}")


def _js_cross(a: np.ndarray, b: np.ndarray, symmetric: bool = False) -> np.ndarray:
    """Base-2 Jensen-Shannon distances between all rows of ``a`` and all rows of ``b``.

    With ``symmetric=True`` (``a`` is ``b``) only the upper triangle is computed.
    """
    ha = entr(a).sum(axis=1)
    hb = entr(b).sum(axis=1)
    out = np.zeros((a.shape[0], b.shape[0]))
    step = max(1, CHUNK_ELEMENTS // (b.shape[0] * a.shape[1]))
    for start in range(0, a.shape[0], step):
        rows, cols = slice(start, start + step), slice(start if symmetric else 0, None)
        m = 0.5 * (a[rows, None, :] + b[None, cols, :])
        out[rows, cols] = entr(m).sum(axis=2) - 0.5 * (ha[rows, None] + hb[None, cols])
    if symmetric:
        out = np.triu(out) + np.triu(out, 1).T
    return np.sqrt(np.clip(out / np.log(2.0), 0.0, 1.0))


def _pair(p: ArrayLike, q: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    p1 = _as_distributions(p, "p", ndim=1)
    q1 = _as_distributions(q, "q", ndim=1)
    if p1.shape != q1.shape:
        raise ValueError(f"p and q must have the same shape, got {p1.shape} and {q1.shape}")
    return p1, q1


def hellinger(p: ArrayLike, q: ArrayLike) -> float:
    """Hellinger distance ``sqrt(0.5 * sum((sqrt(p) - sqrt(q))**2))``, in [0, 1].

    Examples
    --------
    >>> hellinger([1.0, 0.0], [0.0, 1.0])
    1.0
    >>> round(hellinger([1.0, 0.0], [0.5, 0.5]), 4)
    0.5412
    """
    p1, q1 = _pair(p, q)
    value = np.sqrt(0.5 * np.sum((np.sqrt(p1) - np.sqrt(q1)) ** 2))
    return float(np.clip(value, 0.0, 1.0))


def jensen_shannon(p: ArrayLike, q: ArrayLike) -> float:
    """Jensen-Shannon distance (square root of the base-2 JS divergence), in [0, 1].

    Examples
    --------
    >>> jensen_shannon([1.0, 0.0], [0.0, 1.0])
    1.0
    >>> round(jensen_shannon([1.0, 0.0], [0.5, 0.5]), 4)
    0.5579
    """
    p1, q1 = _pair(p, q)
    return float(_js_cross(p1[None, :], q1[None, :])[0, 0])


def pairwise_distances(mix: ArrayLike, metric: str = "jensen_shannon") -> np.ndarray:
    """Distances between all pairs of rows of ``mix``, e.g. N documents' topic mixes (N, K).

    ``metric`` is "jensen_shannon" or "hellinger". Returns a symmetric (N, N) array with
    values in [0, 1] and exact zeros on the diagonal.

    Examples
    --------
    >>> pairwise_distances([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]]).tolist()
    [[0.0, 1.0, 0.0], [1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
    """
    _check_metric(metric, DISTANCES)
    x = _as_distributions(mix, "mix", ndim=2)
    if metric == "jensen_shannon":
        d = _js_cross(x, x, symmetric=True)
    else:
        root = np.sqrt(x)
        d = np.sqrt(np.clip(1.0 - root @ root.T, 0.0, 1.0))
    d = 0.5 * (d + d.T)
    np.fill_diagonal(d, 0.0)
    return d


def topic_diversity(top_terms: Sequence[Sequence[str]]) -> float:
    """Share of unique words among all topics' top words (Dieng et al. 2020).

    Examples
    --------
    >>> topic_diversity([["财政", "负债"], ["财政", "改革"]])
    0.75
    """
    lists = [list(terms) for terms in top_terms]
    total = sum(len(terms) for terms in lists)
    if total == 0:
        raise ValueError("top_terms contains no terms")
    return len({term for terms in lists for term in terms}) / total


def _term_sets(runs: Sequence[Sequence[str]], name: str) -> list[set[str]]:
    sets = []
    for i, terms in enumerate(runs):
        if isinstance(terms, str):
            raise ValueError(f"{name} must be a list of term lists, topic {i} is a string")
        sets.append(set(terms))
        if not sets[-1]:
            raise ValueError(f"topic {i} of {name} has no terms")
    if not sets:
        raise ValueError(f"{name} has no topics")
    return sets


def topic_similarity(a: Topics, b: Topics, metric: str = "jaccard") -> np.ndarray:
    """(Ka, Kb) similarities in [0, 1] between the topics of two fits.

    With ``metric="jaccard"``, ``a`` and ``b`` are lists of top-term lists and similarity is
    the Jaccard index of the term sets. With ``metric="jensen_shannon"`` they are (K, V)
    topic-word arrays over the same vocabulary and similarity is ``1 - JS distance``.

    Examples
    --------
    >>> topic_similarity([["a", "b"]], [["b", "c"], ["a", "b"]]).round(3).tolist()
    [[0.333, 1.0]]
    """
    _check_metric(metric, ("jaccard", "jensen_shannon"))
    if metric == "jaccard":
        sa, sb = _term_sets(a, "a"), _term_sets(b, "b")
        return np.array([[len(x & y) / len(x | y) for y in sb] for x in sa])
    pa = _as_distributions(a, "a", ndim=2)
    pb = _as_distributions(b, "b", ndim=2)
    if pa.shape[1] != pb.shape[1]:
        raise ValueError(f"a and b have different vocabulary sizes: {pa.shape[1]} vs {pb.shape[1]}")
    return 1.0 - _js_cross(pa, pb)


def match_topics(a: Topics, b: Topics, metric: str = "jaccard") -> tuple[np.ndarray, np.ndarray]:
    """Match the topics of two fits one-to-one, maximising total :func:`topic_similarity`.

    Uses the Hungarian algorithm; with different numbers of topics, ``min(Ka, Kb)`` pairs
    are matched. Returns ``pairs`` (int array of shape (min(Ka, Kb), 2): topic of ``a`` in
    ascending order, matched topic of ``b``) and the ``similarity`` of each pair.

    Examples
    --------
    >>> pairs, sim = match_topics([["a", "b"], ["c", "d"]], [["c", "d"], ["a", "b"]])
    >>> pairs.tolist(), sim.tolist()
    ([[0, 1], [1, 0]], [1.0, 1.0])
    """
    similarity = topic_similarity(a, b, metric)
    from scipy.optimize import linear_sum_assignment  # slow to import: only when matching

    rows, cols = linear_sum_assignment(similarity, maximize=True)
    return np.column_stack([rows, cols]), similarity[rows, cols]


def stability_matrix(runs: Sequence[Topics], metric: str = "jaccard") -> np.ndarray:
    """(R, R) mean matched similarity (:func:`match_topics`) of every pair of runs.

    The matrix is symmetric with ones on the diagonal.

    Examples
    --------
    >>> runs = [[["a", "b"], ["c", "d"]], [["c", "d"], ["a", "b"]], [["a", "c"], ["b", "d"]]]
    >>> stability_matrix(runs).round(3).tolist()
    [[1.0, 1.0, 0.333], [1.0, 1.0, 0.333], [0.333, 0.333, 1.0]]
    """
    n_runs = len(runs)
    if n_runs == 0:
        raise ValueError("runs is empty")
    out = np.eye(n_runs)
    for i, j in combinations(range(n_runs), 2):
        out[i, j] = out[j, i] = match_topics(runs[i], runs[j], metric)[1].mean()
    return out


def seed_stability(runs: Sequence[Topics], metric: str = "jaccard") -> float:
    """Mean matched topic similarity over all pairs of runs (e.g. fits with different seeds).

    ``runs`` holds at least two fits, each a list of top-term lists (``metric="jaccard"``)
    or a (K, V) topic-word array (``metric="jensen_shannon"``).

    Examples
    --------
    >>> seed_stability([[["a", "b"], ["c", "d"]], [["c", "d"], ["a", "b"]]])
    1.0
    """
    if len(runs) < 2:
        raise ValueError(f"seed_stability needs at least two runs, got {len(runs)}")
    matrix = stability_matrix(runs, metric)
    return float(matrix[np.triu_indices(len(runs), k=1)].mean())


def matched_similarity(reference: Topics, other: Topics, metric: str = "jaccard") -> np.ndarray:
    """(K,) similarity of each topic of ``reference`` to the topic of ``other`` it is matched
    with (:func:`match_topics`); 0 for a topic left unmatched when ``other`` has fewer topics.

    Examples
    --------
    >>> matched_similarity([["a", "b"], ["c", "d"]], [["c", "d"], ["a", "x"]]).round(3).tolist()
    [0.333, 1.0]
    """
    pairs, similarity = match_topics(reference, other, metric)
    out = np.zeros(len(reference))
    out[pairs[:, 0]] = similarity
    return out


def resample_stability(
    reference: Topics, resamples: Sequence[Topics], metric: str = "jaccard"
) -> np.ndarray:
    """(K,) stability of each topic of ``reference`` (e.g. the fit on all documents): its mean
    :func:`matched_similarity` over ``resamples`` (fits on subsamples). The model-level
    stability is the mean over topics.

    Examples
    --------
    >>> full = [["a", "b"], ["c", "d"]]
    >>> resample_stability(full, [[["d", "c"], ["a", "b"]], [["a", "b"], ["c", "e"]]]).tolist()
    [1.0, 0.6666666666666666]
    """
    if len(resamples) == 0:
        raise ValueError("resample_stability needs at least one resample")
    return np.mean([matched_similarity(reference, other, metric) for other in resamples], axis=0)


def on_shared_vocabulary(
    a: ArrayLike, vocab_a: Sequence[str], b: ArrayLike, vocab_b: Sequence[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Topic-word rows of two fits restricted to the words both know (in ``vocab_a`` order)
    and renormalised, so that Jensen-Shannon similarity can compare fits whose dictionaries
    differ (a fit on a subsample prunes other rare words). A row with no mass left becomes
    uniform.

    Examples
    --------
    >>> pa, pb = on_shared_vocabulary([[0.5, 0.25, 0.25]], ["x", "y", "z"], [[0.5, 0.5]], ["z", "x"])
    >>> pa.tolist(), pb.tolist()
    ([[0.6666666666666666, 0.3333333333333333]], [[0.5, 0.5]])
    """
    index_b = {word: i for i, word in enumerate(vocab_b)}
    shared = [(i, index_b[word]) for i, word in enumerate(vocab_a) if word in index_b]
    if not shared:
        raise ValueError("the two fits share no word")
    cols_a, cols_b = (list(c) for c in zip(*shared, strict=True))
    out = []
    for x, cols in ((np.asarray(a, dtype=float), cols_a), (np.asarray(b, dtype=float), cols_b)):
        rows = x[:, cols]
        sums = rows.sum(axis=1, keepdims=True)
        out.append(np.where(sums > 0, rows / np.where(sums > 0, sums, 1), 1.0 / len(cols)))
    return out[0], out[1]


def mean_token_weighted(
    doc_topic: ArrayLike, weights: ArrayLike, groups: Sequence[Hashable] | np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Aggregate paragraph topic mixes into group mixes, weighting paragraphs by tokens
    (:func:`topics.weighting.token_weighted_means`, checked strictly).

    ``doc_topic`` (N, K) holds topic distributions, ``weights`` (N,) non-negative token
    counts and ``groups`` (N,) a label per paragraph (e.g. report id or year). Returns the
    group labels in order of first appearance and the (G, K) weighted mean mixes (rows sum
    to 1). A group whose total weight is zero raises ValueError.

    Examples
    --------
    >>> labels, mix = mean_token_weighted([[1, 0], [0, 1], [0.5, 0.5]], [30, 10, 8],
    ...                                   ["b", "b", "a"])
    >>> labels.tolist(), mix.tolist()
    (['b', 'a'], [[0.75, 0.25], [0.5, 0.5]])
    """
    x = _as_distributions(doc_topic, "doc_topic", ndim=2)
    w = np.asarray(weights, dtype=float)
    g = np.asarray(groups)
    if w.shape != (x.shape[0],):
        raise ValueError(f"weights must have shape ({x.shape[0]},), got {w.shape}")
    if g.shape != (x.shape[0],):
        raise ValueError(f"groups must have shape ({x.shape[0]},), got {g.shape}")
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ValueError("weights must be finite and non-negative")
    result = token_weighted_means(x, w, g, mixes=True)
    empty = np.flatnonzero(result.weights <= 0)
    if empty.size:
        raise ValueError(f"group {result.groups.tolist()[empty[0]]!r} has zero total weight")
    return result.groups, result.means
