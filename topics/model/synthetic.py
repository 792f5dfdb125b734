"""Corpora with a known answer, built by code, for tests and benchmarks of topic stability and
of the K rule (in the style of scikit-learn's "blocks of words give topics").

>>> docs = planted_corpus(3, n_docs=6, doc_length=4, seed=1)
>>> len(docs), sorted({word[:2] for doc in docs for word in doc})
(6, ['bg', 't0', 't1', 't2'])
"""

from __future__ import annotations

import numpy as np


def planted_corpus(
    n_topics: int,
    n_docs: int = 150,
    words_per_topic: int = 15,
    doc_length: int = 30,
    background: float = 0.1,
    seed: int = 0,
) -> list[list[str]]:
    """Documents drawn from ``n_topics`` disjoint blocks of ``words_per_topic`` words (``t3w7``
    is word 7 of topic 3): document d takes its words from block d mod ``n_topics`` at
    Zipf-like frequencies, and a ``background`` share of them from a shared block (``bg…``)."""
    rng = np.random.default_rng(seed)
    ranks = np.arange(1, words_per_topic + 1, dtype=float)
    weights = (1 / ranks) / (1 / ranks).sum()
    docs = []
    for d in range(n_docs):
        topic = d % n_topics
        n_background = rng.binomial(doc_length, background)
        words = rng.choice(words_per_topic, doc_length - n_background, p=weights)
        docs.append(
            [f"t{topic}w{w}" for w in words]
            + [f"bg{w}" for w in rng.integers(0, words_per_topic, n_background)]
        )
    return docs


def shuffled_corpus(documents: list[list[str]], seed: int = 0) -> list[list[str]]:
    """The same tokens and document lengths with every token put in a random document: the
    word frequencies stay, any topic structure goes."""
    rng = np.random.default_rng(seed)
    tokens = np.array([w for doc in documents for w in doc])
    rng.shuffle(tokens)
    bounds = np.cumsum([0, *(len(doc) for doc in documents)])
    return [tokens[a:b].tolist() for a, b in zip(bounds[:-1], bounds[1:], strict=True)]
