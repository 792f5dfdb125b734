"""Seeded themes: a TOML file of research themes, each with labels and seed words.

The seeds become a gensim ``eta`` prior that pulls each theme's words into a topic of its own
(see :func:`topics.model.lda.theme_prior`). This module reads and checks the file.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from topics.errors import InputError, input_error
from topics.resources import default_path
from topics.validate import check_names

_ID = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Theme:
    """A research theme: ``id``, Chinese and English labels, seed words."""

    id: str
    label_zh: str
    label_en: str
    seeds: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"{self.label_zh} {self.label_en}"


@dataclass(frozen=True)
class ThemeSet:
    """The themes of one file, in file order, with the file's hash."""

    themes: tuple[Theme, ...]
    source: str = ""
    sha256: str = ""

    def __iter__(self):
        return iter(self.themes)

    def __len__(self) -> int:
        return len(self.themes)

    def ids(self) -> list[str]:
        return [t.id for t in self.themes]

    def get(self, theme_id: str) -> Theme:
        for theme in self.themes:
            if theme.id == theme_id:
                return theme
        raise input_error(self.source, f"no theme {theme_id!r}", f"themes: {', '.join(self.ids())}")

    def select(self, ids: Sequence[str] | None) -> ThemeSet:
        """Only the themes named in ``ids`` (all of them for ``None`` or ``["all"]``)."""
        if ids is None or list(ids) == ["all"]:
            return self
        return ThemeSet(tuple(self.get(i) for i in ids), self.source, self.sha256)


#: The keys of a [[theme]] table; any other is named, with the closest of these.
THEME_KEYS = ("id", "label_zh", "label_en", "seeds")


def load_themes(path: str | Path | None = None) -> ThemeSet:
    """Read and validate a themes file (default: the shipped ``themes.toml``).

    Every problem in the file is reported at once: missing keys, bad ids, duplicate ids, seed
    words listed under two themes.
    """
    path = Path(path) if path else default_path("themes.toml")
    try:
        data = path.read_bytes()
        table = tomllib.loads(data.decode("utf-8"))
    except OSError as exc:
        raise input_error(path, f"cannot read themes ({exc.strerror or exc})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise input_error(path, f"is not valid TOML ({exc})") from None
    check_names(table, ["theme"], "unknown section", str(path))
    entries = table.get("theme")
    if not isinstance(entries, list) or not entries:
        raise input_error(path, "has no [[theme]] tables", "see the shipped data/themes.toml")
    problems, themes, owner = [], [], {}
    for n, entry in enumerate(entries, start=1):
        try:
            check_names(entry, list(THEME_KEYS), f"theme {n} has unknown key", None)
        except InputError as exc:
            problems.append(f"{exc.problem} ({exc.hint})")
        missing = [k for k in ("id", "label_zh", "label_en", "seeds") if k not in entry]
        if missing:
            problems.append(f"theme {n}: missing {', '.join(missing)}")
            continue
        theme_id, seeds = str(entry["id"]), entry["seeds"]
        if not _ID.match(theme_id):
            problems.append(f"theme {n}: id {theme_id!r} must be lower-case ASCII")
        if theme_id in {t.id for t in themes}:
            problems.append(f"theme {n}: duplicate id {theme_id!r}")
        for key in ("label_zh", "label_en"):
            if not isinstance(entry[key], str):
                problems.append(f"theme {theme_id}: {key} must be a string, not {entry[key]!r}")
        if not isinstance(seeds, list) or not seeds or not all(isinstance(s, str) for s in seeds):
            problems.append(f"theme {theme_id}: seeds must be a non-empty list of words")
            continue
        for seed in seeds:
            if seed in owner and owner[seed] != theme_id:
                problems.append(f"seed {seed!r} is in both {owner[seed]} and {theme_id}")
            owner[seed] = theme_id
        themes.append(Theme(theme_id, entry["label_zh"], entry["label_en"], tuple(seeds)))
    if problems:
        raise input_error(path, "; ".join(problems))
    return ThemeSet(tuple(themes), str(path), hashlib.sha256(data).hexdigest())


def unknown_seeds(themes: ThemeSet, vocabulary: set[str]) -> dict[str, list[str]]:
    """Seed words of each theme that are not in ``vocabulary`` (e.g. the corpus's tokens)."""
    return {
        theme.id: missing
        for theme in themes
        if (missing := [s for s in theme.seeds if s not in vocabulary])
    }
