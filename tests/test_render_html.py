"""The HTML report (spinfix.render.html), without a browser: every text escaped, nothing
fetched, marks and edits where the offsets say, the wording advisory. The same pages in a real
browser: tests/test_html_browser.py."""
from __future__ import annotations

import base64
import hashlib
import json
import re
import time
from dataclasses import dataclass

import pytest
from htmldom import Element, is_tip, parse
from hypothesis import given, settings
from hypothesis import strategies as st

from spinfix.reference.check import AlignedPair, Check
from spinfix.reference.compare import Comparison
from spinfix.reference.words import Difference, WordAlignment
from spinfix.render.html import render_batch, render_comparison, render_report, render_reports
from spinfix.report import Edit, Report, SentenceReport, Span

# -- reports built by hand: every offset known ---------------------------------------------------

SPUN = (
    "The mayor mentioned the navy help would continue, the navy said.\n\n"
    "Officials welcomed the news. Prices rose for the reason that March."
)
HOSTILE = (
    "<script>alert(1)</script> wrote \"Tom\" & 'Ann' 🦜.\n\n"
    "مرحبا بالعالم said the \u202eevil\u202c mayor."
)


def _span(text: str, phrase: str, nth: int = 0, p: float = 0.9, **kw) -> Span:
    start = -1
    for _ in range(nth + 1):
        start = text.index(phrase, start + 1)
    return Span(start, start + len(phrase), phrase, p, **kw)


def _sentence(text: str, body: str, spans: list[Span], p: float, paragraph: int = 0, alone: float | None = None) -> SentenceReport:
    start = text.index(body)
    return SentenceReport(body, start, start + len(body), p, p >= 0.5, spans, paragraph, alone if alone is not None else p)


def spun_report(restored: bool = True) -> Report:
    """Two flagged sentences; "navy" twice in the first (the second one marked), one edit not applied."""
    t = SPUN
    s1 = "The mayor mentioned the navy help would continue, the navy said."
    s3 = "Prices rose for the reason that March."
    sug = restored
    spans1 = [
        _span(t, "mentioned", p=0.97, **({"suggestion": "said", "confidence": 0.93} if sug else {})),
        _span(t, "navy", nth=1, p=0.72, **({"suggestion": "military", "confidence": 0.31} if sug else {})),
    ]
    spans3 = [_span(t, "for the reason that", p=0.55, **({"suggestion": "since", "confidence": 0.88} if sug else {}))]
    r = Report(t, [
        _sentence(t, s1, spans1, 0.95),
        _sentence(t, "Officials welcomed the news.", [], 0.1, paragraph=1),
        _sentence(t, s3, spans3, 0.9, paragraph=1, alone=0.6),
    ], threshold=0.835, source="spun.txt", model="detector")
    if restored:
        r.method = "baseline"
        r.edits = [Edit(s.start, s.end, s.text, s.suggestion or s.text, s.confidence or 0.0) for s in (spans1[0], spans3[0])]
    return r


def hostile_report() -> Report:
    """Markup, quotes, an ampersand, emoji, Arabic and a right-to-left override, in every field."""
    t = HOSTILE
    s1 = "<script>alert(1)</script> wrote \"Tom\" & 'Ann' 🦜."
    s2 = "مرحبا بالعالم said the \u202eevil\u202c mayor."
    spans = [
        _span(t, "<script>alert(1)</script>", p=0.99, suggestion="\"><img src=x onerror=alert(2)>", confidence=0.9),
        _span(t, "\"Tom\" & 'Ann'", p=0.7, suggestion="</mark></span><script>alert(3)</script>", confidence=0.8),
    ]
    r = Report(t, [_sentence(t, s1, spans, 0.99), _sentence(t, s2, [_span(t, "مرحبا", p=0.9)], 0.9, paragraph=1)],
               threshold=0.5, source="<img src=x onerror=alert(4)>.txt", model="<b>model</b>", method="base\"line")
    r.edits = [Edit(spans[0].start, spans[0].end, spans[0].text, spans[0].suggestion or "", 0.9, "reference")]
    return r


UNICODE = (
    "Cafe\u0301 🦜🦜 owners said the navy help came.\r\n\r\n"
    "A 𝒳 grant 👩\u200d👩\u200d👧 was given for the reason that it rained.\r\n"
)


