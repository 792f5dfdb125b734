"""`topics figures` from raw data to every figure, reproducibly, with an offline LDAvis page."""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from topics.cli import app

ROOT = Path(__file__).resolve().parents[1]

FIGURES = [
    "corpus_overview.png", "k_selection.png", "topic_terms.png", "article_topics.png",
    "article_similarity.png", "intertopic_map.png", "theme_prevalence.png", "ldavis.html",
]  # fmt: skip


@pytest.fixture(scope="module")
def project(tmp_path_factory, copy_project):
    """A fresh clone: raw pages, lexicons, themes, the config (a small K grid, one resample)
    and the committed figures with their MANIFEST.json, but no prepared corpus, K selection or
    run (not versioned)."""
    root = copy_project(tmp_path_factory.mktemp("clone"), ks="[6, 8]", resamples="1")
    # as cloned: figures/report.html (written by `topics report`) is not committed
    shutil.copytree(
        ROOT / "figures", root / "figures", ignore=shutil.ignore_patterns("report.html")
    )
    assert (root / "figures" / "MANIFEST.json").exists()
    return root


@pytest.fixture(scope="module")
def first_output(project) -> str:
    """What ``topics figures`` says on the fresh clone."""
    result = CliRunner().invoke(app, ["figures", "-q", "--config", str(project / "topics.toml")])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def first_pass(project, first_output) -> dict[str, bytes]:
    return {name: (project / "figures" / name).read_bytes() for name in FIGURES}


def test_a_fresh_clone_builds_what_the_committed_figures_come_from(project, first_output):
    """The committed figures' manifest never stands in for the corpus, K selection and run."""
    assert "rebuilt: prepared corpus, K selection, run k8-seed42-" in first_output
    assert "drew 11 figures (run k8-seed42-" in first_output
    runs = project / "data" / "runs"
    run = (runs / "latest").read_text(encoding="utf-8").strip()
    assert (runs / run / "manifest.json").exists() and (runs / "k_selection").is_dir()
    assert (project / "data" / "processed" / "paragraphs.parquet").exists()
    manifest = json.loads((project / "figures" / "MANIFEST.json").read_text(encoding="utf-8"))
    assert manifest["inputs"]["run"] == run
    local = json.loads((project / "figures" / "MANIFEST.local.json").read_text(encoding="utf-8"))
    assert set(local["made_from"]) == {"prepared corpus", "K selection", f"run {run}"}
    assert {"created", "command"} <= set(local) and not {"created", "command"} & set(manifest)
    shown = CliRunner().invoke(app, ["show", "--config", str(project / "topics.toml")])
    assert shown.exit_code == 0 and "T8" in shown.output, shown.output


def test_every_figure_is_drawn_from_the_clones_own_data(project, first_pass):
    """The manifest records the hashes of the raw pages and of every file it lists, and the
    figures come from this clone's K selection and run, not from the committed copies."""
    from topics.model.runs import load_run
    from topics.plots.ldavis import prepare_ldavis, save_ldavis_html
    from topics.storage import file_sha256

    manifest = json.loads((project / "figures" / "MANIFEST.json").read_text(encoding="utf-8"))
    raw = sorted((project / "data" / "raw").iterdir())
    assert manifest["inputs"]["raw"] == {path.name: file_sha256(path) for path in raw}
    drawn = {p.name for p in (project / "figures").iterdir() if not p.name.startswith("MANIFEST")}
    assert set(manifest["figures"]) == drawn and set(FIGURES) <= drawn and len(drawn) == 11
    for name in drawn:
        assert manifest["figures"][name]["sha256"] == file_sha256(project / "figures" / name)
    # this clone selects K on the grid 6, 8 with one resample: not the committed figure's grid
    committed = (ROOT / "figures" / "k_selection.png").read_bytes()
    assert first_pass["k_selection.png"] != committed
    # the LDAvis page is the one drawn from the clone's run
    runs = project / "data" / "runs"
    run = load_run(runs / (runs / "latest").read_text(encoding="utf-8").strip())
    title = f"LDAvis: {run.path.name}"
    page = save_ldavis_html(prepare_ldavis(run), project / "ldavis.html", title, run.topics)
    assert page.read_bytes() == first_pass["ldavis.html"]


