import numpy as np
import pytest
from scipy.stats import rankdata

from topics.model.terms import (
    METHODS,
    auto_label,
    frex,
    lift,
    normalize_rows,
    relevance,
    term_table,
    top_terms,
)


@pytest.fixture
def blocks():
    """Three topics, each concentrated on its own block of three words."""
    vocab = [f"w{i}" for i in range(9)]
    phi = np.full((3, 9), 0.05 / 6)
    for k in range(3):
        phi[k, 3 * k : 3 * k + 3] = [0.5, 0.3, 0.15]
    tf = np.array([50, 30, 15] * 3) + 1.0
    return phi, tf, vocab


def test_blocks_top_terms_are_each_topics_block(blocks):
    phi, tf, vocab = blocks
    expected = [[f"w{3 * k + i}" for i in range(3)] for k in range(3)]
    assert top_terms(phi, vocab, n=3) == expected
    assert top_terms(relevance(phi, tf), vocab, n=3) == expected
    assert [set(t) for t in top_terms(frex(phi), vocab, n=3)] == [set(t) for t in expected]
    assert [set(t) for t in top_terms(lift(phi, tf), vocab, n=3)] == [set(t) for t in expected]


def test_relevance_lambda_one_is_log_probability(blocks):
    phi, tf, vocab = blocks
    np.testing.assert_allclose(relevance(phi, tf, lam=1.0), np.log(phi))
    assert top_terms(relevance(phi, tf, lam=1.0), vocab, 9) == top_terms(phi, vocab, 9)


def test_relevance_lambda_zero_is_log_lift(blocks):
    phi, tf, _ = blocks
    np.testing.assert_allclose(relevance(phi, tf, lam=0.0), np.log(lift(phi, tf)))


def test_relevance_by_hand():
    phi = np.array([[0.6, 0.4], [0.2, 0.8]])
    tf = np.array([1.0, 3.0])  # p(w) = [0.25, 0.75]
    expected = 0.6 * np.log(0.6) + 0.4 * np.log(0.6 / 0.25)
    assert relevance(phi, tf, lam=0.6)[0, 0] == pytest.approx(expected)


def test_relevance_zero_probability_is_minus_inf_not_nan():
    phi = np.array([[1.0, 0.0], [0.0, 1.0]])
    for lam in (0.0, 0.6, 1.0):
        r = relevance(phi, [1, 1], lam=lam)
        assert not np.isnan(r).any()
        assert r[0, 1] == -np.inf


def test_lift_of_exclusive_word_is_highest():
    phi = np.array([[0.5, 0.3, 0.2, 0.0], [0.0, 0.3, 0.2, 0.5]])
    tf = np.array([50, 60, 40, 50])
    scores = lift(phi, tf)
    np.testing.assert_allclose(scores[0], [2.0, 1.0, 1.0, 0.0])
    assert scores[0].argmax() == 0
    assert scores[1].argmax() == 3


def test_frex_prefers_exclusive_frequent_word_over_shared_frequent_word():
    # w1 is the most probable word of topic 0 but equally common in topic 1;
    # w0 is slightly less probable but exclusive to topic 0.
    phi = np.array([[0.30, 0.35, 0.20, 0.15, 0.00], [0.00, 0.35, 0.05, 0.10, 0.50]])
    vocab = ["exclusive", "shared", "c", "d", "e"]
    assert top_terms(phi, vocab, 1)[0] == ["shared"]
    assert top_terms(frex(phi), vocab, 1)[0] == ["exclusive"]


def test_frex_by_hand():
    phi = np.array([[0.5, 0.4, 0.1], [0.1, 0.8, 0.1]])
    # topic 0: exclusivity [5/6, 1/3, 1/2] -> ECDF [1, 1/3, 2/3]; frequency ECDF [1, 2/3, 1/3]
    np.testing.assert_allclose(frex(phi, 0.5)[0], [1.0, 1 / 2.25, 1 / 2.25])
    np.testing.assert_allclose(frex(phi, 0.7)[0], [1.0, 1 / 2.55, 1 / 1.95])


def test_frex_weight_extremes_are_the_single_ecdfs():
    phi = np.array([[0.5, 0.4, 0.1], [0.1, 0.8, 0.1]])
    np.testing.assert_allclose(frex(phi, 0.0), rankdata(phi, method="max", axis=1) / 3)
    excl = phi / phi.sum(axis=0)
    np.testing.assert_allclose(frex(phi, 1.0), rankdata(excl, method="max", axis=1) / 3)


