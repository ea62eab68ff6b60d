"""The HTML report in a real browser: Debian's headless Chromium, driven by Playwright (both
installed by `make setup-browser`; run by `make test-slow`). Each page is opened from the file
system, as a person opens a saved report: no console error, no request but the file itself,
marks where the offsets say, tooltips on hover and on keyboard focus, hostile text shown as
text, and a 2,000-sentence article in under 2 s."""
from __future__ import annotations

import json
import os
import shutil
import struct
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from test_render_html import HOSTILE, SPUN, UNICODE, _records, comparison, hostile_report, long_report, spun_report, unicode_report

from spinfix.render.html import render_batch, render_comparison, render_report

pytestmark = [pytest.mark.slow, pytest.mark.browser]

VIEWPORT = {"width": 1100, "height": 900}


def _chromium() -> str | None:
    return os.environ.get("SPINFIX_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    missing = None
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing = "playwright is not installed"
    exe = _chromium()
    if missing is None and exe is None:
        missing = "no chromium on PATH"
    if missing is not None:
        if os.environ.get("CI"):  # CI installs both (make setup-browser): a skip there would hide a broken setup
            pytest.fail(f"{missing}; run `make setup-browser`")
        pytest.skip(f"{missing}; run `make setup-browser`")
    with sync_playwright() as p:
        # Chromium's sandbox refuses root (CI runs as root); the page is our own file, offline.
        args = ["--no-sandbox"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []
        b = p.chromium.launch(executable_path=exe, args=args)
        yield b
        b.close()


@dataclass
class Opened:
    """A page opened from a file, with what it asked for and said while loading."""

    page: Any
    url: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


def open_html(browser: Any, html: str, path: Path, javascript: bool = True) -> Opened:
    opened = prepare(browser, html, path, javascript)
    opened.page.goto(opened.url, wait_until="load")
    return opened


def prepare(browser: Any, html: str, path: Path, javascript: bool = True) -> Opened:
    """A fresh page listening for requests, console messages and dialogs; the file written, not
    opened yet."""
    path.write_text(html, encoding="utf-8")
    context = browser.new_context(viewport=VIEWPORT, java_script_enabled=javascript)
    page = context.new_page()
    opened = Opened(page, path.resolve().as_uri())
    page.on("request", lambda r: opened.requests.append(r.url))
    page.on("console", lambda m: opened.errors.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: opened.errors.append(str(e)))

    def dialog(d: Any) -> None:
        opened.dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", dialog)
    return opened


def _shown_text(page: Any, selector: str) -> str:
    """An element's text as the page holds it, its tooltips left out."""
    return page.eval_on_selector(selector, "el => { const c = el.cloneNode(true); c.querySelectorAll('.tip').forEach(t => t.remove()); "
                                           "return c.textContent; }")


def _marks(page: Any, selector: str = "mark[data-start]") -> list[tuple[int, int, str]]:
    return [tuple(x) for x in page.eval_on_selector_all(selector, "ms => ms.map(m => [+m.dataset.start, +m.dataset.end, m.textContent])")]


@pytest.mark.parametrize("kind", ["report", "comparison", "batch"])
def test_the_page_opens_from_the_file_system_with_no_error_and_no_request(browser: Any, tmp_path: Path, kind: str) -> None:
    html = {"report": lambda: render_report(spun_report()), "comparison": lambda: render_comparison(comparison()),
            "batch": lambda: render_batch(_records())}[kind]()
    opened = open_html(browser, html, tmp_path / f"{kind}.html")
    assert opened.errors == []  # a blocked style or script (CSP) would say so here
    assert opened.requests == [opened.url]  # the document itself, nothing else
    assert opened.page.eval_on_selector("h1", "h => getComputedStyle(h).fontWeight") in ("700", "bold")  # the inline style applied


def test_highlighted_spans_are_exactly_where_the_offsets_say(browser: Any, tmp_path: Path) -> None:
    report = spun_report()
    page = open_html(browser, render_report(report), tmp_path / "r.html").page
    assert _marks(page) == [(s.start, s.end, report.text[s.start : s.end]) for s in report.spans]
    assert _shown_text(page, "#text") == SPUN
    # Each mark is shown, with its probability's colour.
    colours = page.eval_on_selector_all("mark[data-start]", "ms => ms.map(m => getComputedStyle(m).backgroundColor)")
    assert len(set(colours)) == 3 and all(c != "rgba(0, 0, 0, 0)" for c in colours)


# Where each mark stands in the article's text as the browser holds it, counted in code points
# (a JS string counts UTF-16 units: an emoji is two), tooltips left out.
_PLACED = """el => {
  const out = []; let pos = 0;
  const walk = n => {
    if (n.nodeType === Node.TEXT_NODE) { pos += Array.from(n.data).length; return; }
    if (n.nodeType !== Node.ELEMENT_NODE || n.classList.contains('tip')) return;
    const start = pos;
    n.childNodes.forEach(walk);
    if (n.tagName === 'MARK' && 'start' in n.dataset) out.push([start, pos, n.textContent]);
  };
  walk(el);
  return out;
}"""


def test_marks_stand_at_their_code_point_offsets_past_emoji_accents_and_crlf(browser: Any, tmp_path: Path) -> None:
    report = unicode_report()
    page = open_html(browser, render_report(report), tmp_path / "u.html").page
    # The browser turns each CRLF into LF as it parses the page (HTML's newline normalisation):
    # the offsets shift by the CRs before each mark, and by nothing else.
    assert _shown_text(page, "#text") == UNICODE.replace("\r\n", "\n")
    placed = [tuple(x) for x in page.eval_on_selector("#text", _PLACED)]
    crs = [report.text.count("\r", 0, s.start) for s in report.spans]
    assert placed == [(s.start - n, s.end - n, s.text) for s, n in zip(report.spans, crs)]
    assert _marks(page) == [(s.start, s.end, s.text) for s in report.spans]


def test_hovering_a_mark_shows_its_suggestion_and_moving_away_hides_it(browser: Any, tmp_path: Path) -> None:
    page = open_html(browser, render_report(spun_report()), tmp_path / "r.html").page
    tip = page.locator("#m1-tip")
    assert not tip.is_visible()
    page.hover("#m1")
    assert tip.is_visible()
    assert tip.inner_text().split("\n") == ["spin probability 0.97", "suggested original: “said”", "confidence 0.93 (applied)"]
    page.hover("h1")
    assert not tip.is_visible()


def test_the_keyboard_reaches_each_mark_and_its_tooltip(browser: Any, tmp_path: Path) -> None:
    page = open_html(browser, render_report(spun_report()), tmp_path / "r.html").page
    for _ in range(40):  # past the skip link and the legend, to the first mark
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "m1":
            break
    assert page.evaluate("document.activeElement.id") == "m1"
    assert page.locator("#m1-tip").is_visible()
    assert page.get_attribute("#m1", "aria-describedby") == "m1-tip"
    page.keyboard.press("Escape")  # dismissible (the script): hidden while the focus stays
    assert not page.locator("#m1-tip").is_visible()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "m2"
    assert page.locator("#m2-tip").is_visible() and "confidence 0.31 (not applied)" in page.locator("#m2-tip").inner_text()
    # The list of marks is reachable too: its links lead to the marks.
    page.click("a[href='#m3']")
    assert page.evaluate("location.hash") == "#m3"


def test_without_javascript_the_page_reads_the_same_and_tooltips_still_work(browser: Any, tmp_path: Path) -> None:
    report = spun_report()
    opened = open_html(browser, render_report(report), tmp_path / "r.html", javascript=False)
    assert _marks(opened.page) == [(s.start, s.end, s.text) for s in report.spans]
    opened.page.focus("#m2")
    assert opened.page.locator("#m2-tip").is_visible()


def test_printing_hides_the_tooltips_and_keeps_the_marks(browser: Any, tmp_path: Path) -> None:
    page = open_html(browser, render_report(spun_report()), tmp_path / "r.html").page
    page.emulate_media(media="print")
    page.focus("#m1")
    assert not page.locator("#m1-tip").is_visible()
    assert page.locator("#m1").is_visible()
    assert len(page.pdf()) > 5000


def test_a_screenshot_of_the_report(browser: Any, tmp_path: Path) -> None:
    page = open_html(browser, render_report(spun_report()), tmp_path / "r.html").page
    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot), full_page=True)
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert width == VIEWPORT["width"] and height >= VIEWPORT["height"]
    assert 20_000 < len(data) < 5_000_000  # a page with content, not a blank one


