"""A fitted run: model, dictionary, doc-topic tables, topic table and manifest, in one folder.

Topics are numbered from 1 (``T1`` … ``TK``) in every table, figure and HTML view; position
``k`` of an array is topic ``T{k+1}``. Theme topics come first, in themes-file order.

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
from topics.model.settings import ModelSettings
from topics.model.themes import Theme, ThemeSet
from topics.storage import MANIFEST, atomic_folder, build_manifest, changed_inputs, write_json

if TYPE_CHECKING:  # gensim and jieba are slow to import: a run's tables are read without them
    from gensim.corpora import Dictionary
    from gensim.models import LdaModel
    from gensim.models.phrases import FrozenPhrases
    from scipy import sparse

    from topics.model.lda import FittedLda, PruningReport
    from topics.text.token_ids import Documents, TokenIds
    from topics.text.tokenize import Tokenizer

FORMAT_VERSION = 1
TABLES = ("paragraphs", "articles", "topics", "vocabulary", "seeds")
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
    (``T1``…); ``topics``: number, label, theme, prevalence, top terms; ``vocabulary``: term and
    corpus frequency; ``seeds``: where each theme's seed words rank in its topic; ``phraser``:
    the frozen gensim phraser of the tokens (None without phrases).
    """

    paragraphs: pd.DataFrame
    articles: pd.DataFrame
    topics: pd.DataFrame
    vocabulary: pd.DataFrame
    seeds: pd.DataFrame
    manifest: dict
    path: Path | None = None
    phraser: FrozenPhrases | None = None
    _fitted: FittedLda | None = field(default=None, repr=False)

    @property
    def fitted(self) -> FittedLda:
        if self._fitted is None:
            self._fitted = _load_fitted(self.path, self.manifest, self.settings, self.topics,
                                        self.seeds)  # fmt: skip
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
        """Theme id → topic number (1-based)."""
        rows = self.topics[self.topics["theme"] != ""]
        return dict(zip(rows["theme"], rows["topic"], strict=True))

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
) -> TopicRun:
    """Tables of a fitted model for every paragraph (duplicates included, inferred) and article.

    ``paragraphs`` and ``tokens`` are aligned: all prepared paragraphs and their token ids; the
    model was trained on those with no ``duplicate_of``. ``quality``: per topic (column
    ``topic``, 1…K) measures added to the topic table, e.g. stability.
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
    themes: list[Theme] = list(fitted.themes or ())
    topics = pd.DataFrame(
        {
            "topic": np.arange(1, k + 1),
            "name": names,
            "theme": [themes[i].id if i < len(themes) else "" for i in range(k)],
            "label": [themes[i].label_zh if i < len(themes) else labels[i] for i in range(k)],
            "label_en": [themes[i].label_en if i < len(themes) else "" for i in range(k)],
            "auto_label": labels,
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
        manifest=manifest,
        phraser=tokens.phraser,
    )


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
    topics: pd.DataFrame, seeds: pd.DataFrame,
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
    themes = _saved_themes(topics, seeds)
    return FittedLda(settings, model, dictionary, pruning, themes, fit_seconds)


def _saved_themes(topics: pd.DataFrame, seeds: pd.DataFrame) -> ThemeSet | None:
    """The seeded themes of a saved run, from its topic and seed tables."""
    rows = topics[topics["theme"] != ""]
    if rows.empty:
        return None
    return ThemeSet(tuple(
        Theme(row.theme, row.label, row.label_en,
              tuple(seeds.loc[seeds["theme"] == row.theme, "seed"]))
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
