"""The segmentation cache: jieba segmentations on disk, one small file per batch of texts.

A folder per segmentation key (jieba version, HMM, POS tagging) holds one ``.npz`` per batch
(named by its texts' hashes): the token lengths of every text (the text itself gives the
words), the tags when tagging, and the user dictionary the batch was segmented with. Every
user dictionary in use is recorded once under ``userdicts/``. When the user dictionary changes,
a batch's texts that contain none of the added, removed or re-weighted words keep their
segmentation (``reused``); only the texts a change can affect are segmented again, and the
batch is written back for the new dictionary. Editing a stoplist never touches the cache:
filtering runs after it.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from topics.text.lexicons import DictEntry

Words = tuple[list[str], list[str] | None]  # one text's words, and their tags when tagging
_SEP = "\x1f"


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _digest(value: object, n: int) -> str:
    return hashlib.sha256(json.dumps(value, ensure_ascii=False).encode()).hexdigest()[:n]


def _entries(userdict: Iterable[DictEntry]) -> list[list]:
    return sorted(([e.word, e.freq, e.tag] for e in userdict), key=str)


@dataclass
class CacheStats:
    """How a lookup went: texts found, reused from an older dictionary, and segmented anew."""

    hits: int = 0
    reused: int = 0
    misses: int = 0

    def add(self, other: CacheStats) -> None:
        self.hits += other.hits
        self.reused += other.reused
        self.misses += other.misses


class SegmentCache:
    """Segmentations under ``root`` for one segmentation ``key`` and user dictionary."""

    def __init__(self, root: str | Path, key: dict, userdict: Sequence[DictEntry]):
        self.key = dict(key)
        self.folder = Path(root) / f"key-{_digest(self.key, 12)}"
        self.userdict = tuple(userdict)
        self.userdict_id = _digest(_entries(self.userdict), 16)
        self._changed: dict[str, frozenset[str] | None] = {}

    def path(self, hashes: Sequence[str]) -> Path:
        """The file of the batch of texts with these hashes."""
        return self.folder / f"{hashlib.sha256(''.join(hashes).encode()).hexdigest()[:20]}.npz"

    def register(self) -> None:
        """Record this user dictionary, so later runs with another one know what changed."""
        path = self.folder / "userdicts" / f"{self.userdict_id}.json"
        if not path.exists():
            text = json.dumps({"key": self.key, "userdict": _entries(self.userdict)},
                              ensure_ascii=False)  # fmt: skip
            _atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"), ".json")

    def changed_words(self, userdict_id: str) -> frozenset[str] | None:
        """Words added, removed or re-weighted since the dictionary ``userdict_id`` (None when
        it is unknown: then nothing segmented with it can be trusted)."""
        if userdict_id not in self._changed:
            try:
                path = self.folder / "userdicts" / f"{userdict_id}.json"
                old = json.loads(path.read_text(encoding="utf-8"))["userdict"]
                now = {tuple(entry) for entry in _entries(self.userdict)}
                changed = frozenset(e[0] for e in {tuple(e) for e in old} ^ now)
            except (OSError, ValueError, KeyError, TypeError):
                changed = None
            self._changed[userdict_id] = changed
        return self._changed[userdict_id]

    def read(self, path: Path, texts: Sequence[str]) -> tuple[list[Words | None], CacheStats]:
        """The cached words of each text of a batch (None where it must be segmented)."""
        arrays = _load(path)
        if arrays is None or len(arrays["counts"]) != len(texts):
            return [None] * len(texts), CacheStats(misses=len(texts))
        found: list[Words | None] = list(_words(texts, arrays))
        userdict_id = str(arrays["userdict"])
        if userdict_id == self.userdict_id:
            return found, CacheStats(hits=len(texts))
        changed = self.changed_words(userdict_id)
        for i, text in enumerate(texts):
            if changed is None or any(word in text for word in changed):
                found[i] = None
        misses = sum(f is None for f in found)
        return found, CacheStats(reused=len(texts) - misses, misses=misses)

    def write(self, path: Path, segmented: Sequence[Words]) -> None:
        """Save a batch's words (segmented with this cache's dictionary), atomically."""
        arrays = {
            "counts": np.asarray([len(words) for words, _ in segmented], dtype=np.int32),
            "lengths": np.asarray([len(w) for words, _ in segmented for w in words], np.int32),
            "userdict": np.asarray(self.userdict_id),
        }
        if segmented and segmented[0][1] is not None:
            tags = _SEP.join(t for _, tags in segmented for t in tags)
            arrays["tags"] = np.frombuffer(tags.encode("utf-8"), dtype=np.uint8)
        _atomic_write(path, lambda tmp: np.savez(tmp, **arrays), ".npz")


def _atomic_write(path: Path, write, suffix: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp{suffix}")
    write(tmp)
    os.replace(tmp, path)


def _load(path: Path) -> dict[str, np.ndarray] | None:
    try:
        with np.load(path) as data:
            return {name: data[name] for name in data.files}
    except (OSError, ValueError, KeyError, EOFError):
        return None  # missing or damaged: segment again


def _words(texts: Sequence[str], arrays: dict[str, np.ndarray]) -> Iterable[Words]:
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
