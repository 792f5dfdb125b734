"""`topics figures` from raw data to every figure, reproducibly, with an offline LDAvis page."""

import re
import shutil
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
def project(tmp_path_factory, raw_dir):
    """A temporary copy of the project: raw pages, lexicons, themes and a small K grid."""
    root = tmp_path_factory.mktemp("copy")
    shutil.copytree(raw_dir, root / "data" / "raw")
    shutil.copytree(ROOT / "data" / "lexicons", root / "data" / "lexicons")
    for name in ("themes.toml", "furniture.toml"):
        shutil.copy(ROOT / "data" / name, root / "data" / name)
    config = (ROOT / "topics.toml").read_text(encoding="utf-8")
    config = re.sub(r"(?m)^ks = .*$", "ks = [6, 8]", config)
    config = re.sub(r"(?m)^resamples = .*$", "resamples = 1", config)
    (root / "topics.toml").write_text(config, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def first_pass(project):
    result = CliRunner().invoke(app, ["figures", "-q", "--config", str(project / "topics.toml")])
    assert result.exit_code == 0, result.output
    figures = project / "figures"
    return {name: (figures / name).read_bytes() for name in FIGURES}


def test_every_figure_is_made_from_the_raw_data(project, first_pass):
    for name, data in first_pass.items():
        assert len(data) > 10_000, name
    manifest = (project / "figures" / "MANIFEST.json").read_text(encoding="utf-8")
    for name in FIGURES:
        assert f'"{name}"' in manifest
    assert '"raw"' in manifest and "000_786013f1ef10bced.txt" in manifest


def test_second_run_gives_identical_bytes_and_reuses_the_run(project, first_pass, monkeypatch):
    from topics import pipeline

    monkeypatch.setattr(pipeline, "fit_lda", lambda *a, **k: pytest.fail("refitted"))
    monkeypatch.setattr(pipeline, "measure_ks", lambda *a, **k: pytest.fail("K selection re-run"))
    config = ["--config", str(project / "topics.toml")]
    result = CliRunner().invoke(app, ["figures", "-q", "--force", *config])
    assert result.exit_code == 0, result.output
    for name, data in first_pass.items():
        assert (project / "figures" / name).read_bytes() == data, name
    # with nothing changed the figures are not even drawn again; a damaged one is
    monkeypatch.setattr("topics.figures.draw_all", lambda *a, **k: pytest.fail("redrawn"))
    assert CliRunner().invoke(app, ["figures", "-q", *config]).exit_code == 0
    (project / "figures" / "topic_terms.png").write_bytes(b"damaged")
    monkeypatch.undo()
    assert CliRunner().invoke(app, ["figures", "-q", *config]).exit_code == 0
    assert (project / "figures" / "topic_terms.png").read_bytes() == first_pass["topic_terms.png"]


def test_ldavis_page_works_offline(first_pass):
    page = first_pass["ldavis.html"].decode("utf-8")
    assert not re.search(r"<script[^>]+src=[\"']?https?:", page)
    assert not re.search(r"<link[^>]+href=[\"']?https?:", page)
    assert "d3" in page and "new LDAvis(" in page
