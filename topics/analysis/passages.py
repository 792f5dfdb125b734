"""Representative passages of a topic or theme, keyword-in-context and highlighting.

Topics are given by number (1-based, as in ``run.topics``) or by theme id (``"finance"``).
Texts come from the prepared corpus (``pipeline.prepared_corpus(settings).paragraphs``);
shares come from the run.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping, Sequence
from numbers import Integral

import pandas as pd

from topics.errors import input_error
from topics.model.choices import LAMBDA
from topics.model.runs import TopicRun

MIN_TOKENS = 10
STYLES = {
    "brackets": ("【", "】"),
    "ansi": ("\033[1m", "\033[0m"),
    "html": ("<mark>", "</mark>"),
}


def resolve_topic(run: TopicRun, topic: int | str | None = None, theme: str | None = None) -> int:
    """The 1-based topic number of ``topic`` (a number or ``"T3"``) or of ``theme`` (an id).

    Exactly one must be given; an unknown one raises :class:`~topics.errors.InputError`.
    """
    if (topic is None) == (theme is None):
        raise input_error(None, "give exactly one of topic= or theme=", "e.g. theme='finance'")
    themes = run.theme_topics()
    if theme is not None:
        if theme not in themes:
            valid = ", ".join(themes) if themes else "none: this run was fitted without themes"
            raise input_error(None, f"no theme {theme!r} in this run", f"themes: {valid}")
        return int(themes[theme])
    match = re.fullmatch(r"[Tt]?(\d+)", topic.strip()) if isinstance(topic, str) else None
    if match:
        k = int(match.group(1))
    elif isinstance(topic, Integral) and not isinstance(topic, bool):
        k = int(topic)
    else:
        k = 0
    if not 1 <= k <= run.k:
        raise input_error(None, f"no topic {topic!r}", f"topics are numbered 1 to {run.k}")
    return k


def topic_words(run: TopicRun, topic: int, n: int = 10, lam: float = LAMBDA) -> list[str]:
    """Words that mark a topic in text: its theme's seed words, else its top relevance terms."""
    seeds = run.seeds[run.seeds["topic"] == topic]["seed"].tolist()
    if seeds:
        return seeds
    table = run.terms(n, lam)
    return table[(table["topic"] == topic) & (table["method"] == "relevance")]["term"].tolist()


def with_text(run: TopicRun, corpus_paragraphs) -> pd.DataFrame:
    """``run.paragraphs`` joined with title, section and text (``corpus_paragraphs`` may be
    the prepared corpus itself or its ``paragraphs`` table)."""
    texts = getattr(corpus_paragraphs, "paragraphs", corpus_paragraphs)
    missing = set(run.paragraphs["paragraph_id"]) - set(texts["paragraph_id"])
    if missing:
        raise input_error(
            None,
            f"{len(missing)} paragraphs of the run are not in the corpus given, e.g. "
            f"{sorted(missing)[0]!r}",
            "pass pipeline.prepared_corpus(settings).paragraphs for the run's settings",
        )
    titles = run.articles.set_index("article_id")["title"]
    columns = ["paragraph_id", "text"] + ([] if "section" in run.paragraphs else ["section"])
    out = run.paragraphs.merge(texts[columns], on="paragraph_id")
    out.insert(1, "title", out["article_id"].map(titles))
    return out


def representative_passages(
    run: TopicRun,
    corpus_paragraphs,
    topic: int | str | None = None,
    theme: str | None = None,
    n: int = 5,
    unique: bool = True,
    min_tokens: int = MIN_TOKENS,
) -> pd.DataFrame:
    """The ``n`` paragraphs with the highest share of a topic (number) or theme (id).

    Paragraphs with fewer than ``min_tokens`` model tokens are skipped: a five-word
    heading reaches a share of 0.9 on one matching word, which says little. With
    ``unique`` (default), near-duplicate paragraphs (``duplicate_of`` set) are skipped too.
    Columns: rank, paragraph_id, title (of the article), section, share, n_tokens, text.
    """
    k = resolve_topic(run, topic, theme)
    table = with_text(run, corpus_paragraphs)
    keep = table["n_tokens"] >= min_tokens
    if unique:
        keep &= table["duplicate_of"].isna()
    column = f"T{k}"
    top = table[keep].sort_values(column, ascending=False, kind="stable").head(n)
    out = top[["paragraph_id", "title", "section", column, "n_tokens", "text"]]
    out = out.rename(columns={column: "share"}).reset_index(drop=True)
    out.insert(0, "rank", range(1, len(out) + 1))
    return out


