"""Choose the number of topics K: stability under resampling, coherence, held-out
perplexity, diversity, how well seeded themes form.

Every function takes data and returns data. :func:`topics.pipeline.k_selection` runs
:func:`measure_ks` on the project and saves (or reuses) its table; the rule that picks K from
the table is :mod:`topics.model.k_rule`; stability itself is :mod:`topics.model.stability`.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import replace
from functools import partial

import numpy as np
import pandas as pd
from gensim.corpora import Dictionary

from topics.model import terms
from topics.model.lda import FittedLda, ModelSettings, fit_lda
from topics.model.metrics import topic_diversity
from topics.model.settings import DEFAULT_KS
from topics.model.stability import (
    RESAMPLES,
    SUBSAMPLE_SHARE,
    TOP_N,
    FitTopics,
    executor,
    fit_subsample,
    heldout_split,
    per_topic_stability,
    resample_fits,
)
from topics.model.themes import ThemeSet

__all__ = ["heldout_split"]  # re-exported: the split is defined with the subsamples

MEASURES = ("c_v", "c_npmi", "u_mass")
KS = DEFAULT_KS  # the [select_k] default grid
WORKERS = min(4, os.cpu_count() or 1)
TABLE_FORMAT = 4  # bump when the columns or their meaning change: saved tables become stale
#: Per-topic measures that a run's topic table records beside each topic.
QUALITY = ["stability", "stability_js", "c_npmi", "npmi_paragraph"]
COLUMNS = ["k", "topic", "theme", *QUALITY, "c_v", "u_mass", "seeds_in_top", "diversity",
           "perplexity", "perplexity_unigram", "large_k", "fit_seconds"]  # fmt: skip


def coherence_per_topic(
    topics_top_words: Sequence[Sequence[str]],
    tokens: Sequence[list[str]],
    dictionary: Dictionary,
    measures: Iterable[str] = MEASURES,
    topn: int = TOP_N,
) -> dict[str, list[float]]:
    """Coherence of each topic's top words on ``tokens``, for each gensim measure
    (``processes=1``). c_v lies in [0, 1], c_npmi in [-1, 1], u_mass ≤ ~0; higher is better.
    c_v and c_npmi count co-occurrence in sliding windows (110 and 10 words), u_mass in
    documents."""
    from gensim.models import CoherenceModel

    words = [list(top)[:topn] for top in topics_top_words]
    bows = [dictionary.doc2bow(doc) for doc in tokens]
    scores = {}
    for measure in measures:
        model = CoherenceModel(
            topics=words, texts=tokens, corpus=bows, dictionary=dictionary,
            coherence=measure, topn=topn, processes=1,
        )  # fmt: skip
        scores[measure] = [float(x) for x in model.get_coherence_per_topic()]
    return scores


def coherence(
    topics_top_words: Sequence[Sequence[str]],
    tokens: Sequence[list[str]],
    dictionary: Dictionary,
    measures: Iterable[str] = MEASURES,
    topn: int = TOP_N,
) -> dict[str, float]:
    """Mean :func:`coherence_per_topic` over the topics, for each measure.

    >>> docs = [["财政", "负债", "改革"], ["财政", "负债"], ["干部", "考核"], ["干部", "改革"]]
    >>> scores = coherence([["财政", "负债"], ["干部", "考核"]], docs, Dictionary(docs))
    >>> {measure: round(value, 3) for measure, value in scores.items()}
    {'c_v': 0.974, 'c_npmi': 0.75, 'u_mass': -0.347}
    """
    per_topic = coherence_per_topic(topics_top_words, tokens, dictionary, measures, topn)
    return {measure: float(np.mean(values)) for measure, values in per_topic.items()}


def paragraph_npmi(
    topics_top_words: Sequence[Sequence[str]], documents: Sequence[list[str]], topn: int = TOP_N
) -> np.ndarray:
    """(K,) coherence of each topic's top words with the document (a paragraph, as the model
    sees it) as the co-occurrence window: the mean over word pairs of normalised PMI,
    ``log(p(a, b) / (p(a) p(b))) / −log p(a, b)`` with p the share of documents containing
    the words. A pair that never shares a document scores −1, one always together 1.

    >>> docs = [["财政", "负债"], ["财政", "负债"], ["干部", "考核"], ["干部", "村民"]]
    >>> paragraph_npmi([["财政", "负债"], ["干部", "考核"], ["财政", "考核"]], docs).round(3).tolist()
    [1.0, 0.5, -1.0]
    """
    words = sorted({w for top in topics_top_words for w in list(top)[:topn]})
    column = {w: i for i, w in enumerate(words)}
    present = np.zeros((len(documents), len(words)), dtype=np.float64)
    for row, doc in enumerate(documents):
        present[row, [column[w] for w in set(doc) if w in column]] = 1.0
    p_joint = (present.T @ present) / max(len(documents), 1)
    p_word = np.diag(p_joint)
    scores = []
    for top in topics_top_words:
        ids = [column[w] for w in list(top)[:topn]]
        values = []
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                joint = p_joint[a, b]
                if joint <= 0:
                    values.append(-1.0)
                elif joint >= 1:
                    values.append(1.0)
                else:
                    values.append(np.log(joint / (p_word[a] * p_word[b])) / -np.log(joint))
        scores.append(float(np.mean(values)) if values else np.nan)
    return np.array(scores)


def heldout_perplexity(
    fitted: FittedLda, tokens: Sequence[list[str]], unigram: bool = False
) -> float:
    """Per-word perplexity of unseen documents, estimated by document completion.

    The known words of each document are split alternately: the even positions give its topic
    mix θ, the odd positions are scored by ``log Σ_k θ_k φ_kw``; perplexity is ``exp(−mean)``.
    With ``unigram``, the odd positions are scored by the training frequency of each word
    instead (no topics): the baseline a topic model must beat. Documents with fewer than two
    known words are skipped (NaN if none is left). Lower is better. gensim's
    ``log_perplexity`` is not used: its bound is in natural log (not base 2), dominated by the
    topic-word term on a small test set, and wrong for a matrix ``eta``.

    >>> from topics.model.lda import ModelSettings, fit_lda
    >>> from topics.model.synthetic import planted_corpus
    >>> docs = planted_corpus(3, n_docs=60, seed=1)
    >>> fitted = fit_lda(docs[:50], ModelSettings(k=3, no_below=1, passes=5))
    >>> topics = heldout_perplexity(fitted, docs[50:])
    >>> words_only = heldout_perplexity(fitted, docs[50:], unigram=True)
    >>> 1 < topics < words_only / 2 < len(fitted.dictionary)  # about 16 against 40
    True
    """
    known = [[w for w in doc if w in fitted.dictionary.token2id] for doc in tokens]
    known = [doc for doc in known if len(doc) >= 2]
    if not known:
        return float("nan")
    if unigram:
        cfs = fitted.dictionary.cfs
        frequency = np.array([cfs.get(i, 0) + 0.5 for i in range(len(fitted.dictionary))])
        phi = (frequency / frequency.sum())[None, :]
        theta = np.ones((len(known), 1))
    else:
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


def topic_quality(
    full: FitTopics,
    resamples: Sequence[FitTopics],
    tokens: Sequence[list[str]],
    dictionary: Dictionary,
    themes: ThemeSet | None = None,
    measures: Iterable[str] = MEASURES,
) -> pd.DataFrame:
    """One row per topic of the full-data fit ``full`` (``topic`` 1…K, ``theme`` id or ""):
    resample stability against ``resamples`` (:func:`~topics.model.stability.per_topic_stability`;
    NaN without resamples), gensim coherence (``measures``) and :func:`paragraph_npmi` of the
    top-10 words on ``tokens``, and for theme topics how many seed words are among them.
    """
    k = len(full.top)
    if resamples:
        table = per_topic_stability(full, resamples)
    else:
        table = pd.DataFrame({"topic": np.arange(1, k + 1), "stability": np.nan,
                              "stability_js": np.nan})  # fmt: skip
    names = [theme.id for theme in themes or ()]
    table.insert(1, "theme", [names[t] if t < len(names) else "" for t in range(k)])
    for measure, values in coherence_per_topic(full.top, tokens, dictionary, measures).items():
        table[measure] = values
    table["npmi_paragraph"] = paragraph_npmi(full.top, tokens)
    in_top = seeds_in_top(full.top, themes)
    table["seeds_in_top"] = [in_top[t] if t < len(in_top) else np.nan for t in range(k)]
    return table


def fit_quality(
    fitted: FittedLda, documents: Sequence[list[str]], resamples: int = RESAMPLES
) -> pd.DataFrame:
    """Per-topic :data:`QUALITY` of one fit on ``documents`` (token lists): stability against
    ``resamples`` subsample fits (NaN with none), gensim c_npmi and paragraph-level NPMI."""
    others = (
        resample_fits(documents, fitted.settings, fitted.themes, resamples) if resamples else []
    )
    table = topic_quality(FitTopics.of(fitted), others, documents, fitted.dictionary,
                          fitted.themes, measures=("c_npmi",))  # fmt: skip
    return table[["topic", *QUALITY]]


def measure_ks(
    tokens: Sequence[list[str]],
    model_settings: ModelSettings,
    themes: ThemeSet | None = None,
    ks: Iterable[int] = KS,
    resamples: int = RESAMPLES,
    share: float = SUBSAMPLE_SHARE,
    progress: bool = True,
    workers: int = WORKERS,
) -> tuple[pd.DataFrame, dict[int, FittedLda]]:
    """Fit every K on all documents and on ``resamples`` subsamples (``share`` of them), with
    ``model_settings`` otherwise (its seed included), in ``workers`` processes.

    Returns the table, one row per (k, topic) of the full-data fit, and the full-data fits by
    K (the final run at the chosen K: nothing is fitted twice). Columns: those of
    :func:`topic_quality`; diversity (share of distinct words among the top 25);
    perplexity (mean over the subsamples of their held-out perplexity on the documents they
    left out; NaN without resamples) and perplexity_unigram (the same documents predicted by
    word frequencies alone); large_k (K > documents / 10, warned) and fit_seconds
    of the full-data fit. K above the number of documents or below the number of themes is
    skipped with a warning. The fit count is 1 + ``resamples`` per K.
    """
    from tqdm.auto import tqdm

    ks, large = _usable_ks(ks, len(tokens), len(themes or ()))
    jobs = [(k, replicate) for k in ks for replicate in range(resamples + 1)]
    fitted, topics, perplexity = {}, {}, {}
    with executor(workers, len(jobs)) as pool:
        results = pool.map(partial(_fit_job, tokens, model_settings, themes, share), jobs)
        bar = tqdm(results, total=len(jobs), desc="select-k", disable=not progress)
        for (k, replicate), (model, fit_topics, held_out) in zip(jobs, bar, strict=False):
            topics[k, replicate] = fit_topics
            if replicate == 0:
                fitted[k] = model
            else:
                perplexity.setdefault(k, []).append(held_out)
        quality = partial(_quality_job, tokens, themes)
        work = [(topics[k, 0], [topics[k, r] for r in range(1, resamples + 1)],
                 fitted[k].dictionary) for k in ks]  # fmt: skip
        tables = list(pool.map(quality, work))
    for k, table in zip(ks, tables, strict=True):
        table.insert(0, "k", k)
        table["diversity"] = topic_diversity(
            terms.top_terms(topics[k, 0].topic_word, topics[k, 0].vocabulary, 25)
        )
        scores = np.array(perplexity.get(k, [(np.nan, np.nan)]))
        table["perplexity"], table["perplexity_unigram"] = scores.mean(axis=0)
        table["large_k"] = k in large
        table["fit_seconds"] = fitted[k].fit_seconds
    if not ks:
        return pd.DataFrame(columns=COLUMNS), fitted
    return pd.concat(tables, ignore_index=True)[COLUMNS], fitted


def select_k(
    tokens: Sequence[list[str]],
    model_settings: ModelSettings,
    themes: ThemeSet | None = None,
    ks: Iterable[int] = KS,
    resamples: int = RESAMPLES,
    progress: bool = True,
    workers: int = WORKERS,
) -> pd.DataFrame:
    """The table of :func:`measure_ks`: one row per (k, topic) (on a corpus with a known
    number of topics: ``tests/test_evaluate.py``)."""
    table, _ = measure_ks(tokens, model_settings, themes, ks, resamples, SUBSAMPLE_SHARE,
                          progress, workers)  # fmt: skip
    return table


def _fit_job(tokens, model_settings: ModelSettings, themes, share: float, job):
    """Fit one (k, replicate): replicate 0 on all documents (returned whole), the others on
    their subsample (with the held-out perplexity of the documents they left out)."""
    k, replicate = job
    settings = replace(model_settings, k=k)
    if replicate == 0:
        fitted = fit_lda(tokens, settings, themes)
        return fitted, FitTopics.of(fitted), (np.nan, np.nan)
    fitted, outside = fit_subsample(tokens, settings, themes, replicate, share)
    held = [tokens[i] for i in outside]
    scores = (heldout_perplexity(fitted, held), heldout_perplexity(fitted, held, unigram=True))
    return None, FitTopics.of(fitted), scores


def _quality_job(tokens, themes, job) -> pd.DataFrame:
    full, resamples, dictionary = job
    return topic_quality(full, resamples, tokens, dictionary, themes)
