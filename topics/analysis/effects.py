"""How topic prevalence varies with metadata, with uncertainty: R stm's ``estimateEffect``.

Each topic's share is regressed on a patsy formula of document covariates (``~ year``,
``~ bs(year, df=4)``, ``~ C(place)``, ``~ year + place``). Uncertainty comes from the *method of
composition*: draw every document's topic shares from its variational posterior Dirichlet(γ)
(an article draws its paragraphs and mixes them by tokens), refit the regression on each draw,
sample coefficients from each fit's sampling distribution and pool the samples. The intervals
then carry the topic model's uncertainty as well as the regression's.

The core takes plain arrays (γ, token counts, a design matrix), so it is testable without a
model; :func:`estimate_effect` wraps it for a run and its prepared corpus. A draw is one
least-squares solve with all topics as the right-hand side, from a QR factorisation made once.

>>> gamma = np.array([[9.0, 1.0], [5.0, 5.0], [1.0, 9.0]])
>>> X = np.column_stack([np.ones(3), [0.0, 1.0, 2.0]])
>>> samples = composition_samples(gamma, X, draws=50, seed=0)
>>> samples.shape  # (draws × samples per draw, coefficients, topics)
(1000, 2, 2)
>>> bool(samples[:, 1, 0].mean() < 0 < samples[:, 1, 1].mean())  # T1 falls, T2 rises
True
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from threadpoolctl import threadpool_limits

from topics.analysis.design import Design, contrast_rows
from topics.errors import input_error

#: Posterior draws of the document-topic shares (stm uses 25; more gives steadier intervals).
DRAWS = 100
#: Coefficient samples from each draw's regression sampling distribution.
SAMPLES_PER_DRAW = 20
#: Coverage of the reported intervals.
LEVEL = 0.95
LEVELS = ("article", "paragraph")


# --- the core: plain arrays ---------------------------------------------------------------


def unit_matrix(groups: Sequence, weights: np.ndarray) -> tuple[np.ndarray, sparse.csr_matrix]:
    """Units (in order of first appearance) and the sparse units × paragraphs matrix whose rows
    hold each unit's paragraph weights, normalised to sum to 1 (token-weighted mixing)."""
    labels, index = pd.factorize(pd.Series(list(groups)), sort=False)
    weights = np.asarray(weights, dtype=float)
    totals = np.bincount(labels, weights=weights, minlength=len(index))
    if np.any(totals <= 0):
        raise ValueError("every unit needs a positive total weight")
    rows = sparse.csr_matrix(
        (weights / totals[labels], (labels, np.arange(len(labels)))),
        shape=(len(index), len(labels)),
    )
    return np.asarray(index), rows


def draw_shares(
    gamma: np.ndarray, draws: int, seed: int = 0, mixing: sparse.spmatrix | None = None
) -> Iterator[np.ndarray]:
    """``draws`` samples of the topic shares: each row of ``gamma`` (documents × topics, the
    Dirichlet parameters) drawn once per sample, then mixed into units by ``mixing`` (units ×
    documents, rows summing to 1; None: the documents are the units). Yields units × topics."""
    gamma = np.asarray(gamma, dtype=float)
    if gamma.ndim != 2 or not np.all(np.isfinite(gamma)) or np.any(gamma <= 0):
        raise ValueError("gamma must be a 2-D array of positive Dirichlet parameters")
    rng = np.random.default_rng(seed)
    for _ in range(draws):
        theta = rng.standard_gamma(gamma)
        theta /= theta.sum(axis=1, keepdims=True)
        yield theta if mixing is None else np.asarray(mixing @ theta)


