"""Choose the number of topics K: stability under resampling, coherence, held-out
perplexity, diversity, how well seeded themes form.

Every function takes data and returns data. :func:`topics.pipeline.k_selection` runs
:func:`measure_ks` on the project and saves (or reuses) its table; the rule that picks K from
the table is :mod:`topics.model.k_rule`; stability itself is :mod:`topics.model.stability`.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from dataclasses import replace
from functools import partial

import numpy as np
import pandas as pd
from gensim.corpora import Dictionary

from topics.errors import InputError
from topics.model import terms
from topics.model.k_rule import k_summary, recommend
from topics.model.lda import FittedLda, ModelSettings
from topics.model.metrics import topic_diversity
from topics.model.settings import DEFAULT_KS
from topics.model.stability import (
    DRAW_SEED,
    REFERENCE_DRAWS,
    RESAMPLES,
    SUBSAMPLE_SHARE,
    TOP_N,
    FitTopics,
    draw_summary,
    executor,
    fit_draw,
    heldout_split,
    per_topic_stability,
    sampled_documents,
    shuffled_documents,
)
from topics.model.themes import ThemeSet
from topics.model.themes import seeds_in_top as theme_seeds_in_top

__all__ = ["heldout_split"]  # re-exported: the split is defined with the subsamples

MEASURES = ("c_v", "c_npmi", "u_mass")
KS = DEFAULT_KS  # the [select_k] default grid
COARSE_RESAMPLES = 2  # draws per K in the first pass over the grid
MAX_CHECKS = 2  # K whose floor and ceiling a K selection measures at most
TABLE_FORMAT = 5  # bump when the columns or their meaning change: saved tables become stale
#: Per-topic measures that a run's topic table records beside each topic (the floor and
#: ceiling are the model's, the same on every row).
QUALITY = ["stability", "stability_js", "c_npmi", "npmi_paragraph", "stability_floor",
           "stability_ceiling"]  # fmt: skip
COLUMNS = ["k", "topic", "theme", *QUALITY, "c_v", "u_mass", "seeds_in_top", "diversity",
           "perplexity", "perplexity_unigram", "draws", "stability_se", "large_k",
           "fit_seconds"]  # fmt: skip


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
    return [theme_seeds_in_top(top_words[t], theme) for t, theme in enumerate(themes or ())]


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
    draws: Sequence[FitTopics],
    tokens: Sequence[list[str]],
    dictionary: Dictionary,
    themes: ThemeSet | None = None,
    measures: Iterable[str] = MEASURES,
) -> pd.DataFrame:
    """One row per topic of the full-data fit ``full`` (``topic`` 1…K, ``theme`` id or ""):
    stability against the subsample ``draws`` (:func:`~topics.model.stability.per_topic_stability`;
    NaN without draws), gensim coherence (``measures``) and :func:`paragraph_npmi` of the
    top-10 words on ``tokens``, and for theme topics how many seed words are among them.
    """
    table = _stability_columns(full, draws)
    k = len(full.top)
    names = [theme.id for theme in themes or ()]
    table.insert(1, "theme", [names[t] if t < len(names) else "" for t in range(k)])
    for measure, values in coherence_per_topic(full.top, tokens, dictionary, measures).items():
        table[measure] = values
    table["npmi_paragraph"] = paragraph_npmi(full.top, tokens)
    in_top = seeds_in_top(full.top, themes)
    table["seeds_in_top"] = [in_top[t] if t < len(in_top) else np.nan for t in range(k)]
    return table


def _stability_columns(full: FitTopics, draws: Sequence[FitTopics]) -> pd.DataFrame:
    if draws:
        return per_topic_stability(full, draws)
    k = len(full.top)
    return pd.DataFrame({"topic": np.arange(1, k + 1), "stability": np.nan,
                         "stability_js": np.nan})  # fmt: skip


def fit_quality(
    fitted: FittedLda, documents: Sequence[list[str]], resamples: int = RESAMPLES,
    draw_seed: int = DRAW_SEED, workers: int | None = None,
) -> pd.DataFrame:  # fmt: skip
    """Per-topic :data:`QUALITY` of one fit on ``documents`` (token lists): stability against
    ``resamples`` subsample draws with its floor and ceiling (NaN with no draws), gensim
    c_npmi and paragraph-level NPMI."""
    fits = _Fits(documents, fitted.settings, fitted.themes, SUBSAMPLE_SHARE, draw_seed, workers)
    fits.add_full(fitted.k, fitted)
    fits.run(fits.draw_jobs(fitted.k, resamples) + fits.bound_jobs(fitted.k, resamples))
    table = topic_quality(FitTopics.of(fitted), fits.draws(fitted.k), documents,
                          fitted.dictionary, fitted.themes, measures=("c_npmi",))  # fmt: skip
    table["stability_floor"], table["stability_ceiling"] = fits.bounds(fitted.k)
    return table[["topic", *QUALITY]]


class _Fits:
    """The fits of one K selection, by (corpus, k, draw): ``data`` (the training documents),
    ``floor`` (their tokens shuffled across documents) and ``ceiling`` (a corpus sampled from
    the full fit at k); draw 0 is the fit on all of the corpus. Fits run in ``workers``
    processes; each is seeded, so the results do not depend on the order or the pool."""

    def __init__(self, tokens, settings, themes, share, draw_seed, workers, progress=False):
        self.tokens = [list(doc) for doc in tokens]
        self.settings, self.themes, self.share = settings, themes, share
        self.draw_seed, self.workers, self.progress = draw_seed, workers, progress
        self.topics: dict[tuple[str, int, int], FitTopics] = {}
        self.perplexity: dict[int, list[tuple[float, float]]] = {}
        self.full: dict[int, FittedLda] = {}
        self.failed: set[tuple[str, int, int]] = set()  # floor/ceiling fits pruning emptied
        self._floor: list[list[str]] | None = None

    def add_full(self, k: int, fitted: FittedLda) -> None:
        self.full[k] = fitted
        self.topics["data", k, 0] = FitTopics.of(fitted)

    def corpus(self, name: str, k: int) -> list[list[str]]:
        if name == "data":
            return self.tokens
        if name == "floor":
            if self._floor is None:
                self._floor = shuffled_documents(self.tokens, self.draw_seed)
            return self._floor
        return sampled_documents(self.full[k], self.tokens, self.draw_seed)

    def n_draws(self, k: int, corpus: str = "data") -> int:
        return sum(1 for (name, kk, r) in self.topics if name == corpus and kk == k and r > 0)

    def draw_jobs(self, k: int, upto: int) -> list[tuple[str, int, int]]:
        return [("data", k, r) for r in range(self.n_draws(k) + 1, upto + 1)]

    def bound_jobs(self, k: int, resamples: int) -> list[tuple[str, int, int]]:
        """Fits still missing for the floor and the ceiling at ``k`` (none without draws)."""
        if resamples == 0:
            return []
        draws = range(min(REFERENCE_DRAWS, resamples) + 1)
        return [(name, k, r) for name in ("floor", "ceiling") for r in draws
                if (name, k, r) not in self.topics and (name, k, r) not in self.failed]  # fmt: skip

    def run(self, jobs: list[tuple[str, int, int]]) -> None:
        from tqdm.auto import tqdm

        jobs = [job for job in jobs if job not in self.topics]
        if not jobs:
            return
        corpora = {(name, k): self.corpus(name, k) for name, k, _ in jobs}
        work = [(corpora[name, k], replace(self.settings, k=k), draw, name == "data")
                for name, k, draw in jobs]  # fmt: skip
        job = partial(_fit_job, self.themes, self.share, self.draw_seed)
        with executor(self.workers, len(jobs)) as pool:
            results = tqdm(pool.map(job, work), total=len(jobs), desc="select-k",
                           disable=not self.progress)  # fmt: skip
            for (name, k, draw), (model, topics, held_out) in zip(jobs, results, strict=True):
                if topics is None:
                    self.failed.add((name, k, draw))
                    continue
                self.topics[name, k, draw] = topics
                if name == "data" and draw == 0:
                    self.full[k] = model
                elif name == "data":
                    self.perplexity.setdefault(k, []).append(held_out)

    def draws(self, k: int, corpus: str = "data") -> list[FitTopics]:
        return [self.topics[corpus, k, r] for r in range(1, self.n_draws(k, corpus) + 1)]

    def bounds(self, k: int) -> tuple[float, float]:
        """The model-level stability of the floor and the ceiling at ``k`` (NaN if not fitted)."""
        values = []
        for name in ("floor", "ceiling"):
            draws = [self.topics[key] for key in self.topics if key[:2] == (name, k) and key[2]]
            full = self.topics.get((name, k, 0))
            values.append(draw_summary(full, draws)[0] if draws and full else np.nan)
        return values[0], values[1]


def measure_ks(
    tokens: Sequence[list[str]],
    model_settings: ModelSettings,
    themes: ThemeSet | None = None,
    ks: Iterable[int] = KS,
    resamples: int = RESAMPLES,
    share: float = SUBSAMPLE_SHARE,
    progress: bool = True,
    workers: int | None = None,
    draw_seed: int = DRAW_SEED,
    coarse: int = COARSE_RESAMPLES,
) -> tuple[pd.DataFrame, dict[int, FittedLda]]:
    """Fit every K on all documents and on subsample draws (``share`` of them, chosen with
    ``draw_seed``), with ``model_settings`` otherwise, in ``workers`` processes (None: every
    core), at a bounded cost:

    1. every K of the grid: the full fit and ``coarse`` draws;
    2. the K the rule (:func:`~topics.model.k_rule.recommend`) would answer with, and the most
       stable K it compares it with: the floor and ceiling (the full fit and
       :data:`~topics.model.stability.REFERENCE_DRAWS` draws on shuffled and on sampled
       tokens), then draws up to ``resamples`` unless stability lies more than two standard
       errors below its threshold; repeated until the rule's answer rests on measured K only,
       or :data:`MAX_CHECKS` K were checked (the rule then names the K left unchecked).

    Returns the table, one row per (k, topic) of the full-data fit, and the full-data fits by
    K (the final run at the chosen K: nothing is fitted twice). Columns: those of
    :func:`topic_quality`; diversity (share of distinct words among the top 25);
    perplexity (mean over the draws of their held-out perplexity on the documents they
    left out) and perplexity_unigram (the same documents predicted by word frequencies
    alone); draws and stability_se (standard error over draws of the model-level stability),
    stability_floor and stability_ceiling (NaN where not measured); large_k (K > documents /
    10, warned) and fit_seconds of the full-data fit. K above the number of documents or
    below the number of themes is skipped with a warning.
    """
    ks, large = _usable_ks(ks, len(tokens), len(themes or ()))
    if not ks:
        return pd.DataFrame(columns=COLUMNS), {}
    fits = _Fits(tokens, model_settings, themes, share, draw_seed, workers, progress)
    fits.run([("data", k, r) for k in ks for r in range(min(coarse, resamples) + 1)])
    work = [(fits.topics["data", k, 0], fits.full[k].dictionary) for k in ks]
    with executor(workers, len(ks)) as pool:
        coherence = dict(zip(ks, pool.map(partial(_quality_job, fits.tokens, themes), work),
                             strict=True))  # fmt: skip
    checked: set[int] = set()
    while True:
        table = _selection_table(fits, ks, large, coherence)
        pending = recommend(table, resamples).pending if resamples else ()
        # the floor and ceiling first (at most MAX_CHECKS K), then all draws where stability
        # is above its threshold or within two standard errors of it
        to_check = [k for k in pending if k not in checked][: max(MAX_CHECKS - len(checked), 0)]
        jobs = [job for k in to_check for job in fits.bound_jobs(k, resamples)]
        checked.update(to_check)
        if not jobs:
            summary = k_summary(table)
            near = summary["stability"] + 2 * summary["stability_se"].fillna(0.1)
            close = [k for k in checked if near[k] >= summary.at[k, "threshold"]]
            jobs = [job for k in close for job in fits.draw_jobs(k, resamples)]
        if not jobs:
            return table, fits.full
        fits.run(jobs)


def _selection_table(fits: _Fits, ks: list[int], large: set[int], coherence: dict):
    tables = []
    for k in ks:
        full, draws = fits.topics["data", k, 0], fits.draws(k)
        table = coherence[k].copy()
        table[["stability", "stability_js"]] = _stability_columns(full, draws)[
            ["stability", "stability_js"]
        ]
        table.insert(0, "k", k)
        table["diversity"] = topic_diversity(terms.top_terms(full.topic_word, full.vocabulary, 25))
        scores = np.array(fits.perplexity.get(k, [(np.nan, np.nan)]))
        table["perplexity"], table["perplexity_unigram"] = scores.mean(axis=0)
        table["draws"] = len(draws)
        table["stability_se"] = draw_summary(full, draws)[1]
        table["stability_floor"], table["stability_ceiling"] = fits.bounds(k)
        table["large_k"] = k in large
        table["fit_seconds"] = fits.full[k].fit_seconds
        tables.append(table)
    return pd.concat(tables, ignore_index=True)[COLUMNS]


def select_k(
    tokens: Sequence[list[str]],
    model_settings: ModelSettings,
    themes: ThemeSet | None = None,
    ks: Iterable[int] = KS,
    resamples: int = RESAMPLES,
    progress: bool = True,
    workers: int | None = None,
    draw_seed: int = DRAW_SEED,
    coarse: int = COARSE_RESAMPLES,
) -> pd.DataFrame:
    """The table of :func:`measure_ks`: one row per (k, topic) (on a corpus with a known
    number of topics: ``tests/test_evaluate.py``)."""
    table, _ = measure_ks(tokens, model_settings, themes, ks, resamples, SUBSAMPLE_SHARE,
                          progress, workers, draw_seed, coarse)  # fmt: skip
    return table


def _fit_job(themes, share: float, draw_seed: int, job):
    """Fit one draw (0: all documents, returned whole); a draw of the training data also
    scores its held-out perplexity on the documents it left out."""
    documents, settings, draw, scored = job
    try:
        fitted, outside = fit_draw(documents, settings, themes, draw, draw_seed, share)
    except InputError:
        if scored:
            raise
        return None, None, (np.nan, np.nan)  # e.g. shuffled tokens all pruned: no floor
    if draw == 0 or not scored:
        return (fitted if draw == 0 and scored else None), FitTopics.of(fitted), (np.nan, np.nan)
    held = [documents[i] for i in outside]
    scores = (heldout_perplexity(fitted, held), heldout_perplexity(fitted, held, unigram=True))
    return None, FitTopics.of(fitted), scores


def _quality_job(tokens, themes, job) -> pd.DataFrame:
    full, dictionary = job
    return topic_quality(full, [], tokens, dictionary, themes)
