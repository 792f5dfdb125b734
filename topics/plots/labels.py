"""How figures name topics and articles: one helper each, so every figure says the same thing.

A topic is its number and label, ``"T3 村民自治"`` (the theme label for a seeded theme topic,
the automatic label of top terms otherwise), optionally with the English label and prevalence.
An article is its shortened title and short id, ``"改进和完善乡镇执政方式… 000#2"``, with
``"≈ "`` in front when it is a near-duplicate of another article. Labels of many articles say
what tells them apart (:func:`article_labels`): titles that would read the same once cut lose
the opening they share, the year leads when the corpus has one, and short ids stay unique.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Sequence
from typing import Any

import pandas as pd

from topics.analysis.ids import short_id

#: Prefix of near-duplicate articles; figures also draw their labels in ``DUPLICATE_COLOR``.
DUPLICATE_MARK = "≈"
DUPLICATE_COLOR = "0.55"
#: Prefix of topics seeded from a theme.
THEME_MARK = "◆"


def shorten(text: str, width: int | None) -> str:
    """``text`` cut to ``width`` characters, the last one an ellipsis when cut.

    >>> shorten("改进和完善乡镇执政方式与研究", 8)
    '改进和完善乡镇…'
    >>> shorten("乡镇财政", 8)
    '乡镇财政'
    """
    text = str(text).strip()
    if width is None or len(text) <= width:
        return text
    return text[: max(width - 1, 0)] + "…"


def _topics_table(source: Any) -> pd.DataFrame:
    """The topic table of a run, or the table itself."""
    return source if isinstance(source, pd.DataFrame) else source.topics


def _topic_row(topics: pd.DataFrame, k: int) -> pd.Series:
    rows = topics.loc[topics["topic"] == k]
    if rows.empty:
        raise ValueError(f"no topic {k}: topics are numbered 1 to {len(topics)}")
    return rows.iloc[0]


def is_theme_topic(source: Any, k: int) -> bool:
    """Whether topic ``k`` (1-based) of a run (or topic table) was seeded from a theme."""
    return bool(_topic_row(_topics_table(source), k)["theme"])


def topic_label(
    source: Any,
    k: int,
    width: int | None = 12,
    english: bool = False,
    prevalence: bool = False,
    theme_mark: bool = False,
) -> str:
    """The name of topic ``k`` (1-based) in figures: ``"T3 村民自治"``.

    ``source`` is a :class:`~topics.model.runs.TopicRun` or its ``topics`` table. ``width`` cuts the
    Chinese label; ``english`` adds the English label when there is one, ``prevalence`` the
    topic's share of all tokens, ``theme_mark`` a leading ``◆`` for theme topics.

    >>> topics = pd.DataFrame({"topic": [1, 2], "theme": ["finance", ""],
    ...     "label": ["乡镇财政", "党委·人大·政府"], "label_en": ["Township finance", ""],
    ...     "prevalence": [0.047, 0.19]})
    >>> topic_label(topics, 1, english=True, prevalence=True, theme_mark=True)
    '◆ T1 乡镇财政 Township finance (4.7%)'
    >>> topic_label(topics, 2, width=5)
    'T2 党委·人…'
    """
    row = _topic_row(_topics_table(source), k)
    text = f"T{k} {shorten(row['label'], width)}"
    if english and isinstance(row.get("label_en"), str) and row["label_en"]:
        text += f" {row['label_en']}"
    if prevalence:
        text += f" ({row['prevalence']:.1%})"
    if theme_mark and row["theme"]:
        text = f"{THEME_MARK} {text}"
    return text


def stability_threshold(source: Any) -> float:
    """The run's stable/unstable threshold (:func:`topics.model.k_rule.threshold`, midway
    between the stability floor and ceiling recorded in its topic table); NaN if not measured.

    >>> stability_threshold(pd.DataFrame({"stability_floor": [0.3], "stability_ceiling": [0.9]}))
    0.6
    """
    from topics.model.k_rule import threshold

    topics = _topics_table(source)
    if topics.empty or "stability_floor" not in topics or "stability_ceiling" not in topics:
        return float("nan")
    return float(threshold(topics["stability_floor"].iloc[0], topics["stability_ceiling"].iloc[0]))


def is_unstable(source: Any, k: int) -> bool:
    """Whether topic ``k``'s stability under resampling is below the run's
    :func:`stability_threshold` (False when either is not measured)."""
    value = _topic_row(_topics_table(source), k).get("stability", float("nan"))
    return bool(value < stability_threshold(source))


def stability_tag(source: Any, k: int) -> str:
    """Topic ``k``'s stability under resampling for figures: ``"稳定 stable 0.77"`` or
    ``"不稳定 unstable 0.40"`` ("" when the run has no stability).

    >>> bounds = {"stability_floor": 0.3, "stability_ceiling": 0.9}
    >>> stability_tag(pd.DataFrame({"topic": [1, 2], "stability": [0.77, 0.4], **bounds}), 2)
    '不稳定 unstable 0.40'
    """
    value = _topic_row(_topics_table(source), k).get("stability", float("nan"))
    if value != value:  # NaN or missing
        return ""
    word = "不稳定 unstable" if is_unstable(source, k) else "稳定 stable"
    return f"{word} {value:.2f}"


def topic_labels(source: Any, width: int | None = 12, **options) -> list[str]:
    """:func:`topic_label` of every topic, T1 first."""
    topics = _topics_table(source)
    return [topic_label(topics, int(k), width, **options) for k in sorted(topics["topic"])]


def short_article_id(article_id: str) -> str:
    """``"000_786013f1ef10bced#2"`` → ``"000#2"`` (page number and article number); the
    commands accept it back (:func:`topics.analysis.ids.resolve_id`).

    >>> short_article_id("000_786013f1ef10bced#2")
    '000#2'
    """
    return short_id(article_id)


def short_article_ids(article_ids: Sequence[str]) -> list[str]:
    """:func:`short_article_id` of each id, or the whole id where the short forms collide
    (file names such as ``2019_湖北_03`` share their first part).

    >>> short_article_ids(["2019_湖北_03#1", "2019_湖南_04#1", "000_786013f1ef10bced#2"])
    ['2019_湖北_03#1', '2019_湖南_04#1', '000#2']
    """
    short = [short_article_id(i) for i in article_ids]
    counts = Counter(short)
    return [s if counts[s] == 1 else str(i) for s, i in zip(short, article_ids, strict=True)]


#: An opening every title shares is dropped from labels only with at least this many titles:
#: two titles may share one by chance, three or more come from a template.
SHARED_OPENING_MIN = 3


def _shared_opening(titles: Sequence[str]) -> str:
    """The opening all ``titles`` share, cut back so as not to end inside a number or a Latin
    word, or on an opening bracket (``"某市200"`` of ``"某市2005…"`` and ``"某市2006…"`` becomes
    ``"某市"``)."""
    prefix = os.path.commonprefix(list(titles))
    while prefix and (prefix[-1].isascii() and prefix[-1].isalnum() or prefix[-1] in "(([【《"):
        prefix = prefix[:-1]
    return prefix


def _strip_opening(titles: list[str], members: Sequence[int]) -> None:
    """Replace, in place, the opening that ``titles[members]`` share by ``"…"``, where
    something is left after it. A year (any number) inside the opening stays: it tells these
    titles from the others (``"某市2019年工作报告甲"`` → ``"…2019年…甲"``)."""
    opening = _shared_opening([titles[i] for i in members])
    numbers = re.findall(r"\d+年?", opening)
    lead = "" if opening[:1].isdigit() else "…"
    kept = lead + "…".join(numbers) + "…" if numbers else "…"
    for i in members:
        rest = titles[i][len(opening) :].strip()
        if opening and rest:
            titles[i] = kept + rest


_LEADING_NUMBER = re.compile(r"^\d+年?")


def _strip_after_leading_numbers(titles: list[str]) -> list[str]:
    """Where every title starts with a number (a year) followed by an opening they all share,
    that opening is replaced by ``"…"`` and the number kept: a series of annual reports reads
    ``"1954年…"`` rather than repeating its template on every label.

    >>> _strip_after_leading_numbers(["1954年国务院政府工作报告", "1955年国务院政府工作报告(草案)",
    ...                               "1956年国务院政府工作报告"])
    ['1954年…', '1955年…(草案)', '1956年…']
    >>> _strip_after_leading_numbers(["1954年报告", "乡镇财政", "1956年报告"])
    ['1954年报告', '乡镇财政', '1956年报告']
    """
    leads = [_LEADING_NUMBER.match(title) for title in titles]
    if not all(leads):
        return titles.copy()
    rests = [title[lead.end() :] for title, lead in zip(titles, leads, strict=True)]
    opening = _shared_opening(rests)
    if not opening:
        return titles.copy()
    return [
        f"{lead.group()}…{rest[len(opening) :].strip()}"
        for lead, rest in zip(leads, rests, strict=True)
    ]


def distinct_titles(titles: Sequence[str], width: int | None) -> list[str]:
    """Titles cut to ``width`` that show what tells them apart: an opening shared by every
    title (of at least :data:`SHARED_OPENING_MIN` titles) is replaced by ``"…"``, and so is
    the opening of titles that would still read the same once cut. Identical titles stay as
    they are (their ids tell them apart).

    >>> distinct_titles(["某县人民政府2005年工作报告", "某县人民政府2006年工作报告", "乡镇财政"], 10)
    ['…2005年工作报告', '…2006年工作报告', '乡镇财政']
    >>> distinct_titles(["某县政府报告甲", "某县政府报告乙", "某县政府报告丙"], 10)
    ['…甲', '…乙', '…丙']
    """
    texts = [str(t).strip() for t in titles]

    def distinct(candidates: list[str]) -> int:
        return len({shorten(text, width) for text in candidates})

    if len(texts) >= SHARED_OPENING_MIN:
        stripped = _strip_after_leading_numbers(texts)
        _strip_opening(stripped, range(len(stripped)))
        if distinct(stripped) >= distinct(texts):  # only while the labels still differ
            texts = stripped
    groups: dict[str, list[int]] = {}
    for i, text in enumerate(texts):
        groups.setdefault(shorten(text, width), []).append(i)
    for members in groups.values():
        if len(members) > 1:
            _strip_opening(texts, members)
    return [shorten(text, width) for text in texts]


#: Metadata columns that lead an article's label when the corpus has them and they vary.
LABEL_COLUMNS = ("year",)


def _title(row: Any) -> str:
    get = row.get if isinstance(row, pd.Series | dict) else lambda name: getattr(row, name, None)
    title = get("title")
    if not isinstance(title, str) or not title:
        title = get("short_title") or ""
    return title


def _metadata_tags(articles: pd.DataFrame) -> list[str]:
    """Per row, the values of :data:`LABEL_COLUMNS` that vary across the table (else "")."""
    tags = [""] * len(articles)
    for column in LABEL_COLUMNS:
        if column not in articles.columns or articles[column].nunique() < 2:
            continue
        values = articles[column].astype("string").fillna("")
        tags = [f"{tag} {value}".strip() for tag, value in zip(tags, values, strict=True)]
    return tags


def is_duplicate(row: Any) -> bool:
    """Whether an article row (with ``duplicate_of``) is a near-duplicate of another article."""
    value = row["duplicate_of"] if isinstance(row, pd.Series | dict) else row.duplicate_of
    return isinstance(value, str) and bool(value)


def article_label(row: Any, width: int | None = 14, mark_duplicate: bool = True) -> str:
    """The name of an article in figures: shortened title and short id.

    ``row`` is a row of ``run.articles`` (a Series, dict or namedtuple) with ``article_id``,
    ``title`` (or ``short_title``) and optionally ``duplicate_of``.

    >>> article_label({"article_id": "000_786013f1ef10bced#2", "title": "改进和完善乡镇执政方式研究",
    ...                "duplicate_of": "000_786013f1ef10bced#1"}, width=8)
    '≈ 改进和完善乡镇… 000#2'
    """
    get = row.get if isinstance(row, pd.Series | dict) else lambda name: getattr(row, name, None)
    text = f"{shorten(_title(row), width)} {short_article_id(get('article_id'))}"
    return _mark(text, get("duplicate_of"), mark_duplicate)


def _mark(text: str, duplicate_of: Any, mark_duplicate: bool) -> str:
    if mark_duplicate and isinstance(duplicate_of, str) and duplicate_of:
        return f"{DUPLICATE_MARK} {text}"
    return text


def article_labels(
    articles: pd.DataFrame, width: int | None = 14, mark_duplicate: bool = True
) -> list[str]:
    """Labels of every row of an article table, in table order, that tell the rows apart.

    Like :func:`article_label`, but over the whole table: titles cut to ``width`` that would
    read the same lose their shared opening (:func:`distinct_titles`), a ``year`` column that
    varies leads the label (unless the title or id already shows it), and short ids that
    collide are written in full (:func:`short_article_ids`).

    >>> article_labels(pd.DataFrame({"article_id": ["r_01#1", "r_02#1"], "year": [2005, 2006],
    ...     "title": ["某县人民政府工作报告(上)", "某县人民政府工作报告(下)"]}), width=8)
    ['2005 …(上) r_01#1', '2006 …(下) r_02#1']
    """
    titles = distinct_titles([_title(row) for _, row in articles.iterrows()], width)
    ids = short_article_ids(articles["article_id"].astype(str).tolist())
    duplicates = articles["duplicate_of"] if "duplicate_of" in articles else [None] * len(ids)
    labels = []
    for tag, title, short, duplicate in zip(
        _metadata_tags(articles), titles, ids, duplicates, strict=True
    ):
        shown = f"{title} {short}"
        text = f"{tag} {shown}" if tag and tag not in shown else shown
        labels.append(_mark(text, duplicate, mark_duplicate))
    return labels


def with_metadata(articles: pd.DataFrame, metadata: pd.DataFrame | None) -> pd.DataFrame:
    """``articles`` with the columns of ``metadata`` (a table with ``article_id``, e.g. the
    prepared corpus's articles) that it lacks, matched by ``article_id``."""
    if metadata is None:
        return articles
    extra = [c for c in metadata.columns if c not in articles.columns]
    if not extra:
        return articles
    table = metadata.drop_duplicates("article_id").set_index("article_id")[extra]
    return articles.join(table, on="article_id")
