"""Place topics on a plane: PCoA of their Jensen–Shannon distances, rounded to a fixed precision.

Used by the intertopic map and the LDAvis page, so both draw the same coordinates. Eigen
solvers and vectorised logarithms may differ in the last bits between machines (CPU-specific
SIMD paths), so coordinates are rounded (:func:`round_to_scale`) before anything is drawn or
written: the same run gives the same bytes on every host.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from topics.model.metrics import pairwise_distances

#: Significant digits kept of floats that go into figures and pages (relative to the largest).
SIGNIFICANT_DIGITS = 6


def round_to_scale(values: ArrayLike, digits: int = SIGNIFICANT_DIGITS) -> np.ndarray:
    """Round ``values`` to ``digits`` significant digits of their largest absolute value.

    Every element gets the same number of decimals, so noise near zero (``1e-17`` for a
    coordinate that is 0) is removed too, and ``-0.0`` becomes ``0.0``.

    >>> round_to_scale([123.456789, -1e-17, 0.5]).tolist()
    [123.457, 0.0, 0.5]
    """
    x = np.asarray(values, dtype=float)
    finite = np.abs(x[np.isfinite(x)])
    largest = finite.max() if finite.size else 0.0
    if largest == 0:
        return x + 0.0
    decimals = digits - int(np.floor(np.log10(largest))) - 1
    return np.round(x, decimals) + 0.0


@dataclass(frozen=True)
class Ordination:
    """``coordinates`` (N, n_components) and each axis's ``explained`` share of variance."""

    coordinates: np.ndarray
    explained: np.ndarray


def pcoa(distances: ArrayLike, n_components: int = 2) -> Ordination:
    """Classical multidimensional scaling (principal coordinate analysis) of a distance matrix.

    The doubly centred matrix ``B = -J D² J / 2`` is decomposed with ``numpy.linalg.eigh``;
    coordinates are eigenvectors scaled by the square root of their (non-negative)
    eigenvalues. Signs are fixed so that on each axis the point farthest from the origin is
    positive, which makes the result deterministic. ``explained`` is each axis's eigenvalue
    over the sum of the positive eigenvalues. Axes beyond the data's dimension are zero.

    >>> o = pcoa([[0, 1, 2], [1, 0, 1], [2, 1, 0]], n_components=1)
    >>> o.coordinates.round(3).ravel().tolist(), o.explained.round(3).tolist()
    ([1.0, 0.0, -1.0], [1.0])
    """
    d = np.asarray(distances, dtype=float)
    if d.ndim != 2 or d.shape[0] != d.shape[1]:
        raise ValueError(f"distances must be a square matrix, got shape {d.shape}")
    n = d.shape[0]
    centring = np.eye(n) - np.full((n, n), 1.0 / n)
    b = -0.5 * centring @ (d**2) @ centring
    values, vectors = np.linalg.eigh(0.5 * (b + b.T))
    top = np.argsort(-values, kind="stable")[:n_components]
    values, vectors = np.clip(values[top], 0.0, None), vectors[:, top]
    coordinates = vectors * np.sqrt(values)
    for axis in range(coordinates.shape[1]):
        extreme = np.argmax(np.abs(coordinates[:, axis]))
        if coordinates[extreme, axis] < 0:
            coordinates[:, axis] *= -1
    positive = np.clip(np.linalg.eigvalsh(0.5 * (b + b.T)), 0.0, None).sum()
    explained = values / positive if positive > 0 else np.zeros_like(values)
    if coordinates.shape[1] < n_components:  # fewer points than axes
        pad = n_components - coordinates.shape[1]
        coordinates = np.hstack([coordinates, np.zeros((n, pad))])
        explained = np.concatenate([explained, np.zeros(pad)])
    return Ordination(coordinates, explained)


def topic_coordinates(topic_word: ArrayLike) -> Ordination:
    """PCoA (2 axes) of the Jensen–Shannon distances between topic-word distributions,
    coordinates and explained shares rounded with :func:`round_to_scale`."""
    ordination = pcoa(pairwise_distances(topic_word, "jensen_shannon"), n_components=2)
    return Ordination(round_to_scale(ordination.coordinates), round_to_scale(ordination.explained))
