"""Line-level cleaning: website furniture rules, letter-spacing, inline spam and title echoes.

The rules live in an editable TOML file (``data/furniture.toml``); this module only applies them.
Functions take strings and return strings (plus what they removed), so they are easy to test.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import regex

from topics.corpus.defaults import CJK_CHAR, CJK_IDEOGRAPHS
from topics.errors import input_error
from topics.resources import default_path
from topics.validate import check_names

#: Characters that end a sentence (full-width and the ASCII forms the corpus also uses).
TERMINAL = "。!?!?;;…”」』\"'))."
#: Punctuation and spaces ignored when comparing a line to a title.
_TITLE_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)
_CJK = f"[{CJK_IDEOGRAPHS}]"
_LETTER_SPACED = re.compile(rf"(?<={_CJK}) (?={_CJK})")
_SPACED_MARKER = re.compile(r"[((]\s*([一二三四五六七八九十\d]{1,3})\s*[))]\s*")
_SPACES = re.compile(r"[ \t\u00a0\u3000\u2002-\u200b]+")
_WHITESPACE = re.compile(r"[\s\u200b]+")  # zero-width spaces count as spaces


#: Seconds a furniture rule may take on one line (plus one per million characters of it).
MATCH_TIMEOUT = 1.0
#: The sections of a furniture file and, for those with fixed keys, their keys.
SECTIONS = {"drop_lines": None, "drop_blocks": None, "drop_inline": None,
            "title_echo": ("prefixes", "page_title_suffixes"), "titles": ("label_suffixes",)}  # fmt: skip


class Rule:
    """One furniture rule's regular expression, matched with a time limit: a pattern such as
    ``(.*,)*x`` that backtracks without end is a one-line error naming the file and the rule,
    not a hang. Has the ``search``, ``finditer`` and ``sub`` of a compiled pattern."""

    __slots__ = ("name", "compiled", "source")

    def __init__(self, name: str, pattern: str, source: str = ""):
        self.name, self.source = name, source
        self.compiled = regex.compile(pattern, regex.V0)

    @property
    def pattern(self) -> str:
        return self.compiled.pattern

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Rule) and (self.name, self.pattern) == (other.name, other.pattern)

    def __hash__(self) -> int:
        return hash((self.name, self.pattern))

    def _timed(self, text: str, call):
        limit = MATCH_TIMEOUT + len(text) / 1e6
        try:
            return call(limit)
        except TimeoutError:
            raise input_error(
                self.source or None, f"rule {self.name} {self.pattern!r} takes over {limit:.1f} s "
                "to match one line", "simplify it: nested repeats like (.*,)* backtrack without end",
            ) from None  # fmt: skip

    def search(self, text: str):
        return self._timed(text, lambda limit: self.compiled.search(text, timeout=limit))

    def finditer(self, text: str) -> list:
        return self._timed(text, lambda limit: list(self.compiled.finditer(text, timeout=limit)))

    def sub(self, replacement: str, text: str) -> str:
        return self._timed(text, lambda limit: self.compiled.sub(replacement, text, timeout=limit))


@dataclass(frozen=True)
class FurnitureRules:
    """Compiled furniture rules, with the file (and its hash) they came from."""

    drop_lines: dict[str, Rule] = field(default_factory=dict)
    drop_blocks: dict[str, Rule] = field(default_factory=dict)
    drop_inline: dict[str, Rule] = field(default_factory=dict)
    title_echo_prefixes: tuple[str, ...] = ()
    page_title_suffixes: tuple[Rule, ...] = ()
    label_suffixes: tuple[Rule, ...] = ()
    source: str = ""
    sha256: str = ""


def _rule(path: Path, name: str, pattern: object) -> Rule:
    try:
        return Rule(name, str(pattern), str(path))
    except regex.error as exc:
        raise input_error(path, f"rule {name}: bad regular expression ({exc})") from None


def _compile_section(path: Path, table: dict, section: str) -> dict[str, Rule]:
    rules = table.get(section, {})
    if not isinstance(rules, dict):
        raise input_error(path, f"[{section}] must be a table of name = 'regex' pairs")
    return {name: _rule(path, f"{section}.{name}", pattern) for name, pattern in rules.items()}


def _compile_list(path: Path, table: dict, section: str, key: str) -> tuple[Rule, ...]:
    patterns = table.get(key, []) if isinstance(table, dict) else []
    if not isinstance(patterns, list):
        raise input_error(path, f"{section}.{key} must be a list of regular expressions")
    return tuple(_rule(path, f"{section}.{key}[{i}]", p) for i, p in enumerate(patterns))


def _check_names(path: Path, table: dict) -> None:
    """Unknown sections and keys are named, with the closest known one (as in topics.toml)."""
    check_names(table, list(SECTIONS), "unknown section", str(path))
    for section, keys in SECTIONS.items():
        values = table.get(section, {})
        if keys is not None and isinstance(values, dict):
            check_names(values, list(keys), f"[{section}] has unknown key", str(path))


def load_furniture(path: str | Path | None = None) -> FurnitureRules:
    """Load furniture rules from ``path`` (default: the shipped ``furniture.toml``)."""
    path = Path(path) if path else default_path("furniture.toml")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise input_error(path, f"cannot read furniture rules ({exc.strerror or exc})") from None
    try:
        table = tomllib.loads(data.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise input_error(path, f"is not valid TOML ({exc})") from None
    _check_names(path, table)
    echo = table.get("title_echo", {})
    return FurnitureRules(
        drop_lines=_compile_section(path, table, "drop_lines"),
        drop_blocks=_compile_section(path, table, "drop_blocks"),
        drop_inline=_compile_section(path, table, "drop_inline"),
        title_echo_prefixes=tuple(echo.get("prefixes", [])),
        page_title_suffixes=_compile_list(path, echo, "title_echo", "page_title_suffixes"),
        label_suffixes=_compile_list(path, table.get("titles", {}), "titles", "label_suffixes"),
        source=str(path),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def normalise_line(line: str) -> str:
    """Trim, unify spaces and join letter-spaced headings.

    >>> normalise_line("  创 新 运 行 机 制\u3000")
    '创新运行机制'
    >>> normalise_line("( 一 ) 、“总揽全局”")
    '(一)、“总揽全局”'
    """
    line = _SPACES.sub(" ", line).strip()
    line = _SPACED_MARKER.sub(lambda m: f"({m.group(1)})", line)
    cjk_gaps = len(_LETTER_SPACED.findall(line))
    if cjk_gaps >= 2 and cjk_gaps >= 0.6 * (len(line) - len(CJK_CHAR.sub("", line)) - 1):
        line = _LETTER_SPACED.sub("", line)
    return line.replace(") 、", ")、")


def count_chars(text: str) -> int:
    """Characters that are not whitespace: the unit of every kept/dropped count.

    >>> count_chars("乡镇 财政\t")
    4
    """
    return len(_WHITESPACE.sub("", text))


def matching_rule(line: str, rules: dict[str, Rule]) -> str | None:
    """Name of the first rule whose pattern is found in ``line``, or None."""
    for name, pattern in rules.items():
        if pattern.search(line):
            return name
    return None


def strip_inline(text: str, rules: dict[str, Rule]) -> tuple[str, dict[str, int]]:
    """Remove inline spam; return the text and the characters each rule removed."""
    removed: dict[str, int] = {}
    for name, pattern in rules.items():
        chars = sum(count_chars(m.group(0)) for m in pattern.finditer(text))
        if chars:
            text = pattern.sub("", text)
            removed[name] = chars
    return text, removed


def strip_title_echo(text: str, title: str, prefixes: tuple[str, ...] = ()) -> tuple[str, int]:
    """Remove the site's inline echoes of a page title: ``,<title>。`` and ``<prefix>《<title>》``.

    >>> strip_title_echo("这一课题,乡镇研究。我部成立", "乡镇研究")
    ('这一课题。我部成立', 5)
    """
    if len(title) < 4:
        return text, 0
    t = re.escape(title)
    prefix = "|".join(map(re.escape, prefixes))
    patterns = [rf"(?:{prefix})?《{t}》" if prefix else rf"《{t}》", rf"[,,]{t}(?=[。;;])"]
    removed = 0
    for pattern in patterns:
        removed += sum(count_chars(m.group(0)) for m in re.finditer(pattern, text))
        text = re.sub(pattern, "", text)
    return text, removed


def title_key(text: str) -> str:
    """A title with punctuation, spaces and book-title marks removed, for echo comparison."""
    return _TITLE_NOISE.sub("", text)


def strip_page_title_suffix(title: str, rules: FurnitureRules) -> str:
    """``'…研究(精选多篇)'`` → ``'…研究'``."""
    for pattern in rules.page_title_suffixes:
        title = pattern.sub("", title).strip()
    return title


def ends_sentence(line: str) -> bool:
    """True when ``line`` ends with sentence-final punctuation."""
    return bool(line) and line[-1] in TERMINAL
