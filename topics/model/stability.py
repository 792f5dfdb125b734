"""Stability under resampling: would a topic come back with slightly different data?

The fit on all training documents is compared with fits on subsample *draws* (``share`` of
the documents each). Draw ``r`` is chosen by ``(draw_seed, r)``: a seed of its own, recorded
with the results and independent of the model's ``seed``, so changing the model seed leaves
the draws alone and changing the draw seed leaves the fit alone. Every other setting is the
full fit's, and a subsample fit starts the way the full fit does (its own NMF start, no warm
start from the full fit, which would inflate the agreement). Each draw's topics are matched
one-to-one to the full fit's (Hungarian algorithm):

- ``stability``: Jaccard index of the top-10 words by probability (:data:`RANKING`), mean over
  the draws. Two 10-word sets sharing m words have Jaccard m / (20 − m): 0.5 is 6.7 shared
  words, 0.8 is 8.9. Probability rather than relevance (λ = 0.6, as ``topics show`` lists
  words): relevance divides by each fit's own corpus frequencies, so rare words that a
  subsample happens to concentrate rise and fall between draws; measured on the same 8 draws,
  probability separates real topics from shuffled tokens more (README, "Measured").
- ``stability_js``: 1 − Jensen–Shannon distance (base 2) between the topic-word
  distributions, on the words both fits know.

The model-level stability of a draw is the mean over topics; the model-level figure is the
mean over draws and its uncertainty the standard error over draws (:func:`draw_summary`).

A stability figure means little alone: it is read against its **floor**, the same measure on
the training tokens shuffled across paragraphs (same paragraph lengths; no topics exist), and
its **ceiling**, the same measure on a corpus of the same size sampled from the fitted model
itself and refitted (the topics exist and are exactly the model's). See
:mod:`topics.model.k_rule` for the threshold placed between them.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from types import SimpleNamespace

import numpy as np
import pandas as pd

from topics.model import terms
from topics.model.lda import FittedLda, ModelSettings, fit_lda
from topics.model.metrics import matched_similarity, on_shared_vocabulary
from topics.model.settings import DEFAULT_DRAW_SEED, DEFAULT_RESAMPLES
from topics.model.synthetic import shuffled_corpus
from topics.model.themes import ThemeSet
from topics.text.token_ids import Documents, TokenIds

RESAMPLES = DEFAULT_RESAMPLES  # subsample draws per fit: [select_k] resamples
DRAW_SEED = DEFAULT_DRAW_SEED  # [select_k] draw_seed
SUBSAMPLE_SHARE = 0.8  # share of the training documents in each subsample
TOP_N = 10  # top words compared by the Jaccard stability
RANKING = "probability"  # the top-words ranking stability compares (see the module's text)
REFERENCE_DRAWS = 2  # draws of the floor and ceiling fits (their spread is small)


def default_workers() -> int:
    """Processes for independent fits: every core of the machine ([select_k] workers = 0)."""
    return os.cpu_count() or 1


@dataclass(frozen=True)
class FitTopics:
    """What stability needs from one fit, small enough to pass between processes: the top
    words by probability (``top``), the K×V topic-word matrix and its vocabulary."""

    top: list[list[str]]
    topic_word: np.ndarray
    vocabulary: list[str]

    @classmethod
    def of(cls, fitted: FittedLda) -> FitTopics:
        phi, vocab = fitted.topic_word(), fitted.vocabulary()
        return cls(terms.top_terms(phi, vocab, TOP_N), phi, vocab)


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
    n_docs: int, draw: int, draw_seed: int = DRAW_SEED, share: float = SUBSAMPLE_SHARE
) -> tuple[np.ndarray, np.ndarray]:
    """Draw ``draw`` (1, 2, …) with ``draw_seed``: the sorted indices of the ``share`` of
    documents it is fitted on, and of the others (its held-out set).

    >>> inside, outside = subsample(10, 1, draw_seed=42)
    >>> len(inside), len(outside), set(inside).isdisjoint(outside)
    (8, 2, True)
    """
    return heldout_split(n_docs, 1 - share, seed=[draw_seed, draw])


def draw_similarity(full: FitTopics, draws: Sequence[FitTopics]) -> np.ndarray:
    """(draws × K) matched top-10 Jaccard of each topic of ``full`` in each draw's fit."""
    return np.array([matched_similarity(full.top, other.top) for other in draws])


