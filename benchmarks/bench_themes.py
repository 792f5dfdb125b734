"""Benchmark: do the seeded theme topics find their theme in text from outside the corpus?

``benchmarks/data/theme_paragraphs.csv`` holds 72 short paragraphs written for this benchmark
in the register of policy reports, none taken from the bundled corpus: 16 each on township
finance, cadre incentives and village autonomy (self-government: elections, 村务公开, villagers'
meetings, recall, 村规民约) and 24 on other subjects, 8 of them set in villages (land
cooperatives, poverty relief, sanitation, clinics) so that a topic of the rural setting rather
than of self-government is caught. Each was labelled with its one theme when written.

For every variant of the seed lists and prior below, the script fits the project's model on
the bundled corpus (same tokens, K and seed), infers the 72 paragraphs with
``topics.analysis.infer.infer_texts`` and prints, per theme, the ROC AUC of the theme topic's
share for "paragraph is about this theme" against all other paragraphs.

    .venv/bin/python benchmarks/bench_themes.py            # K as in topics.toml
    .venv/bin/python benchmarks/bench_themes.py --k 10

Target (issue 13): AUC >= 0.85 for each theme. Writes benchmarks/results/themes.csv (rows per K).
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import logging
import re
import shutil
import sys
import tempfile
import time
import tomllib
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from gensim.corpora import Dictionary
from scipy import sparse
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import roc_auc_score

from topics import pipeline
from topics.analysis.infer import infer_texts
from topics.config import Settings
from topics.model import terms
from topics.model.bows import count_matrix
from topics.model.evaluate import paragraph_npmi
from topics.model.lda import build_dictionary, fit_lda
from topics.model.metrics import resample_stability, topic_diversity
from topics.model.stability import subsample
from topics.model.themes import Theme, ThemeSet, screen_themes, theme_formed
from topics.text.stream import tokenize_corpus
from topics.text.token_ids import as_token_ids

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from corpora import long_reports, planted_words, project_copy  # noqa: E402

LABELLED = ROOT / "benchmarks" / "data" / "theme_paragraphs.csv"
RESULTS = ROOT / "benchmarks" / "results"
TARGET_AUC = 0.85
THEMES = ("finance", "cadre_incentives", "village_autonomy")

#: The village-autonomy seeds shipped before this benchmark: mostly the rural setting.
SETTING_SEEDS = {
    "village_autonomy": [
        "村民自治", "村委会", "村务公开", "村两委", "村民代表", "村民", "村民委员会", "村级组织",
        "村干部", "村组", "一肩挑", "户联责任区", "乡村治理", "村党组织",
    ],
}  # fmt: skip
SHIPPED = ("finance", "cadre_incentives", "village_autonomy", "rural_setting")
WITHOUT_SETTING = SHIPPED[:3]


@dataclass(frozen=True)
class Variant:
    """Seed lists replacing the shipped ones, the themes seeded, the theme strength."""

    seeds: dict = field(default_factory=dict)
    themes: tuple[str, ...] = SHIPPED
    strength: float | None = None  # None: as in topics.toml


VARIANTS = {
    "shipped: practice seeds + rural-setting topic": Variant(),
    "shipped, strength 30": Variant(strength=30.0),
    "practice seeds, no rural-setting topic": Variant(themes=WITHOUT_SETTING),
    "setting seeds (shipped before), no rural-setting topic": Variant(
        SETTING_SEEDS, WITHOUT_SETTING
    ),
}


def project_with_k(k: int | None) -> Path:
    """A temporary copy of the project (:func:`corpora.project_copy`), with K fixed to ``k``."""
    root = project_copy()
    if k is not None:
        config = root / "topics.toml"
        text = re.sub(r"(?m)^k = .*$", f"k = {k}", config.read_text(encoding="utf-8"))
        config.write_text(text, encoding="utf-8")
    return root


def variant_settings(root: Path, name: str, variant: Variant) -> Settings:
    """Settings of ``root`` with the variant's themes file, seeded themes and strength."""
    themes = tomllib.loads((ROOT / "data" / "themes.toml").read_text(encoding="utf-8"))["theme"]
    claimed = {word for words in variant.seeds.values() for word in words}
    lines = []
    for theme in themes:
        words = variant.seeds.get(theme["id"]) or [w for w in theme["seeds"] if w not in claimed]
        if not words:
            continue
        quoted = ", ".join(f'"{w}"' for w in words)
        lines += ["[[theme]]", f'id = "{theme["id"]}"', f'label_zh = "{theme["label_zh"]}"',
                  f'label_en = "{theme["label_en"]}"', f"seeds = [{quoted}]", ""]  # fmt: skip
    slug = re.sub(r"\W+", "_", name)
    (root / "data" / f"themes_{slug}.toml").write_text("\n".join(lines), encoding="utf-8")
    config = (root / "topics.toml").read_text(encoding="utf-8")
    config = re.sub(
        r'(?m)^themes = "data/themes.toml"', f'themes = "data/themes_{slug}.toml"', config
    )
    chosen = ", ".join(f'"{theme}"' for theme in variant.themes)
    config = re.sub(r"(?m)^themes = \[.*$", f"themes = [{chosen}]", config)
    if variant.strength is not None:
        config = re.sub(
            r"(?m)^theme_strength = .*$", f"theme_strength = {variant.strength}", config
        )
    config = re.sub(r"(?m)^runs = .*$", f'runs = "data/runs_{slug}"', config)
    path = root / f"topics_{slug}.toml"
    path.write_text(config, encoding="utf-8")
    return Settings.load(path)