def test_hostile_input_runs_no_script_and_shows_as_text(browser: Any, tmp_path: Path) -> None:
    report = hostile_report()
    opened = open_html(browser, render_report(report), tmp_path / "hostile.html")
    page = opened.page
    page.hover("#m1")
    page.hover("#m2")
    assert opened.dialogs == [] and opened.errors == []
    assert page.evaluate("document.scripts.length") == 1 and page.evaluate("document.images.length") == 0
    assert _shown_text(page, "#text") == HOSTILE
    assert _marks(page) == [(s.start, s.end, s.text) for s in report.spans]
    assert "suggested original: “</mark></span><script>alert(3)</script>”" in page.locator("#m2-tip").inner_text()
    assert page.title() == "spinfix: <img src=x onerror=alert(4)>.txt"
    assert page.locator("h1").inner_text() == "<img src=x onerror=alert(4)>.txt"
    # Arabic runs right to left inside its own sentence, and the override stays inside its sentence.
    assert page.eval_on_selector("#s2", "s => getComputedStyle(s).unicodeBidi") == "isolate"


def test_a_batch_page_links_each_document_to_its_section(browser: Any, tmp_path: Path) -> None:
    opened = open_html(browser, render_batch(_records()), tmp_path / "batch.html")
    page = opened.page
    first = page.locator("table.docs tbody tr").first.locator("a")
    name = first.inner_text()
    first.click()
    anchor = page.evaluate("location.hash")[1:]
    assert page.locator(f"#{anchor}-title").inner_text() == name
    assert page.evaluate(f"document.getElementById('{anchor}').getBoundingClientRect().top") < 5  # scrolled to it
    assert opened.dialogs == [] and opened.errors == []


