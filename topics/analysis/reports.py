"""Tables and text summaries of a run, as the command line prints (and exports) them.

Each function takes a run (and what else it needs) and returns a DataFrame or a string, so the
CLI only parses its arguments, calls one function and prints or writes the result.
"""

from __future__ import annotations

from itertools import islice
from typing import TYPE_CHECKING

import pandas as pd

from topics.analysis.passages import excerpt, highlight, topic_words
from topics.model.choices import LAMBDA
from topics.model.k_rule import MIN_THEME_SEEDS
from topics.model.runs import TopicRun
from topics.model.themes import TOP_WORDS

if TYPE_CHECKING:
    from topics.corpus.prepare import PreparedCorpus

N_TERMS = 10  # terms per topic shown after a fit
DECIMALS = 3  # printed tables are rounded to this many decimals (files keep every digit)


def topic_terms(
    run: TopicRun, n: int = N_TERMS, lam: float = LAMBDA, method: str = "relevance"
) -> pd.DataFrame:
    """One row per topic: number, prevalence, stability under resampling (NaN if not
    measured), label, theme (where it formed), the theme it was seeded with and that theme's
    seed words among its top 10 by probability (``seeds_in_top``), its top ``n`` terms by
    ``method`` and, for a topic whose theme formed, the seed words among them (``seeds``, in the
    order of ``terms``)."""
    table = run.terms(n=n, lam=lam)
    table = table[table["method"] == method]
    words = table.groupby("topic", sort=True)["term"].agg(list)
    seeds = run.theme_seeds()
    columns = ["topic", "prevalence", "stability", "label", "theme", "seeded_theme", "seeds_in_top",
               "stability_floor", "stability_ceiling"]  # fmt: skip
    out = run.topics.reindex(columns=columns)
    top = out["topic"].map(words).apply(lambda terms: terms if isinstance(terms, list) else [])
    out["terms"] = top.map(" ".join)
    out["seeds"] = [
        " ".join(w for w in terms if w in seeds.get(topic, ()))
        for topic, terms in zip(out["topic"], top, strict=True)
    ]
    return out.reset_index(drop=True)


def topics_text(table: pd.DataFrame, n: int, lam: float, method: str) -> str:
    """:func:`topic_terms` as lines ``T1  12.3% 0.77  label [theme]: terms``, with each topic's
    stability under resampling, ``!`` after the unstable ones (below the threshold midway
    between the run's stability floor and ceiling, columns ``stability_floor`` and
    ``stability_ceiling``)."""
    from topics.model.k_rule import threshold

    how = f"{method}, λ={lam}" if method == "relevance" else method
    lines = [f"topics (top {n} terms by {how}):"]
    floor, ceiling = (table[c].iloc[0] if c in table and len(table) else float("nan")
                      for c in ("stability_floor", "stability_ceiling"))  # fmt: skip
    cut = threshold(floor, ceiling)
    for row in table.itertuples():
        theme = f" [{row.theme}]" if row.theme else ""
        trust = " " * 5 if pd.isna(row.stability) else f"{row.stability:.2f}"
        trust += "!" if row.stability < cut else " "
        seeds = set(row.seeds.split())
        terms = " ".join(f"{w}*" if w in seeds else w for w in row.terms.split())
        share = f" ({len(seeds)} of {n} seed words)" if row.theme else ""
        if row.seeded_theme and not row.theme:
            share = (f" (seeded {row.seeded_theme}, did not form: {row.seeds_in_top:.0f} of its "
                     f"seed words in the top {TOP_WORDS}, needs {MIN_THEME_SEEDS})")  # fmt: skip
        lines.append(
            f"  T{row.topic:<2} {row.prevalence:6.1%} {trust} {row.label}{theme}{share}: {terms}"
        )
    if table["theme"].astype(bool).any():
        lines.append("  (* a seed word of the topic's theme)")
    if table["stability"].notna().any() and cut == cut:
        lines.append(
            "  (stability: mean top-10 Jaccard against fits on 80 % subsamples; floor "
            f"{floor:.2f} on tokens shuffled across paragraphs, ceiling {ceiling:.2f} on a corpus "
            f"sampled from the model; below {cut:.2f}, midway between them, marked !)"
        )
    return "\n".join(lines)


def seed_ranks(run: TopicRun) -> pd.DataFrame:
    """Per theme: its topic and each seed word's rank in it (``-`` when pruned away)."""
    rows = []
    for theme, group in run.seeds.groupby("theme", sort=False):
        ranks = " ".join(
            f"{r.seed}:{int(r.rank) if r.in_vocabulary else '-'}" for r in group.itertuples()
        )
        rows.append({"theme": theme, "topic": int(group["topic"].iloc[0]), "ranks": ranks})
    return pd.DataFrame(rows, columns=["theme", "topic", "ranks"])


def theme_shares(run: TopicRun) -> pd.DataFrame:
    """Each article's share of every theme topic (columns: short_title, then theme ids)."""
    themes = run.theme_topics()
    shares = run.articles.set_index("short_title")[[f"T{t}" for t in themes.values()]]
    shares.columns = list(themes)
    return shares.reset_index()


