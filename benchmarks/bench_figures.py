"""Benchmark: `topics figures` cold (no caches) and warm, its cost against one `topics fit`
of the final model, and where the cold time goes.

A temporary copy of the project (raw pages, lexicons, themes, config) is made for each cold
run, so nothing cached in the repository is used. In the same copy, right after, `topics fit --force`
fits the final model once more (the K selection is then current). Targets on a 2-core
machine: cold under 20 s, warm under 5 s, cold / fit at most 8× on the bundled corpus and on
~50 long reports (``--corpus long``, built by ``benchmarks/corpora.py``), the larger corpus
costing no more, as a ratio, than the smaller.

    .venv/bin/python benchmarks/bench_figures.py [--repeat 2] [--corpus both]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from corpora import long_reports, project_copy  # noqa: E402

TARGETS = {"cold": 20.0, "warm": 5.0, "ratio": 8.0}
STEPS = """
import time, sys
t = time.perf_counter()
def lap(name):
    global t
    now = time.perf_counter(); print(f"{name}\\t{now - t:.2f}", flush=True); t = now
from topics.config import Settings
from topics import pipeline
from topics.model import evaluate
lap("import topics (pandas, gensim, jieba, sklearn)")
s = Settings.load(sys.argv[1])
corpus = pipeline.prepared_corpus(s); lap("prepare the corpus")
tok = pipeline.make_tokenizer(s); _ = tok.jieba; lap("load the jieba dictionary")
pipeline.tokenize_paragraphs(s, corpus, progress=False); lap("tokenize")
table, best = pipeline.k_selection(s, progress=False); lap("select K (all fits)")
run = pipeline.current_run(s, progress=False); lap("fit the run")
from topics.figures import draw_all
lap("import plotting")
draw_all(corpus, run, table, best, s.path(s.paths.figures), progress=False)
lap("draw and save figures")
"""


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - started


def fit_seconds(root: Path) -> float:
    """The LDA fit time recorded in the latest run's manifest."""
    runs = root / "data" / "runs"
    latest = (runs / "latest").read_text(encoding="utf-8").strip()
    return json.loads((runs / latest / "manifest.json").read_text())["timings"]["fit_seconds"]


def cost_ratio(topics: str, raw: Path | None, repeat: int) -> dict[str, float]:
    """Cold and warm `topics figures`, then `topics fit` (the final model) in the same copy."""
    times = {"cold": [], "warm": [], "fit": [], "lda": []}
    for _ in range(repeat):
        root = project_copy(raw)
        config = ["--config", str(root / "topics.toml")]
        times["cold"].append(timed([topics, "figures", "-q", *config]))
        times["warm"].append(timed([topics, "figures", "-q", *config]))
        times["fit"].append(timed([topics, "fit", "-q", "--force", *config]))
        times["lda"].append(fit_seconds(root))
        table = root / "data" / "runs" / "k_selection" / "k_selection.parquet"
        shutil.copy(
            table,
            Path(tempfile.gettempdir()) / f"k_selection_{raw.name if raw else 'bundled'}.parquet",
        )
        shutil.rmtree(root)
    return {name: min(values) for name, values in times.items()}


def report_k_rule(name: str, raw: Path | None) -> None:
    """The K selection the cold run made: the rule's summary and recommendation."""
    import pandas as pd

    from topics.model.k_rule import k_summary, recommend

    table = pd.read_parquet(
        Path(tempfile.gettempdir()) / f"k_selection_{raw.name if raw else 'bundled'}.parquet"
    )
    columns = ["stability", "stability_se", "draws", "stability_floor", "stability_ceiling",
               "stable_topics", "topics", "diversity", "perplexity", "perplexity_unigram",
               "themes_formed", "qualifies"]  # fmt: skip
    with pd.option_context("display.width", 160):
        print(k_summary(table)[columns].round(3).to_string())
    choice = recommend(table)
    print(f"  {choice.reason}")
    for note in choice.notes():
        print(f"  note: {note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="cold/warm/fit rounds to time")
    parser.add_argument("--corpus", choices=("bundled", "long", "both"), default="bundled")
    args = parser.parse_args()
    topics = str(Path(sys.executable).with_name("topics"))
    corpora = {"bundled": None}
    if args.corpus != "bundled":
        folder = Path(tempfile.mkdtemp(prefix="topics-long-")) / "raw"
        print("long reports:", long_reports(folder))
        corpora = {"long": folder} if args.corpus == "long" else {**corpora, "long": folder}
    ratios = {}
    for name, raw in corpora.items():
        best = cost_ratio(topics, raw, args.repeat)
        ratios[name] = best["cold"] / best["fit"]
        print(f"topics figures on the {name} corpus (seconds, wall clock, best of {args.repeat})")
        for step in ("cold", "warm"):
            verdict = "meets" if best[step] < TARGETS[step] else "MISSES"
            note = f"   target < {TARGETS[step]:.0f} s: {verdict}" if name == "bundled" else ""
            print(f"  {step:5s} {best[step]:6.1f}{note}")
        print(f"  one `topics fit` of the final model {best['fit']:6.1f} (LDA {best['lda']:.1f})")
        verdict = "meets" if ratios[name] <= TARGETS["ratio"] else "MISSES"
        print(f"  cold figures / fit {ratios[name]:5.1f}x   (cold / LDA alone "
              f"{best['cold'] / best['lda']:.1f}x)   target <= {TARGETS['ratio']:g}x: {verdict}")  # fmt: skip
        report_k_rule(name, raw)
    if len(ratios) == 2:
        verdict = "meets" if ratios["long"] <= ratios["bundled"] else "MISSES"
        print(f"the larger corpus costs no more as a ratio: {verdict}")
    if "bundled" not in corpora:
        return
    root = project_copy()
    print("\nwhere the cold time goes (one process, steps in order):")
    out = subprocess.run(
        [sys.executable, "-c", STEPS, str(root / "topics.toml")],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    for line in out.stdout.splitlines():
        step, seconds = line.split("\t")
        print(f"  {float(seconds):6.2f}  {step}")
    shutil.rmtree(root)


if __name__ == "__main__":
    main()
