"""The one path from ``data/raw`` to every table and figure; the CLI and notebooks call this.

Each step saves its outputs with a manifest and is reused while the manifest shows that its
inputs and settings have not changed (:func:`topics.storage.reuse_or_build`); a missing or
damaged output is built again.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

import pandas as pd

from topics import figures, storage
from topics.config import Settings, check_output
from topics.corpus.prepare import PreparedCorpus
from topics.errors import TopicsWarning, input_error
from topics.model.evaluate import QUALITY, TABLE_FORMAT, fit_quality, measure_ks
from topics.model.k_rule import recommend_k
from topics.model.lda import FittedLda, ModelSettings, fit_lda
from topics.model.runs import TopicRun, build_run, load_run, run_manifest
from topics.model.themes import ThemeScreen, screen_themes
from topics.project import (  # the data side of the path
    BUNDLED_SHA256,
    TABLES,
    furniture_rules,
    is_bundled_corpus,
    lexicon_paths,
    load_prepared,
    make_tokenizer,
    prepare,
    prepared_corpus,
    prepared_or_rebuilt,
    raw_hashes,
    tokenize_paragraphs,
    training_documents,
    write_prepared,
)
from topics.saved import latest_run_path, open_run, run_inputs, themes_for
from topics.storage import build_manifest, digest, reuse_or_build, write_text
from topics.text.token_ids import TokenIds

#: The path's public names: its own steps and the data side it re-exports from topics.project.
__all__ = [
    "BUNDLED_SHA256",
    "TABLES",
    "current_run",
    "fit",
    "furniture_rules",
    "is_bundled_corpus",
    "k_selection",
    "latest_run_path",
    "lexicon_paths",
    "load_prepared",
    "make_figures",
    "make_report",
    "make_tokenizer",
    "model_settings",
    "open_run",
    "prepare",
    "prepared_corpus",
    "raw_hashes",
    "recommended_k",
    "run_id",
    "run_inputs",
    "save_run",
    "screened_themes",
    "themes_for",
    "tokenize_paragraphs",
    "training_documents",
    "write_prepared",
]


def make_figures(
    settings: Settings, out: Path | None = None, progress: bool = True, force: bool = False
) -> figures.FiguresReport:
    """Every figure from the raw data. The prepared corpus, K selection and run are each reused
    while their inputs are unchanged and built when missing or stale; the figures are redrawn
    unless their manifest records exactly those artefacts (or always, with ``force``).
    Returns what was rebuilt, reused and written (see :mod:`topics.figures`)."""
    out = (
        check_output(settings, "figures", Path(out), "--out")
        if out
        else settings.path(settings.paths.figures)
    )
    storage.check_writable(out)  # before the corpus, K selection or run are built
    corpus, new_corpus = prepared_or_rebuilt(settings, progress=progress)
    (selection, best_k), new_selection, run_saved = _k_selection(settings, progress=progress)
    run, new_run = _run(settings, model_settings(settings), progress)
    new_run = new_run or run_saved  # the K selection fitted and saved it
    made_from = {"prepared corpus": settings.path(settings.paths.processed),
                 "K selection": _k_selection_folder(settings), f"run {run.path.name}": run.path}  # fmt: skip
    hashes = {
        name: storage.file_sha256(path / storage.MANIFEST) for name, path in made_from.items()
    }
    inputs = {**run.manifest["inputs"], "run": run.path.name,
              "figures": settings.fingerprint("figures")}  # fmt: skip
    paths, drawn = figures.regenerate(corpus, run, selection, best_k, out, inputs, hashes,
                                      progress, force,
                                      prevalence_by=settings.figures.prevalence_by,
                                      k_by_hand=settings.model.k != "auto",
                                      documents=lambda: tokenize_paragraphs(settings, corpus, False))  # fmt: skip
    rebuilt = dict(zip(made_from, (new_corpus, new_selection, new_run), strict=True))
    return figures.FiguresReport(out, paths, drawn, run.path.name,
                         [name for name, new in rebuilt.items() if new],
                         [name for name, new in rebuilt.items() if not new])  # fmt: skip


def make_report(settings: Settings, out: Path | None = None, progress: bool = True) -> Path:
    """The run of the config as one offline page (``figures/report.html`` by default; see
    :mod:`topics.report`): the corpus and run are reused or built, the K selection shown when
    a current one is saved (`topics figures` or `select-k` make it), and every section is
    computed by the library's own functions."""
    from topics import report
    from topics.analysis.design import default_formula
    from topics.analysis.effects import estimate_effect
    from topics.analysis.passages import topic_words
    from topics.analysis.share import theme_prevalence
    from topics.analysis.words_by import words_by
    from topics.model.k_rule import explain
    from topics.plots.prevalence import prevalence_columns

    out = Path(out) if out else settings.path(settings.paths.figures) / "report.html"
    corpus = prepared_corpus(settings, progress)
    run = current_run(settings, progress)
    table = _current_selection(settings)
    columns = prevalence_columns(corpus.articles, settings.figures.prevalence_by)
    tokens = tokenize_paragraphs(settings, corpus, False) if columns else None
    topics = range(1, run.k + 1)
    data = report.ReportInputs(
        title=f"topics: run {run.path.name}",
        corpus=corpus,
        run=run,
        k_table=table,
        k_text=explain(table) if table is not None else "",
        passages={k: report.passages_with_provenance(run, corpus, k) for k in topics},
        highlight_words={k: topic_words(run, k) for k in topics},
        theme_shares={theme: theme_prevalence(run, theme) for theme in run.theme_topics()},
        effects={c: estimate_effect(run, corpus, default_formula(corpus.articles[c]))
                 for c in columns},
        words_by={c: words_by(run, corpus, tokens, c, progress=progress) for c in columns},
        similar=report.similar_articles(run),
    )  # fmt: skip
    return report.save_report(data, out)