def unicode_report() -> Report:
    """CRLF line breaks, a combining accent, emoji (astral, and a joined family) and a
    mathematical letter before every mark and edit: each one costs a UTF-16 text more units
    than code points, and a CR is gone once a browser has parsed the page."""
    t = UNICODE
    s1 = "Cafe\u0301 🦜🦜 owners said the navy help came."
    s2 = "A 𝒳 grant 👩\u200d👩\u200d👧 was given for the reason that it rained."
    spans1 = [_span(t, "navy help", p=0.9, suggestion="military aid", confidence=0.9)]
    spans2 = [_span(t, "given", p=0.7), _span(t, "for the reason that", p=0.96, suggestion="because", confidence=0.8)]
    r = Report(t, [_sentence(t, s1, spans1, 0.9), _sentence(t, s2, spans2, 0.9, paragraph=1)], threshold=0.5, source="uni.txt")
    r.method = "baseline"
    r.edits = [Edit(s.start, s.end, s.text, s.suggestion or "", s.confidence or 0.0) for s in (spans1[0], spans2[1])]
    return r


def long_report(n: int = 2000) -> Report:
    """An article of n sentences, every third flagged with a marked phrase."""
    parts, sentences, pos = [], [], 0
    for i in range(n):
        body = f"Sentence {i} says the navy help came for the reason that it rained."
        spans = []
        if i % 3 == 0:
            a = pos + body.index("navy help")
            spans = [Span(a, a + 9, "navy help", 0.5 + (i % 50) / 100, suggestion="military aid", confidence=0.7)]
        sentences.append(SentenceReport(body, pos, pos + len(body), 0.9 if spans else 0.1, bool(spans), spans, i // 10))
        parts.append(body)
        pos += len(body)
        sep = "\n\n" if i % 10 == 9 else " "
        parts.append(sep)
        pos += len(sep)
    text = "".join(parts)
    r = Report(text, sentences, threshold=0.835, source="long.txt", model="detector", method="baseline")
    r.edits = [Edit(s.start, s.end, s.text, "military aid", 0.7) for s in r.spans]
    return r


def comparison() -> Comparison:
    """A copy of a two-sentence reference with a spinner's swap, a changed day, a shared number
    and quotation, and a line of its own."""
    ref = "The mayor said the $4.2 million plan passed on Monday. “We will build it,” she said."
    sus = "The mayor mentioned the $4.2 million plan passed on Tuesday. “We will build it,” she said.\n\nAdvertisement here."
    a1, a2 = sus.index("The mayor"), sus.index("“We")
    b1 = ref.index("“We")
    p1s, p1r = sus[a1 : sus.index(" “We")], ref[: ref.index(" “We")]

    def diff(kind: str, here: str, there: str) -> Difference:
        a, b = p1s.index(here), p1r.index(there)
        return Difference(kind, a, a + len(here), here, b, b + len(there), there)

    diffs = (diff("swap", "mentioned", "said"), diff("fact", "Tuesday", "Monday"))
    pairs = [
        AlignedPair((0,), a1, a1 + len(p1s), 0, (0,), 0, len(p1r), 0.91, WordAlignment(diffs, 10, 8)),
        AlignedPair((1,), a2, a2 + len(ref) - b1, 0, (1,), b1, len(ref), 1.0, WordAlignment((), 6, 6)),
    ]
    check = Check([], [], pairs, {"aligned_share": 0.67, "coverage": 1.0, "copied_share": 0.82, "explained_share": 0.9}, 0.97, 0.55)
    mention = _span(sus, "mentioned", p=0.8, suggestion="said", confidence=0.95, evidence="reference")
    report = Report(sus, [
        _sentence(sus, p1s, [mention], 0.9),
        _sentence(sus, sus[a2 : a2 + len(ref) - b1], [], 0.1),
        _sentence(sus, "Advertisement here.", [], 0.05, paragraph=1),
    ], threshold=0.835, source="suspect.txt", model="detector", method="reference+baseline")
    report.edits = [Edit(mention.start, mention.end, "mentioned", "said", 0.95, "reference")]
    return Comparison(sus, [ref], check, report)


# -- what the tests read --------------------------------------------------------------------------


def article_text(page: Element, prefix: str = "") -> str:
    """What the article shows, as the browser's textContent, tooltips left out."""
    return page.by_id(f"{prefix}text").text(skip=is_tip)


def marks(page: Element) -> list[Element]:
    """The article's marks (the legend's samples have no offsets)."""
    return [m for m in page.select("mark") if "data-start" in m.attrs]


def placed_marks(page: Element, prefix: str = "") -> list[tuple[int, int, str]]:
    """Each mark of the article where it stands in the text shown (not where its attributes
    say), with its text: what must equal (span.start, span.end, span.text)."""
    found = page.by_id(f"{prefix}text").placed(lambda e: e.tag == "mark" and "data-start" in e.attrs, skip=is_tip)
    return [(a, b, m.text()) for a, b, m in found]


# -- escaping -------------------------------------------------------------------------------------


def test_hostile_text_is_escaped_everywhere_and_shows_literally() -> None:
    html = render_report(hostile_report())
    # The page's own script is the only one; no attribute handler came from the text.
    assert html.count("<script") == 1
    assert "<img" not in html and "</mark></span><script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&#34;&gt;&lt;img src=x onerror=alert(2)&gt;" in html
    page = parse(html)
    assert article_text(page) == HOSTILE  # emoji, Arabic, quotes and the override kept as they are
    assert page.by_id("m1").text() == "<script>alert(1)</script>"
    assert "suggested original: “\"><img src=x onerror=alert(2)>”" in page.by_id("m1-tip").text()
    title = page.find_all(lambda e: e.tag == "title")[0].text()
    assert title == "spinfix: <img src=x onerror=alert(4)>.txt"


def test_every_attribute_value_is_quoted_and_escaped() -> None:
    html = render_report(hostile_report())
    # An attribute value never contains a raw quote or angle bracket: nothing breaks out of it.
    for value in re.findall(r'=\s*"([^"]*)"', html):
        assert "<" not in value and ">" not in value


def test_hostile_words_in_an_attribute_stay_inside_it() -> None:
    # The compare page puts the reference's words in a title attribute: the one place where a
    # text of the input lands in an attribute.
    d = comparison().to_dict(include_text=True)
    evil = '"><script>alert(5)</script><b onmouseover="alert(6)'
    d["pairs"][0]["differences"][0]["reference_text"] = evil
    html = render_comparison(d)
    assert html.count("<script") == 1
    page = parse(html)
    assert not [a for e in page.iter() for a in e.attrs if a.startswith("on")]
    assert not page.select("b")
    swap = page.by_id("p1").select("span", "swap")[0]
    assert swap.attrs["title"] == f"spinner swap: the reference has “{evil}”"


# -- self-contained -------------------------------------------------------------------------------


@pytest.mark.parametrize("page", ["report", "comparison", "batch"])
def test_the_page_fetches_nothing(page: str) -> None:
    html = {"report": lambda: render_report(spun_report()), "comparison": lambda: render_comparison(comparison()),
            "batch": lambda: render_batch(_records())}[page]()
    assert not re.search(r"""(?:src|href|action|poster|srcset)\s*=\s*["']?\s*(?:https?:)?//""", html, re.I)
    assert not re.search(r"<link\b", html, re.I) and "@import" not in html and "url(" not in html
    assert not re.search(r"<(?:iframe|object|embed|img|video|audio|source)\b", html, re.I)
    assert html.startswith("<!doctype html>") and '<meta charset="utf-8">' in html


@pytest.mark.parametrize("page", ["report", "reports", "comparison", "batch"])
def test_every_id_on_a_page_is_unique_and_every_link_leads_somewhere(page: str) -> None:
    html = {"report": lambda: render_report(spun_report()), "reports": lambda: render_reports([spun_report(), spun_report()]),
            "comparison": lambda: render_comparison(comparison()), "batch": lambda: render_batch(_records())}[page]()
    root = parse(html)
    ids = [e.attrs["id"] for e in root.iter() if "id" in e.attrs]
    assert len(ids) == len(set(ids))
    targets = {a.attrs["href"][1:] for a in root.select("a") if a.attrs.get("href", "").startswith("#")}
    described = {e.attrs["aria-describedby"] for e in root.iter() if "aria-describedby" in e.attrs}
    assert targets | described <= set(ids)


def test_only_the_pages_own_style_and_script_may_run() -> None:
    html = render_report(spun_report())
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', html)
    assert csp is not None
    policy = csp.group(1).replace("&#39;", "'")
    assert "default-src 'none'" in policy and "unsafe-inline" not in policy
    for tag, directive in (("style", "style-src"), ("script", "script-src")):
        body = re.search(rf"<{tag}>(.*?)</{tag}>", html, re.S)
        assert body is not None
        digest = base64.b64encode(hashlib.sha256(body.group(1).encode()).digest()).decode()
        assert f"{directive} 'sha256-{digest}'" in policy


def test_the_page_prints_and_works_without_the_script() -> None:
    html = render_report(spun_report())
    assert "@media print" in html
    # Tooltips are CSS (hover, focus-within); the script only lets Escape dismiss them.
    assert ".m:hover > .tip, .m:focus-within > .tip" in html


# -- the article ----------------------------------------------------------------------------------


def test_the_article_is_the_text_exactly_with_each_mark_at_its_offsets() -> None:
    report = spun_report()
    page = parse(render_report(report))
    assert article_text(page) == report.text
    expected = [(s.start, s.end, report.text[s.start : s.end]) for s in report.spans]
    assert placed_marks(page) == expected  # where they stand in the text shown
    assert [(int(m.attrs["data-start"]), int(m.attrs["data-end"]), m.text()) for m in marks(page)] == expected
    # The second "navy" is the marked one, not the first.
    navy = page.by_id("m2")
    assert int(navy.attrs["data-start"]) == SPUN.index("navy", SPUN.index("navy") + 1)


def test_marks_and_edits_stand_at_their_code_point_offsets_past_emoji_accents_and_crlf() -> None:
    report = unicode_report()
    page = parse(render_report(report))
    assert article_text(page) == UNICODE
    expected = [(s.start, s.end, s.text) for s in report.spans]
    assert [t for _, _, t in expected] == ["navy help", "given", "for the reason that"]
    assert placed_marks(page) == expected
    assert [(int(m.attrs["data-start"]), int(m.attrs["data-end"])) for m in marks(page)] == [(a, b) for a, b, _ in expected]
    restored = page.find_all(lambda e: "restored" in e.classes)[0]
    assert restored.text(skip=lambda e: is_tip(e) or e.tag == "del") == report.restored_text
    dels = restored.placed(lambda e: e.tag == "del", skip=lambda e: is_tip(e) or e.tag == "ins")
    assert [(a, b, d.text()) for a, b, d in dels] == [(e.start, e.end, e.old) for e in report.edits or []]


def test_overlapping_spans_show_once_and_say_what_is_shown() -> None:
    # Never from the pipeline; a merged or hand-made report may: the later span keeps what is
    # left of it, and its offsets, text and list entry agree with the page.
    t = "abc def ghi"
    spans = [Span(0, 7, t[:7], 0.9), Span(4, 11, t[4:], 0.8), Span(2, 5, t[2:5], 0.7)]
    r = Report(t, [SentenceReport(t, 0, len(t), 0.9, True, spans)], 0.5)
    page = parse(render_report(r))
    assert article_text(page) == t
    assert placed_marks(page) == [(0, 7, "abc def"), (7, 11, " ghi")]
    assert [(int(m.attrs["data-start"]), int(m.attrs["data-end"])) for m in marks(page)] == [(0, 7), (7, 11)]
    assert "“ ghi”" in page.select("ol", "list")[0].text() and "#m3" not in render_report(r)


def test_insertions_and_adjacent_edits_make_the_restored_text() -> None:
    # An edit with an empty old stretch (a word the reference has and the text lacks) right
    # after another edit, and one at the very end, after an edit that ends the text.
    t = "The plan passed"
    r = Report(t, [SentenceReport(t, 0, len(t), 0.9, True)], 0.5, method="reference")
    r.edits = [Edit(4, 8, "plan", "scheme", 0.9), Edit(8, 8, "", " quickly", 0.9), Edit(9, 15, "passed", "went", 0.9),
               Edit(15, 15, "", ".", 0.9)]
    page = parse(render_report(r))
    restored = page.find_all(lambda e: "restored" in e.classes)[0]
    assert restored.text(skip=lambda e: is_tip(e) or e.tag == "del") == r.restored_text == "The scheme quickly went."
    assert restored.text(skip=lambda e: is_tip(e) or e.tag == "ins") == t
    assert [i.text() for i in restored.select("ins")] == ["scheme", " quickly", "went", "."]


def test_an_empty_report_renders_and_says_there_is_nothing_to_check() -> None:
    page = parse(render_report(Report("", [], 0.835, source="empty.txt")))
    assert page.select("p", "verdict")[0].text() == "There is no text to check."
    assert article_text(page) == "" and not marks(page)
    assert "No sentence was flagged." in page.text()


def test_marks_are_coloured_by_probability_with_a_legend() -> None:
    page = parse(render_report(spun_report()))
    assert [m.attrs["class"] for m in marks(page)] == ["l4", "l2", "l1"]  # 0.97, 0.72, 0.55
    legend = page.find_all(lambda e: e.attrs.get("aria-label") == "Legend of the marks")[0]
    assert [m.text() for m in legend.select("mark")] == ["below 0.6", "0.6 to 0.8", "0.8 to 0.95", "0.95 or more"]


def test_each_mark_tells_its_suggestion_confidence_and_evidence_on_focus() -> None:
    page = parse(render_report(spun_report()))
    m1 = page.by_id("m1")
    assert m1.attrs["tabindex"] == "0" and m1.attrs["aria-describedby"] == "m1-tip"
    tip = [line.text() for line in page.by_id("m1-tip").children if isinstance(line, Element)]
    assert tip == ["spin probability 0.97", "suggested original: “said”", "confidence 0.93 (applied)"]
    assert "confidence 0.31 (not applied)" in page.by_id("m2-tip").text()
    cmp_page = parse(render_comparison(comparison()))
    assert "evidence: the reference's own words at this place" in cmp_page.by_id("m1-tip").text()


def test_a_detection_has_no_suggestions_and_says_so() -> None:
    page = parse(render_report(spun_report(restored=False)))
    assert "no suggestion made (detection only)" in page.by_id("m1-tip").text()
    assert not page.find_all(lambda e: e.attrs.get("id") == "restored")


def test_the_marks_are_listed_by_sentence_with_links_a_keyboard_reaches() -> None:
    page = parse(render_report(spun_report()))
    assert page.by_id("flagged").tag == "h2"
    listing = page.find_all(lambda e: e.tag == "ol" and "list" in e.classes)[0]
    links = [a.attrs["href"] for a in listing.select("a")]
    assert links == ["#s1", "#m1", "#m2", "#s3", "#m3"]
    text = listing.text()
    assert "Sentence 3 (paragraph 2): spin probability 0.90; on its own words 0.60, flagged with its neighbours' weight." in text
    assert "“navy”: spin probability 0.72; suggested original “military”, confidence 0.31, not applied." in text


def test_the_restored_text_is_an_inline_diff_of_the_edits() -> None:
    report = spun_report()
    page = parse(render_report(report))
    restored = page.find_all(lambda e: "restored" in e.classes)[0]
    assert restored.text(skip=lambda e: is_tip(e) or e.tag == "del") == report.restored_text
    assert restored.text(skip=lambda e: is_tip(e) or e.tag == "ins") == report.text
    assert [(d.text(), i.text()) for d, i in zip(restored.select("del"), restored.select("ins"))] == [
        ("mentioned", "said"), ("for the reason that", "since"),
    ]
    assert page.by_id("e1-tip").text() == "confidence 0.93"


def test_the_verdict_is_plain_and_advisory() -> None:
    page = parse(render_report(spun_report()))
    verdict = page.select("p", "verdict")[0].text()
    assert verdict == ("spinfix flagged 2 sentences of 3 as possibly synonym-spun (spin probability of 0.835 or more) "
                       "and marked 3 phrases a spinner may have swapped in.")
    advice = page.select("div", "advice")[0].text()
    assert "not an accusation" in advice and "A person should read" in advice
    facts = page.select("dl", "facts")[0].text()
    assert "0.835" in facts and "detector" in facts and "baseline" in facts
    clean = parse(render_report(Report("Fine.", [SentenceReport("Fine.", 0, 5, 0.1, False)], 0.835)))
    assert "found no sentence that reads as synonym-spun" in clean.select("p", "verdict")[0].text()


def test_sentences_in_another_language_are_shown_as_not_checked() -> None:
    text = "Le maire a parlé. The mayor spoke."
    r = Report(text, [SentenceReport("Le maire a parlé.", 0, 17, 0.0, False, language="fr"),
                      SentenceReport("The mayor spoke.", 18, 34, 0.1, False)], 0.835)
    page = parse(render_report(r))
    assert page.by_id("s1").attrs["title"] == "not checked: French"
    assert "Not checked: 1 sentence in French; spinfix judges English only." in page.text()


def test_several_reports_share_one_page_with_their_own_ids() -> None:
    a, b = spun_report(), hostile_report()
    page = parse(render_reports([a, b]))
    assert article_text(page, "t1-") == a.text and article_text(page, "t2-") == b.text
    assert page.by_id("t2-m1").text() == "<script>alert(1)</script>"


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab <>&\"'é🦜ש\r\n.\u0301\u200d")), min_size=1, max_size=60), st.data())
def test_any_text_and_spans_show_exactly(text: str, data: st.DataObject) -> None:
    cuts = sorted(data.draw(st.lists(st.integers(0, len(text)), max_size=6)))
    spans = [Span(a, b, text[a:b], 0.9) for a, b in zip(cuts[::2], cuts[1::2]) if b > a]
    r = Report(text, [SentenceReport(text, 0, len(text), 0.9, True, spans)], 0.5)
    page = parse(render_report(r))
    assert article_text(page) == text
    assert placed_marks(page) == [(s.start, s.end, s.text) for s in spans]


