"""Stability under resampling: would a topic come back with slightly different data?

The fit on all training documents is compared with fits on ``resamples`` seeded subsamples
(``share`` of the documents each; every other setting, the seed included, the same). Each
subsample's topics are matched one-to-one to the full fit's (Hungarian algorithm), and every
full-data topic scores its mean matched similarity over the subsamples:

- ``stability``: Jaccard index of the top-10 words by relevance (λ = 0.6, the words
  ``topics show`` and the figures list). 0.5 means that on average two of every three top
  words come back (Jaccard of two 10-word sets sharing m words is m / (20 − m));
  :data:`topics.model.k_rule.STABLE` calls a topic stable from there. Ranking by probability
  instead rewards corpus-frequent words that top any topic: on shuffled tokens (no topics
  at all) it gives 0.52 at K = 4, relevance 0.43.
- ``stability_js``: 1 − Jensen–Shannon distance (base 2) between the topic-word
  distributions, on the words both fits know (a subsample prunes other rare words).

The model-level stability is the mean over topics. A deterministic start (NMF) makes fits
seed-independent, so seeds say nothing about robustness; subsamples do. The documents a
subsample leaves out are its held-out set: K selection scores its perplexity on them.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from types import SimpleNamespace

import numpy as np
import pandas as pd

from topics.model import terms
from topics.model.choices import LAMBDA  # relevance λ of the top words, as shown
from topics.model.lda import FittedLda, ModelSettings, fit_lda
from topics.model.metrics import matched_similarity, on_shared_vocabulary, resample_stability
from topics.model.settings import DEFAULT_RESAMPLES
from topics.model.themes import ThemeSet
from topics.text.token_ids import Documents, TokenIds

RESAMPLES = DEFAULT_RESAMPLES  # subsample fits per fit: [select_k] resamples
SUBSAMPLE_SHARE = 0.8  # share of the training documents in each subsample
TOP_N = 10  # top words compared by the Jaccard stability
WORKERS = 2  # processes for independent fits (the machine's two cores)


@dataclass(frozen=True)
class FitTopics:
    """What stability needs from one fit, small enough to pass between processes: the top
    words by probability (``top``, for coherence) and by relevance at λ = ``LAMBDA``
    (``shown``, as the run's tables and figures show them, for stability), the K×V
    topic-word matrix and its vocabulary."""

    top: list[list[str]]
    shown: list[list[str]]
    topic_word: np.ndarray
    vocabulary: list[str]

    @classmethod
    def of(cls, fitted: FittedLda) -> FitTopics:
        phi, vocab = fitted.topic_word(), fitted.vocabulary()
        cfs = fitted.dictionary.cfs
        frequency = np.array([max(cfs.get(i, 0), 1) for i in range(len(vocab))], dtype=float)
        shown = terms.top_terms(terms.relevance(phi, frequency, LAMBDA), vocab, TOP_N)
        return cls(terms.top_terms(phi, vocab, TOP_N), shown, phi, vocab)


def heldout_split(
    n_docs: int, share: float, seed: int | Sequence[int] = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Sorted indices of training and held-out documents; ``share`` of them (at least one)
    held out, chosen at random with ``seed``.

    >>> train, test = heldout_split(10, 0.2, seed=1)
    >>> len(train), len(test), sorted([*train, *test]) == list(range(10))
    (8, 2, True)
    """
    if not 0 < share < 1 or n_docs < 2:
        raise ValueError(f"need 0 < share < 1 and n_docs >= 2, got {share=} and {n_docs=}")
    order = np.random.default_rng(seed).permutation(n_docs)
    n_test = max(1, round(n_docs * share))
    return np.sort(order[n_test:]), np.sort(order[:n_test])


def subsample(
    n_docs: int, replicate: int, seed: int, share: float = SUBSAMPLE_SHARE
) -> tuple[np.ndarray, np.ndarray]:
    """Subsample ``replicate`` (1, 2, …) of a fit with ``seed``: the sorted indices of the
    ``share`` of documents it is fitted on, and of the others (its held-out set).

    >>> inside, outside = subsample(10, 1, seed=42)
    >>> len(inside), len(outside), set(inside).isdisjoint(outside)
    (8, 2, True)
    """
    return heldout_split(n_docs, 1 - share, seed=[seed, replicate])


def per_topic_stability(full: FitTopics, resamples: Sequence[FitTopics]) -> pd.DataFrame:
    """One row per topic of ``full`` (``topic`` 1…K): ``stability`` (top-10 Jaccard) and
    ``stability_js`` (1 − Jensen–Shannon), each the mean matched similarity over ``resamples``.

    >>> words = [["a", "b"], ["c", "d"]]
    >>> phi = np.array([[0.5, 0.5, 0, 0], [0, 0, 0.5, 0.5]])
    >>> fit = FitTopics(words, words, phi, ["a", "b", "c", "d"])
    >>> per_topic_stability(fit, [fit, fit])["stability"].tolist()
    [1.0, 1.0]
    """
    js = []
    for other in resamples:
        a, b = on_shared_vocabulary(
            full.topic_word, full.vocabulary, other.topic_word, other.vocabulary
        )
        js.append(matched_similarity(a, b, "jensen_shannon"))
    return pd.DataFrame(
        {
            "topic": np.arange(1, len(full.top) + 1),
            "stability": resample_stability(full.shown, [r.shown for r in resamples]),
            "stability_js": np.mean(js, axis=0),
        }
    )


def fit_subsample(
    documents: Documents, settings: ModelSettings, themes: ThemeSet | None,
    replicate: int, share: float = SUBSAMPLE_SHARE,
) -> tuple[FittedLda, np.ndarray]:  # fmt: skip
    """The fit on subsample ``replicate`` (same settings and seed), and its held-out indices."""
    inside, outside = subsample(len(documents), replicate, settings.seed, share)
    if isinstance(documents, TokenIds):
        return fit_lda(documents.subset(inside), settings, themes), outside
    return fit_lda([documents[i] for i in inside], settings, themes), outside


def _subsample_topics(documents, settings, themes, share, replicate) -> FitTopics:
    return FitTopics.of(fit_subsample(documents, settings, themes, replicate, share)[0])


def resample_fits(
    documents: Documents, settings: ModelSettings, themes: ThemeSet | None = None,
    resamples: int = RESAMPLES, share: float = SUBSAMPLE_SHARE, workers: int = WORKERS,
) -> list[FitTopics]:  # fmt: skip
    """The topics of ``resamples`` subsample fits, spread over ``workers`` processes."""
    job = partial(_subsample_topics, documents, settings, themes, share)
    with executor(workers, resamples) as pool:
        return list(pool.map(job, range(1, resamples + 1)))


@contextmanager
def executor(workers: int, jobs: int):
    """A process pool for ``workers`` > 1 (fits are independent and seeded, so results are
    the same either way), else an in-process stand-in with the same ``map``."""
    if workers > 1 and jobs > 1:
        with ProcessPoolExecutor(min(workers, jobs)) as pool:
            yield pool
    else:
        yield SimpleNamespace(map=map)
