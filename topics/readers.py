"""Read raw text files whatever their encoding, and report the ones that cannot be read.

Decoding order: a byte-order mark decides (UTF-8-SIG, UTF-16); otherwise strict UTF-8, then
UTF-16 without BOM (when NUL bytes suggest it), then GB18030 (a superset of GBK and GB2312).
A file that is binary, empty or undecodable is reported with its name, never a traceback.
"""

from __future__ import annotations

import codecs
import hashlib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from topics.errors import InputError, input_error

TEXT_SUFFIXES = (".txt",)


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


def _looks_like_text(text: str) -> bool:
    """True when almost every character is printable (no control or unassigned code points)."""
    if not text:
        return False
    sample = text[:20000]
    bad = sum(
        1
        for ch in sample
        if ch not in "\n\r\t\f" and unicodedata.category(ch) in ("Cc", "Cn", "Co", "Cs")
    )
    return bad / len(sample) < 0.01


def _common_script_share(text: str) -> float:
    """Share of characters that are ASCII, CJK ideographs, CJK or full-width punctuation."""
    sample = text[:20000]
    common = sum(
        1
        for ch in sample
        if ch.isascii()
        or "\u3400" <= ch <= "\u9fff"
        or "\u3000" <= ch <= "\u303f"
        or "\uff00" <= ch <= "\uffef"
        or "\u2000" <= ch <= "\u206f"
    )
    return common / max(len(sample), 1)


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
        if _looks_like_text(text) and _common_script_share(text) > 0.9:
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
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = ""
    if _looks_like_text(text):
        return text, "gb18030", None
    raise input_error(
        path,
        "cannot be decoded as UTF-8, UTF-16 or GB18030/GBK",
        "convert it to UTF-8, or check that it is a text file",
    )


def read_text(path: str | Path) -> RawText:
    """Read and decode one file; raise :class:`InputError` naming it when that is impossible."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise input_error(path, f"cannot be read ({exc.strerror or exc})") from None
    text, encoding, warning = decode_bytes(data, path)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return RawText(path, text, encoding, hashlib.sha256(data).hexdigest(), warning)


def list_text_files(folder: str | Path, suffixes: tuple[str, ...] = TEXT_SUFFIXES) -> list[Path]:
    """The files in ``folder`` (recursively) with one of ``suffixes``, in a stable sorted order."""
    folder = Path(folder)
    if not folder.is_dir():
        raise input_error(folder, "is not a folder", "pass the folder that holds the raw files")
    files = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in suffixes)
    if not files:
        raise input_error(folder, f"has no {'/'.join(suffixes)} files", "nothing to prepare")
    return files


def read_folder(
    folder: str | Path, *, strict: bool = False, suffixes: tuple[str, ...] = TEXT_SUFFIXES
) -> tuple[list[RawText], list[Problem]]:
    """Read every text file under ``folder``.

    Unreadable files are returned as :class:`Problem` records (or, with ``strict=True``, the
    first one is raised). Raises when no file at all could be read.
    """
    texts: list[RawText] = []
    problems: list[Problem] = []
    for path in list_text_files(folder, suffixes):
        try:
            texts.append(read_text(path))
        except InputError as exc:
            if strict:
                raise
            problems.append(Problem(path, exc.problem))
    if not texts:
        details = "; ".join(f"{p.path.name}: {p.problem}" for p in problems)
        raise input_error(folder, f"no readable text file ({details})")
    return texts, problems
