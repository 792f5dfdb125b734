"""What the commands print: tables and text built from a run, and the K rule in words."""

from __future__ import annotations

import re

import pandas as pd

from topics.analysis import reports
from topics.analysis.passages import representative_passages, topic_words
from topics.model import k_rule


def k_table(rows: dict[int, tuple[float, float]]) -> pd.DataFrame:
    """K topics per K with the same (stability, held-out perplexity); no themes; word
    frequencies alone predict with perplexity 100."""
    return pd.DataFrame(
        [{"k": k, "topic": t, "stability": s, "perplexity": p, "perplexity_unigram": 100.0,
          "seeds_in_top": float("nan"), "large_k": False}
         for k, (s, p) in rows.items() for t in range(1, k + 1)]
    )  # fmt: skip


def test_k_summary_and_the_rule_in_words():
    table = k_table({2: (0.3, 90.0), 4: (0.9, 80.0), 6: (0.4, 70.0), 8: (0.8, 60.0)})
    summary = k_rule.k_summary(table)
    assert summary.index.tolist() == [2, 4, 6, 8]
    assert summary["qualifies"].tolist() == [False, True, False, True]
    assert "seed" not in summary and "large_k" not in summary
    text = k_rule.explain(table)
    assert text.startswith("recommended K = 4: among K whose topics are stable on average")
    assert "no K meets the criteria" not in text and "note:" not in text


def test_when_no_k_qualifies_the_message_says_so():
    table = k_table({2: (0.3, 120.0), 3: (0.6, 110.0)})  # worse than word frequencies
    text = k_rule.explain(table)
    assert text.startswith("recommended K = 3") and "note: no K meets the criteria" in text
    assert "K = 3 is the largest K of the grid [2, 3]" in text


def test_topic_terms_follow_the_method_and_n(run):
    frex = reports.topic_terms(run, n=4, lam=0.6, method="frex")
    prob = reports.topic_terms(run, n=4, lam=1.0, method="probability")
    terms = run.terms(n=4, lam=0.6)
    expected = terms[(terms["method"] == "frex") & (terms["topic"] == 2)]["term"].tolist()
    assert frex["terms"].iloc[1].split() == expected
    assert (frex["terms"] != prob["terms"]).any()
    assert frex["topic"].tolist() == list(range(1, run.k + 1))
    text = reports.topics_text(frex, 4, 0.6, "frex")
    assert text.splitlines()[0] == "topics (top 4 terms by frex):"
    assert len(text.splitlines()) == run.k + 3 and "[finance]" in text  # + two footnotes
    assert text.splitlines()[-2] == "  (* a seed word of the topic's theme)"
    assert text.splitlines()[-1].startswith("  (stability: mean top-10 Jaccard")


def test_fit_text_reports_pruning_seeds_and_shares(run):
    text = reports.fit_text(run)
    pruning = run.manifest["pruning"]
    assert text.startswith(f"dictionary: {pruning['words_after']} of {pruning['words_before']}")
    assert "finance (T1): 财政:" in text and "theme share per article:" in text
    assert f"run saved to {run.path}" in text
    shares = reports.theme_shares(run)
    assert list(shares.columns) == ["short_title", *run.theme_topics()] and len(shares) == 16


def test_passages_text_highlights_the_key_words(run, prepared):
    """Each excerpt is a piece of its paragraph with every key word of the topic marked, and
    nothing else marked."""
    k = run.theme_topics()["finance"]
    table = representative_passages(run, prepared, theme="finance", n=2)
    words = topic_words(run, k)
    text = reports.passages_text(run, table, k, width=80)
    lines = text.splitlines()
    label = run.topics.set_index("topic").loc[k, "label"]
    assert lines[0] == f"T{k} {label}: key words {' '.join(words[:15])}"
    heads = [line for line in lines if re.match(r"\d+\. ", line)]
    assert [h.split()[1] for h in heads] == table["paragraph_id"].tolist()
    excerpts = [line[3:] for line in lines if line.startswith("   ") and line[3] != "§"]
    assert len(excerpts) == len(table) == 2
    for line, paragraph in zip(excerpts, table["text"], strict=True):
        marked = re.findall("【(.*?)】", line)
        assert marked and set(marked) <= set(words)
        assert line.replace("【", "").replace("】", "").strip("…") in paragraph
        unmarked = re.sub("【.*?】", "|", line)
        assert not [w for w in words if w in unmarked]


def test_show_marks_the_seed_words_of_theme_topics(run):
    table = reports.topic_terms(run, n=10)
    seeds = run.seeds.groupby("topic")["seed"].agg(set)
    for row in table.itertuples():
        expected = [w for w in row.terms.split() if w in seeds.get(row.topic, ())]
        assert row.seeds.split() == expected
    assert table.loc[table["theme"] == "", "seeds"].eq("").all()  # free topics have none
    text = reports.topics_text(table, 10, 0.6, "relevance")
    finance = next(line for line in text.splitlines() if "[finance]" in line)
    n_seeds = len(table.set_index("theme").loc["finance", "seeds"].split())
    assert f"({n_seeds} of 10 seed words)" in finance and "财政*" in finance
    free = next(line for line in text.splitlines() if line.startswith("  T5"))
    assert "*" not in free
