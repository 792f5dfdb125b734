"""Run settings: one TOML file (``topics.toml``) a researcher edits instead of code.

Every section is optional and typed; missing keys keep the defaults below, which are the ones
the shipped ``topics.toml`` states and work on any corpus. An unknown key or a value of the
wrong type is a one-line error naming the file, the section and the key. Paths are relative to
the config file's folder.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from topics.corpus.defaults import ARTICLE_THRESHOLD, MAX_PARAGRAPH_CHARS, PARAGRAPH_THRESHOLD
from topics.corpus.readers import MAX_FILE_MB
from topics.errors import input_error
from topics.model.settings import ModelSettings, SelectKSettings
from topics.storage import digest
from topics.text.lexicons import LexiconPaths
from topics.text.settings import TokenizeSettings
from topics.validate import build, check_fields, check_names, require

CONFIG_NAME = "topics.toml"


@dataclass(frozen=True)
class CorpusSettings:
    """How documents are read, split and de-duplicated (the keywords of ``prepare_corpus``)."""

    article_threshold: float = ARTICLE_THRESHOLD
    paragraph_threshold: float = PARAGRAPH_THRESHOLD
    strict: bool = False  # stop at the first unreadable file instead of skipping it
    #: Documents read from the input folder: plain text, Word, HTML.
    suffixes: tuple[str, ...] = (".txt", ".docx", ".html", ".htm")
    #: Convert Traditional characters to Simplified (OpenCC t2s) when reading.
    traditional_to_simplified: bool = False
    #: How files mark paragraphs: "auto" (detected per file), "lines", "blocks" or "wrapped".
    layout: Literal["auto", "lines", "blocks", "wrapped"] = "auto"
    #: Longer lines are cut at sentence ends into several paragraphs, with a warning.
    max_paragraph_chars: int = MAX_PARAGRAPH_CHARS
    #: Regular expression with named groups matched in file paths, e.g. "(?P<year>\\d{4})".
    filename_pattern: str | None = None
    #: Sidecar CSV in the input folder: a "file" column plus metadata columns ("" for none).
    #: The default is read when present; any other name must exist.
    metadata_file: str | None = "metadata.csv"
    #: A year (1800-2100) in a file name becomes a "year" column unless the above give one.
    year_from_filename: bool = True
    #: Read symbolic links that point outside the input folder (default: skipped by name).
    outside_links: bool = False
    #: Files larger than this many MB are skipped by name, before they are read.
    max_file_mb: float = MAX_FILE_MB

    def __post_init__(self):
        check_fields(self, "corpus")
        for name in ("article_threshold", "paragraph_threshold"):
            value = getattr(self, name)
            require(0 <= value <= 1, "corpus", name, "a share in [0, 1]", value)
        require(bool(self.suffixes) and all(s.strip(".") for s in self.suffixes), "corpus",
                "suffixes", 'a non-empty list such as [".txt"]', self.suffixes)  # fmt: skip
        ok = 0 < self.max_file_mb < float("inf")
        require(ok, "corpus", "max_file_mb", "a number of MB > 0", self.max_file_mb)
        sidecar = Path(self.metadata_file or ".")
        inside = not sidecar.is_absolute() and ".." not in sidecar.parts
        rule = "a file name inside the input folder"
        require(inside, "corpus", "metadata_file", rule, self.metadata_file)


@dataclass(frozen=True)
class FigureSettings:
    """What ``topics figures`` draws beyond the standard set."""

    #: Metadata columns that get a prevalence_by_<column> figure (None: "year" if present).
    prevalence_by: tuple[str, ...] | None = None

    def __post_init__(self):
        check_fields(self, "figures")


@dataclass(frozen=True)
class Paths:
    """Where inputs are read and outputs written."""

    raw: Path = Path("data/raw")
    processed: Path = Path("data/processed")
    cache: Path = Path("data/interim")
    runs: Path = Path("data/runs")
    figures: Path = Path("figures")
    furniture: Path | None = None  # None: the shipped furniture rules
    themes: Path | None = None  # None: the shipped themes


@dataclass(frozen=True)
class Settings:
    """All settings of a project; ``Settings.load()`` reads ``topics.toml``."""

    root: Path = Path(".")
    paths: Paths = field(default_factory=Paths)
    lexicons: LexiconPaths = field(default_factory=LexiconPaths)
    corpus: CorpusSettings = field(default_factory=CorpusSettings)
    tokenize: TokenizeSettings = field(default_factory=TokenizeSettings)
    model: ModelSettings = field(default_factory=ModelSettings)
    select_k: SelectKSettings = field(default_factory=SelectKSettings)
    figures: FigureSettings = field(default_factory=FigureSettings)
    source: str = ""

    def __post_init__(self):
        check_outputs(self)

    def path(self, value: Path | None) -> Path | None:
        """``value`` resolved against the project root (None stays None)."""
        if value is None:
            return None
        return value if value.is_absolute() else self.root / value

    @classmethod
    def load(cls, config: str | Path | None = None) -> Settings:
        """Read ``config``, or the nearest ``topics.toml`` from the working folder upwards.

        With no file found, the defaults apply with paths relative to the working folder.
        """
        path = Path(config) if config else find_config(Path.cwd())
        if path is None:
            return cls(root=Path.cwd())
        try:
            table = tomllib.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise input_error(path, f"cannot read settings ({exc.strerror or exc})") from None
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise input_error(path, f"is not valid TOML ({exc})") from None
        return from_table(table, path)

    def fingerprint(self, *sections: str) -> str:
        """Short hash of the named sections' values, for manifests and cache keys."""
        data = {name: _plain(getattr(self, name)) for name in sections}
        return digest(data)