def test_a_long_article_renders_quickly() -> None:
    report = long_report(2000)
    t = time.perf_counter()
    html = render_report(report)
    took = time.perf_counter() - t
    assert took < 2.0, f"{took:.2f} s"
    assert html.count("<mark ") == len(report.spans) + 4  # and the legend's four


# -- compare --------------------------------------------------------------------------------------


def test_a_comparison_shows_the_pairs_side_by_side_with_differences_by_kind() -> None:
    cmp = comparison()
    page = parse(render_comparison(cmp, names=["source.txt"]))
    verdict = page.select("p", "verdict")[0].text()
    assert verdict.startswith("The text was probably derived from the reference (probability 0.97, threshold 0.55)")
    assert "82 % words shared" in page.text() and "67 % sentences aligned" in page.text()
    row = page.by_id("p1")
    suspect, reference = row.select("td", "side")
    assert suspect.text() == cmp.text[cmp.pairs[0].suspect_start : cmp.pairs[0].suspect_end]
    assert [(k.text(), sorted(k.classes)) for k in suspect.select("span", "k")] == [
        ("mentioned", ["k", "swap"]), ("4.2", ["k", "shared"]), ("Tuesday", ["fact", "k"]),
    ]
    assert [k.text() for k in reference.select("span", "k")] == ["said", "4.2", "Monday"]
    assert suspect.select("span", "swap")[0].attrs["title"] == "spinner swap: the reference has “said”"
    quote = page.by_id("p2").select("span", "shared")
    assert [q.text() for q in quote] == ["“We will build it,”"] * 2
    legend = page.find_all(lambda e: e.attrs.get("aria-label") == "Legend of the differences")[0]
    assert [k.text() for k in legend.select("span", "k")] == [
        "spinner swap", "rewording", "changed fact", "inserted", "dropped", "shared quotation or number",
    ]
    unaligned = page.find_all(lambda e: e.tag == "a" and e.attrs.get("href") == "#s3")
    assert unaligned and unaligned[0].text() == "Advertisement here."
    assert "source.txt" in page.select("dl", "facts")[0].text()