def test_a_comparison_shows_its_pairs_side_by_side(browser: Any, tmp_path: Path) -> None:
    cmp = comparison()
    page = open_html(browser, render_comparison(cmp, names=["source.txt"]), tmp_path / "c.html").page
    left, right = page.locator("#p1 td.side").all()
    assert left.bounding_box()["y"] == right.bounding_box()["y"]  # beside each other
    assert left.bounding_box()["x"] < right.bounding_box()["x"]
    assert left.inner_text() == cmp.text[cmp.pairs[0].suspect_start : cmp.pairs[0].suspect_end]
    styles = page.eval_on_selector_all("#p1 .k", "ks => ks.map(k => [k.className, getComputedStyle(k).textDecorationStyle])")
    assert ["k swap", "wavy"] in styles and ["k fact", "double"] in styles  # told apart without colour too


def test_a_2000_sentence_article_renders_in_under_2_seconds(browser: Any, tmp_path: Path) -> None:
    report = long_report(2000)
    html = render_report(report)
    opened = prepare(browser, html, tmp_path / "long.html")
    page = opened.page
    t = time.perf_counter()
    page.goto(opened.url, wait_until="load")
    height = page.evaluate("document.body.getBoundingClientRect().height")  # layout done
    wall = time.perf_counter() - t
    nav = json.loads(page.evaluate("JSON.stringify(performance.getEntriesByType('navigation')[0])"))
    print(f"2,000 sentences, {len(html) / 1e6:.1f} MB: load event at {nav['loadEventEnd']:.0f} ms, opened and laid out in {wall:.2f} s")
    assert nav["loadEventEnd"] < 2000, nav
    assert wall < 2.0
    assert height > 10_000 and opened.errors == []
    assert page.eval_on_selector_all("mark[data-start]", "ms => ms.length") == len(report.spans)
