"""Topic and theme shares of new documents under a fitted run.

Files go through the same decoding, furniture cleaning, splitting and tokenization as the
corpus; plain strings are split into paragraphs at line breaks. A document with no word the
model knows gets an explicit empty result (``status = "no known words"``, shares NaN), never
an error and never a uniform guess.

>>> shares = infer_texts(run, ["乡镇财政负债沉重,转移支付不足。"], tokenizer)   # doctest: +SKIP
>>> shares.documents[["document", "status", "T1"]]                          # doctest: +SKIP
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from topics.corpus import cleaning
from topics.corpus.prepare import split_pages
from topics.corpus.readers import Problem, RawText, list_text_files, read_text
from topics.errors import InputError
from topics.model.runs import TopicRun
from topics.text.token_ids import TokenIds
from topics.text.tokenize import Tokenizer
from topics.weighting import token_weighted_means

NO_WORDS = "no known words"


@dataclass
class Inference:
    """Shares per document and per paragraph, plus the files that could not be read."""

    documents: pd.DataFrame
    paragraphs: pd.DataFrame
    problems: pd.DataFrame


def _shares(run: TopicRun, units: pd.DataFrame, tokens: TokenIds) -> pd.DataFrame:
    """``units`` with n_tokens, status and one column per topic and per seeded theme."""
    counts = run.counts(tokens)
    units = units.copy()
    units["n_tokens"] = np.asarray(counts.sum(axis=1)).ravel()
    units["status"] = np.where(units["n_tokens"] > 0, "ok", NO_WORDS)
    units[run.topic_columns] = run.fitted.transform(counts)
    return _add_theme_columns(run, units)


def _add_theme_columns(run: TopicRun, table: pd.DataFrame) -> pd.DataFrame:
    for theme, topic in run.theme_topics().items():
        table[theme] = table[f"T{topic}"]
    return table


def _aggregate(run: TopicRun, paragraphs: pd.DataFrame, key: str) -> pd.DataFrame:
    """Token-weighted mean of paragraph shares per ``key``; NaN where nothing was known."""
    names = run.topic_columns
    means = token_weighted_means(
        paragraphs[names].to_numpy(dtype=float), paragraphs["n_tokens"].to_numpy(dtype=float),
        paragraphs[key].to_numpy(), mixes=True,
    )  # fmt: skip
    table = pd.DataFrame(means.means, columns=names)
    table.insert(0, key, means.groups)
    table.insert(1, "n_paragraphs", means.sizes)
    table.insert(2, "n_tokens", means.weights.astype(int))
    table.insert(3, "status", np.where(means.weights > 0, "ok", NO_WORDS))
    return _add_theme_columns(run, table)


def infer_texts(
    run: TopicRun, texts: Sequence[str], tokenizer: Tokenizer, names: Sequence[str] | None = None
) -> Inference:
    """Shares for each string in ``texts`` (named ``names`` or doc1, doc2, …)."""
    names = list(names) if names is not None else [f"doc{i + 1}" for i in range(len(texts))]
    rows = []
    for name, text in zip(names, texts, strict=True):
        lines = [cleaning.normalise_line(line) for line in text.split("\n")]
        lines = [line for line in lines if line] or [""]
        for number, line in enumerate(lines, start=1):
            rows.append({"document": name, "paragraph_id": f"{name}/p{number:03d}", "text": line})
    paragraphs = pd.DataFrame(rows, columns=["document", "paragraph_id", "text"])
    tokens = run.tokenize(paragraphs["text"].tolist(), tokenizer)
    paragraphs = _shares(run, paragraphs, tokens)
    return Inference(_aggregate(run, paragraphs, "document"), paragraphs, _problems([]))


def infer_files(
    run: TopicRun,
    paths: Sequence[str | Path],
    tokenizer: Tokenizer,
    rules: cleaning.FurnitureRules,
    progress: bool = True,
    simplified: bool = False,
) -> Inference:
    """Shares for text files and folders of them, cleaned and split like the corpus
    (``simplified``: Traditional characters converted to Simplified, as in the corpus)."""
    files: list[Path] = []
    for path in map(Path, paths):
        files.extend(list_text_files(path) if path.is_dir() else [path])
    texts: list[RawText] = []
    problems: list[Problem] = []
    for path in files:
        try:
            texts.append(read_text(path, simplified=simplified))
        except InputError as exc:
            problems.append(Problem(path, exc.problem))
    if not texts:
        return Inference(_aggregate(run, _empty(run), "document"), _empty(run), _problems(problems))
    root = Path(os.path.commonpath([t.path.resolve().parent for t in texts]))
    resolved = [RawText(t.path.resolve(), t.text, t.encoding, t.sha256, t.warning) for t in texts]
    _, articles, paragraphs, _ = split_pages(resolved, root, rules)
    paragraphs = paragraphs.merge(articles[["article_id", "title"]], on="article_id")
    paragraphs.insert(0, "document", paragraphs["page_id"])
    missing = sorted(set(articles["page_id"]) - set(paragraphs["page_id"]))
    for page in missing:  # a file with no paragraph at all still gets its (empty) row
        blank = {"document": page, "page_id": page, "paragraph_id": f"{page}#1/p001", "text": ""}
        paragraphs = pd.concat([paragraphs, pd.DataFrame([blank])], ignore_index=True)
    tokens = run.tokenize(paragraphs["text"].tolist(), tokenizer, progress)
    paragraphs = _shares(run, paragraphs, tokens)
    return Inference(_aggregate(run, paragraphs, "document"), paragraphs, _problems(problems))


def _empty(run: TopicRun) -> pd.DataFrame:
    columns = ["document", "paragraph_id", "text", "n_tokens", "status", *run.topic_columns]
    return pd.DataFrame(columns=columns)


def _problems(problems: list[Problem]) -> pd.DataFrame:
    rows = [{"path": str(p.path), "problem": p.problem} for p in problems]
    return pd.DataFrame(rows, columns=["path", "problem"])
