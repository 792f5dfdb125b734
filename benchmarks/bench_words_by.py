"""Benchmark: `topics words-by year` against one `topics fit` of the same corpus.

A corpus drawn from an LDA model (20 topics over 5,000 words): 5,000 articles of 8 paragraphs
of 20–60 tokens (40,000 paragraphs), a year per article (1990–2019). Fit: the package's LDA
with the project's model settings (k = 20, NMF start, 20 passes, no themes) and the run's
tables (one inference pass over every paragraph), as `topics fit` does minus the resampled
stability fits and the files. Words-by: :func:`topics.analysis.words_by.words_by` on that run
(4 periods, top 10 words, 200 bootstrap draws). Target: words-by ≤ 0.25 × the fit.

    .venv/bin/python benchmarks/bench_words_by.py [--articles 5000 --topics 20 --rounds 2]

The two are timed in turn (fit, words-by, fit, words-by, …) in one process, and the ratio is
taken round by round (medians printed).
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pandas as pd

from topics.analysis.words_by import words_by
from topics.model.lda import fit_lda
from topics.model.runs import build_run
from topics.model.settings import ModelSettings
from topics.text.token_ids import as_token_ids

PARAGRAPHS_PER_ARTICLE = 8
VOCABULARY = 5000
TARGET = 0.25


def synthetic(articles: int, k: int, seed: int = 0):
    """Token lists drawn from LDA, and the corpus tables (ids, a year per article)."""
    rng = np.random.default_rng(seed)
    phi = rng.dirichlet(np.full(VOCABULARY, 0.02), k)
    n = articles * PARAGRAPHS_PER_ARTICLE
    article_theta = rng.dirichlet(np.full(k, 0.3), articles)
    lengths = rng.integers(20, 61, n)
    owner = np.repeat(np.arange(n), lengths)  # the paragraph of every token
    theta = rng.gamma(article_theta[np.arange(n) // PARAGRAPHS_PER_ARTICLE] * 5 + 0.01)
    theta /= theta.sum(axis=1, keepdims=True)
    token_topic = (rng.random(len(owner))[:, None] > np.cumsum(theta, axis=1)[owner]).sum(axis=1)
    token_topic = np.minimum(token_topic, k - 1)
    cumulative = np.cumsum(phi, axis=1)
    words = np.empty(len(owner), dtype=int)
    for t in range(k):
        mine = token_topic == t
        words[mine] = np.searchsorted(cumulative[t], rng.random(mine.sum()) * cumulative[t, -1])
    words = np.minimum(words, VOCABULARY - 1)
    bounds = np.concatenate([[0], np.cumsum(lengths)])
    documents = as_token_ids([[f"w{w}" for w in words[a:b]]
                              for a, b in zip(bounds[:-1], bounds[1:], strict=True)])  # fmt: skip
    article_ids = [f"a{i:05d}" for i in range(articles)]
    paragraphs = pd.DataFrame({
        "paragraph_id": [f"a{i // PARAGRAPHS_PER_ARTICLE:05d}/p{i % PARAGRAPHS_PER_ARTICLE}"
                         for i in range(n)],
        "article_id": np.repeat(article_ids, PARAGRAPHS_PER_ARTICLE),
        "page_id": "p", "section": "", "duplicate_of": None,
    })  # fmt: skip
    table = pd.DataFrame({"article_id": article_ids, "page_id": "p", "title": article_ids,
                          "short_title": article_ids, "duplicate_of": None,
                          "year": rng.integers(1990, 2020, articles)})  # fmt: skip
    return documents, SimpleNamespace(paragraphs=paragraphs, articles=table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--topics", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    start = time.perf_counter()
    documents, corpus = synthetic(args.articles, args.topics)
    n_tokens = int(documents.n_tokens.sum())
    print(f"{args.articles} articles, {len(documents)} paragraphs, {n_tokens} tokens, "
          f"{args.topics} topics (corpus drawn in {time.perf_counter() - start:.0f} s)")  # fmt: skip
    settings = replace(ModelSettings(), k=args.topics, themes=())
    fits, runs = [], []
    for round_ in range(args.rounds):
        start = time.perf_counter()
        fitted = fit_lda(documents, settings)
        run = build_run(fitted, corpus.paragraphs, corpus.articles, documents, {})
        fits.append(time.perf_counter() - start)
        start = time.perf_counter()
        result = words_by(run, corpus, documents, "year")
        runs.append(time.perf_counter() - start)
        print(f"round {round_ + 1}: fit {fits[-1]:.1f} s, words-by {runs[-1]:.1f} s "
              f"({runs[-1] / fits[-1]:.3f}×), {len(result.table)} table rows")  # fmt: skip
    ratio = statistics.median(r / f for r, f in zip(runs, fits, strict=True))
    print(f"median: fit {statistics.median(fits):.1f} s, words-by {statistics.median(runs):.1f} s, "
          f"words-by / fit = {ratio:.3f} (target ≤ {TARGET}: {'met' if ratio <= TARGET else 'NOT met'})")  # fmt: skip


if __name__ == "__main__":
    main()
