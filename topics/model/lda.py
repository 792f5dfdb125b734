"""LDA on paragraphs: gensim dictionary and bag of words, an NMF start, seeded-theme priors.

Why the NMF start: on this corpus gensim's random initialisation gives topics that change with
the seed (mean matched top-10 Jaccard ≈ 0.35 between seeds). Writing a deterministic NMF
(``nndsvda``) solution on tf-idf into the model's sufficient statistics before training makes
fits nearly seed-independent (≈ 1.0) and more coherent, at no extra cost (see DESIGN.md and
``benchmarks/bench_models.py``). The same data, settings and seed give bitwise-identical topics.

Three planted blocks of 10 words (``t0w…``, ``t1w…``, ``t2w…``) and 10 background words come
back as three topics, each led by one block; new documents get the topic of their block:

>>> import numpy as np
>>> from topics.model.synthetic import planted_corpus
>>> tokens = planted_corpus(3, n_docs=60, words_per_topic=10, seed=1)
>>> fitted = fit_lda(tokens, ModelSettings(k=3, seed=1, no_below=1))
>>> fitted.topic_word().shape
(3, 40)
>>> words = np.asarray(fitted.vocabulary())
>>> [sorted({w[:2] for w in words[np.argsort(-row)[:10]]}) for row in fitted.topic_word()]
[['t0'], ['t2'], ['t1']]
>>> fitted.transform(fitted.counts(tokens[:3])).argmax(axis=1).tolist()  # blocks 0, 1, 2
[0, 2, 1]
"""

from __future__ import annotations

import copy
import logging
import re
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field

import numpy as np
from gensim.corpora import Dictionary
from gensim.models import LdaModel, LdaMulticore
from scipy import sparse

from topics.errors import input_error
from topics.model.bows import MatrixCorpus, count_matrix
from topics.model.settings import ModelSettings
from topics.model.themes import ThemeSet
from topics.text.token_ids import Documents, TokenIds, as_token_ids

log = logging.getLogger(__name__)
BagOfWords = list[tuple[int, int]]
#: Documents per call of gensim's inference (the shares do not depend on it).
INFERENCE_CHUNK = 2000


@dataclass
class PruningReport:
    """What dictionary pruning removed: words, tokens and documents left empty."""

    words_before: int
    words_after: int
    tokens_before: int
    tokens_after: int
    documents: int
    empty_documents: int
    removed_top: list[tuple[str, int]] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> PruningReport:
        """The inverse of :meth:`as_dict` (JSON turned the ``(word, count)`` pairs to lists)."""
        return cls(**{**values, "removed_top": [tuple(p) for p in values["removed_top"]]})

    def __str__(self) -> str:
        top = " ".join(f"{w}({n})" for w, n in self.removed_top[:15])
        return (
            f"dictionary: {self.words_after} of {self.words_before} words kept, "
            f"{self.tokens_after} of {self.tokens_before} tokens; "
            f"{self.empty_documents} of {self.documents} documents left empty; "
            f"most frequent removed: {top}"
        )


def build_dictionary(
    documents: Documents, no_below: int, no_above: float, keep: Sequence[str] = ()
) -> tuple[Dictionary, PruningReport]:
    """gensim ``Dictionary`` pruned with ``filter_extremes``; ``keep`` words always survive.

    Words in fewer than ``no_below`` documents or in more than ``no_above`` of them go.
    ``documents``: token ids, or token lists.
    """
    dictionary, report, _ = _pruned_counts(as_token_ids(documents), no_below, no_above, keep)
    return dictionary, report


