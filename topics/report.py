"""A whole run as one HTML page that opens from a file, offline: ``figures/report.html``.

The page is plain HTML and CSS, with no script and no image: tables, bars drawn as CSS widths,
and a subset of the bundled CJK font inlined as the LDAvis page does
(:mod:`topics.plots.webfont`), so Chinese renders on a machine without CJK fonts and the file
stays small enough to email. Sections: the corpus, the choice of K and its reasons, every
topic (words, stability, how its label was decided, representative passages with their
provenance), theme prevalence and effects with intervals, words by covariate, similar
documents, and the run's provenance. Topics and passages link to each other by anchors
(``#T3``, ``#p-<paragraph id>``); the same inputs give the same bytes.

The sections are computed by :func:`report_sections` from the library's own functions; this
module only lays them out. :func:`topics.pipeline.make_report` gathers the inputs.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from topics.model.choices import LAMBDA
from topics.model.k_rule import MIN_THEME_SEEDS
from topics.plots.labels import is_unstable, stability_threshold
from topics.plots.webfont import font_face_css
from topics.storage import atomic_file

#: Representative passages per topic.
PASSAGES = 3
#: Characters of a passage shown.
PASSAGE_CHARS = 400
#: Articles listed in the overview and the similar-documents table (the first ones).
MAX_ARTICLES = 100
#: Rows of the words-by table of changes beyond the noise (largest first).
MAX_CHANGES = 40
FONT_FAMILY = "report-cjk"
SECTIONS = ("overview", "k-choice", "topics", "prevalence", "words-by", "similar", "provenance")
CSS = """
body { font-family: "@FAMILY@", "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif;
       max-width: 70rem; margin: 1.5rem auto; padding: 0 1rem; color: #222; line-height: 1.45; }
h1 { font-size: 1.6rem; } h2 { border-bottom: 1px solid #ccc; margin-top: 2.2rem; }
h3 { margin-bottom: 0.3rem; } nav a { margin-right: 0.8rem; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; font-size: 0.85rem; }
th, td { border-bottom: 1px solid #e3e3e3; padding: 0.15rem 0.5rem; text-align: left;
         vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.bar { display: inline-block; height: 0.7rem; background: #4e79a7; vertical-align: middle; }
.band { position: relative; display: inline-block; width: 10rem; height: 0.8rem;
        background: #f1f1f1; vertical-align: middle; }
.band span { position: absolute; top: 0.15rem; height: 0.5rem; background: #9ab8d8; }
.band i { position: absolute; top: 0; width: 2px; height: 0.8rem; background: #1f4e79; }
.topic { border-left: 4px solid #4e79a7; padding-left: 0.8rem; margin: 1.5rem 0; }
.passage { background: #fafafa; border: 1px solid #eee; padding: 0.4rem 0.6rem; margin: 0.4rem 0; }
.meta { color: #666; font-size: 0.8rem; } mark { background: #fde68a; }
.rising { color: #1a6a1a; } .falling { color: #b2182b; }
pre { font-family: inherit; white-space: pre-wrap; font-size: 0.8rem; background: #fafafa; padding: 0.5rem; }
""".replace("@FAMILY@", FONT_FAMILY)


@dataclass
class ReportInputs:
    """What the page shows, computed by the library (see :func:`topics.pipeline.make_report`)."""

    title: str
    corpus: object  # PreparedCorpus
    run: object  # TopicRun
    k_table: pd.DataFrame | None
    k_text: str
    passages: dict[int, pd.DataFrame]  # topic → representative passages (with provenance)
    highlight_words: dict[int, list[str]]
    theme_shares: dict[str, pd.DataFrame] = field(default_factory=dict)  # theme → per article
    effects: dict[str, object] = field(default_factory=dict)  # column → Effects
    words_by: dict[str, object] = field(default_factory=dict)  # column → WordsBy
    similar: pd.DataFrame | None = None


def esc(value) -> str:
    return html.escape("" if value is None or (isinstance(value, float) and pd.isna(value))
                       else str(value))  # fmt: skip


def anchor(pid: str) -> str:
    """The element id of a paragraph (ids contain ``#`` and ``/``)."""
    return "p-" + re.sub(r"[^0-9A-Za-z_-]", "-", pid)


def table_html(table: pd.DataFrame, formats: dict[str, Callable] | None = None) -> str:
    """``table`` as an HTML table; ``formats``: column → function giving a cell's HTML."""
    formats = formats or {}
    head = "".join(f"<th>{esc(c)}</th>" for c in table.columns)
    rows = []
    for row in table.itertuples(index=False):
        cells = []
        for column, value in zip(table.columns, row, strict=True):
            if column in formats:
                cells.append(f"<td>{formats[column](value)}</td>")
            elif isinstance(value, float):
                cells.append(f'<td class="num">{"" if pd.isna(value) else f"{value:.3f}"}</td>')
            else:
                cells.append(f"<td>{esc(value)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def topic_link(run, k: int) -> str:
    label = run.topics.loc[run.topics["topic"] == k, "label"].iloc[0]
    return f'<a href="#T{k}">T{k} {esc(label)}</a>'


def bar(share: float, width: float = 8.0) -> str:
    return f'<span class="bar" style="width:{max(share, 0) * width:.2f}rem"></span> {share:.3f}'


def band(estimate: float, low: float, high: float, scale: float) -> str:
    """An interval drawn on a 0…``scale`` axis (10 rem wide), the estimate as a tick."""

    def at(x: float) -> float:
        return max(0.0, min(100.0, 100 * x / scale)) if scale > 0 else 0.0

    return (f'<span class="band"><span style="left:{at(low):.1f}%;width:{at(high) - at(low):.1f}%">'
            f'</span><i style="left:{at(estimate):.1f}%"></i></span> '
            f"{estimate:.3f} [{low:.3f}, {high:.3f}]")  # fmt: skip


# --- sections ------------------------------------------------------------------------------


def overview(data: ReportInputs) -> str:
    from topics.corpus.metadata import metadata_columns

    corpus, run = data.corpus, data.run
    summary = pd.DataFrame(list(corpus.summary().items()), columns=["", "count"])
    articles = run.articles.merge(corpus.articles[["article_id", *metadata_columns(corpus.articles)]],
                                  on="article_id", how="left")  # fmt: skip
    shares = articles[run.topic_columns].fillna(0).to_numpy()
    articles["main topic"] = [int(k) + 1 for k in shares.argmax(axis=1)]
    articles["id"] = articles["article_id"]
    shown = articles[["id", "short_title", *metadata_columns(corpus.articles), "n_tokens",
                      "main topic", "duplicate_of"]].head(MAX_ARTICLES)  # fmt: skip
    more = len(articles) - len(shown)
    note = (
        f"<p class='meta'>The first {len(shown)} of {len(articles)} articles.</p>" if more else ""
    )
    return (
        table_html(summary)
        + "<h3>Articles</h3>"
        + table_html(shown, {"main topic": lambda k: topic_link(run, k),
                             "id": lambda i: f'<span id="{esc(anchor(i))}">{esc(i)}</span>'})
        + note
    )  # fmt: skip


def k_choice(data: ReportInputs) -> str:
    run = data.run
    chosen = f"<p>This run has K = {run.k} topics.</p>"
    if data.k_table is None:
        return chosen + (
            "<p>No current K selection is saved for these settings: "
            "<code>topics select-k</code> or <code>topics figures</code> makes one.</p>"
        )
    from topics.model.k_rule import k_summary

    summary = k_summary(data.k_table).reset_index()
    keep = [c for c in ("k", "stability", "stability_se", "draws", "stability_floor",
                        "stability_ceiling", "threshold", "stable_topics", "c_npmi", "diversity",
                        "perplexity", "perplexity_unigram", "themes_formed", "qualifies")
            if c in summary]  # fmt: skip
    return chosen + f"<pre>{esc(data.k_text)}</pre>" + table_html(summary[keep])


def topic_section(data: ReportInputs, k: int) -> str:
    run = data.run
    row = run.topics[run.topics["topic"] == k].iloc[0]
    terms = run.terms(10, LAMBDA)
    mine = terms[terms["topic"] == k]
    words = {m: " ".join(mine.loc[mine["method"] == m, "term"]) for m in ("relevance", "frex")}
    seeded = row.get("seeded_theme", row["theme"]) or ""
    seeds = run.seeds[run.seeds["topic"] == k]
    in_top = int((seeds["rank"].fillna(99) <= 10).sum())
    rule = f"{in_top} of its {len(seeds)} seed words among its top 10, {MIN_THEME_SEEDS} needed"
    if row["theme"]:
        how = (f"theme <code>{esc(row['theme'])}</code> formed ({rule}): its label comes from "
               f"the themes file ({esc(row.get('label_en', ''))}); seeds: "
               f"{esc(' '.join(seeds['seed']))}")  # fmt: skip
    elif seeded:
        how = (f"seeded with theme <code>{esc(seeded)}</code>, which did not form ({rule}): "
               f"named by its top three words by relevance (λ = {LAMBDA})")  # fmt: skip
    else:
        how = f"automatic: its top three words by relevance (λ = {LAMBDA})"
    quality = [c for c in run.topics.columns
               if c not in {"topic", "name", "theme", "label", "label_en", "auto_label",
                            "top_terms", "prevalence"} and pd.api.types.is_numeric_dtype(run.topics[c])]  # fmt: skip
    measures = ", ".join(f"{c} {row[c]:.3f}" for c in quality if pd.notna(row[c]))
    threshold = stability_threshold(run.topics)
    if "stability" in row and pd.notna(row["stability"]) and threshold == threshold:
        verdict = "unstable" if is_unstable(run.topics, k) else "stable"
        measures += (f" ({verdict}: a topic is stable from {threshold:.3f}, midway between the "
                     f"floor {row['stability_floor']:.3f}, tokens shuffled across paragraphs, "
                     f"and the ceiling {row['stability_ceiling']:.3f}, a corpus sampled from "
                     "the model)")  # fmt: skip
    passages = []
    for p in data.passages.get(k, pd.DataFrame()).itertuples():
        from topics.analysis.passages import highlight

        text = p.text if len(p.text) <= PASSAGE_CHARS else p.text[:PASSAGE_CHARS] + "…"
        others = [int(j) for j in p.top_topics if int(j) != k]
        links = " ".join(topic_link(run, j) for j in others)
        passages.append(
            f'<div class="passage" id="{esc(anchor(p.paragraph_id))}">'
            f'<div class="meta">#{p.rank} · share {p.share:.2f} · '
            f'<a href="#{esc(anchor(p.paragraph_id))}">{esc(p.paragraph_id)}</a> · '
            f"{esc(p.title)}{' › ' + esc(p.section) if p.section else ''} · "
            f"{esc(p.path)}, lines {p.line_start}–{p.line_end}"
            f" · topic {topic_link(run, k)}{' · also: ' + links if links else ''}</div>"
            f"{highlight(text, data.highlight_words.get(k, []), 'html')}</div>"
        )  # fmt: skip
    table = data.passages.get(k, pd.DataFrame())
    jump = " ".join(f'<a href="#{esc(anchor(pid))}">{esc(pid)}</a>'
                    for pid in table.get("paragraph_id", []))  # fmt: skip
    return (
        f'<section class="topic" id="T{k}"><h3>T{k} {esc(row["label"])}</h3>'
        f"<p>prevalence {row['prevalence']:.3f}; {esc(measures)}</p>"
        f"<p><b>words</b> (relevance, λ = {LAMBDA}): {esc(words['relevance'])}<br>"
        f"<b>FREX</b>: {esc(words['frex'])}</p>"
        f"<p><b>label</b>: {how}</p><h4>Representative passages</h4>"
        f'<p class="meta topic-passages">passages: {jump}</p>{"".join(passages)}</section>'
    )


def prevalence(data: ReportInputs) -> str:
    parts = []
    for theme, table in data.theme_shares.items():
        scale = float(table["high"].max()) if len(table) else 1.0
        shown = table.head(MAX_ARTICLES)[["article_id", "short_title", "share", "low", "high"]]
        parts.append(f"<h3>Theme {esc(theme)}: share per article, 95% interval</h3>" + table_html(
            shown.assign(interval=[band(r.share, r.low, r.high, scale) for r in shown.itertuples()])
            .drop(columns=["share", "low", "high"]), {"interval": lambda v: v}))  # fmt: skip
    for column, effects in data.effects.items():
        headline = effects.headline()
        parts.append(f"<h3>Effects of {esc(column)}</h3><p class='meta'>{esc(effects.describe())}</p>"
                     + table_html(headline))  # fmt: skip
    return "".join(parts) or "<p>No seeded theme and no metadata column: nothing to show.</p>"


def words_by_section(data: ReportInputs) -> str:
    if not data.words_by:
        return ("<p>The corpus has no metadata column to compare words by (a year in the file "
                "names, <code>filename_pattern</code> or <code>metadata.csv</code>).</p>")  # fmt: skip
    parts = []
    for column, result in data.words_by.items():
        changes = result.changes().head(MAX_CHANGES)
        shown = changes[["topic", "term", "level", "reference", "weight", "change", "low",
                         "high", "signal"]]  # fmt: skip
        parts.append(
            f"<h3>Words by {esc(column)}</h3><p class='meta'>{esc(result.describe())}</p>"
            + (table_html(shown, {"topic": lambda t: topic_link(data.run, int(t[1:])),
                                  "signal": lambda s: f'<span class="{s}">{esc(s)}</span>'})
               if len(shown) else "<p>No change beyond the noise.</p>")
        )  # fmt: skip
    return "".join(parts)


def similar_section(data: ReportInputs) -> str:
    if data.similar is None or data.similar.empty:
        return "<p>Fewer than two articles.</p>"
    return table_html(data.similar, {"shared topic": lambda k: topic_link(data.run, int(k))})


def provenance(data: ReportInputs) -> str:
    manifest = data.run.manifest
    keep = {key: manifest.get(key) for key in ("created", "command", "inputs", "seed", "model",
                                               "versions", "documents") if key in manifest}  # fmt: skip
    name = data.run.path.name if data.run.path else "(unsaved run)"
    return (f"<p>run <code>{esc(name)}</code></p>"
            f"<pre>{esc(json.dumps(keep, ensure_ascii=False, indent=1, sort_keys=True))}</pre>")  # fmt: skip


def report_html(data: ReportInputs) -> str:
    """The whole page."""
    run = data.run
    body = {
        "overview": ("Corpus", overview(data)),
        "k-choice": ("Choice of K", k_choice(data)),
        "topics": ("Topics", "".join(topic_section(data, k) for k in range(1, run.k + 1))),
        "prevalence": ("Theme prevalence and effects", prevalence(data)),
        "words-by": ("Words by covariate", words_by_section(data)),
        "similar": ("Similar documents", similar_section(data)),
        "provenance": ("Provenance", provenance(data)),
    }
    nav = " ".join(f'<a href="#{key}">{esc(title)}</a>' for key, (title, _) in body.items())
    topics_nav = " ".join(topic_link(run, k) for k in range(1, run.k + 1))
    sections = "".join(f'<section id="{key}"><h2>{esc(title)}</h2>{content}</section>'
                       for key, (title, content) in body.items())  # fmt: skip
    content = f"<h1>{esc(data.title)}</h1><nav>{nav}</nav><p>{topics_nav}</p>{sections}"
    text = re.sub(r"<[^>]+>", "", html.unescape(content))
    return (
        '<!DOCTYPE html>\n<html lang="zh"><head><meta charset="utf-8">'
        f"<title>{esc(data.title)}</title><style>{font_face_css(FONT_FAMILY, text)}{CSS}</style>"
        f"</head><body>{content}</body></html>\n"
    )


def save_report(data: ReportInputs, path: str | Path) -> Path:
    """Write the page to ``path`` atomically."""
    path = Path(path)
    with atomic_file(path) as tmp:
        tmp.write_text(report_html(data), encoding="utf-8")
    return path


def passages_with_provenance(run, corpus, topic: int, n: int = PASSAGES) -> pd.DataFrame:
    """:func:`~topics.analysis.passages.representative_passages` of ``topic`` with the page's
    path and lines, and each paragraph's topics above a share of 0.2 (for links)."""
    from topics.analysis.passages import representative_passages

    table = representative_passages(run, corpus.paragraphs, topic=topic, n=n)
    para = corpus.paragraphs.set_index("paragraph_id")
    pages = corpus.pages.set_index("page_id")["path"]
    table["path"] = para["page_id"].reindex(table["paragraph_id"]).map(pages).to_numpy()
    for column in ("line_start", "line_end"):
        table[column] = para[column].reindex(table["paragraph_id"]).to_numpy()
    shares = run.paragraphs.set_index("paragraph_id")[run.topic_columns]
    table["top_topics"] = [
        [i + 1 for i, s in enumerate(shares.loc[pid].to_numpy()) if s >= 0.2]
        for pid in table["paragraph_id"]
    ]
    return table


def similar_articles(run, n_articles: int = MAX_ARTICLES) -> pd.DataFrame:
    """Each article's nearest other article by topic mix (the first ``n_articles``)."""
    from topics.analysis.compare import most_similar

    rows = []
    articles = run.articles[run.articles["n_tokens"].fillna(0) > 0]
    if len(articles) < 2:
        return pd.DataFrame()
    for article in articles.head(n_articles).itertuples():
        best = most_similar(run, article.article_id, n=1).iloc[0]
        rows.append({"article": article.article_id, "title": article.short_title,
                     "nearest": best["id"], "nearest title": best["title"],
                     "distance": float(best["distance"]), "shared topic": int(best["shared_topic"])})  # fmt: skip
    return pd.DataFrame(rows)


__all__: Sequence[str] = ("ReportInputs", "report_html", "save_report", "passages_with_provenance",
                          "similar_articles", "SECTIONS")  # fmt: skip
