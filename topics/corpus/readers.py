"""Read raw documents whatever their format and encoding; report the ones that cannot be read.

Formats by suffix: ``.txt`` (any common Chinese encoding), ``.docx`` (python-docx) and
``.html``/``.htm`` (text of block elements, scripts and navigation dropped; see
:mod:`topics.corpus.extract`). Text decoding order: a byte-order mark decides (UTF-8-SIG, UTF-32, UTF-16);
otherwise strict UTF-8, then UTF-16 without BOM (when NUL bytes suggest it), then GB18030 (a
superset of GBK and GB2312) or Big5 (cp950), whichever gives more common Chinese characters.
A file that is binary, empty or undecodable is reported with its name, never a traceback.
Traditional characters can be converted to Simplified on reading.
"""

from __future__ import annotations

import codecs
import hashlib
import os
import re
import stat
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from topics.corpus import extract
from topics.corpus.defaults import CJK_CHAR, CJK_IDEOGRAPHS
from topics.errors import InputError, input_error

#: Suffixes read by default: plain text, Word and HTML documents.
TEXT_SUFFIXES = (".txt", ".docx", ".html", ".htm")
MB = 1 << 20
#: Files larger than this many MB are skipped by name, before reading (a setting).
MAX_FILE_MB = 256


@dataclass(frozen=True)
class RawText:
    """One decoded file: where it came from, its bytes' hash and its text."""

    path: Path
    text: str
    encoding: str
    sha256: str
    warning: str | None = None


@dataclass(frozen=True)
class Problem:
    """A file that was skipped, and why."""

    path: Path
    problem: str


#: The most common Chinese characters, Simplified and Traditional: correctly decoded Chinese text
#: is full of them, a GBK page misread as Big5 (or the reverse) is not.
COMMON_HAN = frozenset(
    "一七万三上下不与世业东两並个中为主么义之九也乡书了事二于五些交产京亲人什今从他代令以们件任众会传但位住体何作你使來便保信個們倒候债做傳債儿元先光兒党入內全兩八公"
    "六共关其内再写军农决几出分別利别到制前力办功加务动動務化北区區十半华南即却卻原去县又及反发受变口只叫可台司吃各合同名后向听告员呢周命和品員問喫四回因国國在地场城"
    "基報場士声处外多大天太夫头女她好如子字学學它安完定实家實寫对导将將對導小少就展山工己已市师带師帶常干平年并幹幾应度建开式张張強强当往很後得從德心必快怎思性总息情"
    "想意愛感應成我或战戰所手才打技把报持指接提收改放政教数數文新方於无日时明是時更書最會月有服望期未本术机权李村条来東极林果样條業極樣機權次正此步武死每比毛民气氣水"
    "求江決沒没治法活派流海深清满滿点無然爱爲父物特王现現理甚生產用由电界留當發白百的目直相看真眼着知社神种科程種空立笑第等算管系紅組結給統經縣總織红组织经结给统美義"
    "老者而联聯聲聽能脸臉自至臺與色花英華萬處衆行術表被裏西要見親覺见觉解言計記設許話該認語說請論識變讓计认让记许论设识话该语说请象負財資负财资走起跟路身車軍輕轉车转"
    "轻辦農边达过运近还这进远连這通連進運過道達遠還邊那部都鄉里重量金錢鎮钱镇長长門開間關门问间队院隊难難電青非面革領頭題领题風风馬马體高麼黃黄點黨"
)


#: Characters of a decoded text sampled to judge whether the decoding is right.
SAMPLE_CHARS = 20000
#: A decoding with more control or unassigned characters than this share is wrong.
MAX_CONTROL_SHARE = 0.01
#: UTF-16 without a byte-order mark is accepted when this share of characters is common script.
MIN_COMMON_SCRIPT_SHARE = 0.9
_COMMON_SCRIPT = re.compile(f"[\\x00-\\x7f{CJK_IDEOGRAPHS}\u3000-\u303f\uff00-\uffef\u2000-\u206f]")


def _common_han_share(text: str) -> float:
    """Share of the Han characters in ``text`` (first 20,000 characters) that are common ones."""
    han = CJK_CHAR.findall(text[:SAMPLE_CHARS])
    return sum(ch in COMMON_HAN for ch in han) / len(han) if han else 0.0


