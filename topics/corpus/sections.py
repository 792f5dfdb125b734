"""Structure inside a page: article markers, lines broken by page breaks, section headings.

A numbered line (``一、``, ``(一)``, ``1、``, ``(1)``) or a short unpunctuated line is a heading
when something sits under it; the headings above a paragraph become its ``section``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from topics.corpus.cleaning import ends_sentence

#: The ``第N篇:`` marker that starts an article of a compilation page (group 1: N).
ARTICLE_MARK = r"第\s*([一二三四五六七八九十百零〇两\d]+)\s*篇\s*[::]"
#: A line that is an article marker (group 2: the article's title).
ARTICLE_MARKER = re.compile(rf"^{ARTICLE_MARK}\s*(.*)$")
MAX_TITLE_CHARS = 80
#: Section heading markers, outermost first: 一、  (一)  1、  (1)
HEADING_MARKERS = (
    re.compile(r"^[一二三四五六七八九十]{1,3}\s*[、.．]|^[一二三四五六七八九十]{1,3} (?=\S)"),
    re.compile(r"^[((][一二三四五六七八九十]{1,3}[))]"),
    re.compile(r"^\d{1,2}\s*[、.．](?!\d)"),
    re.compile(r"^[((]\d{1,2}[))]"),
)
#: The level of an unnumbered heading: below every numbered one, so the next numbered heading
#: (of any level) ends it, and it never heads the paragraphs of a later numbered section.
UNNUMBERED = len(HEADING_MARKERS) + 1
#: Between the headings of a paragraph's section path (outermost first), wherever it is shown.
SECTION_SEPARATOR = " > "
MAX_HEADING_CHARS = 50
MAX_PLAIN_HEADING_CHARS = 30
#: An unpunctuated line longer than this that does not end a sentence was cut mid-sentence.
MIN_UNFINISHED_CHARS = 40


@dataclass
class Line:
    """A cleaned line and the raw lines it spans (1-based)."""

    text: str
    start: int
    end: int


def heading_level(text: str) -> int | None:
    """Level (1 = outermost) of a numbered heading marker at the start of ``text``, else None."""
    for level, pattern in enumerate(HEADING_MARKERS, start=1):
        if pattern.match(text):
            return level
    return None


def _is_unfinished(text: str) -> bool:
    """A line that stops mid-sentence (a page break split it), not a short heading."""
    if ends_sentence(text):
        return False
    if heading_level(text) is not None and len(text) <= MAX_HEADING_CHARS and "。" not in text:
        return False
    return len(text) > MIN_UNFINISHED_CHARS or "。" in text or text[-1] in ",,、::(“《"


def join_broken_lines(lines: list[Line], max_chars: int | None = None) -> list[Line]:
    """Join lines that a page break or a stray newline split in the middle of a sentence.

    With ``max_chars``, no joined line grows beyond it (over-long lines stay cut).
    """
    joined: list[Line] = []
    for line in lines:
        previous = joined[-1] if joined else None
        fits = (
            max_chars is None or len(previous.text) + len(line.text) <= max_chars
            if previous
            else True
        )
        if previous and fits and _is_unfinished(previous.text) and heading_level(line.text) is None:
            joined[-1] = Line(previous.text + line.text, previous.start, line.end)
        else:
            joined.append(line)
    return joined


def _heading_candidate(text: str) -> int | None:
    """Heading level a line could have (0 for an unnumbered heading), or None for prose."""
    level = heading_level(text)
    body = text.rstrip("。.")
    if level is not None:
        return level if len(text) <= MAX_HEADING_CHARS and "。" not in body else None
    if len(text) <= MAX_PLAIN_HEADING_CHARS and not ends_sentence(text) and "," not in text:
        return 0
    return None


def classify(lines: list[Line]) -> list[tuple[Line, int | None]]:
    """Pair each line with its heading level, or None when it is a paragraph.

    A candidate counts as a heading only when something sits under it: the next line is prose or
    a deeper heading. A numbered line followed by a sibling is a list item, so a paragraph.
    """
    candidates = [_heading_candidate(line.text) for line in lines]
    result = []
    for i, (line, level) in enumerate(zip(lines, candidates, strict=True)):
        following = candidates[i + 1] if i + 1 < len(lines) else "end"
        if following == "end":
            level = None
        elif level is not None and level > 0 and following not in (None, 0) and following <= level:
            level = None
        result.append((line, level))
    return result