def _pruned_counts(
    documents: TokenIds, no_below: int, no_above: float, keep: Sequence[str]
) -> tuple[Dictionary, PruningReport, sparse.csr_matrix]:
    """:func:`build_dictionary`, and the documents' count matrix over the pruned dictionary."""
    dictionary = documents.dictionary()
    before = {dictionary[i]: dictionary.cfs[i] for i in range(len(dictionary))}  # by first use
    keep = [w for w in keep if w in dictionary.token2id]
    dictionary.filter_extremes(no_below=no_below, no_above=no_above, keep_n=None, keep_tokens=keep)
    dictionary.compactify()
    counts = count_matrix(documents, dictionary)
    removed = Counter({w: n for w, n in before.items() if w not in dictionary.token2id})
    kept_tokens = sum(n for w, n in before.items() if w in dictionary.token2id)
    report = PruningReport(
        words_before=len(before),
        words_after=len(dictionary),
        tokens_before=sum(before.values()),
        tokens_after=kept_tokens,
        documents=dictionary.num_docs,
        empty_documents=int((counts.getnnz(axis=1) == 0).sum()),
        removed_top=removed.most_common(30),
    )
    log.info("%s", report)
    return dictionary, report, counts


def theme_prior(
    dictionary: Dictionary,
    k: int,
    themes: ThemeSet,
    strength: float,
    base: float,
    frequency: np.ndarray | None = None,
) -> np.ndarray:
    """The K×V ``eta`` matrix: ``base`` everywhere, plus ``strength`` pseudo-counts on theme t's
    seed words in topic t (themes take topics 0…T−1, the rest stay free).

    With ``frequency`` (corpus count per word), a seed's pseudo-counts are capped at its count,
    so the prior never outweighs the evidence: a seed that occurs once is not made a top word.
    """
    if len(themes) > k:
        raise input_error(themes.source, f"{len(themes)} themes but only k={k} topics")
    eta = np.full((k, len(dictionary)), base, dtype=np.float64)
    for topic, theme in enumerate(themes):
        ids = np.array([dictionary.token2id[s] for s in theme.seeds if s in dictionary.token2id])
        if len(ids):
            bonus = strength if frequency is None else np.minimum(strength, frequency[ids])
            eta[topic, ids] += bonus
    return eta


def nmf_start(counts: sparse.csr_matrix, k: int, seed: int, eta: np.ndarray | None) -> np.ndarray:
    """Topic-word pseudo-counts (K×V) from NMF on the tf-idf of ``counts`` (documents × words).

    With a seeded ``eta``, each theme topic starts instead from the words of the documents that
    use its seed words (weighted by how densely they do), and the NMF component closest to the
    theme is the one it replaces. Starting theme topics from their documents, rather than from
    the nearest NMF component, keeps a small theme (finance here) from inheriting a large
    neighbouring one: the share of finance's top-10 passages that contain a finance seed word
    rises from 0.2 to 0.8.
    """
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfTransformer

    counts = counts.astype(np.float64)
    tfidf = TfidfTransformer().fit_transform(counts)
    nmf = NMF(n_components=k, init="nndsvda", random_state=seed, max_iter=500)
    nmf.fit(tfidf)
    components = nmf.components_ + 1e-12
    components /= components.sum(axis=1, keepdims=True)
    if eta is not None:
        components = components[_order_by_seeds(components, eta)]
        seeded = eta - eta.min(axis=1, keepdims=True) > 0
        for topic in np.flatnonzero(seeded.any(axis=1)):
            profile = _seed_document_profile(counts, seeded[topic])
            if profile is not None:
                components[topic] = profile
    tokens_per_topic = counts.sum() / k
    return components * tokens_per_topic


def _seed_document_profile(counts, seed_mask: np.ndarray) -> np.ndarray | None:
    """Word distribution of the documents using the seed words, each weighted by the share of
    its tokens that are seeds (None when no document uses them)."""
    lengths = np.asarray(counts.sum(axis=1)).ravel()
    seed_tokens = np.asarray(counts[:, seed_mask].sum(axis=1)).ravel()
    weights = np.divide(seed_tokens, lengths, out=np.zeros_like(lengths), where=lengths > 0)
    if not weights.any():
        return None
    profile = np.asarray(counts.T @ weights).ravel() + 1e-12
    return profile / profile.sum()


