"""Checks of what a researcher supplies against the corpus itself, run before a fit.

>>> from topics.themes import Theme, ThemeSet
>>> themes = ThemeSet((Theme("finance", "乡镇财政", "finance", ("财政", "金库")),), "themes.toml")
>>> check_seed_words(themes, [["乡镇", "财政"]])
['themes.toml: theme finance: seed word(s) not in the corpus tokens: 金库']
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable

from topics.errors import input_error
from topics.themes import ThemeSet, unknown_seeds


def check_seed_words(themes: ThemeSet, tokens: Iterable[list[str]]) -> list[str]:
    """Warn about seed words that never occur in ``tokens``; refuse themes with none that do.

    Returns the warning messages (also issued as ``UserWarning``). Raises
    :class:`~topics.errors.InputError` naming the themes file when every seed word of a theme
    is missing: such a theme cannot form a topic.
    """
    vocabulary = {word for doc in tokens for word in doc}
    missing = unknown_seeds(themes, vocabulary)
    empty = [theme.id for theme in themes if len(missing.get(theme.id, ())) == len(theme.seeds)]
    if empty:
        listed = "; ".join(f"{t}: {' '.join(missing[t])}" for t in empty)
        raise input_error(
            themes.source, f"no seed word of theme(s) {', '.join(empty)} occurs in the corpus "
            f"tokens ({listed})", "fix the words, add them to the user dictionary, or drop the theme",
        )  # fmt: skip
    messages = [
        f"{themes.source}: theme {theme_id}: seed word(s) not in the corpus tokens: "
        + " ".join(words)
        for theme_id, words in missing.items()
    ]
    for message in messages:
        warnings.warn(message, UserWarning, stacklevel=2)
    return messages
