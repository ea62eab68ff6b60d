"""Text spinfix cannot read is not judged: the language gate, and invisible characters."""
from __future__ import annotations

import json

import pytest

from spinfix.report import Report, SentenceReport
from spinfix.text.language import LanguageGate, language_name
from spinfix.text.view import TextView

# Written for spinfix (fictional events).
FRENCH = (
    "Le conseil municipal de Valmont a voté mardi soir une enveloppe de 4,2 millions d'euros pour "
    "rénover le pont de la rue du Port, fermé aux poids lourds depuis mars. « Les travaux "
    "commenceront au printemps », a déclaré la maire."
)
SPANISH = (
    "El ayuntamiento de Villaverde aprobó el martes una partida de 3,5 millones de euros para "
    "reparar el puente del puerto, cerrado a los camiones desde marzo."
)
ENGLISH = (
    "The town council of Millbrook voted on Tuesday to spend $4.2 million on repairs to the "
    "Harbor Street bridge, which has been closed to heavy trucks since March."
)


@pytest.fixture(scope="module")
def gate() -> LanguageGate:
    return LanguageGate()


def test_english_is_judged_and_other_languages_are_named(gate: LanguageGate) -> None:
    assert gate.paragraphs([ENGLISH]) == [None]
    [fr] = gate.paragraphs([FRENCH])
    assert fr is not None and (fr.code, fr.name) == ("fr", "French") and fr.probability >= 0.5
    assert language_name("es") == "Spanish" and language_name("xx") == "xx"


def test_each_long_paragraph_is_judged_on_its_own(gate: LanguageGate) -> None:
    verdicts = gate.paragraphs([ENGLISH, FRENCH, SPANISH, ENGLISH])
    assert [v.code if v else None for v in verdicts] == [None, "fr", "es", None]


def test_a_short_line_takes_the_whole_texts_verdict(gate: LanguageGate) -> None:
    # "Valmont, mardi" says nothing alone; in a French text it is French, in an English one judged.
    assert [v.code if v else None for v in gate.paragraphs(["Valmont, mardi", FRENCH, FRENCH])] == ["fr", "fr", "fr"]
    assert gate.paragraphs(["Millbrook, Tuesday", ENGLISH]) == [None, None]
    assert gate.paragraphs(["Bonjour"]) == [None]  # too short to tell, and nothing else to go by


def test_text_with_no_language_in_it_is_judged_as_before(gate: LanguageGate) -> None:
    assert gate.identify("\ud800 lone surrogate " * 5) is None
    assert gate.identify("12,345 67.8% 90 | 12 | 34") is None


def test_a_report_says_what_it_did_not_check() -> None:
    text = ENGLISH + "\n" + FRENCH
    checked = SentenceReport(ENGLISH, 0, len(ENGLISH), 0.1, False)
    french = SentenceReport(FRENCH, len(ENGLISH) + 1, len(text), 0.0, False, language="fr")
    report = Report(text=text, sentences=[checked, french], threshold=0.5)
    assert checked.checked and not french.checked and report.not_checked == [french]
    d = json.loads(json.dumps(report.to_dict()))
    assert d["not_checked"] == {"sentences": 1, "languages": ["fr"]}
    assert d["sentences"][1]["checked"] is False and d["sentences"][1]["language"] == "fr"
    assert "checked" not in d["sentences"][0]  # judged sentences read as before


def test_without_invisible_characters_the_view_is_the_text() -> None:
    view = TextView.of(ENGLISH)
    assert view.identity and view.text is ENGLISH and view.span(4, 8) == (4, 8)


def test_invisible_characters_are_left_out_and_offsets_map_back() -> None:
    text = "The navy\u00ad help was mil\u00adit\u200bary aid\u200d."
    view = TextView.of(text)
    assert view.text == "The navy help was military aid."
    a = view.text.index("military")
    start, end = view.span(a, a + len("military"))
    assert text[start:end] == "mil\u00adit\u200bary"  # the invisible characters inside come along
    b = view.text.index("navy")
    assert text[slice(*view.span(b, b + 4))] == "navy"  # the soft hyphen after it stays outside
    assert view.to_view(text.index("help")) == view.text.index("help")


@pytest.fixture(scope="module")
def flag_all(tiny_models):
    """The tiny detector at threshold 0: every judged sentence is flagged."""
    import spinfix

    return spinfix.Spinfix.load(tiny_models, threshold=0.0, device="cpu")


def test_another_language_is_never_flagged_even_where_everything_is(flag_all) -> None:
    report = flag_all.detect(ENGLISH + "\n\n" + FRENCH + "\n" + SPANISH)
    langs = [s.language for s in report.sentences]
    assert langs[0] is None and set(langs[1:]) == {"fr", "es"}
    assert [s.is_spun for s in report.sentences] == [True] + [False] * (len(langs) - 1)
    assert all(not s.spans and s.probability == 0.0 for s in report.not_checked)


def test_the_models_read_past_invisible_characters(flag_all) -> None:
    clean = "Officials mentioned the navy help would continue for the reason that the struggle goes on."
    hidden = clean.replace("navy", "na\u00advy").replace("reason", "rea\u200bson").replace("struggle", "\u2066struggle\u2069")
    a, b = flag_all.detect(clean), flag_all.detect(hidden)
    [sa], [sb] = a.sentences, b.sentences
    assert sb.probability == pytest.approx(sa.probability, abs=1e-6)
    assert (sb.start, sb.end, sb.text) == (0, len(hidden), hidden)  # the input's offsets and words
    for x, y in zip(sa.spans, sb.spans):
        assert hidden[y.start : y.end] == y.text
        assert y.text.replace("\u00ad", "").replace("\u200b", "").replace("\u2066", "").replace("\u2069", "") == x.text
    assert len(sa.spans) == len(sb.spans)
