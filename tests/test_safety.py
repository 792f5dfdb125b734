"""Nothing lost, nothing executed (issue 20): output folders that would replace or litter the
raw data, the project or a settings file are refused before any work; a swap removes only a
folder the package made; an ``effect`` formula never runs code."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from topics import storage
from topics.analysis.design import Design
from topics.cli import app
from topics.config import Settings
from topics.errors import InputError

runner = CliRunner()


def snapshot(folder: Path) -> dict[str, str]:
    """Every file and folder under ``folder``: a file's SHA-256, a folder's name."""
    return {
        p.relative_to(folder).as_posix(): (
            hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "folder"
        )
        for p in sorted(folder.rglob("*"))
    }


@pytest.mark.parametrize(
    ("key", "value", "command", "relation"),
    [
        ("processed", '"data/raw"', "prepare", "paths.processed ({root}/data/raw) is paths.raw"),
        ("processed", '"data"', "prepare", "paths.processed ({root}/data) contains paths.raw"),
        ("processed", '"."', "prepare", "paths.processed ({root}) contains paths.raw"),
        ("processed", '"topics.toml"', "prepare",
         "paths.processed ({root}/topics.toml) is the settings file"),
        ("runs", '"data/raw"', "fit", "paths.runs ({root}/data/raw) is paths.raw"),
        ("runs", '"data/raw/runs"', "fit", "paths.runs ({root}/data/raw/runs) lies inside paths.raw"),
        ("cache", '"data/lexicons"', "tokens", "contains lexicons.userdict"),
        ("figures", '"data/processed"', "figures", "paths.processed ({root}/data/processed) is "
         "paths.figures"),
        ("figures", '".."', "figures", "lies inside paths.figures ({root_parent})"),
    ],
)  # fmt: skip
def test_an_output_over_the_raw_data_or_project_is_refused(
    tmp_path, copy_project, key, value, command, relation
):
    root = copy_project(tmp_path / "project", **{key: value})
    before = snapshot(tmp_path)
    result = runner.invoke(app, [command, "-q", "--config", str(root / "topics.toml")])
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output, result.output
    assert relation.format(root=root, root_parent=root.parent) in lines[0], lines[0]
    assert lines[0].startswith(f"error: {root / 'topics.toml'}: ")
    assert snapshot(tmp_path) == before  # raw data, settings and project byte-identical


@pytest.mark.parametrize("out", ["topics.toml", "data/raw", "data", "."])
def test_figures_out_over_a_file_or_the_raw_data_is_refused_before_work(
    tmp_path, copy_project, out
):
    root = copy_project(tmp_path / "project")
    before = snapshot(tmp_path)
    result = runner.invoke(
        app, ["figures", "-q", "--out", str(root / out), "--config", str(root / "topics.toml")]
    )
    assert result.exit_code == 1, result.output
    assert result.output.startswith(f"error: {root / 'topics.toml'}: --out ({root}"), result.output
    assert len(result.output.strip().splitlines()) == 1
    assert snapshot(tmp_path) == before


def test_the_shipped_layout_and_separate_outputs_are_accepted(tmp_path, copy_project):
    root = copy_project(tmp_path / "project", processed='"out/processed"', runs='"out/runs"')
    settings = Settings.load(root / "topics.toml")
    assert settings.path(settings.paths.processed) == root / "out" / "processed"


def test_a_swap_removes_only_a_folder_the_package_made(tmp_path):
    mine = tmp_path / "notes"
    mine.mkdir()
    (mine / "thesis.txt").write_text("三年的笔记", encoding="utf-8")
    before = snapshot(tmp_path)
    with pytest.raises(InputError, match="is a folder that topics did not make"):
        with storage.atomic_folder(mine) as tmp:
            (tmp / "a.csv").write_text("x")
    file = tmp_path / "notes.txt"
    file.write_text("x")
    with pytest.raises(InputError, match="is a file that topics did not make"):
        with storage.atomic_folder(file):
            pass
    assert {k: v for k, v in snapshot(tmp_path).items() if k != "notes.txt"} == before
    made = tmp_path / "made"
    for _ in range(2):  # a folder it made (and an empty one) is replaced
        with storage.atomic_folder(made) as tmp:
            (tmp / "a.csv").write_text("y")
    assert (made / "a.csv").read_text() == "y" and (made / storage.MARKER).is_file()


def test_a_processed_folder_of_someone_elses_files_is_not_replaced(tmp_path, copy_project):
    root = copy_project(tmp_path / "project", processed='"mine"')
    (root / "mine").mkdir()
    (root / "mine" / "thesis.docx").write_bytes(b"not ours")
    before = snapshot(tmp_path)
    result = runner.invoke(app, ["prepare", "-q", "--config", str(root / "topics.toml")])
    assert result.exit_code == 1, result.output
    assert result.output.startswith(f"error: {root / 'mine'}: is a folder that topics did not")
    assert snapshot(tmp_path) == before


# Formulas: only columns, numbers, operators and whitelisted functions; nothing is executed.

DATA = pd.DataFrame({"year": np.arange(2000, 2040) % 20 + 2000, "place": ["a", "b"] * 20})
HOSTILE = [
    "~ year + __import__('os').system('touch x')",
    "~ I(__import__('os').system('touch x'))",
    "~ I(open('x', 'w').write('1'))",
    "~ year + np.os.system('touch x')",
    "~ year + year.__class__",
    "~ C(place, Treatment(open('x', 'w')))",
    "~ bs(year, df=__import__('os').system('touch x'))",
    "~ year + [open('x', 'w')]",
    "~ year + (lambda: 1)()",
    '~ Q("year") + f\'{open("x", "w")}\'',
]


@pytest.mark.parametrize("formula", HOSTILE)
def test_a_formula_never_runs_code(tmp_path, monkeypatch, formula):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(
        InputError,
        match=r"^formula .*: .*(not allowed|not an allowed function|names no metadata column|not a plain|only in Q|unexpected)",
    ):
        Design.build(formula, DATA)
    assert not (tmp_path / "x").exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("formula", "token"),
    [
        ("~ year + __import__('os')", "'__import__' is not an allowed function (allowed: C, I,"),
        ("~ year + eval('1')", "'eval' is not an allowed function"),
        ("~ year + os", "'os' names no metadata column (usable columns: year, place;"),
        ("~ bs(year, knots=year)", "bs() keyword 'knots' is not allowed"),
        ("~ year; 1", "unexpected ';'"),
        ("~ year + 'a'", "the string 'a' is allowed only in Q() or Treatment()"),
    ],
)
def test_a_refused_formula_names_the_token(formula, token):
    from topics.analysis.formula import check_formula

    with pytest.raises(InputError) as caught:
        check_formula(formula, ["year", "place"])
    assert token in str(caught.value)
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    "formula",
    ["~ year", "~ bs(year, df=4)", "~ cr(year, df=3) + C(place)", "~ year * C(place)",
     "~ np.log(year - 1990) + I(year ** 2 / 100)", "~ center(year):place - 1",
     "~ C(place, Treatment('b'))", "~ standardize(year) + Q('place')", "~ -1 + year"],
)  # fmt: skip
def test_ordinary_formulas_still_work(formula):
    design = Design.build(formula, DATA)
    assert np.isfinite(design.X).all() and design.X.shape[0] == len(DATA)


@pytest.mark.parametrize(
    ("formula", "term"),
    [("~ np.log(year - 2000)", "np.log(year - 2000)"), ("~ I(year / 0)", "I(year / 0)"),
     ("~ np.sqrt(year - 2010)", "np.sqrt(year - 2010)")],
)  # fmt: skip
def test_a_non_finite_design_is_an_error_naming_the_term(formula, term):
    with pytest.raises(InputError, match=rf"term\(s\) {re.escape(term)} are not finite"):
        Design.build(formula, DATA)
