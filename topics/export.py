"""Tables to files, the format chosen by the file's suffix: .csv, .parquet, .xlsx, .tex or .md.

Every writer goes through :func:`write_table`, which writes atomically (an interrupted export
leaves the earlier file as it was). CSV is UTF-8 with a BOM so spreadsheets read the Chinese;
.tex is a booktabs table; .md a GitHub-style table. Every format but .xlsx (which stores its
save time) gives the same bytes for the same table.

>>> import pandas as pd
>>> print(markdown(pd.DataFrame({"topic": ["T1"], "share": [0.25]})), end="")
| topic | share |
| --- | --- |
| T1 | 0.25 |
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from topics.errors import input_error
from topics.storage import atomic_file


def markdown(table: pd.DataFrame) -> str:
    """``table`` as a Markdown table (``|`` in cells escaped, missing values empty)."""

    def cell(value) -> str:
        return "" if pd.isna(value) else str(value).replace("|", "\\|").replace("\n", " ")

    rows = [[cell(c) for c in table.columns], ["---"] * table.shape[1]]
    rows += [[cell(v) for v in row] for row in table.itertuples(index=False)]
    return "".join("| " + " | ".join(row) + " |\n" for row in rows)


def _csv(table: pd.DataFrame, path: Path) -> None:
    table.to_csv(path, index=False, encoding="utf-8-sig")


def _parquet(table: pd.DataFrame, path: Path) -> None:
    table.to_parquet(path, index=False)


def _xlsx(table: pd.DataFrame, path: Path) -> None:
    table.to_excel(path, index=False, engine="openpyxl")


def _tex(table: pd.DataFrame, path: Path) -> None:
    path.write_text(table.to_latex(index=False, escape=True), encoding="utf-8")


def _md(table: pd.DataFrame, path: Path) -> None:
    path.write_text(markdown(table), encoding="utf-8")


WRITERS: dict[str, Callable[[pd.DataFrame, Path], None]] = {
    ".csv": _csv, ".parquet": _parquet, ".xlsx": _xlsx, ".tex": _tex, ".md": _md,
}  # fmt: skip


def check_suffix(path: str | Path) -> Path:
    """``path`` if its suffix names a table format, else a one-line error listing them."""
    path = Path(path)
    if path.suffix.lower() not in WRITERS:
        shown = path.suffix or "no suffix"
        raise input_error(path, f"cannot write a table as {shown}", f"use {', '.join(WRITERS)}")
    return path


def write_table(table: pd.DataFrame, path: str | Path) -> Path:
    """Write ``table`` (its index dropped) to ``path`` in the format its suffix names."""
    path = check_suffix(path)
    try:
        with atomic_file(path) as tmp:
            WRITERS[path.suffix.lower()](table, tmp)
    except OSError as exc:
        raise input_error(path, f"cannot write ({exc.strerror or exc})") from None
    return path
