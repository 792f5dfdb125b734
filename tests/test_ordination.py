"""Topic coordinates: PCoA of Jensen–Shannon distances, rounded so that every host agrees."""

import numpy as np
import pytest

from topics.model.ordination import SIGNIFICANT_DIGITS, pcoa, round_to_scale, topic_coordinates


def noisy(topic_word: np.ndarray, seed: int = 0, size: float = 1e-12) -> np.ndarray:
    """``topic_word`` with relative noise in its last digits, as another CPU's SIMD code or
    BLAS gives, renormalised."""
    rng = np.random.default_rng(seed)
    out = topic_word * (1 + size * rng.uniform(-1, 1, size=topic_word.shape))
    return out / out.sum(axis=1, keepdims=True)


def test_pcoa_recovers_euclidean_configurations_deterministically():
    rng = np.random.default_rng(3)
    points = rng.normal(size=(6, 2))
    d = np.hypot(*(points[:, None, :] - points[None, :, :]).transpose(2, 0, 1))
    result = pcoa(d)
    back = np.hypot(*(result.coordinates[:, None, :] - result.coordinates[None, :, :]).T)
    assert np.allclose(back, d)
    assert np.isclose(result.explained.sum(), 1.0) and result.explained[0] >= result.explained[1]
    extreme = np.abs(result.coordinates).argmax(axis=0)
    assert (result.coordinates[extreme, [0, 1]] > 0).all()
    mirrored = pcoa(d[::-1, ::-1]).coordinates[::-1]  # same points, other input order
    assert np.allclose(mirrored, result.coordinates)
    with pytest.raises(ValueError, match="square"):
        pcoa(np.zeros((2, 3)))


def test_round_to_scale_keeps_significant_digits_of_the_largest_value():
    values = np.array([0.123456789, -0.000123456789, 3e-17, -1e-18])
    rounded = round_to_scale(values)
    assert rounded.tolist() == [0.123457, -0.000123, 0.0, 0.0]
    assert not np.signbit(rounded[3])  # no "-0.0" in a page
    assert round_to_scale([1234567.0], 3).tolist() == [1230000.0]
    assert round_to_scale(np.zeros(2)).tolist() == [0.0, 0.0]


def test_topic_coordinates_ignore_last_digit_noise_and_keep_the_geometry():
    from topics.model.metrics import pairwise_distances

    rng = np.random.default_rng(1)
    topic_word = rng.dirichlet(np.full(300, 0.1), size=8)
    ordination = topic_coordinates(topic_word)
    exact = pcoa(pairwise_distances(topic_word, "jensen_shannon"))
    scale = np.abs(exact.coordinates).max()
    assert np.allclose(ordination.coordinates, exact.coordinates, rtol=0, atol=scale * 1e-5)
    assert not np.array_equal(ordination.coordinates, exact.coordinates)  # rounded
    for seed in range(5):
        again = topic_coordinates(noisy(topic_word, seed))
        assert np.array_equal(again.coordinates, ordination.coordinates)
        assert np.array_equal(again.explained, ordination.explained)
        unrounded = pcoa(pairwise_distances(noisy(topic_word, seed), "jensen_shannon"))
        assert not np.array_equal(unrounded.coordinates, exact.coordinates)  # the noise shows
    step = 10.0 ** (np.floor(np.log10(scale)) - SIGNIFICANT_DIGITS + 1)
    assert np.allclose(ordination.coordinates / step, np.round(ordination.coordinates / step))
