"""Draw every figure of a project from its prepared corpus, K-selection table and run.

Each figure is one function in :mod:`topics.plots`; this module only lists them, saves them
(PNG at 200 dpi, SVG beside the ones that go into papers) and records in
``figures/MANIFEST.json`` which inputs, settings, library versions and run each file came
from. That manifest is committed with the figures, so it holds only what a fresh clone
reproduces byte for byte: the time, the command, the Python version and the hashes of the local
prepared corpus, K selection and run the figures were drawn from go to ``MANIFEST.local.json``
beside it (ignored by git). Figures are drawn again unless both records match and every file
is intact, so a fresh clone, which builds its own corpus and run, draws them again.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from tqdm.auto import tqdm

from topics.corpus.prepare import PreparedCorpus
from topics.model.runs import TopicRun
from topics.storage import (
    Outdated,
    build_manifest,
    file_sha256,
    read_manifest,
    reuse_or_build,
    write_json,
)
from topics.text.token_ids import TokenIds

#: Figures saved as SVG too (vector copies for publication): names starting with these.
VECTOR = ("topic_terms", "article_topics", "theme_prevalence", "prevalence_by_", "topic_words_by_")
MANIFEST = "MANIFEST.json"
#: What differs from machine to machine or from run to run: kept out of the committed manifest.
LOCAL_MANIFEST = "MANIFEST.local.json"
LOCAL_FIELDS = ("created", "command")


def figure_jobs(
    corpus: PreparedCorpus,
    run: TopicRun,
    selection: pd.DataFrame,
    best_k: int,
    prevalence_by: Sequence[str] | None = None,
    k_by_hand: bool = False,
    documents: Callable[[], TokenIds] | None = None,
) -> dict[str, Callable]:
    """Name → a function drawing that figure. Imports stay inside: plotting is slow to load.
    ``k_by_hand``: the run's K was set in the config, not chosen by the rule ("auto").
    ``documents``: gives the paragraphs' token ids, for the words-by figures (None: none)."""
    from topics.analysis.share import theme_prevalence
    from topics.plots.article_similarity import plot_article_similarity
    from topics.plots.article_topics import plot_article_topics
    from topics.plots.corpus_overview import plot_corpus_overview
    from topics.plots.intertopic_map import plot_intertopic_map
    from topics.plots.k_selection import plot_k_selection
    from topics.plots.prevalence import prevalence_jobs
    from topics.plots.theme_prevalence import plot_theme_prevalence, theme_annotations
    from topics.plots.topic_terms import plot_topic_terms
    from topics.plots.topic_words import topic_words_jobs

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
    words = topic_words_jobs(run, corpus, documents, prevalence_by) if documents else {}
    return {**jobs, **prevalence_jobs(run, corpus, prevalence_by), **words}


#: Outputs in the order they are handed to the workers: slowest first (measured: topic_terms
#: 2.5 s with its SVG, ldavis.html, article_topics and theme_prevalence 1.1-1.2 s, the rest
#: under 1 s), so two workers finish at about the same time.
DRAW_ORDER = ("topic_terms", "ldavis", "article_topics", "theme_prevalence",
              "article_similarity", "k_selection", "corpus_overview", "intertopic_map")  # fmt: skip


def draw_order(names: list[str]) -> list[str]:
    """``names`` in ``DRAW_ORDER``; figures not listed there (new ones) come last."""
    rank = {name: i for i, name in enumerate(DRAW_ORDER)}
    return sorted(names, key=lambda name: rank.get(name, len(rank)))