def _looks_like_text(text: str) -> bool:
    """True when almost every character is printable (no control or unassigned code points)."""
    if not text:
        return False
    sample = text[:SAMPLE_CHARS]
    bad = sum(
        1
        for ch in sample
        if ch not in "\n\r\t\f" and unicodedata.category(ch) in ("Cc", "Cn", "Co", "Cs")
    )
    return bad / len(sample) < MAX_CONTROL_SHARE


def _common_script_share(text: str) -> float:
    """Share of characters that are ASCII, CJK ideographs, CJK or full-width punctuation."""
    sample = text[:SAMPLE_CHARS]
    return len(_COMMON_SCRIPT.findall(sample)) / max(len(sample), 1)


def _decode_utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    even_nuls = data[0::2].count(0)
    odd_nuls = data[1::2].count(0)
    for encoding in (
        ("utf-16-le", "utf-16-be") if odd_nuls >= even_nuls else ("utf-16-be", "utf-16-le")
    ):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_like_text(text) and _common_script_share(text) > MIN_COMMON_SCRIPT_SHARE:
            return text, encoding
    return None


def decode_bytes(data: bytes, path: str | Path = "<bytes>") -> tuple[str, str, str | None]:
    """Decode ``data`` and return ``(text, encoding, warning)``.

    Raises :class:`~topics.errors.InputError` naming ``path`` when the bytes are empty, binary
    or in no encoding we can recognise.

    >>> decode_bytes("乡镇财政".encode("gbk"))[:2]
    ('乡镇财政', 'gb18030')
    """
    if not data.strip():
        raise input_error(path, "file is empty", "nothing to read")
    if data.startswith(codecs.BOM_UTF8):
        encodings = ["utf-8-sig"]
    elif data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):  # before UTF-16's
        encodings = ["utf-32"]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ["utf-16"]
    else:
        encodings = []
    for encoding in encodings:
        try:
            return data.decode(encoding), encoding, None
        except UnicodeDecodeError as exc:
            problem = f"not valid {encoding} despite its byte-order mark ({exc.reason})"
            raise input_error(path, problem) from None
    try:
        text = data.decode("utf-8")
        if _looks_like_text(text):
            return text, "utf-8", None
    except UnicodeDecodeError as exc:
        if exc.start >= len(data) - 3 and exc.reason == "unexpected end of data":
            text = data[: exc.start].decode("utf-8")
            warning = f"truncated UTF-8: the last {len(data) - exc.start} byte(s) were incomplete and dropped"
            return text, "utf-8", warning
    if b"\x00" in data:
        found = _decode_utf16_without_bom(data)
        if found:
            return found[0], found[1], None
        raise input_error(path, "looks binary (NUL bytes), not a text file", "skipped")
    candidates = []
    for encoding in ("gb18030", "cp950"):  # GBK/GB2312 and Big5 (Traditional)
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _looks_like_text(text):
            candidates.append((_common_han_share(text), encoding == "gb18030", encoding, text))
    if candidates:
        _, _, encoding, text = max(candidates)
        return text, encoding, None
    raise input_error(
        path,
        "cannot be decoded as UTF-8, UTF-16, GB18030/GBK or Big5",
        "convert it to UTF-8, or check that it is a text file",
    )


def _decode_html(data: bytes, path: Path) -> tuple[str, str, str | None]:
    """Decode an HTML page with the charset it declares, falling back to detection."""
    charset = extract.declared_charset(data)
    has_bom = data.startswith(
        (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_BE)
    )  # UTF-32-LE's starts with UTF-16-LE's
    if charset and not has_bom:  # a byte-order mark outranks the declaration
        try:
            return data.decode(charset), charset, None
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_bytes(data, path)


def _read_document(
    path: Path, data: bytes, docx_limits: extract.DocxLimits | None = None
) -> tuple[str, str, str | None]:
    """``(text, encoding or format, warning)`` of a file's bytes, by its suffix."""
    suffix = path.suffix.lower()
    if suffix == ".docx":
        if not data.strip():
            raise input_error(path, "file is empty", "nothing to read")
        return extract.docx_to_text(data, path, docx_limits), "docx", None
    if suffix in (".html", ".htm"):
        html, encoding, warning = _decode_html(data, path)
        try:
            text = extract.html_to_text(html)
        except Exception as exc:  # html.parser is lenient; this is a last resort
            raise input_error(path, f"cannot be parsed as HTML ({exc})") from None
        return text, f"html:{encoding}", warning
    return decode_bytes(data, path)


