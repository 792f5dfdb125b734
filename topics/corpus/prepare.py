"""Corpus preparation: raw pages → articles → paragraphs, as tidy tables with provenance.

``prepare_corpus(folder)`` reads every document (``.txt``, ``.docx``, ``.html``), strips site
furniture (rules in an editable file), finds how each file marks paragraphs (one per line, or
blank-line blocks of hard-wrapped lines; see :mod:`topics.corpus.layout`), splits compilation pages at
``第N篇:`` markers (a file without them is one article), joins lines broken by page breaks,
keeps each paragraph's section heading, pulls journal metadata into fields, adds file-level
metadata columns (:mod:`topics.corpus.metadata`) and flags near-duplicate articles and paragraphs.
Every character that does not reach a paragraph is accounted for in the ``removed`` table.

Ids are stable and readable: page ``000_786013f1ef10bced``, article ``000_786013f1ef10bced#2``,
paragraph ``000_786013f1ef10bced#2/p014``.
"""

from __future__ import annotations

import ctypes
import gc
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from topics.corpus import cleaning, metadata
from topics.corpus.cleaning import FurnitureRules, count_chars, ends_sentence, title_key
from topics.corpus.dedup import flag_duplicates
from topics.corpus.layout import LAYOUTS, detect_layout, join_wrapped, split_long_line, unit_starts
from topics.corpus.readers import TEXT_SUFFIXES, Problem, RawText, list_text_files, read_folder
from topics.errors import input_error

ARTICLE_MARKER = re.compile(r"^第\s*([一二三四五六七八九十百零〇两\d]+)\s*篇\s*[::]\s*(.*)$")
#: Section heading markers, outermost first: 一、  (一)  1、  (1)
HEADING_MARKERS = (
    re.compile(r"^[一二三四五六七八九十]{1,3}\s*[、.．]|^[一二三四五六七八九十]{1,3} (?=\S)"),
    re.compile(r"^[((][一二三四五六七八九十]{1,3}[))]"),
    re.compile(r"^\d{1,2}\s*[、.．](?!\d)"),
    re.compile(r"^[((]\d{1,2}[))]"),
)
METADATA_FIELDS = {
    "author": re.compile(r"^【?作\s*者】?\s*[::]?\s*(.{1,40})$"),
    "source": re.compile(r"^【?来\s*源】?\s*[::]\s*(.{1,80})$"),
    "abstract": re.compile(r"^【?(?:内容)?摘\s*要】?\s*[::]?\s*(.+)$"),
    "keywords": re.compile(r"^【?关键词】?\s*[::]?\s*(.{1,120})$"),
}
REFERENCES = re.compile(r"^【?参考文献】?\s*[::]?\s*(.*)$")
MAX_HEADING_CHARS = 50
MAX_PLAIN_HEADING_CHARS = 30
MAX_TITLE_CHARS = 80
_WORD = re.compile(r"[^\W_]")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
#: Lines longer than this are cut at sentence ends into several paragraphs (with a warning).
MAX_PARAGRAPH_CHARS = 5000


@dataclass
class Line:
    """A cleaned line and the raw lines it spans (1-based)."""

    text: str
    start: int
    end: int


@dataclass
class Article:
    page_id: str
    number: int
    title: str
    lines: list[Line] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass
class PreparedCorpus:
    """The tidy tables of one prepared corpus.

    ``pages``: one row per raw file (hash, encoding, title). ``articles`` and ``paragraphs``: the
    units, with ``duplicate_of`` set on near-duplicates. ``removed``: every stretch of text that
    did not become paragraph text, with the rule that removed it. ``problems``: skipped files.
    """

    pages: pd.DataFrame
    articles: pd.DataFrame
    paragraphs: pd.DataFrame
    removed: pd.DataFrame
    problems: pd.DataFrame

    def modelling_paragraphs(self) -> pd.DataFrame:
        """Paragraphs that are not duplicates: the documents a topic model sees by default."""
        return self.paragraphs[self.paragraphs["duplicate_of"].isna()]

    def removed_by_reason(self) -> pd.DataFrame:
        """Characters and lines removed per reason; ``kind`` says dropped or moved to a field."""
        table = self.removed.groupby("reason", as_index=False).agg(
            chars=("chars", "sum"), lines=("line", "nunique")
        )
        moved = table["reason"].str.match(r"^(metadata|heading|article_marker)")
        table["kind"] = moved.map({True: "moved to a field", False: "dropped"})
        return table.sort_values(["kind", "chars"], ascending=[True, False], ignore_index=True)

    def summary(self) -> dict[str, int]:
        """Counts a researcher checks first: units, duplicates, characters kept and removed."""
        by_reason = self.removed_by_reason()
        return {
            "pages": len(self.pages),
            "files skipped": len(self.problems),
            "articles": len(self.articles),
            "duplicate articles": int(self.articles["duplicate_of"].notna().sum()),
            "paragraphs": len(self.paragraphs),
            "duplicate paragraphs": int(self.paragraphs["duplicate_of"].notna().sum()),
            "paragraphs for modelling": len(self.modelling_paragraphs()),
            "characters in raw pages": int(self.pages["n_chars_raw"].sum()),
            "characters kept in paragraphs": int(self.paragraphs["n_chars"].sum()),
            "characters moved to titles, headings, metadata": int(
                by_reason.loc[by_reason["kind"] != "dropped", "chars"].sum()
            ),
            "characters dropped": int(by_reason.loc[by_reason["kind"] == "dropped", "chars"].sum()),
        }


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


def heading_level(text: str) -> int | None:
    """Level (1 = outermost) of a numbered heading marker at the start of ``text``, else None."""
    for level, pattern in enumerate(HEADING_MARKERS, start=1):
        if pattern.match(text):
            return level
    return None


