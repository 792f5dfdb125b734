"""Chinese tokenization: jieba segmentation, layered filters, a report of what each removed.

Segmentation (the slow part) is cached by text hash in :mod:`topics.text.cache`; filtering
(stoplists, numbers, single characters, part of speech) is cheap and re-run every time, so
editing a stoplist never calls jieba again.

>>> tok = Tokenizer()                                                  # doctest: +SKIP
>>> tok("村两委实行一肩挑,乡镇财政负债严重。")                        # doctest: +SKIP
['村两委', '一肩挑', '乡镇财政', '负债', '严重']
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import jieba
import pandas as pd
from tqdm.auto import tqdm

from topics.text.cache import CacheStats, SegmentCache
from topics.text.lexicons import STOPLIST_LAYERS, Lexicons, load_lexicons
from topics.text.settings import TokenizeSettings

jieba.setLogLevel(logging.WARNING)

_PUNCTUATION = re.compile(r"^[\W_]+$", re.UNICODE)
_NUMBER = re.compile(
    r"^[第]?[\d零〇一二三四五六七八九十百千万亿两.%%,,]+"
    r"(个|年|月|日|号|名|人|次|项|条|位|篇|期|届|岁|户|元|万元|亿元|余|多|倍|分|%)?$"
)
_LATIN = re.compile(r"^[A-Za-z0-9_.\-]*[A-Za-z][A-Za-z0-9_.\-]*$")
#: Rules in the order they are applied; stoplist layers sit between "latin" and "single_char".
FILTER_RULES = ("punctuation", "number", "latin", *STOPLIST_LAYERS, "single_char", "pos")
Segment = tuple[str, str]  # (word, part-of-speech tag or "")


def build_jieba(lexicons: Lexicons, cache_dir: Path | None = None) -> jieba.Tokenizer:
    """A private jieba tokenizer with the user dictionary added (the global one is untouched)."""
    tokenizer = jieba.Tokenizer()
    if cache_dir is not None:
        cache_dir.mkdir(parents=True, exist_ok=True)
        tokenizer.tmp_dir = str(cache_dir)
    tokenizer.initialize()
    for entry in lexicons.userdict:
        tokenizer.add_word(entry.word, entry.freq, entry.tag)
    return tokenizer


def segment_text(
    tokenizer: jieba.Tokenizer, text: str, settings: TokenizeSettings
) -> list[Segment]:
    """Raw jieba segments of ``text`` (precise mode), with POS tags when a POS filter is set."""
    if settings.pos_filter is not None:
        import jieba.posseg  # loads the tagger's model (~0.5 s): only when asked for

        tagger = jieba.posseg.POSTokenizer(tokenizer)
        return [(p.word, p.flag) for p in tagger.lcut(text, HMM=settings.hmm)]
    return [(w, "") for w in tokenizer.lcut(text, HMM=settings.hmm)]


def removal_rule(word: str, tag: str, lexicons: Lexicons, settings: TokenizeSettings) -> str | None:
    """The first filter rule that removes ``word``, or None when it is kept."""
    word = word.strip()
    if not word or _PUNCTUATION.match(word):
        return "punctuation"
    if _NUMBER.match(word):
        return "number"
    if _LATIN.match(word):
        return "latin"
    layer = lexicons.stopword_layer(word)
    if layer:
        return layer
    if len(word) == 1 and word not in lexicons.single_char_allow:
        return "single_char"
    if settings.pos_filter is not None and not tag.startswith(settings.pos_filter):
        return "pos"
    return None


class Tokenizer:
    """Segment and filter text with the project's lexicons and settings.

    ``Tokenizer()(text)`` returns the kept tokens; :meth:`filter` also returns what was removed.
    """

    def __init__(
        self,
        lexicons: Lexicons | None = None,
        settings: TokenizeSettings | None = None,
        cache_dir: str | Path | None = None,
    ):
        self.lexicons = lexicons or load_lexicons()
        self.settings = settings or TokenizeSettings()
        self.cache_dir = Path(cache_dir) if cache_dir else None
        self._jieba: jieba.Tokenizer | None = None

    @property
    def jieba(self) -> jieba.Tokenizer:
        """The jieba tokenizer, built (dictionary loaded) on first use."""
        if self._jieba is None:
            jieba_dir = self.cache_dir / "jieba" if self.cache_dir else None
            self._jieba = build_jieba(self.lexicons, jieba_dir)
        return self._jieba

    def segment(self, text: str) -> list[Segment]:
        return segment_text(self.jieba, text, self.settings)

    def filter(self, segments: Sequence[Segment]) -> tuple[list[str], list[tuple[str, str]]]:
        """Kept tokens, and the removed ``(word, rule)`` pairs."""
        kept, removed = [], []
        for word, tag in segments:
            rule = removal_rule(word, tag, self.lexicons, self.settings)
            if rule is None:
                kept.append(word.strip())
            elif rule != "punctuation" or word.strip():
                removed.append((word.strip(), rule))
        return kept, removed

    def __call__(self, text: str) -> list[str]:
        return self.filter(self.segment(text))[0]


# Worker state for parallel segmentation: built once per process.
_WORKER: Tokenizer | None = None


def _init_worker(tokenizer: Tokenizer) -> None:
    global _WORKER
    _WORKER = tokenizer


def _segment_batch(texts: list[str]) -> list[list[Segment]]:
    assert _WORKER is not None
    return [_WORKER.segment(t) for t in texts]


def segment_many(
    tokenizer: Tokenizer, texts: Sequence[str], progress: bool = True, desc: str = "segmenting"
) -> list[list[Segment]]:
    """Segment ``texts``, in parallel processes when they are large; with a progress bar."""
    settings = tokenizer.settings
    total_chars = sum(map(len, texts))
    bar = tqdm(total=total_chars, unit="char", unit_scale=True, desc=desc, disable=not progress)
    results: list[list[Segment]] = []
    with bar:
        if settings.workers > 1 and total_chars >= settings.parallel_min_chars:
            _ = tokenizer.jieba  # load the dictionary once; forked workers inherit it
            batches = _batches(texts, max(1, total_chars // (settings.workers * 20)))
            with ProcessPoolExecutor(
                settings.workers, initializer=_init_worker, initargs=(tokenizer,)
            ) as pool:
                for batch, segments in zip(batches, pool.map(_segment_batch, batches), strict=True):
                    results.extend(segments)
                    bar.update(sum(map(len, batch)))
        else:
            for text in texts:
                results.append(tokenizer.segment(text))
                bar.update(len(text))
    return results


def _batches(texts: Sequence[str], chars_per_batch: int) -> list[list[str]]:
    batches, current, size = [], [], 0
    for text in texts:
        current.append(text)
        size += len(text)
        if size >= chars_per_batch:
            batches.append(current)
            current, size = [], 0
    if current:
        batches.append(current)
    return batches


def removal_report(removed: Counter, kept: Counter, top: int = 12) -> pd.DataFrame:
    """One row per filter rule: tokens and distinct words removed, share, most frequent words.

    ``removed`` counts ``(word, rule)`` pairs; ``kept`` counts kept words (reported as "kept").
    """
    total = sum(removed.values()) + sum(kept.values())
    rows = []
    for rule in (*FILTER_RULES, "phrases"):
        words = Counter({w: n for (w, r), n in removed.items() if r == rule})
        if not words:
            continue
        rows.append(_report_row(rule, words, total, top))
    rows.append(_report_row("kept", kept, total, top))
    return pd.DataFrame(rows, columns=["rule", "tokens", "share", "distinct", "top_words"])


def _report_row(rule: str, words: Counter, total: int, top: int) -> dict:
    count = sum(words.values())
    return {
        "rule": rule,
        "tokens": count,
        "share": round(count / total, 4) if total else 0.0,
        "distinct": len(words),
        "top_words": " ".join(f"{w}({n})" for w, n in words.most_common(top)),
    }


@dataclass
class TokenizedCorpus:
    """Token lists (one per input text), the removal report and how the cache was used."""

    tokens: list[list[str]]
    report: pd.DataFrame
    cache: CacheStats
    phraser: object | None = None  # gensim FrozenPhrases when phrase merging is on


def tokenize_corpus(
    texts: Sequence[str], tokenizer: Tokenizer | None = None, progress: bool = True
) -> TokenizedCorpus:
    """Tokenize many texts, reusing cached segmentations (see :mod:`topics.text.cache`)."""
    tokenizer = tokenizer or Tokenizer()
    texts = list(texts)
    cache = None
    if tokenizer.cache_dir is not None:
        cache = SegmentCache(
            tokenizer.cache_dir / "segments",
            tokenizer.settings.segmentation_key(),
            tokenizer.lexicons.userdict,
        )
        found, stats = cache.lookup(texts)
    else:
        found, stats = [None] * len(texts), CacheStats(misses=len(texts))
    missing = [i for i, segs in enumerate(found) if segs is None]
    if missing:
        fresh = segment_many(tokenizer, [texts[i] for i in missing], progress)
        for i, segs in zip(missing, fresh, strict=True):
            found[i] = segs
        if cache is not None:
            cache.store([texts[i] for i in missing], fresh)
    removed: Counter = Counter()
    tokens = []
    for segs in found:
        kept, dropped = tokenizer.filter(segs)
        tokens.append(kept)
        removed.update(dropped)
    phraser = None
    if tokenizer.settings.phrases:
        tokens, phraser = merge_phrases(tokens, tokenizer.settings)
    kept_counts = Counter(w for doc in tokens for w in doc)
    return TokenizedCorpus(tokens, removal_report(removed, kept_counts), stats, phraser)


def merge_phrases(tokens: list[list[str]], settings: TokenizeSettings):
    """Join frequent adjacent pairs with gensim ``Phrases`` (``乡镇_财政``)."""
    from gensim.models.phrases import Phrases

    model = Phrases(
        tokens, min_count=settings.phrase_min_count, threshold=settings.phrase_threshold,
        delimiter="_",
    ).freeze()  # fmt: skip
    return [model[doc] for doc in tokens], model