def theme_auc(settings: Settings, labelled: pd.DataFrame) -> tuple[dict[str, float], dict]:
    """ROC AUC per theme of the fitted run's theme shares on the labelled paragraphs."""
    run = pipeline.fit(settings, progress=False)
    tokenizer = pipeline.make_tokenizer(settings)
    shares = infer_texts(run, labelled["text"].tolist(), tokenizer).documents
    seeded = run.topics[run.topics["seeded_theme"] != ""].set_index("seeded_theme")["topic"]
    scores = {}
    for theme in THEMES:  # the theme's seeded topic, whether or not it formed
        share = shares[f"T{seeded[theme]}"].fillna(0.0).to_numpy()
        scores[theme] = roc_auc_score(labelled["theme"].eq(theme).to_numpy(), share)
    top = run.terms(n=10, lam=1.0)
    words = {
        theme: " ".join(top[(top["topic"] == k) & (top["method"] == "probability")]["term"])
        for theme, k in seeded.items()
    }
    return scores, {"k": run.k, "words": words}


# ---------------------------------------------------------------------------------------------
# Ways to give themes (issue 19), side by side on several corpora:
#   .venv/bin/python benchmarks/bench_themes.py --ways --corpus bundled
#   .venv/bin/python benchmarks/bench_themes.py --ways --corpus long_reports --k 10
#   .venv/bin/python benchmarks/bench_themes.py --ways --corpus planted_words
# ---------------------------------------------------------------------------------------------

#: Subsample fits per model for resample stability (full fit against each, top 10, matched).
DRAWS = 4
GOALS = {"diversity": 0.85, "auc": 0.9}


@dataclass
class Fit:
    """One model's topics over the shared vocabulary, the topic of each theme, and a way to
    infer topic shares of new count rows."""

    topic_word: np.ndarray
    theme_topic: dict[str, int]
    shares: object  # token ids of new texts -> N×K shares


def _shared(docs, model, themes):
    seeds = [s for theme in themes or () for s in theme.seeds]
    dictionary, _ = build_dictionary(docs, model.no_below, model.no_above, seeds)
    return dictionary, [dictionary[i] for i in range(len(dictionary))]


def _onto(phi: np.ndarray, own: list[str], vocab: list[str]) -> np.ndarray:
    """A topic-word matrix over its ``own`` words moved onto the shared ``vocab`` (a word it
    lacks gets 0: a subsample's pruning keeps other words)."""
    position = {w: i for i, w in enumerate(own)}
    out = np.zeros((len(phi), len(vocab)))
    pairs = [(j, position[w]) for j, w in enumerate(vocab) if w in position]
    out[:, [j for j, _ in pairs]] = phi[:, [i for _, i in pairs]]
    return out


def _by_seed_mass(phi: np.ndarray, vocab, themes) -> dict[str, int]:
    """Each theme's topic: the one-to-one assignment with the most seed probability mass."""
    if not themes:
        return {}
    index = {w: i for i, w in enumerate(vocab)}
    mass = np.array([[phi[k, [index[s] for s in t.seeds if s in index]].sum()
                      for k in range(len(phi))] for t in themes])  # fmt: skip
    rows, cols = linear_sum_assignment(-mass)
    return {themes.themes[r].id: int(c) for r, c in zip(rows, cols, strict=True)}


def counted_only(themes, docs, no_below: int):
    """The themes with only their seed words that occur in ``no_below`` paragraphs or more
    (the rest are then pruned like any word instead of kept for the prior)."""
    screen = screen_themes(themes, docs, no_below)
    kept = [Theme(c.theme.id, c.theme.label_zh, c.theme.label_en, c.counted)
            for c in screen.checks if c.counted]  # fmt: skip
    return ThemeSet(tuple(kept), themes.source, themes.sha256) if kept else None


