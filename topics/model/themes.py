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

import numpy as np

from topics.errors import InputError, input_error
from topics.model.k_rule import MIN_THEME_SEEDS
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


# ---------------------------------------------------------------------------------------------
# Which themes a corpus can carry, and which formed in a fit
#
# Seeding rule (a property of the data and of the label rule, not tuned to a corpus): a seed
# word *counts* where it occurs in at least ``no_below`` paragraphs, i.e. where pruning would
# keep it on its own. A theme is seeded when
#   1. at least MIN_THEME_SEEDS of its seed words count: with fewer, the label rule below could
#      never call the theme formed, so seeding it would only bend a topic; and
#   2. at least ``no_below`` paragraphs use two or more of its counting seed words: the seeds
#      are spoken of together somewhere, not scattered one per paragraph.
# Label rule: a seeded theme *formed* in a fit when at least MIN_THEME_SEEDS of its seed words
# are among its topic's top TOP_WORDS words by probability. Only a formed theme labels a topic.
# ---------------------------------------------------------------------------------------------

#: Top words (by probability) of a topic in which a theme's seed words are counted.
TOP_WORDS = 10
#: The two rules in words, for the command line and the README.
THEME_RULE = (
    f"a theme is seeded where >= {MIN_THEME_SEEDS} of its seed words occur in >= no_below "
    "paragraphs each and >= no_below paragraphs use two or more of them; it labels its topic "
    f"where >= {MIN_THEME_SEEDS} of its seed words are among the topic's top {TOP_WORDS} by "
    "probability"
)


def seeds_in_top(top_words: Sequence[str], theme: Theme, n: int = TOP_WORDS) -> int:
    """How many of ``theme``'s seed words are among the first ``n`` of ``top_words``.

    >>> seeds_in_top(["财政", "乡镇", "负债"], Theme("finance", "乡镇财政", "", ("财政", "负债")))
    2
    """
    return len(set(theme.seeds) & set(list(top_words)[:n]))


def theme_formed(top_words: Sequence[str], theme: Theme) -> bool:
    """The one rule that decides whether a topic carries ``theme``'s label: at least
    :data:`~topics.model.k_rule.MIN_THEME_SEEDS` of its seed words among the topic's top
    :data:`TOP_WORDS` words by probability (a single seed word can be there by chance).

    >>> finance = Theme("finance", "乡镇财政", "", ("财政", "负债", "财力", "资金"))
    >>> theme_formed(["财政", "负债", "财力", "乡镇"], finance), theme_formed(["财政", "乡镇"], finance)
    (True, False)
    """
    return seeds_in_top(top_words, theme) >= MIN_THEME_SEEDS


@dataclass(frozen=True)
class ThemeCheck:
    """How one theme's seed words occur in a corpus, and whether it is seeded.

    ``counted``: seed words in at least ``no_below`` paragraphs; ``absent``: seed words that
    never occur; ``together``: paragraphs using two or more counted seeds; ``share``: the seed
    words' share of all tokens (keyATM shows this before fitting); ``reason``: why it was
    skipped ("" when seeded)."""

    theme: Theme
    counted: tuple[str, ...]
    absent: tuple[str, ...]
    together: int
    share: float
    reason: str

    @property
    def seeded(self) -> bool:
        return not self.reason

    def line(self) -> str:
        """One line for the CLI: ``seeded finance (乡镇财政): 7 of 15 seed words …``."""
        theme = self.theme
        head = f"{'seeded' if self.seeded else 'skipped'} {theme.id} ({theme.label_zh}): "
        counts = (
            f"{len(self.counted)} of {len(theme.seeds)} seed words in enough paragraphs, "
            f"{self.together} paragraphs with two or more, {self.share:.2%} of tokens"
        )
        return head + (counts if self.seeded else f"{self.reason} ({counts})")

    def as_dict(self) -> dict:
        return {"theme": self.theme.id, "seeded": self.seeded, "reason": self.reason,
                "seeds": len(self.theme.seeds), "counted": list(self.counted),
                "absent": list(self.absent), "together": self.together,
                "share": round(self.share, 6)}  # fmt: skip


@dataclass(frozen=True)
class ThemeScreen:
    """The themes asked for, checked against a corpus (:func:`screen_themes`)."""

    checks: tuple[ThemeCheck, ...]
    source: str = ""
    sha256: str = ""
    no_below: int = 1

    @property
    def seeded(self) -> ThemeSet | None:
        """The themes to seed, in file order (None when there are none)."""
        themes = tuple(c.theme for c in self.checks if c.seeded)
        return ThemeSet(themes, self.source, self.sha256) if themes else None

    def check(self, theme_id: str) -> ThemeCheck | None:
        return next((c for c in self.checks if c.theme.id == theme_id), None)

    def lines(self) -> list[str]:
        return [c.line() for c in self.checks]

    def as_dict(self) -> dict:
        """The record kept in a run's manifest."""
        return {
            "rule": THEME_RULE,
            "no_below": self.no_below,
            "themes": [c.as_dict() for c in self.checks],
        }


def screen_themes(themes: ThemeSet | None, documents, no_below: int) -> ThemeScreen:
    """Check each theme of ``themes`` against ``documents`` (token lists or
    :class:`~topics.text.token_ids.TokenIds`, the paragraphs a fit sees) by the seeding rule
    above; ``no_below`` is the pruning threshold (``[model] no_below``).

    >>> docs = [["财政", "负债", "财力"], ["财政", "负债"], ["财政", "财力", "乡镇"], ["村民"]] * 2
    >>> themes = ThemeSet((Theme("finance", "乡镇财政", "", ("财政", "负债", "财力", "赤字")),
    ...                    Theme("village", "村民自治", "", ("村民", "选举", "村委会"))))
    >>> screen = screen_themes(themes, docs, no_below=2)
    >>> screen.seeded.ids(), screen.check("village").reason
    (['finance'], 'only 1 seed word (村民) in >= 2 paragraphs, needs 3')
    """
    from topics.text.token_ids import as_token_ids

    if not themes:
        return ThemeScreen((), no_below=no_below)
    documents = as_token_ids(documents)
    index = {word: i for i, word in enumerate(documents.vocabulary)}
    present = documents.counts() > 0  # documents × vocabulary
    dfs = np.asarray(present.sum(axis=0)).ravel()
    cfs = np.bincount(documents.ids, minlength=len(index))
    total = max(int(documents.n_tokens.sum()), 1)
    checks = []
    for theme in themes:
        ids = {s: index[s] for s in theme.seeds if s in index and dfs[index[s]] > 0}
        counted = tuple(s for s, i in ids.items() if dfs[i] >= no_below)
        absent = tuple(s for s in theme.seeds if s not in ids)
        columns = [ids[s] for s in counted]
        together = int((np.asarray(present[:, columns].sum(axis=1)).ravel() >= 2).sum())
        share = float(cfs[list(ids.values())].sum()) / total if ids else 0.0
        if len(counted) < MIN_THEME_SEEDS:
            words = f" ({' '.join(counted)})" if counted else ""
            reason = (f"only {len(counted)} seed word{'s' * (len(counted) != 1)}{words} in "
                      f">= {no_below} paragraphs, needs {MIN_THEME_SEEDS}")  # fmt: skip
        elif together < no_below:
            reason = (
                f"only {together} paragraphs use two or more of its seed words, needs {no_below}"
            )
        else:
            reason = ""
        checks.append(ThemeCheck(theme, counted, absent, together, share, reason))
    return ThemeScreen(tuple(checks), themes.source, themes.sha256, no_below)