def composition_samples(
    gamma: np.ndarray,
    X: np.ndarray,
    draws: int = DRAWS,
    seed: int = 0,
    mixing: sparse.spmatrix | None = None,
    samples_per_draw: int = SAMPLES_PER_DRAW,
) -> np.ndarray:
    """Pooled coefficient samples (draws × samples_per_draw, coefficients, topics).

    ``X`` is the units × coefficients design matrix; ``gamma`` and ``mixing`` are as in
    :func:`draw_shares`. For each draw of the shares, the OLS fit of every topic (one solve,
    topics as columns) gives coefficients β and residual variances σ²; ``samples_per_draw``
    coefficient vectors are drawn from N(β, σ² (XᵀX)⁻¹) per topic.
    """
    X = np.asarray(X, dtype=float)
    n, p = X.shape
    if n <= p:
        raise ValueError(f"{n} units cannot fit {p} coefficients")
    q, r = np.linalg.qr(X)
    if np.min(np.abs(np.diag(r))) < 1e-10 * np.max(np.abs(np.diag(r))):
        raise ValueError("the design matrix is rank-deficient (collinear covariates)")
    r_inv = np.linalg.inv(r)  # (XᵀX)⁻¹ = R⁻¹ R⁻ᵀ
    solve = r_inv @ q.T  # least squares from the QR factorisation, made once for every draw
    rng = np.random.default_rng([seed, 1])
    pooled = []
    # The products are small: BLAS threads only wait on each other (5x slower on a busy host).
    with threadpool_limits(1, user_api="blas"):
        for shares in draw_shares(gamma, draws, seed, mixing):
            if shares.shape[0] != n:
                raise ValueError(f"{shares.shape[0]} units of shares for {n} rows of X")
            beta = solve @ shares
            sigma = np.sqrt(((shares - X @ beta) ** 2).sum(axis=0) / (n - p))
            z = rng.standard_normal((samples_per_draw, p, shares.shape[1]))
            pooled.append(beta + (r_inv @ z) * sigma)
    return np.concatenate(pooled)


def summarize(samples: np.ndarray, contrasts: np.ndarray, level: float = LEVEL) -> dict:
    """Mean, standard deviation and central ``level`` interval of ``contrasts @ β`` per row of
    ``contrasts`` (rows × coefficients) and topic: arrays of shape (rows, topics)."""
    values = np.einsum("rp,spk->srk", np.atleast_2d(contrasts), samples)
    tail = (1 - level) / 2
    low, high = np.quantile(values, [tail, 1 - tail], axis=0)
    return {"estimate": values.mean(axis=0), "std_error": values.std(axis=0, ddof=1),
            "low": low, "high": high}  # fmt: skip


# --- the table ---------------------------------------------------------------------------


def effect_table(
    samples: np.ndarray, design: Design, topics: pd.DataFrame, level: float = LEVEL
) -> pd.DataFrame:
    """The tidy table: one row per topic and reported quantity (see :func:`contrast_rows`),
    with ``topic`` (T1…), ``theme``, ``label``, ``estimate``, ``std_error``, ``low``, ``high``.

    ``topics`` has one row per topic, in order: ``name``, ``theme``, ``label``.
    """
    rows = contrast_rows(design)
    stats = summarize(samples, np.stack(rows["weights"].to_list()), level)
    parts = []
    for k, topic in enumerate(topics.itertuples(index=False)):
        part = rows.drop(columns="weights")
        part.insert(0, "topic", topic.name)
        part.insert(1, "theme", topic.theme)
        part.insert(2, "label", topic.label)
        for stat, values in stats.items():
            part[stat] = values[:, k]
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


# --- a fitted run ----------------------------------------------------------------------------