def test_frex_ties_use_ecdf_maximum_rank():
    # topic 0: w0 and w1 tie in both frequency and exclusivity -> ECDF 2/3 rank max = 1
    phi = np.array([[0.4, 0.4, 0.2], [0.2, 0.2, 0.6]])
    np.testing.assert_allclose(frex(phi, 1.0)[0], [1.0, 1.0, 1 / 3])
    np.testing.assert_allclose(frex(phi, 0.0)[0], [1.0, 1.0, 1 / 3])


def test_top_terms_breaks_ties_by_index_and_caps_n():
    scores = np.array([[1.0, 2.0, 2.0, 1.0]])
    vocab = ["a", "b", "c", "d"]
    assert top_terms(scores, vocab, n=3) == [["b", "c", "a"]]
    assert top_terms(scores, vocab, n=10) == [["b", "c", "a", "d"]]


def test_normalize_rows():
    np.testing.assert_allclose(normalize_rows([[1, 3], [5, 5]]), [[0.25, 0.75], [0.5, 0.5]])
    with pytest.raises(ValueError, match="row 1 sums to zero"):
        normalize_rows([[1, 3], [0, 0]])


def test_term_table_layout(blocks):
    phi, tf, vocab = blocks
    n = 4
    table = term_table(phi, tf, vocab, n=n)
    columns = "topic method rank term probability relevance lift frex".split()
    assert list(table.columns) == columns
    assert len(table) == 3 * len(METHODS) * n
    # sorted by topic, then method in METHODS order, then rank
    np.testing.assert_array_equal(table.topic, np.repeat(np.arange(3), len(METHODS) * n))
    assert table.method.tolist() == [m for m in METHODS for _ in range(n)] * 3
    np.testing.assert_array_equal(table["rank"], np.tile(np.arange(1, n + 1), 3 * len(METHODS)))
    by_prob = table[(table.topic == 1) & (table.method == "probability")]
    assert by_prob.term.tolist() == top_terms(phi, vocab, n)[1]
    np.testing.assert_allclose(by_prob.probability, np.sort(phi[1])[::-1][:n])
    by_frex = table[(table.topic == 2) & (table.method == "frex")]
    assert by_frex.frex.is_monotonic_decreasing
    rel = relevance(phi, tf)
    row = table.iloc[0]
    assert row.relevance == pytest.approx(rel[0, vocab.index(row.term)])


def test_auto_label(blocks):
    phi, tf, vocab = blocks
    assert auto_label(phi, tf, vocab, n=2) == ["w0·w1", "w3·w4", "w6·w7"]
    zh = ["财政", "负债", "财力", "改革"]
    phi2 = [[0.5, 0.3, 0.2, 0.0], [0.0, 0.1, 0.3, 0.6]]
    assert auto_label(phi2, [50, 40, 50, 60], zh, n=3)[0] == "财政·负债·财力"


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: frex(np.array([0.5, 0.5])), "2-D"),
        (lambda: frex([[1.5, -0.5]]), "negative"),
        (lambda: frex([[0.5, 0.4]]), "sum to 1"),
        (lambda: frex([[np.nan, 1.0]]), "NaN"),
        (lambda: frex([[0.5, 0.5]], weight=1.5), "weight must be between 0 and 1"),
        (lambda: relevance([[0.5, 0.5]], [1, 1], lam=-0.1), "lam must be between 0 and 1"),
        (lambda: relevance([[0.5, 0.5]], [1, 1, 1], lam=0.5), r"term_frequency must have shape"),
        (lambda: lift([[0.5, 0.5]], [1, 0]), "positive"),
        (lambda: top_terms([[0.5, 0.5]], ["a"], n=1), "vocabulary has 1 terms"),
        (lambda: top_terms([[0.5, 0.5]], ["a", "b"], n=0), "n must be at least 1"),
        (lambda: term_table([[0.5, 0.5]], [1, 1], ["a"]), "vocabulary has 1 terms"),
    ],
)
def test_invalid_inputs_raise(call, message):
    with pytest.raises(ValueError, match=message):
        call()
