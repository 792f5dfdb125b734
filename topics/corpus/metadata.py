"""File-level metadata (a year, a place…) as columns of every table, and topic share by them.

Two sources, both optional:

- ``filename_pattern``: a regular expression with named groups, searched in each file's path
  relative to the input folder, e.g. ``(?P<year>\\d{4})`` or ``(?P<place>[^/_]+)_(?P<year>\\d{4})``.
- a sidecar CSV (``metadata.csv`` in the input folder): a ``file`` column (the path relative to
  the folder, or the bare file name) and any other columns. Its values override the pattern's.

Columns whose values are all whole numbers become integer columns (missing values allowed).
:func:`share_by` then gives the token-weighted topic share per value, e.g. per year.

>>> meta = pattern_metadata(["2019_湖北.txt", "notes.txt"], r"(?P<year>\\d{4})_(?P<place>\\w+?)\\.")
>>> meta["year"].tolist(), meta["place"].tolist()
([2019, <NA>], ['湖北', nan])
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import regex

from topics.corpus.readers import decode_bytes
from topics.errors import input_error
from topics.weighting import token_weighted_means

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
    files: Sequence[str], pattern: str | None = None, sidecar: Path | None = None
) -> pd.DataFrame:
    """Metadata per file (index: path relative to the input folder) from both sources.

    ``files`` are every document found in the folder (read or skipped). Sidecar values win
    where both give the same column.
    """
    frame = pd.DataFrame(index=pd.Index(list(files), name="file"))
    if pattern:
        frame = frame.join(pattern_metadata(files, pattern))
    if sidecar is not None:
        extra = sidecar_metadata(sidecar, files)
        for column in extra.columns:
            values = extra[column].reindex(frame.index)
            if column in frame.columns:
                values = values.where(values.notna(), frame[column])
            frame[column] = values
        frame = _typed(frame.astype(object).where(frame.notna(), np.nan))
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


def share_by(
    table: pd.DataFrame,
    column: str,
    metadata: pd.DataFrame | None = None,
    topics: Sequence[str] | None = None,
    include_duplicates: bool = False,
) -> pd.DataFrame:
    """Token-weighted topic share per value of a metadata ``column`` (e.g. topic share by year).

    ``table``: a run's ``articles`` or ``paragraphs`` (topic columns ``T1``… and ``n_tokens``).
    When ``column`` is not in it, it is taken from ``metadata`` (the prepared corpus's table of
    the same unit) through the shared id. Duplicates are left out unless ``include_duplicates``.
    Returns one row per value: ``n`` units, ``n_tokens`` and the topic shares (rows sum to 1).

    >>> runs = pd.DataFrame({"article_id": ["a", "b", "c"], "n_tokens": [10, 30, 20],
    ...                      "T1": [1.0, 0.0, 0.5], "T2": [0.0, 1.0, 0.5]})
    >>> meta = pd.DataFrame({"article_id": ["a", "b", "c"], "year": [2019, 2019, 2020]})
    >>> share_by(runs, "year", meta)
       year  n  n_tokens    T1    T2
    0  2019  2        40  0.25  0.75
    1  2020  1        20  0.50  0.50
    """
    topics = list(topics) if topics is not None else [c for c in table if _TOPIC_COLUMN.match(c)]
    if not topics:
        raise input_error(None, "the table has no topic columns (T1, T2, …)")
    if column not in table.columns:
        if metadata is None or column not in metadata.columns:
            known = metadata_columns(metadata) if metadata is not None else []
            raise input_error(
                None, f"no metadata column {column!r}",
                f"known: {', '.join(known)}" if known else "the corpus has no metadata columns",
            )  # fmt: skip
        key = next(k for k in ("paragraph_id", "article_id", "page_id") if k in table)
        table = table.merge(metadata[[key, column]], on=key, how="left")
    if not include_duplicates and "duplicate_of" in table.columns:
        table = table[table["duplicate_of"].isna()]
    weights = table["n_tokens"].fillna(0).to_numpy(dtype=float)
    shares = table[topics].to_numpy(dtype=float)
    usable = (weights > 0) & np.isfinite(shares).all(axis=1) & table[column].notna().to_numpy()
    means = token_weighted_means(
        shares[usable], weights[usable], table[column].to_numpy()[usable], sort=True
    )
    grouped = pd.DataFrame(means.means, columns=topics)
    grouped.insert(0, column, means.groups)
    grouped.insert(1, "n", means.sizes)
    grouped.insert(2, "n_tokens", means.weights.astype(int))
    return grouped
