"""The LDAvis view of a run as one self-contained HTML file (or notebook output) that works offline.

pyLDAvis's own ``save_html`` loads d3 and the LDAvis script and stylesheet from CDNs and gives
the view a random element id. Here the copies shipped inside the pyLDAvis package are inlined,
the data object is written into the page, and the element id is fixed, so the same run always
gives the same bytes and the file opens from disk without a network.

Topics keep the run's numbers (``sort_topics=False``, ``start_index=1``), so bubble 3 is T3
in every figure, and bubbles are placed by the same PCoA as
:func:`topics.plots.intertopic_map.plot_intertopic_map`.

>>> prepared = prepare_ldavis(run)  # doctest: +SKIP
>>> save_ldavis_html(prepared, "figures/ldavis.html", title="乡镇治理 LDA")  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import html
import itertools
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd

from topics.plots.intertopic_map import topic_coordinates
from topics.plots.labels import topic_label
from topics.storage import atomic_file

#: Element id of the view in a saved HTML file (fixed, so the file is reproducible).
ELEMENT_ID = "ldavis"
JS_FILES = {"d3": "d3.v5.min.js", "ldavis": "ldavis.v3.0.0.js", "css": "ldavis.v1.0.0.css"}
#: Fonts tried, in order, for the Chinese terms (the page carries no font of its own).
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


def model_arrays(run) -> dict:
    """The plain arrays LDAvis needs, from the run's in-model paragraphs with words.

    Returns ``topic_term_dists`` (K, V), ``doc_topic_dists`` (D, K), ``doc_lengths`` (D,),
    ``vocab`` (V,) and ``term_frequency`` (V,).
    """
    para = run.paragraphs
    keep = para["in_model"].astype(bool) & (para["n_tokens"] > 0)
    shares = para.loc[keep, run.topic_columns].to_numpy(dtype=float)
    keep_rows = np.isfinite(shares).all(axis=1)
    shares = shares[keep_rows]
    return {
        "topic_term_dists": run.topic_word(),
        "doc_topic_dists": shares / shares.sum(axis=1, keepdims=True),
        "doc_lengths": para.loc[keep, "n_tokens"].to_numpy(dtype=int)[keep_rows],
        "vocab": run.vocabulary["term"].tolist(),
        "term_frequency": run.term_frequency(),
    }


def _pcoa_mds(topic_term_dists) -> np.ndarray:
    return topic_coordinates(np.asarray(topic_term_dists, dtype=float)).coordinates


def prepare_ldavis(run, R: int = 30, lambda_step: float = 0.01):
    """pyLDAvis ``PreparedData`` of a run: topics numbered 1…K as in the run, R terms per bar
    chart, bubbles placed by PCoA of Jensen–Shannon distances (as in the intertopic map).

    Uses only the paragraphs the model was trained on (``in_model``) that have words.
    """
    import pyLDAvis

    arrays = model_arrays(run)
    explained = topic_coordinates(arrays["topic_term_dists"]).explained
    return pyLDAvis.prepare(
        **arrays,
        R=R,
        lambda_step=lambda_step,
        mds=_pcoa_mds,
        n_jobs=1,
        sort_topics=False,
        start_index=1,
        plot_opts={"xlab": f"PC1 ({explained[0]:.0%})", "ylab": f"PC2 ({explained[1]:.0%})"},
    )


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
    prepared, element_id: str = ELEMENT_ID, title: str | None = None, topics=None
) -> str:
    """The view as an HTML fragment: stylesheet, container, d3, LDAvis and data, all inline.

    ``topics`` (a run's topic table) adds a legend naming the numbered bubbles. The same
    fragment serves the saved page and the notebook output. d3 is loaded with ``define``,
    ``exports`` and ``module`` hidden, so that it becomes ``window.d3`` even where require.js
    is present (classic Jupyter).
    """
    if not re.fullmatch(r"[A-Za-z][\w-]*", element_id):
        raise ValueError(f"element_id must be a plain HTML id, got {element_id!r}")
    style = (
        f"#{element_id}, #{element_id} text, .{element_id}-head {{ font-family: {CJK_FONTS}; }}\n"
        f".{element_id}-head ul {{ columns: 2; font-size: 13px; margin: 4px 0 8px; padding: 0; list-style: none; }}\n"
        f".{element_id}-head h1 {{ font-size: 18px; font-weight: normal; margin: 8px 0 2px; }}"
    )
    head = ""
    if title or topics is not None:
        heading = f"<h1>{html.escape(title)}</h1>" if title else ""
        head = f'<div class="{element_id}-head">{heading}{_legend(topics)}</div>\n'
    d3 = f"(function (define, exports, module) {{\n{_asset('d3')}\n}}).call(window);"
    ldavis = f"(function () {{\n{_asset('ldavis')}\nwindow.LDAvis = LDAvis;\n}})();"
    create = f'new LDAvis("#{element_id}", {_data_json(prepared)});'
    return "\n".join(
        [
            f"<style>\n{_asset('css')}\n{style}\n</style>",
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
