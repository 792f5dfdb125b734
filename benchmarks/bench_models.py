"""Benchmark: the project's topic model against its peers on the same paragraphs and tokens.

Every model sees the prepared non-duplicate paragraphs, tokenized by the project and restricted
to the project's dictionary (pruned as configured, seed words kept). Each is fitted with
several seeds and scored the same way: c_npmi and c_v (gensim ``CoherenceModel`` on the
project's tokens and dictionary, top-10 words by the model's topic-word weights), diversity
(top-25 words), seed stability (Hungarian-matched top-10 Jaccard across seeds), resample
stability (each topic of the fit on all paragraphs against fits on 3 seeded 80 % subsamples,
Hungarian-matched; top-10 words by relevance λ = 0.6 as ``topics`` shows them, Jaccard, and
1 − Jensen–Shannon on the full distributions; mean over topics; first seed), fit time.

    .venv/bin/python benchmarks/bench_models.py              # recommended K, 5 seeds
    .venv/bin/python benchmarks/bench_models.py --k 8 --seeds 1 2 3 --no-strength

Writes benchmarks/results/models.csv and strength.csv.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from gensim.corpora import Dictionary

from topics import pipeline
from topics.config import Settings
from topics.model import evaluate, terms
from topics.model.bows import count_matrix
from topics.model.choices import LAMBDA
from topics.model.lda import ModelSettings, build_dictionary, fit_lda
from topics.model.metrics import resample_stability, seed_stability, topic_diversity
from topics.model.stability import RESAMPLES, TOP_N, subsample
from topics.model.themes import ThemeSet

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
TARGETS = {"stability": 0.8, "diversity": 0.85, "resample": 0.75}
STRENGTHS = (1, 5, 10, 20, 50)
ALL = slice(None)  # every document (a fit on a subsample gets its row indices instead)


def project_data(config: Path) -> tuple[Settings, list[list[str]], ModelSettings, ThemeSet]:
    """Settings, tokens of the non-duplicate paragraphs, model settings and themes."""
    settings = Settings.load(config)
    model = pipeline.model_settings(settings)
    corpus = pipeline.prepared_corpus(settings)
    tokens = pipeline.tokenize_paragraphs(settings, corpus, progress=False).tokens
    keep = corpus.paragraphs["duplicate_of"].isna().to_numpy()
    docs = [doc for doc, k in zip(tokens, keep, strict=True) if k]
    return settings, docs, model, pipeline.themes_for(settings, model)


def peers(docs, model: ModelSettings, themes: ThemeSet) -> tuple[Dictionary, list[str], dict]:
    """The shared dictionary and vocabulary, and name → fit(k, seed) returning a model's K×V
    topic-word weights over that vocabulary."""
    import tomotopy as tp
    from sklearn.decomposition import NMF, LatentDirichletAllocation
    from sklearn.feature_extraction.text import TfidfTransformer

    seeds = [s for theme in themes for s in theme.seeds]
    dictionary, _ = build_dictionary(docs, model.no_below, model.no_above, seeds)
    vocab = [dictionary[i] for i in range(len(dictionary))]
    counts = count_matrix(docs, dictionary).astype(float)
    kept = [[w for w in doc if w in dictionary.token2id] for doc in docs]

    def gensim(init: str, with_themes: bool):
        def fit(k, seed, rows=ALL):
            settings = dataclasses.replace(model, k=k, seed=seed, init=init)
            subset = [docs[i] for i in rows] if rows is not ALL else docs
            fitted = fit_lda(subset, settings, themes if with_themes else None)
            known = [(i, dictionary.token2id[w]) for i, w in enumerate(fitted.vocabulary())
                     if w in dictionary.token2id]  # fmt: skip
            phi = np.zeros((k, len(vocab)))
            phi[:, [j for _, j in known]] = fitted.topic_word()[:, [i for i, _ in known]]
            return phi

        return fit

    def tomotopy(k, seed, rows=ALL):
        lda = tp.LDAModel(k=k, seed=seed)
        for doc in kept if rows is ALL else [kept[i] for i in rows]:
            if doc:
                lda.add_doc(doc)
        lda.train(1000, workers=1)
        ids = [dictionary.token2id[w] for w in lda.used_vocabs]
        phi = np.zeros((k, len(vocab)))
        phi[:, ids] = [lda.get_topic_word_dist(t) for t in range(k)]
        return phi

    def sklearn_lda(k, seed, rows=ALL):
        lda = LatentDirichletAllocation(k, learning_method="batch", max_iter=100, random_state=seed)
        return lda.fit(counts if rows is ALL else counts[rows]).components_

    def sklearn_nmf(k, seed, rows=ALL):
        tfidf = TfidfTransformer().fit_transform(counts if rows is ALL else counts[rows])
        return NMF(k, init="nndsvda", random_state=seed, max_iter=500).fit(tfidf).components_

    models = {
        "project default (NMF start + themes)": gensim(model.init, True),
        "project, no themes": gensim(model.init, False),
        "gensim LdaModel, random init": gensim("random", False),
        "tomotopy LDA (Gibbs, 1000 it.)": tomotopy,
        "sklearn LDA (batch VB)": sklearn_lda,
        "sklearn NMF (nndsvda, tf-idf)": sklearn_nmf,
    }
    return dictionary, vocab, models


def _normalised(phi: np.ndarray) -> np.ndarray:
    phi = np.asarray(phi, dtype=float) + 1e-12
    return phi / phi.sum(axis=1, keepdims=True)


def resample_score(fit, k: int, seed: int, n_docs: int, vocab, frequency) -> dict:
    """Mean over topics of the full fit's stability against ``RESAMPLES`` subsample fits."""
    full = _normalised(fit(k, seed))
    others = [_normalised(fit(k, seed, subsample(n_docs, b, seed)[0]))
              for b in range(1, RESAMPLES + 1)]  # fmt: skip

    def shown(phi):
        return terms.top_terms(terms.relevance(phi, frequency, LAMBDA), vocab, TOP_N)

    return {
        "resample": resample_stability(shown(full), [shown(o) for o in others]).mean(),
        "resample_js": resample_stability(full, others, "jensen_shannon").mean(),
    }


