"""The bundled CJK font, cut down to the glyphs a page uses, as an inline ``@font-face`` rule.

A page that names only system fonts shows boxes for Chinese on a machine without a CJK font.
Embedding the whole font (16 MB) is too much; fontTools' subsetter keeps just the characters
the page contains (a few hundred glyphs, under 100 kB as WOFF). The same text always gives
the same bytes: the font's timestamp is not recomputed and WOFF carries no date.

>>> css = font_face_css("page-cjk", "乡镇治理")
>>> css[:67]
'@font-face { font-family: "page-cjk"; font-style: normal; font-weig'
>>> "src: url(data:font/woff;base64," in css and css == font_face_css("page-cjk", "乡镇治理")
True
"""

from __future__ import annotations

import base64
import functools
import io

from topics.plots.style import cjk_font_path

#: Container format of the embedded font (zlib-compressed; WOFF2 would need brotli).
FONT_FLAVOR = "woff"


@functools.lru_cache(maxsize=4)
def font_subset(text: str) -> bytes:
    """The bundled CJK font reduced to the glyphs of ``text``'s characters, as WOFF bytes."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.flavor = FONT_FLAVOR
    options.notdef_outline = True
    # Horizontal Chinese needs no OpenType layout features, and screens no CFF hints: without
    # them the subset is about half the size (70 kB for the LDAvis page's ~480 characters).
    options.layout_features = []
    options.hinting = False
    font = TTFont(str(cjk_font_path()), recalcTimestamp=False, lazy=True)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(set(text))))
    subsetter.subset(font)
    out = io.BytesIO()
    font.flavor = FONT_FLAVOR
    font.save(out)
    return out.getvalue()


def font_face_css(family: str, text: str) -> str:
    """An ``@font-face`` rule declaring ``family`` as the font subset for ``text``, inline."""
    data = base64.b64encode(font_subset(text)).decode("ascii")
    return (
        f'@font-face {{ font-family: "{family}"; font-style: normal; font-weight: 400; '
        f'src: url(data:font/{FONT_FLAVOR};base64,{data}) format("{FONT_FLAVOR}"); }}'
    )
