"""Pages → articles → paragraphs: furniture stripped, articles split, metadata moved to fields.

:func:`split_pages` finds how each file marks paragraphs (see :mod:`topics.corpus.layout`),
applies the furniture rules line by line, splits compilation pages at ``第N篇:`` markers (a file
without them is one article), pulls journal metadata into fields and keeps each paragraph's
section heading (:mod:`topics.corpus.sections`). Every character that does not reach a
paragraph is recorded, with its reason, in the ``removed`` table.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from topics.corpus import cleaning
from topics.corpus.cleaning import FurnitureRules, count_chars, ends_sentence, title_key
from topics.corpus.defaults import CJK_CHAR, MAX_PARAGRAPH_CHARS
from topics.corpus.layout import detect_layout, join_wrapped, unit_starts
from topics.corpus.readers import RawText
from topics.corpus.runon import is_run_on, run_on_units
from topics.corpus.sections import (
    ARTICLE_MARKER,
    MAX_TITLE_CHARS,
    SECTION_SEPARATOR,
    UNNUMBERED,
    Line,
    classify,
    join_broken_lines,
)

METADATA_FIELDS = {
    "author": re.compile(r"^【?作\s*者】?\s*[::]?\s*(.{1,40})$"),
    "source": re.compile(r"^【?来\s*源】?\s*[::]\s*(.{1,80})$"),
    "abstract": re.compile(r"^【?(?:内容)?摘\s*要】?\s*[::]?\s*(.+)$"),
    "keywords": re.compile(r"^【?关键词】?\s*[::]?\s*(.{1,120})$"),
}
REFERENCES = re.compile(r"^【?参考文献】?\s*[::]?\s*(.*)$")
_WORD = re.compile(r"[^\W_]")


@dataclass
class Article:
    page_id: str
    number: int
    title: str
    lines: list[Line] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)


class _Ledger:
    """Collects what cleaning removed, line by line, with the reason."""

    def __init__(self) -> None:
        self.rows: list[dict] = []

    def add(self, page_id: str, line: int, reason: str, text: str, chars: int | None = None):
        chars = count_chars(text) if chars is None else chars
        if chars:
            self.rows.append(
                {"page_id": page_id, "line": line, "reason": reason, "chars": chars, "text": text}
            )


def _raw_lines(
    raw: RawText, max_chars: int
) -> tuple[list[tuple[int, str, bool | None]], list[str]]:
    """``(line number, text, starts a paragraph)`` of every raw line, and warnings.

    Run-on lines (see :mod:`topics.corpus.runon`) become several pieces, with ``True`` where a
    paragraph starts; ordinary lines have ``None`` (their layout decides).
    """
    numbered: list[tuple[int, str, bool | None]] = []
    warnings = []
    file_chars = len(raw.text)
    after_run_on = False
    for number, raw_line in enumerate(raw.text.split("\n"), start=1):
        if not is_run_on(raw_line, file_chars, max_chars):
            numbered.append((number, raw_line, True if after_run_on and raw_line.strip() else None))
            after_run_on = after_run_on and not raw_line.strip()
            continue
        units = run_on_units(raw_line, max_chars)
        warnings.append(
            f"line {number} has {len(raw_line):,} characters: cut at sentence ends into "
            f"{sum(start for _, start in units):,} paragraphs of at most {max_chars:,}"
        )
        numbered.extend((number, piece, start) for piece, start in units)
        after_run_on = True
    return numbered, warnings


def _drop_furniture(
    raw: RawText,
    page_id: str,
    rules: FurnitureRules,
    ledger: _Ledger,
    layout: str = "auto",
    max_chars: int = MAX_PARAGRAPH_CHARS,
) -> tuple[list[Line], str, list[str]]:
    """Normalised paragraph units of a page with line and block furniture removed, the layout
    found, and warnings.

    Furniture rules apply to single lines; the lines of one unit (a hard-wrapped paragraph)
    are then joined. An article marker is always a unit of its own.
    """
    numbered, warnings = _raw_lines(raw, max_chars)
    found = detect_layout([text for _, text, given in numbered if given is None], layout)
    layout_starts = unit_starts([text for _, text, _ in numbered], found)
    starts = [
        start if given is None else given
        for (_, _, given), start in zip(numbered, layout_starts, strict=True)
    ]
    kept: list[Line] = []
    block: str | None = None
    new_unit = True
    for (number, raw_line, _), start in zip(numbered, starts, strict=True):
        new_unit = new_unit or start
        text = cleaning.normalise_line(raw_line)
        if not text:
            continue
        marker = ARTICLE_MARKER.match(text)
        if marker:
            block = None
        block = cleaning.matching_rule(text, rules.drop_blocks) or block
        rule = block or cleaning.matching_rule(text, rules.drop_lines)
        if rule:
            ledger.add(page_id, number, f"furniture:{rule}", text)
            continue
        if kept and not new_unit and not marker and not ARTICLE_MARKER.match(kept[-1].text):
            kept[-1] = Line(join_wrapped(kept[-1].text, text), kept[-1].start, number)
        else:
            kept.append(Line(text, number, number))
        new_unit = False
    return kept, found.kind, warnings


def _split_articles(lines: list[Line], page_id: str, rules, ledger) -> tuple[str, list[Article]]:
    """Page title and articles; text before the first marker is the page header."""
    markers = [i for i, line in enumerate(lines) if ARTICLE_MARKER.match(line.text)]
    header = lines[: markers[0]] if markers else []
    if not markers:
        first = lines[0].text if lines else ""
        is_title = len(first) <= MAX_TITLE_CHARS and not ends_sentence(first)
        header = lines[:1] if is_title else []
    page_title = cleaning.strip_page_title_suffix(header[0].text, rules) if header else ""
    for line in header:
        ledger.add(page_id, line.start, "page_header", line.text)
    if not markers:
        body = lines[len(header) :]
        return page_title, [Article(page_id, 1, page_title or page_id, body)]
    articles = []
    bounds = markers + [len(lines)]
    for number, (start, stop) in enumerate(zip(bounds, bounds[1:], strict=False), start=1):
        marker = lines[start]
        title = ARTICLE_MARKER.match(marker.text).group(2).strip()
        ledger.add(page_id, marker.start, "article_marker", marker.text, count_chars(marker.text))
        articles.append(
            Article(page_id, number, title or f"{page_id} #{number}", lines[start + 1 : stop])
        )
    return page_title or articles[0].title, articles


def _extract_metadata(article: Article, page_title: str, rules: FurnitureRules, ledger) -> None:
    """Move title echoes, journal metadata and inline spam out of the article's lines."""
    echoes = {title_key(article.title), title_key(page_title)} - {""}
    kept: list[Line] = []
    in_references = False
    for line in article.lines:
        text = line.text
        reference = REFERENCES.match(text)
        if in_references or reference:
            in_references = True
            body = reference.group(1) if reference else text
            refs = article.metadata.get("references", "")
            article.metadata["references"] = "\n".join(filter(None, [refs, body]))
            ledger.add(article.page_id, line.start, "metadata:references", text)
            continue
        if title_key(text) in echoes:
            ledger.add(article.page_id, line.start, "title_echo", text)
            continue
        field_name = next((k for k, p in METADATA_FIELDS.items() if p.match(text)), None)
        if field_name and field_name not in article.metadata:
            article.metadata[field_name] = METADATA_FIELDS[field_name].match(text).group(1).strip()
            ledger.add(article.page_id, line.start, f"metadata:{field_name}", text)
            continue
        text, removed = cleaning.strip_inline(text, rules.drop_inline)
        for rule, chars in removed.items():
            ledger.add(article.page_id, line.start, f"inline:{rule}", "", chars)
        text, echoed = cleaning.strip_title_echo(text, page_title, rules.title_echo_prefixes)
        ledger.add(article.page_id, line.start, "title_echo", "", echoed)
        if text.strip():
            kept.append(Line(text.strip(), line.start, line.end))
    article.lines = kept


