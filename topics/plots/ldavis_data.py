"""The LDAvis view's data, built from the project's own numbers so that it matches the figures.

``pyLDAvis.prepare`` replaces the term frequencies it is given by the model's implied ones
(``_prepare.py``: the sum over topics of ``p(w|k)`` times the topic's tokens) and ranks terms
by relevance against those, so its bars and top terms differ from ``topic_terms.png`` and
``run.terms``. Here the same structure (``pyLDAvis.PreparedData``) is built directly:

- grey bar (``Total``): the term's count in the corpus, ``run.term_frequency()``;
- red bar (``Freq``): the term's estimated tokens in the topic,
  :func:`topics.plots.topic_terms.topic_term_counts` (the dark bars of ``topic_terms.png``);
- ``logprob`` and ``loglift``: ``log p(w|k)`` and ``log(p(w|k) / p(w))`` with ``p(w)`` from
  the corpus counts, as in :func:`topics.model.terms.relevance`. Terms are chosen and listed
  by relevance computed from these rounded values, as the page's script computes it, so exact
  ties keep vocabulary order whatever the host, and the page ranks terms as ``run.terms``;
- bubbles: :func:`topics.model.ordination.topic_coordinates`, sized by prevalence.

Floats are rounded to a fixed precision, so the same run gives the same page on every host.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from topics.model.choices import LAMBDA
from topics.model.ordination import round_to_scale, topic_coordinates
from topics.plots.topic_terms import topic_term_counts

#: λ at which the page opens and lists each topic's terms (as ``topics show`` and the PNGs).
DEFAULT_LAMBDA = LAMBDA
#: Decimals kept of ``logprob`` and ``loglift`` (values of order 1–10): fine enough that
#: rounding does not reorder terms, coarse enough to drop host-specific last bits.
LOG_DECIMALS = 6
#: Terms drawn per bar chart, and the λ grid over which a topic's candidate terms are gathered.
N_TERMS = 30
LAMBDA_STEP = 0.01
#: Smallest estimated count of a term in a topic that sizes that topic's bubble on hover.
MIN_TOKEN_COUNT = 0.5


def lambda_grid(step: float = LAMBDA_STEP, lam: float = DEFAULT_LAMBDA) -> np.ndarray:
    """λ values 0, step, …, 1 (exact decimals) plus ``lam``."""
    n = round(1 / step)
    return np.unique(np.round(np.append(np.arange(n + 1) * step, lam), 10))


def _saliency(topic_word: np.ndarray, term_share: np.ndarray, prevalence: np.ndarray):
    """Saliency of each term as LDAvis defines it: ``p(w) * Σ_k p(k|w) log(p(k|w) / p(k))``
    with ``p(k|w)`` the column-normalised topic-word matrix."""
    given_term = topic_word / topic_word.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        kernel = given_term * np.log(given_term / prevalence[:, None])
    return term_share * np.nansum(kernel, axis=0)


def _rounded_logs(log_values: np.ndarray) -> np.ndarray:
    return np.round(log_values, LOG_DECIMALS) + 0.0


def topic_info(
    topic_word: np.ndarray,
    counts: np.ndarray,
    term_frequency: np.ndarray,
    vocab: np.ndarray,
    prevalence: np.ndarray,
    n_terms: int = N_TERMS,
    grid: np.ndarray | None = None,
    lam: float = DEFAULT_LAMBDA,
) -> pd.DataFrame:
    """``tinfo`` of the page: the ``n_terms`` most salient terms (the view with no topic
    selected), then per topic every term among its top ``n_terms`` at any λ of ``grid``,
    listed in relevance order at ``lam``."""
    grid = lambda_grid(lam=lam) if grid is None else grid
    k, v = topic_word.shape
    n_terms = min(n_terms, v)
    term_share = term_frequency / term_frequency.sum()
    saliency = round_to_scale(_saliency(topic_word, term_share, prevalence))
    salient = np.argsort(-saliency, kind="stable")[:n_terms]
    ranks = np.arange(n_terms, 0, -1, dtype=float)
    frames = [
        pd.DataFrame(
            {
                "Term": vocab[salient],
                "Freq": term_frequency[salient],
                "Total": term_frequency[salient],
                "Category": "Default",
                "logprob": ranks,
                "loglift": ranks,
            }
        )
    ]
    with np.errstate(divide="ignore"):
        logprob = _rounded_logs(np.log(topic_word))
        loglift = _rounded_logs(np.log(topic_word) - np.log(term_share))

    def ranking(value: float) -> np.ndarray:
        # As the page's script ranks: from the rounded logs, so last-bit noise cannot reorder.
        return np.argsort(-(value * logprob + (1 - value) * loglift), axis=1, kind="stable")

    chosen = np.zeros((k, v), dtype=bool)
    for value in grid:
        np.put_along_axis(chosen, ranking(value)[:, :n_terms], True, axis=1)
    order = ranking(lam)
    for topic in range(k):
        ids = order[topic][chosen[topic][order[topic]]]
        frames.append(
            pd.DataFrame(
                {
                    "Term": vocab[ids],
                    "Freq": round_to_scale(counts[topic, ids]),
                    "Total": term_frequency[ids],
                    "Category": f"Topic{topic + 1}",
                    "logprob": _rounded_logs(logprob[topic, ids]),
                    "loglift": _rounded_logs(loglift[topic, ids]),
                },
                index=ids,
            )
        )
    frames[0].index = salient
    return pd.concat(frames)


def token_table(info: pd.DataFrame, counts: np.ndarray, vocab: np.ndarray) -> pd.DataFrame:
    """``token.table``: for every term in ``info``, each topic's share of its estimated tokens
    (the bubble sizes when a term is hovered), for topics with at least
    ``MIN_TOKEN_COUNT`` of them; sorted by term, then topic."""
    ids = np.unique(info.index.to_numpy())
    rounded = np.round(counts[:, ids])
    topic, column = np.nonzero(counts[:, ids] >= MIN_TOKEN_COUNT)
    share = rounded[topic, column] / counts[:, ids].sum(axis=0)[column]
    table = pd.DataFrame(
        {"Topic": topic + 1, "Freq": round_to_scale(share), "Term": vocab[ids[column]]}
    )
    return table.sort_values(["Term", "Topic"], kind="stable").reset_index(drop=True)


def prepare_ldavis(run, n_terms: int = N_TERMS, lam: float = DEFAULT_LAMBDA):
    """``pyLDAvis.PreparedData`` of a run, from the run's own counts (see the module doc).

    Topics keep the run's numbers 1…K; bubbles are placed as in the intertopic map.
    """
    from pyLDAvis import PreparedData

    topic_word = run.topic_word()
    counts = topic_term_counts(run)
    term_frequency = run.term_frequency()
    vocab = run.vocabulary["term"].to_numpy(dtype=object)
    prevalence = run.topics.sort_values("topic")["prevalence"].to_numpy(dtype=float)
    info = topic_info(topic_word, counts, term_frequency, vocab, prevalence, n_terms, lam=lam)
    ordination = topic_coordinates(topic_word)
    xy = ordination.coordinates
    coordinates = pd.DataFrame(
        {
            "x": xy[:, 0],
            "y": xy[:, 1],
            "topics": np.arange(1, run.k + 1),
            "cluster": 1,
            "Freq": round_to_scale(prevalence * 100),
        }
    )
    explained = ordination.explained
    return PreparedData(
        coordinates,
        info,
        token_table(info, counts, vocab),
        min(n_terms, len(vocab)),
        LAMBDA_STEP,
        {"xlab": f"PC1 ({explained[0]:.0%})", "ylab": f"PC2 ({explained[1]:.0%})"},
        list(range(1, run.k + 1)),
    )
