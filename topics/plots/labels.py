"""How figures name topics and articles: one helper each, so every figure says the same thing.

A topic is its number and label, ``"T3 村民自治"`` (the theme label for a seeded theme topic,
the automatic label of top terms otherwise), optionally with the English label and prevalence.
An article is its shortened title and short id, ``"改进和完善乡镇执政方式… 000#2"``, with
``"≈ "`` in front when it is a near-duplicate of another article.
"""

from __future__ import annotations

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


def is_unstable(source: Any, k: int) -> bool:
    """Whether topic ``k``'s stability under resampling is below
    :data:`topics.model.k_rule.STABLE` (False when the run has no stability)."""
    from topics.model.k_rule import STABLE

    value = _topic_row(_topics_table(source), k).get("stability", float("nan"))
    return bool(value < STABLE)


def stability_tag(source: Any, k: int) -> str:
    """Topic ``k``'s stability under resampling for figures: ``"稳定 stable 0.77"`` or
    ``"不稳定 unstable 0.40"`` ("" when the run has no stability).

    >>> stability_tag(pd.DataFrame({"topic": [1, 2], "stability": [0.77, 0.4]}), 2)
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
    title = get("title")
    if not isinstance(title, str) or not title:
        title = get("short_title") or ""
    text = f"{shorten(title, width)} {short_article_id(get('article_id'))}"
    duplicate = get("duplicate_of")
    if mark_duplicate and isinstance(duplicate, str) and duplicate:
        text = f"{DUPLICATE_MARK} {text}"
    return text


def article_labels(articles: pd.DataFrame, width: int | None = 14, **options) -> list[str]:
    """:func:`article_label` of every row of an article table, in table order."""
    return [article_label(row, width, **options) for _, row in articles.iterrows()]