def _current_selection(settings: Settings) -> pd.DataFrame | None:
    """The saved K-selection table of the config's grid, when current (None: not saved)."""
    ks = _grid(settings)
    if not ks:
        return None
    model = model_settings(settings, k=max(ks[0], 2))
    return _saved_table(settings, _selection_inputs(settings, model, ks,
                                                    settings.select_k.resamples)[0])  # fmt: skip


def model_settings(settings: Settings, **overrides) -> ModelSettings:
    """The ``[model]`` section of the config with ``overrides`` (None: keep), and k = "auto"
    resolved to the K that :func:`k_selection` recommends."""
    model = replace(settings.model, **{k: v for k, v in overrides.items() if v is not None})
    if model.k == "auto":
        model = replace(model, k=recommended_k(settings))
    return model


def screened_themes(settings: Settings, model: ModelSettings, documents) -> ThemeScreen:
    """The themes of ``model`` checked against the training ``documents``
    (:func:`topics.model.themes.screen_themes`): the ones the corpus can carry are seeded, each
    one skipped is named with the reason in a warning."""
    screen = screen_themes(themes_for(settings, model), documents, model.no_below)
    for check in screen.checks:
        if not check.seeded:
            warnings.warn(f"{screen.source}: {check.line()}", TopicsWarning, stacklevel=2)
    return screen


def run_id(model: ModelSettings, inputs: dict) -> str:
    return f"k{model.k}-seed{model.seed}-{digest(inputs, 8)}"


def _fitted_run(settings: Settings, model: ModelSettings, progress: bool) -> TopicRun:
    """Prepare (or reuse) the corpus, tokenize, fit LDA on non-duplicate paragraphs, measure
    each topic's stability under resampling (reused from the K selection when it holds this
    fit)."""
    corpus = prepared_corpus(settings, progress)
    tokenized = tokenize_paragraphs(settings, corpus, progress)
    train = training_documents(corpus, tokenized)
    screen = screened_themes(settings, model, train)
    fitted = fit_lda(train, model, screen.seeded, progress)
    quality = _saved_quality(settings, model)
    if quality is None:
        train_lists = training_documents(corpus, tokenized, as_lists=True)
        grid = settings.select_k
        quality = fit_quality(fitted, train_lists, grid.resamples, grid.draw_seed, grid.workers)
    return _build_run(settings, fitted, corpus, tokenized, quality, screen)


