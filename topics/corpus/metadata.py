"""File-level metadata (a year, a place…) as columns of every table.

Three sources, each optional:

- a year in the file path, by default: the first four-digit number from 1800 to 2100 that is
  not part of a longer number or of a hash (a run of 8 or more hexadecimal characters such as
  ``786013f1ef10bced``) becomes a ``year`` column (``year_from_filename = false`` turns it off);
- ``filename_pattern``: a regular expression with named groups, searched in each file's path
  relative to the input folder, e.g. ``(?P<year>\\d{4})`` or ``(?P<place>[^/_]+)_(?P<year>\\d{4})``.
- a sidecar CSV (``metadata.csv`` in the input folder): a ``file`` column (the path relative to
  the folder, or the bare file name) and any other columns. Its values override the pattern's,
  whose values override the default year.

Columns whose values are all whole numbers become integer columns (missing values allowed).
:func:`topics.analysis.share.share_by` then gives the topic share per value, e.g. per year.

>>> year_metadata(["2019_湖北.txt", "000_786013f1ef10bced.txt", "报告1998-2003.txt"])["year"].tolist()
[2019, <NA>, 1998]
>>> meta = pattern_metadata(["2019_湖北.txt", "notes.txt"], r"(?P<year>\\d{4})_(?P<place>\\w+?)\\.")
>>> meta["year"].tolist(), meta["place"].tolist()
([2019, <NA>], ['湖北', nan])
"""

from __future__ import annotations

import csv
import io
import re
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import regex

from topics.corpus.readers import decode_bytes
from topics.errors import TopicsWarning, input_error

METADATA_FILE = "metadata.csv"
#: Column names used by the corpus tables; metadata columns must not reuse them.
RESERVED = frozenset(
    """page_id path sha256 encoding warning layout title n_chars_raw n_articles article_id
    article_no short_title author source abstract keywords references line_start line_end
    n_paragraphs n_chars paragraph_id paragraph_no section text duplicate_of duplicate_jaccard
    duplicate_containment file in_model n_tokens""".split()
)
_TOPIC_COLUMN = re.compile(r"^T\d+$")
#: Seconds a user's ``filename_pattern`` may take to match one file name.
MATCH_TIMEOUT = 1.0
#: Characters of a file path (its end) that ``filename_pattern`` is matched against.
MAX_NAME_CHARS = 1024
#: Years recognised in file names by default, as a four-digit number between two non-digits.
YEAR_RANGE = (1800, 2100)
#: Files named in a warning before the rest are counted.
NAMED = 10
_YEAR = re.compile(r"(?<!\d)(1[89]\d\d|2[01]\d\d)(?!\d)")
#: A run of this many hexadecimal characters is a hash: years inside it do not count.
HASH_MIN_CHARS = 8
_HEX_RUN = re.compile(r"[0-9A-Fa-f]+")


