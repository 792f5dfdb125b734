"""Benchmark: do the seeded theme topics find their theme in text from outside the corpus?

``benchmarks/data/theme_paragraphs.csv`` holds 72 short paragraphs written for this benchmark
in the register of policy reports, none taken from the bundled corpus: 16 each on township
finance, cadre incentives and village autonomy (self-government: elections, 村务公开, villagers'
meetings, recall, 村规民约) and 24 on other subjects, 8 of them set in villages (land
cooperatives, poverty relief, sanitation, clinics) so that a topic of the rural setting rather
than of self-government is caught. Each was labelled with its one theme when written.

For every variant of the seed lists and prior below, the script fits the project's model on
the bundled corpus (same tokens, K and seed), infers the 72 paragraphs with
``topics.analysis.infer.infer_texts`` and prints, per theme, the ROC AUC of the theme topic's
share for "paragraph is about this theme" against all other paragraphs.

    .venv/bin/python benchmarks/bench_themes.py            # K as in topics.toml
    .venv/bin/python benchmarks/bench_themes.py --k 10

Target (issue 13): AUC >= 0.85 for each theme. Writes benchmarks/results/themes.csv (rows per K).
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tomllib
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from sklearn.metrics import roc_auc_score

from topics import pipeline
from topics.analysis.infer import infer_texts
from topics.config import Settings

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
from corpora import project_copy  # noqa: E402

LABELLED = ROOT / "benchmarks" / "data" / "theme_paragraphs.csv"
RESULTS = ROOT / "benchmarks" / "results"
TARGET_AUC = 0.85
THEMES = ("finance", "cadre_incentives", "village_autonomy")

#: The village-autonomy seeds shipped before this benchmark: mostly the rural setting.
SETTING_SEEDS = {
    "village_autonomy": [
        "村民自治", "村委会", "村务公开", "村两委", "村民代表", "村民", "村民委员会", "村级组织",
        "村干部", "村组", "一肩挑", "户联责任区", "乡村治理", "村党组织",
    ],
}  # fmt: skip
SHIPPED = ("finance", "cadre_incentives", "village_autonomy", "rural_setting")
WITHOUT_SETTING = SHIPPED[:3]


@dataclass(frozen=True)
class Variant:
    """Seed lists replacing the shipped ones, the themes seeded, the theme strength."""

    seeds: dict = field(default_factory=dict)
    themes: tuple[str, ...] = SHIPPED
    strength: float | None = None  # None: as in topics.toml


VARIANTS = {
    "shipped: practice seeds + rural-setting topic": Variant(),
    "shipped, strength 30": Variant(strength=30.0),
    "practice seeds, no rural-setting topic": Variant(themes=WITHOUT_SETTING),
    "setting seeds (shipped before), no rural-setting topic": Variant(
        SETTING_SEEDS, WITHOUT_SETTING
    ),
}


def project_with_k(k: int | None) -> Path:
    """A temporary copy of the project (:func:`corpora.project_copy`), with K fixed to ``k``."""
    root = project_copy()
    if k is not None:
        config = root / "topics.toml"
        text = re.sub(r"(?m)^k = .*$", f"k = {k}", config.read_text(encoding="utf-8"))
        config.write_text(text, encoding="utf-8")
    return root


def variant_settings(root: Path, name: str, variant: Variant) -> Settings:
    """Settings of ``root`` with the variant's themes file, seeded themes and strength."""
    themes = tomllib.loads((ROOT / "data" / "themes.toml").read_text(encoding="utf-8"))["theme"]
    claimed = {word for words in variant.seeds.values() for word in words}
    lines = []
    for theme in themes:
        words = variant.seeds.get(theme["id"]) or [w for w in theme["seeds"] if w not in claimed]
        if not words:
            continue
        quoted = ", ".join(f'"{w}"' for w in words)
        lines += ["[[theme]]", f'id = "{theme["id"]}"', f'label_zh = "{theme["label_zh"]}"',
                  f'label_en = "{theme["label_en"]}"', f"seeds = [{quoted}]", ""]  # fmt: skip
    slug = re.sub(r"\W+", "_", name)
    (root / "data" / f"themes_{slug}.toml").write_text("\n".join(lines), encoding="utf-8")
    config = (root / "topics.toml").read_text(encoding="utf-8")
    config = re.sub(
        r'(?m)^themes = "data/themes.toml"', f'themes = "data/themes_{slug}.toml"', config
    )
    chosen = ", ".join(f'"{theme}"' for theme in variant.themes)
    config = re.sub(r"(?m)^themes = \[.*$", f"themes = [{chosen}]", config)
    if variant.strength is not None:
        config = re.sub(
            r"(?m)^theme_strength = .*$", f"theme_strength = {variant.strength}", config
        )
    config = re.sub(r"(?m)^runs = .*$", f'runs = "data/runs_{slug}"', config)
    path = root / f"topics_{slug}.toml"
    path.write_text(config, encoding="utf-8")
    return Settings.load(path)


def theme_auc(settings: Settings, labelled: pd.DataFrame) -> tuple[dict[str, float], dict]:
    """ROC AUC per theme of the fitted run's theme shares on the labelled paragraphs."""
    run = pipeline.fit(settings, progress=False)
    tokenizer = pipeline.make_tokenizer(settings)
    shares = infer_texts(run, labelled["text"].tolist(), tokenizer).documents
    scores = {}
    for theme in THEMES:
        share = shares[theme].fillna(0.0).to_numpy()
        scores[theme] = roc_auc_score(labelled["theme"].eq(theme).to_numpy(), share)
    top = run.terms(n=10, lam=1.0)
    words = {
        theme: " ".join(top[(top["topic"] == k) & (top["method"] == "probability")]["term"])
        for theme, k in run.theme_topics().items()
    }
    return scores, {"k": run.k, "words": words}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", type=int, default=None, help="K for every variant (default: config)")
    args = parser.parse_args()
    warnings.simplefilter("ignore")
    labelled = pd.read_csv(LABELLED, encoding="utf-8")
    print(f"{len(labelled)} labelled paragraphs: {labelled['theme'].value_counts().to_dict()}")
    root = project_with_k(args.k)
    rows = []
    try:
        for name, variant in VARIANTS.items():
            settings = variant_settings(root, name, variant)
            scores, info = theme_auc(settings, labelled)
            rows.append({"variant": name, "k": info["k"], **scores})
            print(f"\n== {name} (K = {info['k']})")
            for theme in THEMES:
                mark = "met" if scores[theme] >= TARGET_AUC else "NOT met"
                print(f"  {theme:18s} AUC {scores[theme]:.3f} ({mark})   {info['words'][theme]}")
    finally:
        shutil.rmtree(root, ignore_errors=True)
    table = pd.DataFrame(rows)
    RESULTS.mkdir(parents=True, exist_ok=True)
    saved = RESULTS / "themes.csv"  # one block of rows per K: a run replaces its own K's rows
    if saved.exists():
        earlier = pd.read_csv(saved)
        table = pd.concat([earlier[earlier["k"] != table["k"].iloc[0]], table]).sort_values("k")
    table.to_csv(saved, index=False, float_format="%.3f")
    print("\n" + table.to_string(index=False, float_format=lambda x: f"{x:.3f}"))


if __name__ == "__main__":
    main()