def _build_run(
    settings: Settings, fitted: FittedLda, corpus: PreparedCorpus,
    tokenized: TokenIds, quality: pd.DataFrame | None, screen: ThemeScreen,
) -> TopicRun:  # fmt: skip
    """The run of ``fitted`` (with per-topic ``quality`` and the themes ``screen`` it was
    seeded by), not yet saved."""
    model = fitted.settings
    inputs = run_inputs(settings, model)
    n_train = int(corpus.paragraphs["duplicate_of"].isna().sum())
    manifest = run_manifest(
        fitted,
        inputs,
        {"model": model.as_dict(), "tokenize": settings.tokenize.as_dict()},
        fitted.pruning,
        documents={"paragraphs": len(corpus.paragraphs), "trained_on": n_train},
        resamples=settings.select_k.resamples,
        themes=screen.as_dict(),
    )
    return build_run(fitted, corpus.paragraphs, corpus.articles, tokenized, manifest,
                     quality=quality, screen=screen)  # fmt: skip


def _run(
    settings: Settings, model: ModelSettings, progress: bool, force: bool = False,
    make: Callable[[], TopicRun] | None = None,
) -> tuple[TopicRun, bool]:  # fmt: skip
    """The run of ``model`` under ``<runs>/<run id>``, reused or made (by ``make``, default:
    fitted); it becomes the latest."""
    inputs = run_inputs(settings, model)
    make = make or (lambda: _fitted_run(settings, model, progress))
    runs_dir = settings.path(settings.paths.runs)
    folder = runs_dir / run_id(model, inputs)

    def build(tmp: Path) -> tuple[TopicRun, dict]:
        run = make()
        run.write(tmp)
        return run, run.manifest

    run, rebuilt = reuse_or_build(folder, inputs, build, lambda f, _: load_run(f), force=force)
    run.path = folder
    pointer = runs_dir / "latest"
    if not pointer.exists() or pointer.read_text(encoding="utf-8").strip() != folder.name:
        write_text(pointer, folder.name + "\n")
    return run, rebuilt


def fit(
    settings: Settings, model: ModelSettings | None = None, progress: bool = True,
    force: bool = False,
) -> TopicRun:  # fmt: skip
    """The run of ``model`` (default: the config's), saved; it becomes the latest run. A saved
    run of the same inputs (e.g. the one ``select-k`` saved) is used as it is unless ``force``,
    which fits again and replaces it."""
    return _run(settings, model or model_settings(settings), progress, force=force)[0]


def current_run(settings: Settings, progress: bool = True) -> TopicRun:
    """The run for the current config: reused when one with the same inputs exists, else fit."""
    return _run(settings, model_settings(settings), progress)[0]


def save_run(
    settings: Settings, fitted: FittedLda, corpus: PreparedCorpus,
    tokenized: TokenIds, quality: pd.DataFrame | None, screen: ThemeScreen,
) -> TopicRun:  # fmt: skip
    """Save the run of ``fitted`` (with per-topic ``quality``, seeded by ``screen``) under its
    id; it becomes the latest run."""

    def make() -> TopicRun:
        return _build_run(settings, fitted, corpus, tokenized, quality, screen)

    return _run(settings, fitted.settings, False, force=True, make=make)[0]


def _k_selection_folder(settings: Settings) -> Path:
    return settings.path(settings.paths.runs) / "k_selection"


def _grid(settings: Settings, ks: Iterable[int] | None = None) -> list[int]:
    return sorted(set(ks if ks is not None else settings.select_k.ks))


def _selection_inputs(settings: Settings, model: ModelSettings, ks: list[int], resamples: int):
    """What a K-selection table depends on: data, lexicons, themes, every model setting but k
    (the seed included: the full-data fits are the runs), the grid and the resamples."""
    fixed = {name: value for name, value in model.as_dict().items() if name != "k"}
    inputs = {**run_inputs(settings, replace(model, k=max(ks[0], 2))),
              "model_settings": digest(fixed), "draw_seed": settings.select_k.draw_seed,
              "ks": ks, "resamples": resamples, "table_format": TABLE_FORMAT}  # fmt: skip
    return inputs, fixed


def _saved_table(settings: Settings, inputs: dict) -> pd.DataFrame | None:
    """The saved K-selection table if its manifest records ``inputs``."""
    folder = _k_selection_folder(settings)
    if storage.current_manifest(folder, inputs) is None:
        return None
    try:
        return pd.read_parquet(folder / "k_selection.parquet")
    except (OSError, ValueError):
        return None


