"""The notebooks are committed clean and share one shape; ``pytest --nbmake`` executes them.

Every notebook in ``notebooks/``: no stored outputs, execution counts or widget state; a
``parameters`` cell (papermill style) that sets ``config`` and ``run_dir``; a markdown cell first
and a closing markdown paragraph last among its markdown cells.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
PARAMETERS = {"config", "run_dir"}


def load(path: Path) -> dict:
    """The notebook as plain JSON (no nbformat needed to check its shape)."""
    return json.loads(path.read_text(encoding="utf-8"))


def source(cell: dict) -> str:
    text = cell.get("source", "")
    return "".join(text) if isinstance(text, list) else text


def assigned_names(code: str) -> set[str]:
    """Names bound at the top level of ``code`` by plain or annotated assignment."""
    names: set[str] = set()
    for node in ast.parse(code).body:
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks found in notebooks/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs(path):
    nb = load(path)
    dirty = [
        i
        for i, cell in enumerate(nb["cells"])
        if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count"))
    ]
    assert not dirty, (
        f"{path.name}: cells {dirty} have outputs or execution counts; clear them with "
        f"`jupyter nbconvert --clear-output --inplace notebooks/{path.name}`"
    )
    assert "widgets" not in nb.get("metadata", {}), f"{path.name}: stored widget state"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_has_a_parameters_cell(path):
    cells = [
        cell
        for cell in load(path)["cells"]
        if cell["cell_type"] == "code" and "parameters" in cell.get("metadata", {}).get("tags", [])
    ]
    assert len(cells) == 1, f"{path.name}: needs exactly one cell tagged 'parameters'"
    missing = PARAMETERS - assigned_names(source(cells[0]))
    assert not missing, f"{path.name}: the parameters cell does not set {sorted(missing)}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_opens_and_closes_with_prose(path):
    cells = load(path)["cells"]
    assert cells and cells[0]["cell_type"] == "markdown", f"{path.name}: first cell is not markdown"
    assert source(cells[0]).strip(), f"{path.name}: the opening markdown cell is empty"
    markdown = [source(cell) for cell in cells if cell["cell_type"] == "markdown"]
    assert len(markdown) >= 2, f"{path.name}: needs an opening and a closing markdown cell"
    closing = markdown[-1].strip()
    prose = [line for line in closing.splitlines() if line.strip() and not line.startswith("#")]
    assert prose, f"{path.name}: the last markdown cell has no closing paragraph"
