"""topics: topic models of Chinese policy reports on township governance.

The package follows the data (see the README's "How it works"): ``topics.corpus`` reads and
cleans the raw pages, ``topics.text`` tokenizes, ``topics.model`` fits and evaluates LDA,
``topics.analysis`` compares documents and infers new ones, ``topics.plots`` draws; the
``topics.pipeline`` module is the one path through them, and ``topics.cli`` calls it.

The names a notebook needs are importable from here; they load on first use, so
``import topics`` stays cheap:

>>> import topics
>>> sorted(topics.__all__)[:3]
['Settings', 'current_run', 'explore']
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_EXPORTS = {
    "Settings": "topics.config",
    "prepared_corpus": "topics.pipeline",
    "tokenize_paragraphs": "topics.pipeline",
    "k_selection": "topics.pipeline",
    "fit": "topics.pipeline",
    "open_run": "topics.pipeline",
    "current_run": "topics.pipeline",
    "make_figures": "topics.pipeline",
    "explore": "topics.plots.explore",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'topics' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
