"""Near-duplicate detection by character shingles.

Two texts are compared by their sets of character ``k``-grams (punctuation and spaces removed):
*Jaccard* = |A∩B| / |A∪B| and *containment* = |A∩B| / min(|A|, |B|). A pair whose containment
reaches the threshold is a near-duplicate; the smaller text (then the later one) is flagged as
the copy of the larger. Pairs come from an exact prefix-filtered join (:mod:`topics.corpus.shingles`),
so this scales to hundreds of thousands of paragraphs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from topics.corpus.defaults import ARTICLE_THRESHOLD, PARAGRAPH_THRESHOLD
from topics.corpus.shingles import containment_pairs, shingle_matrix


def similar_pairs(
    texts: list[str],
    threshold: float,
    k: int = 5,
    min_shingles: int = 5,
    progress: bool | None = False,
) -> pd.DataFrame:
    """All pairs ``(i, j)``, ``i < j``, whose shingle containment is at least ``threshold``.

    Texts with fewer than ``min_shingles`` shingles are too short to call copies and are skipped.
    Exact, and close to linear in corpus size (prefix filtering, see :mod:`topics.corpus.shingles`).

    >>> similar_pairs(["乡镇财政负债压力很大", "乡镇财政负债压力很大。", "村民自治"], 0.9)[["i", "j"]]
       i  j
    0  0  1
    """
    matrix = shingle_matrix(texts, k)
    return containment_pairs(matrix, threshold, min_shingles, progress=progress)


def assign_originals(
    pairs: pd.DataFrame, n: int, priority: np.ndarray | None = None, size_tolerance: float = 1.1
) -> pd.DataFrame:
    """For each of ``n`` texts: the index of the text it copies (``original``, or None) and the
    pair's ``jaccard`` and ``containment``.

    In each pair the text with lower ``priority`` rank is kept as the original. By default the
    larger one is, unless the two sizes are within ``size_tolerance`` of each other: then the
    earlier one is. Chains (a copies b, b copies c) resolve to the root ``c``.
    """
    best: dict[int, tuple[float, int, float]] = {}  # copy -> (containment, original, jaccard)
    for row in pairs.itertuples(index=False):
        i, j = int(row.i), int(row.j)
        if priority is not None:
            first = priority[i] < priority[j]
        else:  # the clearly larger text is the original; of two alike, the earlier
            first = row.size_i * size_tolerance >= row.size_j
        copy, original = (j, i) if first else (i, j)
        if copy not in best or row.containment > best[copy][0]:
            best[copy] = (row.containment, original, row.jaccard)
    result = pd.DataFrame({"original": [None] * n, "jaccard": np.nan, "containment": np.nan})
    for copy, (containment, original, jaccard) in best.items():
        seen = {copy}
        while original in best and original not in seen:
            seen.add(original)
            original = best[original][1]
        if original != copy:
            result.loc[copy, ["original", "jaccard", "containment"]] = (
                original,
                jaccard,
                containment,
            )
    return result


def flag_duplicates(
    articles: pd.DataFrame,
    paragraphs: pd.DataFrame,
    article_threshold: float = ARTICLE_THRESHOLD,
    paragraph_threshold: float = PARAGRAPH_THRESHOLD,
    k: int = 5,
    progress: bool | None = False,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Add ``duplicate_of``, ``duplicate_jaccard`` and ``duplicate_containment`` to both tables
    (``progress``: a bar for the paragraph join, the long one).

    Paragraphs of an article that is itself kept win over paragraphs of a duplicate article, so
    that excluding duplicates never removes the kept copy of a passage.
    """
    articles, paragraphs = articles.copy(), paragraphs.copy()
    article_text = paragraphs.groupby("article_id", sort=False)["text"].agg("\n".join)
    texts = [article_text.get(a, "") for a in articles["article_id"]]
    pairs = similar_pairs(texts, article_threshold, k)
    _add_duplicate_columns(articles, "article_id", assign_originals(pairs, len(texts)))

    dup_articles = set(articles.loc[articles["duplicate_of"].notna(), "article_id"])
    in_copy = paragraphs["article_id"].isin(dup_articles).to_numpy()
    lengths = paragraphs["n_chars"].to_numpy()
    # Kept articles first, then longer paragraphs, then document order.
    priority = np.lexsort((np.arange(len(paragraphs)), -lengths, in_copy)).argsort()
    pairs = similar_pairs(paragraphs["text"].tolist(), paragraph_threshold, k, progress=progress)
    matches = assign_originals(pairs, len(paragraphs), priority)
    _add_duplicate_columns(paragraphs, "paragraph_id", matches)
    return articles, paragraphs


def _add_duplicate_columns(table: pd.DataFrame, id_column: str, matches: pd.DataFrame) -> None:
    ids = table[id_column].tolist()
    table["duplicate_of"] = [None if pd.isna(o) else ids[int(o)] for o in matches["original"]]
    table["duplicate_jaccard"] = matches["jaccard"].to_numpy(dtype=float)
    table["duplicate_containment"] = matches["containment"].to_numpy(dtype=float)