def _paragraph_rows(
    article: Article, ledger: _Ledger, max_chars: int = MAX_PARAGRAPH_CHARS
) -> list[dict]:
    sections: dict[int, str] = {}
    rows = []
    for line, level in classify(join_broken_lines(article.lines, max_chars)):
        if not _WORD.search(line.text):
            ledger.add(article.page_id, line.start, "no_words", line.text)
            continue
        if level is not None:
            level = level or UNNUMBERED  # an unnumbered heading sits under the numbered ones
            sections = {k: v for k, v in sections.items() if k < level}
            sections[level] = line.text
            ledger.add(article.page_id, line.start, "heading", line.text)
            continue
        rows.append(
            {
                "paragraph_id": f"{article.page_id}#{article.number}/p{len(rows) + 1:03d}",
                "article_id": f"{article.page_id}#{article.number}",
                "page_id": article.page_id,
                "paragraph_no": len(rows) + 1,
                "section": SECTION_SEPARATOR.join(sections[k] for k in sorted(sections)),
                "text": line.text,
                "n_chars": count_chars(line.text),
                "line_start": line.start,
                "line_end": line.end,
            }
        )
    return rows


def short_title(title: str, width: int = 16, rules: FurnitureRules | None = None) -> str:
    """A title cut to ``width`` characters with an ellipsis, for plot labels.

    ``rules``' title-suffix patterns (``[titles] label_suffixes`` in the furniture file, e.g.
    ``(定稿)``) are removed first.
    """
    for pattern in rules.label_suffixes if rules else ():
        title = pattern.sub("", title).strip()
    return title if len(title) <= width else title[: width - 1] + "…"


