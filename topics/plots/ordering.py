"""Deterministic orders for figure rows: hierarchical clustering of topic mixes.

The article heatmap and the article similarity figure use the same function, so their rows
come in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.cluster.hierarchy import fcluster, leaves_list, linkage
from scipy.spatial.distance import squareform

from topics.model.metrics import pairwise_distances


@dataclass(frozen=True)
class Clustering:
    """``distances`` (N, N) between the rows of a mix, the average-linkage ``tree`` (scipy
    linkage matrix) and ``order``: row indices in dendrogram leaf order."""

    distances: np.ndarray
    tree: np.ndarray
    order: np.ndarray


def cluster_rows(
    mix: ArrayLike, metric: str = "jensen_shannon", method: str = "average"
) -> Clustering:
    """Hierarchical clustering of the rows of ``mix`` (N topic distributions), average linkage
    unless ``method`` names another (``"ward"`` gives groups of more even size).

    Distances come from :func:`topics.model.metrics.pairwise_distances` (``"jensen_shannon"`` or
    ``"hellinger"``); leaves are put in optimal order (Bar-Joseph et al.), which is
    deterministic. With fewer than two rows the order is just ``[0]`` (or empty).

    >>> cluster_rows([[1.0, 0.0], [0.0, 1.0], [0.9, 0.1]]).order.tolist()
    [1, 2, 0]
    """
    x = np.asarray(mix, dtype=float)
    distances = pairwise_distances(x, metric) if len(x) else np.zeros((0, 0))
    if len(x) < 2:
        return Clustering(distances, np.zeros((0, 4)), np.arange(len(x)))
    tree = linkage(squareform(distances, checks=False), method=method, optimal_ordering=True)
    return Clustering(distances, tree, leaves_list(tree))


def cut_tree(clustering: Clustering, n_groups: int) -> np.ndarray:
    """Group number (0, 1, …) of each row when the tree is cut into at most ``n_groups``
    clusters; groups are numbered in dendrogram leaf order, so group 0 comes first.

    >>> c = cluster_rows([[1.0, 0.0], [0.0, 1.0], [0.9, 0.1], [0.1, 0.9]])
    >>> cut_tree(c, 2).tolist()
    [0, 1, 0, 1]
    """
    n = len(clustering.order)
    if n < 2:
        return np.zeros(n, dtype=int)
    raw = fcluster(clustering.tree, t=n_groups, criterion="maxclust")
    first_seen = dict.fromkeys(raw[clustering.order])
    number = {cluster: i for i, cluster in enumerate(first_seen)}
    return np.array([number[c] for c in raw])


def medoid(distances: np.ndarray, members: np.ndarray) -> int:
    """The member (row index) with the smallest mean distance to the other ``members``."""
    within = distances[np.ix_(members, members)]
    return int(members[within.mean(axis=1).argmin()])
