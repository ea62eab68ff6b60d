"""The language gate: spinfix judges English text only, and says so of the rest.

The detector was trained on English; French or Spanish news reads to it like English spun beyond
recognition, so it flags it (p 0.83-1.0 on a short French paragraph). A false accusation is worse
than a miss, so text in another language is not judged at all: its sentences are reported as
"not checked", with the language, and never flagged.

Each paragraph long enough to tell is judged on its own (a file may paste an English article
after a French one); a short paragraph (a heading, one short line) takes the verdict of the whole
text. The identifier is py3langid (langid.py's model, 140 languages, inside the package,
offline): of four packages measured (experiments/diag_language_ids.py) it was the one that never
called English text another language and named every paragraph of the dev set's ten languages,
at 0.04-0.13 ms a paragraph. Another language is the verdict when it is the identifier's top
language with at least half the probability; anything less sure is judged as English, as before
the gate.
"""
from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

ENGLISH = "en"
# Labels that are no reason to turn a text away: text with no language in it ("zxx"), and
# Nigerian Pidgin, whose English vocabulary gives plain English sentences up to 0.44 of it.
NO_VERDICT = frozenset({"zxx", "pcm"})

# Names for the report; the identifier gives codes (ISO 639-1 where there is one).
_NAMES = {
    "af": "Afrikaans", "ar": "Arabic", "az": "Azerbaijani", "be": "Belarusian", "bg": "Bulgarian", "bn": "Bengali",
    "bs": "Bosnian", "ca": "Catalan", "cs": "Czech", "cy": "Welsh", "da": "Danish", "de": "German", "el": "Greek",
    "eo": "Esperanto", "es": "Spanish", "et": "Estonian", "eu": "Basque", "fa": "Persian", "fi": "Finnish",
    "fr": "French", "ga": "Irish", "gl": "Galician", "he": "Hebrew", "hi": "Hindi", "hr": "Croatian",
    "hu": "Hungarian", "hy": "Armenian", "id": "Indonesian", "is": "Icelandic", "it": "Italian", "ja": "Japanese",
    "ka": "Georgian", "kk": "Kazakh", "ko": "Korean", "la": "Latin", "lb": "Luxembourgish", "lt": "Lithuanian",
    "lv": "Latvian", "mk": "Macedonian", "ms": "Malay", "mt": "Maltese", "nl": "Dutch", "nn": "Norwegian Nynorsk",
    "no": "Norwegian", "pl": "Polish", "pt": "Portuguese", "ro": "Romanian", "ru": "Russian", "sk": "Slovak",
    "sl": "Slovenian", "sq": "Albanian", "sr": "Serbian", "sv": "Swedish", "sw": "Swahili", "ta": "Tamil",
    "th": "Thai", "tl": "Tagalog", "tr": "Turkish", "uk": "Ukrainian", "ur": "Urdu", "uz": "Uzbek",
    "vi": "Vietnamese", "zh": "Chinese",
}


def language_name(code: str) -> str:
    """"French" for "fr"; the code itself for a language without a name here."""
    return _NAMES.get(code, code)


@dataclass(frozen=True)
class Language:
    """What the gate found: a language code ("fr") and the identifier's probability of it."""

    code: str
    probability: float

    @property
    def name(self) -> str:
        return language_name(self.code)

    @property
    def is_english(self) -> bool:
        return self.code == ENGLISH


@dataclass(frozen=True)
class LanguageSettings:
    """The gate's settings (nothing fitted: these defaults are the release's)."""

    # Letters a paragraph needs for a verdict of its own; shorter ones take the whole text's.
    min_letters: int = 20
    # The identifier's probability of another language, for a verdict other than English.
    min_probability: float = 0.5


def _letters(text: str) -> int:
    return sum(1 for c in text if c.isalpha())


class LanguageGate:
    """Which paragraphs of a text are English (judged) and which are not (not checked)."""

    def __init__(self, settings: LanguageSettings | None = None) -> None:
        self.settings = settings or LanguageSettings()
        self._identifier: Any = None  # loaded on first use (0.5 s): threads share the gate
        self._lock = threading.Lock()

    def _ident(self) -> Any:
        with self._lock:
            if self._identifier is None:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                self._identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
            return self._identifier

    def identify(self, text: str) -> Language | None:
        """The language of `text` when the identifier is sure enough that it is not English;
        None otherwise (English, or nothing sure)."""
        try:
            code, p = self._ident().classify(text)
        except (UnicodeError, ValueError):  # text it cannot take (lone surrogates): no verdict
            return None
        if code == ENGLISH or code in NO_VERDICT or p < self.settings.min_probability:
            return None
        return Language(code, float(p))

    def paragraphs(self, paragraphs: Sequence[str]) -> list[Language | None]:
        """Per paragraph of one text: None when it is judged (English, or nothing sure enough to
        say otherwise), else the language it is in. Short paragraphs take the whole text's
        verdict."""
        whole = self.identify("\n".join(paragraphs)) if len(paragraphs) > 1 else None
        out: list[Language | None] = []
        for p in paragraphs:
            out.append(whole if _letters(p) < self.settings.min_letters else self.identify(p))
        return out
