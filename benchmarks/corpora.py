"""Corpora built by code for the benchmarks, and project folders to run `topics` on them.

``long_reports``: about 50 long reports (one file per year, ~100 paragraphs each), like a
series of annual reports, made from the bundled corpus's sentences: each report draws most of
its sentences from one bundled article (its subject) and the rest from anywhere.

``planted_words``: a corpus with no township vocabulary at all, whose topics are known
(:func:`topics.corpus.planted.planted_words`); the shipped themes must be skipped on it.
"""

from __future__ import annotations

import random
import re
import shutil
import tempfile
from pathlib import Path

from topics.corpus.planted import planted_words  # noqa: F401 (a corpus of the benchmarks)

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
