"""Shared fixtures: the bundled corpus, prepared once per test session."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RAW = ROOT / "data" / "raw"


@pytest.fixture(scope="session")
def raw_dir() -> Path:
    return RAW


@pytest.fixture(scope="session")
def copy_project():
    """``copy_project(root, **settings)`` lays out a fresh clone of the project in ``root``: the
    raw pages, lexicons, themes, furniture rules and ``topics.toml``, with each keyword's line
    replaced (``ks="[6, 8]"`` → ``ks = [6, 8]``); no derived data. Returns ``root``."""

    def copy(root: Path, **settings: str) -> Path:
        shutil.copytree(RAW, root / "data" / "raw")
        shutil.copytree(ROOT / "data" / "lexicons", root / "data" / "lexicons")
        for name in ("themes.toml", "furniture.toml"):
            shutil.copy(ROOT / "data" / name, root / "data" / name)
        config = (ROOT / "topics.toml").read_text(encoding="utf-8")
        for key, value in settings.items():
            config, found = re.subn(rf"(?m)^{key} = .*$", f"{key} = {value}", config)
            assert found == 1, f"topics.toml has no single line for {key}"
        (root / "topics.toml").write_text(config, encoding="utf-8")
        return root

    return copy


@pytest.fixture(scope="session")
def prepared():
    from topics.corpus.prepare import prepare_corpus

    return prepare_corpus(RAW)


@pytest.fixture(scope="session")
def lexicons():
    from topics.text.lexicons import load_lexicons

    return load_lexicons()


@pytest.fixture(scope="session")
def tokenizer(lexicons):
    from topics.text.tokenize import Tokenizer

    return Tokenizer(lexicons)


@pytest.fixture(scope="session")
def project_settings(tmp_path_factory):
    """Settings of the real project config, with every output redirected to a temp folder.

    The raw pages are read from the repository (never written); processed tables, caches,
    runs and figures go to the temp folder.
    """
    from dataclasses import replace

    from topics.config import Settings

    out = tmp_path_factory.mktemp("project")
    settings = Settings.load(ROOT / "topics.toml")
    paths = replace(
        settings.paths,
        raw=RAW,
        processed=out / "processed",
        cache=out / "interim",
        runs=out / "runs",
        figures=out / "figures",
    )
    # K fixed at the value `topics select-k` recommends on this corpus (tested in
    # test_evaluate.py), so the session does not run the whole K selection.
    return replace(settings, paths=paths, model=replace(settings.model, k=8))


@pytest.fixture(scope="session")
def write_config(project_settings):
    """``write_config(folder, processed=None)`` writes ``folder/topics.toml``: the project's
    config reading the bundled raw pages, lexicons and themes, with the session's cache and runs
    (and its prepared corpus unless ``processed`` names another folder), figures in
    ``folder``. Returns its path."""

    def write(folder: Path, processed: Path | None = None) -> Path:
        paths = project_settings.paths
        text = (project_settings.root / "topics.toml").read_text(encoding="utf-8")
        for key, value in [("raw", paths.raw), ("processed", processed or paths.processed),
                           ("cache", paths.cache), ("runs", paths.runs),
                           ("figures", folder / "figures")]:  # fmt: skip
            text = text.replace(f'{key} = "{getattr(type(paths)(), key)}"', f'{key} = "{value}"', 1)
        for name in ("furniture", "themes"):
            text = text.replace(
                f'"data/{name}.toml"', f'"{project_settings.root / "data" / (name + ".toml")}"'
            )
        text = text.replace('"data/lexicons/', f'"{project_settings.root / "data" / "lexicons"}/')
        path = folder / "topics.toml"
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture(scope="session")
def run(project_settings):
    """The default run of the project config, fitted once per session."""
    from topics import pipeline

    return pipeline.current_run(project_settings, progress=False)