def score(fits: list[np.ndarray], vocab, docs, dictionary, seconds: list[float]) -> dict:
    """Mean coherence and diversity over the seeds' fits, stability across them, fit time."""
    tops = [terms.top_terms(phi, vocab, 10) for phi in fits]
    coh = [evaluate.coherence(top, docs, dictionary, ("c_npmi", "c_v")) for top in tops]
    return {
        "c_npmi": np.mean([c["c_npmi"] for c in coh]),
        "c_v": np.mean([c["c_v"] for c in coh]),
        "diversity": np.mean([topic_diversity(terms.top_terms(p, vocab, 25)) for p in fits]),
        "stability": seed_stability(tops) if len(tops) > 1 else np.nan,
        "fit_seconds": np.mean(seconds),
    }


def compare_models(docs, model, themes, k: int, seeds: list[int]) -> pd.DataFrame:
    dictionary, vocab, models = peers(docs, model, themes)
    frequency = np.maximum(count_matrix(docs, dictionary).sum(axis=0).A1, 1)
    rows = []
    for name, fit in models.items():
        fits, seconds = [], []
        for seed in seeds:
            started = time.perf_counter()
            fits.append(fit(k, seed))
            seconds.append(time.perf_counter() - started)
        resample = resample_score(fit, k, seeds[0], len(docs), vocab, frequency)
        rows.append({"model": name, **score(fits, vocab, docs, dictionary, seconds), **resample})
        print(f"  {name}: done", flush=True)
    return pd.DataFrame(rows).set_index("model")


