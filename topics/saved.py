"""Open what a project has saved, its runs, with light imports only: a saved run's tables are
Parquet, so the commands that read one (``show``, ``similar``, ``compare``, ``passages``,
``share``, ``effect``) load neither gensim nor jieba nor matplotlib (``tests/test_imports.py``
checks; ``benchmarks/bench_cli.py`` times them). :mod:`topics.pipeline` builds runs and
re-exports these.
"""

from __future__ import annotations

from pathlib import Path

from topics import __version__
from topics.config import Settings
from topics.errors import input_error
from topics.model.runs import TopicRun, check_inputs, load_run
from topics.model.settings import ModelSettings
from topics.model.themes import ThemeSet, load_themes
from topics.project import lexicon_paths, prepare_inputs
from topics.storage import digest
from topics.text.lexicons import load_lexicons


def themes_for(settings: Settings, model: ModelSettings) -> ThemeSet | None:
    """The themes a fit is seeded with (None when ``model.themes`` is empty)."""
    if not model.themes:
        return None
    return load_themes(settings.path(settings.paths.themes)).select(model.themes)


def run_inputs(settings: Settings, model: ModelSettings) -> dict:
    """Everything a run depends on, hashed: the basis of its id and of staleness checks."""
    lexicons = load_lexicons(lexicon_paths(settings))
    themes = themes_for(settings, model)
    return {
        **prepare_inputs(settings),
        "topics_version": __version__,
        "lexicons": lexicons.hashes,
        "themes": themes.sha256 if themes else None,
        # the run's per-topic stability depends on the draws (not on the processes)
        "resamples": settings.select_k.resamples,
        "draw_seed": settings.select_k.draw_seed,
        "tokenize_settings": settings.fingerprint("tokenize"),
        "model_settings": digest(model.as_dict()),
    }


def latest_run_path(settings: Settings) -> Path:
    runs_dir = settings.path(settings.paths.runs)
    pointer = runs_dir / "latest"
    if not pointer.exists():
        raise input_error(runs_dir, "has no fitted run yet", "run `topics fit` first")
    return runs_dir / pointer.read_text(encoding="utf-8").strip()


def open_run(settings: Settings, path: Path | None = None, check: bool = True) -> TopicRun:
    """Load a run (default: the latest); with ``check``, refuse a stale one."""
    path = Path(path) if path else latest_run_path(settings)
    run = load_run(path)  # names a missing, corrupt or foreign manifest itself
    if check:
        check_inputs(path, run.manifest, run_inputs(settings, run.settings))
    return run
