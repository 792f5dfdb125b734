"""The LDAvis page: the run's own numbers (bars equal topic_terms.png), λ = 0.6, its own CJK
font, offline, and the same bytes on every host."""

from __future__ import annotations

import base64
import io
import json
import re
import unicodedata
from pathlib import Path

import numpy as np
import pytest
from test_ordination import noisy

from topics.plots.ldavis_data import DEFAULT_LAMBDA


@pytest.fixture(scope="module")
def prepared(run):
    from topics.plots.ldavis import prepare_ldavis

    return prepare_ldavis(run)


def _vis_data(page: str) -> dict:
    match = re.search(r'new LDAvis\("#[\w-]+", (\{.*\})\);', page, flags=re.DOTALL)
    assert match, "no inline data object"
    return json.loads(match.group(1).replace("<\\/", "</"))


def page_top_terms(data: dict, topic: int, lam: float, n: int = 10) -> list[str]:
    """A topic's top terms as the page's script ranks them: relevance from the data object's
    ``logprob`` and ``loglift``, sorted stably (as ``Array.prototype.sort``)."""
    info = data["tinfo"]
    rows = [i for i, category in enumerate(info["Category"]) if category == f"Topic{topic}"]
    score = {i: lam * info["logprob"][i] + (1 - lam) * info["loglift"][i] for i in rows}
    return [info["Term"][i] for i in sorted(rows, key=lambda i: -score[i])][:n]


class NoisyRun:
    """A run whose topic-word matrix carries last-digit noise, as on another host."""

    def __init__(self, run, seed: int = 0):
        self._run = run
        self._topic_word = noisy(run.topic_word(), seed)

    def __getattr__(self, name: str):
        return getattr(self._run, name)

    def topic_word(self) -> np.ndarray:
        return self._topic_word


@pytest.fixture(scope="module")
def page(run, prepared) -> str:
    from topics.plots.ldavis import ldavis_html

    return ldavis_html(prepared, "乡镇治理", run.topics)


def test_ldavis_ranks_terms_and_draws_bars_as_topic_terms_png(run, page):
    from topics.plots.topic_terms import SEED_MARK, plot_topic_terms, topic_term_counts

    data = _vis_data(page)
    info = {key: np.asarray(values) for key, values in data["tinfo"].items()}
    table = run.terms(10, DEFAULT_LAMBDA)
    table = table[table["method"] == "relevance"]
    panels = [ax for ax in plot_topic_terms(run, lam=DEFAULT_LAMBDA).axes if ax.axison]
    counts, total = topic_term_counts(run), run.term_frequency()
    index = {term: i for i, term in enumerate(run.vocabulary["term"])}
    for k, ax in enumerate(panels, start=1):
        shown = page_top_terms(data, k, DEFAULT_LAMBDA)
        assert shown == table[table["topic"] == k].sort_values("rank")["term"].tolist(), k
        assert [t.get_text().rstrip(SEED_MARK) for t in ax.get_yticklabels()] == shown
        ids = [index[t] for t in shown]
        rows = [np.flatnonzero((info["Term"] == t) & (info["Category"] == f"Topic{k}"))[0]
                for t in shown]  # fmt: skip
        # grey bars: the corpus counts, exactly as the light bars of topic_terms.png
        assert info["Total"][rows].tolist() == total[ids].tolist()
        assert [bar.get_width() for bar in ax.containers[0]] == total[ids].tolist()
        # red bars: the topic's estimated tokens, the dark bars of topic_terms.png
        # (rounded to 6 significant digits of the topic's largest count)
        assert np.allclose(info["Freq"][rows], counts[k - 1, ids], rtol=0, atol=counts.max() * 1e-5)
    default = info["Category"] == "Default"
    assert set(info["Total"][default]) <= set(total)  # the unselected view: corpus counts too


def test_ldavis_page_opens_at_lambda_06_and_refuses_an_unknown_script(page, monkeypatch):
    from topics.plots import ldavis

    assert DEFAULT_LAMBDA == 0.6
    assert "lambda: 0.6," in page and "current: 0.6\n" in page
    assert "lambda: 1," not in page
    real = ldavis._asset
    monkeypatch.setattr(ldavis, "_asset", lambda name: real(name).replace("lambda: 1,", "x"))
    with pytest.raises(ValueError, match="unexpected LDAvis version"):
        ldavis._ldavis_js(DEFAULT_LAMBDA)


