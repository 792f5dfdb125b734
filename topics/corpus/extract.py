"""Plain text from ``.docx`` and ``.html`` documents, one line per paragraph or block.

HTML: the text of block elements (``p``, ``div``, ``li``, ``h1``…, ``br``) becomes lines;
``script``, ``style``, ``nav``, ``aside``, ``form`` and the page's own ``header``/``footer``
(not those inside an ``article`` or ``main``) are dropped, as are elements whose ``class`` or
``id`` names navigation, breadcrumbs, sidebars, sharing or copyright blocks. The charset comes
from ``<meta charset>`` when declared, otherwise it is detected like a text file's.

DOCX: paragraphs and table cells in document order, via python-docx. A Word file is a zip
archive: one whose members expand past :data:`MAX_DOCX_BYTES`, or whose body holds more than
:data:`MAX_DOCX_PARAGRAPHS` paragraphs, is refused before it is parsed (bounded memory).

Reading HTML takes time linear in its size: comments are cut out in one scan, a ``<`` that
starts no complete tag is text, and closing tags are matched against a count of the open
ones, not by searching the open stack.

>>> html_to_text("<p>乡镇财政</p><script>x()</script><nav>首页</nav><p>村民自治</p>")
'乡镇财政\\n村民自治'
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser

from topics.corpus.defaults import CJK_IDEOGRAPHS
from topics.errors import input_error

#: Elements whose content is never text of the report.
SKIP_TAGS = frozenset(
    "script style noscript template nav aside form select button iframe svg canvas head".split()
)
#: Dropped unless inside an ``article`` or ``main`` element (where they hold titles, dates).
PAGE_FURNITURE_TAGS = frozenset({"header", "footer"})
VOID_TAGS = frozenset("br hr img input meta link area base col embed source track wbr".split())
BLOCK_TAGS = frozenset(
    """p div br li ul ol dl dt dd h1 h2 h3 h4 h5 h6 tr td th table section article main
    blockquote pre hr title caption figcaption address center""".split()
)
#: ``class``/``id`` values that mark site furniture (matched as whole words, case-insensitive).
FURNITURE_NAMES = re.compile(
    r"(?:^|[\s_-])(nav|navbar|navigation|menu|breadcrumbs?|crumbs?|sidebar|share|sharing|"
    r"copyright|advert|ads|banner|related|comments?|pagination|toolbar)(?:$|[\s_-])",
    re.IGNORECASE,
)
_CJK = f"[\u3000-\u303f{CJK_IDEOGRAPHS}\uff00-\uffef]"  # with CJK and full-width punctuation
_NEWLINE_BETWEEN_CJK = re.compile(rf"(?<={_CJK})[ \t\r\f\v]*\n\s*(?={_CJK})")
_SPACE = re.compile(r"\s+")
#: A tag: ``<``, a letter (or ``/``, ``!``, ``?``), then anything up to ``>`` where quoted
#: attribute values (at most 4,096 characters) may hold ``<`` and ``>``. Any other ``<`` is
#: text (html.parser would rescan the rest of the page from each one, which is quadratic).
#: Possessive repeats: a ``<`` that starts no tag fails in one scan to the next ``<``.
_TAG_OR_LT = re.compile(r"""<[A-Za-z/!?](?:[^<>"']++|"[^"]{0,4096}+"|'[^']{0,4096}+')*+>|<""")
_DOCX_PARAGRAPH = re.compile(rb"<w:p[\s>/]")
_CHUNK = 1 << 20
#: Bytes the members of a ``.docx`` may expand to, all together (a zip bomb is refused).
MAX_DOCX_BYTES = 128 << 20
#: Paragraphs a ``.docx`` body may hold.
MAX_DOCX_PARAGRAPHS = 100_000
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9_-]+)", re.IGNORECASE)


@dataclass(frozen=True)
class DocxLimits:
    """Bounds on a ``.docx``: uncompressed ``bytes`` of all members, ``paragraphs`` in its body."""

    bytes: int = MAX_DOCX_BYTES
    paragraphs: int = MAX_DOCX_PARAGRAPHS


