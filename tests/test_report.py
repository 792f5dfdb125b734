"""The whole run as one offline page (topics.report, `topics report`): every section, links that
resolve, nothing loaded from elsewhere, the same bytes for the same run. In a real browser:
tests/test_browser.py."""

import re

import pytest

from topics.report import SECTIONS


@pytest.fixture(scope="module")
def page(project_settings, run, tmp_path_factory):
    from topics import pipeline

    path = pipeline.make_report(project_settings, tmp_path_factory.mktemp("report") / "r.html",
                                progress=False)  # fmt: skip
    return path, path.read_text(encoding="utf-8")


def test_report_has_every_section_and_topic(page, run):
    _, text = page
    ids = set(re.findall(r'id="([^"]+)"', text))
    assert set(SECTIONS) <= ids
    assert {f"T{k}" for k in range(1, run.k + 1)} <= ids
    # every topic shows its words, how its label was decided and its passages with provenance
    for k in range(1, run.k + 1):
        section = text.split(f'id="T{k}"', 1)[1].split('<section class="topic"', 1)[0]
        assert "<b>label</b>:" in section and "<b>words</b>" in section
        assert section.count('class="passage"') == 3, k
        assert re.search(r"\.txt, lines \d+–\d+", section)
    for theme in run.theme_topics():
        assert f"Theme {theme}: share per article, 95% interval" in text
    # the bundled corpus has no year: the words-by section says why it is empty
    assert "no metadata column to compare words by" in text


def test_report_links_resolve_and_nothing_is_loaded_from_elsewhere(page):
    path, text = page
    ids = set(re.findall(r'id="([^"]+)"', text))
    targets = re.findall(r'href="#([^"]+)"', text)
    assert targets and set(targets) <= ids, set(targets) - ids
    assert not re.search(r"(src|href)=\"(?!#)", text)  # no script, image, stylesheet or link out
    assert "http://" not in text and "https://" not in text
    assert "@font-face" in text and "base64," in text
    assert path.stat().st_size < 1_000_000  # light enough to email


def test_report_is_reproducible(page, project_settings, tmp_path):
    from topics import pipeline

    path, text = page
    again = pipeline.make_report(project_settings, tmp_path / "again.html", progress=False)
    assert again.read_bytes() == path.read_bytes()
