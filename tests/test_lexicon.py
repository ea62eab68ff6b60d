import random
import string
import time

import pytest

from spinfix.lexicon.morphology import (
    analyse,
    inflect,
    match_case,
    noun_number,
    same_lemma,
    zipf,
)
from spinfix.lexicon.thesaurus import Lexicon


@pytest.fixture(scope="module")
def lexicon(tmp_path_factory):
    path = tmp_path_factory.mktemp("cache") / "moby.npz"
    return Lexicon.load(path), path


def test_first_load_builds_a_compact_index_and_later_loads_are_fast(lexicon):
    _, path = lexicon
    assert path.exists() and path.stat().st_size < 32 * 2**20  # binary arrays, no text to parse
    t = time.perf_counter()
    again = Lexicon.load(path)
    assert time.perf_counter() - t < 1.0
    assert "war" in again


def test_forward_synonyms_are_what_a_spinner_may_put_in(lexicon):
    lex, _ = lexicon
    assert "struggle" in lex.synonyms("war")
    assert "navy" in lex.synonyms("military") or "navy" in lex.synonyms("naval")


def test_inverse_index_proposes_the_original_of_a_spun_word(lexicon):
    lex, _ = lexicon
    assert "war" in lex.sources("struggle")
    assert "military" in lex.sources("navy")
    assert "say" in lex.sources("mention")


def test_unknown_words_have_no_entries(lexicon):
    lex, _ = lexicon
    assert lex.synonyms("qwzxv") == [] and lex.sources("qwzxv") == []


def test_lemmatisation_and_reinflection_keep_the_tense():
    assert analyse("said")[0] == ("say", "VBD")
    assert inflect("mention", "VBD") == "mentioned"
    assert inflect("strength", "NNS") == "strengths"
    assert inflect("grow to be", "VBD") == "grew to be"


def test_a_base_form_reads_as_the_base_form():
    assert analyse("assistance")[0][1] == "NN"


def test_match_case_copies_capitalisation():
    assert match_case("Since", "for the reason that") == "For the reason that"
    assert match_case("NATO", "pact") == "PACT"
    assert match_case("war", "struggle") == "struggle"


def test_counting_synonyms_agrees_with_listing_them(lexicon) -> None:
    lexicon, _ = lexicon
    for term in ("war", "aid", "said", "no-such-word-here"):
        assert lexicon.count_synonyms(term) == len(lexicon.synonyms(term))


def _plain_words(n: int, seed: int) -> list[str]:
    from wordfreq import top_n_list

    words = [w for w in top_n_list("en", 60_000) if w.isascii() and w.isalpha()]
    return random.Random(seed).sample(words, n)


def test_zipf_is_wordfreqs_own_figure_for_words_phrases_and_oddities():
    # spinfix reads plain words straight from wordfreq's table (its tokenizer is most of the
    # cost); the figure must not move by a hundredth.
    from wordfreq import zipf_frequency

    rng = random.Random(3)
    words = _plain_words(3000, seed=1)
    junk = ["".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(1, 10))) for _ in range(500)]
    phrases = [" ".join(rng.sample(words, rng.randint(2, 4))) for _ in range(1000)]
    odd = ["New York", "well-known", "u.s.", "3d", "don't", "café", "e-mail", "", "a  b", "THE"]
    for w in words + junk + phrases + odd:
        assert zipf(w) == zipf_frequency(w, "en"), w


def test_inflect_gives_lemminflects_answer_for_every_tag():
    # Forms are looked up once per head word; the answers must be getInflection's, out-of-
    # vocabulary guesses and alternative tags (VBD for VBN, JJ for RB...) included.
    from lemminflect import getInflection

    heads = _plain_words(1500, seed=2) + ["qwertify", "glorp", "xylophonist", "Paris"]
    tags = ("VB", "VBD", "VBN", "VBG", "VBZ", "VBP", "NN", "NNS", "JJ", "JJR", "JJS", "RB", "RBR", "RBS", "RP", "NNP")
    for h in heads:
        for t in tags:
            forms = getInflection(h, tag=t)
            assert inflect(h, t) == (forms[0] if forms else None), (h, t)
    assert inflect("give up", "VBD") == "gave up"


@pytest.mark.parametrize(
    ("word", "number"),
    [("network", "singular"), ("networks", "plural"), ("technique", "singular"), ("children", "plural"),
     ("data", None), ("quickly", None)],
)
def test_noun_number_reads_words_that_can_only_be_one(word: str, number: str | None) -> None:
    # lemminflect lists "technique" (like "species") as its own plural too; a form equal to its
    # lemma is read as singular, the common case in prose.
    assert noun_number(word) == number


def test_same_lemma_links_forms_of_one_word_only() -> None:
    assert same_lemma("agreement", "agreements")
    assert same_lemma("said", "says")
    assert not same_lemma("network", "organization")
