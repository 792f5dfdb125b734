"""Benchmark: `topics figures` cold (no caches) and warm, and where the cold time goes.

A temporary copy of the project (raw pages, lexicons, themes, config) is made for each cold
run, so nothing cached in the repository is used. Targets on a 2-core machine: cold under
20 s, warm under 5 s.

    .venv/bin/python benchmarks/bench_figures.py [--repeat 2]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"cold": 20.0, "warm": 5.0}
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


def project_copy() -> Path:
    """A fresh temporary project with the repository's data and config."""
    root = Path(tempfile.mkdtemp(prefix="topics-bench-"))
    shutil.copytree(ROOT / "data" / "raw", root / "data" / "raw")
    shutil.copytree(ROOT / "data" / "lexicons", root / "data" / "lexicons")
    for name in ("themes.toml", "furniture.toml"):
        shutil.copy(ROOT / "data" / name, root / "data" / name)
    shutil.copy(ROOT / "topics.toml", root / "topics.toml")
    return root


def timed(command: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="cold/warm pairs to time")
    args = parser.parse_args()
    topics = str(Path(sys.executable).with_name("topics"))
    results = {"cold": [], "warm": []}
    for _ in range(args.repeat):
        root = project_copy()
        command = [topics, "figures", "-q", "--config", str(root / "topics.toml")]
        results["cold"].append(timed(command))
        results["warm"].append(timed(command))
        shutil.rmtree(root)
    print("topics figures on the bundled corpus (seconds, wall clock)")
    for name, times in results.items():
        best = min(times)
        verdict = "meets" if best < TARGETS[name] else "MISSES"
        print(f"  {name:5s} {best:6.1f}   target < {TARGETS[name]:.0f} s: {verdict}")
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
