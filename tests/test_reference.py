"""Checking a text against a clean parallel article: alignment, differences, derivation."""
from __future__ import annotations

import numpy as np
import pytest

from spinfix.reference.align import AlignSettings, align
from spinfix.reference.derive import DerivationSettings, immutables, lcs, longest_run
from spinfix.reference.embed import Embeddings
from spinfix.reference.words import align_words


def _emb(vectors: list[list[float]]) -> Embeddings:
    v = np.asarray(vectors, dtype=np.float32)
    return Embeddings(v.copy(), np.ones(len(v), dtype=np.float32))


def _basis(n: int, dim: int = 16) -> list[list[float]]:
    rng = np.random.default_rng(0)
    return [list(rng.normal(size=dim)) for _ in range(n)]


def _near(v: list[float], k: float = 0.2, seed: int = 1) -> list[float]:
    rng = np.random.default_rng(seed)
    return list(np.asarray(v) + k * rng.normal(size=len(v)))


def test_reordered_paragraphs_and_a_farms_own_lines_are_aligned_as_written() -> None:
    ref = _basis(6)
    # The copy: reference sentences 3, 4 first (a paragraph moved up), then its own line, then 0, 1, 2.
    own = _basis(7)[6]
    suspect = [_near(ref[3]), _near(ref[4]), own, _near(ref[0]), _near(ref[1]), _near(ref[2])]
    pairs = align(_emb(suspect), _emb(ref), [0] * 6, AlignSettings(min_similarity=0.6))
    assert [(p.suspect, p.reference) for p in pairs] == [((0,), (3,)), ((1,), (4,)), ((3,), (0,)), ((4,), (1,)), ((5,), (2,))]


def test_a_merged_or_split_sentence_is_one_pair() -> None:
    ref = _basis(4)
    # Suspect sentence 1 is reference 1 and 2 merged; suspect 2 and 3 are reference 3 split.
    merged = list((np.asarray(ref[1]) + np.asarray(ref[2])) / 2)
    suspect = [_near(ref[0]), merged, list(np.asarray(ref[3]) * 0.9), list(np.asarray(ref[3]) * 1.1)]
    pairs = align(_emb(suspect), _emb(ref), [0] * 4, AlignSettings(min_similarity=0.6))
    got = [(p.suspect, p.reference) for p in pairs]
    assert ((1,), (1, 2)) in got
    assert ((2, 3), (3,)) in got


def test_merges_stay_within_one_reference() -> None:
    ref = _basis(2)
    merged = list((np.asarray(ref[0]) + np.asarray(ref[1])) / 2)
    pairs = align(_emb([merged]), _emb(ref), [0, 1], AlignSettings(min_similarity=0.3))
    assert all(len(p.reference) == 1 for p in pairs)


def test_word_differences_are_labelled_by_kind() -> None:
    related = {("navy help", "military aid"), ("mentioned", "said")}.__contains__
    suspect = "Psaki mentioned the navy help of 42 jets by means of Poland would go on."
    reference = "Psaki said the military aid of 40 jets by Poland would go on."
    diffs = align_words(suspect, reference, lambda s, o: related((s, o))).differences
    got = [(d.kind, d.suspect_text, d.reference_text) for d in diffs]
    assert got == [
        ("swap", "mentioned", "said"), ("swap", "navy help", "military aid"), ("fact", "42", "40"),
        ("insertion", "means of", ""),
    ]
    for d in diffs:
        assert suspect[d.suspect_start : d.suspect_end] == d.suspect_text
        assert reference[d.reference_start : d.reference_end] == d.reference_text


def test_an_identical_sentence_has_no_differences_and_all_words_shared() -> None:
    w = align_words("The bridge is closed.", "The bridge is closed.")
    assert w.differences == () and w.copied_share == 1.0


def test_immutables_are_numbers_and_names_in_order() -> None:
    # "In" opens the sentence: not a name.
    got = immutables("In March, Mayor Elena Ortiz said 3.5% of Millbrook's roads close.")
    assert got == ["march", "mayor", "elena", "ortiz", "3", "5", "millbrook's"]
    assert lcs(["a", "b", "c", "d"], ["b", "x", "d"]) == 2
    assert longest_run([((0,), (3,)), ((1,), (4,)), ((2,), (9,)), ((3, 4), (10,))]) == 3


def test_the_derivation_probability_is_the_fitted_regression() -> None:
    s = DerivationSettings(weights={"copied_share": 10.0}, bias=-5.0, threshold=0.9)
    assert s.probability({"copied_share": 0.5}) == pytest.approx(0.5)
    assert s.probability({"copied_share": 1.0}) > 0.99