def test_second_run_gives_identical_bytes_and_reuses_the_run(project, first_pass, monkeypatch):
    from topics import pipeline

    monkeypatch.setattr(pipeline, "fit_lda", lambda *a, **k: pytest.fail("refitted"))
    monkeypatch.setattr(pipeline, "measure_ks", lambda *a, **k: pytest.fail("K selection re-run"))
    config = ["--config", str(project / "topics.toml")]
    result = CliRunner().invoke(app, ["figures", "-q", "--force", *config])
    assert result.exit_code == 0, result.output
    assert "reused: prepared corpus, K selection, run k8-seed42-" in result.output
    for name in FIGURES:
        assert (project / "figures" / name).read_bytes() == first_pass[name], name
    # with nothing changed the figures are not even drawn again; a damaged one is
    monkeypatch.setattr("topics.figures.draw_all", lambda *a, **k: pytest.fail("redrawn"))
    result = CliRunner().invoke(app, ["figures", "-q", *config])
    assert result.exit_code == 0, result.output
    assert re.search(r"up to date: 11 figures \(run k8-seed42-\w+\)", result.output)
    assert "wrote" not in result.output
    (project / "figures" / "topic_terms.png").write_bytes(b"damaged")
    monkeypatch.undo()
    assert CliRunner().invoke(app, ["figures", "-q", *config]).exit_code == 0
    assert (project / "figures" / "topic_terms.png").read_bytes() == first_pass["topic_terms.png"]


def test_a_missing_run_is_fitted_again_although_the_figures_are_current(project, first_pass):
    runs = project / "data" / "runs"
    run = (runs / "latest").read_text(encoding="utf-8").strip()
    shutil.rmtree(runs / run)
    result = CliRunner().invoke(app, ["figures", "-q", "--config", str(project / "topics.toml")])
    assert result.exit_code == 0, result.output
    assert (
        f"rebuilt: run {run}" in result.output
        and "reused: prepared corpus, K selection" in result.output
    )
    assert (runs / run / "manifest.json").exists()
    for name in FIGURES:
        assert (project / "figures" / name).read_bytes() == first_pass[name], name


def test_two_forced_regenerations_at_once(project, first_pass):
    """Two ``topics figures --force`` at the same time both succeed, with the same bytes."""
    command = [sys.executable, "-c", "from topics.cli import app; app()", "figures", "-q",
               "--force", "--config", str(project / "topics.toml")]  # fmt: skip
    procs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True) for _ in range(2)]  # fmt: skip
    outputs = [proc.communicate(timeout=900)[0] for proc in procs]
    for proc, output in zip(procs, outputs, strict=True):
        assert proc.returncode == 0 and "Traceback" not in output, output
        assert "drew 11 figures" in output
    for name in FIGURES:
        assert (project / "figures" / name).read_bytes() == first_pass[name], name
    hidden = [p.name for p in (project / "figures").iterdir() if p.name.startswith(".")]
    assert hidden == []


def git(folder: Path, *args: str) -> str:
    command = ["git", "-C", str(folder), "-c", "user.name=t", "-c", "user.email=t@t", *args]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def test_a_fresh_clone_with_the_shipped_config_draws_the_committed_figures(tmp_path, copy_project):
    """The repository as cloned (no derived data; the committed figures and MANIFEST.json):
    ``topics figures`` builds corpus, K selection and run, and draws the committed bytes, and
    the clone stays clean (``git status`` shows nothing: the manifest records nothing that
    differs per machine or per run)."""
    copy_project(tmp_path)  # the config as shipped
    shutil.copytree(ROOT / "figures", tmp_path / "figures",
                    ignore=shutil.ignore_patterns("report.html", "MANIFEST.local.json"))  # fmt: skip
    shutil.copy(ROOT / ".gitignore", tmp_path / ".gitignore")
    git(tmp_path, "init", "-q")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "clone")
    result = CliRunner().invoke(app, ["figures", "-q", "--config", str(tmp_path / "topics.toml")])
    assert result.exit_code == 0, result.output
    assert "rebuilt: prepared corpus, K selection, run k8-seed42-" in result.output
    assert (tmp_path / "data" / "runs" / "latest").exists()
    shown = CliRunner().invoke(app, ["show", "--config", str(tmp_path / "topics.toml")])
    assert shown.exit_code == 0 and "T8" in shown.output, shown.output
    committed = [p for p in (ROOT / "figures").iterdir()
                 if not p.name.startswith("MANIFEST") and p.name != "report.html"]  # fmt: skip
    assert len(committed) == 11
    for path in committed:
        assert (tmp_path / "figures" / path.name).read_bytes() == path.read_bytes(), path.name
    assert "drew 11 figures" in result.output  # drawn, not taken on trust from the manifest
    assert git(tmp_path, "status", "--porcelain") == ""
