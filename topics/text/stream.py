"""Tokenize a corpus, small or large, into :class:`~topics.text.token_ids.TokenIds`: the one
token path.

- **batches** cut at content-defined boundaries (after a text whose hash ends a batch, or when
  a batch is full), so editing or inserting a document re-segments only its batch;
- the **segmentation cache** (:mod:`topics.text.cache`): a second run with nothing changed
  calls jieba not once, editing a stoplist never does, and editing the user dictionary
  re-segments only the texts that contain a changed word;
- **worker processes** for corpora of ``parallel_min_chars`` or more: each reads or segments a
  batch and filters it, and sends back only the kept words (one string per batch), with a
  progress bar and ETA; memory stays bounded (no segments are kept, tokens become int32 ids);
- **phrases** (``phrases = true``): a frozen gensim phraser trained on the corpus (or given,
  e.g. a run's, for new documents) merges frequent pairs; the ids are of the merged tokens.

>>> from topics.text.tokenize import Tokenizer
>>> texts = ["村两委实行一肩挑。", "乡镇财政负债严重,转移支付不足。"]
>>> result = tokenize_corpus(texts, Tokenizer(), progress=False)
>>> result.tokens, result.n_tokens.tolist()
([['村两委', '一肩挑'], ['乡镇财政', '负债', '严重', '转移支付', '不足']], [2, 5])
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from topics.text.cache import CacheStats, SegmentCache, Words, text_hash
from topics.text.token_ids import TokenIds, TokenIdsBuilder, from_lists
from topics.text.tokenize import (
    Tokenizer,
    filter_words,
    removal_report,
    removed_by_rule,
    train_phraser,
)

#: A batch ends after a text whose hash is 0 modulo this (on average), or when it is full.
BATCH_TEXTS = 128
BATCH_CHARS = 250_000
_SEP = "\x1f"
Task = tuple[list[str], Path | None]  # a batch of texts and its cache file
Result = tuple[CacheStats, str, list[int], Counter]  # see tokenize_batch
Runner = Callable[["Tokenizer", list[Task], int], Iterator[Result]]


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


# Worker state: the tokenizer and cache (inherited by forked worker processes) and the
# memoised filter rules.
_WORKER: tuple[Tokenizer, SegmentCache | None] | None = None
_RULES: dict = {}


def init_worker(tokenizer: Tokenizer, cache: SegmentCache | None) -> None:
    global _WORKER, _RULES
    _WORKER, _RULES = (tokenizer, cache), {}


def tokenize_batch(task: Task) -> Result:
    """Read one batch from the cache (segmenting the texts it lacks, and writing it back) and
    filter it: ``(cache statistics, kept words joined by \\x1f, kept words per text, removed
    counts)``."""
    texts, path = task
    assert _WORKER is not None
    tokenizer, cache = _WORKER
    if cache is not None and path is not None:
        found, stats = cache.read(path, texts)
    else:
        found, stats = [None] * len(texts), CacheStats(misses=len(texts))
    segmented = [words if words is not None else _segment(tokenizer, text)
                 for text, words in zip(texts, found, strict=True)]  # fmt: skip
    if stats.hits < len(texts) and cache is not None and path is not None:
        cache.write(path, segmented)
    kept, counts, removed = [], [], Counter()
    for words, tags in segmented:
        before = len(kept)
        filter_words(tokenizer, words, tags, _RULES, kept, removed)
        counts.append(len(kept) - before)
    return stats, _SEP.join(kept), counts, removed_by_rule(removed, _RULES)


def _segment(tokenizer: Tokenizer, text: str) -> Words:
    """Words of ``text`` (and tags with a POS filter); checks that they cover the text."""
    words, tags = tokenizer.words(text)
    if sum(map(len, words)) != len(text):  # jieba keeps every character; the cache relies on it
        raise RuntimeError("segmentation does not cover the text")
    return words, tags


def tokenize_corpus(
    texts: Sequence[str],
    tokenizer: Tokenizer | None = None,
    progress: bool = True,
    workers: int | None = None,
    cache_dir: str | Path | None = None,
    runner: Runner | None = None,
    phraser: object | None = None,
) -> TokenIds:
    """Token ids of ``texts``, with the removal report and how the cache was used.

    Segmentations are cached under ``cache_dir`` (default ``<tokenizer cache>/segments``; none
    when the tokenizer has no cache folder). Batches are tokenized by ``workers`` processes
    (default: the tokenizer's setting) when the texts have ``parallel_min_chars`` or more;
    ``runner`` runs them elsewhere, e.g. :func:`topics.text.distributed.dask_runner`.
    ``phraser``: a frozen phraser to merge phrases with (a run's, for new documents); without
    one, a phraser is trained on ``texts`` when the settings ask for phrases.
    """
    tokenizer = tokenizer or Tokenizer()
    texts = list(texts)
    settings = tokenizer.settings
    total = sum(map(len, texts))
    workers = workers or settings.workers
    workers = workers if total >= settings.parallel_min_chars or runner else 1
    folder = Path(cache_dir) if cache_dir else None
    if folder is None and tokenizer.cache_dir is not None:
        folder = tokenizer.cache_dir / "segments"
    cache = None
    if folder is not None:
        cache = SegmentCache(folder, settings.segmentation_key(), tokenizer.lexicons.userdict)
        cache.register()
    hashes = [text_hash(t) for t in texts]
    bounds = batch_bounds(hashes, [len(t) for t in texts])
    tasks = [(texts[a:b], cache.path(hashes[a:b]) if cache else None) for a, b in bounds]
    bar = tqdm(total=total, unit="char", unit_scale=True, desc="tokenizing",
               disable=not progress)  # fmt: skip
    builder, removed, stats = TokenIdsBuilder(), Counter(), CacheStats()
    with bar:
        results = (runner or run_in_processes)(tokenizer, cache, tasks, workers)
        for (batch, _), (batch_stats, joined, counts, dropped) in zip(tasks, results, strict=True):
            words = joined.split(_SEP) if joined else []
            start = 0
            for count in counts:
                builder.add(words[start : start + count])
                start += count
            removed.update(dropped)
            stats.add(batch_stats)
            bar.update(sum(map(len, batch)))
    result = builder.build(cache=stats)
    if phraser is None and settings.phrases:
        phraser = train_phraser(result.iter_tokens(), settings)
    if phraser is not None:
        merged = (phraser[doc] for doc in result.iter_tokens())
        result = from_lists(merged, cache=stats, phraser=phraser)
    frequency = np.bincount(result.ids, minlength=len(result.vocabulary)).tolist()
    kept = Counter(dict(zip(result.vocabulary, frequency, strict=True)))
    result.report = removal_report(removed, kept)
    return result


def run_in_processes(
    tokenizer: Tokenizer, cache: SegmentCache | None, tasks: list[Task], workers: int
) -> Iterator[Result]:
    """Results of :func:`tokenize_batch` for each task, in order: in worker processes when
    there are several batches and workers (they run ahead while the caller collects)."""
    if workers <= 1 or len(tasks) <= 1:
        init_worker(tokenizer, cache)
        yield from map(tokenize_batch, tasks)
        return
    _ = tokenizer.jieba  # load the dictionary once; forked workers inherit it
    with ProcessPoolExecutor(workers, initializer=init_worker, initargs=(tokenizer, cache)) as pool:
        yield from pool.map(tokenize_batch, tasks)
