"""Corpus preparation: raw pages → articles → paragraphs, as tidy tables with provenance.

``prepare_corpus(folder)`` reads every document (``.txt``, ``.docx``, ``.html``), strips site
furniture (rules in an editable file), finds how each file marks paragraphs (one per line, or
blank-line blocks of hard-wrapped lines; see :mod:`topics.corpus.layout`), splits compilation
pages at ``第N篇:`` markers (a file without them is one article), joins lines broken by page
breaks, keeps each paragraph's section heading (both in :mod:`topics.corpus.pages`), pulls
journal metadata into fields, adds file-level
metadata columns (:mod:`topics.corpus.metadata`) and flags near-duplicate articles and paragraphs.
Every character that does not reach a paragraph is accounted for in the ``removed`` table.

Ids are stable and readable: page ``000_786013f1ef10bced``, article ``000_786013f1ef10bced#2``,
paragraph ``000_786013f1ef10bced#2/p014``.
"""

from __future__ import annotations

import ctypes
import gc
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from topics.corpus import cleaning, metadata
from topics.corpus.cleaning import FurnitureRules
from topics.corpus.dedup import flag_duplicates
from topics.corpus.defaults import (
    ARTICLE_THRESHOLD,
    MAX_PARAGRAPH_CHARS,
    MIN_PARAGRAPH_CHARS,
    PARAGRAPH_THRESHOLD,
)
from topics.corpus.layout import LAYOUTS
from topics.corpus.pages import split_pages
from topics.corpus.readers import TEXT_SUFFIXES, Problem, list_text_files, read_folder
from topics.corpus.sections import Line, join_broken_lines
from topics.errors import input_error

#: Re-exported: the steps a caller of prepare_corpus may want on their own.
__all__ = ["Line", "PreparedCorpus", "join_broken_lines", "prepare_corpus", "split_pages"]


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


def prepare_corpus(
    folder: str | Path,
    rules: FurnitureRules | None = None,
    *,
    strict: bool = False,
    article_threshold: float = ARTICLE_THRESHOLD,
    paragraph_threshold: float = PARAGRAPH_THRESHOLD,
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

    ``prepare_corpus("data/raw").articles`` lists the bundled reports (tested in
    ``tests/test_corpus.py``).
    """
    if layout not in LAYOUTS:
        raise input_error(
            None, f"corpus.layout must be one of {', '.join(LAYOUTS)}, not {layout!r}"
        )
    if max_paragraph_chars < MIN_PARAGRAPH_CHARS:
        raise input_error(
            None,
            f"corpus.max_paragraph_chars must be at least {MIN_PARAGRAPH_CHARS}, "
            f"not {max_paragraph_chars}",
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
