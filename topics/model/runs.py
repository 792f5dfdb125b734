"""A fitted run: model, dictionary, doc-topic tables, topic table and manifest, in one folder.

Topics are numbered from 1 (``T1`` … ``TK``) in every table, figure and HTML view; position
``k`` of an array is topic ``T{k+1}``. Seeded theme topics come first, in themes-file order. A
seeded theme labels its topic only where it formed (:func:`topics.model.themes.theme_formed`):
the topic table's ``theme`` column holds the formed theme, ``seeded_theme`` the seeded one, and
the ``themes`` table says for every theme asked for whether it was seeded, whether it formed,
and why not.

A run is written to a temporary folder and renamed into place, so an interrupted fit never
leaves a half-written run or damages an earlier one. Loading checks the manifest. With merged
phrases the run keeps the phraser its tokens were merged with, so new documents get the same
tokens (:meth:`TopicRun.tokenize`).
"""

from __future__ import annotations

import json
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from topics.errors import StaleRunError, TopicsError, input_error
from topics.model import terms
from topics.model.choices import LAMBDA
from topics.model.k_rule import MIN_THEME_SEEDS
from topics.model.settings import ModelSettings
from topics.model.themes import TOP_WORDS, Theme, ThemeScreen, ThemeSet, seeds_in_top, theme_formed
from topics.storage import MANIFEST, atomic_folder, build_manifest, changed_inputs, write_json

if TYPE_CHECKING:  # gensim and jieba are slow to import: a run's tables are read without them
    from gensim.corpora import Dictionary
    from gensim.models import LdaModel
    from gensim.models.phrases import FrozenPhrases
    from scipy import sparse

    from topics.model.lda import FittedLda, PruningReport
    from topics.text.token_ids import Documents, TokenIds
    from topics.text.tokenize import Tokenizer

FORMAT_VERSION = 2  # 2: themes label only the topics where they formed; a themes table
TABLES = ("paragraphs", "articles", "topics", "vocabulary", "seeds", "themes")
PHRASER = "phraser.gensim"
#: The K×V topic-word matrix and the K Dirichlet α of the documents' topic shares, saved beside
#: the model so that reading a run's terms and share intervals needs no gensim (runs saved before
#: they existed read them from the model).
TOPIC_WORD = "topic_word.npy"
ALPHA = "alpha.npy"


def topic_names(k: int) -> list[str]:
    """Column names of topic shares: ``T1`` … ``Tk``."""
    return [f"T{i + 1}" for i in range(k)]


