"""figures/ldavis.html and the report page (`topics report`) in a real browser: Chromium driven by
Playwright, with the network blocked.

Run it with ``make test-browser`` (installs Playwright, the ``browser`` extra). Chromium comes
from the system (``apt-get install chromium``; Playwright's own browser download is not
needed) or from ``TOPICS_CHROMIUM``. Without either the test is skipped, saying which is
missing, unless ``TOPICS_REQUIRE_BROWSER=1`` (set by ``.ci/run``): then it fails. The Chinese check is meaningful on a machine without CJK system fonts
(``fc-list :lang=zh`` prints nothing): there only the page's own font can draw the glyphs.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

PAGE = Path(__file__).resolve().parents[1] / "figures" / "ldavis.html"
#: Flags under which Debian's Chromium runs headless here, offline, as root, in a container.
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
#: The topic clicked; its top terms differ between λ = 0.6 and λ = 1.
TOPIC = 2
#: How long (ms) to wait for the page's transitions (two of 750 ms each) to settle.
SETTLE_MS = 10_000

SHOWN_TERMS = """() => Array.from(document.querySelectorAll('#ldavis .terms'))
    .sort((a, b) => a.getAttribute('y') - b.getAttribute('y')).map(e => e.textContent)"""
BARS = """(selector) => Array.from(document.querySelectorAll(selector))
    .map(e => [e.__data__.Term, e.__data__.Total, e.__data__.Freq, +e.getAttribute('width')])"""
# Draw text on a canvas in the page's font: Chinese drawn as boxes would look like
# characters no font has (U+FFFE, U+FFFF), drawn as the missing-glyph box.
DRAW = """([family, text]) => {
    const canvas = document.createElement('canvas');
    canvas.width = 120; canvas.height = 40;
    const g = canvas.getContext('2d');
    g.font = `28px "${family}"`;
    g.fillText(text, 2, 30);
    return canvas.toDataURL();
}"""


def chromium_path() -> str | None:
    """The Chromium binary: ``TOPICS_CHROMIUM``, else the first of the usual names on PATH."""
    names = [os.environ["TOPICS_CHROMIUM"]] if os.environ.get("TOPICS_CHROMIUM") else []
    for name in names + ["chromium", "chromium-browser", "google-chrome"]:
        if path := shutil.which(name):
            return path
    return None


def missing(reason: str) -> None:
    """Skip for want of ``reason``; fail instead where the browser is required (CI)."""
    if os.environ.get("TOPICS_REQUIRE_BROWSER") == "1":
        pytest.fail(f"TOPICS_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    try:
        from playwright import sync_api
    except ImportError:
        missing("Playwright is not installed: `make test-browser` adds it")
    executable = chromium_path()
    if executable is None:
        missing("no Chromium installed: `apt-get install chromium` or set TOPICS_CHROMIUM")
    profile = tmp_path_factory.mktemp("chromium-profile")  # empty --user-data-dir
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=executable, args=CHROMIUM_FLAGS, headless=True,
            viewport={"width": 1400, "height": 1000}, offline=True,
        )  # fmt: skip
        yield context
        context.close()


@pytest.fixture(scope="module")
def loaded(browser):
    """The page opened from its file URL, with every request and console error recorded."""
    url = PAGE.as_uri()
    requests, errors = [], []
    browser.route("**/*", lambda r: r.continue_() if r.request.url == url else r.abort())
    page = browser.new_page()
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    page.wait_for_selector(f"#ldavis-topic{TOPIC}")
    page.evaluate("document.fonts.ready.then(() => true)")
    return page, requests, errors


def test_ldavis_page_works_offline_in_chromium(loaded, tmp_path):
    from test_ldavis import _vis_data, page_top_terms

    page, requests, errors = loaded
    data = _vis_data(PAGE.read_text(encoding="utf-8"))
    n_bars = data["R"]
    # opens at λ = 0.6 with the most salient terms
    assert page.input_value("#ldavis-lambda") == "0.6"
    assert page.text_content("#ldavis-lambda-value") == "0.6"
    info = data["tinfo"]
    default = [t for t, c in zip(info["Term"], info["Category"], strict=True) if c == "Default"]
    assert page.evaluate(SHOWN_TERMS) == default[:n_bars]

    # a click on a topic shows its terms, ranked at λ = 0.6, with red bars over the grey ones
    at_06 = page_top_terms(data, TOPIC, 0.6, n_bars)
    page.click(f"#ldavis-topic{TOPIC}")
    page.wait_for_function(
        f"([want]) => JSON.stringify(({SHOWN_TERMS})()) === want",
        arg=[_json(at_06)],
        timeout=SETTLE_MS,
    )
    page.wait_for_timeout(1600)  # let the bar widths finish their transition
    grey, red = page.evaluate(BARS, "#ldavis .bar-totals"), page.evaluate(BARS, "#ldavis .overlay")
    assert [b[0] for b in red] == [b[0] for b in grey] and set(b[0] for b in red) == set(at_06)
    scale = grey[0][3] / grey[0][1]  # pixels per token, one axis for both colours
    for (_, total, _, width), (_, _, freq, red_width) in zip(grey, red, strict=True):
        assert width == pytest.approx(total * scale, rel=1e-3)
        assert red_width == pytest.approx(freq * scale, rel=1e-3)

    # moving λ to 1 re-ranks the bars by probability
    at_1 = page_top_terms(data, TOPIC, 1.0, n_bars)
    assert at_1 != at_06
    page.locator("#ldavis-lambda").fill("1")
    page.dispatch_event("#ldavis-lambda", "mouseup")
    page.wait_for_function(
        f"([want]) => JSON.stringify(({SHOWN_TERMS})()) === want",
        arg=[_json(at_1)],
        timeout=SETTLE_MS,
    )
    page.wait_for_timeout(1600)

    # Chinese is drawn with the page's own font, as glyphs, not boxes
    family = page.evaluate(
        "Array.from(document.fonts).filter(f => f.status === 'loaded').map(f => f.family)"
    )
    assert family == ["ldavis-cjk"]
    style = page.eval_on_selector("#ldavis .terms", "e => getComputedStyle(e).fontFamily")
    assert style.startswith('"ldavis-cjk"') or style.startswith("ldavis-cjk")
    assert page.evaluate("document.fonts.check('28px \"ldavis-cjk\"', '干部乡镇')")
    boxes = page.evaluate(DRAW, ["ldavis-cjk", "\ufffe\uffff"])
    assert page.evaluate(DRAW, ["ldavis-cjk", at_06[0][:2]]) != boxes

    shot = page.screenshot(path=str(tmp_path / "ldavis.png"), full_page=True)
    assert shot[:8] == b"\x89PNG\r\n\x1a\n" and len(shot) > 50_000
    assert not errors, errors
    assert requests == [PAGE.as_uri()], requests


def _json(terms: list[str]) -> str:
    """``terms`` as the page's ``JSON.stringify`` writes them."""
    return json.dumps(terms, ensure_ascii=False, separators=(",", ":"))


