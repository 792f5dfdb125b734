"""Corpora built by code for the benchmarks, and project folders to run `topics` on them.

``long_reports``: about 50 long reports (one file per year, ~100 paragraphs each), like a
series of annual reports, made from the bundled corpus's sentences: each report draws most of
its sentences from one bundled article (its subject) and the rest from anywhere.

``planted_words``: a corpus with no township vocabulary at all, whose topics are known: blocks
of common nouns from jieba's own dictionary (none containing a character of any seed word of
``data/themes.toml``), each paragraph drawn mostly from one block. The shipped themes must be
skipped on it.
"""

from __future__ import annotations

import random
import re
import shutil
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def long_reports(folder: Path, n_reports: int = 50, paragraphs: int = 108, seed: int = 1) -> dict:
    """Write ``n_reports`` reports of about ``paragraphs`` paragraphs into ``folder``."""
    from topics.corpus.prepare import prepare_corpus

    table = prepare_corpus(ROOT / "data" / "raw").modelling_paragraphs()
    split = re.compile(r"[^。!?;]+[。!?;]?")
    by_article = {
        article: [s for t in group["text"] for s in split.findall(t) if len(s) > 4]
        for article, group in table.groupby("article_id")
    }
    articles = sorted(a for a, sentences in by_article.items() if len(sentences) >= 20)
    everything = [s for sentences in by_article.values() for s in sentences]
    rng = random.Random(seed)
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    n_paragraphs = 0
    for year in range(n_reports):
        subject = by_article[rng.choice(articles)]
        lines = []
        for _ in range(rng.randint(paragraphs - 20, paragraphs + 20)):
            pool = subject if rng.random() < 0.7 else everything
            lines.append("".join(rng.choice(pool) for _ in range(rng.randint(2, 6))))
        (folder / f"{1990 + year}_年度报告.txt").write_text(
            f"{1990 + year}年乡镇工作年度报告\n" + "\n".join(lines) + "\n", encoding="utf-8"
        )
        n_paragraphs += len(lines)
    return {"files": n_reports, "paragraphs": n_paragraphs}


def planted_words(
    folder: Path, blocks: int = 8, words: int = 40, files: int = 30, paragraphs: int = 10,
    seed: int = 1, exclude: str | None = None,
) -> dict:  # fmt: skip
    """Write ``files`` documents (``<year>_planted.txt``) of ``paragraphs`` paragraphs into
    ``folder``: ``blocks`` planted topics of ``words`` nouns each from jieba's dictionary,
    leaving out every word sharing a character with ``exclude`` (default: all seed words of
    the shipped themes). A paragraph takes 30-60 words, 80 % from its block, the rest from
    any block, joined by "、" so jieba cuts them back."""
    import os
    import tomllib

    import jieba

    if exclude is None:
        themes = tomllib.loads((ROOT / "data" / "themes.toml").read_text(encoding="utf-8"))
        exclude = "".join(w for theme in themes["theme"] for w in theme["seeds"])
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


def project_copy(raw: Path | None = None) -> Path:
    """A fresh temporary project with the repository's lexicons, themes and config, reading
    ``raw`` (default: a copy of the bundled pages)."""
    root = Path(tempfile.mkdtemp(prefix="topics-bench-"))
    if raw is None:
        shutil.copytree(ROOT / "data" / "raw", root / "data" / "raw")
    else:
        shutil.copytree(raw, root / "data" / "raw")
    shutil.copytree(ROOT / "data" / "lexicons", root / "data" / "lexicons")
    for name in ("themes.toml", "furniture.toml"):
        shutil.copy(ROOT / "data" / name, root / "data" / name)
    shutil.copy(ROOT / "topics.toml", root / "topics.toml")
    return root