def themes_text(run: TopicRun) -> list[str]:
    """Per theme asked for: seeded or skipped (and why), formed or not (and in which topic)."""
    from topics.model.themes import THEME_RULE

    lines = []
    for row in run.themes.itertuples():
        if not row.seeded:
            lines.append(f"  {row.theme} ({row.label_zh}): skipped, {row.reason}")
            continue
        formed = "formed" if row.formed else f"did not form (needs {MIN_THEME_SEEDS})"
        lines.append(f"  {row.theme} ({row.label_zh}): seeded in T{row.topic}, "
                     f"{row.seeds_in_top} of its seed words in its top {TOP_WORDS}: {formed}")  # fmt: skip
    return ["themes (" + THEME_RULE + "):", *lines] if lines else []


def fit_text(run: TopicRun) -> str:
    """What a fit did: pruning, themes, topics, seed ranks and theme shares, where the run is."""
    topics = topics_text(topic_terms(run), N_TERMS, LAMBDA, "relevance")
    from topics.model.lda import PruningReport

    parts = [str(PruningReport(**run.manifest["pruning"]))]
    if len(run.themes):
        parts += ["", *themes_text(run)]
    parts += ["", topics]
    if len(run.seeds):
        parts += ["", "seed words: rank in their theme's topic (by probability)"]
        parts += [f"  {r.theme} (T{r.topic}): {r.ranks}" for r in seed_ranks(run).itertuples()]
        if run.theme_topics():
            shares = theme_shares(run).round(DECIMALS)
            parts += ["", "theme share per article:", table_text(shares)]
    seconds = run.manifest["timings"]["fit_seconds"]
    parts += ["", f"run saved to {run.path} ({seconds} s to fit)"]
    return "\n".join(parts)


def passages_text(
    run: TopicRun, passages: pd.DataFrame, topic: int, width: int = 160, style: str = "brackets"
) -> str:
    """The passages of topic number ``topic`` (from :func:`representative_passages`) as
    numbered excerpts, its key words highlighted, under a line naming the topic."""
    words = topic_words(run, topic)
    label = run.topics.set_index("topic").loc[topic, "label"]
    lines = [f"T{topic} {label}: key words {' '.join(words[:15])}", ""]
    for row in passages.itertuples():
        lines.append(f"{row.rank}. {row.paragraph_id}  share {row.share:.2f}  {row.title}")
        if row.section:
            lines.append(f"   § {row.section}")
        lines += [f"   {highlight(excerpt(row.text, words, width), words, style)}", ""]
    return "\n".join(lines)


def corpus_text(corpus: PreparedCorpus) -> str:
    """What ``prepare`` found: counts, and the characters each cleaning rule removed."""
    lines = [f"{name:<48}{value:>8}" for name, value in corpus.summary().items()]
    return "\n".join([*lines, "", "where characters went:", table_text(corpus.removed_by_reason())])


def corpus_notes(corpus: PreparedCorpus) -> list[str]:
    """One line per skipped file and per file with a warning."""
    notes = [f"skipped {row.path}: {row.problem}" for row in corpus.problems.itertuples()]
    warned = corpus.pages[corpus.pages["warning"] != ""]
    return notes + [f"warning {row.path}: {row.warning}" for row in warned.itertuples()]


def tokens_text(corpus: PreparedCorpus, result, show: int = 0) -> str:
    """Segmentation cache use, what every filter removed, and the first ``show`` paragraphs'
    tokens (``result``: :func:`topics.pipeline.tokenize_paragraphs`)."""
    cache = result.cache
    lines = [
        f"{len(result.tokens)} paragraphs; segmentation cache: {cache.hits} hits, "
        f"{cache.reused} reused after a dictionary change, {cache.misses} segmented",
        table_text(result.report.round(DECIMALS)),
    ]
    shown = islice(zip(corpus.paragraphs["paragraph_id"], result.tokens, strict=True), show)
    return "\n".join(lines + [f"{pid}: {' '.join(tokens)}" for pid, tokens in shown])


def for_output(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` as commands print and export it: topic numbers (columns ``topic`` and
    ``*_topic``) named ``T1`` … ``TK`` as everywhere else, missing ids and labels empty.

    >>> for_output(pd.DataFrame({"shared_topic": [4], "duplicate_of": [None]})).to_dict("records")
    [{'shared_topic': 'T4', 'duplicate_of': ''}]
    """
    out = table.copy()
    for column in out.columns:
        values = out[column]
        named = str(column) == "topic" or str(column).endswith("_topic")
        if named and pd.api.types.is_integer_dtype(values):
            out[column] = "T" + values.astype(str)
        elif not pd.api.types.is_numeric_dtype(values) and not isinstance(
            values.dtype, pd.CategoricalDtype
        ):
            out[column] = values.astype(object).where(values.notna(), "")
    return out


def table_text(table: pd.DataFrame) -> str:
    """``table`` as aligned text without its index, wide enough for Chinese titles."""
    with pd.option_context("display.width", 160, "display.max_colwidth", 90):
        return table.to_string(index=False)