def test_ldavis_page_carries_a_font_subset_with_every_chinese_character_it_shows(run, page):
    from fontTools.ttLib import TTFont

    from topics.plots.style import cjk_font_path

    face = re.search(r'@font-face \{ font-family: "([\w-]+)";[^}]*base64,([A-Za-z0-9+/=]+)\)', page)
    assert face, "no inline @font-face"
    family, data = face.groups()
    assert re.search(rf'#ldavis text, \.ldavis-head \{{ font-family: "{family}", ', page)
    font = TTFont(io.BytesIO(base64.b64decode(data)))
    assert font.flavor == "woff"
    cmap = font.getBestCmap()
    visible = page.split("<script>")[0] + json.dumps(_vis_data(page), ensure_ascii=False)
    chinese = {c for c in visible if unicodedata.east_asian_width(c) == "W"}
    assert len(chinese) > 200 and all(ord(c) in cmap for c in chinese)
    assert all(term in visible for term in run.terms(3)["term"])
    full = TTFont(str(cjk_font_path()), lazy=True).getBestCmap()
    assert len(cmap) < len(full) / 10  # a subset, not the whole font


def test_ldavis_data_and_intertopic_map_ignore_last_digit_noise(run, prepared, tmp_path):
    from pyLDAvis.utils import NumPyEncoder

    from topics.plots.intertopic_map import plot_intertopic_map
    from topics.plots.ldavis import prepare_ldavis
    from topics.plots.style import save_figure

    other = NoisyRun(run)
    assert not np.array_equal(other.topic_word(), run.topic_word())
    same = json.dumps(prepare_ldavis(other).to_dict(), cls=NumPyEncoder)
    assert same == json.dumps(prepared.to_dict(), cls=NumPyEncoder)
    here = save_figure(plot_intertopic_map(run), tmp_path / "here.png")[0]
    there = save_figure(plot_intertopic_map(other), tmp_path / "there.png")[0]
    assert here.read_bytes() == there.read_bytes()


def test_ldavis_keeps_the_run_topic_numbers_and_map(run, prepared):
    from topics.model.ordination import topic_coordinates

    assert prepared.topic_order == list(range(1, run.k + 1))
    coords = prepared.topic_coordinates
    assert coords["topics"].tolist() == list(range(1, run.k + 1))
    xy = topic_coordinates(run.topic_word()).coordinates
    assert np.array_equal(coords[["x", "y"]].to_numpy(), xy)
    prevalence = run.topics.sort_values("topic")["prevalence"].to_numpy()
    assert np.allclose(coords["Freq"].to_numpy() / 100, prevalence, atol=1e-6)


def test_ldavis_html_is_offline_and_byte_identical(run, prepared, tmp_path):
    import pyLDAvis

    from topics.plots.ldavis import prepare_ldavis, save_ldavis_html

    a = save_ldavis_html(prepared, tmp_path / "a.html", title="测试", topics=run.topics)
    b = save_ldavis_html(prepare_ldavis(run), tmp_path / "b.html", title="测试", topics=run.topics)
    assert a.read_bytes() == b.read_bytes()
    page = a.read_text(encoding="utf-8")
    external = re.findall(r"<(?:script|link|img|iframe)[^>]*(?:src|href)\s*=", page, re.IGNORECASE)
    assert not external
    d3 = Path(pyLDAvis.__file__).parent / "js" / "d3.v5.min.js"
    assert d3.read_text(encoding="utf-8")[:2000] in page  # d3 itself is inline
    assert 'id="ldavis"' in page and "ldavis_el" not in page  # fixed, not pyLDAvis's random id
    data = _vis_data(page)
    assert len(data["mdsDat"]["topics"]) == run.k
    assert data["topic.order"] == list(range(1, run.k + 1))
    assert all(f"T{k} " in page for k in range(1, run.k + 1))
    term = run.terms(1)["term"].iloc[0]
    assert term in page  # Chinese written as text, not escaped


def test_display_ldavis_inlines_the_same_view(prepared):
    pytest.importorskip("IPython")
    from topics.plots.ldavis import display_ldavis, ldavis_html

    first, second = display_ldavis(prepared), display_ldavis(prepared)
    ids = [re.search(r'<div id="([\w-]+)"', h.data).group(1) for h in (first, second)]
    assert ids[0] != ids[1]  # two views in one notebook do not collide
    assert "<script src" not in first.data
    assert _vis_data(first.data) == _vis_data(ldavis_html(prepared))
    with pytest.raises(ValueError, match="plain HTML id"):
        display_ldavis(prepared, element_id="bad id")
