import random

import pytest

from spinfix.lexicon.morphology import analyse
from spinfix.lexicon.sources import MobySource, TableSource
from spinfix.text.tokens import tokenize
from spinfix.train.spinner import Spinner, protected_mask


@pytest.fixture(scope="module")
def spinner(lexicon):
    table = TableSource("table", {"war": ["struggle"], "aid": ["help"], "call": ["decision"], "military": ["navy"]})
    return Spinner([(MobySource(lexicon), 0.5), (table, 0.5)])


SENTENCE = 'Since the war began, Secretary Blinken said on Feb. 24 that "the aid will continue" and 3 ships would sail.'


def test_rate_zero_leaves_the_sentence_alone(spinner):
    s = spinner.spin(SENTENCE, 0.0, random.Random(1))
    assert s.spun == SENTENCE and not s.is_spun
    assert all(lab == 0 for _, lab in s.labels())


def test_quotes_names_and_numbers_survive_full_spinning(spinner):
    for seed in range(20):
        s = spinner.spin(SENTENCE, 1.0, random.Random(seed))
        assert '"the aid will continue"' in s.spun
        assert "Blinken" in s.spun and "Feb. 24" in s.spun and " 3 " in s.spun


def test_edits_align_spun_and_clean_text(spinner):
    s = spinner.spin(SENTENCE, 1.0, random.Random(3))
    assert s.is_spun
    for e in s.edits:
        assert s.spun[e.start : e.end] == e.replacement
        assert s.clean[e.orig_start : e.orig_end] == e.original
    # Undoing every edit gives back the clean sentence exactly.
    restored = s.spun
    for e in sorted(s.edits, key=lambda e: -e.start):
        restored = restored[: e.start] + e.original + restored[e.end :]
    assert restored == SENTENCE


def test_labels_mark_exactly_the_replaced_words(spinner):
    s = spinner.spin(SENTENCE, 1.0, random.Random(5))
    marked = {t.text for t, lab in s.labels() if lab}
    replaced = {w for e in s.edits for w in (t.text for t in tokenize(e.replacement))}
    assert marked == replaced


def test_function_phrases_become_multiword_spinner_phrases(spinner):
    options = {"for the reason that", "considering that", "due to the fact"}
    s = spinner.spin("Since the meeting, prices rose.", 1.0, random.Random(0))
    assert any(s.spun.lower().startswith(o) for o in options)
    assert s.spun[0].isupper()


def test_stopwords_take_the_stock_swaps_real_spinners_are_known_for(spinner):
    # "by", "not" and "was" are never thesaurus-swapped, but free spinners turn them into
    # "with the aid of", "no longer" and "was once" all the time.
    seen = {e.replacement.lower() for i in range(30)
            for e in spinner.spin("The bill was not signed by the governor.", 1.0, random.Random(i)).edits}
    assert {"with the aid of", "no longer", "was once"} <= seen


def test_spinner_hallmarks_extend_the_function_phrases_without_overriding_them():
    from spinfix.lexicon.phrases import FUNCTION_PHRASES, SPINNER_HALLMARKS

    for phrase, forms in SPINNER_HALLMARKS.items():
        assert set(forms) <= set(FUNCTION_PHRASES[phrase])
    assert {"which include", "inclusive of"} <= set(FUNCTION_PHRASES["including"])

def _swaps_of(spinner, word, sentence, n=40):
    return [e.replacement for i in range(n) for e in spinner.spin(sentence, 1.0, random.Random(i)).edits if e.original == word]


def test_inflection_is_kept(spinner):
    careful = Spinner(spinner.sources, slip_rate=0.0)
    swaps = _swaps_of(careful, "talked", "The officials talked for hours.")
    assert swaps
    # The replacement (or a phrase's first word) is a past form too: "talked" -> "discussed".
    # (lemminflect does not analyse hyphenated compounds, so those are not checked.)
    # A few noun phrases inflect oddly ("manner of speaking" -> "mannered of speaking"), as in
    # real spinner output; nearly all keep the tense.
    checked = [w for w in swaps if "-" not in w]
    past = [w for w in checked if any(tag in ("VBD", "VBN") for _, tag in analyse(w.split()[0]))]
    assert len(past) >= 0.9 * len(checked)


def test_spinning_is_deterministic_for_a_seed(spinner):
    a = spinner.spin(SENTENCE, 0.5, random.Random(42)).spun
    b = spinner.spin(SENTENCE, 0.5, random.Random(42)).spun
    assert a == b


def test_protected_mask_covers_quotes_and_capitalised_names():
    toks = tokenize("Officials said “we will win” in Kyiv.")
    mask = dict(zip([t.text for t in toks], protected_mask(toks)))
    assert mask["we"] and mask["win"] and mask["Kyiv"]
    assert not mask["said"]


def test_some_swaps_lose_their_inflection_like_real_spinners(spinner):
    sloppy = Spinner(spinner.sources, slip_rate=1.0)
    swaps = _swaps_of(sloppy, "talked", "The officials talked for hours.")
    assert swaps and not any(w.endswith("ed") for w in swaps)