def _raw_lines(raw: RawText, max_chars: int) -> tuple[list[tuple[int, str]], list[str]]:
    """``(line number, text)`` of every raw line, over-long lines cut into several; warnings."""
    numbered: list[tuple[int, str]] = []
    warnings = []
    for number, raw_line in enumerate(raw.text.split("\n"), start=1):
        if len(raw_line) <= max_chars:
            numbered.append((number, raw_line))
            continue
        pieces = split_long_line(raw_line, max_chars)
        warnings.append(
            f"line {number} has {len(raw_line):,} characters: cut at sentence ends into "
            f"{len(pieces):,} paragraphs of at most {max_chars:,}"
        )
        numbered.extend((number, piece) for piece in pieces)
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
    texts = [text for _, text in numbered]
    found = detect_layout(texts, layout)
    starts = unit_starts(texts, found)
    kept: list[Line] = []
    block: str | None = None
    new_unit = True
    for (number, raw_line), start in zip(numbered, starts, strict=True):
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


def _is_unfinished(text: str) -> bool:
    """A line that stops mid-sentence (a page break split it), not a short heading."""
    if ends_sentence(text):
        return False
    if heading_level(text) is not None and len(text) <= MAX_HEADING_CHARS and "。" not in text:
        return False
    return len(text) > 40 or "。" in text or text[-1] in ",,、::(“《"


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


def _classify(lines: list[Line]) -> list[tuple[Line, int | None]]:
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


def _paragraph_rows(
    article: Article, ledger: _Ledger, max_chars: int = MAX_PARAGRAPH_CHARS
) -> list[dict]:
    sections: dict[int, str] = {}
    rows = []
    for line, level in _classify(join_broken_lines(article.lines, max_chars)):
        if not _WORD.search(line.text):
            ledger.add(article.page_id, line.start, "no_words", line.text)
            continue
        if level is not None:
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
                "section": " > ".join(sections[k] for k in sorted(sections)),
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
        elif not any(_CJK.search(text) for text in page_text):
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


def prepare_corpus(
    folder: str | Path,
    rules: FurnitureRules | None = None,
    *,
    strict: bool = False,
    article_threshold: float = 0.8,
    paragraph_threshold: float = 0.9,
    suffixes: tuple[str, ...] = TEXT_SUFFIXES,
    traditional_to_simplified: bool = False,
    layout: str = "auto",
    max_paragraph_chars: int = MAX_PARAGRAPH_CHARS,
    filename_pattern: str | None = None,
    metadata_file: str | None = metadata.METADATA_FILE,
    year_from_filename: bool = True,
    progress: bool | None = False,
) -> PreparedCorpus:
    """Read, clean, split and de-duplicate every document in ``folder``.

    The keyword arguments are the fields of :class:`topics.config.CorpusSettings`, so
    ``prepare_corpus(folder, rules, **asdict(settings.corpus))`` applies a config.
    ``article_threshold`` and ``paragraph_threshold`` are the shingle containment above which a
    unit is flagged as a near-duplicate of a larger one (see :mod:`topics.corpus.dedup`);
    ``filename_pattern`` and ``metadata_file`` (a CSV in ``folder``) give metadata columns,
    ``year_from_filename`` a default ``year`` column (see :mod:`topics.corpus.metadata`); ``progress``: progress bars (None: only on a terminal).

    >>> corpus = prepare_corpus("data/raw")                      # doctest: +SKIP
    >>> corpus.articles[["article_id", "short_title", "duplicate_of"]]  # doctest: +SKIP
    """
    if layout not in LAYOUTS:
        raise input_error(
            None, f"corpus.layout must be one of {', '.join(LAYOUTS)}, not {layout!r}"
        )
    if max_paragraph_chars < 200:
        raise input_error(
            None, f"corpus.max_paragraph_chars must be at least 200, not {max_paragraph_chars}"
        )
    folder = Path(folder)
    rules = rules or cleaning.load_furniture()
    files = [p.relative_to(folder).as_posix() for p in list_text_files(folder, suffixes)]
    sidecar = metadata.sidecar_path(folder, metadata_file)
    file_meta = metadata.file_metadata(files, filename_pattern, sidecar, year_from_filename)
    texts, problems = read_folder(
        folder, strict=strict, suffixes=suffixes, simplified=traditional_to_simplified,
        progress=progress,
    )  # fmt: skip
    pages, articles, paragraphs, removed = split_pages(
        texts, folder, rules, layout=layout, max_paragraph_chars=max_paragraph_chars,
        progress=progress,
    )  # fmt: skip
    del texts
    _release_memory()  # the raw texts and row dicts, before near-duplicate detection
    if paragraphs.empty:
        details = "; ".join(
            f"{p}: {w}" for p, w in zip(pages["path"], pages["warning"], strict=True)
        )
        raise input_error(folder, f"no file has paragraph text; {details}", "nothing to model")
    articles, paragraphs = flag_duplicates(
        articles, paragraphs, article_threshold=article_threshold,
        paragraph_threshold=paragraph_threshold, progress=progress,
    )  # fmt: skip
    tables = {"pages": pages, "articles": articles, "paragraphs": paragraphs}
    tables = metadata.attach(tables, file_meta)
    return PreparedCorpus(**tables, removed=removed, problems=_problem_frame(problems, folder))


def _release_memory() -> None:
    """Hand memory freed by Python back to the operating system (glibc), so the next step's
    peak does not sit on top of this one's."""
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass


def _problem_frame(problems: list[Problem], root: Path) -> pd.DataFrame:
    rows = [{"path": p.path.relative_to(root).as_posix(), "problem": p.problem} for p in problems]
    return pd.DataFrame(rows, columns=["path", "problem"])
