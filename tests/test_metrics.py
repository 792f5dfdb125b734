import numpy as np
import pytest
from scipy.spatial.distance import jensenshannon

from topics.model import metrics
from topics.model.metrics import (
    hellinger,
    jensen_shannon,
    match_topics,
    matched_similarity,
    mean_token_weighted,
    on_shared_vocabulary,
    pairwise_distances,
    resample_stability,
    seed_stability,
    stability_matrix,
    topic_diversity,
    topic_similarity,
)


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.mark.parametrize("distance", [hellinger, jensen_shannon])
def test_distances_symmetric_zero_on_identical_one_on_disjoint(distance, rng):
    p, q = rng.dirichlet(np.ones(6), size=2)
    assert distance(p, q) == pytest.approx(distance(q, p))
    assert distance(p, p) == pytest.approx(0.0, abs=1e-12)
    assert distance([0.5, 0.5, 0, 0], [0, 0, 0.2, 0.8]) == pytest.approx(1.0)
    assert 0.0 < distance(p, q) < 1.0


def test_distances_by_hand():
    assert hellinger([1, 0], [0.5, 0.5]) == pytest.approx(np.sqrt(1 - np.sqrt(0.5)))
    # JSD = H(0.75, 0.25) - (0 + 1) / 2 bits
    jsd = -(0.75 * np.log2(0.75) + 0.25 * np.log2(0.25)) - 0.5
    assert jensen_shannon([1, 0], [0.5, 0.5]) == pytest.approx(np.sqrt(jsd))


def test_jensen_shannon_agrees_with_scipy(rng):
    p, q = rng.dirichlet(np.full(20, 0.3), size=2)
    assert jensen_shannon(p, q) == pytest.approx(jensenshannon(p, q, base=2))


@pytest.mark.parametrize(
    ("metric", "distance"), [("jensen_shannon", jensen_shannon), ("hellinger", hellinger)]
)
def test_pairwise_distances(metric, distance, rng):
    mix = rng.dirichlet(np.full(5, 0.5), size=7)
    mix[3] = mix[1]
    d = pairwise_distances(mix, metric=metric)
    assert d.shape == (7, 7)
    np.testing.assert_array_equal(d, d.T)
    np.testing.assert_array_equal(np.diag(d), np.zeros(7))
    assert d[1, 3] == pytest.approx(0.0, abs=1e-7)
    assert d[0, 2] == pytest.approx(distance(mix[0], mix[2]), abs=1e-7)
    assert d.min() >= 0.0 and d.max() <= 1.0


def test_pairwise_js_chunking_gives_same_result(rng, monkeypatch):
    mix = rng.dirichlet(np.ones(4), size=9)
    whole = pairwise_distances(mix)
    monkeypatch.setattr(metrics, "CHUNK_ELEMENTS", 10)
    np.testing.assert_allclose(pairwise_distances(mix), whole)


def test_topic_diversity():
    disjoint = [["a", "b"], ["c", "d"], ["e", "f"]]
    identical = [["a", "b", "c"]] * 4
    assert topic_diversity(disjoint) == 1.0
    assert topic_diversity(identical) == pytest.approx(1 / 4)
    assert topic_diversity([["a", "b"], ["b", "c"]]) == pytest.approx(3 / 4)


def test_match_topics_recovers_permutation_jaccard():
    a = [["a", "b", "c"], ["d", "e", "f"], ["g", "h", "i"], ["j", "k", "l"]]
    perm = np.array([2, 0, 3, 1])
    b = [a[i] for i in perm]
    pairs, sim = match_topics(a, b)
    assert pairs.shape == (4, 2)
    np.testing.assert_array_equal(pairs[:, 0], np.arange(4))
    np.testing.assert_array_equal(pairs[:, 1], np.argsort(perm))
    np.testing.assert_array_equal(sim, np.ones(4))


def test_match_topics_recovers_permutation_jensen_shannon(rng):
    a = rng.dirichlet(np.full(30, 0.2), size=5)
    perm = rng.permutation(5)
    pairs, sim = match_topics(a, a[perm], metric="jensen_shannon")
    np.testing.assert_array_equal(pairs[:, 1], np.argsort(perm))
    np.testing.assert_allclose(sim, 1.0)


def test_match_topics_different_k_and_partial_overlap():
    a = [["a", "b"], ["c", "d"], ["e", "f"]]
    b = [["c", "x"], ["a", "b"]]
    pairs, sim = match_topics(a, b)
    assert pairs.tolist() == [[0, 1], [1, 0]]
    np.testing.assert_allclose(sim, [1.0, 1 / 3])
    pairs_ba, _ = match_topics(b, a)
    assert pairs_ba.tolist() == [[0, 1], [1, 0]]


def test_topic_similarity_shapes_and_values():
    s = topic_similarity([["a", "b"], ["c"]], [["a"], ["b", "c"], ["x"]])
    np.testing.assert_allclose(s, [[0.5, 1 / 3, 0.0], [0.0, 0.5, 0.0]])


def test_seed_stability():
    run = [["a", "b"], ["c", "d"]]
    assert seed_stability([run, run[::-1], run]) == 1.0
    other = [["a", "c"], ["b", "d"]]
    assert seed_stability([run, other]) == pytest.approx(1 / 3)
    m = stability_matrix([run, run, other])
    np.testing.assert_allclose(m, [[1, 1, 1 / 3], [1, 1, 1 / 3], [1 / 3, 1 / 3, 1]])


