"""Property-based tests of cleaning and splitting: no exception on any Unicode text, no
character invented, order kept.

"Visible" characters are those that are not whitespace (zero-width spaces count as spaces).
The one documented normalisation that changes a visible character is a numbered marker's
parentheses, ``( 一 )`` → ``(一)``; comparisons fold ASCII and full-width parentheses.
"""

from pathlib import Path

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from topics.corpus import cleaning
from topics.corpus.cleaning import count_chars, load_furniture, normalise_line
from topics.corpus.layout import SENTENCE_END, split_long_line
from topics.corpus.prepare import Line, join_broken_lines, split_pages
from topics.corpus.readers import RawText
from topics.corpus.shingles import containment_pairs, shingle_matrix

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
RULES = load_furniture()
_FOLD = str.maketrans("()", "()")


def visible(text: str) -> str:
    return "".join(ch for ch in text if not ch.isspace() and ch != "\u200b").translate(_FOLD)


def is_subsequence(short: str, long: str) -> bool:
    chars = iter(long)
    return all(ch in chars for ch in short)


# Text that looks like the corpus (Chinese, full-width punctuation, markers, furniture) mixed
# with arbitrary Unicode.
CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
PUNCT = st.sampled_from(list("。,、;:!?“”《》()()…— \u3000\u00a0\u200b\t-"))
PIECES = st.sampled_from(
    ["第一篇:", "第 2 篇:", "一、", "(一)", "( 二 )", "1、", "作者:", "摘要:", "关键词:",
     "【参考文献】", "下载本文", "相关范文推荐", "声明:本文内容", "-3-", "http://x.cn/a",
     "(更多请搜索:帮帮网)", "《乡镇财政研究》", ",乡镇财政研究。", "工作总结", "创 新 机 制"]
)  # fmt: skip
CHUNK = st.one_of(st.text(min_size=1, max_size=8), st.text(CJK, min_size=1, max_size=30),
                  PUNCT, PIECES)  # fmt: skip
LINE = st.lists(CHUNK, max_size=12).map("".join)
PAGE = st.lists(st.one_of(LINE, st.just("")), min_size=1, max_size=25).map("\n".join)


@FAST
@given(st.text())
def test_normalise_line_invents_nothing(text):
    line = normalise_line(text)
    assert line == line.strip()
    assert visible(line) == visible(text)
    assert normalise_line(line) == line or visible(normalise_line(line)) == visible(line)


@FAST
@given(LINE, st.text(max_size=20))
def test_strip_inline_and_title_echo_only_delete(text, title):
    stripped, removed = cleaning.strip_inline(text, RULES.drop_inline)
    assert is_subsequence(stripped, text)
    assert sum(removed.values()) == count_chars(text) - count_chars(stripped)
    echoed, chars = cleaning.strip_title_echo(stripped, title, RULES.title_echo_prefixes)
    assert is_subsequence(echoed, stripped)
    assert chars == count_chars(stripped) - count_chars(echoed)


@FAST
@given(st.lists(st.text(min_size=1, max_size=60), max_size=15), st.none() | st.integers(1, 80))
def test_join_broken_lines_keeps_text_and_order(texts, max_chars):
    lines = [Line(t, i + 1, i + 1) for i, t in enumerate(texts)]
    joined = join_broken_lines(lines, max_chars)
    assert "".join(line.text for line in joined) == "".join(texts)
    spans = [(line.start, line.end) for line in joined]
    assert all(a <= b for a, b in spans)
    assert all(b < c for (_, b), (c, _) in zip(spans, spans[1:], strict=False))
    if max_chars is not None:
        longest = max([max_chars, *map(len, texts)], default=0)
        assert all(len(line.text) <= longest for line in joined)


#: Text made of sentence ends, commas, spaces and a few characters, or of any characters.
PROSE = st.text(st.sampled_from("甲乙丙丁。,!?” "), max_size=400) | st.text(max_size=400)


@FAST
@given(PROSE, st.integers(1, 60))
def test_split_long_line_loses_nothing(line, limit):
    pieces = split_long_line(line, limit)
    assert "".join(pieces) == line
    if not line:
        assert pieces == [""]
        return
    assert all(0 < len(p) <= limit for p in pieces)
    # a cut falls in the second half of its window, after a sentence end there if any
    for piece in pieces[:-1]:
        assert len(piece) > limit // 2
        ends = [m.end() for m in SENTENCE_END.finditer(piece[limit // 2 :])]
        if ends:
            assert limit // 2 + ends[-1] == len(piece), piece


@FAST
@given(st.lists(PAGE, min_size=1, max_size=3))
def test_split_pages_invents_nothing_keeps_order_and_accounts_for_everything(pages):
    root = Path("/corpus")
    texts = [RawText(root / f"p{i}.txt", text, "utf-8", "0" * 64) for i, text in enumerate(pages)]
    pages_t, articles, paragraphs, removed = split_pages(texts, root, RULES)
    for raw in texts:
        group = paragraphs[paragraphs["page_id"] == raw.path.stem]
        assert is_subsequence(visible("".join(group["text"])), visible(raw.text))
        assert group["line_start"].is_monotonic_increasing
    assert paragraphs["paragraph_id"].is_unique
    kept = paragraphs["n_chars"].sum() + removed["chars"].sum()
    assert kept == sum(count_chars(t.text) for t in texts)
    assert (paragraphs["text"].str.strip() == paragraphs["text"]).all()
    assert set(pages_t["page_id"]) == {t.path.stem for t in texts}


@FAST
@given(
    st.lists(st.text(st.sampled_from("乡镇财政村。") | CJK, max_size=40), max_size=25),
    st.sampled_from([0.3, 0.5, 0.8, 0.9]),
)
def test_containment_join_matches_the_full_product(texts, threshold):
    matrix = shingle_matrix(texts)
    pairs = containment_pairs(matrix, threshold, block=7, budget=60)
    sizes = matrix.sum(axis=1).A1
    shared = (matrix @ matrix.T).toarray()
    expected = [
        (i, j) for i in range(len(texts)) for j in range(i + 1, len(texts))
        if min(sizes[i], sizes[j]) >= 5 and shared[i, j] >= threshold * min(sizes[i], sizes[j])
    ]  # fmt: skip
    assert list(zip(pairs["i"], pairs["j"], strict=True)) == expected
    assert isinstance(pairs, pd.DataFrame)
