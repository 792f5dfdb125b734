"""Topic and theme shares of new documents under a fitted run.

Files go through the same decoding, furniture cleaning, splitting and tokenization as the
corpus, and their titles, headings and abstracts count too; plain strings are split into
paragraphs at line breaks. A document with no word the model knows gets an explicit empty
result (``status = "no known words"``, shares NaN), never a uniform guess; files of which none
has a known word are an error. E.g. ``infer_texts(run, ["乡镇财政负债沉重,转移支付不足。"],
tokenizer).documents`` has one row, over half of it in the finance topic
(``tests/test_infer.py``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from topics.corpus import cleaning
from topics.corpus.pages import split_pages
from topics.corpus.readers import Problem, RawText, list_text_files, read_text
from topics.errors import InputError, input_error
from topics.model.runs import TopicRun
from topics.text.token_ids import TokenIds
from topics.text.tokenize import Tokenizer
from topics.weighting import token_weighted_means

NO_WORDS = "no known words"
#: Text that preparing a corpus moves out of the paragraphs but that counts for inference:
#: reason in the ``removed`` table → ``kind`` of the unit.
MOVED_TEXT = {
    "page_header": "title",
    "article_marker": "title",
    "heading": "heading",
    "metadata:abstract": "abstract",
    "metadata:keywords": "keywords",
}


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
    (``simplified``: Traditional characters converted to Simplified, as in the corpus).

    A file counts once however often it is named. Its whole text counts: paragraphs, and the
    titles, headings, abstract and keywords that preparing a corpus moves to fields (rows with
    ``kind`` other than "paragraph"). Raises :class:`InputError` when no file has a word the
    model knows.
    """
    texts, problems = _read_files(paths, simplified)
    if not texts:
        return Inference(_aggregate(run, _empty(run), "document"), _empty(run), _problems(problems))
    root = Path(os.path.commonpath([t.path.parent for t in texts]))
    _, articles, paragraphs, removed = split_pages(texts, root, rules)
    paragraphs = paragraphs.merge(articles[["article_id", "title"]], on="article_id")
    paragraphs.insert(0, "document", paragraphs["page_id"])
    paragraphs.insert(paragraphs.columns.get_loc("text"), "kind", "paragraph")
    units = pd.concat([paragraphs, _moved_text(removed)], ignore_index=True)
    missing = sorted(set(articles["page_id"]) - set(units["page_id"]))
    for page in missing:  # a file with no text at all still gets its (empty) row
        blank = {"document": page, "page_id": page, "paragraph_id": f"{page}#1/p001",
                 "kind": "paragraph", "text": ""}  # fmt: skip
        units = pd.concat([units, pd.DataFrame([blank])], ignore_index=True)
    order = units["document"].map({page: i for i, page in enumerate(articles["page_id"].unique())})
    units = units.assign(_order=order).sort_values(["_order", "line_start"], kind="stable")
    units = units.drop(columns="_order").reset_index(drop=True)
    tokens = run.tokenize(units["text"].tolist(), tokenizer, progress)
    units = _shares(run, units, tokens)
    documents = _aggregate(run, units, "document")
    if not (documents["status"] == "ok").any():
        names = ", ".join(t.path.name for t in texts[:5]) + (", …" if len(texts) > 5 else "")
        raise input_error(
            names if len(texts) == 1 else f"{names} ({len(texts)} files)",
            f"{'none has' if len(texts) > 1 else 'has no'} word the model knows",
            "is it Chinese text on the run's subject? shares would be a guess",
        )
    return Inference(documents, units, _problems(problems))


def _read_files(paths: Sequence[str | Path], simplified: bool) -> tuple[list[RawText], list]:
    """Each file named, or found in a folder named, read once (the same resolved path is one
    file); texts carry their resolved path, problems the path as given."""
    files: dict[Path, Path] = {}
    for path in map(Path, paths):
        for file in list_text_files(path) if path.is_dir() else [path]:
            files.setdefault(file.resolve(), file)
    texts: list[RawText] = []
    problems: list[Problem] = []
    for resolved, given in files.items():
        try:
            text = read_text(given, simplified=simplified)
        except InputError as exc:
            problems.append(Problem(given, exc.problem))
            continue
        texts.append(RawText(resolved, text.text, text.encoding, text.sha256, text.warning))
    return texts, problems


def _moved_text(removed: pd.DataFrame) -> pd.DataFrame:
    """Titles, headings, abstracts and keywords that cleaning moved out of the paragraphs, as
    units of their page (``kind`` says which)."""
    moved = removed[removed["reason"].isin(MOVED_TEXT)]
    numbers = moved.groupby("page_id").cumcount() + 1
    return pd.DataFrame(
        {
            "document": moved["page_id"],
            "page_id": moved["page_id"],
            "paragraph_id": moved["page_id"] + "/h" + numbers.map("{:03d}".format),
            "kind": moved["reason"].map(MOVED_TEXT),
            "text": moved["text"],
            "line_start": moved["line"],
            "line_end": moved["line"],
        }
    )


def _empty(run: TopicRun) -> pd.DataFrame:
    columns = ["document", "paragraph_id", "text", "n_tokens", "status", *run.topic_columns]
    return pd.DataFrame(columns=columns)


def _problems(problems: list[Problem]) -> pd.DataFrame:
    rows = [{"path": str(p.path), "problem": p.problem} for p in problems]
    return pd.DataFrame(rows, columns=["path", "problem"])