def lda_way(strength: float | None, seeded: bool = True, counted: bool = False):
    """The project's LDA: themes seeded with ``strength`` pseudo-counts per seed word (capped
    at the word's count; with ``counted``, only the seed words that pruning would keep), or
    unseeded with themes labelled afterwards by seed mass."""

    def fit(docs, model, themes, vocab) -> Fit:
        settings = dataclasses.replace(model, theme_strength=strength or model.theme_strength)
        if counted and themes:
            themes = counted_only(themes, docs, model.no_below)
        fitted = fit_lda(docs, settings, themes if seeded else None)
        phi = _onto(fitted.topic_word(), fitted.vocabulary(), vocab)

        def shares(tokens):
            return fitted.transform(fitted.counts(tokens))

        topic = ({t.id: i for i, t in enumerate(themes or ())} if seeded
                 else _by_seed_mass(phi, vocab, themes))  # fmt: skip
        return Fit(phi, topic, shares)

    return fit


def keyword_mixture(docs, model, themes, vocab) -> Fit:
    """keyATM's design approximated in gensim: each theme is a keyword-only topic (its prior
    is ~0 outside its seed words, so it can only ever hold them) beside K free topics; after
    fitting, each keyword topic is merged with the free topic whose paragraph shares follow it
    most (one-to-one), by token-weighted mixing of their word distributions and by adding
    their shares. A keyATM keyword topic is such a mixture: π × keyword distribution +
    (1 − π) × free topic."""
    from gensim.models import LdaModel

    from topics.model.bows import MatrixCorpus
    from topics.model.lda import _pruned_counts, nmf_start

    seeds = [s for t in themes or () for s in t.seeds]
    dictionary, _, counts = _pruned_counts(as_token_ids(docs), model.no_below, model.no_above,
                                           seeds)  # fmt: skip
    own = [dictionary[i] for i in range(len(dictionary))]
    k, n_themes = model.k, len(themes or ())
    base = model.eta if model.eta is not None else 1.0 / k
    eta = np.full((k + n_themes, len(own)), base)
    start = np.zeros_like(eta)
    start[:k] = nmf_start(counts, k, model.seed, None)
    frequency = np.asarray(counts.sum(axis=0), dtype=float).ravel()
    for t, theme in enumerate(themes or ()):
        ids = [dictionary.token2id[s] for s in theme.seeds if s in dictionary.token2id]
        eta[k + t] = 1e-6
        eta[k + t, ids] = base + np.minimum(model.theme_strength, frequency[ids])
        start[k + t, ids] = frequency[ids]
    lda = LdaModel(id2word=dictionary, num_topics=k + n_themes, alpha=model.alpha, eta=eta,
                   passes=model.passes, iterations=model.iterations, random_state=model.seed,
                   chunksize=model.chunksize, eval_every=None, dtype=np.float64)  # fmt: skip
    lda.state.sstats = start
    lda.sync_state()
    lda.update(MatrixCorpus(counts), passes=model.passes, iterations=model.iterations)
    phi_all = lda.get_topics().astype(float)
    phi_all /= phi_all.sum(axis=1, keepdims=True)

    def raw_shares(rows):
        rows = sparse.csr_matrix(rows)
        gamma = np.zeros((rows.shape[0], k + n_themes))
        known = np.flatnonzero(np.diff(rows.indptr) > 0)
        if known.size:
            engine = copy.copy(lda)
            engine.random_state = np.random.RandomState(model.seed)
            gamma[known] = engine.inference(list(MatrixCorpus(rows[known])))[0]
        return gamma / np.maximum(gamma.sum(axis=1, keepdims=True), 1e-300)

    theta = raw_shares(counts)
    lengths = np.asarray(counts.sum(axis=1)).ravel()
    corr = np.nan_to_num(np.corrcoef(theta.T))[k:, :k]
    rows, partners = linear_sum_assignment(-corr)
    weight = (theta * lengths[:, None]).sum(axis=0)
    phi = phi_all[:k].copy()
    for t, j in zip(rows, partners, strict=True):
        w_free, w_key = weight[j], weight[k + t]
        phi[j] = (w_free * phi_all[j] + w_key * phi_all[k + t]) / (w_free + w_key)
    mapping = dict(zip(rows.tolist(), partners.tolist(), strict=True))

    def shares(tokens):
        gamma = raw_shares(count_matrix(tokens, dictionary))
        out = gamma[:, :k].copy()
        for t, j in mapping.items():
            out[:, j] += gamma[:, k + t]
        return out

    topic = {themes.themes[t].id: j for t, j in mapping.items()} if themes else {}
    return Fit(_onto(phi, own, vocab), topic, shares)


