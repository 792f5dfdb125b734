"""Draw every figure of a project from its prepared corpus, K-selection table and run.

Each figure is one function in :mod:`topics.plots`; this module only lists them, saves them
(PNG at 200 dpi, SVG beside the ones that go into papers) and records in
``figures/MANIFEST.json`` which inputs and run each file came from.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd
from tqdm.auto import tqdm

from topics.corpus.prepare import PreparedCorpus
from topics.model.runs import TopicRun
from topics.storage import build_manifest, file_sha256, write_json

#: Figures saved as SVG too (vector copies for publication): names starting with these.
VECTOR = ("topic_terms", "article_topics", "theme_prevalence", "prevalence_by_")


def figure_jobs(
    corpus: PreparedCorpus,
    run: TopicRun,
    selection: pd.DataFrame,
    best_k: int,
    prevalence_by: Sequence[str] | None = None,
    k_by_hand: bool = False,
) -> dict[str, Callable]:
    """Name → a function drawing that figure. Imports stay inside: plotting is slow to load.
    ``k_by_hand``: the run's K was set in the config, not chosen by the rule ("auto")."""
    from topics.analysis.share import theme_prevalence
    from topics.plots.article_similarity import plot_article_similarity
    from topics.plots.article_topics import plot_article_topics
    from topics.plots.corpus_overview import plot_corpus_overview
    from topics.plots.intertopic_map import plot_intertopic_map
    from topics.plots.k_selection import plot_k_selection
    from topics.plots.prevalence import prevalence_jobs
    from topics.plots.theme_prevalence import plot_theme_prevalence, theme_annotations
    from topics.plots.topic_terms import plot_topic_terms

    def themes():
        tables = {theme: theme_prevalence(run, theme) for theme in run.theme_topics()}
        return plot_theme_prevalence(tables, **theme_annotations(run))

    jobs = {
        "corpus_overview": lambda: plot_corpus_overview(corpus.articles, corpus.paragraphs),
        "k_selection": lambda: plot_k_selection(selection, best_k, run.k, k_by_hand),
        "topic_terms": lambda: plot_topic_terms(run),
        "article_topics": lambda: plot_article_topics(run, metadata=corpus.articles),
        "article_similarity": lambda: plot_article_similarity(run, metadata=corpus.articles),
        "intertopic_map": lambda: plot_intertopic_map(run),
    }
    if run.theme_topics():
        jobs["theme_prevalence"] = themes
    return {**jobs, **prevalence_jobs(run, corpus, prevalence_by)}


#: Outputs in the order they are handed to the workers: slowest first (measured: topic_terms
#: 2.5 s with its SVG, ldavis.html, article_topics and theme_prevalence 1.1-1.2 s, the rest
#: under 1 s), so two workers finish at about the same time.
DRAW_ORDER = ("topic_terms", "ldavis", "article_topics", "theme_prevalence",
              "article_similarity", "k_selection", "corpus_overview", "intertopic_map")  # fmt: skip


def figures_current(out: Path, inputs: dict) -> list[Path] | None:
    """The figures in ``out`` if its manifest was made from ``inputs`` and every file listed
    is still there, byte for byte; else None (they must be drawn)."""
    try:
        manifest = json.loads((out / "MANIFEST.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if manifest.get("inputs") != inputs or not manifest.get("figures"):
        return None
    paths = [out / name for name in manifest["figures"]]
    for path in paths:
        if not path.exists() or file_sha256(path) != manifest["figures"][path.name]["sha256"]:
            return None
    return paths


# Figure jobs and run of the current draw_all call; forked worker processes inherit them.
_JOBS: tuple[dict[str, Callable], TopicRun, Path] | None = None


def _draw_and_save(name: str) -> list[Path]:
    """Draw one figure of ``_JOBS`` and save it (PNG, plus SVG for the vector ones), or write
    the LDAvis page for ``"ldavis"``."""
    from topics.plots.style import save_figure

    jobs, run, out = _JOBS
    if name == "ldavis":
        from topics.plots.ldavis import prepare_ldavis, save_ldavis_html

        title = f"LDAvis: {run.path.name if run.path else 'run'}"
        return [save_ldavis_html(prepare_ldavis(run), out / "ldavis.html", title, run.topics)]
    formats = ("png", "svg") if name.startswith(VECTOR) else ("png",)
    return save_figure(jobs[name](), out / f"{name}.png", formats)


def _pool(workers: int):
    """A forked process pool (workers inherit the figure jobs), or None where fork is missing."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return None
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))


def draw_all(
    corpus: PreparedCorpus,
    run: TopicRun,
    selection: pd.DataFrame,
    best_k: int,
    out: Path,
    inputs: dict,
    progress: bool = True,
    workers: int = 2,
    prevalence_by: Sequence[str] | None = None,
    k_by_hand: bool = False,
) -> list[Path]:
    """Save every figure and the LDAvis page into ``out``; write ``out/MANIFEST.json``.

    Figures are drawn in ``workers`` processes, slowest first; each is deterministic, so the
    files are the same bytes however many draw them and in whatever order.
    """
    global _JOBS
    _JOBS = (figure_jobs(corpus, run, selection, best_k, prevalence_by, k_by_hand), run, out)
    rank = {name: i for i, name in enumerate(DRAW_ORDER)}
    names = sorted([*_JOBS[0], "ldavis"], key=lambda n: rank.get(n, len(rank)))
    pool = _pool(workers)
    try:
        results = pool.map(_draw_and_save, names) if pool else map(_draw_and_save, names)
        bar = tqdm(results, total=len(names), desc="figures", disable=not progress)
        written = [path for paths in bar for path in paths]
    finally:
        if pool:
            pool.shutdown()
        _JOBS = None
    records = {
        path.name: {
            "sha256": file_sha256(path),
            "run": run.path.name if run.path else None,
            "recommended_k": best_k,
        }
        for path in written
    }
    settings = {"k": run.k, "seed": run.settings.seed, "themes": list(run.settings.themes)}
    write_json(out / "MANIFEST.json", build_manifest("figures", inputs, settings, figures=records))
    return written
