"""Tables written in the format their suffix names, atomically and reproducibly."""

from __future__ import annotations

import pandas as pd
import pytest

from topics import export
from topics.errors import InputError
from topics.export import write_table

TABLE = pd.DataFrame(
    {"topic": ["T1", "T2"], "label": ["乡镇财政 a_b", "村民 & 自治 | 50%"], "share": [0.125, 0.5]}
)


@pytest.mark.parametrize("reader", [pd.read_csv, pd.read_parquet, pd.read_excel])
def test_tables_come_back_as_written(tmp_path, reader):
    suffix = {pd.read_csv: ".csv", pd.read_parquet: ".parquet", pd.read_excel: ".xlsx"}[reader]
    path = write_table(TABLE, tmp_path / f"t{suffix.upper()}")  # the suffix's case does not matter
    pd.testing.assert_frame_equal(reader(path), TABLE)


def test_latex_is_a_booktabs_table_with_escaped_text(tmp_path):
    text = write_table(TABLE, tmp_path / "t.tex").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert lines[0] == r"\begin{tabular}{llr}" and lines[1] == r"\toprule"
    assert r"\midrule" in lines and lines[-2:] == [r"\bottomrule", r"\end{tabular}"]
    assert r"村民 \& 自治 | 50\%" in text and r"乡镇财政 a\_b" in text


def test_markdown_escapes_pipes(tmp_path):
    text = write_table(TABLE, tmp_path / "t.md").read_text(encoding="utf-8")
    assert text.splitlines() == [
        "| topic | label | share |",
        "| --- | --- | --- |",
        "| T1 | 乡镇财政 a_b | 0.125 |",
        "| T2 | 村民 & 自治 \\| 50% | 0.5 |",
    ]


SUFFIXES = [".csv", ".parquet", ".tex", ".md"]
#: Writes TABLE in every format of SUFFIXES into the folder argv[1], in a process of its own.
WRITE = f"""
import sys
from pathlib import Path
import pandas as pd
from topics.export import write_table
table = pd.DataFrame({TABLE.to_dict("list")!r})
for suffix in {SUFFIXES!r}:
    write_table(table, Path(sys.argv[1]) / ("t" + suffix))
"""


@pytest.fixture(scope="module")
def written_elsewhere(tmp_path_factory) -> dict[str, bytes]:
    """The files two other processes wrote (another hash seed, another time); both equal."""
    import os
    import subprocess
    import sys

    found = []
    for seed in ("1", "2"):
        out = tmp_path_factory.mktemp(f"seed{seed}")
        env = os.environ | {"PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-c", WRITE, str(out)], env=env, check=True)
        found.append({suffix: (out / f"t{suffix}").read_bytes() for suffix in SUFFIXES})
    assert found[0] == found[1]
    return found[0]


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_same_table_same_bytes_in_another_process(tmp_path, suffix, written_elsewhere):
    assert write_table(TABLE, tmp_path / f"a{suffix}").read_bytes() == written_elsewhere[suffix]


def test_csv_is_utf8_with_a_bom_for_spreadsheets(tmp_path):
    assert write_table(TABLE, tmp_path / "t.csv").read_bytes() == (
        "\ufefftopic,label,share\nT1,乡镇财政 a_b,0.125\nT2,村民 & 自治 | 50%,0.5\n"
    ).encode("utf-8")


@pytest.mark.parametrize("name", ["t.png", "t", "t.json"])
def test_unknown_suffix_is_a_clear_error(tmp_path, name):
    with pytest.raises(InputError, match=r"cannot write a table as .* \(use .csv, .parquet, .xlsx, .tex, .md\)"):  # fmt: skip
        write_table(TABLE, tmp_path / name)
    assert list(tmp_path.iterdir()) == []


def test_a_failed_write_leaves_the_earlier_file(tmp_path, monkeypatch):
    path = write_table(TABLE, tmp_path / "t.csv")
    before = path.read_bytes()

    def half_then_fail(table, target):
        target.write_text("topic,la", encoding="utf-8")
        raise KeyboardInterrupt

    monkeypatch.setitem(export.WRITERS, ".csv", half_then_fail)
    with pytest.raises(KeyboardInterrupt):
        write_table(TABLE.head(1), path)
    assert path.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["t.csv"]


def test_an_unwritable_folder_is_named(tmp_path):
    (tmp_path / "file").write_text("", encoding="utf-8")
    with pytest.raises(InputError, match=r"file/t.csv: cannot write"):
        write_table(TABLE, tmp_path / "file" / "t.csv")
