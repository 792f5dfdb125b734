"""A corpus with a known answer: documents whose theme mix follows a planted linear trend in time.

Built from real paragraphs (the bundled corpus's), so the text reads like a real corpus: each
document gets a year in its file name (``2003_planted_07.txt``), a number of *rising*
paragraphs (e.g. about township finance) that grows linearly with the year, *falling*
paragraphs (e.g. about village autonomy) whose number shrinks linearly, and other paragraphs
for the rest. A paragraph is rising or falling by the seed words of a theme it contains
(``data/themes.toml``): at least :data:`MIN_HITS` of one theme and none of the other. The
truth table lists each document's year, paragraph counts and the share of its characters
that are rising or falling paragraphs; :func:`planted_slopes` gives their change per year.

A second known answer, for how a topic's *words* change (:mod:`topics.analysis.words_by`):
with ``share_range=FLAT`` both themes keep the same number of paragraphs in every document, and
with ``shift=SHIFT`` the rising theme's paragraphs of documents from :data:`SHIFT_YEAR` on have
each word of the mapping replaced (财力 → 财源, …): the theme's share stays flat while its
vocabulary changes. Without ``shift`` the same corpus has no change at all.

>>> texts = pd.Series(["财政负债,财力不足。", "县乡财政与转移支付资金。", "村民自治,村委会和村民代表。",
...                    "村民代表会议。村民自治。村委会。", "党的建设。", "干部作风。"], index=list("abcdef"))
>>> scores = seed_scores(texts, ["财政", "乡镇财政", "财力", "负债", "转移支付", "资金"],
...                      ["村民自治", "村委会", "村民代表"])
>>> classify(scores).tolist()
['rising', 'rising', 'falling', 'falling', '', '']
>>> plan = assign_paragraphs(scores, n_docs=9, per_doc=2, seed=0)
>>> plan["year"].tolist(), plan["n_rising"].tolist(), plan["n_falling"].tolist()
([2000, 2000, 2000, 2001, 2001, 2001, 2002, 2002, 2002], [0, 0, 0, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 0, 0, 0])
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

#: Seed-word occurrences that make a paragraph one theme's (with none of the other theme's).
MIN_HITS = 3
#: Planted share of rising paragraphs at the first and the last year (falling: the reverse).
SHARE_RANGE = (0.05, 0.6)
FIRST_YEAR = 2000
N_DOCS = 60
PER_DOC = 10
YEARS_PER_DOC = 3  # documents per year: 60 documents span 2000-2019
TRUTH_FILE = "truth.csv"
#: Shares of both themes' paragraphs that stay the same in every document.
FLAT = (0.3, 0.3)
#: Words of the rising theme's paragraphs replaced from SHIFT_YEAR on (old → new).
SHIFT = {"财力": "财源", "增长": "攀升", "资金": "款项"}
SHIFT_YEAR = 2010


def seed_hits(texts: pd.Series, seeds: Sequence[str]) -> pd.Series:
    """Occurrences of the seed words in each text (longest first, without overlaps)."""
    pattern = "|".join(re.escape(w) for w in sorted(set(seeds), key=len, reverse=True))
    return texts.str.count(pattern) if pattern else pd.Series(0, index=texts.index)


def seed_scores(
    texts: pd.Series, rising_seeds: Sequence[str], falling_seeds: Sequence[str]
) -> pd.DataFrame:
    """Seed-word occurrences of both themes per text: columns ``rising`` and ``falling``."""
    return pd.DataFrame(
        {"rising": seed_hits(texts, rising_seeds), "falling": seed_hits(texts, falling_seeds)}
    )


def classify(scores: pd.DataFrame) -> pd.Series:
    """``rising`` or ``falling`` per paragraph (index of ``scores``): :data:`MIN_HITS` seed
    words of that theme and none of the other; "" for the others (used as filler)."""
    rising, falling = scores["rising"], scores["falling"]
    kind = pd.Series("", index=scores.index)
    kind[(rising >= MIN_HITS) & (falling == 0)] = "rising"
    kind[(falling >= MIN_HITS) & (rising == 0)] = "falling"
    return kind


def assign_paragraphs(
    scores: pd.DataFrame,
    n_docs: int = N_DOCS,
    per_doc: int = PER_DOC,
    seed: int = 0,
    share_range: tuple[float, float] = SHARE_RANGE,
) -> pd.DataFrame:
    """The plan: one row per document with its ``year``, ``n_rising`` and ``n_falling`` (the
    linear trend, rounded) and its ``paragraphs`` (ids, in reading order).

    The remaining places are filled with the other paragraphs, each used once before any is
    used again, so the corpus holds every paragraph when there is room. ``share_range``: the
    share of rising paragraphs at the first and last year (falling ones: the reverse).
    """
    low, high = share_range
    step = np.arange(n_docs) // YEARS_PER_DOC
    step = step / max(step[-1], 1)
    n_rising = np.rint(per_doc * (low + (high - low) * step)).astype(int)
    n_falling = np.minimum(np.rint(per_doc * (high - (high - low) * step)).astype(int),
                           per_doc - n_rising)  # fmt: skip
    kind = classify(scores)
    pools = {k: kind.index[kind == k].to_numpy() for k in ("rising", "falling")}
    for name, need in (("rising", n_rising.max()), ("falling", n_falling.max())):
        if len(pools[name]) < need:
            raise ValueError(f"only {len(pools[name])} {name} paragraphs; need {need}")
    rng = np.random.default_rng(seed)
    filler = _Filler(rng.permutation(kind.index[kind == ""]))
    rows = []
    for i in range(n_docs):
        chosen = [
            *rng.choice(pools["rising"], n_rising[i], replace=False),
            *rng.choice(pools["falling"], n_falling[i], replace=False),
            *filler.take(per_doc - n_rising[i] - n_falling[i]),
        ]
        rows.append({"year": FIRST_YEAR + i // YEARS_PER_DOC, "n_rising": int(n_rising[i]),
                     "n_falling": int(n_falling[i]), "paragraphs": list(rng.permutation(chosen))})  # fmt: skip
    return pd.DataFrame(rows)


class _Filler:
    """Hands out items in order, starting over when all have been used."""

    def __init__(self, items: np.ndarray) -> None:
        if not len(items):
            raise ValueError("no other paragraphs to fill the documents with")
        self.items, self.next = list(items), 0

    def take(self, n: int) -> list:
        out = [self.items[(self.next + i) % len(self.items)] for i in range(n)]
        self.next += n
        return out


def build_planted_corpus(
    folder: str | Path,
    texts: pd.Series,
    rising_seeds: Sequence[str],
    falling_seeds: Sequence[str],
    n_docs: int = N_DOCS,
    per_doc: int = PER_DOC,
    seed: int = 0,
    share_range: tuple[float, float] = SHARE_RANGE,
    shift: Mapping[str, str] | None = None,
    shift_year: int = SHIFT_YEAR,
) -> pd.DataFrame:
    """Write the planted corpus into ``folder`` (one ``.txt`` per document, a paragraph a line)
    and return its truth table, also saved as ``folder/truth.csv``.

    ``texts``: paragraph texts by paragraph id (e.g. the bundled corpus's, near-duplicates left
    out); ``rising_seeds`` / ``falling_seeds``: the two themes' seed words. Truth columns:
    file, year, n_rising, n_falling, rising_share, falling_share (shares of the document's
    characters), paragraphs (the source ids, space-separated), shifted (replacements made).

    ``share_range``: see :func:`assign_paragraphs` (:data:`FLAT` keeps both themes' shares
    constant); ``shift``: words replaced in the rising paragraphs of documents from
    ``shift_year`` on (see :func:`shift_words`).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    scores = seed_scores(texts, rising_seeds, falling_seeds)
    plan = assign_paragraphs(scores, n_docs, per_doc, seed, share_range)
    kind = classify(scores)
    chars = texts.str.len()
    records = []
    for i, doc in enumerate(plan.itertuples()):
        name = f"{doc.year}_planted_{i:02d}.txt"
        ids = list(doc.paragraphs)
        lines = texts[ids]
        replaced = 0
        if shift and doc.year >= shift_year:
            rising = (kind[ids] == "rising").to_numpy()
            lines[rising], replaced = shift_words(lines[rising], shift)
        (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
        total = chars[ids].sum()
        shares = {f"{k}_share": float(chars[ids][kind[ids] == k].sum() / total)
                  for k in ("rising", "falling")}  # fmt: skip
        records.append({"file": name, "year": doc.year, "n_rising": doc.n_rising,
                        "n_falling": doc.n_falling, **shares, "paragraphs": " ".join(ids),
                        "shifted": replaced})  # fmt: skip
    truth = pd.DataFrame(records)
    truth.to_csv(folder / TRUTH_FILE, index=False)
    return truth


def shift_words(texts: pd.Series, mapping: Mapping[str, str]) -> tuple[pd.Series, int]:
    """``texts`` with every word of ``mapping`` replaced by its new word (longest first, in one
    pass), and the number of replacements.

    >>> shift_words(pd.Series(["财力不足,资金短缺", "增长"]), SHIFT)[0].tolist()
    ['财源不足,款项短缺', '攀升']
    """
    if not mapping:
        return texts, 0
    pattern = re.compile("|".join(re.escape(w) for w in sorted(mapping, key=len, reverse=True)))
    replaced = texts.str.count(pattern.pattern).sum() if len(texts) else 0
    return texts.map(lambda t: pattern.sub(lambda m: mapping[m.group(0)], t)), int(replaced)


def planted_slopes(truth: pd.DataFrame) -> dict[str, float]:
    """The planted change per year of the rising and falling shares (least-squares slopes)."""
    return {k: float(np.polyfit(truth["year"], truth[f"{k}_share"], 1)[0])
            for k in ("rising", "falling")}  # fmt: skip


def planted_words(
    folder: Path, blocks: int = 8, words: int = 40, files: int = 30, paragraphs: int = 10,
    seed: int = 1, exclude: str | None = None,
) -> dict:  # fmt: skip
    """Write ``files`` documents (``<year>_planted.txt``) of ``paragraphs`` paragraphs into
    ``folder``: ``blocks`` planted topics of ``words`` nouns each from jieba's dictionary,
    leaving out every word sharing a character with ``exclude`` (default: all seed words of
    the shipped themes): a corpus with no township vocabulary whose topics are known. A paragraph takes 30-60 words, 80 % from its block, the rest from
    any block, joined by "、" so jieba cuts them back."""
    import os
    import random
    import shutil
    import tomllib

    import jieba

    from topics.resources import default_path

    if exclude is None:
        themes = tomllib.loads(default_path("themes.toml").read_text(encoding="utf-8"))["theme"]
        exclude = "".join(w for theme in themes for w in theme["seeds"])
    banned = set(exclude) | set("乡镇村县财税")
    dictionary = Path(os.path.dirname(jieba.__file__)) / "dict.txt"
    nouns = []
    for line in dictionary.read_text(encoding="utf-8").splitlines():
        word, freq, tag = line.split()
        if tag == "n" and 2 <= len(word) <= 3 and int(freq) >= 500 and not set(word) & banned:
            nouns.append(word)
    rng = random.Random(seed)
    chosen = rng.sample(nouns, blocks * words)
    planted = [chosen[b * words : (b + 1) * words] for b in range(blocks)]
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for n in range(files):
        lines = []
        for _ in range(paragraphs):
            block = planted[rng.randrange(blocks)]
            size = rng.randint(30, 60)
            picked = [rng.choice(block if rng.random() < 0.8 else chosen) for _ in range(size)]
            lines.append("、".join(picked) + "。")
        (folder / f"{1990 + n}_planted.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return {"files": files, "paragraphs": files * paragraphs, "blocks": planted}
