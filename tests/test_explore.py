"""The notebook topic browser: its pieces render and update when a control moves."""

import html
import re

from topics.plots.explore import explore, passages_html, terms_html


def shown_terms(page: str) -> list[str]:
    """The terms of a ``terms_html`` table, in the order shown."""
    return re.findall(r"<td><b>(.*?)</b></td>", page)


def expected_terms(run, topic: int, lam: float, n: int = 15) -> list[str]:
    table = run.terms(n=n, lam=lam)
    rows = table[(table["topic"] == topic) & (table["method"] == "relevance")]
    return rows.sort_values("rank")["term"].tolist()


def test_terms_follow_lambda(run):
    at_one = terms_html(run, 2, lam=1.0)
    at_zero = terms_html(run, 2, lam=0.0)
    assert "λ = 1.00" in at_one and "λ = 0.00" in at_zero
    assert "T2" in at_one
    # the terms themselves are re-ranked, not only the heading
    assert shown_terms(at_one) == expected_terms(run, 2, 1.0)
    assert shown_terms(at_zero) == expected_terms(run, 2, 0.0)
    assert shown_terms(at_one) != shown_terms(at_zero)


def test_passages_highlight_theme_words(run, prepared):
    """One item per representative paragraph, in rank order; each shows a piece of its
    paragraph with every key word of the topic in ``<mark>``, and nothing else marked."""
    from topics.analysis.passages import representative_passages, topic_words

    k = run.theme_topics()["finance"]
    words = topic_words(run, k)
    table = representative_passages(run, prepared, topic=k, n=3)
    page = passages_html(run, prepared, topic=k)
    items = re.findall(r"<li><code>(.*?)</code>.*?<br>(.*?)</li>", page)
    assert [paragraph_id for paragraph_id, _ in items] == table["paragraph_id"].tolist()
    for (_, shown), paragraph in zip(items, table["text"], strict=True):
        marked = re.findall("<mark>(.*?)</mark>", shown)
        assert marked and set(marked) <= set(words)
        plain = html.unescape(re.sub("</?mark>", "", shown)).strip("…")
        assert plain in paragraph
        unmarked = html.unescape(re.sub("<mark>.*?</mark>", "|", shown))
        assert not [w for w in words if w in unmarked]


def test_widget_updates_when_topic_or_lambda_changes(run, prepared):
    view = explore(run, prepared)
    controls, middle, passages = view.children
    topic, lam = controls.children
    terms = middle.children[0]
    first = topic.value
    assert shown_terms(terms.value) == expected_terms(run, first, 0.6)
    before_passages = passages.value
    lam.value = 0.2
    assert shown_terms(terms.value) == expected_terms(run, first, 0.2)
    assert shown_terms(terms.value) != expected_terms(run, first, 0.6)
    topic.value = 3
    assert passages.value != before_passages
    assert "T3" in terms.value
    assert shown_terms(terms.value) == expected_terms(run, 3, 0.2)


def test_topics_carry_their_stability(run, prepared):
    """The browser tags each topic with its stability under resampling, unstable ones red."""
    from topics.plots.labels import is_unstable

    topic = explore(run, prepared).children[0].children[0]
    assert all("stable " in label for label, _ in topic.options)
    unstable = [k for k in run.topics["topic"] if is_unstable(run, k)]
    stable = [k for k in run.topics["topic"] if not is_unstable(run, k)]
    assert unstable and stable  # the bundled run has both
    assert "firebrick" in terms_html(run, unstable[0]) and "不稳定 unstable" in terms_html(
        run, unstable[0]
    )
    assert "稳定 stable" in terms_html(run, stable[0]) and "firebrick" not in terms_html(
        run, stable[0]
    )
