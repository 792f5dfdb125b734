"""Compare documents by their topic mixes: distances, nearest neighbours, side-by-side
comparisons (per-article theme prevalence with intervals: :mod:`topics.analysis.share`).

Documents are articles (ids like ``000_786013f1ef10bced#2``) or paragraphs
(``000_786013f1ef10bced#2/p014``); paragraphs with no word known to the model have no mix
and are left out. Distances are in [0, 1]: 0 for the same mix, 1 for no topic in common.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

from topics.analysis.ids import LEVELS, resolve_id
from topics.analysis.passages import MIN_TOKENS, excerpt, topic_words, with_text
from topics.analysis.share import theme_prevalence  # noqa: F401 (its former home)
from topics.errors import input_error
from topics.model.metrics import hellinger, jensen_shannon, pairwise_distances
from topics.model.runs import TopicRun

SHARED_MIN = 0.1


def _table(run: TopicRun, level: str) -> pd.DataFrame:
    if level not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}, got {level!r}")
    return run.articles if level == "article" else run.paragraphs


def mixes(run: TopicRun, level: str = "article") -> pd.DataFrame:
    """Topic mixes (ids × T1…TK) of the articles or paragraphs that have words."""
    x = _table(run, level).set_index(f"{level}_id")[run.topic_columns].dropna()
    return x.div(x.sum(axis=1), axis=0)


def full_id(run: TopicRun, item_id: str) -> str:
    """The full article or paragraph id that ``item_id`` names (short ids as in the figures,
    ``000#2`` or ``003#1/p032``, when unambiguous); InputError with a hint otherwise."""
    return resolve_id(item_id, [*run.articles["article_id"], *run.paragraphs["paragraph_id"]])


def level_of(run: TopicRun, item_id: str) -> str:
    """Whether ``item_id`` is an "article" or a "paragraph"; InputError (with a hint) if neither."""
    return "article" if full_id(run, item_id) in set(run.articles["article_id"]) else "paragraph"


def _mix(run: TopicRun, item_id: str, level: str | None = None) -> pd.Series:
    """The topic mix of one article or paragraph; InputError if unknown or without words."""
    x = mixes(run, level or level_of(run, item_id))
    if item_id in x.index:
        return x.loc[item_id]
    found = level_of(run, item_id)
    if level and found != level:
        raise input_error(
            None, f"{item_id!r} is a{'n' * (found == 'article')} {found}, not a {level}"
        )
    raise input_error(None, f"{found} {item_id!r} has no word known to the model")


def similarity_matrix(
    run: TopicRun, level: str = "article", metric: str = "jensen_shannon"
) -> pd.DataFrame:
    """Distances (ids × ids, symmetric, zero diagonal) between topic mixes.

    ``metric`` is "jensen_shannon" or "hellinger" (:func:`topics.model.metrics.pairwise_distances`).
    """
    x = mixes(run, level)
    return pd.DataFrame(pairwise_distances(x.to_numpy(), metric), index=x.index, columns=x.index)


def _titles(run: TopicRun, level: str, corpus_paragraphs=None, short: bool = True) -> pd.Series:
    articles = run.articles.set_index("article_id")
    if level == "article":
        return articles["short_title" if short else "title"]
    titles = run.paragraphs.set_index("paragraph_id")["article_id"].map(articles["title"])
    if corpus_paragraphs is not None:
        texts = getattr(corpus_paragraphs, "paragraphs", corpus_paragraphs)
        section = texts.set_index("paragraph_id")["section"].reindex(titles.index).fillna("")
        titles = titles.where(section == "", titles + " › " + section)
    return titles


def most_similar(
    run: TopicRun,
    item_id: str,
    n: int = 5,
    level: str | None = None,
    metric: str = "jensen_shannon",
    corpus_paragraphs=None,
) -> pd.DataFrame:
    """The ``n`` articles (or paragraphs) whose topic mix is closest to ``item_id``'s.

    ``level`` is inferred from the id. Columns: rank, id, title (paragraphs: article title and,
    with ``corpus_paragraphs``, section), distance, duplicate_of, and the topic both share most
    (shared_topic, shared_label, shared_share = the smaller of the two shares).
    """
    item_id = full_id(run, item_id)
    level = level or level_of(run, item_id)
    target = _mix(run, item_id, level)
    d = similarity_matrix(run, level, metric)[item_id].drop(item_id)
    d = d.sort_values(kind="stable").head(n)
    shared = np.minimum(mixes(run, level).loc[d.index].to_numpy(), target.to_numpy())
    top = shared.argmax(axis=1)
    table = _table(run, level).set_index(f"{level}_id")
    return pd.DataFrame(
        {
            "rank": np.arange(1, len(d) + 1),
            "id": d.index,
            "title": _titles(run, level, corpus_paragraphs).reindex(d.index).to_numpy(),
            "distance": d.to_numpy(),
            "duplicate_of": table["duplicate_of"].reindex(d.index).to_numpy(),
            "shared_topic": top + 1,
            "shared_label": run.topics["label"].to_numpy()[top],
            "shared_share": shared.max(axis=1),
        }
    )


def _pad(text: str, width: int) -> str:
    """``text`` padded to ``width`` terminal columns (CJK characters take two)."""
    used = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(0, width - used)


@dataclass
class Comparison:
    """Two documents side by side; ``str(comparison)`` is a readable report."""

    id_a: str
    id_b: str
    title_a: str
    title_b: str
    mix: pd.DataFrame  # topic, label, share_a, share_b, difference (= share_a - share_b)
    distance: dict[str, float]  # jensen_shannon, hellinger
    shared: pd.DataFrame  # topics with both shares >= threshold, by the smaller share
    separating: pd.DataFrame  # topics with |difference| >= threshold, largest first
    passages: pd.DataFrame  # topic, document ("A"/"B"), paragraph_id, share, excerpt
    threshold: float = SHARED_MIN

    def summary(self) -> str:
        name = {r.topic: f"T{r.topic} {r.label}" for r in self.mix.itertuples()}
        lines = [f"A  {self.id_a}  {self.title_a}", f"B  {self.id_b}  {self.title_b}"]
        js, h = self.distance["jensen_shannon"], self.distance["hellinger"]
        lines += [f"Distance: Jensen-Shannon {js:.3f}, Hellinger {h:.3f} (0 = same mix)", ""]
        lines.append(f"{_pad('Topic mix', 34)}     A      B    A−B")
        for r in self.mix.itertuples():
            lines.append(
                f"{_pad(name[r.topic], 34)} {r.share_a:6.3f} {r.share_b:6.3f} {r.difference:+6.3f}"
            )

        def pairs(table: pd.DataFrame) -> str:
            return "; ".join(
                f"{name[r.topic]} (A {r.share_a:.2f}, B {r.share_b:.2f})"
                for r in table.itertuples()
            )

        lines += ["", f"Shared (both ≥ {self.threshold:.2f}): {pairs(self.shared) or 'none'}"]
        lines.append(
            f"Separating (|A−B| ≥ {self.threshold:.2f}): {pairs(self.separating) or 'none'}"
        )
        for topic, rows in self.passages.groupby("topic", sort=False):
            lines += ["", f"Passages carrying {name[topic]}:"]
            lines += [
                f"  {r.document} {r.paragraph_id} ({r.share:.2f}) {r.excerpt}"
                for r in rows.itertuples()
            ]
        return "\n".join(lines)

    __str__ = summary


def compare_documents(
    run: TopicRun,
    corpus_paragraphs,
    id_a: str,
    id_b: str,
    n_passages: int = 2,
    threshold: float = SHARED_MIN,
    n_separating: int = 3,
) -> Comparison:
    """Compare two articles or two paragraphs: mixes, distances, shared and separating topics,
    and for each shared topic the ``n_passages`` paragraphs of A and of B that carry it most
    (paragraphs with at least ``MIN_TOKENS`` tokens first). ``print`` shows it as text.
    """
    id_a, id_b = full_id(run, id_a), full_id(run, id_b)
    a, b = _mix(run, id_a), _mix(run, id_b)
    mix = run.topics[["topic", "label"]].copy()
    mix["share_a"], mix["share_b"] = a.to_numpy(), b.to_numpy()
    mix["difference"] = mix["share_a"] - mix["share_b"]
    distance = {"jensen_shannon": jensen_shannon(a, b), "hellinger": hellinger(a, b)}
    low, gap = mix[["share_a", "share_b"]].min(axis=1), mix["difference"].abs()
    shared = mix.assign(key=low)[low >= threshold].sort_values(
        "key", ascending=False, kind="stable"
    )
    separating = mix.assign(key=gap)[gap >= threshold].sort_values(
        "key", ascending=False, kind="stable"
    )
    texts = with_text(run, corpus_paragraphs)
    rows = []
    for topic in shared["topic"]:
        words, column = topic_words(run, topic), f"T{topic}"
        for document, item in (("A", id_a), ("B", id_b)):
            own = texts[(texts["article_id"] == item) | (texts["paragraph_id"] == item)]
            own = own.dropna(subset=[column]).assign(long=lambda t: t["n_tokens"] >= MIN_TOKENS)
            best = own.sort_values(["long", column], ascending=False, kind="stable")
            for r in best.head(n_passages).itertuples():
                share = getattr(r, column)
                rows.append((topic, document, r.paragraph_id, share, excerpt(r.text, words)))
    columns = ["topic", "document", "paragraph_id", "share", "excerpt"]
    titles = {
        **_titles(run, "article", short=False),
        **_titles(run, "paragraph", corpus_paragraphs),
    }
    return Comparison(
        id_a, id_b, titles[id_a], titles[id_b], mix, distance,
        shared.drop(columns="key").reset_index(drop=True),
        separating.drop(columns="key").head(n_separating).reset_index(drop=True),
        pd.DataFrame(rows, columns=columns), threshold,
    )  # fmt: skip
