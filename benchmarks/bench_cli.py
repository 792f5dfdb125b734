"""Benchmark: the commands that read a run (`show`, `similar`, `compare`, `passages`, a mistyped
id) against the bare import of what reading Parquet tables needs,
``python -c "import pandas, pyarrow.parquet"``.

Each command and the baseline run in turn (A B A B …, as ``farm-bench --vs`` does) and the
ratio is taken pair by pair, so a machine whose speed drifts still gives a fair ratio; the
median of the ratios is printed with its spread. Target: each ratio at most 2.5 (wall time),
which holds only while these commands load neither gensim nor jieba nor matplotlib
(``tests/test_imports.py`` checks the imports themselves). The run is fitted once in a
temporary copy of the project (``--corpus long`` reads ~50 long reports, built by
``benchmarks/corpora.py``).

    .venv/bin/python benchmarks/bench_cli.py [--repeat 7] [--corpus bundled|long]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from corpora import long_reports, project_copy  # noqa: E402

TARGET = 2.5
BIN = Path(sys.executable).parent
BASELINE = [sys.executable, "-c", "import pandas, pyarrow.parquet"]


def commands(config: Path, article_a: str, article_b: str) -> dict[str, list[str]]:
    topics = [str(BIN / "topics")]
    where = ["--config", str(config)]
    return {
        "show": [*topics, "show", *where],
        "similar": [*topics, "similar", article_a, *where],
        "compare": [*topics, "compare", article_a, article_b, *where],
        "passages": [*topics, "passages", "--topic", "T1", *where],
        "similar, unknown id": [*topics, "similar", "999#9", *where],
    }


def timed(command: list[str]) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one run of ``command``."""
    before = os.times()
    started = time.perf_counter()
    subprocess.run(command, capture_output=True, check=False)
    wall = time.perf_counter() - started
    after = os.times()
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    return wall, cpu


def alternate(command: list[str], repeat: int) -> tuple[list[float], list[float], list[float]]:
    """``repeat`` pairs of (command, baseline) after one warm-up pair: the command's wall times
    and the pairwise wall and CPU ratios."""
    timed(command), timed(BASELINE)
    walls, wall_ratios, cpu_ratios = [], [], []
    for _ in range(repeat):
        wall_a, cpu_a = timed(command)
        wall_b, cpu_b = timed(BASELINE)
        walls.append(wall_a)
        wall_ratios.append(wall_a / wall_b)
        cpu_ratios.append(cpu_a / cpu_b)
    return walls, wall_ratios, cpu_ratios


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--corpus", choices=("bundled", "long"), default="bundled")
    args = parser.parse_args()
    root = project_copy(long_reports() if args.corpus == "long" else None)
    config = root / "topics.toml"
    subprocess.run([str(BIN / "topics"), "fit", "-q", "--config", str(config)], check=True,
                   capture_output=True)  # fmt: skip
    from topics.config import Settings
    from topics.saved import open_run

    articles = open_run(Settings.load(config)).articles["article_id"].tolist()
    baseline = statistics.median(timed(BASELINE)[0] for _ in range(3))
    print(f"corpus: {args.corpus}, {len(articles)} articles; {args.repeat} alternated pairs")
    print(f"baseline `import pandas, pyarrow.parquet`: {baseline:.2f} s")
    print(f"{'command':<22}{'median s':>9}{'wall ratio':>12}{'(min-max)':>12}{'cpu ratio':>11}")
    worst = 0.0
    for name, command in commands(config, articles[0], articles[-1]).items():
        walls, ratios, cpu = alternate(command, args.repeat)
        ratio = statistics.median(ratios)
        worst = max(worst, ratio)
        spread = f"{min(ratios):.2f}-{max(ratios):.2f}"
        print(f"{name:<22}{statistics.median(walls):>9.2f}{ratio:>12.2f}{spread:>12}"
              f"{statistics.median(cpu):>11.2f}")  # fmt: skip
    verdict = "meets" if worst <= TARGET else "MISSES"
    print(f"worst median wall ratio {worst:.2f}: {verdict} the target of {TARGET}")


if __name__ == "__main__":
    main()