def posterior_gamma(shares: np.ndarray, n_tokens: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Each document's variational Dirichlet parameters γ from its saved shares.

    gensim's update γ = α + Σ_w n_w φ_w sums to Σα + n (each φ_w sums to 1), and the run's
    shares are γ / Σγ, so γ = shares × (Σα + n) exactly, without running inference again.
    """
    total = float(np.sum(alpha)) + np.asarray(n_tokens, dtype=float)
    return np.asarray(shares, dtype=float) * total[:, None]


@dataclass
class EffectInputs:
    """Everything :func:`composition_samples` needs for a run at one level of units."""

    gamma: np.ndarray  # paragraphs × topics
    mixing: sparse.csr_matrix | None  # units × paragraphs (None: paragraphs are the units)
    units: pd.DataFrame  # one row per unit: its id and metadata columns


def effect_inputs(run, corpus, level: str = "article", include_duplicates: bool = False):
    """γ of the paragraphs with words, how they mix into units, and the units' metadata.

    Articles flagged as near-duplicates of another are left out, with their paragraphs,
    unless ``include_duplicates``: a copy would count its text twice. A paragraph repeated in
    different reports belongs to each of them, at both levels.
    """
    from topics.corpus.metadata import metadata_columns

    if level not in LEVELS:
        raise input_error(None, f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    para = run.paragraphs[run.paragraphs["n_tokens"] > 0]
    unit_key = f"{level}_id"
    if not include_duplicates:
        copies = set(run.articles.loc[run.articles["duplicate_of"].notna(), "article_id"])
        para = para[~para["article_id"].isin(copies)]
    gamma = posterior_gamma(
        para[run.topic_columns].to_numpy(dtype=float),
        para["n_tokens"].to_numpy(dtype=float),
        np.asarray(run.model.alpha, dtype=float),
    )
    mixing = None
    ids = para[unit_key].to_numpy()
    if level == "article":
        ids, mixing = unit_matrix(para["article_id"], para["n_tokens"].to_numpy(dtype=float))
    source = corpus.articles if level == "article" else corpus.paragraphs
    meta = source.set_index(unit_key)[metadata_columns(source)]
    meta = meta.drop(columns=[c for c in ("article_id", "page_id") if c in meta.columns])
    units = meta.reindex(ids).rename_axis(unit_key).reset_index()
    return EffectInputs(gamma, mixing, units)


@dataclass
class Effects:
    """The result of :func:`estimate_effect`: the tidy ``table`` and how it was made."""

    table: pd.DataFrame
    formula: str
    level: str
    n_units: int
    draws: int
    samples: np.ndarray  # pooled coefficient samples (draws × per draw, coefficients, topics)
    design: Design

    def headline(self) -> pd.DataFrame:
        """The rows to read first: slopes and other coefficients (no intercept), differences."""
        table = self.table
        rows = (table["kind"] == "difference") | (
            (table["kind"] == "coefficient") & (table["value"] != "Intercept")
        )
        return table.loc[rows, ["topic", "theme", "label", "kind", "value", "estimate", "low",
                                "high"]].reset_index(drop=True)  # fmt: skip

    def describe(self) -> str:
        """One line on what was estimated."""
        return (
            f"{self.formula}: {self.n_units} {self.level}s, {self.draws} posterior draws × "
            f"{self.samples.shape[0] // self.draws} coefficient samples, "
            f"{LEVEL:.0%} intervals (method of composition); other covariates held at their "
            "median or commonest level"
        )


def estimate_effect(
    run,
    corpus,
    formula: str,
    level: str = "article",
    draws: int = DRAWS,
    seed: int = 0,
    include_duplicates: bool = False,
) -> Effects:
    """How every topic's share varies with the covariates in ``formula`` (stm's estimateEffect).

    ``run``: a :class:`~topics.model.runs.TopicRun`; ``corpus``: its prepared corpus (metadata
    columns such as ``year``). Units are articles (token-weighted paragraphs) or paragraphs.
    E.g. ``estimate_effect(run, corpus, "~ year").table.query("kind == 'coefficient'")``: the
    change per year of every topic's share (the planted trends it recovers:
    ``tests/test_effects.py``).
    """
    if draws < 1:
        raise input_error(None, f"draws must be at least 1, not {draws}")
    inputs = effect_inputs(run, corpus, level, include_duplicates)
    design = Design.build(formula, inputs.units.drop(columns=f"{level}_id"))
    kept = design.data.index.to_numpy()
    mixing, gamma = inputs.mixing, inputs.gamma
    if mixing is not None:
        mixing = mixing[kept]
    else:
        gamma = gamma[kept]
    try:
        samples = composition_samples(gamma, design.X, draws, seed, mixing)
    except ValueError as exc:
        raise input_error(None, f"formula {formula!r}: {exc}") from None
    topics = run.topics.assign(theme=run.topics["theme"].fillna(""))[["name", "theme", "label"]]
    table = effect_table(samples, design, topics)
    return Effects(table, formula, level, len(kept), draws, samples, design)