# -- compare, end to end (the tiny detector, the real encoder and lexicon) ------------------------

REFERENCE = (
    "The town council of Millbrook voted on Tuesday to spend $4.2 million on repairs to the Harbor Street bridge, "
    "which has been closed to heavy trucks since March.\n\n"
    "Mayor Elena Ortiz said the work would begin in the spring and take about eight months. "
    '"We cannot wait any longer," she said.\n\n'
    "According to a report by the state transportation department, the bridge's steel supports have corroded faster than expected."
)
SPUN_COPY = (
    "Advertisement\n\n"
    "The town council of Millbrook voted on Tuesday to spend $4.2 million on maintenance to the Harbor Street bridge, "
    "which has been closed to heavy vans for the reason that March.\n\n"
    "In keeping with a file by means of the state transportation branch, the bridge's metal helps have corroded quicker than expected.\n\n"
    "Mayor Elena Ortiz mentioned the paintings would start within the spring and take approximately eight months. "
    '"We cannot wait any longer," she said.'
)
# Written for spinfix: the same event, told independently.
OTHER_OUTLET = (
    "Millbrook will fix its Harbor Street bridge. Council members approved $4.2 million for the job on Tuesday, "
    "and Mayor Elena Ortiz expects crews to start in spring. Trucks have been barred from the bridge since March."
)


@pytest.fixture(scope="module")
def sf_ref(tiny_models, tmp_path_factory):
    import json
    import shutil

    import spinfix
    from spinfix.reference.derive import EVIDENCE

    root = tmp_path_factory.mktemp("with_reference")
    shutil.copytree(tiny_models / "detector", root / "detector")
    (root / "reference").mkdir()
    weights = dict.fromkeys(EVIDENCE, 0.0) | {"copied_share": 12.0, "aligned_share": 6.0}
    (root / "reference" / "spinfix.json").write_text(json.dumps({"derivation": {"weights": weights, "bias": -12.0, "threshold": 0.5}}))
    return spinfix.Spinfix.load(root, threshold=0.99, device="cpu")  # the tiny detector flags (almost) nothing


def test_a_spun_copy_gets_the_sources_words_back_and_nothing_else(sf_ref) -> None:
    cmp = sf_ref.compare(SPUN_COPY, REFERENCE)
    assert cmp.is_derived and cmp.derived > 0.9
    first, mayor, report = REFERENCE.split("\n\n")
    assert cmp.report.restored_text == "\n\n".join(["Advertisement", first, report, mayor])  # the copy's order kept
    assert all(e.evidence in ("reference", "confirmed") for e in cmp.report.edits)
    for e in cmp.report.edits:
        assert SPUN_COPY[e.start : e.end] == e.old
    assert {d.kind for p in cmp.pairs for d in p.differences} >= {"swap"}


def test_another_outlets_article_is_not_called_a_source_and_adds_no_edit(sf_ref) -> None:
    cmp = sf_ref.compare(SPUN_COPY, OTHER_OUTLET)
    assert not cmp.is_derived
    blind = sf_ref.restore(SPUN_COPY)
    assert [(e.start, e.new) for e in cmp.report.edits] == [(e.start, e.new) for e in blind.edits]


def test_restore_with_a_reference_is_the_comparisons_report(sf_ref) -> None:
    report = sf_ref.restore(SPUN_COPY, reference=REFERENCE)
    assert report.restored_text == sf_ref.compare(SPUN_COPY, REFERENCE).report.restored_text


def test_bad_references_are_refused_clearly(sf_ref) -> None:
    with pytest.raises(ValueError, match="a reference is empty"):
        sf_ref.compare(SPUN_COPY, "   ")
    with pytest.raises(TypeError, match="reference must be a str"):
        sf_ref.compare(SPUN_COPY, [b"bytes"])  # type: ignore[list-item]
    same = sf_ref.compare(REFERENCE, REFERENCE)
    assert same.is_derived and same.report.edits == []  # a verbatim copy: derived, nothing to restore


def test_a_huge_reference_is_read_where_it_shares_words(sf_ref) -> None:
    # The source buried in 3,000 other sentences (a whole archive given as the reference).
    filler = " ".join(f"Item {i} of the archive lists a grant for road safety in district {i % 97}." for i in range(3000))
    cmp = sf_ref.compare(SPUN_COPY, filler + "\n\n" + REFERENCE + "\n\n" + filler)
    assert cmp.is_derived
    first, mayor, report = REFERENCE.split("\n\n")
    assert cmp.report.restored_text == "\n\n".join(["Advertisement", first, report, mayor])