@dataclass
class TopicRun:
    """Everything a fit produced: the fitted model and the tables researchers read.

    ``fitted``: the :class:`~topics.model.lda.FittedLda` (settings, model, dictionary), loaded
    from ``path`` when first used (reading a saved run's tables does not load gensim);
    ``paragraphs`` / ``articles``: ids, titles, token counts and one share column per topic
    (``T1``…); ``topics``: number, label, theme (formed only), seeded theme, prevalence, top
    terms; ``vocabulary``: term and corpus frequency; ``seeds``: where each seeded theme's seed
    words rank in its topic; ``themes``: every theme asked for, seeded or skipped (and why),
    formed or not; ``phraser``: the frozen gensim phraser of the tokens (None without phrases).
    """

    paragraphs: pd.DataFrame
    articles: pd.DataFrame
    topics: pd.DataFrame
    vocabulary: pd.DataFrame
    seeds: pd.DataFrame
    themes: pd.DataFrame
    manifest: dict
    path: Path | None = None
    phraser: FrozenPhrases | None = None
    _fitted: FittedLda | None = field(default=None, repr=False)

    @property
    def fitted(self) -> FittedLda:
        if self._fitted is None:
            self._fitted = _load_fitted(self.path, self.manifest, self.settings, self.topics,
                                        self.seeds, self.themes)  # fmt: skip
        return self._fitted

    @property
    def model(self) -> LdaModel:
        return self.fitted.model

    @property
    def dictionary(self) -> Dictionary:
        return self.fitted.dictionary

    @property
    def settings(self) -> ModelSettings:
        if self._fitted is not None:
            return self._fitted.settings
        return ModelSettings.from_dict(self.manifest["model"])

    @property
    def k(self) -> int:
        return len(self.topics)

    @property
    def topic_columns(self) -> list[str]:
        return topic_names(self.k)

    def topic_word(self) -> np.ndarray:
        """K×V topic-word probabilities (rows sum to 1)."""
        saved = self._saved_array(TOPIC_WORD)
        return self.fitted.topic_word() if saved is None else saved

    def alpha(self) -> np.ndarray:
        """The model's K Dirichlet parameters α of a document's topic shares (its own dtype)."""
        saved = self._saved_array(ALPHA)
        return np.asarray(self.model.alpha) if saved is None else saved

    def _saved_array(self, name: str) -> np.ndarray | None:
        """The array saved as ``name`` in the run folder; None when the model is loaded already
        or the run was saved without it."""
        if self._fitted is not None or self.path is None or not (self.path / name).exists():
            return None
        try:
            return np.load(self.path / name, allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise TopicsError(f"{self.path}: run files are damaged ({exc}); fit it again") from None

    def term_frequency(self) -> np.ndarray:
        return self.vocabulary["frequency"].to_numpy(dtype=float)

    def terms(self, n: int = 10, lam: float = LAMBDA) -> pd.DataFrame:
        """Top terms of every topic by probability, FREX, lift and relevance (λ = ``lam``)."""
        table = terms.term_table(
            self.topic_word(), self.term_frequency(), self.vocabulary["term"].tolist(), n, lam
        )
        table["topic"] = table["topic"] + 1
        return table

    def theme_topics(self) -> dict[str, int]:
        """Theme id → topic number (1-based), for the themes that formed a topic."""
        rows = self.topics[self.topics["theme"] != ""]
        return dict(zip(rows["theme"], rows["topic"], strict=True))

    def theme_seeds(self) -> dict[int, set[str]]:
        """Topic number → the seed words of the theme it formed (topics with none left out)."""
        formed = self.theme_topics()
        seeds = self.seeds[self.seeds["theme"].isin(list(formed))]
        return {formed[t]: set(group["seed"]) for t, group in seeds.groupby("theme")}

    def nearest_topic(self, theme_id: str) -> tuple[int, str]:
        """The topic of theme ``theme_id`` and "", or, where it labels no topic, the topic
        holding most of its seed words' probability (the largest topic if none is in the
        vocabulary) and a sentence saying why it is shown instead."""
        formed = self.theme_topics()
        if theme_id in formed:
            return formed[theme_id], ""
        rows = self.themes[self.themes["theme"] == theme_id]
        words = rows["seed_words"].iloc[0].split() if len(rows) else []
        index = self.dictionary.token2id
        ids = [index[w] for w in words if w in index]
        mass = self.topic_word()[:, ids].sum(axis=1) if ids else np.zeros(self.k)
        best = (
            int(np.argmax(mass)) + 1 if mass.any() else int(self.topics["prevalence"].idxmax()) + 1
        )
        held = (
            "holds most of its seed words"
            if mass.any()
            else "is the largest (no seed word is in the vocabulary)"
        )
        return best, (f"theme {theme_id!r} labels no topic in this run ({self.theme_status(theme_id)}); "
                      f"shown instead: T{best}, which {held}, named by its own words")  # fmt: skip

    def theme_status(self, theme_id: str) -> str:
        """Why ``theme_id`` labels no topic of this run ("" when it does), in one phrase."""
        if theme_id in self.theme_topics():
            return ""
        rows = self.themes[self.themes["theme"] == theme_id]
        if rows.empty:
            return "it was not asked for in this run"
        row = rows.iloc[0]
        if not row["seeded"]:
            return f"it was not seeded: {row['reason']}"
        return (f"it did not form: {int(row['seeds_in_top'])} of its seed words among topic "
                f"T{int(row['topic'])}'s top {TOP_WORDS}, needs {MIN_THEME_SEEDS}")  # fmt: skip

    def tokenize(self, texts: list[str], tokenizer: Tokenizer, progress: bool = False) -> TokenIds:
        """Tokens of new texts as this run's training saw them: merged by the run's phraser
        (never by one trained on the new texts)."""
        if tokenizer.settings.phrases and self.phraser is None:
            raise input_error(self.path, "has no saved phraser for phrases = true",
                              "fit the run again")  # fmt: skip
        from topics.text.stream import tokenize_corpus

        return tokenize_corpus(texts, tokenizer, progress, phraser=self.phraser)

    def counts(self, documents: Documents) -> sparse.csr_matrix:
        """Document × word counts over the run's vocabulary (see :meth:`FittedLda.counts`)."""
        return self.fitted.counts(documents)

    def infer(self, documents: Documents) -> np.ndarray:
        """Topic shares (N×K) of new token ids or lists; NaN rows for texts with no known word
        (see :meth:`FittedLda.transform`)."""
        return self.fitted.transform(self.fitted.counts(documents))

    def write(self, folder: Path) -> None:
        """Write the model, dictionary and tables (not the manifest) into the folder ``folder``."""
        (folder / "model").mkdir()
        self.model.save(str(folder / "model" / "lda"))
        np.save(folder / TOPIC_WORD, self.fitted.topic_word(), allow_pickle=False)
        np.save(folder / ALPHA, np.asarray(self.model.alpha), allow_pickle=False)
        self.dictionary.save(str(folder / "dictionary.gensim"))
        if self.phraser is not None:
            self.phraser.save(str(folder / PHRASER))
        for name in TABLES:
            table: pd.DataFrame = getattr(self, name)
            table.to_parquet(folder / f"{name}.parquet", index=False)
            table.to_csv(folder / f"{name}.csv", index=False, encoding="utf-8-sig")

    def save(self, folder: str | Path) -> Path:
        """Write the run to ``folder`` atomically and return the folder."""
        folder = Path(folder)
        with atomic_folder(folder) as tmp:
            self.write(tmp)
            write_json(tmp / MANIFEST, self.manifest)
        return folder


def _seed_table(fitted: FittedLda, themes: ThemeSet | None) -> pd.DataFrame:
    columns = ["theme", "topic", "seed", "in_vocabulary", "rank", "probability"]
    if not themes:
        return pd.DataFrame(columns=columns)
    topic_word = fitted.topic_word()
    order = np.argsort(-topic_word, axis=1, kind="stable")
    rank_of = np.empty_like(order)
    rows = np.arange(order.shape[0])[:, None]
    rank_of[rows, order] = np.arange(order.shape[1])[None, :] + 1
    records = []
    for topic, theme in enumerate(themes):
        for seed in theme.seeds:
            word_id = fitted.dictionary.token2id.get(seed)
            known = word_id is not None
            records.append(
                {
                    "theme": theme.id,
                    "topic": topic + 1,
                    "seed": seed,
                    "in_vocabulary": known,
                    "rank": int(rank_of[topic, word_id]) if known else None,
                    "probability": float(topic_word[topic, word_id]) if known else None,
                }
            )
    return pd.DataFrame(records, columns=columns)


def build_run(
    fitted: FittedLda,
    paragraphs: pd.DataFrame,
    articles: pd.DataFrame,
    tokens: TokenIds,
    manifest: dict,
    lam: float = LAMBDA,
    quality: pd.DataFrame | None = None,
    screen: ThemeScreen | None = None,
) -> TopicRun:
    """Tables of a fitted model for every paragraph (duplicates included, inferred) and article.

    ``paragraphs`` and ``tokens`` are aligned: all prepared paragraphs and their token ids; the
    model was trained on those with no ``duplicate_of``. ``quality``: per topic (column
    ``topic``, 1…K) measures added to the topic table, e.g. stability. ``screen``: the themes
    asked for, checked against the corpus (default: only the seeded ones).
    """
    k = fitted.settings.k
    names = topic_names(k)
    counts = fitted.counts(tokens)
    shares = fitted.transform(counts)
    n_tokens = np.asarray(counts.sum(axis=1)).ravel()
    para = paragraphs[["paragraph_id", "article_id", "page_id", "section", "duplicate_of"]].copy()
    para["in_model"] = paragraphs["duplicate_of"].isna().to_numpy()
    para["n_tokens"] = n_tokens
    para[names] = shares

    has_words = n_tokens > 0
    from topics.model.metrics import mean_token_weighted

    groups, mixes = mean_token_weighted(
        np.nan_to_num(shares[has_words]), n_tokens[has_words], para.loc[has_words, "article_id"]
    )
    art = articles[["article_id", "page_id", "title", "short_title", "duplicate_of"]].copy()
    mix = pd.DataFrame(mixes, columns=names)
    mix["article_id"] = groups
    art = art.merge(mix, on="article_id", how="left")
    art.insert(5, "n_tokens", art["article_id"].map(para.groupby("article_id")["n_tokens"].sum()))

    topic_word = fitted.topic_word()
    vocab = fitted.vocabulary()
    frequency = np.asarray(counts[para["in_model"].to_numpy()].sum(axis=0), dtype=float).ravel()
    frequency = np.maximum(frequency, 1)  # seed words kept by the prior may be absent
    relevance = terms.relevance(topic_word, frequency, lam)
    top = terms.top_terms(relevance, vocab, 10)
    labels = terms.auto_label(topic_word, frequency, vocab, n=3, lam=lam)
    in_model = para["in_model"].to_numpy() & has_words
    prevalence = np.average(shares[in_model], axis=0, weights=n_tokens[in_model])
    seeded: list[Theme | None] = [*(fitted.themes or ()), *[None] * k][:k]
    by_probability = terms.top_terms(topic_word, vocab, TOP_WORDS)
    in_top = [seeds_in_top(by_probability[i], t) if t else np.nan for i, t in enumerate(seeded)]
    formed = [t if t and theme_formed(by_probability[i], t) else None for i, t in enumerate(seeded)]
    topics = pd.DataFrame(
        {
            "topic": np.arange(1, k + 1),
            "name": names,
            "theme": [t.id if t else "" for t in formed],
            "label": [t.label_zh if t else labels[i] for i, t in enumerate(formed)],
            "label_en": [t.label_en if t else "" for t in formed],
            "auto_label": labels,
            "seeded_theme": [t.id if t else "" for t in seeded],
            "seeds_in_top": in_top,
            "prevalence": prevalence,
            "top_terms": [" ".join(t) for t in top],
        }
    )
    if quality is not None:
        topics = topics.merge(quality, on="topic", how="left")
    vocabulary = pd.DataFrame({"term": vocab, "frequency": frequency.astype(int)})
    return TopicRun(
        _fitted=fitted,
        paragraphs=para,
        articles=art,
        topics=topics,
        vocabulary=vocabulary,
        seeds=_seed_table(fitted, fitted.themes),
        themes=theme_table(topics, screen, fitted.themes),
        manifest=manifest,
        phraser=tokens.phraser,
    )


THEME_COLUMNS = ["theme", "label_zh", "label_en", "seed_words", "seeded", "reason", "seeds", "counted", "together",
                 "share", "topic", "seeds_in_top", "formed"]  # fmt: skip


def theme_table(
    topics: pd.DataFrame, screen: ThemeScreen | None, seeded: ThemeSet | None
) -> pd.DataFrame:
    """One row per theme asked for (those of ``screen``, else the ``seeded`` ones): whether it
    was seeded and why not, its seed words in enough paragraphs (``counted``), the paragraphs
    using two or more (``together``), their share of tokens, its topic, the seed words among
    that topic's top 10 and whether it ``formed``."""
    checks = screen.checks if screen is not None else ()
    labels = [{"label_zh": c.theme.label_zh, "label_en": c.theme.label_en,
               "seed_words": " ".join(c.theme.seeds)} for c in checks]  # fmt: skip
    records = [{**c.as_dict(), **label, "seeds": len(c.theme.seeds), "counted": " ".join(c.counted)}
               for c, label in zip(checks, labels, strict=True)]  # fmt: skip
    asked = {r["theme"] for r in records}
    records += [{"theme": t.id, "label_zh": t.label_zh, "label_en": t.label_en, "seeded": True,
                 "seed_words": " ".join(t.seeds), "reason": "", "seeds": len(t.seeds)}
                for t in seeded or () if t.id not in asked]  # fmt: skip
    table = pd.DataFrame(records).reindex(columns=THEME_COLUMNS)
    by_theme = topics[topics["seeded_theme"] != ""].set_index("seeded_theme")
    table["topic"] = table["theme"].map(by_theme["topic"]).astype("Int64")
    table["seeds_in_top"] = table["theme"].map(by_theme["seeds_in_top"]).astype("Int64")
    table["formed"] = table["theme"].isin(set(topics["theme"]) - {""})
    table["seeded"] = table["seeded"].astype(bool)
    return table.fillna({"reason": "", "counted": ""})


def run_manifest(
    fitted: FittedLda, inputs: dict, settings: dict, pruning: PruningReport, **extra
) -> dict:
    """The manifest of a run: inputs' hashes, all settings, seed, versions, timings."""
    return build_manifest(
        "topic-run",
        inputs,
        settings,
        format_version=FORMAT_VERSION,
        seed=fitted.settings.seed,
        model=fitted.settings.as_dict(),
        pruning=pruning.as_dict(),
        timings={"fit_seconds": round(fitted.fit_seconds, 3)},
        **extra,
    )


def _damaged(path: Path, problem: str) -> TopicsError:
    return input_error(path, f"damaged run: {problem}", "fit it again with `topics fit`")


def read_run_manifest(folder: Path) -> dict:
    """The manifest of the run in ``folder``, checked to be one this version can load."""
    manifest_path = folder / MANIFEST
    if not manifest_path.exists():
        raise input_error(folder, "is not a topic run (no manifest.json)", "run `topics fit`")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise input_error(manifest_path, f"is corrupt ({exc})", "fit the run again") from None
    if not isinstance(manifest, dict):
        raise _damaged(manifest_path, "the manifest is not a JSON object")
    version = manifest.get("format_version")
    if manifest.get("kind") != "topic-run" or version != FORMAT_VERSION:
        raise input_error(
            manifest_path,
            f"run format {version!r} is not the supported {FORMAT_VERSION}",
            "it was made by another version of topics; fit it again",
        )
    for key in ("model", "inputs", "pruning"):
        if not isinstance(manifest.get(key), dict):
            raise _damaged(manifest_path, f"the manifest has no {key!r} record")
    return manifest


def load_run(folder: str | Path, expected_inputs: dict | None = None) -> TopicRun:
    """Load a saved run: its tables and manifest now, the gensim model when first needed. With
    ``expected_inputs``, raise :class:`StaleRunError` if the run was made from other data,
    lexicons, themes or settings, saying which changed."""
    folder = Path(folder)
    manifest = read_run_manifest(folder)
    if expected_inputs is not None:
        check_inputs(folder, manifest, expected_inputs)
    try:
        ModelSettings.from_dict(manifest["model"])
    except (TypeError, ValueError, KeyError, TopicsError) as exc:
        problem = f"its model settings or pruning record cannot be read ({exc})"
        raise _damaged(folder / MANIFEST, problem) from None
    try:
        tables = {name: pd.read_parquet(folder / f"{name}.parquet") for name in TABLES}
        phraser_path = folder / PHRASER
        phraser = None
        if phraser_path.exists():
            from gensim.models.phrases import FrozenPhrases

            phraser = FrozenPhrases.load(str(phraser_path))
    except (OSError, ValueError, EOFError, pickle.UnpicklingError) as exc:
        raise TopicsError(f"{folder}: run files are damaged ({exc}); fit it again") from None
    return TopicRun(manifest=manifest, path=folder, phraser=phraser, **tables)


def _load_fitted(
    folder: Path | None, manifest: dict, settings: ModelSettings,
    topics: pd.DataFrame, seeds: pd.DataFrame, theme_table: pd.DataFrame,
) -> FittedLda:  # fmt: skip
    """The gensim model and dictionary of the run saved in ``folder``."""
    from gensim.corpora import Dictionary
    from gensim.models import LdaModel

    from topics.model.lda import FittedLda, PruningReport

    if folder is None:
        raise TopicsError("this run has no fitted model and no folder to load it from")
    try:
        pruning = PruningReport.from_dict(manifest["pruning"])
    except (TypeError, ValueError, KeyError) as exc:
        problem = f"its model settings or pruning record cannot be read ({exc})"
        raise _damaged(folder / MANIFEST, problem) from None
    try:
        model = LdaModel.load(str(folder / "model" / "lda"))
        dictionary = Dictionary.load(str(folder / "dictionary.gensim"))
    except (OSError, ValueError, EOFError, pickle.UnpicklingError) as exc:
        raise TopicsError(f"{folder}: run files are damaged ({exc}); fit it again") from None
    timings = manifest.get("timings")
    fit_seconds = timings.get("fit_seconds", 0.0) if isinstance(timings, dict) else 0.0
    themes = _saved_themes(topics, seeds, theme_table)
    return FittedLda(settings, model, dictionary, pruning, themes, fit_seconds)


def _saved_themes(
    topics: pd.DataFrame, seeds: pd.DataFrame, themes: pd.DataFrame
) -> ThemeSet | None:
    """The seeded themes of a saved run, from its topic, seed and theme tables."""
    rows = topics[topics["seeded_theme"] != ""]
    if rows.empty:
        return None
    labels = themes.set_index("theme")
    return ThemeSet(tuple(
        Theme(row.seeded_theme, labels.at[row.seeded_theme, "label_zh"],
              labels.at[row.seeded_theme, "label_en"],
              tuple(seeds.loc[seeds["theme"] == row.seeded_theme, "seed"]))
        for row in rows.itertuples()
    ))  # fmt: skip


def check_inputs(folder: Path, manifest: dict, expected_inputs: dict) -> None:
    """Raise :class:`StaleRunError` naming what changed when the run's recorded inputs differ
    from ``expected_inputs`` (data, lexicons, themes, settings)."""
    changed = changed_inputs(manifest.get("inputs"), expected_inputs)
    if changed:
        raise StaleRunError(
            f"{folder}: run is stale: {', '.join(changed)} changed since it was fitted; "
            "run `topics fit` again"
        )
