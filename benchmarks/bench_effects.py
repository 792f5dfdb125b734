"""Benchmark: `topics effect` on a large corpus — posterior draws, regressions and the table.

Synthetic γ for 5,000 articles of 8 paragraphs each (40,000 paragraphs) × 20 topics, a year
and a place per article, formula ``~ bs(year, df=4) + C(place)``. Target on 2 cores: 100 draws
in under 30 s. Side by side on the same draws: the vectorised fit (one solve per draw, all
topics at once) against a statsmodels OLS fit per topic and draw, the loop it replaces.

    .venv/bin/python benchmarks/bench_effects.py [--articles 5000 --topics 20 --draws 100]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

from topics.analysis.design import Design
from topics.analysis.effects import (
    composition_samples,
    draw_shares,
    effect_table,
    unit_matrix,
)

TARGET_SECONDS = 30.0
PARAGRAPHS_PER_ARTICLE = 8
LOOP_DRAWS = 5  # draws timed with the per-topic statsmodels loop (it is slow)


def synthetic(articles: int, k: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    n = articles * PARAGRAPHS_PER_ARTICLE
    gamma = rng.gamma(0.5, 1.0, (n, k)) + rng.integers(5, 60, n)[:, None] / k
    groups = np.repeat(np.arange(articles), PARAGRAPHS_PER_ARTICLE)
    tokens = rng.integers(5, 80, n).astype(float)
    data = pd.DataFrame({"year": rng.integers(1990, 2021, articles),
                         "place": rng.choice(["湖北", "湖南", "四川", "江西", "河南"], articles)})  # fmt: skip
    return gamma, groups, tokens, data


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--topics", type=int, default=20)
    parser.add_argument("--draws", type=int, default=100)
    args = parser.parse_args()
    gamma, groups, tokens, data = synthetic(args.articles, args.topics)
    topics = pd.DataFrame({"name": [f"T{i + 1}" for i in range(args.topics)], "theme": "",
                           "label": ""})  # fmt: skip

    start, cpu = time.perf_counter(), time.process_time()
    _, mixing = unit_matrix(groups, tokens)
    design = Design.build("~ bs(year, df=4) + C(place)", data)
    samples = composition_samples(gamma, design.X, args.draws, 0, mixing)
    table = effect_table(samples, design, topics)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"{args.articles} articles ({len(gamma)} paragraphs) × {args.topics} topics, "
          f"{design.X.shape[1]} coefficients, {args.draws} draws: {seconds:.2f} s, "
          f"{args.draws / seconds:.1f} draws/s, CPU {cpu:.2f} s, {len(table)} table rows "
          f"(target < {TARGET_SECONDS:.0f} s: {'met' if seconds < TARGET_SECONDS else 'NOT met'})")  # fmt: skip

    import statsmodels.api as sm

    draws = list(draw_shares(gamma, LOOP_DRAWS, 1, mixing))
    start = time.perf_counter()
    composition_samples(gamma, design.X, LOOP_DRAWS, 1, mixing)
    vectorised = time.perf_counter() - start
    start = time.perf_counter()
    for shares in draws:
        for k in range(args.topics):
            fit = sm.OLS(shares[:, k], design.X).fit()
            np.random.default_rng(k).multivariate_normal(fit.params, fit.cov_params(), 20)
    loop = time.perf_counter() - start
    print(
        f"{LOOP_DRAWS} draws side by side: vectorised {vectorised:.2f} s (draws included), "
        f"statsmodels per topic {loop:.2f} s (draws excluded): {loop / vectorised:.1f}× slower"
    )


if __name__ == "__main__":
    main()