def _order_by_seeds(components: np.ndarray, eta: np.ndarray) -> np.ndarray:
    """Permutation putting, in row t, the NMF component that carries theme t's seeds most."""
    from scipy.optimize import linear_sum_assignment

    seeded = eta - eta.min(axis=1, keepdims=True)
    affinity = seeded @ components.T  # topics (with seeds) × components
    has_seeds = seeded.sum(axis=1) > 0
    order = np.full(len(components), -1)
    if has_seeds.any():
        rows, cols = linear_sum_assignment(-affinity[has_seeds])
        order[np.flatnonzero(has_seeds)[rows]] = cols
    rest = [c for c in range(len(components)) if c not in set(order)]
    order[order < 0] = rest
    return order


_PROGRESS = re.compile(r"PROGRESS: pass (\d+),.*?#(\d+)/(\d+)")


class _PassBar(logging.Handler):
    """Moves a tqdm bar on gensim's ``PROGRESS: pass p, ... #done/total`` log lines; forwards
    the records that would have been shown anyway."""

    def __init__(self, bar, forward_level: int):
        super().__init__(logging.DEBUG)
        self.bar, self.forward_level = bar, forward_level

    def emit(self, record: logging.LogRecord) -> None:
        match = _PROGRESS.search(record.getMessage())
        if match:
            pass_, done, total = map(int, match.groups())
            self.bar.update(pass_ * total + done - self.bar.n)
        elif record.levelno >= self.forward_level:
            logging.getLogger("gensim").handle(record)


@contextmanager
def pass_progress(passes: int, n_docs: int, enabled: bool = True) -> Iterator[None]:
    """A progress bar with ETA over ``passes`` × ``n_docs`` documents of gensim training."""
    if not enabled:
        yield
        return
    from tqdm.auto import tqdm

    logger = logging.getLogger("gensim.models")
    level, propagate = logger.level, logger.propagate
    bar = tqdm(total=passes * n_docs, desc="fitting LDA", unit="doc", unit_scale=True)
    handler = _PassBar(bar, logger.getEffectiveLevel())
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        yield
        bar.update(bar.total - bar.n)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate
        bar.close()


@dataclass(frozen=True)
class FittedLda:
    """A fitted LDA in scikit-learn's spirit: what it was given, what it learned, one way to use it.

    Given (never changed by fitting): ``settings`` and the seeded ``themes``.
    Learned: ``model``, gensim's variational state (topic-word parameters λ, priors α and η),
    read through :meth:`topic_word`; ``dictionary``, the pruned vocabulary (word ↔ column);
    ``pruning``, what pruning removed. Measured: ``fit_seconds``.

    :meth:`counts` turns documents into this fit's count matrix and :meth:`transform` infers
    their topic shares: the one inference path, repeatable and leaving the model unchanged.
    """

    settings: ModelSettings
    model: LdaModel
    dictionary: Dictionary
    pruning: PruningReport
    themes: ThemeSet | None = None
    fit_seconds: float = 0.0

    @property
    def k(self) -> int:
        return self.model.num_topics

    def topic_word(self) -> np.ndarray:
        """K×V topic-word probabilities (rows sum to 1), in float64."""
        topics = self.model.get_topics().astype(np.float64)
        return topics / topics.sum(axis=1, keepdims=True)

    def vocabulary(self) -> list[str]:
        return [self.dictionary[i] for i in range(len(self.dictionary))]

    def counts(self, documents: Documents) -> sparse.csr_matrix:
        """Document × word counts of token ids (or token lists) over this fit's vocabulary;
        unknown words are dropped."""
        return count_matrix(as_token_ids(documents), self.dictionary)

    def bows(self, documents: Documents) -> list[BagOfWords]:
        """Bags of words (``Dictionary.doc2bow``'s) of documents, from :meth:`counts`."""
        return list(MatrixCorpus(self.counts(documents)))

    def transform(self, counts: sparse.spmatrix, chunk: int = INFERENCE_CHUNK) -> np.ndarray:
        """N×K topic shares of the documents in ``counts`` (rows of :meth:`counts`); rows of
        documents with no known word are NaN.

        Variational inference from a random start seeded with ``settings.seed`` afresh on every
        call, so the same counts give the same shares; it runs on a shallow copy of the model
        with its own random state, so the model itself is never modified. Shares do not depend
        on ``chunk`` (documents per call of gensim's inference).
        """
        counts = sparse.csr_matrix(counts)
        if counts.shape[1] != len(self.dictionary):
            raise ValueError(f"counts have {counts.shape[1]} columns, the vocabulary has "
                             f"{len(self.dictionary)} words")  # fmt: skip
        engine = copy.copy(self.model)
        engine.random_state = np.random.RandomState(self.settings.seed)
        known = np.flatnonzero(np.diff(counts.indptr) > 0)
        bags = list(MatrixCorpus(counts[known]))
        shares = np.full((counts.shape[0], self.k), np.nan)
        if known.size:
            gamma = np.concatenate([engine.inference(bags[start : start + chunk])[0]
                                    for start in range(0, len(bags), chunk)])  # fmt: skip
            shares[known] = gamma / gamma.sum(axis=1, keepdims=True)
        return shares