class _TextCollector(HTMLParser):
    """Collects the text of an HTML page, block by block, skipping furniture elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.current: list[str] = []
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped)
        self.open = Counter()  # tag -> how many are on the stack
        self.skip_depth = 0
        self.content_depth = 0  # inside article/main

    def _flush(self) -> None:
        text = "".join(self.current)
        text = _NEWLINE_BETWEEN_CJK.sub("", text)
        text = _SPACE.sub(" ", text).strip()
        if text:
            self.blocks.append(text)
        self.current = []

    def _skips(self, tag: str, attrs: list[tuple[str, str | None]]) -> bool:
        if tag in SKIP_TAGS:
            return True
        if tag in PAGE_FURNITURE_TAGS and not self.content_depth:
            return True
        values = dict(attrs)
        if values.get("hidden") is not None or values.get("aria-hidden") == "true":
            return True
        if (values.get("role") or "") in ("navigation", "banner", "contentinfo", "complementary"):
            return True
        names = f"{values.get('class') or ''} {values.get('id') or ''}"
        return bool(FURNITURE_NAMES.search(names))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in BLOCK_TAGS and not self.skip_depth:
            self._flush()
        if tag in VOID_TAGS:
            return
        skipped = self._skips(tag, attrs)
        self.stack.append((tag, skipped))
        self.open[tag] += 1
        self.skip_depth += skipped
        self.content_depth += tag in ("article", "main")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in BLOCK_TAGS and not self.skip_depth:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID_TAGS:
            return
        # Close up to the matching open tag; unmatched end tags are ignored (broken HTML).
        if not self.open[tag]:
            return
        while self.stack:
            open_tag, skipped = self.stack.pop()
            self.open[open_tag] -= 1
            self.skip_depth -= skipped
            self.content_depth -= open_tag in ("article", "main")
            if open_tag == tag:
                break
        if tag in BLOCK_TAGS and not self.skip_depth:
            self._flush()

    def handle_data(self, data: str) -> None:
        if not self.skip_depth:
            self.current.append(data)

    def text(self) -> str:
        self._flush()
        return "\n".join(self.blocks)


def html_to_text(html: str) -> str:
    """The readable text of an HTML page: one line per block element, furniture dropped."""
    collector = _TextCollector()
    collector.feed(_TAG_OR_LT.sub(_tag_or_text, _drop_comments(html)))
    collector.close()
    return collector.text()


def _tag_or_text(match: re.Match) -> str:
    return match.group() if len(match.group()) > 1 else "&lt;"


def _drop_comments(html: str) -> str:
    """``html`` without its comments; an unclosed comment runs to the end (as in browsers).

    One forward scan: html.parser would rescan the page from every unclosed ``<!--``.
    """
    kept, position = [], 0
    while (start := html.find("<!--", position)) != -1:
        kept.append(html[position:start])
        end = html.find("-->", start + 4)
        if end == -1:
            return "".join(kept)
        position = end + 3
    kept.append(html[position:])
    return "".join(kept)


def declared_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in a ``<meta>`` tag (within its first 4 KB), if any."""
    found = _META_CHARSET.search(data[:4096])
    if not found:
        return None
    name = found.group(1).decode("ascii").lower()
    return {"gb2312": "gb18030", "gbk": "gb18030"}.get(name, name)


def check_docx_size(data: bytes, path: object = "<bytes>", limits: DocxLimits | None = None):
    """Raise :class:`~topics.errors.InputError` naming ``path`` when the ``.docx`` archive
    expands past ``limits.bytes`` or its body has more than ``limits.paragraphs`` paragraphs.

    Members are decompressed a chunk at a time and counted, never held: memory stays bounded
    whatever sizes the archive declares.
    """
    limits = limits or DocxLimits()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        total = paragraphs = 0
        for info in archive.infolist():
            with archive.open(info) as member:
                carry = b""
                while chunk := member.read(_CHUNK):
                    total += len(chunk)
                    if total > limits.bytes:
                        raise input_error(
                            path, f"expands to more than {limits.bytes:,} bytes uncompressed "
                            f"(at {info.filename})", "refused: a zip bomb or far too large",
                        )  # fmt: skip
                    if info.filename == "word/document.xml":
                        paragraphs += len(_DOCX_PARAGRAPH.findall(carry + chunk))
                        carry = chunk[-4:]  # a tag cut between chunks; 4 bytes hold no match
                    if paragraphs > limits.paragraphs:
                        raise input_error(
                            path, f"has more than {limits.paragraphs:,} paragraphs",
                            "refused: far too large for one document",
                        )  # fmt: skip
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, NotImplementedError,
            RuntimeError) as exc:  # fmt: skip  # RuntimeError: an encrypted member
        problem = f"not a valid .docx Word document ({type(exc).__name__}: {exc})"
        raise input_error(path, problem, "re-save it from Word, or skip it") from None


def docx_to_text(data: bytes, path: object = "<bytes>", limits: DocxLimits | None = None) -> str:
    """Paragraph and table-cell text of a ``.docx`` file, in document order, one per line.

    Raises :class:`~topics.errors.InputError` naming ``path`` when the file is not a valid
    Word document or is past ``limits`` (see :func:`check_docx_size`).
    """
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph
    except ImportError:  # pragma: no cover - python-docx is a dependency
        raise input_error(path, "needs python-docx to be read", "pip install python-docx") from None
    check_docx_size(data, path, limits)
    try:
        document = docx.Document(io.BytesIO(data))
        lines: list[str] = []
        for element in document.element.body.iterchildren():
            tag = element.tag.rsplit("}", 1)[-1]
            if tag == "p":
                lines.append(Paragraph(element, document).text)
            elif tag == "tbl":
                for row in Table(element, document).rows:
                    lines.extend(cell.text for cell in row.cells)
    except Exception as exc:  # python-docx raises many types for damaged files
        problem = f"not a valid .docx Word document ({type(exc).__name__}: {exc})"
        raise input_error(path, problem, "re-save it from Word, or skip it") from None
    return "\n".join(lines)
