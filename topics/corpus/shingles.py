"""Character shingles as a sparse matrix, and a containment join that scales to large corpora.

:mod:`topics.corpus.dedup` compares texts by their sets of hashed character ``k``-grams. Multiplying
the whole shingle matrix by its transpose costs the sum of every shingle's document frequency
squared, which grows quadratically with a corpus full of shared phrases (or of repeated text).
:func:`containment_pairs` finds the same pairs with *prefix filtering*: if the smaller text A
shares at least ``t·|A|`` shingles with B, then any ``|A| − ⌈t·|A|⌉ + m`` shingles of A include
``m`` of them, so comparing only each text's rarest shingles finds every candidate; candidates
are then verified exactly. :func:`shingle_matrix` hashes shingles with numpy (no Python string per
shingle), so a 17-million-character text takes about a second.

>>> m = shingle_matrix(["乡镇财政负债压力很大", "乡镇财政负债压力很大。", "村民自治"])
>>> containment_pairs(m, 0.9)[["i", "j", "containment"]]
   i  j  containment
0  0  1          1.0
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
from scipy import sparse

_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)
_BASE = np.uint64(0x100000001B3)
_MIX = np.uint64(0xFF51AFD7ED558CCD)
COLUMNS = ["i", "j", "containment", "jaccard", "size_i", "size_j"]
THREADS = min(4, os.cpu_count() or 1)


def _row_hashes(text: str, k: int) -> np.ndarray:
    """Sorted distinct 64-bit hashes of the ``k``-grams of ``text`` (punctuation and spaces
    removed)."""
    codes = np.frombuffer(_NOISE.sub("", text).encode("utf-32-le"), dtype=np.uint32)
    if len(codes) < k:
        return np.empty(0, dtype=np.uint64)
    codes = codes.astype(np.uint64)
    h = np.zeros(len(codes) - k + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for j in range(k):
            h = h * _BASE + codes[j : len(codes) - k + 1 + j]
        h ^= h >> np.uint64(33)
        h *= _MIX
        h ^= h >> np.uint64(33)
    h.sort()
    return h[np.concatenate(([True], h[1:] != h[:-1]))]


def shingle_matrix(
    texts: Sequence[str], k: int = 5, chunk: int = 1 << 22, workers: int = THREADS
) -> sparse.csr_matrix:
    """Binary CSR matrix: one row per text, one column per distinct character ``k``-gram.

    Shingles are hashed to 64 bits (collisions are negligible) and numbered in hash order, so
    each row's columns are sorted. Memory peaks at about 24 bytes per shingle.
    """
    rows = [_row_hashes(t, k) for t in texts]
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum([len(r) for r in rows], out=indptr[1:])
    hashes = np.concatenate(rows) if rows else np.empty(0, dtype=np.uint64)
    del rows
    distinct = np.sort(hashes)
    if len(distinct):
        distinct = distinct[np.concatenate(([True], distinct[1:] != distinct[:-1]))]
    indices = np.empty(len(hashes), dtype=np.int32)

    def number(start: int) -> None:  # numpy's searchsorted releases the GIL: threads help
        indices[start : start + chunk] = np.searchsorted(distinct, hashes[start : start + chunk])

    with ThreadPoolExecutor(max(workers, 1)) as pool:
        list(pool.map(number, range(0, len(hashes), chunk)))
    data = np.ones(len(indices), dtype=np.int32)
    shape = (len(indptr) - 1, max(len(distinct), 1))
    return sparse.csr_matrix((data, indices, indptr), shape=shape)


def _prefix_matrix(
    matrix: sparse.csr_matrix, threshold: float, extra: float, chunk: int = 1 << 21
) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Each row's rarest ``size − ⌈threshold·size⌉ + m`` shingles (by document frequency), with
    ``m = max(1, ⌈extra·size⌉)``, and how many of them a row it is contained in must share
    (``m``, or fewer when the prefix is the whole row). Computed in chunks of rows."""
    sizes = np.diff(matrix.indptr)
    df = np.bincount(matrix.indices, minlength=matrix.shape[1]).astype(np.int64)
    needed = np.ceil(threshold * sizes - 1e-9).astype(np.int64)
    margin = np.maximum(np.ceil(extra * sizes).astype(np.int64), 1)
    prefix = np.minimum(np.maximum(sizes - needed + margin, 1), sizes)
    kept_rows, kept_cols = [], []
    row = 0
    while row < len(sizes):
        stop = max(int(np.searchsorted(matrix.indptr, matrix.indptr[row] + chunk)), row + 1)
        stop = min(stop, len(sizes))
        lo, hi = matrix.indptr[row], matrix.indptr[stop]
        cols = matrix.indices[lo:hi]
        local = np.repeat(np.arange(stop - row), sizes[row:stop])
        # sort by (row, df, column): one int64 key; columns are already sorted within a row
        order = np.argsort(local * (int(df.max()) + 1) + df[cols], kind="stable")
        rank = np.arange(len(order)) - np.repeat(matrix.indptr[row:stop] - lo, sizes[row:stop])
        chosen = order[rank < np.repeat(prefix[row:stop], sizes[row:stop])]
        kept_rows.append(local[chosen] + row)
        kept_cols.append(cols[chosen])
        row = stop
    rows = np.concatenate(kept_rows) if kept_rows else np.empty(0, dtype=np.int64)
    cols = np.concatenate(kept_cols) if kept_cols else np.empty(0, dtype=np.int32)
    matrix = sparse.csr_matrix(
        (np.ones(len(rows), dtype=np.int32), (rows, cols)), shape=matrix.shape
    )
    return matrix, np.maximum(prefix - sizes + needed, 1)


