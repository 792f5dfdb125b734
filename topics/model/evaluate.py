"""Choose the number of topics K: coherence, held-out perplexity, diversity, seed stability.

Every function takes data and returns data. :func:`topics.pipeline.k_selection` runs
:func:`select_k` on the project and saves (or reuses) its table; the rule that picks K from the
table is :mod:`topics.model.k_rule`.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from functools import partial
from types import SimpleNamespace

import numpy as np
import pandas as pd
from gensim.corpora import Dictionary

from topics.model import terms
from topics.model.lda import FittedLda, ModelSettings, fit_lda
from topics.model.metrics import seed_stability, topic_diversity
from topics.model.settings import DEFAULT_KS, DEFAULT_SEEDS
from topics.model.themes import ThemeSet

MEASURES = ("c_v", "c_npmi", "u_mass")
KS, SEEDS = DEFAULT_KS, DEFAULT_SEEDS  # the [select_k] defaults
HELDOUT_SHARE = 0.1
WORKERS = min(4, os.cpu_count() or 1)
TABLE_FORMAT = 2  # bump when the columns or their meaning change: saved tables become stale
COLUMNS = ["k", "seed", *MEASURES, "diversity", "perplexity", "stability", "theme_seeds",
           "large_k", "fit_seconds"]  # fmt: skip


def coherence(
    topics_top_words: Sequence[Sequence[str]],
    tokens: Sequence[list[str]],
    dictionary: Dictionary,
    measures: Iterable[str] = MEASURES,
    topn: int = 10,
) -> dict[str, float]:
    """Mean coherence of the topics' top words on ``tokens``, for each gensim measure
    (``processes=1``). c_v lies in [0, 1], c_npmi in [-1, 1], u_mass ≤ ~0; higher is better.

    >>> docs = [["财政", "负债", "改革"], ["财政", "负债"], ["干部", "考核"], ["干部", "改革"]]
    >>> scores = coherence([["财政", "负债"], ["干部", "考核"]], docs, Dictionary(docs))
    >>> {measure: round(value, 3) for measure, value in scores.items()}
    {'c_v': 0.974, 'c_npmi': 0.75, 'u_mass': -0.347}
    """
    from gensim.models import CoherenceModel

    words = [list(top)[:topn] for top in topics_top_words]
    bows = [dictionary.doc2bow(doc) for doc in tokens]
    scores = {}
    for measure in measures:
        model = CoherenceModel(
            topics=words, texts=tokens, corpus=bows, dictionary=dictionary,
            coherence=measure, topn=topn, processes=1,
        )  # fmt: skip
        scores[measure] = float(model.get_coherence())
    return scores


def heldout_split(
    n_docs: int, share: float = HELDOUT_SHARE, seed: int = 0
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


def heldout_perplexity(fitted: FittedLda, tokens: Sequence[list[str]]) -> float:
    """Per-word perplexity of unseen documents, estimated by document completion.

    The known words of each document are split alternately: the even positions give its topic
    mix θ, the odd positions are scored by ``log Σ_k θ_k φ_kw``; perplexity is ``exp(−mean)``.
    Documents with fewer than two known words are skipped (NaN if none is left). Lower is
    better. gensim's ``log_perplexity`` is not used: its bound is in natural log (not base 2),
    dominated by the topic-word term on a small test set, and wrong for a matrix ``eta``.

    >>> heldout_perplexity(fit_lda(train_tokens, ModelSettings(k=8)), test_tokens)  # doctest: +SKIP
    312.5
    """
    known = [[w for w in doc if w in fitted.dictionary.token2id] for doc in tokens]
    known = [doc for doc in known if len(doc) >= 2]
    if not known:
        return float("nan")
    theta = fitted.transform(fitted.counts([doc[0::2] for doc in known]))
    phi = fitted.topic_word()
    log_lik = n_words = 0.0
    for shares, bow in zip(theta, fitted.bows([doc[1::2] for doc in known]), strict=True):
        ids, counts = np.array(bow).T
        log_lik += float(counts @ np.log(shares @ phi[:, ids]))
        n_words += counts.sum()
    return float(np.exp(-log_lik / n_words))


def seeds_in_top(top_words: Sequence[Sequence[str]], themes: ThemeSet | None) -> list[int]:
    """How many of theme t's seed words are among topic t's top words, for each theme.

    >>> from topics.model.themes import Theme
    >>> themes = ThemeSet((Theme("finance", "乡镇财政", "Township finance", ("财政", "负债")),))
    >>> seeds_in_top([["财政", "乡镇", "负债"], ["干部", "考核"]], themes)
    [2]
    """
    return [len(set(theme.seeds) & set(top_words[t])) for t, theme in enumerate(themes or ())]


def _usable_ks(ks: Iterable[int], n_docs: int, n_themes: int) -> tuple[list[int], set[int]]:
    """The ks that can be fitted, and those that are large for the corpus; warns about both."""
    usable, large = [], set()
    for k in sorted(set(ks)):
        if k > n_docs:
            _warn(f"skipping k={k}: more topics than the {n_docs} documents")
        elif k < max(n_themes, 2):
            _warn(f"skipping k={k}: fewer topics than the {n_themes} seeded themes (or 2)")
        else:
            usable.append(k)
            if k > n_docs / 10:
                large.add(k)
                _warn(f"k={k} is large for {n_docs} documents (over one topic per 10 "
                      "documents); its topics rest on few documents (column large_k)")  # fmt: skip
    return usable, large


def _warn(message: str) -> None:
    warnings.warn(f"select_k: {message}", UserWarning, stacklevel=4)  # points at the caller


def select_k(
    tokens: Sequence[list[str]],
    model_settings: ModelSettings,
    themes: ThemeSet | None = None,
    ks: Iterable[int] = KS,
    seeds: Sequence[int] = SEEDS,
    progress: bool = True,
    workers: int = WORKERS,
) -> pd.DataFrame:
    """Fit every K with every seed and measure it; one row per (k, seed), fits spread over
    ``workers`` processes.

    Columns: c_v, c_npmi, u_mass (top-10 words by probability; computed once per distinct set
    of top words, since seeds often give the same), diversity (top-25 words), held-out
    perplexity (first seed only: a second fit on 90 % of the documents, split by that seed,
    scored on the other 10 %; NaN for the other seeds), stability (per K: matched top-10 Jaccard
    across the seeds; NaN with one seed), theme_seeds (fewest seed words any theme topic has in
    its top 10; NaN without themes), large_k (K > documents / 10, warned) and fit_seconds. K
    above the number of documents or below the number of themes is skipped with a warning.

    >>> select_k(tokens, ModelSettings(), ks=(4, 6), seeds=(1, 2))  # doctest: +SKIP
    """
    from tqdm.auto import tqdm

    ks, large = _usable_ks(ks, len(tokens), len(themes or ()))
    jobs = [(k, seed) for k in ks for seed in seeds]
    rows, tops, keys, distinct = [], {}, {}, {}
    with _executor(workers, len(jobs)) as pool:
        measure = partial(_measure, tokens, model_settings, themes, seeds[0])
        results = pool.map(measure, jobs)
        for (k, seed), (row, top, dictionary) in tqdm(
            zip(jobs, results, strict=True), total=len(jobs), desc="select-k", disable=not progress
        ):
            rows.append({**row, "large_k": k in large})
            tops[k, seed], keys[k, seed] = top, _coherence_key(top, dictionary)
            distinct.setdefault(keys[k, seed], (top, dictionary))
        coherences = pool.map(partial(_coherence_job, tokens), distinct.values())
        scores = dict(zip(distinct, coherences, strict=True))
    for row in rows:
        row.update(scores[keys[row["k"], row["seed"]]])
    table = pd.DataFrame(rows, columns=COLUMNS)
    stability = {
        k: seed_stability([tops[k, s] for s in seeds]) if len(seeds) > 1 else np.nan for k in ks
    }
    table["stability"] = table["k"].map(stability).astype(float)
    return table


def _measure(tokens, model_settings: ModelSettings, themes, heldout_seed: int, job):
    """Fit one (k, seed) and measure all but coherence, with held-out perplexity when ``seed``
    is ``heldout_seed``: its table row, top-10 words and dictionary."""
    k, seed = job
    settings = replace(model_settings, k=k, seed=seed)
    fitted = fit_lda(tokens, settings, themes)
    phi, vocab = fitted.topic_word(), fitted.vocabulary()
    top = terms.top_terms(phi, vocab, 10)
    perplexity = np.nan
    if seed == heldout_seed:
        train, test = heldout_split(len(tokens), HELDOUT_SHARE, seed)
        held = fit_lda([tokens[i] for i in train], settings, themes)
        perplexity = heldout_perplexity(held, [tokens[i] for i in test])
    row = {"k": k, "seed": seed,
           "diversity": topic_diversity(terms.top_terms(phi, vocab, 25)),
           "perplexity": perplexity,
           "theme_seeds": min(seeds_in_top(top, themes), default=np.nan),
           "fit_seconds": fitted.fit_seconds}  # fmt: skip
    return row, top, fitted.dictionary


def _coherence_key(top: list[list[str]], dictionary: Dictionary) -> tuple:
    """What coherence depends on besides the tokens: the top words and the dictionary."""
    return tuple(map(tuple, top)), tuple(sorted(dictionary.token2id))


def _coherence_job(tokens, job: tuple[list[list[str]], Dictionary]) -> dict[str, float]:
    return coherence(job[0], tokens, job[1])


@contextmanager
def _executor(workers: int, jobs: int):
    """A process pool for ``workers`` > 1 (fits are independent and seeded, so the table is
    the same either way), else an in-process stand-in with the same ``map``."""
    if workers > 1 and jobs > 1:
        with ProcessPoolExecutor(min(workers, jobs)) as pool:
            yield pool
    else:
        yield SimpleNamespace(map=map)
