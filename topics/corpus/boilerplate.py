"""Boilerplate repeated across a collection: a paragraph whose text recurs in most of the files
(a licence or public-domain notice, a publisher's statement) is furniture, not content. It is
removed like the furniture rules' matches and reported in the ``removed`` table under
:data:`REASON`, so ``topics prepare`` lists it with the other rules.
"""

from __future__ import annotations

import pandas as pd

#: A paragraph text is boilerplate when it occurs in more than this share of the files …
BOILERPLATE_SHARE = 0.5
#: … and in at least this many (two files may share a paragraph by quoting each other).
MIN_FILES = 3
REASON = "furniture:repeated_across_files"


def drop_boilerplate(
    n_files: int, articles: pd.DataFrame, paragraphs: pd.DataFrame, removed: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """``articles``, ``paragraphs`` and ``removed`` without the paragraphs whose text (spaces
    ignored) recurs in more than ``BOILERPLATE_SHARE`` of ``n_files`` files (and at least
    ``MIN_FILES``), counting the files where another rule removed it already; they are added
    to ``removed``, and articles left without paragraphs go.

    >>> paragraphs = pd.DataFrame({"page_id": ["a", "b", "c", "c"], "article_id": ["a#1",
    ...     "b#1", "c#1", "c#1"], "text": ["本文属于公有领域。"] * 3 + ["乡镇财政。"],
    ...     "line_start": [9, 9, 9, 1], "n_chars": [9, 9, 9, 5]})
    >>> articles = pd.DataFrame({"article_id": ["a#1", "b#1", "c#1"], "n_paragraphs": [1, 1, 2],
    ...     "n_chars": [9, 9, 14]})
    >>> removed = pd.DataFrame(columns=["page_id", "line", "reason", "chars", "text"])
    >>> articles, paragraphs, removed = drop_boilerplate(3, articles, paragraphs, removed)
    >>> paragraphs["text"].tolist(), articles["article_id"].tolist(), len(removed)
    (['乡镇财政。'], ['c#1'], 3)
    """
    key = paragraphs["text"].str.replace(r"\s+", "", regex=True)
    elsewhere = removed.assign(key=removed["text"].astype(str).str.replace(r"\s+", "", regex=True))
    seen = pd.concat([pd.DataFrame({"key": key, "page_id": paragraphs["page_id"]}),
                      elsewhere.loc[elsewhere["key"].isin(set(key)), ["key", "page_id"]]])  # fmt: skip
    files = key.map(seen.groupby("key")["page_id"].nunique())
    boilerplate = ((files >= MIN_FILES) & (files > BOILERPLATE_SHARE * n_files)).to_numpy()
    if not boilerplate.any():
        return articles, paragraphs, removed
    dropped = paragraphs[boilerplate]
    rows = pd.DataFrame({"page_id": dropped["page_id"], "line": dropped["line_start"],
                         "reason": REASON, "chars": dropped["n_chars"], "text": dropped["text"]})  # fmt: skip
    removed = pd.concat([removed, rows], ignore_index=True)
    removed = removed.sort_values(["page_id", "line"], kind="stable", ignore_index=True)
    paragraphs = paragraphs[~boilerplate].reset_index(drop=True)
    kept = paragraphs.groupby("article_id")["n_chars"].agg(["size", "sum"])
    articles = articles[articles["article_id"].isin(kept.index)].reset_index(drop=True)
    articles["n_paragraphs"] = articles["article_id"].map(kept["size"]).astype(int)
    articles["n_chars"] = articles["article_id"].map(kept["sum"]).astype(int)
    return articles, paragraphs, removed