def nmf_way(docs, model, themes, vocab) -> Fit:
    """scikit-learn NMF on tf-idf of the same counts, themes labelled afterwards by seed mass."""
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfTransformer

    dictionary = Dictionary()
    dictionary.token2id = {w: i for i, w in enumerate(vocab)}
    counts = count_matrix(as_token_ids(docs), dictionary).astype(float)
    tfidf = TfidfTransformer().fit(counts)
    nmf = NMF(model.k, init="nndsvda", random_state=model.seed, max_iter=500)
    nmf.fit(tfidf.transform(counts))
    phi = nmf.components_ + 1e-12
    phi /= phi.sum(axis=1, keepdims=True)

    def shares(tokens):
        w = nmf.transform(tfidf.transform(count_matrix(tokens, dictionary).astype(float)))
        return w / np.maximum(w.sum(axis=1, keepdims=True), 1e-300)

    return Fit(phi, _by_seed_mass(phi, vocab, themes), shares)


WAYS = {
    "seeded prior, strength 10 (shipped)": lda_way(10.0),
    "weaker prior, strength 2": lda_way(2.0),
    "strength 10, only seeds in >= no_below paragraphs": lda_way(10.0, counted=True),
    "data-scaled prior (= each seed's count)": lda_way(1e9),
    "keyATM-like keyword mixture": keyword_mixture,
    "unseeded, labelled by seed mass": lda_way(None, seeded=False),
    "reference: sklearn NMF, labelled by seed mass": nmf_way,
}


def neutral_npmi(top: list[list[str]], texts: list[str]) -> float:
    """Mean over topics of paragraph-level NPMI of their top 10 words, a word present in a
    paragraph when it occurs in the raw text as a substring (the same for every tokenizer)."""
    present = [[w for w in {w for t in top for w in t} if w in text] for text in texts]
    return float(np.nanmean(paragraph_npmi(top, present)))


def ways_corpus(name: str, k: int | None):
    """Settings of a project on corpus ``name``, its training token lists and raw texts."""
    if name == "bundled":
        root = project_copy()
    else:
        raw = Path(tempfile.mkdtemp(prefix="topics-ways-")) / "raw"
        if name == "long_reports":
            long_reports(raw, n_reports=25)
        else:
            planted_words(raw)
        root = project_copy(raw)
    settings = Settings.load(root / "topics.toml")
    corpus = pipeline.prepared_corpus(settings, progress=False)
    tokenized = pipeline.tokenize_paragraphs(settings, corpus, progress=False)
    docs = pipeline.training_documents(corpus, tokenized, as_lists=True)
    texts = corpus.modelling_paragraphs()["text"].tolist()
    model = dataclasses.replace(settings.model, k=k or 8)
    return root, settings, model, docs, texts


def compare_ways(corpus: str, k: int | None, draws: int = DRAWS) -> pd.DataFrame:
    """Every way of :data:`WAYS` on one corpus: neutral NPMI, diversity@10, resample
    stability (top 10 by probability, full fit against ``draws`` 80 % subsample fits), the
    themes seeded and formed, and theme AUC on the hand-labelled paragraphs."""
    root, settings, model, docs, texts = ways_corpus(corpus, k)
    try:
        screen = screen_themes(pipeline.themes_for(settings, model), docs, model.no_below)
        themes = screen.seeded
        print(f"\n== {corpus}: {len(docs)} paragraphs, K = {model.k}")
        print("\n".join(f"  {line}" for line in screen.lines()))
        dictionary, vocab = _shared(docs, model, themes)
        labelled = pd.read_csv(LABELLED, encoding="utf-8")
        tokenizer = pipeline.make_tokenizer(settings)
        new = tokenize_corpus(labelled["text"], tokenizer, False)
        rows = []
        for name, way in WAYS.items():
            started = time.perf_counter()
            full = way(docs, model, themes, vocab)
            seconds = time.perf_counter() - started
            top = terms.top_terms(full.topic_word, vocab, 10)
            subs = []
            for draw in range(1, draws + 1):
                inside, _ = subsample(len(docs), draw, seed=1000)
                sub = way([docs[i] for i in inside], model, themes, vocab)
                subs.append(terms.top_terms(sub.topic_word, vocab, 10))
            formed = [t.id for t in themes or () if theme_formed(top[full.theme_topic[t.id]], t)]
            shares = full.shares(new)
            aucs = {}
            for theme in THEMES:
                if theme in full.theme_topic:
                    score = np.nan_to_num(shares[:, full.theme_topic[theme]])
                    aucs[f"auc_{theme}"] = roc_auc_score(labelled["theme"].eq(theme), score)
            rows.append({"corpus": corpus, "way": name, "k": model.k,
                         "npmi": neutral_npmi(top, texts), "diversity": topic_diversity(top),
                         "stability": resample_stability(top, subs).mean() if subs else np.nan,
                         "seeded": len(themes or ()), "formed": len(formed),
                         "formed_themes": " ".join(formed), **aucs,
                         "fit_seconds": seconds})  # fmt: skip
            print(f"  {name}: done ({seconds:.1f} s a fit)", flush=True)
            for theme, topic in full.theme_topic.items():
                mark = "formed" if theme in formed else "not formed"
                print(f"    {theme} ({mark}): {' '.join(top[topic])}")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return pd.DataFrame(rows)


