"""The LDAvis view of a run as one self-contained HTML file (or notebook output) that works offline.

pyLDAvis's own ``save_html`` loads d3 and the LDAvis script and stylesheet from CDNs and gives
the view a random element id. Here the copies shipped inside the pyLDAvis package are inlined,
the data object is written into the page, and the element id is fixed, so the same run always
gives the same bytes and the file opens from disk without a network.

The data come from :mod:`topics.plots.ldavis_data` (the run's own counts: the bars equal
``topic_terms.png``; topics keep the run's numbers, bubbles the intertopic map's places). The
page opens at λ = 0.6 like the PNGs and ``topics show`` (LDAvis itself starts at 1), and it
carries its own font: a subset of the bundled CJK font with just the glyphs the page uses
(:mod:`topics.plots.webfont`), so Chinese renders on a machine without CJK fonts:
``save_ldavis_html(prepare_ldavis(run), "figures/ldavis.html", title="乡镇治理 LDA")``.
"""

from __future__ import annotations

import hashlib
import html
import itertools
import json
import re
from pathlib import Path

import pandas as pd

from topics.plots.labels import topic_label
from topics.plots.ldavis_data import DEFAULT_LAMBDA, prepare_ldavis
from topics.plots.webfont import font_face_css
from topics.storage import atomic_file

__all__ = ["prepare_ldavis", "ldavis_fragment", "ldavis_html", "save_ldavis_html", "display_ldavis"]

#: Element id of the view in a saved HTML file (fixed, so the file is reproducible).
ELEMENT_ID = "ldavis"
JS_FILES = {"d3": "d3.v5.min.js", "ldavis": "ldavis.v3.0.0.js", "css": "ldavis.v1.0.0.css"}
#: Fonts tried after the page's own CJK font subset, in order.
CJK_FONTS = (
    '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", '
    '"WenQuanYi Micro Hei", "Heiti SC", sans-serif'
)
_display_counter = itertools.count(1)


def _js_dir() -> Path:
    import pyLDAvis

    return Path(pyLDAvis.__file__).parent / "js"


def _asset(name: str) -> str:
    path = _js_dir() / JS_FILES[name]
    if not path.exists():
        raise FileNotFoundError(f"{path}: pyLDAvis is missing its bundled {name}; reinstall it")
    return path.read_text(encoding="utf-8")


def _ldavis_js(lam: float) -> str:
    """LDAvis's script, starting at λ = ``lam`` instead of 1 (its initial state, patched)."""
    code = _asset("ldavis")
    starts = {"lambda: 1,": f"lambda: {lam:g},", "old: 1,": f"old: {lam:g},",
              "current: 1\n": f"current: {lam:g}\n"}  # fmt: skip
    for old, new in starts.items():
        if code.count(old) != 1:
            raise ValueError(f"{_js_dir() / JS_FILES['ldavis']}: unexpected LDAvis version")
        code = code.replace(old, new)
    return code


def _data_json(prepared) -> str:
    """The prepared data as a JSON object literal safe to inline in a ``<script>``."""
    from pyLDAvis.utils import NumPyEncoder

    text = json.dumps(prepared.to_dict(), cls=NumPyEncoder, ensure_ascii=False)
    # Keep the HTML parser from ending the script early.
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


def _script(code: str) -> str:
    if re.search(r"</script", code, flags=re.IGNORECASE):
        raise ValueError("script to inline contains '</script'")
    return f"<script>\n{code}\n</script>"


def _legend(topics: pd.DataFrame | None) -> str:
    """A line naming every topic, ``T1 乡镇财政 Township finance (4.7%)``."""
    if topics is None or topics.empty:
        return ""
    items = "".join(
        f"<li>{html.escape(topic_label(topics, int(k), width=None, english=True, prevalence=True, theme_mark=True))}</li>"
        for k in sorted(topics["topic"])
    )
    return f'<ul class="topics-legend">{items}</ul>'


def ldavis_fragment(
    prepared,
    element_id: str = ELEMENT_ID,
    title: str | None = None,
    topics=None,
    lam: float = DEFAULT_LAMBDA,
) -> str:
    """The view as an HTML fragment: stylesheet, font, container, d3, LDAvis and data, inline.

    ``topics`` (a run's topic table) adds a legend naming the numbered bubbles; the view opens
    at λ = ``lam``. The same fragment serves the saved page and the notebook output. d3 is
    loaded with ``define``, ``exports`` and ``module`` hidden, so that it becomes
    ``window.d3`` even where require.js is present (classic Jupyter). The font subset is named
    after ``element_id``, so views with different subsets can share a notebook.
    """
    if not re.fullmatch(r"[A-Za-z][\w-]*", element_id):
        raise ValueError(f"element_id must be a plain HTML id, got {element_id!r}")
    family = f"{element_id}-cjk"
    style = (
        f'#{element_id}, #{element_id} text, .{element_id}-head {{ font-family: "{family}", {CJK_FONTS}; }}\n'
        f".{element_id}-head ul {{ columns: 2; font-size: 13px; margin: 4px 0 8px; padding: 0; list-style: none; }}\n"
        f".{element_id}-head h1 {{ font-size: 18px; font-weight: normal; margin: 8px 0 2px; }}"
    )
    head = ""
    if title or topics is not None:
        heading = f"<h1>{html.escape(title)}</h1>" if title else ""
        head = f'<div class="{element_id}-head">{heading}{_legend(topics)}</div>\n'
    d3 = f"(function (define, exports, module) {{\n{_asset('d3')}\n}}).call(window);"
    ldavis_js = _ldavis_js(lam)
    ldavis = f"(function () {{\n{ldavis_js}\nwindow.LDAvis = LDAvis;\n}})();"
    data = _data_json(prepared)
    create = f'new LDAvis("#{element_id}", {data});'
    shown = html.unescape(head) + data + ldavis_js  # every character the page can show
    return "\n".join(
        [
            f"<style>\n{_asset('css')}\n{font_face_css(family, shown)}\n{style}\n</style>",
            head + f'<div id="{element_id}" style="background-color:white;"></div>',
            _script(d3),
            _script(ldavis),
            _script(create),
        ]
    )


def ldavis_html(prepared, title: str = "LDAvis", topics=None) -> str:
    """A complete, self-contained HTML page of the view (no network needed)."""
    body = ldavis_fragment(prepared, ELEMENT_ID, title=title, topics=topics)
    return (
        '<!DOCTYPE html>\n<html lang="zh">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


def save_ldavis_html(prepared, path: str | Path, title: str = "LDAvis", topics=None) -> Path:
    """Write the view to ``path`` as one offline HTML file, atomically; returns the path.

    The same prepared data always gives the same bytes (fixed element id, no timestamps).
    Pass ``topics=run.topics`` to name the numbered bubbles above the view.
    """
    path = Path(path)
    with atomic_file(path) as tmp:
        tmp.write_bytes(ldavis_html(prepared, title, topics).encode("utf-8"))
    return path


def display_ldavis(prepared, topics=None, element_id: str | None = None):
    """The view as an ``IPython.display.HTML`` object for notebooks, with everything inline.

    Each call gets its own element id (a hash of the data plus a counter) so that several
    views can live in one notebook; pass ``element_id`` to fix it.
    """
    from IPython.display import HTML

    if element_id is None:
        digest = hashlib.sha1(_data_json(prepared).encode("utf-8")).hexdigest()[:10]
        element_id = f"ldavis-{digest}-{next(_display_counter)}"
    return HTML(ldavis_fragment(prepared, element_id, topics=topics))