#: Folders the package writes into (and replaces): they must not overlap anything else.
OUTPUTS = ("processed", "cache", "runs", "figures")


def _protected(settings: Settings) -> list[tuple[str, Path, bool]]:
    """What no output may equal, contain or lie inside: ``(name, path, inside_allowed)``; the
    project root may hold outputs, but no output may be it or contain it."""
    paths = settings.paths
    items = [
        ("paths.raw", settings.path(paths.raw), False),
        ("the project root", settings.root, True),
    ]
    if settings.source:
        items.append(("the settings file", Path(settings.source), False))
    for name in ("furniture", "themes"):
        items.append((f"paths.{name}", settings.path(getattr(paths, name)), False))
    for f in dataclasses.fields(settings.lexicons):
        items.append(
            (f"lexicons.{f.name}", settings.path(getattr(settings.lexicons, f.name)), False)
        )
    return [(name, path.resolve(), inside) for name, path, inside in items if path is not None]


def _overlap(out: Path, other: Path, inside_allowed: bool) -> str | None:
    """How ``out`` overlaps ``other`` ("is", "contains", "lies inside"), or None."""
    if out == other:
        return "is"
    if other.is_relative_to(out):
        return "contains"
    if out.is_relative_to(other) and not inside_allowed:
        return "lies inside"
    return None


def check_output(settings: Settings, slot: str, value: Path, name: str | None = None) -> Path:
    """``value``, the folder of output ``slot`` (one of :data:`OUTPUTS`), resolved, after
    checking that it neither is, contains nor lies inside the raw folder, a settings or rules
    file or another output folder, does not contain the project root and is not a file.
    Raises a one-line :class:`InputError` naming the setting (``name``, default
    ``paths.<slot>``, e.g. ``--out``) and both paths.

    >>> check_output(Settings(), "processed", Path("data/raw"))
    Traceback (most recent call last):
    topics.errors.InputError: paths.processed (...) is paths.raw (...): refused, ...
    """
    name = name or f"paths.{slot}"
    out = settings.path(value).resolve()
    others = [(f"paths.{o}", settings.path(getattr(settings.paths, o)).resolve(), False)
              for o in OUTPUTS if o != slot]  # fmt: skip
    for other_name, other, inside_allowed in [*_protected(settings), *others]:
        relation = _overlap(out, other, inside_allowed)
        if relation:
            raise input_error(
                settings.source or None,
                f"{name} ({out}) {relation} {other_name} ({other}): refused, writing there "
                "could replace or litter it", "give every output a folder of its own",
            )  # fmt: skip
    if out.exists() and not out.is_dir():
        raise input_error(settings.source or None, f"{name} ({out}) is a file, not a folder",
                          "name a folder (it is created when missing)")  # fmt: skip
    return out


def check_outputs(settings: Settings) -> None:
    """:func:`check_output` for every output folder of ``settings``."""
    for name in OUTPUTS:
        check_output(settings, name, getattr(settings.paths, name))


def find_config(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder / CONFIG_NAME
    return None


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return {k: _plain(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return str(value) if isinstance(value, Path) else value


SECTIONS = {"paths": Paths, "lexicons": LexiconPaths, "corpus": CorpusSettings,
            "tokenize": TokenizeSettings, "model": ModelSettings, "select_k": SelectKSettings,
            "figures": FigureSettings}  # fmt: skip


def from_table(table: dict, path: Path) -> Settings:
    """Settings from a parsed TOML table; ``path`` is the file, for messages and the root."""
    check_names(table, list(SECTIONS), "unknown section", str(path))
    sections = {}
    for name, cls in SECTIONS.items():
        values = table.get(name, {})
        if not isinstance(values, dict):
            raise input_error(path, f"{name} must be a [{name}] section, not a single value")
        sections[name] = build(cls, values, name, str(path))
    return Settings(root=path.parent.resolve(), source=str(path), **sections)