def test_seed_stability_jensen_shannon(rng):
    topics = rng.dirichlet(np.ones(10), size=3)
    assert seed_stability([topics, topics[[1, 2, 0]]], metric="jensen_shannon") == pytest.approx(1)


def test_resample_stability_of_a_fit_against_itself_is_one(rng):
    topics = rng.dirichlet(np.full(40, 0.3), size=5)
    words = [[f"w{i}" for i in np.argsort(-row)[:10]] for row in topics]
    np.testing.assert_array_equal(resample_stability(words, [words, words]), np.ones(5))
    np.testing.assert_allclose(resample_stability(topics, [topics], "jensen_shannon"), 1.0)


def test_resample_stability_is_invariant_to_topic_order(rng):
    """Permuting the resamples' topics changes nothing; permuting the reference's permutes
    the per-topic stabilities with it."""
    reference = [["a", "b", "c"], ["d", "e", "f"], ["g", "h", "i"]]
    others = [
        [["a", "b", "x"], ["d", "e", "f"], ["g", "y", "z"]],
        [["a", "b", "c"], ["d", "q", "f"], ["g", "h", "i"]],
    ]
    per_topic = resample_stability(reference, others)
    np.testing.assert_allclose(per_topic, [(0.5 + 1) / 2, (1 + 0.5) / 2, (0.2 + 1) / 2])
    shuffled = [[other[i] for i in rng.permutation(3)] for other in others]
    np.testing.assert_array_equal(resample_stability(reference, shuffled), per_topic)
    order = [2, 0, 1]
    reordered = resample_stability([reference[i] for i in order], others)
    np.testing.assert_array_equal(reordered, per_topic[order])


def test_matched_similarity_leaves_unmatched_topics_at_zero():
    assert matched_similarity([["a"], ["b"], ["c"]], [["c"], ["a"]]).tolist() == [1.0, 0.0, 1.0]


def test_on_shared_vocabulary_aligns_and_renormalises():
    a, b = on_shared_vocabulary(
        [[0.5, 0.3, 0.2], [0.0, 0.0, 1.0]], ["x", "y", "only_a"],
        [[0.6, 0.2, 0.2]], ["y", "only_b", "x"],
    )  # fmt: skip
    np.testing.assert_allclose(a, [[0.5 / 0.8, 0.3 / 0.8], [0.5, 0.5]])  # no mass left: uniform
    np.testing.assert_allclose(b, [[0.25, 0.75]])  # x then y, as in the first vocabulary
    with pytest.raises(ValueError, match="share no word"):
        on_shared_vocabulary([[1.0]], ["x"], [[1.0]], ["y"])


def test_mean_token_weighted_by_hand():
    doc_topic = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5], [0.2, 0.8]])
    weights = [30, 10, 8, 0]
    labels, mix = mean_token_weighted(doc_topic, weights, ["2021", "2021", "2019", "2019"])
    assert labels.tolist() == ["2021", "2019"]
    # 2021: (30 * [1, 0] + 10 * [0, 1]) / 40; 2019: the zero-weight row does not count.
    np.testing.assert_allclose(mix, [[0.75, 0.25], [0.5, 0.5]])
    np.testing.assert_allclose(mix.sum(axis=1), 1.0)


def test_mean_token_weighted_integer_groups_keep_first_appearance_order():
    labels, mix = mean_token_weighted(np.eye(3), [1, 1, 1], [5, 1, 5])
    assert labels.tolist() == [5, 1]
    np.testing.assert_allclose(mix, [[0.5, 0, 0.5], [0, 1, 0]])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: hellinger([0.5, 0.5], [1.0, 0.0, 0.0]), "same shape"),
        (lambda: jensen_shannon([0.5, 0.6], [0.5, 0.5]), "p must sum to 1"),
        (lambda: jensen_shannon([[0.5, 0.5]], [0.5, 0.5]), "1-D"),
        (lambda: pairwise_distances([[0.5, 0.5]], metric="cosine"), "metric must be one of"),
        (lambda: pairwise_distances([[1.5, -0.5]]), "non-negative"),
        (lambda: pairwise_distances([[0.5, 0.5], [0.2, 0.2]]), "row 1 of mix"),
        (lambda: topic_diversity([[], []]), "no terms"),
        (lambda: match_topics([["a"]], [[]]), "topic 0 of b has no terms"),
        (lambda: match_topics(["ab"], [["a"]]), "is a string"),
        (lambda: match_topics(np.eye(2), np.eye(3), "jensen_shannon"), "vocabulary sizes"),
        (lambda: seed_stability([[["a"]]]), "at least two runs"),
        (lambda: mean_token_weighted(np.eye(2), [1, 1, 1], ["a", "b"]), r"weights must have"),
        (lambda: mean_token_weighted(np.eye(2), [1, 1], ["a"]), r"groups must have shape"),
        (lambda: mean_token_weighted(np.eye(2), [1, -1], ["a", "b"]), "non-negative"),
        (lambda: mean_token_weighted(np.eye(2), [1, 0], ["a", "b"]), "group 'b' has zero"),
    ],
)
def test_invalid_inputs_raise(call, message):
    with pytest.raises(ValueError, match=message):
        call()