def _check_columns(where: str | Path, columns: Sequence[str], what: str) -> None:
    clash = sorted(c for c in columns if c in RESERVED or _TOPIC_COLUMN.match(c))
    if clash:
        raise input_error(
            where, f"{what} {', '.join(map(repr, clash))} clash with the corpus tables' columns",
            "rename them",
        )  # fmt: skip


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Columns of whole numbers as nullable integers; others stay text (empty → missing)."""
    frame = frame.replace("", np.nan)
    for column in frame.columns:
        values = frame[column].dropna()
        if len(values) and values.astype(str).str.fullmatch(r"[+-]?\d{1,18}").all():
            frame[column] = pd.array(
                [None if pd.isna(v) else int(v) for v in frame[column]], dtype="Int64"
            )
    return frame


def pattern_metadata(files: Sequence[str], pattern: str, setting: str = "filename_pattern"):
    """Values of ``pattern``'s named groups in each file path (a row per file, NaN if no match).

    Raises :class:`InputError` naming the setting for a bad expression or one without groups,
    and naming the file when matching it takes longer than :data:`MATCH_TIMEOUT` seconds (a
    pattern such as ``(a+)+$`` can backtrack for hours). Only the last :data:`MAX_NAME_CHARS`
    characters of a path are searched.
    """
    try:
        compiled = regex.compile(pattern)
    except regex.error as exc:
        raise input_error(None, f"corpus.{setting}: bad regular expression ({exc})") from None
    names = list(compiled.groupindex)
    if not names:
        raise input_error(
            None, f"corpus.{setting} {pattern!r} has no named group",
            "name what it captures, e.g. (?P<year>\\d{4})",
        )  # fmt: skip
    _check_columns(f"corpus.{setting}", names, "group name(s)")
    rows = []
    for file in files:
        try:
            found = compiled.search(file[-MAX_NAME_CHARS:], timeout=MATCH_TIMEOUT)
        except TimeoutError:
            raise input_error(
                file, f"corpus.{setting} {pattern!r} takes over {MATCH_TIMEOUT:g} s to match "
                "this name", "simplify it: nested repeats like (a+)+ backtrack without end",
            ) from None  # fmt: skip
        rows.append({n: found.group(n) if found else None for n in names})
    frame = pd.DataFrame(rows, columns=names, index=pd.Index(list(files), name="file"))
    return _typed(frame.fillna(np.nan))


def filename_year(path: str) -> int | None:
    """The first year (1800–2100) in ``path`` that is not inside a longer number or a hash."""
    for found in _YEAR.finditer(path):
        year = int(found.group())
        hex_run = next(r for r in _HEX_RUN.finditer(path) if r.start() <= found.start() < r.end())
        if YEAR_RANGE[0] <= year <= YEAR_RANGE[1] and len(hex_run.group()) < HASH_MIN_CHARS:
            return year
    return None


def year_metadata(files: Sequence[str]) -> pd.DataFrame:
    """A ``year`` column from each file path (:func:`filename_year`); no column if none has one."""
    years = [filename_year(f) for f in files]
    frame = pd.DataFrame(index=pd.Index(list(files), name="file"))
    if any(y is not None for y in years):
        frame["year"] = pd.array(years, dtype="Int64")
    return frame


def sidecar_metadata(path: Path, files: Sequence[str]) -> pd.DataFrame:
    """Metadata rows of a sidecar CSV, indexed by the file (relative path) each row describes.

    Every problem names the CSV and the line: no ``file`` column, a file that is not in the
    folder, two rows for one file, a name that is ambiguous between sub-folders.
    """
    data = path.read_bytes()
    text, _, _ = decode_bytes(data, path)
    try:
        table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise input_error(path, f"is not a readable CSV ({str(exc).strip()})") from None
    _check_header(path, text)
    table.columns = [str(c).strip() for c in table.columns]
    if "file" not in table.columns:
        raise input_error(
            path, f"has no 'file' column (columns: {', '.join(table.columns) or 'none'})",
            "add a 'file' column with each document's name",
        )  # fmt: skip
    others = [c for c in table.columns if c != "file"]
    _check_columns(path, others, "column(s)")
    by_path = {f: f for f in files}
    by_name: dict[str, list[str]] = {}
    for f in files:
        by_name.setdefault(f.rsplit("/", 1)[-1], []).append(f)
    resolved, problems, seen = [], [], {}
    for line, name in enumerate(table["file"].str.strip().str.replace("\\", "/"), start=2):
        match = by_path.get(name) or (by_name.get(name, [None])[0])
        if name not in by_path and len(by_name.get(name, [])) > 1:
            problems.append(f"line {line}: {name!r} is ambiguous ({', '.join(by_name[name])})")
        elif match is None:
            problems.append(f"line {line}: no file {name!r} in the input folder")
        elif match in seen:
            problems.append(f"line {line}: second row for {match!r} (first on line {seen[match]})")
        else:
            seen[match] = line
        resolved.append(match)
    if problems:
        raise input_error(path, "; ".join(problems[:5]) + ("; …" if len(problems) > 5 else ""))
    frame = table[others].copy()
    frame.index = pd.Index(resolved, name="file")
    return _typed(frame)


def _check_header(path: Path, text: str) -> None:
    """Refuse a header with an empty or repeated column name (pandas would rename it)."""
    header = next(csv.reader(io.StringIO(text.lstrip("\ufeff"))), [])
    names = [name.strip() for name in header]
    for number, name in enumerate(names, start=1):
        if not name:
            raise input_error(path, f"column {number} of the header has no name",
                              "name every column, or delete the empty one")  # fmt: skip
        if names.index(name) < number - 1:
            raise input_error(path, f"column {name!r} appears twice in the header "
                              f"(columns {names.index(name) + 1} and {number})", "keep one")  # fmt: skip


def sidecar_path(folder: str | Path, name: str | None = METADATA_FILE) -> Path | None:
    """The sidecar CSV ``name`` in ``folder``: None for no name, or for the default name when
    the folder has no such file; any other name must exist."""
    path = Path(folder) / name if name else None
    if path is None or path.is_file():
        return path
    if name == METADATA_FILE:
        return None
    raise input_error(
        path, "metadata_file not found", "corpus.metadata_file names a CSV in the input folder"
    )


def file_metadata(
    files: Sequence[str],
    pattern: str | None = None,
    sidecar: Path | None = None,
    year_from_filename: bool = True,
) -> pd.DataFrame:
    """Metadata per file (index: path relative to the input folder) from all sources.

    ``files`` are every document found in the folder (read or skipped). Where two sources give
    the same column, the sidecar's values win over the pattern's, and both over the default year.
    """
    frame = year_metadata(files) if year_from_filename else pd.DataFrame(index=list(files))
    frame.index.name = "file"
    layers = [pattern_metadata(files, pattern)] if pattern else []
    if sidecar is not None:
        layers.append(sidecar_metadata(sidecar, files))
    for extra in layers:
        for column in extra.columns:
            values = extra[column].reindex(frame.index)
            if column in frame.columns:
                values = values.where(values.notna(), frame[column])
            frame[column] = values
    if layers and len(frame.columns):
        frame = _typed(frame.astype(object).where(frame.notna(), np.nan))
    if year_from_filename and "year" in frame.columns and frame["year"].isna().any():
        missing = frame.index[frame["year"].isna()].tolist()
        shown = ", ".join(missing[:NAMED]) + (
            f" and {len(missing) - NAMED} more" if len(missing) > NAMED else ""
        )
        warnings.warn(f"{len(missing)} of {len(frame)} files get no year ({YEAR_RANGE[0]}-"
                      f"{YEAR_RANGE[1]} in the name, or metadata.csv): {shown}", TopicsWarning,
                      stacklevel=3)  # fmt: skip
    return frame


def attach(tables: dict[str, pd.DataFrame], metadata: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Add the metadata columns to ``pages`` (by ``path``) and to every table with a
    ``page_id`` (through the pages)."""
    if metadata.empty or not len(metadata.columns):
        return tables
    pages = tables["pages"]
    per_page = metadata.reindex(pages["path"]).set_axis(pages["page_id"])
    out = {}
    for name, table in tables.items():
        if "page_id" in table.columns and name != "removed":
            table = table.copy()
            for column in per_page.columns:
                values = per_page[column].reindex(table["page_id"])
                table[column] = values.set_axis(table.index)
        out[name] = table
    return out