def _pattern(words: str | Iterable[str]) -> re.Pattern | None:
    """One regex for all ``words``, longest first, so 乡镇财政 wins over 财政."""
    unique = sorted({words} if isinstance(words, str) else {w for w in words if w}, key=len)
    return re.compile("|".join(re.escape(w) for w in reversed(unique))) if unique else None


def highlight(text: str, words: str | Iterable[str], style: str = "brackets") -> str:
    """Mark every occurrence of ``words`` in ``text``: 【财政】 ("brackets"), bold ("ansi")
    or ``<mark>`` ("html", the rest of the text is HTML-escaped). Longer words win.

    >>> highlight("乡镇财政负债,财政困难", ["财政", "乡镇财政"])
    '【乡镇财政】负债,【财政】困难'
    """
    if style not in STYLES:
        raise ValueError(f"style must be one of {tuple(STYLES)}, got {style!r}")
    start, end = STYLES[style]
    escape = html.escape if style == "html" else str
    pattern = _pattern(words)
    if pattern is None:
        return escape(text)
    parts = pattern.split(text)
    marks = [start + escape(m) + end for m in pattern.findall(text)]
    return "".join(escape(p) + (marks[i] if i < len(marks) else "") for i, p in enumerate(parts))


def excerpt(text: str, words: str | Iterable[str] = (), width: int = 80) -> str:
    """About ``width`` characters of ``text`` around the first of ``words`` (else its start).

    >>> excerpt("一二三四五财政六七八九十", ["财政"], width=4)
    '…四五财政…'
    """
    pattern = _pattern(words)
    found = pattern.search(text) if pattern else None
    begin = max(0, min(found.start() - width // 2, len(text) - width)) if found else 0
    piece = text[begin : begin + width]
    return ("…" if begin > 0 else "") + piece + ("…" if begin + width < len(text) else "")


def keyword_in_context(
    texts: pd.DataFrame | Mapping[str, str] | Sequence[str],
    words: str | Iterable[str],
    width: int = 20,
) -> pd.DataFrame:
    """Every occurrence of each of ``words`` in ``texts``, with ``width`` characters each side.

    ``texts`` is a table with ``paragraph_id`` and ``text`` columns, a mapping id → text or
    a list of texts (ids are then positions). Plain substring search, so a word inside a
    longer one is found too (财政 in 乡镇财政). Rows follow the order of ``texts``, then
    position; columns: paragraph_id, position, left, keyword, right.

    >>> keyword_in_context(["乡镇财政困难"], "财政", width=2)[["left", "keyword", "right"]]
      left keyword right
    0   乡镇      财政    困难
    """
    if isinstance(texts, pd.DataFrame):
        items = zip(texts["paragraph_id"], texts["text"], strict=True)
    elif isinstance(texts, Mapping):
        items = texts.items()
    else:
        items = enumerate(texts)
    wanted = [words] if isinstance(words, str) else [w for w in dict.fromkeys(words) if w]
    rows = []
    for order, (pid, text) in enumerate(items):
        text = text if isinstance(text, str) else ""
        for word in wanted:
            for hit in re.finditer(f"(?={re.escape(word)})", text):
                at = hit.start()
                left, right = (
                    text[max(0, at - width) : at],
                    text[at + len(word) : at + len(word) + width],
                )
                rows.append((order, pid, at, left, word, right))
    columns = ["order", "paragraph_id", "position", "left", "keyword", "right"]
    table = pd.DataFrame(rows, columns=columns).sort_values(["order", "position"], kind="stable")
    return table.drop(columns="order").reset_index(drop=True)
