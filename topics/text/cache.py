"""A disk cache of jieba segmentations, keyed by text hash and dictionary.

One Parquet file per segmentation key (jieba version, HMM, POS, user-dictionary entries). When
the user dictionary changes, texts that contain none of the added, removed or re-weighted words
keep their cached segmentation: only the texts a change can affect are segmented again.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from topics.text.lexicons import DictEntry

Segment = tuple[str, str]


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _entry_set(entries: Iterable[DictEntry]) -> set[tuple]:
    return {(e.word, e.freq, e.tag) for e in entries}


@dataclass
class CacheStats:
    """How a lookup went: texts found, reused from an older dictionary, and segmented anew."""

    hits: int = 0
    reused: int = 0
    misses: int = 0


class SegmentCache:
    """Segmentations on disk under ``folder``; ``lookup`` then ``store`` the missing ones."""

    def __init__(self, folder: str | Path, key: dict, userdict: Sequence[DictEntry]):
        self.folder = Path(folder)
        self.key = dict(key)
        self.userdict = tuple(userdict)
        ident = json.dumps(
            {**self.key, "userdict": sorted(map(list, _entry_set(self.userdict)), key=str)},
            ensure_ascii=False, sort_keys=True,
        )  # fmt: skip
        self.name = hashlib.sha256(ident.encode()).hexdigest()[:16]
        self.path = self.folder / f"segments-{self.name}.parquet"
        self._table: dict[str, list[Segment]] | None = None

    def _load(self, path: Path) -> dict[str, list[Segment]]:
        try:
            frame = pq.read_table(path).to_pandas()
        except (OSError, pa.ArrowInvalid):
            return {}  # a missing or damaged cache is only a slower run
        return {
            h: list(zip(words, tags, strict=True))
            for h, words, tags in zip(
                frame["text_hash"], frame["words"], frame["tags"], strict=True
            )
        }

    @property
    def table(self) -> dict[str, list[Segment]]:
        if self._table is None:
            self._table = self._load(self.path) if self.path.exists() else {}
        return self._table

    def _previous(self) -> tuple[dict[str, list[Segment]], set[str]] | None:
        """The newest cache with the same key but another dictionary, and the changed words."""
        candidates = []
        for meta_path in self.folder.glob("segments-*.json"):
            try:
                meta = json.loads(meta_path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if meta.get("key") == self.key and meta_path.stem != self.path.stem:
                candidates.append((meta_path.stat().st_mtime, meta_path, meta))
        if not candidates:
            return None
        _, meta_path, meta = max(candidates, key=lambda c: c[0])
        old = {(w, f, t) for w, f, t in meta["userdict"]}
        changed = {entry[0] for entry in old ^ _entry_set(self.userdict)}
        return self._load(meta_path.with_suffix(".parquet")), changed

    def lookup(self, texts: Sequence[str]) -> tuple[list[list[Segment] | None], CacheStats]:
        """Cached segments for each text (None where it must be segmented)."""
        stats = CacheStats()
        found: list[list[Segment] | None] = []
        hashes = [text_hash(t) for t in texts]
        for h in hashes:
            found.append(self.table.get(h))
        stats.hits = sum(f is not None for f in found)
        if stats.hits < len(texts):
            previous = self._previous()
            if previous:
                old, changed = previous
                for i, (text, h) in enumerate(zip(texts, hashes, strict=True)):
                    if found[i] is None and h in old and not any(w in text for w in changed):
                        found[i] = old[h]
                        self.table[h] = old[h]
                        stats.reused += 1
        stats.misses = sum(f is None for f in found)
        return found, stats

    def store(self, texts: Sequence[str], segments: Sequence[list[Segment]]) -> None:
        """Add segmentations and write the cache atomically."""
        for text, segs in zip(texts, segments, strict=True):
            self.table[text_hash(text)] = list(segs)
        self.save()

    def save(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        items = sorted(self.table.items())
        frame = pd.DataFrame(
            {
                "text_hash": [h for h, _ in items],
                "words": [[w for w, _ in segs] for _, segs in items],
                "tags": [[t for _, t in segs] for _, segs in items],
            }
        )
        tmp = self.path.with_suffix(f".tmp{os.getpid()}")
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), tmp)
        os.replace(tmp, self.path)
        meta = {"key": self.key, "userdict": sorted(map(list, _entry_set(self.userdict)), key=str)}
        meta_tmp = self.path.with_suffix(f".json.tmp{os.getpid()}")
        meta_tmp.write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        os.replace(meta_tmp, self.path.with_suffix(".json"))