def metadata_columns(table: pd.DataFrame) -> list[str]:
    """The metadata columns of a corpus table (those that are not built-in)."""
    return [c for c in table.columns if c not in RESERVED and not _TOPIC_COLUMN.match(c)]


#: Built-in columns that group units as metadata do: the file (page) a unit came from and, for
#: paragraphs, their article.
GROUPING = ("page_id", "article_id")
#: How a researcher adds metadata, said wherever a column is missing.
METADATA_HINT = (
    "add metadata through the file names ([corpus] filename_pattern in topics.toml) or a "
    "metadata.csv beside the documents (a 'file' column, one column per field)"
)


def usable_columns(table: pd.DataFrame) -> list[str]:
    """The columns that ``topics share --by`` and ``topics effect`` accept for the units of a
    corpus table: its metadata columns, then the page (and, for paragraphs, article) id that
    groups them; never the units' own id."""
    own = "paragraph_id" if "paragraph_id" in table.columns else "article_id"
    grouping = [c for c in GROUPING if c in table.columns and c != own]
    return [*metadata_columns(table), *grouping]


def known_columns_text(table: pd.DataFrame) -> str:
    """``usable columns: year, page_id; add metadata …``: what an error about a missing column
    says."""
    return f"usable columns: {', '.join(usable_columns(table)) or 'none'}; {METADATA_HINT}"
