"""Tokenization on Dask: the batches of :mod:`topics.text.stream` as a Dask bag.

Segmentation is embarrassingly parallel by document, and :func:`topics.text.stream.tokenize_corpus`
already cuts the corpus into batches that are tokenized independently (read from the batch
cache or segmented, then filtered). This module hands those batches to Dask instead of a local
process pool; collecting the kept words into ids stays on the caller, as before.

Each worker process builds its own tokenizer (jieba dictionary and lexicons) once, from a small
picklable description, so nothing large travels with the tasks. On a cluster, pass the
``distributed.Client``'s ``get`` as ``scheduler`` and put the cache folder on storage every
worker sees (or set ``cache_dir`` to a local folder per worker and accept re-segmenting).

>>> from topics.text.stream import tokenize_corpus
>>> result = tokenize_corpus(texts, tokenizer, runner=dask_runner("processes"))  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable, Iterator

from topics.text import stream
from topics.text.cache import SegmentCache
from topics.text.tokenize import Tokenizer

_TOKENIZERS: dict[str, Tokenizer] = {}


def _describe(tokenizer: Tokenizer) -> tuple:
    """What a worker needs to rebuild ``tokenizer``: lexicons, settings and cache folder."""
    return tokenizer.lexicons, tokenizer.settings, tokenizer.cache_dir


def _tokenize_on_worker(
    task: stream.Task, description: tuple, cache: SegmentCache | None, key: str
) -> stream.Result:
    """Tokenize one batch with the worker's own tokenizer (built on its first task)."""
    if key not in _TOKENIZERS:
        _TOKENIZERS[key] = Tokenizer(*description)
    stream.init_worker(_TOKENIZERS[key], cache)
    return stream.tokenize_batch(task)


def dask_runner(scheduler: str | Callable = "processes", partition_size: int = 1) -> stream.Runner:
    """A runner for :func:`topics.text.stream.tokenize_corpus` that computes the batches with Dask.

    ``scheduler``: "processes", "threads", "synchronous" (local schedulers), or a
    ``distributed.Client.get``. Results come back in batch order.
    """
    import dask.bag as db

    def run(tokenizer: Tokenizer, cache: SegmentCache | None, tasks: list[stream.Task],
            workers: int) -> Iterator:  # fmt: skip
        description = _describe(tokenizer)
        key = hashlib.sha256(pickle.dumps(description)).hexdigest()[:16]
        bag = db.from_sequence(tasks, partition_size=partition_size)
        results = bag.map(_tokenize_on_worker, description, cache, key)
        kwargs = {"num_workers": workers} if scheduler == "processes" else {}
        yield from results.compute(scheduler=scheduler, **kwargs)

    return run
