"""Where the shipped default lexicons, themes and furniture rules are.

In this repository they are the editable files under ``data/``; an installed wheel carries a copy
under ``topics/_defaults/`` so the package also works outside the repository.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_CANDIDATES = (_PACKAGE / "_defaults", _PACKAGE.parent / "data")


def default_path(name: str) -> Path:
    """Path of a shipped default file, e.g. ``default_path("lexicons/userdict.txt")``."""
    for base in _CANDIDATES:
        if (base / name).exists():
            return base / name
    raise FileNotFoundError(f"shipped default {name!r} not found under {_CANDIDATES[0]}")