def test_a_comparison_also_shows_the_restored_text() -> None:
    cmp = comparison()
    page = parse(render_comparison(cmp))
    restored = page.find_all(lambda e: "restored" in e.classes)[0]
    assert restored.text(skip=lambda e: is_tip(e) or e.tag == "del") == cmp.report.restored_text
    assert "confidence 0.95; evidence: the reference's own words at this place" in page.by_id("e1-tip").text()


# -- batch ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Record:  # as spinfix.batch.shards.Record
    id: str
    index: int
    report: str | None
    error: str | None
    spun: bool


def _records() -> list[_Record]:
    clean = Report("Fine.", [SentenceReport("Fine.", 0, 5, 0.2, False)], 0.835)
    return [
        _Record("clean.txt", 0, json.dumps(clean.to_dict()), None, False),
        _Record("broken.txt", 1, None, "not UTF-8", False),
        _Record("spun.txt", 2, json.dumps(spun_report().to_dict()), None, True),
        _Record("<b>hostile</b>.txt", 3, json.dumps(hostile_report().to_dict()), None, True),
    ]


def test_a_batch_page_lists_the_documents_most_spun_first_each_linking_to_its_section() -> None:
    page = parse(render_batch(_records(), {"task": "restore", "models": {"detector_version": "0.6.0"}}, {"documents": 4}))
    rows = page.find_all(lambda e: e.tag == "tbody")[0].select("tr")
    assert [r.select("td")[1].text() for r in rows] == ["<b>hostile</b>.txt", "spun.txt", "clean.txt", "broken.txt"]
    assert "not checked: not UTF-8" in rows[-1].text()
    links = [r.select("a")[0].attrs["href"] for r in rows[:3]]
    for href in links:
        assert page.by_id(href[1:]).tag == "section"
    assert "detector version" in page.select("dl", "facts")[0].text()