def strength_sweep(docs, model, themes, k: int, seeds: list[int]) -> pd.DataFrame:
    """The default model at each theme_strength: stability, c_npmi (all topics and the theme
    topics alone), diversity and how many seed words each theme topic has in its top 10."""
    rows = []
    for strength in STRENGTHS:
        tops, npmi, npmi_themes, diversity = [], [], [], []
        for seed in seeds:
            settings = dataclasses.replace(model, k=k, seed=seed, theme_strength=strength)
            fitted = fit_lda(docs, settings, themes)
            phi, vocab = fitted.topic_word(), fitted.vocabulary()
            tops.append(terms.top_terms(phi, vocab, 10))
            npmi.append(evaluate.coherence(tops[-1], docs, fitted.dictionary, ["c_npmi"]))
            theme_tops = tops[-1][: len(themes)]
            npmi_themes.append(evaluate.coherence(theme_tops, docs, fitted.dictionary, ["c_npmi"]))
            diversity.append(topic_diversity(terms.top_terms(phi, vocab, 25)))
        in_top = np.mean([evaluate.seeds_in_top(top, themes) for top in tops], axis=0)
        rows.append(
            {"theme_strength": strength,
             "stability": seed_stability(tops) if len(tops) > 1 else np.nan,
             "c_npmi": np.mean([c["c_npmi"] for c in npmi]),
             "c_npmi_themes": np.mean([c["c_npmi"] for c in npmi_themes]),
             "diversity": np.mean(diversity),
             **{f"seeds_{theme.id}": n for theme, n in zip(themes, in_top, strict=True)}}
        )  # fmt: skip
    return pd.DataFrame(rows).set_index("theme_strength")


def report_targets(table: pd.DataFrame) -> None:
    default = table.iloc[0]
    peers_npmi = table["c_npmi"].iloc[1:]
    checks = [
        (f"seed stability ≥ {TARGETS['stability']}", default["stability"] >= TARGETS["stability"],
         f"{default['stability']:.3f}"),
        (f"diversity ≥ {TARGETS['diversity']}", default["diversity"] >= TARGETS["diversity"],
         f"{default['diversity']:.3f}"),
        ("c_npmi ahead of every peer", bool((default["c_npmi"] > peers_npmi).all()),
         f"{default['c_npmi']:.3f} vs best peer {peers_npmi.max():.3f} ({peers_npmi.idxmax()})"),
        (f"resample stability ≥ {TARGETS['resample']} and ahead of every peer",
         default["resample"] >= TARGETS["resample"]
         and bool((default["resample"] > table["resample"].iloc[1:]).all()),
         f"{default['resample']:.3f} vs best peer {table['resample'].iloc[1:].max():.3f}"),
    ]  # fmt: skip
    print("\nTargets for the project default:")
    for name, met, value in checks:
        print(f"  [{'met' if met else 'NOT met'}] {name}: {value}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--k", type=int, help="topics (default: the recommendation of select-k)")
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--config", type=Path, default=ROOT / "topics.toml")
    parser.add_argument("--no-strength", dest="strength", action="store_false",
                        help="skip the theme_strength sweep")  # fmt: skip
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    warnings.filterwarnings("ignore", category=DeprecationWarning)

    settings, docs, model, themes = project_data(args.config)
    k = args.k or pipeline.recommended_k(settings)
    print(f"{len(docs)} paragraphs, K = {k}, seeds {args.seeds}, themes {themes.ids()}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    pd.set_option("display.width", 140)

    table = compare_models(docs, model, themes, k, args.seeds)
    table.to_csv(RESULTS / "models.csv", float_format="%.4f")
    print(table.round(3).to_string())
    report_targets(table)

    if args.strength:
        sweep = strength_sweep(docs, model, themes, k, args.seeds)
        sweep.to_csv(RESULTS / "strength.csv", float_format="%.4f")
        print(f"\ntheme_strength sweep (config: {model.theme_strength:g}); seeds_* = seed words "
              "in the theme topic's top 10 (mean over seeds); c_npmi_themes: theme topics only")  # fmt: skip
        print(sweep.round(3).to_string())


if __name__ == "__main__":
    main()
