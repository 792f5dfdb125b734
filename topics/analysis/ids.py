"""Article and paragraph ids, full (``000_786013f1ef10bced#2/p014``) or short as the figures
show them (``000#2/p014``: the page's number without its hash).

>>> short_id("003_c52d0679af3027a5#1/p032")
'003#1/p032'
>>> resolve_id("000#2", ["000_786013f1ef10bced#1", "000_786013f1ef10bced#2"])
'000_786013f1ef10bced#2'
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from topics.errors import input_error

#: The units documents are compared at.
LEVELS = ("article", "paragraph")
MAX_LISTED = 5  # candidates named in an "ambiguous id" error


def short_id(item_id: str) -> str:
    """``item_id`` with the page part cut at its first ``_`` (the file's number)."""
    page, sep, rest = str(item_id).partition("#")
    return page.split("_")[0] + sep + rest


def resolve_id(item_id: str, ids: Iterable[str]) -> str:
    """The full id among ``ids`` that ``item_id`` names, in full or short form.

    An unknown id is an error with the closest known id as hint; a short id that fits several
    is an error listing them.
    """
    ids = list(dict.fromkeys(ids))
    if item_id in ids:
        return item_id
    matches = [full for full in ids if short_id(full) == item_id]
    if len(matches) == 1:
        return matches[0]
    if matches:
        listed = ", ".join(matches[:MAX_LISTED]) + (", …" if len(matches) > MAX_LISTED else "")
        raise input_error(None, f"id {item_id!r} is ambiguous", f"it fits {listed}")
    close = difflib.get_close_matches(str(item_id), ids + [short_id(i) for i in ids], 1, 0.8)
    hint = f"did you mean {close[0]!r}?" if close else None
    if ids and not close:
        hint = f"ids look like {ids[0]!r} or {short_id(ids[-1])!r}"
    raise input_error(None, f"no article or paragraph {item_id!r}", hint)
