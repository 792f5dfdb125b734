"""Model settings: plain dataclasses, cheap to import (no gensim until a model is fitted).

The defaults are the shipped ``topics.toml``'s: a folder whose config has no ``[model]`` or
``[select_k]`` section fits like this repository (K chosen by ``select-k``, four themes seeded).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Literal

from topics.validate import check_fields, require

#: Themes seeded by default: ids in the shipped themes file.
DEFAULT_THEMES = ("finance", "cadre_incentives", "village_autonomy", "rural_setting")
#: The K grid `topics select-k` compares (and k = "auto" chooses from).
DEFAULT_KS = (4, 6, 8, 10, 12)
#: Draws (fits on 80 % subsamples) per K near the chosen one (and per run) that measure
#: stability: with 3 the model-level figure moved by sd 0.07 between draw sets.
DEFAULT_RESAMPLES = 8
#: Seed of the subsample draws, recorded with the results; independent of the model's seed.
DEFAULT_DRAW_SEED = 0
MIN_K = 2  # LDA needs at least two topics
#: The largest K accepted (and never more than the documents: larger K are skipped).
MAX_K = 1000
#: Seeds are 32-bit (numpy's legacy generator, which gensim uses).
MAX_SEED = 2**32 - 1


def _plain(values: dict) -> dict:
    return {k: list(v) if isinstance(v, tuple) else v for k, v in values.items()}


@dataclass(frozen=True)
class ModelSettings:
    """Settings of one LDA fit; the defaults were chosen by measurement on the bundled corpus.

    ``k`` topics (``"auto"``: the K that ``select-k`` recommends; the pipeline resolves it),
    ``seed`` for every random choice, ``passes`` over the corpus and ``iterations`` per
    document, Dirichlet priors ``alpha`` (document-topic) and ``eta`` (topic-word; None = 1/k),
    ``init`` "nmf" (stable) or "random" (gensim's default), dictionary pruning ``no_below``
    (documents) and ``no_above`` (share of documents), seeded ``themes`` (ids from the themes
    file, or ``["all"]``) with prior ``theme_strength`` pseudo-counts per seed word,
    ``chunksize`` documents per update (0: all of them, one batch update per pass: online
    updates in chunks made fits less stable at scale, README "Measured").

    >>> ModelSettings(k=8, passes=-1)
    Traceback (most recent call last):
    topics.errors.InputError: model.passes must be an integer >= 1, not -1
    """

    k: int | Literal["auto"] = "auto"
    seed: int = 42
    passes: int = 20
    iterations: int = 400
    alpha: Literal["symmetric", "asymmetric", "auto"] | float = "symmetric"
    eta: float | None = None
    init: Literal["nmf", "random"] = "nmf"
    no_below: int = 3
    no_above: float = 0.5
    themes: tuple[str, ...] = DEFAULT_THEMES
    theme_strength: float = 10.0
    multicore: bool = False
    workers: int = 2
    chunksize: int = 0

    def __post_init__(self):
        check_fields(self, "model")
        k_ok = self.k == "auto" or MIN_K <= self.k <= MAX_K
        require(k_ok, "model", "k", f'an integer from 2 to {MAX_K} or "auto"', self.k)
        seed_ok = 0 <= self.seed <= MAX_SEED
        require(seed_ok, "model", "seed", f"an integer from 0 to {MAX_SEED}", self.seed)
        for name in ("passes", "iterations", "no_below", "workers"):
            require(getattr(self, name) >= 1, "model", name, "an integer >= 1", getattr(self, name))
        chunks_ok = self.chunksize >= 0
        require(
            chunks_ok, "model", "chunksize", "an integer >= 0 (0: all documents)", self.chunksize
        )
        if not isinstance(self.alpha, str):
            require(_positive(self.alpha), "model", "alpha", "a number > 0", self.alpha)
        if self.eta is not None:
            require(_positive(self.eta), "model", "eta", "a number > 0", self.eta)
        require(0 < self.no_above <= 1, "model", "no_above", "a share in (0, 1]", self.no_above)
        strength = self.theme_strength
        strength_ok = strength >= 0 and math.isfinite(strength)
        require(strength_ok, "model", "theme_strength", "a number >= 0", strength)
        require(all(self.themes), "model", "themes", "a list of theme ids", self.themes)

    def as_dict(self) -> dict:
        return _plain(asdict(self))

    @classmethod
    def from_dict(cls, values: dict) -> ModelSettings:
        """The inverse of :meth:`as_dict` (lists from TOML or JSON become tuples)."""
        return cls(**values)


def _positive(value: float) -> bool:
    return value > 0 and math.isfinite(value)


@dataclass(frozen=True)
class SelectKSettings:
    """The ``[select_k]`` grid: ``ks`` compared by ``topics select-k``, ``resamples`` subsample
    draws per K that matters (and per run) for stability under resampling (0: not measured),
    drawn with ``draw_seed``; ``workers`` processes for independent fits (0: every core)."""

    ks: tuple[int, ...] = DEFAULT_KS
    resamples: int = DEFAULT_RESAMPLES
    draw_seed: int = DEFAULT_DRAW_SEED
    workers: int = 0

    def __post_init__(self):
        check_fields(self, "select_k")
        ks_ok = bool(self.ks) and min(self.ks) >= MIN_K and max(self.ks) <= MAX_K
        rule = f"a non-empty list of integers from 2 to {MAX_K}"
        require(ks_ok, "select_k", "ks", rule, self.ks)
        require(self.resamples >= 0, "select_k", "resamples", "an integer >= 0", self.resamples)
        require(self.draw_seed >= 0, "select_k", "draw_seed", "an integer >= 0", self.draw_seed)
        require(self.workers >= 0, "select_k", "workers", "an integer >= 0", self.workers)

    def as_dict(self) -> dict:
        return _plain(asdict(self))