@lru_cache(maxsize=1)
def _t2s() -> tuple[Callable[[str], str], re.Pattern]:
    """OpenCC's Traditional→Simplified converter, and a pattern of the characters it changes."""
    try:
        from opencc import OpenCC
    except ImportError:  # pragma: no cover - opencc-python-reimplemented is a dependency
        raise input_error(
            None,
            "traditional_to_simplified needs OpenCC",
            "pip install opencc-python-reimplemented",
        ) from None
    converter = OpenCC("t2s")
    chars = "".join(map(chr, range(0x3400, 0xA000))) + "".join(map(chr, range(0xF900, 0xFB00)))
    changed = {a for a, b in zip(chars, converter.convert(chars), strict=True) if a != b}
    pattern = re.compile("[" + "".join(sorted(map(re.escape, changed))) + "]")
    return converter.convert, pattern


def to_simplified(text: str) -> str:
    """Convert Traditional Chinese to Simplified with OpenCC (``t2s``), line by line.

    Lines without a Traditional character are left as they are, which keeps already Simplified
    text fast (OpenCC's pure-Python converter manages well under 1 MB/s).

    >>> to_simplified("鄉鎮財政負債問題突出")
    '乡镇财政负债问题突出'
    """
    convert, traditional = _t2s()
    if not traditional.search(text):
        return text
    return "\n".join(
        convert(line) if traditional.search(line) else line for line in text.split("\n")
    )


#: A text whose Chinese characters are at least this share Traditional-only ones (OpenCC
#: would change them) is said to be in Traditional characters; Simplified text has next to none.
TRADITIONAL_SHARE = 0.05
TRADITIONAL_MIN_CHARS = 20
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def traditional_warning(text: str) -> str:
    """A warning when ``text`` is written in Traditional characters, pointing to the setting
    that converts them ("" otherwise): a model would count 鄉鎮 and 乡镇 as different words.

    >>> traditional_warning("鄉鎮財政負債問題突出,村兩委實行一肩挑,幹部考核激勵機制有待完善") != ""
    True
    >>> traditional_warning("乡镇财政负债问题突出,村两委实行一肩挑,干部考核激励机制有待完善")
    ''
    """
    han = len(_HAN.findall(text))
    if han < TRADITIONAL_MIN_CHARS:
        return ""
    traditional = len(_t2s()[1].findall(text))
    if traditional < TRADITIONAL_SHARE * han:
        return ""
    return (
        f"written in Traditional characters ({traditional / han:.0%} of its Chinese characters); "
        "set traditional_to_simplified = true under [corpus] in topics.toml to convert them"
    )


def _read_bytes(path: Path, max_bytes: int) -> bytes:
    """The bytes of ``path``: a regular file (a FIFO or device would block or never end) of at
    most ``max_bytes``, checked before reading."""
    try:
        with open(path, "rb", opener=_nonblocking) as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise input_error(path, "is not a regular file (a pipe, device or socket)",
                                  "only files are read")  # fmt: skip
            if info.st_size > max_bytes:
                raise input_error(
                    path, f"is {info.st_size / MB:,.0f} MB, over the limit of "
                    f"{max_bytes / MB:,.0f} MB", "raise corpus.max_file_mb to read it",
                )  # fmt: skip
            return handle.read(max_bytes + 1)
    except OSError as exc:
        raise input_error(path, f"cannot be read ({exc.strerror or exc})") from None


def _nonblocking(path: str, flags: int) -> int:
    """Open without waiting for a writer (a FIFO would otherwise block the open itself)."""
    return os.open(path, flags | getattr(os, "O_NONBLOCK", 0))


def read_text(
    path: str | Path,
    *,
    simplified: bool = False,
    docx_limits: extract.DocxLimits | None = None,
    max_bytes: int = MAX_FILE_MB * MB,
) -> RawText:
    """Read and decode one document (``.txt``, ``.docx``, ``.html``); raise
    :class:`InputError` naming it when that is impossible: not a regular file, larger than
    ``max_bytes``, empty, binary or undecodable.

    With ``simplified``, Traditional characters are converted to Simplified (OpenCC ``t2s``).
    ``docx_limits``: bounds on a Word file's expanded size (default :class:`DocxLimits`).
    """
    path = Path(path)
    data = _read_bytes(path, max_bytes)
    text, encoding, warning = _read_document(path, data, docx_limits)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise input_error(path, "has no text", f"nothing to read in this {path.suffix} file")
    if simplified:
        text = to_simplified(text)
    else:
        warning = "; ".join(filter(None, [warning, traditional_warning(text)])) or None
    return RawText(path, text, encoding, hashlib.sha256(data).hexdigest(), warning)


