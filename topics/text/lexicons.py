"""Editable word lists: the user dictionary, layered stoplists, a single-character allow-list.

Every list is a plain UTF-8 file, one entry per line; ``#`` starts a comment. Malformed lines are
collected and reported together, each with its file and line number.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from topics.errors import input_error
from topics.resources import default_path

#: Stoplist layers in the order they are applied; each reports what it removed.
STOPLIST_LAYERS = ("general", "governance", "furniture")


@dataclass(frozen=True)
class DictEntry:
    """One user-dictionary word with jieba's optional frequency and part-of-speech tag."""

    word: str
    freq: int | None = None
    tag: str | None = None


@dataclass(frozen=True)
class Lexicons:
    """Everything the tokenizer reads from files, with each file's content hash."""

    userdict: tuple[DictEntry, ...] = ()
    stoplists: dict[str, frozenset[str]] = field(default_factory=dict)
    single_char_allow: frozenset[str] = frozenset()
    hashes: dict[str, str] = field(default_factory=dict)

    @property
    def userdict_hash(self) -> str:
        """Hash of the user dictionary alone: the only list that changes segmentation."""
        return self.hashes.get("userdict", "")

    def stopword_layer(self, word: str) -> str | None:
        """Name of the first stoplist that contains ``word``, or None."""
        for name in STOPLIST_LAYERS:
            if word in self.stoplists.get(name, ()):
                return name
        return None


def _read_lines(path: Path) -> tuple[list[tuple[int, str]], str]:
    """Non-comment, non-blank lines with their 1-based numbers, and the file's SHA-256."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise input_error(path, f"cannot read word list ({exc.strerror or exc})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise input_error(path, f"is not UTF-8 (byte {exc.start})", "save it as UTF-8") from None
    lines = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.split("#", 1)[0].strip()
        if line:
            lines.append((number, line))
    return lines, hashlib.sha256(data).hexdigest()


def read_word_list(path: str | Path) -> tuple[frozenset[str], str]:
    """Words of a one-word-per-line list, and the file's hash. Lines with spaces are errors."""
    path = Path(path)
    lines, digest = _read_lines(path)
    bad = [f"line {n}: {line!r}" for n, line in lines if len(line.split()) != 1]
    if bad:
        raise input_error(path, "expected one word per line; " + "; ".join(bad[:5]))
    return frozenset(line for _, line in lines), digest


def read_userdict(path: str | Path) -> tuple[tuple[DictEntry, ...], str]:
    """Entries of a jieba-style user dictionary (``word [freq] [tag]``), and the file's hash."""
    path = Path(path)
    lines, digest = _read_lines(path)
    entries, bad = [], []
    for number, line in lines:
        parts = line.split()
        freq = parts[1] if len(parts) > 1 else None
        if len(parts) > 3 or (freq is not None and not freq.isdigit()):
            bad.append(f"line {number}: {line!r}")
            continue
        tag = parts[2] if len(parts) > 2 else None
        entries.append(DictEntry(parts[0], int(freq) if freq else None, tag))
    if bad:
        raise input_error(
            path, "malformed user-dictionary lines; " + "; ".join(bad[:5]),
            "each line is: word [frequency] [part-of-speech tag]",
        )  # fmt: skip
    return tuple(entries), digest


@dataclass(frozen=True)
class LexiconPaths:
    """Where each list lives; ``None`` means the shipped default."""

    userdict: Path | None = None
    general: Path | None = None
    governance: Path | None = None
    furniture: Path | None = None
    single_char_allow: Path | None = None

    def resolve(self, name: str) -> Path:
        path = getattr(self, name)
        default = "userdict.txt" if name == "userdict" else f"stopwords_{name}.txt"
        if name == "single_char_allow":
            default = "single_char_allow.txt"
        return Path(path) if path else default_path(f"lexicons/{default}")


def load_lexicons(paths: LexiconPaths | None = None) -> Lexicons:
    """Read the user dictionary, the three stoplists and the allow-list."""
    paths = paths or LexiconPaths()
    userdict, hashes = (), {}
    userdict, hashes["userdict"] = read_userdict(paths.resolve("userdict"))
    stoplists = {}
    for name in STOPLIST_LAYERS:
        stoplists[name], hashes[name] = read_word_list(paths.resolve(name))
    allow, hashes["single_char_allow"] = read_word_list(paths.resolve("single_char_allow"))
    return Lexicons(userdict, stoplists, allow, hashes)