# --- the report page (`topics report`) --------------------------------------------------------


@pytest.fixture(scope="module")
def report_page(browser, project_settings, run, tmp_path_factory):
    """The report of the session's run, opened from its file URL with the network blocked."""
    from topics import pipeline

    path = pipeline.make_report(project_settings, tmp_path_factory.mktemp("report") / "r.html",
                                progress=False)  # fmt: skip
    url = path.as_uri()
    requests, errors = [], []
    page = browser.new_page()
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(url) else r.abort())
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    page.evaluate("document.fonts.ready.then(() => true)")
    return page, url, requests, errors


def test_report_page_works_offline_in_chromium(report_page, run):
    from topics.report import FONT_FAMILY, SECTIONS

    page, url, requests, errors = report_page
    for section in SECTIONS:  # every section is there and shown
        assert page.is_visible(f"#{section} h2"), section
    # Chinese is drawn with the page's own font, as glyphs, not boxes
    loaded = page.evaluate(
        "Array.from(document.fonts).filter(f => f.status === 'loaded').map(f => f.family)"
    )
    assert loaded == [FONT_FAMILY]
    style = page.eval_on_selector("body", "e => getComputedStyle(e).fontFamily")
    assert style.strip('"').startswith(FONT_FAMILY)
    label = page.text_content("#T1 h3")
    assert page.evaluate(f"document.fonts.check('28px \"{FONT_FAMILY}\"', {label!r})")
    boxes = page.evaluate(DRAW, [FONT_FAMILY, "\ufffe\uffff"])
    assert page.evaluate(DRAW, [FONT_FAMILY, label.split()[1][:2]]) != boxes

    # links between topics and passages: the topic list leads to a topic, a passage's id to the
    # passage, and a passage's "also" link to the other topic it belongs to
    page.click(f'nav + p a[href="#T{run.k}"]')
    assert page.evaluate("location.hash") == f"#T{run.k}"
    assert page.evaluate(f"document.getElementById('T{run.k}').getBoundingClientRect().top") < 50
    jump = page.locator("#T2 .topic-passages a").first  # topic → its first passage
    pid = jump.text_content()
    jump.click()
    target = page.evaluate("location.hash")
    assert target.startswith("#p-") and page.text_content(f"{target} .meta").find(pid) > 0
    page.locator(f"{target} .meta a[href='#T2']").click()  # passage → its topic
    assert page.evaluate("location.hash") == "#T2"
    assert page.evaluate("document.getElementById('T2').getBoundingClientRect().top") < 50
    assert not errors, errors
    assert requests == [url] or all(r.startswith(url) for r in requests), requests
