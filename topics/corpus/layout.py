"""Paragraph layout of a file: which line breaks end a paragraph.

Files come in three layouts, detected per file from the widths of its lines:

- ``lines``: one paragraph per line (lines of very different lengths, like the bundled pages).
  Lines broken mid-sentence are joined later by :func:`topics.corpus.sections.join_broken_lines`.
- ``blocks``: hard-wrapped lines (most lines about as wide as the widest) in blocks separated by
  blank lines; each block is a paragraph, except that a short line inside a block (a heading
  followed directly by text) ends one.
- ``wrapped``: hard-wrapped lines with no blank lines between paragraphs; a short line ends a
  paragraph, and so does an indented line when indentation marks paragraph starts.

A file is wrapped when many lines (``MIN_FULL_SHARE``) share one width and end mid-sentence.
Widths are tried both in characters and in display columns (CJK characters count two), since
editors wrap either way. Run-on lines (a whole report on one line) are cut at sentence ends
into bounded paragraphs by :mod:`topics.corpus.runon` before anything else sees them, and are
left out of the layout's evidence.

>>> detect_layout(["乡镇财政负债问题突出,转移支付资金是一个固定", "数。", "", "村民自治。"]).kind
'lines'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from topics.corpus.cleaning import TERMINAL

LAYOUTS = ("auto", "lines", "blocks", "wrapped")
#: A line narrower than this share of the wrap width is "short": it ends a paragraph.
FULL = 0.85
#: Share of lines that must be full (as wide as the wrap width) for a file to count as wrapped.
MIN_FULL_SHARE = 0.3
MIN_WRAP, MAX_WRAP = 16, 200
_WIDE = re.compile(
    r"[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]"
)
_INDENT = re.compile(r"^[ \t\u3000\u00a0]{2,}|^[\t\u3000]")
SENTENCE_END = re.compile(r"[。!?!?;;…]+[”」』\"')]*")
_SOFT_BREAK_AFTER = re.compile(r"[,,、::\s]+")


@dataclass(frozen=True)
class Layout:
    """How a file marks paragraphs: ``kind`` and, for wrapped text, the wrap ``width``.

    ``columns``: widths are display columns (CJK = 2) rather than characters.
    """

    kind: str = "lines"
    width: int = 0
    columns: bool = False

    def measure(self, line: str) -> int:
        return display_width(line) if self.columns else len(line)


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal or editor: wide (CJK) characters count two.

    >>> display_width("乡镇ab")
    6
    """
    return 2 * len(text) - len(_WIDE.sub("", text))


def _wrap_fit(widths: np.ndarray, ends: np.ndarray) -> tuple[float, int]:
    """Share of lines that look hard-wrapped, and the wrap width.

    The wrap width is the width (within a band of 3) that most lines share; those "full" lines
    must mostly end mid-sentence, and few lines may be wider.
    """
    usable = widths[(widths >= MIN_WRAP) & (widths <= MAX_WRAP)]
    if len(usable) < 3:
        return 0.0, 0
    counts = np.bincount(usable, minlength=MAX_WRAP + 1)
    band = counts + np.concatenate([[0], counts[:-1]]) + np.concatenate([[0, 0], counts[:-2]])
    top = int(len(band) - 1 - np.argmax(band[::-1]))  # the widest of equally common bands
    width = max(w for w in range(top - 2, top + 1) if counts[w])
    full = (widths >= width - 2) & (widths <= width)
    if full.sum() < 3 or ends[full].mean() >= 0.5 or (widths > width).mean() > 0.1:
        return 0.0, width
    return float(full.mean()), width


def detect_layout(lines: Sequence[str], kind: str = "auto") -> Layout:
    """The layout of a file from its raw lines (``kind`` other than "auto" forces one)."""
    if kind not in LAYOUTS:
        raise ValueError(f"layout must be one of {LAYOUTS}, not {kind!r}")
    stripped = [line.strip() for line in lines]
    texts = [line for line in stripped if line]
    best = Layout()
    if len(texts) >= 4:
        ends = np.array([line[-1] in TERMINAL for line in texts])
        fits = []
        for columns in (False, True):
            widths = np.array([_width(t, columns) for t in texts])
            share, width = _wrap_fit(widths, ends)
            fits.append((share, width, columns))
        share, width, columns = max(fits, key=lambda f: f[0])
        if share >= MIN_FULL_SHARE:
            best = Layout("wrapped", width, columns)
    if kind != "auto":
        return Layout(kind, best.width, best.columns)
    if best.kind == "wrapped" and _has_blocks(stripped):
        return Layout("blocks", best.width, best.columns)
    return best


def _width(line: str, columns: bool) -> int:
    """Characters or columns of ``line``; anything too long to be a wrap is not measured."""
    return display_width(line) if columns and len(line) <= MAX_WRAP else len(line)


def _has_blocks(stripped: list[str]) -> bool:
    """True when blank lines separate blocks of several lines (half the lines or more)."""
    sizes, run = [], 0
    for line in [*stripped, ""]:
        if line:
            run += 1
        elif run:
            sizes.append(run)
            run = 0
    return len(sizes) >= 2 and sum(s for s in sizes if s >= 2) >= 0.5 * sum(sizes)


def unit_starts(lines: Sequence[str], layout: Layout) -> list[bool]:
    """For each raw line: True when it starts a new paragraph unit (blank lines: True).

    ``lines``: every line of the file, blank ones included.
    """
    if layout.kind == "lines" or not layout.width:
        return [True] * len(lines)
    raw = list(lines)
    stripped = [line.strip() for line in raw]
    indented = [bool(_INDENT.match(line)) for line in raw]
    texts = [i for i, t in enumerate(stripped) if t]
    indent_share = sum(indented[i] for i in texts) / max(len(texts), 1)
    use_indent = layout.kind == "wrapped" and 0.02 <= indent_share <= 0.6
    starts = []
    previous = ""
    for i, text in enumerate(stripped):
        if not text or not previous:
            starts.append(True)
        else:
            short = layout.measure(previous) < FULL * layout.width
            starts.append(short or (use_indent and indented[i]))
        previous = text
    return starts


def join_wrapped(left: str, right: str) -> str:
    """Join two pieces of a hard-wrapped paragraph: no space, except between Latin words.

    >>> join_wrapped("乡镇", "财政"), join_wrapped("rural", "finance")
    ('乡镇财政', 'rural finance')
    """
    if left and right and left[-1].isascii() and left[-1].isalnum() and right[0].isascii():
        return f"{left} {right}" if right[0].isalnum() else left + right
    return left + right


def split_long_line(line: str, limit: int) -> list[str]:
    """``line`` cut into pieces of at most ``limit`` characters, at sentence ends if possible.

    Each cut goes after the last sentence end in the second half of the window, else after the
    last comma or space there, else at ``limit``. No character is dropped or added.

    >>> split_long_line("甲乙。丙丁。戊己。", 4)
    ['甲乙。', '丙丁。', '戊己。']
    """
    if len(line) <= limit:
        return [line]
    pieces, start = [], 0
    while len(line) - start > limit:
        window = line[start + limit // 2 : start + limit]
        cut = _last_end(SENTENCE_END, window) or _last_end(_SOFT_BREAK_AFTER, window)
        stop = start + limit // 2 + cut if cut else start + limit
        pieces.append(line[start:stop])
        start = stop
    pieces.append(line[start:])
    return pieces


def _last_end(pattern: re.Pattern, window: str) -> int:
    end = 0
    for match in pattern.finditer(window):
        end = match.end()
    return end
