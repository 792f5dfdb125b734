"""The notebooks are committed clean and share one shape; ``pytest --nbmake`` executes them on
the bundled corpus, and this module executes them on a second corpus built by code.

Every notebook in ``notebooks/``: no stored outputs, execution counts or widget state; a
``parameters`` cell (papermill style) that sets ``config`` and ``run_dir``; a markdown cell first
and a closing markdown paragraph last among its markdown cells; on another corpus it runs to the
end, shows its tables and figures, and leaves the bundled corpus's conclusions unchecked.
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


# -- on another corpus ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def other_corpus(prepared, tmp_path_factory) -> Path:
    """A config for a second corpus: 12 one-report files with a year in their names, cut from
    the bundled paragraphs that are not duplicates (so it has no near-duplicates at all), titles
    that share their opening; quick settings (K = 4, 5 passes, K grid 3-4)."""
    out = tmp_path_factory.mktemp("other_corpus")
    raw = out / "reports"
    raw.mkdir()
    paragraphs = prepared.modelling_paragraphs()["text"].tolist()
    for n in range(12):
        year = 2010 + n
        title = f"关于{year}年乡镇治理工作的调研报告"
        text = "\n".join([title, *paragraphs[n * 16 : n * 16 + 16]]) + "\n"
        (raw / f"{year}_report.txt").write_text(text, encoding="utf-8")
    folders = {"raw": raw, **{name: out / name for name in ("processed", "cache", "runs")}}
    config = out / "topics.toml"
    config.write_text(
        "[paths]\n"
        + "".join(f'{name} = "{folder}"\n' for name, folder in folders.items())
        + """
[corpus]
filename_pattern = '^(?P<year>\\d{4})_'

[model]
k = 4
passes = 5
iterations = 50
no_below = 2
themes = ["finance", "cadre_incentives", "village_autonomy"]

[select_k]
ks = [3, 4]
resamples = 1
""",
        encoding="utf-8",
    )
    from topics import pipeline
    from topics.config import Settings

    settings = Settings.load(config)
    assert not pipeline.is_bundled_corpus(settings)
    corpus = pipeline.prepare(settings, progress=False)
    assert corpus.articles["duplicate_of"].isna().all()
    pipeline.current_run(settings, progress=False)  # fitted once, opened by every notebook
    return config


def _outputs(nb: dict, kind: str) -> list[str]:
    """Every output of a kind ("image/png", "text/html", "stream") of an executed notebook."""
    found = []
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            if kind == "stream" and output.get("output_type") == "stream":
                found.append(source({"source": output["text"]}))
            elif kind in output.get("data", {}):
                found.append(source({"source": output["data"][kind]}))
    return found


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_runs_on_another_corpus(path, other_corpus, tmp_path):
    papermill = pytest.importorskip("papermill")

    executed = tmp_path / path.name
    papermill.execute_notebook(
        str(path), str(executed), parameters={"config": str(other_corpus)},
        cwd=str(path.parent), progress_bar=False, kernel_name="python3",
    )  # fmt: skip
    nb = load(executed)
    injected = [c for c in nb["cells"] if "injected-parameters" in c["metadata"].get("tags", [])]
    assert injected and str(other_corpus) in source(injected[0])
    assert _outputs(nb, "image/png"), f"{path.name}: no figure shown"
    assert _outputs(nb, "text/html"), f"{path.name}: no table shown"
    printed = "".join(_outputs(nb, "stream"))
    assert "Not the bundled corpus" in printed, f"{path.name}: bundled-corpus checks ran"


def test_the_bundled_corpus_is_recognised_by_its_raw_bytes(project_settings, tmp_path):
    import shutil
    from dataclasses import replace

    from topics import pipeline

    assert pipeline.is_bundled_corpus(project_settings)
    copy = tmp_path / "raw"
    shutil.copytree(project_settings.paths.raw, copy)
    paths = replace(project_settings.paths, raw=copy, processed=tmp_path / "processed")
    settings = replace(project_settings, paths=paths)
    assert pipeline.is_bundled_corpus(settings)  # the same bytes in another folder
    (copy / "extra.txt").write_text("乡镇财政\n", encoding="utf-8")
    assert not pipeline.is_bundled_corpus(settings)  # one file more
    (copy / "extra.txt").unlink()
    page = sorted(copy.glob("*.txt"))[0]
    page.write_bytes(page.read_bytes() + b"\n")
    assert not pipeline.is_bundled_corpus(settings)  # one byte more
    assert not pipeline.is_bundled_corpus(
        replace(settings, paths=replace(paths, raw=tmp_path / "none"))
    )


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if p.name[:2] in {"03", "04", "05"}],
                         ids=lambda p: p.stem)  # fmt: skip
def test_theme_notebooks_say_what_the_interval_covers(path):
    """The theme notebooks describe the interval `theme_prevalence` computes: the article's
    paragraphs resampled and posterior draws, not a bootstrap alone."""
    text = " ".join(source(cell) for cell in load(path)["cells"] if cell["cell_type"] == "markdown")
    text = " ".join(text.split())
    assert "bootstrap interval" not in text
    assert "resampled (bootstrap) and posterior draws" in text