def _saved_quality(settings: Settings, model: ModelSettings) -> pd.DataFrame | None:
    """The per-topic quality of ``model`` from the saved K selection of the config's grid,
    when that table is current and holds ``model``'s K with every draw and its floor and
    ceiling (its full-data fit is this fit)."""
    ks = _grid(settings)
    if not ks or model.k not in ks:
        return None
    table = _saved_table(
        settings, _selection_inputs(settings, model, ks, settings.select_k.resamples)[0]
    )
    if table is None:
        return None
    rows = table[table["k"] == model.k]
    complete = (rows["draws"] >= settings.select_k.resamples).all()
    if not complete or rows["stability_floor"].isna().any():
        return None
    return rows[["topic", *QUALITY]].reset_index(drop=True)


def k_selection(
    settings: Settings, ks: Iterable[int] | None = None, resamples: int | None = None,
    progress: bool = True,
) -> tuple[pd.DataFrame, int]:  # fmt: skip
    """:func:`~topics.model.evaluate.measure_ks` on the project's non-duplicate paragraphs,
    tokens, model settings and themes, with the recommended K. The table is saved (Parquet,
    CSV, manifest) under ``<runs>/k_selection`` and reused while its inputs are unchanged.
    The full-data fit at the K the config uses (``k`` or, for ``"auto"``, the recommended K)
    is saved as that run, with its per-topic stability: ``topics fit`` need not fit again.
    """
    return _k_selection(settings, ks, resamples, progress)[0]


def _k_selection(
    settings: Settings, ks: Iterable[int] | None = None, resamples: int | None = None,
    progress: bool = True,
) -> tuple[tuple[pd.DataFrame, int], bool, bool]:  # fmt: skip
    """The K selection, whether it was built anew, and whether that saved the config's run."""
    ks = _grid(settings, ks)
    resamples = settings.select_k.resamples if resamples is None else int(resamples)
    if not ks or resamples < 0:
        raise ValueError("k_selection needs at least one k and resamples >= 0")
    model = model_settings(settings, k=max(ks[0], 2))  # select_k varies k
    inputs, fixed = _selection_inputs(settings, model, ks, resamples)
    made: dict = {}

    def build(tmp: Path) -> tuple[tuple[pd.DataFrame, int], dict]:
        made["corpus"] = corpus = prepared_corpus(settings)
        made["tokenized"] = tokenized = tokenize_paragraphs(settings, corpus, progress)
        tokens = training_documents(corpus, tokenized, as_lists=True)
        made["screen"] = screen = screened_themes(settings, model, tokens)
        grid = settings.select_k
        table, made["fits"] = measure_ks(tokens, model, screen.seeded, ks, resamples,
                                         progress=progress, workers=grid.workers,
                                         draw_seed=grid.draw_seed)  # fmt: skip
        if table.empty:
            raise input_error(
                settings.source or None,
                f"none of K = {ks} can be fitted to {sum(map(bool, tokens))} non-empty documents",
                "add documents, or list smaller K under [select_k] ks",
            )
        best = recommend_k(table)
        table.to_parquet(tmp / "k_selection.parquet", index=False)
        table.to_csv(tmp / "k_selection.csv", index=False, encoding="utf-8-sig")
        manifest = build_manifest(
            "k-selection", inputs,
            {"model": fixed, "ks": ks, "resamples": resamples, "draw_seed": grid.draw_seed},
            documents=len(tokens), recommended_k=best,
        )  # fmt: skip
        return (table, best), manifest

    def load(folder: Path, _: dict) -> tuple[pd.DataFrame, int]:
        table = pd.read_parquet(folder / "k_selection.parquet")
        return table, recommend_k(table)

    (table, best), rebuilt = reuse_or_build(_k_selection_folder(settings), inputs, build, load)
    used = best if settings.model.k == "auto" else settings.model.k
    fits = made.get("fits", {})
    saved = used in fits and resamples == settings.select_k.resamples and ks == _grid(settings)
    if saved:
        quality = _saved_quality(settings, fits[used].settings)
        if quality is None:  # a K set by hand that the rule did not need measured fully
            train = training_documents(made["corpus"], made["tokenized"], as_lists=True)
            grid = settings.select_k
            quality = fit_quality(fits[used], train, grid.resamples, grid.draw_seed, grid.workers)
        save_run(settings, fits[used], made["corpus"], made["tokenized"], quality, made["screen"])
    return (table, best), rebuilt, saved


def recommended_k(settings: Settings) -> int:
    """The K that :func:`k_selection` recommends (from the saved table when current)."""
    return k_selection(settings, progress=False)[1]
