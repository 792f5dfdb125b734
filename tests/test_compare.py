"""Document distances, comparisons, representative passages, KWIC and theme prevalence."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from topics.analysis import compare, passages
from topics.errors import InputError

A1, A2 = "000_786013f1ef10bced#1", "000_786013f1ef10bced#2"
B1, B2 = "002_f5720e37d39fd83a#1", "002_f5720e37d39fd83a#2"
FINANCE = ["财政", "乡镇财政", "财力", "可用财力", "负债", "赤字", "债务", "经费", "资金"]


@pytest.fixture(scope="module")
def texts(project_settings, run):
    """Paragraph texts of the corpus the session run was fitted on."""
    from topics import pipeline

    return pipeline.prepared_corpus(project_settings).paragraphs


def scipy_distances(mix: np.ndarray, metric: str) -> np.ndarray:
    """Pairwise distances by scipy: Jensen-Shannon (base 2), or Hellinger as the Euclidean
    distance between square roots over sqrt(2). (scipy's Jensen-Shannon of a row with itself
    can be the root of a tiny negative number: NaN, read as 0.)"""
    from scipy.spatial.distance import cdist, jensenshannon

    if metric == "jensen_shannon":
        with np.errstate(invalid="ignore"):
            return np.nan_to_num(cdist(mix, mix, lambda p, q: jensenshannon(p, q, base=2)))
    return cdist(np.sqrt(mix), np.sqrt(mix), "euclidean") / np.sqrt(2)


@pytest.mark.parametrize("level", ["article", "paragraph"])
@pytest.mark.parametrize("metric", ["jensen_shannon", "hellinger"])
def test_similarity_matrix_has_scipys_distances_between_the_run_mixes(run, level, metric):
    d = compare.similarity_matrix(run, level, metric)
    table = run.articles if level == "article" else run.paragraphs
    with_words = table[table["T1"].notna()].set_index(f"{level}_id")[run.topic_columns]
    assert d.index.tolist() == d.columns.tolist() == with_words.index.tolist()
    mix = with_words.to_numpy()
    mix = mix / mix.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(d.to_numpy(), scipy_distances(mix, metric), atol=1e-7)
    assert np.all(np.diag(d.to_numpy()) == 0)
    # the near-duplicate pair is close, two unrelated articles are not
    if level == "article":
        assert d.loc[A1, A2] < 0.05 < d.loc[A1, B1]


@pytest.mark.parametrize(("item", "twin"), [(A1, A2), (A2, A1), (B1, B2), (B2, B1)])
def test_near_duplicate_articles_are_nearest_neighbours(run, item, twin):
    table = compare.most_similar(run, item, n=3)
    assert table.columns.tolist()[:5] == ["rank", "id", "title", "distance", "duplicate_of"]
    assert table["id"].iloc[0] == twin
    assert item not in table["id"].tolist()
    assert table["rank"].tolist() == [1, 2, 3]
    assert table["distance"].is_monotonic_increasing


def test_most_similar_paragraph_level_is_inferred(run, texts):
    table = compare.most_similar(run, f"{A2}/p004", n=2, corpus_paragraphs=texts)
    assert table["id"].iloc[0] == f"{A1}/p004"  # its near-duplicate
    assert table["duplicate_of"].isna().iloc[0]
    assert " › 一、乡镇调控力现状" in table["title"].iloc[0]


def test_most_similar_names_the_topic_both_share_most(run):
    table = compare.most_similar(run, A1, n=5)
    mix = run.articles.set_index("article_id")[run.topic_columns]
    shared = np.minimum(mix.loc[table["id"]].to_numpy(), mix.loc[A1].to_numpy())
    assert table["shared_topic"].tolist() == (shared.argmax(axis=1) + 1).tolist()
    np.testing.assert_allclose(table["shared_share"], shared.max(axis=1))
    labels = run.topics.set_index("topic")["label"]
    assert table["shared_label"].tolist() == labels[table["shared_topic"]].tolist()


@pytest.mark.parametrize(
    ("bad", "match"),
    [
        ("000_786013f1ef10bced#9", r"no article or paragraph '000_786013f1ef10bced#9'.*did you"),
        ("report 7", r"no article or paragraph 'report 7' \(ids look like '000_"),
    ],
)
def test_unknown_id_raises_input_error(run, bad, match):
    with pytest.raises(InputError, match=match):
        compare.most_similar(run, bad)


def test_compare_an_article_with_itself(run, texts):
    result = compare.compare_documents(run, texts, A1, A1)
    assert result.distance == {"jensen_shannon": 0.0, "hellinger": 0.0}
    assert result.separating.empty
    assert (result.mix["difference"] == 0).all()
    assert not result.shared.empty
    assert "Separating (|A−B| ≥ 0.10): none" in str(result)


def test_compare_two_articles(run, texts):
    result = compare.compare_documents(run, texts, A1, "001_ebcc36c3b1595f89#4", n_passages=2)
    mix = result.mix
    assert mix["share_a"].sum() == pytest.approx(1) and mix["share_b"].sum() == pytest.approx(1)
    assert result.distance["jensen_shannon"] > 0.3
    assert (result.shared[["share_a", "share_b"]] >= 0.1).all(axis=None)
    gaps = result.separating["difference"].abs()
    assert gaps.is_monotonic_decreasing and gaps.iloc[0] == mix["difference"].abs().max()
    for topic in result.shared["topic"]:
        rows = result.passages[result.passages["topic"] == topic]
        assert rows["document"].tolist() == ["A", "A", "B", "B"]
        for document, pid in zip(rows["document"], rows["paragraph_id"], strict=True):
            assert pid.startswith(A1 if document == "A" else "001_ebcc36c3b1595f89#4/")
        assert rows["share"].iloc[0] >= rows["share"].iloc[1]
    report = result.summary()
    assert report.splitlines()[0] == f"A  {A1}  改进和完善乡镇执政方式与研究"
    assert "T1 乡镇财政" in report and "Passages carrying" in report


def test_representative_finance_passages(run, texts):
    table = passages.representative_passages(run, texts, theme="finance", n=5)
    assert table.columns.tolist() == [
        "rank", "paragraph_id", "title", "section", "share", "n_tokens", "text",
    ]  # fmt: skip
    assert table["rank"].tolist() == [1, 2, 3, 4, 5]
    assert table["share"].is_monotonic_decreasing
    assert (table["n_tokens"] >= passages.MIN_TOKENS).all()
    assert table["paragraph_id"].isin(run.paragraphs.query("in_model")["paragraph_id"]).all()
    carries_seed = [any(word in text for word in FINANCE) for text in table["text"]]
    assert carries_seed[0] and sum(carries_seed) >= 3, table["text"].tolist()
    assert table.equals(passages.representative_passages(run, texts, topic="T1", n=5))


def test_min_tokens_keeps_short_paragraphs_out(run, texts):
    loose = passages.representative_passages(run, texts, topic=1, n=20, min_tokens=0)
    strict = passages.representative_passages(run, texts, topic=1, n=20)
    assert loose["n_tokens"].min() < passages.MIN_TOKENS <= strict["n_tokens"].min()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"theme": "tax"}, r"no theme 'tax' in this run \(themes: finance, cadre_incentives"),
        ({"topic": 99}, r"no topic 99 \(topics are numbered 1 to 8\)"),
        ({"topic": 0}, r"no topic 0"),
        ({"topic": "finance"}, r"no topic 'finance'"),
        ({}, r"give exactly one of topic= or theme="),
        ({"topic": 1, "theme": "finance"}, r"give exactly one"),
    ],
)
def test_bad_topic_or_theme_raises_input_error(run, texts, kwargs, match):
    with pytest.raises(InputError, match=match):
        passages.representative_passages(run, texts, **kwargs)


def test_keyword_in_context_slices():
    texts = pd.DataFrame(
        {"paragraph_id": ["p2", "p1"], "text": ["乡镇财政负债沉重,财政困难", "没有财政"]}
    )
    table = passages.keyword_in_context(texts, ["财政", "负债"], width=3)
    assert table["paragraph_id"].tolist() == ["p2", "p2", "p2", "p1"]  # input order
    assert table["position"].tolist() == [2, 4, 9, 2]
    assert table["left"].tolist() == ["乡镇", "镇财政", "沉重,", "没有"]
    assert table["keyword"].tolist() == ["财政", "负债", "财政", "财政"]
    assert table["right"].tolist() == ["负债沉", "沉重,", "困难", ""]
    as_list = passages.keyword_in_context(["乡镇财政"], "财政", width=1)
    assert as_list[["paragraph_id", "left", "right"]].values.tolist() == [[0, "镇", ""]]


def test_keyword_in_context_on_the_corpus(texts):
    table = passages.keyword_in_context(texts, "转移支付", width=10)
    assert len(table) == texts["text"].str.count("转移支付").sum() > 0
    order = {pid: i for i, pid in enumerate(texts["paragraph_id"])}
    assert table["paragraph_id"].map(order).is_monotonic_increasing
    text = texts.set_index("paragraph_id").loc[table["paragraph_id"].iloc[0], "text"]
    row = table.iloc[0]
    assert text[row.position - len(row.left) : row.position + 4 + len(row.right)] == (
        row.left + "转移支付" + row.right
    )


def test_highlight_marks_every_occurrence():
    text = "乡镇财政负债,财政收入少,财政困难,负债<高>"
    words = ["财政", "乡镇财政", "负债", "财政收入"]
    assert passages.highlight(text, words) == (
        "【乡镇财政】【负债】,【财政收入】少,【财政】困难,【负债】<高>"
    )
    bold = passages.highlight(text, words, style="ansi")
    assert bold.count("\033[1m") == 5 and bold.replace("\033[1m", "").replace("\033[0m", "") == text
    assert passages.highlight(text, "负债", "html") == (
        "乡镇财政<mark>负债</mark>,财政收入少,财政困难,<mark>负债</mark>&lt;高&gt;"
    )
    assert passages.highlight(text, []) == text
    with pytest.raises(ValueError, match="style must be one of"):
        passages.highlight(text, words, style="bold")


def test_topic_words_are_seeds_for_themes_and_terms_otherwise(run):
    assert passages.topic_words(run, 1)[:2] == ["财政", "乡镇财政"]
    free = run.topics.query("theme == ''")["topic"].iloc[0]
    expected = run.topics.set_index("topic").loc[free, "top_terms"].split()
    assert passages.topic_words(run, free) == expected


def test_theme_prevalence_intervals(run):
    table = compare.theme_prevalence(run, "finance", draws=300, seed=1)
    assert table.columns.tolist() == [
        "article_id", "short_title", "share", "low", "high", "n_paragraphs",
    ]  # fmt: skip
    assert table["article_id"].tolist() == run.articles["article_id"].tolist()
    np.testing.assert_allclose(table["share"], run.articles["T1"], atol=1e-9)
    assert (table["low"] <= table["share"] + 1e-12).all()
    assert (table["share"] <= table["high"] + 1e-12).all()
    # real intervals, not points: the posterior draws of the first article's paragraphs
    assert (table["high"] - table["low"]).max() > 0.05
    assert table.equals(compare.theme_prevalence(run, "finance", draws=300, seed=1))
    assert not table.equals(compare.theme_prevalence(run, "finance", draws=300, seed=2))
    assert table["share"].equals(compare.theme_prevalence(run, 1, draws=10)["share"])
    with pytest.raises(InputError, match=r"no theme 'financ'.*themes: finance"):
        compare.theme_prevalence(run, "financ")


def test_paragraph_without_words_and_mismatched_corpus(run, texts):
    empty = f"{A1}/p021"  # no word known to the model
    with pytest.raises(InputError, match=rf"paragraph '{empty}' has no word known to the model"):
        compare.most_similar(run, empty)
    with pytest.raises(InputError, match=r"is an article, not a paragraph"):
        compare.most_similar(run, A1, level="paragraph")
    with pytest.raises(InputError, match=r"paragraphs of the run are not in the corpus given"):
        passages.representative_passages(run, texts.iloc[:10], theme="finance")