def test_a_batch_record_without_its_text_is_rebuilt_from_the_sentences() -> None:
    records = _records()
    page = parse(render_batch(records, sort="input"))
    spun = spun_report()
    anchor = next(a.attrs["href"][1:] for a in page.select("a") if a.text() == "spun.txt")
    shown = page.by_id(f"{anchor}-text").text(skip=is_tip)
    assert len(shown) == len(spun.text)
    for s in spun.sentences:  # every sentence at its offsets; between them a space or a line break
        assert shown[s.start : s.end] == s.text
    for m in page.by_id(f"{anchor}-text").select("mark"):
        assert m.text() == spun.text[int(m.attrs["data-start"]) : int(m.attrs["data-end"])]
    assert "rebuilt from the stored sentences" in page.text()


def test_a_batch_of_comparisons_is_sorted_by_derivation() -> None:
    derived = comparison()
    loose = comparison()
    loose.check.derived = 0.2
    records = [_Record("loose", 0, json.dumps(loose.to_dict()), None, False),
               _Record("copy", 1, json.dumps(derived.to_dict()), None, True)]
    page = parse(render_batch(records, {"task": "compare"}))
    rows = page.find_all(lambda e: e.tag == "tbody")[0].select("tr")
    assert [r.select("td")[1].text() for r in rows] == ["copy", "loose"]
    assert "derived" in page.find_all(lambda e: e.tag == "thead")[0].text()
    # The reference's text is not stored in a batch record: its differing words stand in.
    assert "the reference's text is not stored" in page.text()