def per_topic_stability(full: FitTopics, draws: Sequence[FitTopics]) -> pd.DataFrame:
    """One row per topic of ``full`` (``topic`` 1…K): ``stability`` (top-10 Jaccard) and
    ``stability_js`` (1 − Jensen–Shannon), each the mean matched similarity over ``draws``.

    >>> words = [["a", "b"], ["c", "d"]]
    >>> phi = np.array([[0.5, 0.5, 0, 0], [0, 0, 0.5, 0.5]])
    >>> fit = FitTopics(words, phi, ["a", "b", "c", "d"])
    >>> per_topic_stability(fit, [fit, fit])["stability"].tolist()
    [1.0, 1.0]
    """
    js = []
    for other in draws:
        a, b = on_shared_vocabulary(
            full.topic_word, full.vocabulary, other.topic_word, other.vocabulary
        )
        js.append(matched_similarity(a, b, "jensen_shannon"))
    return pd.DataFrame(
        {
            "topic": np.arange(1, len(full.top) + 1),
            "stability": draw_similarity(full, draws).mean(axis=0),
            "stability_js": np.mean(js, axis=0),
        }
    )


def draw_summary(full: FitTopics, draws: Sequence[FitTopics]) -> tuple[float, float]:
    """Model-level stability (mean over draws of the mean over topics) and its standard error
    over draws (NaN with one draw): the uncertainty of the figure, not the spread of topics.

    >>> words = [["a", "b"], ["c", "d"]]
    >>> fit = FitTopics(words, np.eye(2), ["a", "b"])
    >>> other = FitTopics([["a", "b"], ["c", "e"]], np.eye(2), ["a", "b"])
    >>> [round(x, 3) for x in draw_summary(fit, [fit, other])]
    [0.833, 0.167]
    """
    per_draw = draw_similarity(full, draws).mean(axis=1)
    if len(per_draw) < 2:
        return float(per_draw.mean()) if len(per_draw) else float("nan"), float("nan")
    return float(per_draw.mean()), float(per_draw.std(ddof=1) / np.sqrt(len(per_draw)))


def shuffled_documents(documents: Sequence[list[str]], draw_seed: int = DRAW_SEED):
    """The floor's corpus: the same tokens and paragraph lengths, every token in a random
    paragraph (word frequencies stay, topics go)."""
    return shuffled_corpus([list(doc) for doc in documents], seed=draw_seed)


def sampled_documents(
    fitted: FittedLda, documents: Sequence[list[str]], draw_seed: int = DRAW_SEED
) -> list[list[str]]:
    """The ceiling's corpus: for each document, as many words as the fit knows of it, drawn
    from the fitted model (its inferred topic shares × the topic-word distributions)."""
    counts = fitted.counts(as_lists(documents))
    shares = fitted.transform(counts)
    phi, vocab = fitted.topic_word(), np.array(fitted.vocabulary())
    lengths = np.asarray(counts.sum(axis=1)).ravel().astype(int)
    cumulative = np.cumsum(phi, axis=1)
    cumulative /= cumulative[:, -1:]
    rng = np.random.default_rng([draw_seed, 1])
    out = []
    for share, n in zip(shares, lengths, strict=True):
        per_topic = rng.multinomial(n, share / share.sum()) if n else ()
        words = [np.searchsorted(cumulative[t], rng.random(m)) for t, m in enumerate(per_topic)]
        out.append([str(w) for w in vocab[np.concatenate(words)]] if n else [])
    return out


def as_lists(documents: Documents) -> list[list[str]]:
    """Token lists of token ids (or token lists)."""
    if isinstance(documents, TokenIds):
        return documents.tokens
    return [list(doc) for doc in documents]


def fit_draw(
    documents: Documents, settings: ModelSettings, themes: ThemeSet | None, draw: int,
    draw_seed: int = DRAW_SEED, share: float = SUBSAMPLE_SHARE,
) -> tuple[FittedLda, np.ndarray]:  # fmt: skip
    """The fit on draw ``draw`` (0: all documents), started as the full fit is, and the
    indices of the documents it left out."""
    if draw == 0:
        return fit_lda(documents, settings, themes), np.array([], dtype=int)
    inside, outside = subsample(len(documents), draw, draw_seed, share)
    if isinstance(documents, TokenIds):
        return fit_lda(documents.subset(inside), settings, themes), outside
    return fit_lda([documents[i] for i in inside], settings, themes), outside


@contextmanager
def executor(workers: int | None, jobs: int):
    """A process pool for ``workers`` > 1 (None: every core; fits are independent and
    seeded, so results are the same either way), else an in-process stand-in with ``map``."""
    workers = default_workers() if not workers else workers
    if workers > 1 and jobs > 1:
        with ProcessPoolExecutor(min(workers, jobs)) as pool:
            yield pool
    else:
        yield SimpleNamespace(map=map)