def _marked(sf, text: str, marks: dict[str, str]):
    """detect(text), with a restorer's kind of mark on each word of `marks` (word -> suggestion)."""
    from spinfix.report import Span

    report = sf.detect(text)
    for word, suggestion in marks.items():
        a = text.index(word)
        s = next(s for s in report.sentences if s.start <= a < s.end)
        s.spans.append(Span(a, a + len(word), word, 0.9, suggestion=suggestion, confidence=0.9))
        s.spans.sort(key=lambda sp: sp.start)
    return report


def test_the_reference_confirms_a_right_mark_and_contradicts_a_wrong_one(sf_ref) -> None:
    from spinfix.reference.compare import apply_reference

    check = sf_ref.reference_checker().check(SPUN_COPY, [REFERENCE])
    report = _marked(sf_ref, SPUN_COPY, {"mentioned": "said", "Tuesday": "Monday"})
    apply_reference(report, check, sf_ref.reference_checker().settings.restore, min_confidence=0.0)
    evidence = {sp.text: sp.evidence for sp in report.spans}
    assert evidence["mentioned"] == "confirmed"  # the reference says "said" there too
    assert evidence["Tuesday"] == "contradicted"  # the reference shows "Tuesday" as it is
    assert "Monday" not in {e.new for e in report.edits}
    assert report.restored_text is not None and "voted on Tuesday" in report.restored_text


# Written for spinfix: the reference's story, in German.
GERMAN = (
    "Der Stadtrat von Millbrook hat am Dienstag beschlossen, 4,2 Millionen Dollar für die Reparatur der Brücke "
    "in der Harbor Street auszugeben, die seit März für schwere Lastwagen gesperrt ist. Bürgermeisterin Elena Ortiz "
    "sagte, die Arbeiten würden im Frühjahr beginnen und etwa acht Monate dauern."
)


def test_a_reference_in_another_language_is_not_a_source(sf_ref) -> None:
    cmp = sf_ref.compare(SPUN_COPY, GERMAN)
    assert not cmp.is_derived
    assert [(e.start, e.new) for e in cmp.report.edits] == [(e.start, e.new) for e in sf_ref.restore(SPUN_COPY).edits]


def test_a_copy_of_two_sources_is_aligned_to_each(sf_ref) -> None:
    first, mayor, report = REFERENCE.split("\n\n")
    other = "The library opens a new reading room for children on Saturday. Volunteers painted the walls in two weeks."
    copy = first + "\n\n" + other
    cmp = sf_ref.compare(copy, [REFERENCE, other])
    assert cmp.is_derived
    assert {p.reference for p in cmp.pairs} == {0, 1}
    assert cmp.report.edits == []  # a verbatim copy of both: nothing to restore


def test_a_sentence_rewritten_as_a_whole_comes_back_only_when_the_derivation_is_sure() -> None:
    from spinfix.reference.check import AlignedPair, Check
    from spinfix.reference.compare import reference_edits
    from spinfix.reference.settings import ReferenceRestoreSettings
    from spinfix.text.document import Document

    suspect = "Across the nation, many families were helped by the new programme this year."
    ref = "The program helped thousands of families in every state in 2023."
    words = align_words(suspect, ref, None)
    settings = ReferenceRestoreSettings(rewrite_min_derived=0.8)
    assert words.copied_share < settings.rewrite_below  # few of the reference's words are left
    pair = AlignedPair((0,), 0, len(suspect), 0, (0,), 0, len(ref), 0.7, words)
    segments, refs = Document.from_text(suspect).sentences, [Document.from_text(ref).sentences]

    def rewrites(derived: float) -> list[str]:
        check = Check(segments, refs, [pair], {}, derived, 0.55)
        return [e.new for e, kind in reference_edits(check, suspect, settings) if kind == "rewrite"]

    assert rewrites(0.7) == []  # derived, but not surely: another outlet's sentence must not come in
    assert rewrites(0.95) == [ref]


def test_the_search_regression_falls_back_on_the_derivation_for_what_it_leaves_out(tmp_path) -> None:
    import json

    from spinfix.reference.settings import ReferenceSettings

    derivation = {"weights": {"copied_share": 5.0}, "bias": -2.0, "threshold": 0.55}
    (tmp_path / "spinfix.json").write_text(json.dumps({"derivation": derivation}))
    search = ReferenceSettings.load(tmp_path).search
    assert search.weights == {"copied_share": 5.0} and search.threshold == 0.9  # stricter than compare's
    (tmp_path / "spinfix.json").write_text(json.dumps({"derivation": derivation, "search": {"threshold": 0.97}}))
    search = ReferenceSettings.load(tmp_path).search
    assert (search.weights, search.bias, search.threshold) == ({"copied_share": 5.0}, -2.0, 0.97)
