"""Tables to files, the format chosen by the file's suffix: .csv, .parquet, .xlsx, .tex or .md.

Every writer goes through :func:`write_table`, which writes atomically (an interrupted export
leaves the earlier file as it was). CSV is UTF-8 with a BOM so spreadsheets read the Chinese;
.csv, .parquet and .xlsx keep every digit, for further work. .tex (a booktabs table with a
caption and a label) and .md (a GitHub-style table) are for pasting into a paper: shares as
percent with one decimal, other decimals rounded (:func:`readable`). Every format but .xlsx
(which stores its save time) gives the same bytes for the same table.

>>> import pandas as pd
>>> print(markdown(readable(pd.DataFrame({"topic": ["T1"], "share": [0.25]}))), end="")
| topic | share |
| --- | --- |
| T1 | 25.0% |
"""

from __future__ import annotations

import re
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


#: Columns that hold shares (proportions of tokens): topic columns T1…, prevalence, share and
#: ``*_share``, and the ``low``/``high`` bounds beside a ``share``.
SHARE_COLUMN = re.compile(r"^(T\d+|prevalence|share|\w+_share)$")
DECIMALS = 3  # other numbers in .md and .tex


def readable(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with numbers as text a reader can paste: shares as percent with one decimal
    (``4.5%``), other fractional numbers to ``DECIMALS`` decimals, whole numbers as they are,
    missing values empty.

    >>> readable(pd.DataFrame({"T1": [0.04546], "distance": [0.31912], "n": [3]})).to_dict("records")
    [{'T1': '4.5%', 'distance': '0.319', 'n': '3'}]
    """
    shares = {c for c in table.columns if SHARE_COLUMN.match(str(c))}
    if "share" in shares:
        shares |= {"low", "high"} & set(table.columns)
    out = table.copy()
    for column in table.columns:
        values = table[column]
        if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
            continue
        if column in shares:
            text = values.map(lambda v: f"{v:.1%}")
        elif pd.api.types.is_float_dtype(values) and not (values.dropna() % 1 == 0).all():
            text = values.map(lambda v: f"{v:.{DECIMALS}f}")
        else:
            text = values.map(lambda v: f"{v:.0f}")
        out[column] = text.where(values.notna(), "")
    return out


def _csv(table: pd.DataFrame, path: Path) -> None:
    table.to_csv(path, index=False, encoding="utf-8-sig")


def _parquet(table: pd.DataFrame, path: Path) -> None:
    table.to_parquet(path, index=False)


def _xlsx(table: pd.DataFrame, path: Path) -> None:
    table.to_excel(path, index=False, engine="openpyxl")


def _tex(table: pd.DataFrame, path: Path) -> None:
    """A booktabs table in a ``table`` float with the caption and label of ``table.attrs``
    (see :func:`write_table`); numbers right-aligned."""
    align = "".join(
        "r"
        if pd.api.types.is_numeric_dtype(table[c]) and not pd.api.types.is_bool_dtype(table[c])
        else "l"
        for c in table.columns
    )
    text = readable(table).to_latex(index=False, escape=True, column_format=align,
                                    caption=table.attrs.get("caption"),
                                    label=table.attrs.get("label"), position="htbp")  # fmt: skip
    path.write_text(text, encoding="utf-8")


def _md(table: pd.DataFrame, path: Path) -> None:
    path.write_text(markdown(readable(table)), encoding="utf-8")


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
    """Write ``table`` (its index dropped) to ``path`` in the format its suffix names. A .tex
    table is captioned ``table.attrs["caption"]`` (default: the file name) and labelled
    ``tab:<file name>``."""
    path = check_suffix(path)
    attrs, table = table.attrs, table.copy()
    table.attrs = {}  # pandas would store them in a Parquet file
    if path.suffix.lower() == ".tex":
        table.attrs = {"caption": attrs.get("caption") or path.stem.replace("_", " "),
                       "label": "tab:" + re.sub(r"[^\w-]+", "-", path.stem)}  # fmt: skip
    try:
        with atomic_file(path) as tmp:
            WRITERS[path.suffix.lower()](table, tmp)
    except OSError as exc:
        raise input_error(path, f"cannot write ({exc.strerror or exc})") from None
    return path