def intact_figures(out: Path, manifest: dict) -> list[Path]:
    """The files ``manifest`` lists in ``out``; raises :class:`Outdated` unless every one is
    still there, byte for byte."""
    records = manifest.get("figures")
    if not isinstance(records, dict) or not records:
        raise Outdated(f"{out}: no figures recorded")
    paths = [out / name for name in records]
    for path in paths:
        if not path.exists() or file_sha256(path) != records[path.name].get("sha256"):
            raise Outdated(f"{path}: changed since it was drawn")
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
    progress: bool = True,
    workers: int = 2,
    prevalence_by: Sequence[str] | None = None,
    k_by_hand: bool = False,
    documents: Callable[[], TokenIds] | None = None,
) -> list[Path]:
    """Save every figure and the LDAvis page into ``out``; returns the files.

    Figures are drawn in ``workers`` processes, slowest first; each is deterministic, so the
    files are the same bytes however many draw them and in whatever order.
    """
    global _JOBS
    jobs = figure_jobs(corpus, run, selection, best_k, prevalence_by, k_by_hand, documents)
    _JOBS = (jobs, run, out)
    names = draw_order([*_JOBS[0], "ldavis"])
    pool = _pool(workers)
    try:
        results = pool.map(_draw_and_save, names) if pool else map(_draw_and_save, names)
        bar = tqdm(results, total=len(names), desc="figures", disable=not progress)
        return [path for paths in bar for path in paths]
    finally:
        if pool:
            pool.shutdown()
        _JOBS = None


def regenerate(
    corpus: PreparedCorpus,
    run: TopicRun,
    selection: pd.DataFrame,
    best_k: int,
    out: Path,
    inputs: dict,
    made_from: dict[str, str] | None = None,
    progress: bool = True,
    force: bool = False,
    prevalence_by: Sequence[str] | None = None,
    k_by_hand: bool = False,
    documents: Callable[[], TokenIds] | None = None,
) -> tuple[list[Path], bool]:
    """The figures in ``out``: reused when ``out/MANIFEST.json`` records ``inputs``, the local
    record ``out/MANIFEST.local.json`` records ``made_from`` (name → hash of each artefact the
    figures are drawn from) and every file is intact, else drawn (always with ``force``).
    Returns the files and whether they were drawn."""
    made_from = made_from or {}

    def load(folder: Path, manifest: dict) -> list[Path]:
        local = read_manifest(folder, LOCAL_MANIFEST)
        if local is None or local.get("made_from") != made_from:
            raise Outdated(f"{folder}: drawn from other artefacts than these")
        return intact_figures(folder, manifest)

    def build(folder: Path) -> tuple[list[Path], dict]:
        written = draw_all(corpus, run, selection, best_k, folder, progress,
                           prevalence_by=prevalence_by, k_by_hand=k_by_hand,
                           documents=documents)  # fmt: skip
        records = {
            path.name: {"sha256": file_sha256(path), "run": run.path.name, "recommended_k": best_k}
            for path in written
        }
        settings = {"k": run.k, "seed": run.settings.seed, "themes": list(run.settings.themes)}
        manifest = build_manifest("figures", inputs, settings, figures=records)
        local = {name: manifest.pop(name) for name in LOCAL_FIELDS}
        local["python"] = manifest["versions"].pop("python")
        write_json(folder / LOCAL_MANIFEST, {**local, "made_from": made_from})
        return written, manifest

    return reuse_or_build(out, inputs, build, load, force=force, manifest=MANIFEST, swap=False)


@dataclass
class FiguresReport:
    """What ``topics figures`` did: the artefacts it rebuilt and reused, the files it wrote."""

    folder: Path
    paths: list[Path]
    drawn: bool
    run: str
    rebuilt: list[str]
    reused: list[str]

    def lines(self) -> list[str]:
        """The report as the CLI prints it."""
        done = [("rebuilt", self.rebuilt), ("reused", self.reused)]
        lines = [f"{verb}: {', '.join(names)}" for verb, names in done if names]
        if self.drawn:
            lines += [f"wrote {path}" for path in self.paths]
        state = "drew" if self.drawn else "up to date:"
        return [*lines, f"{state} {len(self.paths)} figures (run {self.run}) in {self.folder}"]
