"""Tokenization settings: a plain dataclass, cheap to import (no jieba until it is needed)."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass, field

from topics.validate import check_fields, require


@dataclass(frozen=True)
class TokenizeSettings:
    """Choices that shape tokens. Only ``hmm`` and ``pos_filter`` affect segmentation."""

    hmm: bool = True
    #: Keep only words whose jieba part-of-speech tag starts with one of these (None: keep all).
    pos_filter: tuple[str, ...] | None = None
    #: Merge frequent word pairs into phrases with gensim ``Phrases``.
    phrases: bool = False
    phrase_min_count: int = 5
    phrase_threshold: float = 10.0
    #: Tokenize in worker processes when the texts have at least this many characters.
    parallel_min_chars: int = 2_000_000
    workers: int = field(default_factory=lambda: max(1, min(4, os.cpu_count() or 1)))

    def __post_init__(self):
        check_fields(self, "tokenize")
        for name in ("phrase_min_count", "workers"):
            require(
                getattr(self, name) >= 1, "tokenize", name, "an integer >= 1", getattr(self, name)
            )
        chars = self.parallel_min_chars
        require(chars >= 0, "tokenize", "parallel_min_chars", "an integer >= 0", chars)
        require(self.phrase_threshold > 0, "tokenize", "phrase_threshold", "a number > 0",
                self.phrase_threshold)  # fmt: skip

    def segmentation_key(self) -> dict:
        """The settings a cached segmentation depends on."""
        import jieba  # only here: reading settings must not load the tokenizer

        return {"hmm": self.hmm, "pos": self.pos_filter is not None, "jieba": jieba.__version__}

    def as_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if k not in ("workers", "parallel_min_chars")}