def test_the_batch_page_stops_its_sections_past_max_pages() -> None:
    page = parse(render_batch(_records(), max_pages=1))
    assert len(page.select("section", "doc")) == 1
    assert "The first 1 have a section below" in page.text()


def test_a_batch_with_unreadable_or_old_records_still_makes_its_page() -> None:
    # A damaged record, one that is not an object, and one from an older spinfix that stored
    # less: the first two listed as not checked, the third shown.
    old = {"sentences": [{"start": 0, "end": 4, "text": "Hey."}]}
    records = [*_records(), _Record("damaged", 4, "{not json", None, False), _Record("list", 5, "[1]", None, False),
               _Record("old", 6, json.dumps(old), None, False)]
    page = parse(render_batch(iter(records), {"task": "detect"}))  # records read once, as they come
    rows = {r.select("td")[1].text(): r for r in page.find_all(lambda e: e.tag == "tbody")[0].select("tr")}
    assert "its stored report cannot be read (JSONDecodeError" in rows["damaged"].text()
    assert "its stored report cannot be read (ValueError: not a JSON object)" in rows["list"].text()
    assert rows["old"].select("a")
    anchor = rows["old"].select("a")[0].attrs["href"][1:]
    assert page.by_id(f"{anchor}-text").text(skip=is_tip) == "Hey."


def test_the_sections_said_are_the_sections_shown() -> None:
    # Errors sort last and have no section: "the first N have a section" counts sections only.
    records = [_Record(f"bad{i}", i, None, "empty", False) for i in range(5)] + _records()[:1]
    page = parse(render_batch(records, max_pages=3))
    assert len(page.select("section", "doc")) == 1
    assert "The first 1 have a section below" in page.text()


def test_a_shared_number_is_a_whole_number_of_the_other_side() -> None:
    d = comparison().to_dict(include_text=True)
    d["reference_texts"] = [d["reference_texts"][0].replace("$4.2 million", "$4.25 million")]
    page = parse(render_comparison(d))
    assert [k.text() for k in page.by_id("p1").select("span", "shared")] == []
