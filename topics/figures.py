"""Draw every figure of a project from its prepared corpus, K-selection table and run.

Each figure is one function in :mod:`topics.plots`; this module only lists them, saves them
(PNG at 200 dpi, SVG beside the ones that go into papers) and records in
``figures/MANIFEST.json`` which inputs and run each file came from.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
from tqdm.auto import tqdm

from topics.corpus import PreparedCorpus
from topics.runs import TopicRun
from topics.storage import build_manifest, file_sha256, write_json

#: Figures saved as SVG too (vector copies for publication).
VECTOR = ("topic_terms", "article_topics", "theme_prevalence")


def figure_jobs(
    corpus: PreparedCorpus, run: TopicRun, selection: pd.DataFrame, best_k: int
) -> dict[str, Callable]:
    """Name → a function drawing that figure. Imports stay inside: plotting is slow to load."""
    from topics.compare import theme_prevalence
    from topics.plots.article_similarity import plot_article_similarity
    from topics.plots.article_topics import plot_article_topics
    from topics.plots.corpus_overview import plot_corpus_overview
    from topics.plots.intertopic_map import plot_intertopic_map
    from topics.plots.k_selection import plot_k_selection
    from topics.plots.theme_prevalence import plot_theme_prevalence, theme_annotations
    from topics.plots.topic_terms import plot_topic_terms

    def themes():
        tables = {theme: theme_prevalence(run, theme) for theme in run.theme_topics()}
        return plot_theme_prevalence(tables, **theme_annotations(run))

    jobs = {
        "corpus_overview": lambda: plot_corpus_overview(corpus.articles, corpus.paragraphs),
        "k_selection": lambda: plot_k_selection(selection, best_k),
        "topic_terms": lambda: plot_topic_terms(run),
        "article_topics": lambda: plot_article_topics(run),
        "article_similarity": lambda: plot_article_similarity(run),
        "intertopic_map": lambda: plot_intertopic_map(run),
    }
    if run.theme_topics():
        jobs["theme_prevalence"] = themes
    return jobs


def draw_all(
    corpus: PreparedCorpus,
    run: TopicRun,
    selection: pd.DataFrame,
    best_k: int,
    out: Path,
    inputs: dict,
    progress: bool = True,
) -> list[Path]:
    """Save every figure and the LDAvis page into ``out``; write ``out/MANIFEST.json``."""
    from topics.ldavis import prepare_ldavis, save_ldavis_html
    from topics.plots.style import save_figure

    jobs = figure_jobs(corpus, run, selection, best_k)
    written: list[Path] = []
    for name, draw in tqdm(jobs.items(), desc="figures", disable=not progress):
        formats = ("png", "svg") if name in VECTOR else ("png",)
        written.extend(save_figure(draw(), out / f"{name}.png", formats))
    title = f"LDAvis: {run.path.name if run.path else 'run'}"
    written.append(save_ldavis_html(prepare_ldavis(run), out / "ldavis.html", title, run.topics))
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