def printable_path(path: str | Path) -> str:
    """``path`` as text that can be printed and saved: bytes of a file name that are not
    UTF-8 (kept by Python as surrogates) shown escaped, e.g. ``\\xb0``.

    >>> printable_path(os.fsdecode(b"report_\\xb0\\xa1.txt"))
    'report_\\\\xb0\\\\xa1.txt'
    """
    return os.fsencode(str(path)).decode("utf-8", "backslashreplace")


def scan_folder(
    folder: str | Path, suffixes: tuple[str, ...] = TEXT_SUFFIXES, outside_links: bool = False
) -> tuple[list[Path], list[Problem]]:
    """The files in ``folder`` (recursively) with one of ``suffixes``, in a stable sorted order,
    and the ones set aside: a name that is not valid UTF-8 (named escaped), a symbolic link to
    a file outside ``folder`` (unless ``outside_links``).

    Hidden files and folders (name starting with ``.``) and Office lock files (``~$…``) are
    left out.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise input_error(folder, "is not a folder", "pass the folder that holds the raw files")
    suffixes = tuple(s.lower() if s.startswith(".") else f".{s.lower()}" for s in suffixes)
    if not suffixes:
        raise input_error(folder, "no suffixes to look for", "list them in corpus.suffixes")
    real = folder.resolve()
    files, skipped = [], []
    for p in sorted(folder.rglob("*")):
        relative = p.relative_to(folder)
        if (
            p.suffix.lower() not in suffixes
            or p.name.startswith("~$")
            or any(part.startswith(".") for part in relative.parts)
            or not p.is_file()
        ):
            continue
        shown = folder / printable_path(relative)
        if str(shown) != str(p):
            skipped.append(Problem(shown, "file name is not valid UTF-8: rename it to read it"))
        elif p.is_symlink() and not outside_links and not p.resolve().is_relative_to(real):
            problem = f"links to {printable_path(p.resolve())}, outside the input folder"
            skipped.append(Problem(p, f"{problem} (set corpus.outside_links = true to read it)"))
        else:
            files.append(p)
    if not files and not skipped:
        first, rest = suffixes[0], ", ".join(suffixes[1:])
        problem = f"has no {first} files" + (f" (nor {rest})" if rest else "")
        raise input_error(folder, problem, "nothing to prepare")
    return files, skipped


def list_text_files(
    folder: str | Path, suffixes: tuple[str, ...] = TEXT_SUFFIXES, outside_links: bool = False
) -> list[Path]:
    """The files :func:`scan_folder` reads, without those it sets aside."""
    return scan_folder(folder, suffixes, outside_links)[0]


def read_folder(
    folder: str | Path,
    *,
    strict: bool = False,
    suffixes: tuple[str, ...] = TEXT_SUFFIXES,
    simplified: bool = False,
    progress: bool | None = False,
    docx_limits: extract.DocxLimits | None = None,
    outside_links: bool = False,
    max_file_mb: float = MAX_FILE_MB,
) -> tuple[list[RawText], list[Problem]]:
    """Read every document under ``folder``.

    Unreadable files (and those :func:`scan_folder` sets aside) are returned as
    :class:`Problem` records (or, with ``strict=True``, the first one is raised). Raises when no
    file at all could be read. ``progress``: a progress bar (None: only on a terminal).
    ``docx_limits``: as for :func:`read_text`; ``max_file_mb``: larger files are skipped.
    """
    from tqdm.auto import tqdm

    texts: list[RawText] = []
    files, problems = scan_folder(folder, suffixes, outside_links)
    if strict and problems:
        raise input_error(problems[0].path, problems[0].problem)
    disable = None if progress is None else not progress
    max_bytes = round(max_file_mb * MB)
    for path in tqdm(files, desc="reading", unit="file", disable=disable):
        try:
            texts.append(read_text(path, simplified=simplified, docx_limits=docx_limits,
                                   max_bytes=max_bytes))  # fmt: skip
        except InputError as exc:
            if strict:
                raise
            problems.append(Problem(path, exc.problem))
    if not texts:
        details = "; ".join(f"{p.path.name}: {p.problem}" for p in problems)
        raise input_error(folder, f"no readable text file ({details})")
    return texts, problems
