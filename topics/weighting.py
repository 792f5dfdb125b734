"""Token-weighted means per group: the one way small units' shares become larger units' shares.

Paragraph topic shares become article (or document) shares, and article shares become shares
per metadata value, by averaging with each unit's token count as its weight. A unit with no
tokens has no weight (its shares, NaN or not, are ignored); a group with no weight at all gets
NaN means. A base module, so the corpus, model and analysis layers can all use it.

>>> means = token_weighted_means([[1, 0], [0, 1], [0.5, 0.5], [np.nan, np.nan]],
...                              [30, 10, 8, 0], ["b", "b", "a", "c"])
>>> means.groups.tolist(), means.means.tolist()
(['b', 'a', 'c'], [[0.75, 0.25], [0.5, 0.5], [nan, nan]])
>>> means.weights.tolist(), means.sizes.tolist()
([40.0, 8.0, 0.0], [2, 1, 1])
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike


@dataclass(frozen=True)
class GroupMeans:
    """Per group: its label, weighted mean of each column, total weight and number of rows."""

    groups: np.ndarray
    means: np.ndarray
    weights: np.ndarray
    sizes: np.ndarray


def token_weighted_means(
    values: ArrayLike,
    weights: ArrayLike,
    groups: Sequence[Hashable] | np.ndarray,
    sort: bool = False,
    mixes: bool = False,
) -> GroupMeans:
    """The ``weights``-weighted mean of the rows of ``values`` (N, K) in each of ``groups`` (N).

    Groups come in order of first appearance (sorted with ``sort``). ``mixes``: the rows are
    topic mixes (they sum to 1), and each group's mean is rescaled to sum to exactly 1 rather
    than divided by the total weight (the same in exact arithmetic).
    """
    x = np.asarray(values, dtype=float)
    w = np.asarray(weights, dtype=float)
    g = np.asarray(groups)
    if x.ndim != 2 or w.shape != (len(x),) or g.shape != (len(x),):
        raise ValueError(f"need values (N, K), weights (N,), groups (N,): got {x.shape}, "
                         f"{w.shape}, {g.shape}")  # fmt: skip
    labels, first, codes = np.unique(g, return_index=True, return_inverse=True)
    codes = codes.ravel()
    if not sort:
        order = np.argsort(first)
        position = np.empty_like(order)
        position[order] = np.arange(order.size)
        labels, codes = labels[order], position[codes]
    used = w > 0
    totals = np.bincount(codes[used], weights=w[used], minlength=labels.size)
    sums = np.zeros((labels.size, x.shape[1]))
    np.add.at(sums, codes[used], x[used] * w[used, None])
    scale = sums.sum(axis=1) if mixes else totals
    means = np.full_like(sums, np.nan)
    known = totals > 0
    means[known] = sums[known] / scale[known, None]
    sizes = np.bincount(codes, minlength=labels.size)
    return GroupMeans(labels, means, totals, sizes)
