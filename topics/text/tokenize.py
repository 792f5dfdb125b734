"""Chinese tokenization: jieba segmentation, layered filters, a report of what each removed.

This module handles one text at a time; :func:`topics.text.stream.tokenize_corpus` tokenizes a
corpus (cached segmentation in :mod:`topics.text.cache`, worker processes for large ones).
Filtering (stoplists, numbers, single characters, part of speech) is cheap and re-run every
time, so editing a stoplist never calls jieba again.

>>> tok = Tokenizer()
>>> tok("村两委实行一肩挑,乡镇财政负债严重。")
['村两委', '一肩挑', '乡镇财政', '负债', '严重']
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import jieba
import pandas as pd

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
) -> tuple[list[str], list[str] | None]:
    """Raw jieba words of ``text`` (precise mode), and their POS tags when a POS filter is set."""
    if settings.pos_filter is not None:
        import jieba.posseg  # loads the tagger's model (~0.5 s): only when asked for

        pairs = jieba.posseg.POSTokenizer(tokenizer).lcut(text, HMM=settings.hmm)
        return [p.word for p in pairs], [p.flag for p in pairs]
    return tokenizer.lcut(text, HMM=settings.hmm), None


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

    def words(self, text: str) -> tuple[list[str], list[str] | None]:
        """Raw words of ``text``, with their tags when a POS filter is set."""
        return segment_text(self.jieba, text, self.settings)

    def segment(self, text: str) -> list[Segment]:
        """Raw ``(word, tag)`` segments of ``text`` (tag "" without a POS filter)."""
        words, tags = self.words(text)
        return list(zip(words, tags or [""] * len(words), strict=True))

    def filter(self, segments: Sequence[Segment]) -> tuple[list[str], Counter]:
        """Kept tokens, and the removed ``(word, rule)`` counts."""
        kept: list[str] = []
        removed: Counter = Counter()
        words = [w for w, _ in segments]
        tags = [t for _, t in segments] if self.settings.pos_filter is not None else None
        rules: dict = {}
        filter_words(self, words, tags, rules, kept, removed)
        return kept, removed_by_rule(removed, rules)

    def __call__(self, text: str) -> list[str]:
        return self.filter(self.segment(text))[0]


def filter_words(tokenizer: Tokenizer, words, tags, rules: dict, kept: list, removed: Counter):
    """Append the kept words of one text to ``kept``; count removed words in ``removed`` (by
    their raw form and tag). ``rules`` memoises ``(rule, stripped word)`` per distinct word,
    so filtering a corpus costs one lookup per token."""
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


def removed_by_rule(removed: Counter, rules: dict) -> Counter:
    """``(word, rule)`` counts of what :func:`filter_words` removed (empty words left out)."""
    by_rule: Counter = Counter()
    for key, count in removed.items():
        rule, word = rules[key]
        if rule != "punctuation" or word:
            by_rule[(word, rule)] += count
    return by_rule


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


def train_phraser(documents: Iterable[list[str]], settings: TokenizeSettings):
    """A frozen gensim ``Phrases`` model that joins frequent adjacent pairs (``乡镇_财政``).

    A run saves the phraser it was trained with, and new documents are merged by it, never by
    a phraser trained on them."""
    from gensim.models.phrases import Phrases

    return Phrases(
        documents, min_count=settings.phrase_min_count, threshold=settings.phrase_threshold,
        delimiter="_",
    ).freeze()  # fmt: skip
