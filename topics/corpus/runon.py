"""Text saved without line breaks (a whole report on one line), cut into bounded paragraphs.

A run-on line is cut after every sentence end and before every ``第N篇:`` article marker; the
sentences are then grouped into paragraphs of about :data:`RUN_ON_PARAGRAPH_CHARS` characters.
A group also ends before a numbered section marker (``一、``, ``(二)``) and after an article
marker's title. Furniture rules then see single sentences, as they would see single lines, so a
site banner glued to the report's first sentence no longer takes the whole report with it.

>>> line = "第一篇:题目“" + "甲" * 59 + "。" + "乙" * 59 + "。丙。"
>>> [(piece[:3], start) for piece, start in run_on_units(line, 500, target=100)]
[('第一篇', True), ('“甲甲', True), ('乙乙乙', True), ('丙。', False)]
"""

from __future__ import annotations

import bisect
import re

from topics.corpus.layout import SENTENCE_END, split_long_line
from topics.corpus.sections import ARTICLE_MARK, MAX_HEADING_CHARS, MAX_TITLE_CHARS, heading_level

#: Paragraph size aimed at when grouping the sentences of a run-on line (the corpus's mean).
RUN_ON_PARAGRAPH_CHARS = 300
#: A line at least this long that holds at least :data:`RUN_ON_SHARE` of its file's characters
#: is run-on text (lines longer than ``max_paragraph_chars`` always are).
RUN_ON_LINE_CHARS = 1000
RUN_ON_SHARE = 0.5
#: A group is never closed shorter than this (except at an article marker), so that it cannot
#: pass for a section heading.
MIN_GROUP_CHARS = MAX_HEADING_CHARS + 1
_MARKER = re.compile(ARTICLE_MARK)
_TITLE_END = re.compile(r"[“「]")


def is_run_on(line: str, file_chars: int, max_chars: int) -> bool:
    """True when ``line`` is a whole text (or most of one) saved without line breaks."""
    if len(line) > max_chars:
        return True
    return len(line) >= RUN_ON_LINE_CHARS and len(line) >= RUN_ON_SHARE * file_chars


def _cuts(line: str) -> list[int]:
    """Positions after sentence ends, before article markers and after their short titles."""
    ends = [m.end() for m in SENTENCE_END.finditer(line)]
    markers = list(_MARKER.finditer(line))
    starts = [m.start() for m in markers] + [len(line)]
    cuts = set(ends) | set(starts)
    for marker, next_start in zip(markers, starts[1:], strict=True):
        quote = _TITLE_END.search(line, marker.end(), marker.end() + MAX_TITLE_CHARS + 1)
        following = bisect.bisect_right(ends, marker.end())
        sentence_end = ends[following] if following < len(ends) else len(line)
        title_end = min(quote.start() if quote else sentence_end, next_start)
        # a title runs to an opening quote or the sentence end; a longer one is not a title
        cuts.add(title_end if title_end - marker.end() <= MAX_TITLE_CHARS else marker.end())
    return sorted(c for c in cuts if 0 < c < len(line))


def sentences(line: str, limit: int) -> list[str]:
    """``line`` cut at :func:`_cuts`; a piece longer than ``limit`` is cut further.

    No character is dropped or added: ``"".join(sentences(line, n)) == line``.
    """
    cuts = _cuts(line)
    pieces = []
    for start, stop in zip([0, *cuts], [*cuts, len(line)], strict=True):
        pieces.extend(split_long_line(line[start:stop], limit))
    return pieces


def run_on_units(
    line: str, limit: int, target: int = RUN_ON_PARAGRAPH_CHARS
) -> list[tuple[str, bool]]:
    """The sentences of ``line``, each with True where it starts a new paragraph.

    Paragraphs hold about ``target`` characters and never more than ``limit``.
    """
    units: list[tuple[str, bool]] = []
    size = 0
    after_marker = False
    for piece in sentences(line, limit):
        text = piece.strip()
        marker = bool(_MARKER.match(text))
        closes = size >= MIN_GROUP_CHARS and (
            size + len(piece) > target or heading_level(text) is not None
        )
        start = not units or marker or after_marker or closes or size + len(piece) > limit
        size = len(piece) if start else size + len(piece)
        units.append((piece, start))
        after_marker = marker
    return units