def page_ids(texts: Iterable[RawText], root: Path) -> list[str]:
    """Readable page ids: the file stem, or the relative path when stems collide."""
    texts = list(texts)
    stems = [t.path.stem for t in texts]
    return [
        stem if stems.count(stem) == 1 else t.path.relative_to(root).with_suffix("").as_posix()
        for stem, t in zip(stems, texts, strict=True)
    ]


def _article_row(article: Article, page_id: str, rows: list[dict], rules) -> dict:
    spans = [line.start for line in article.lines] + [line.end for line in article.lines]
    return {
        "article_id": f"{page_id}#{article.number}",
        "page_id": page_id,
        "article_no": article.number,
        "title": article.title,
        "short_title": short_title(article.title, rules=rules),
        **{k: article.metadata.get(k, "") for k in (*METADATA_FIELDS, "references")},
        "line_start": min(spans, default=0),
        "line_end": max(spans, default=0),
        "n_paragraphs": len(rows),
        "n_chars": sum(r["n_chars"] for r in rows),
    }


def split_pages(
    texts: list[RawText],
    root: Path,
    rules: FurnitureRules,
    *,
    layout: str = "auto",
    max_paragraph_chars: int = MAX_PARAGRAPH_CHARS,
    progress: bool | None = False,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Pages, articles, paragraphs and removed-text tables of decoded pages (no dedup yet).

    ``layout``: "auto" (detected per file), or "lines", "blocks", "wrapped" for every file.
    """
    from tqdm.auto import tqdm

    ledger = _Ledger()
    pages, articles, paragraphs = [], [], []
    ids = page_ids(texts, root)
    disable = None if progress is None else not progress
    bar = tqdm(total=sum(len(t.text) for t in texts), unit="char", unit_scale=True,
               desc="splitting", disable=disable)  # fmt: skip
    for raw, page_id in zip(texts, ids, strict=True):
        lines, found, warnings = _drop_furniture(
            raw, page_id, rules, ledger, layout, max_paragraph_chars
        )
        page_title, page_articles = _split_articles(lines, page_id, rules, ledger)
        n_rows = len(paragraphs)
        for article in page_articles:
            _extract_metadata(article, page_title, rules, ledger)
            rows = _paragraph_rows(article, ledger, max_paragraph_chars)
            paragraphs.extend(rows)
            articles.append(_article_row(article, page_id, rows, rules))
        page_text = [row["text"] for row in paragraphs[n_rows:]]
        if not page_text:
            warnings.append("no paragraph text left after cleaning")
        elif not any(CJK_CHAR.search(text) for text in page_text):
            warnings.append("has no Chinese characters: its paragraphs will give no tokens")
        pages.append(
            {
                "page_id": page_id,
                "path": raw.path.relative_to(root).as_posix(),
                "sha256": raw.sha256,
                "encoding": raw.encoding,
                "warning": "; ".join(filter(None, [raw.warning, *warnings])),
                "layout": found,
                "title": page_title,
                "n_chars_raw": count_chars(raw.text),
                "n_articles": len(page_articles),
            }
        )
        bar.update(len(raw.text))
    bar.close()
    removed = pd.DataFrame(ledger.rows, columns=["page_id", "line", "reason", "chars", "text"])
    return pd.DataFrame(pages), pd.DataFrame(articles), _paragraph_frame(paragraphs), removed


def _paragraph_frame(rows: list[dict]) -> pd.DataFrame:
    columns = [
        "paragraph_id", "article_id", "page_id", "paragraph_no", "section", "text", "n_chars",
        "line_start", "line_end",
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)