def fit_lda(
    documents: Documents,
    settings: ModelSettings,
    themes: ThemeSet | None = None,
    progress: bool = False,
) -> FittedLda:
    """Fit LDA to token ids (or token lists, one per document) and return the fitted model. Bags of words reach gensim one document at a time from a count
    matrix (:mod:`topics.model.bows`), so memory grows with distinct words per document, not tokens.

    With ``themes``, topic t is seeded with theme t's words; with ``settings.init == "nmf"``
    training starts from an NMF solution instead of random topics. ``progress``: a bar over
    the passes (from gensim's log), with an ETA.
    """
    if settings.k == "auto":
        raise input_error(None, 'model.k = "auto" names no K', "pass a number, or resolve it with "
                          "topics.pipeline.model_settings (the K select-k recommends)")  # fmt: skip
    started = time.perf_counter()
    seeds = [s for theme in themes or () for s in theme.seeds]
    dictionary, pruning, counts = _pruned_counts(
        as_token_ids(documents), settings.no_below, settings.no_above, seeds
    )
    n_docs = pruning.documents - pruning.empty_documents
    if n_docs == 0:
        raise input_error(None, "no document has a word left after pruning; nothing to model")
    if settings.k > n_docs:
        raise input_error(
            None,
            f"k={settings.k} topics for only {n_docs} documents",
            "choose a smaller k (topics select-k suggests one)",
        )
    base = settings.eta if settings.eta is not None else 1.0 / settings.k
    eta = None
    if themes:
        frequency = np.asarray(counts.sum(axis=0), dtype=np.float64).ravel()
        eta = theme_prior(dictionary, settings.k, themes, settings.theme_strength, base, frequency)
    model_class = LdaMulticore if settings.multicore else LdaModel
    extra = {"workers": settings.workers} if settings.multicore else {}
    model = model_class(
        id2word=dictionary,
        num_topics=settings.k,
        alpha=settings.alpha,
        eta=eta if eta is not None else base,
        passes=settings.passes,
        iterations=settings.iterations,
        random_state=settings.seed,
        chunksize=settings.chunksize,
        eval_every=None,
        dtype=np.float64,
        **extra,
    )
    if settings.init == "nmf":
        model.state.sstats = nmf_start(counts, settings.k, settings.seed, eta)
        model.sync_state()
    with pass_progress(settings.passes, len(counts.indptr) - 1, progress):
        model.update(MatrixCorpus(counts), passes=settings.passes, iterations=settings.iterations)
    return FittedLda(settings, model, dictionary, pruning, themes, time.perf_counter() - started)
