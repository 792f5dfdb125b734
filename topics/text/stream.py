"""Tokenize large corpora in bounded memory: parallel segmentation, a batch cache on disk,
tokens as int32 ids.

The in-memory path (:func:`topics.text.tokenize.tokenize_corpus`) keeps every segment of every text
as Python tuples (a 705 MB peak for 10 MB of text, growing with the corpus; 240 MB here, most
of it the texts). This path gives the same tokens with:

- **batches** cut at content-defined boundaries (after a text whose hash ends a batch, or when
  a batch is full), so editing or inserting a document re-segments only its batch;
- a **cache** of one small ``.npz`` per batch (token lengths; the text itself gives the words),
  keyed by the batch's texts, the user dictionary and the segmentation settings, so a second
  run with nothing changed calls jieba not once, and editing a stoplist never does;
- **worker processes** that read or segment each batch and filter it, and send back only the
  kept words (one string per batch), with a progress bar and ETA;
- **token ids**: kept tokens as one int32 array into a vocabulary; :attr:`TokenIds.tokens` gives
  lists whose strings are shared, about 8 bytes per token.

:class:`TokenIds` has the attributes of :class:`topics.text.tokenize.TokenizedCorpus` (``tokens``,
``report``, ``cache``, ``phraser``), so the pipeline can use either.

>>> result = tokenize_large(paragraph_texts, tokenizer, progress=False)   # doctest: +SKIP
>>> result.tokens[0][:3], result.n_tokens[:3]                              # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from gensim.corpora import Dictionary
from scipy import sparse
from tqdm.auto import tqdm

from topics.text.cache import CacheStats, text_hash
from topics.text.tokenize import Tokenizer, merge_phrases, removal_report, removal_rule

#: A batch ends after a text whose hash is 0 modulo this (on average), or when it is full.
BATCH_TEXTS = 128
BATCH_CHARS = 250_000
#: Corpora with more characters than this take the streaming path in the pipeline.
LARGE_CORPUS_CHARS = 20_000_000
_SEP = "\x1f"
Task = tuple[list[str], Path | None]  # a batch of texts and its cache file
Result = tuple[bool, str, list[int], Counter]  # see _tokenize_batch
Runner = Callable[["Tokenizer", list[Task], int], Iterator[Result]]


def is_large(texts: Sequence[str], threshold: int = LARGE_CORPUS_CHARS) -> bool:
    """True when ``texts`` are big enough for :func:`tokenize_large`."""
    total = 0
    for text in texts:
        total += len(text)
        if total > threshold:
            return True
    return False


def batch_bounds(hashes: Sequence[str], lengths: Sequence[int]) -> list[tuple[int, int]]:
    """``(start, stop)`` of each batch: content-defined boundaries, capped at ``BATCH_CHARS``."""
    bounds, start, size = [], 0, 0
    every = BATCH_TEXTS
    for i, (h, n) in enumerate(zip(hashes, lengths, strict=True)):
        size += n
        if int(h[:8], 16) % every == 0 or size >= BATCH_CHARS:
            bounds.append((start, i + 1))
            start, size = i + 1, 0
    if start < len(hashes):
        bounds.append((start, len(hashes)))
    return bounds


# Worker state: the tokenizer (inherited by forked worker processes) and its memoised rules.
_WORKER: Tokenizer | None = None
_RULES: dict = {}


def _init_worker(tokenizer: Tokenizer) -> None:
    global _WORKER, _RULES
    _WORKER, _RULES = tokenizer, {}


def _tokenize_batch(task: Task) -> Result:
    """Segment one batch (or read it from the cache file, writing it when missing) and filter
    it: ``(segmented now, kept words joined by \\x1f, kept words per text, removed counts)``."""
    texts, path = task
    assert _WORKER is not None
    arrays = BatchCache.load(path) if path is not None else None
    fresh = arrays is None or len(arrays["counts"]) != len(texts)
    if fresh:
        segmented = [_segment(_WORKER, text) for text in texts]
        arrays = _arrays(segmented, _WORKER.settings.pos_filter is not None)
        if path is not None:
            BatchCache.save(path, arrays)
    else:
        segmented = _segments(texts, arrays)
    kept, counts, removed = [], [], Counter()
    for words, tags in segmented:
        before = len(kept)
        _filter(_WORKER, words, tags, _RULES, kept, removed)
        counts.append(len(kept) - before)
    return fresh, _SEP.join(kept), counts, _removed_by_rule(removed, _RULES)


def _segment(tokenizer: Tokenizer, text: str) -> tuple[list[str], list[str] | None]:
    """Words of ``text`` (as :meth:`Tokenizer.segment`), and their tags with a POS filter."""
    if tokenizer.settings.pos_filter is None:
        words, tags = tokenizer.jieba.lcut(text, HMM=tokenizer.settings.hmm), None
    else:
        segments = tokenizer.segment(text)
        words, tags = [w for w, _ in segments], [t for _, t in segments]
    if sum(map(len, words)) != len(text):  # jieba keeps every character; ids rely on it
        raise RuntimeError("segmentation does not cover the text")
    return words, tags


def _arrays(segmented: list[tuple[list[str], list[str] | None]], tagged: bool) -> dict:
    """Cache arrays: ``counts`` (tokens per text), ``lengths`` (characters per token) and, with
    tags, ``tags`` (UTF-8 bytes, tags separated by ``\\x1f``)."""
    arrays = {
        "counts": np.asarray([len(words) for words, _ in segmented], dtype=np.int32),
        "lengths": np.asarray([len(w) for words, _ in segmented for w in words], dtype=np.int32),
    }
    if tagged:
        tags = _SEP.join(t for _, tags in segmented for t in tags)
        arrays["tags"] = np.frombuffer(tags.encode("utf-8"), dtype=np.uint8)
    return arrays


def _segments(texts: Sequence[str], arrays: dict[str, np.ndarray]) -> Iterator[tuple]:
    """The words (and tags) of each text, rebuilt from the cache arrays and the text."""
    ends = np.cumsum(arrays["lengths"]).tolist()
    tags = bytes(arrays["tags"]).decode("utf-8").split(_SEP) if "tags" in arrays else None
    position = 0
    for text, count in zip(texts, arrays["counts"].tolist(), strict=True):
        stops = ends[position : position + count]
        offset = ends[position - 1] if position else 0
        starts = [offset, *stops[:-1]]
        words = [text[a - offset : b - offset] for a, b in zip(starts, stops, strict=True)]
        yield words, (tags[position : position + count] if tags else None)
        position += count


class BatchCache:
    """Segmentations on disk, one ``.npz`` per batch, named by the batch's key."""

    def __init__(self, folder: Path, tokenizer: Tokenizer):
        self.folder = Path(folder)
        userdict = sorted((e.word, e.freq or 0, e.tag or "") for e in tokenizer.lexicons.userdict)
        ident = json.dumps([tokenizer.settings.segmentation_key(), userdict], ensure_ascii=False)
        self.prefix = hashlib.sha256(ident.encode()).hexdigest()[:12]

    def path(self, hashes: Sequence[str]) -> Path:
        key = hashlib.sha256("".join(hashes).encode()).hexdigest()[:20]
        return self.folder / f"{self.prefix}-{key}.npz"

    @staticmethod
    def load(path: Path) -> dict[str, np.ndarray] | None:
        try:
            with np.load(path) as data:
                return {name: data[name] for name in data.files}
        except (OSError, ValueError, KeyError, EOFError):
            return None  # missing or damaged: segment again

    @staticmethod
    def save(path: Path, arrays: dict[str, np.ndarray]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp.npz")
        np.savez(tmp, **arrays)
        os.replace(tmp, path)


@dataclass
class TokenIds:
    """Kept tokens of many texts as int32 ids into ``vocabulary`` (doc i: ``ids[offsets[i]:
    offsets[i + 1]]``), with the removal report and cache statistics."""

    vocabulary: list[str]
    ids: np.ndarray
    offsets: np.ndarray
    report: pd.DataFrame
    cache: CacheStats
    phraser: object | None = None
    _tokens: list[list[str]] | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @property
    def n_tokens(self) -> np.ndarray:
        return np.diff(self.offsets)

    @property
    def tokens(self) -> list[list[str]]:
        """Token lists (built once); their strings are the vocabulary's, shared."""
        if self._tokens is None:
            words = np.array(self.vocabulary + [""], dtype=object)
            self._tokens = [
                words[self.ids[a:b]].tolist()
                for a, b in zip(self.offsets[:-1], self.offsets[1:], strict=True)
            ]
        return self._tokens

    def subset(self, rows: Sequence[int] | np.ndarray) -> TokenIds:
        """The documents ``rows`` (in that order), over the same vocabulary."""
        rows = np.asarray(rows, dtype=np.int64)
        starts, stops = self.offsets[rows], self.offsets[rows + 1]
        ids = [self.ids[a:b] for a, b in zip(starts.tolist(), stops.tolist(), strict=True)]
        offsets = np.concatenate([[0], np.cumsum(stops - starts)]).astype(np.int64)
        ids = np.concatenate(ids) if ids else np.empty(0, dtype=np.int32)
        return TokenIds(self.vocabulary, ids, offsets, self.report, self.cache, self.phraser)

    def dictionary(self) -> Dictionary:
        """The gensim ``Dictionary`` of these documents, equal to ``Dictionary(self.tokens)``
        (same ids and counts) but built from the arrays, without token lists."""
        present, first = np.unique(self.ids, return_index=True)
        first_doc = np.searchsorted(self.offsets, first, side="right") - 1
        by_word = np.argsort(np.array(self.vocabulary, dtype=object)[present], kind="stable")
        word_rank = np.empty(len(present), dtype=np.int64)
        word_rank[by_word] = np.arange(len(present))
        # gensim numbers words by first appearance, the new words of a document sorted
        order = present[np.lexsort((word_rank, first_doc))]
        new_id = np.full(len(self.vocabulary), -1, dtype=np.int64)
        new_id[order] = np.arange(len(order))
        dfs = np.bincount(self.counts().indices, minlength=len(self.vocabulary))
        cfs = np.bincount(self.ids, minlength=len(self.vocabulary))
        dictionary = Dictionary()
        dictionary.token2id = {self.vocabulary[i]: n for n, i in enumerate(order.tolist())}
        dictionary.dfs = {int(new_id[i]): int(dfs[i]) for i in order.tolist()}
        dictionary.cfs = {int(new_id[i]): int(cfs[i]) for i in order.tolist()}
        dictionary.num_docs, dictionary.num_pos = len(self), len(self.ids)
        dictionary.num_nnz = int(dfs.sum())
        return dictionary

    def counts(self, rows: np.ndarray | None = None) -> sparse.csr_matrix:
        """Document × vocabulary count matrix (of ``rows`` only, when given)."""
        matrix = count_rows(self.ids, self.n_tokens, len(self.vocabulary))
        return matrix if rows is None else matrix[rows]


def count_rows(columns: np.ndarray, lengths: np.ndarray, n_columns: int) -> sparse.csr_matrix:
    """Count matrix of documents given as one array of column ids (document d: the next
    ``lengths[d]`` entries); negative ids (unknown words) are skipped. CSR, int32 counts, column
    indices sorted within each row (as ``Dictionary.doc2bow`` sorts its bags)."""
    columns = np.asarray(columns, dtype=np.int64)
    doc = np.repeat(np.arange(len(lengths)), lengths)
    known = columns >= 0
    matrix = sparse.csr_matrix(
        (np.ones(int(known.sum()), dtype=np.int32), (doc[known], columns[known])),
        shape=(len(lengths), n_columns),
    )
    matrix.sum_duplicates()
    return matrix


class _Vocabulary:
    """Word → id, ids given in gensim ``Dictionary`` order (per text, new words sorted)."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.words: list[str] = []

    def ids(self, words: list[str]) -> list[int]:
        index = self.index
        new = sorted({w for w in words if w not in index})
        for word in new:
            index[word] = len(self.words)
            self.words.append(word)
        return [index[w] for w in words]


def _filter(tokenizer, words, tags, rules: dict, kept: list, removed: Counter) -> None:
    """Append the kept words of one text to ``kept``; count removed words in ``removed`` (by
    their raw form and tag). ``rules`` memoises ``(rule, stripped word)`` per distinct word,
    so filtering costs one lookup per token."""
    append = kept.append
    for n, word in enumerate(words):
        key = word if tags is None else (word, tags[n])
        found = rules.get(key)
        if found is None:
            tag = "" if tags is None else tags[n]
            rule = removal_rule(word, tag, tokenizer.lexicons, tokenizer.settings)
            found = rules[key] = (rule, word.strip())
        if found[0] is None:
            append(found[1])
        else:
            removed[key] += 1


def _removed_by_rule(removed: Counter, rules: dict) -> Counter:
    """``(word, rule)`` counts, as :meth:`Tokenizer.filter` reports them."""
    by_rule: Counter = Counter()
    for key, count in removed.items():
        rule, word = rules[key]
        if rule != "punctuation" or word:
            by_rule[(word, rule)] += count
    return by_rule


def tokenize_large(
    texts: Sequence[str],
    tokenizer: Tokenizer,
    progress: bool = True,
    workers: int | None = None,
    cache_dir: str | Path | None = None,
    runner: Runner | None = None,
) -> TokenIds:
    """Tokens of ``texts`` like :func:`topics.text.tokenize.tokenize_corpus`, in bounded memory.

    Batches missing from the cache (``cache_dir``, default ``<tokenizer cache>/segments-batches``)
    are segmented by ``workers`` processes (default: the tokenizer's setting). ``runner`` runs
    the batches elsewhere, e.g. :func:`topics.text.distributed.dask_runner` on a Dask cluster.
    """
    texts = list(texts)
    workers = workers or tokenizer.settings.workers
    folder = Path(cache_dir) if cache_dir else None
    if folder is None and tokenizer.cache_dir is not None:
        folder = tokenizer.cache_dir / "segments-batches"
    hashes = [text_hash(t) for t in texts]
    bounds = batch_bounds(hashes, [len(t) for t in texts])
    cache = BatchCache(folder, tokenizer) if folder else None
    tasks = [(texts[a:b], cache.path(hashes[a:b]) if cache else None) for a, b in bounds]
    bar = tqdm(total=sum(map(len, texts)), unit="char", unit_scale=True, desc="tokenizing",
               disable=not progress)  # fmt: skip
    vocabulary, removed, stats = _Vocabulary(), Counter(), CacheStats()
    ids, offsets = [], [0]
    with bar:
        for (batch, _), (fresh, joined, counts, dropped) in zip(
            tasks, (runner or run_in_processes)(tokenizer, tasks, workers), strict=True
        ):
            words = joined.split(_SEP) if joined else []
            start = 0
            for count in counts:
                doc = vocabulary.ids(words[start : start + count])
                ids.append(np.asarray(doc, dtype=np.int32))
                offsets.append(offsets[-1] + count)
                start += count
            removed.update(dropped)
            if fresh:
                stats.misses += len(batch)
            else:
                stats.hits += len(batch)
            bar.update(sum(map(len, batch)))
    result = TokenIds(
        vocabulary.words,
        np.concatenate(ids) if ids else np.empty(0, dtype=np.int32),
        np.asarray(offsets, dtype=np.int64),
        pd.DataFrame(),
        stats,
    )
    frequency = np.bincount(result.ids, minlength=len(result.vocabulary)).tolist()
    kept = Counter(dict(zip(result.vocabulary, frequency, strict=True)))
    if tokenizer.settings.phrases:
        result._tokens, result.phraser = merge_phrases(result.tokens, tokenizer.settings)
        kept = Counter(w for doc in result._tokens for w in doc)
    result.report = removal_report(removed, kept)
    return result


def run_in_processes(tokenizer: Tokenizer, tasks: list[Task], workers: int) -> Iterator[Result]:
    """Results of :func:`_tokenize_batch` for each task, in order: in worker processes when
    there are several batches and workers (they run ahead while the caller collects)."""
    if workers <= 1 or len(tasks) <= 1:
        _init_worker(tokenizer)
        yield from map(_tokenize_batch, tasks)
        return
    _ = tokenizer.jieba  # load the dictionary once; forked workers inherit it
    with ProcessPoolExecutor(workers, initializer=_init_worker, initargs=(tokenizer,)) as pool:
        yield from pool.map(_tokenize_batch, tasks)