def report_ways(table: pd.DataFrame) -> None:
    """The table, and the goals of issue 19 for each way on the bundled corpus."""
    shown = table.drop(columns=["formed_themes"]).set_index(["corpus", "way"])
    print("\n" + shown.to_string(float_format=lambda x: f"{x:.3f}"))
    bundled = table[table["corpus"] == "bundled"].set_index("way")
    if bundled.empty:
        return
    nmf = bundled.loc[bundled.index.str.startswith("reference"), "npmi"].iloc[0]
    print(f"\nGoals on the bundled corpus (NMF's neutral NPMI {nmf:.3f}):")
    for way, row in bundled.iterrows():
        aucs = [row.get(f"auc_{t}", np.nan) for t in THEMES]
        checks = {
            "NPMI >= NMF's": row["npmi"] >= nmf,
            "all themes formed": row["formed"] == row["seeded"],
            f"diversity >= {GOALS['diversity']}": row["diversity"] >= GOALS["diversity"],
            f"every AUC >= {GOALS['auc']}": all(a >= GOALS["auc"] for a in aucs),
        }
        print(f"  {way}: " + "; ".join(f"{n} {'met' if ok else 'NOT met'}"
                                       for n, ok in checks.items()))  # fmt: skip


def main_ways(corpora: list[str], k: int | None, draws: int) -> None:
    warnings.simplefilter("ignore")
    logging.disable(logging.WARNING)
    table = pd.concat([compare_ways(c, k, draws) for c in corpora], ignore_index=True)
    saved = RESULTS / "theme_ways.csv"  # one block of rows per corpus
    if saved.exists():
        earlier = pd.read_csv(saved)
        table = pd.concat([earlier[~earlier["corpus"].isin(corpora)], table], ignore_index=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    table.to_csv(saved, index=False, float_format="%.3f")
    report_ways(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", type=int, default=None, help="K for every variant (default: config)")
    parser.add_argument("--ways", action="store_true", help="compare the ways to give themes")
    parser.add_argument("--corpus", nargs="+", default=["bundled"],
                        choices=["bundled", "long_reports", "planted_words"])  # fmt: skip
    parser.add_argument("--draws", type=int, default=DRAWS, help="subsample fits per way")
    args = parser.parse_args()
    if args.ways:
        main_ways(args.corpus, args.k, args.draws)
        return
    warnings.simplefilter("ignore")
    labelled = pd.read_csv(LABELLED, encoding="utf-8")
    print(f"{len(labelled)} labelled paragraphs: {labelled['theme'].value_counts().to_dict()}")
    root = project_with_k(args.k)
    rows = []
    try:
        for name, variant in VARIANTS.items():
            settings = variant_settings(root, name, variant)
            scores, info = theme_auc(settings, labelled)
            rows.append({"variant": name, "k": info["k"], **scores})
            print(f"\n== {name} (K = {info['k']})")
            for theme in THEMES:
                mark = "met" if scores[theme] >= TARGET_AUC else "NOT met"
                print(f"  {theme:18s} AUC {scores[theme]:.3f} ({mark})   {info['words'][theme]}")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    table = pd.DataFrame(rows)
    RESULTS.mkdir(parents=True, exist_ok=True)
    saved = RESULTS / "themes.csv"  # one block of rows per K: a run replaces its own K's rows
    if saved.exists():
        earlier = pd.read_csv(saved)
        table = pd.concat([earlier[earlier["k"] != table["k"].iloc[0]], table]).sort_values("k")
    table.to_csv(saved, index=False, float_format="%.3f")
    print("\n" + table.to_string(index=False, float_format=lambda x: f"{x:.3f}"))


if __name__ == "__main__":
    main()