def _shared_counts(matrix: sparse.csr_matrix, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Exact number of shingles rows ``i[n]`` and ``j[n]`` have in common, pair by pair."""
    shared = np.zeros(len(i), dtype=np.int64)
    if not len(i):
        return shared
    mask = np.zeros(matrix.shape[1], dtype=bool)
    indptr, indices = matrix.indptr, matrix.indices
    bounds = np.flatnonzero(np.diff(i)) + 1
    for start, stop in zip(np.r_[0, bounds], np.r_[bounds, len(i)], strict=True):
        row = indices[indptr[i[start]] : indptr[i[start] + 1]]
        mask[row] = True
        others = j[start:stop]
        lengths = indptr[others + 1] - indptr[others]
        offsets = np.r_[0, np.cumsum(lengths)[:-1]]
        positions = np.arange(lengths.sum()) - np.repeat(offsets, lengths)
        positions += np.repeat(indptr[others], lengths)
        hits = mask[indices[positions]].astype(np.int64)
        nonempty = lengths > 0
        shared[start:stop][nonempty] = np.add.reduceat(hits, offsets[nonempty])
        mask[row] = False
    return shared


def _blocks(work: np.ndarray, budget: int, max_rows: int) -> list[tuple[int, int]]:
    """Consecutive row ranges, each with at most ``max_rows`` rows and (unless one row alone
    exceeds it) at most ``budget`` work, so a block's product stays small in memory."""
    bounds, start, total = [], 0, 0
    for row, cost in enumerate(work.tolist()):
        if row > start and (total + cost > budget or row - start >= max_rows):
            bounds.append((start, row))
            start, total = row, 0
        total += cost
    if start < len(work):
        bounds.append((start, len(work)))
    return bounds


def _hits(i, j, shared, sizes, threshold, min_shingles, start=0) -> pd.DataFrame:
    """Pairs of a block (``i`` the smaller row) whose containment reaches ``threshold``."""
    i = i.astype(np.int64) + start
    j = j.astype(np.int64)
    keep = (i != j) & (sizes[i] <= sizes[j]) & (sizes[i] >= min_shingles)
    i, j, shared = i[keep], j[keep], np.asarray(shared)[keep].astype(np.int64)
    hit = shared / np.maximum(sizes[i], 1) >= threshold  # as dedup has always computed it
    low, high = np.minimum(i[hit], j[hit]), np.maximum(i[hit], j[hit])
    return pd.DataFrame({"i": low, "j": high, "shared": shared[hit]})


def containment_pairs(
    matrix: sparse.csr_matrix,
    threshold: float,
    min_shingles: int = 5,
    block: int = 4000,
    extra: float = 0.25,
    budget: int = 10_000_000,
    workers: int = THREADS,
    progress: bool | None = False,
) -> pd.DataFrame:
    """All pairs ``(i, j)``, ``i < j``, of rows whose shingle containment reaches ``threshold``.

    Exact (the same pairs as multiplying the whole matrix by its transpose), with
    ``containment = shared / min(size_i, size_j)`` and ``jaccard``. Rows with fewer than
    ``min_shingles`` shingles are too short to call copies and are skipped. ``extra``: prefixes
    are this share of a row longer than the minimum, and candidates must share that many of
    their shingles (fewer candidates to verify; the result does not depend on it). Rows are
    taken in blocks of at most ``block`` rows and about ``budget`` multiply-adds, ``workers``
    blocks at a time (threads); ``progress``: a bar over the rows (None: only on a terminal).
    """
    from tqdm.auto import tqdm

    matrix = matrix.tocsr()
    matrix.sort_indices()
    sizes = np.diff(matrix.indptr)
    prefix, required = _prefix_matrix(matrix, threshold, extra)
    transposed = matrix.T.tocsr()
    df = np.diff(transposed.indptr)
    full_work = matrix @ df  # per row: the work of multiplying it with every other row

    def block_pairs(bounds: tuple[int, int]) -> list[pd.DataFrame]:
        start, stop = bounds
        cand = (prefix[start:stop] @ transposed).tocoo()
        i, j = cand.row.astype(np.int64) + start, cand.col.astype(np.int64)
        # i is the smaller text (ties: both directions, deduplicated below).
        keep = (i != j) & (sizes[i] <= sizes[j]) & (sizes[i] >= min_shingles)
        keep &= cand.data >= required[i]
        i, j = i[keep], j[keep]
        del cand
        if sizes[j].sum() <= full_work[start:stop].sum():
            order = np.lexsort((j, i))
            i, j = i[order], j[order]
            return [_hits(i, j, _shared_counts(matrix, i, j), sizes, threshold, min_shingles)]
        frames = []  # dense block (shared phrases everywhere): the plain product is cheaper
        for a, b in _blocks(full_work[start:stop], budget, block):
            full = (matrix[start + a : start + b] @ transposed).tocoo()
            frames.append(
                _hits(full.row, full.col, full.data, sizes, threshold, min_shingles, start + a)
            )
        return frames

    # scipy's sparse products release the GIL: threads share the matrices and use every core
    bounds = _blocks(prefix @ df, budget, block)
    bar = tqdm(total=matrix.shape[0], unit="text", desc="near-duplicates",
               disable=None if progress is None else not progress)  # fmt: skip
    with bar, ThreadPoolExecutor(max(workers, 1)) as pool:
        frames = []
        for (start, stop), block_frames in zip(bounds, pool.map(block_pairs, bounds), strict=True):
            frames.extend(block_frames)
            bar.update(stop - start)
    pairs = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    if pairs.empty:
        return pd.DataFrame(columns=COLUMNS)
    pairs = pairs.drop_duplicates(["i", "j"]).sort_values(["i", "j"], ignore_index=True)
    size_i, size_j = sizes[pairs["i"]], sizes[pairs["j"]]
    shared = pairs.pop("shared").to_numpy()
    pairs["containment"] = shared / np.minimum(size_i, size_j)
    pairs["jaccard"] = shared / np.maximum(size_i + size_j - shared, 1)
    pairs["size_i"], pairs["size_j"] = size_i.astype(float), size_j.astype(float)
    return pairs[COLUMNS]
