"""Benchmark: the K the rule (topics.model.k_rule.recommend) picks, and why, on several corpora.

- ``bundled``: the project's corpus and config (208 paragraphs, 3 seeded themes);
- ``planted``: paragraphs drawn from 6 disjoint blocks of 30 words with a shared background
  (topics.model.synthetic.planted_corpus): the answer is K = 6;
- ``noise``: the planted corpus's tokens shuffled across paragraphs: no K should qualify;
- ``long``: ~50 long reports, one per year (benchmarks/corpora.py), with the project's
  config and themes.

For each: the per-K summary (stability under resampling with its standard error over draws,
floor, ceiling and threshold where the rule needed them, stable topics, coherence, diversity,
perplexity, themes formed, whether K qualifies), the rule's answer with its reason, and its
notes. The 100 MB synthetic corpus is left out: one fit there takes ~2.5 minutes
(bench_scale.py), so even the coarse pass (5 K × 3 fits) would take about 20 minutes.

    .venv/bin/python benchmarks/bench_k_rule.py [--only bundled planted noise long]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from corpora import long_reports, project_copy  # noqa: E402

COLUMNS = ["stability", "stability_se", "draws", "stability_floor", "stability_ceiling",
           "threshold", "stable_topics", "topics", "c_npmi", "diversity", "perplexity",
           "perplexity_unigram", "themes_formed", "qualifies"]  # fmt: skip
PLANTED = 6


def report(name: str, table: pd.DataFrame, seconds: float) -> None:
    from topics.model.k_rule import k_summary, recommend

    choice = recommend(table)
    print(f"\n== {name} ({seconds:.0f} s) ==")
    with pd.option_context("display.width", 160):
        print(k_summary(table).reindex(columns=COLUMNS).round(3).to_string())
    print(choice.reason)
    for note in choice.notes():
        print(f"  note: {note}")


def on_project(raw: Path | None) -> pd.DataFrame:
    from topics import pipeline
    from topics.config import Settings

    root = project_copy(raw)
    try:
        settings = Settings.load(root / "topics.toml")
        return pipeline.k_selection(settings, progress=False)[0]
    finally:
        shutil.rmtree(root)


def on_tokens(docs: list[list[str]]) -> pd.DataFrame:
    from topics.model.evaluate import select_k
    from topics.model.lda import ModelSettings

    return select_k(docs, ModelSettings(), ks=range(2, 11), progress=False)


def main() -> None:
    from topics.model.synthetic import planted_corpus, shuffled_corpus

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", default=["bundled", "planted", "noise", "long"])
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    planted = planted_corpus(PLANTED, n_docs=300, words_per_topic=30, seed=1)
    cases = {
        "bundled": ("bundled corpus, project config", lambda: on_project(None)),
        "planted": (f"{PLANTED} planted topics, 300 paragraphs", lambda: on_tokens(planted)),
        "noise": ("the planted tokens shuffled: no topics", lambda: on_tokens(
            shuffled_corpus(planted, seed=1))),
        "long": ("~50 long reports, project config", None),
    }  # fmt: skip
    for key in args.only:
        name, make = cases[key]
        if key == "long":
            folder = Path(tempfile.mkdtemp(prefix="topics-long-")) / "raw"
            name += f" {long_reports(folder)}"
            make = lambda folder=folder: on_project(folder)  # noqa: E731
        started = time.perf_counter()
        table = make()
        report(name, table, time.perf_counter() - started)


if __name__ == "__main__":
    main()
