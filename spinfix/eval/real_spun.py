"""Real spun news with its original: the stories of the real dev set, read from a local cache.

The page texts are copyrighted, so they stay outside the repository, in a folder of stories
($SPINFIX_REAL_SPUN, else ~/.cache/spinfix/real_spun), one folder each:

    <story>/spun.txt      the content farm's spun copy, a paragraph a line
    <story>/original.txt  the clean text it was made from, its paragraphs on the same lines
    <story>/meta.json     story_id, topic, spun_url, original_url, date, quality, notes

`quality`: "exact" (the clean text is what was spun), "partial" (only the paragraphs found on
both sides were kept), "approximate" (the clean copy is another revision of the same wire text:
some differences are not the spinner's). What the repository keeps of them is facts: the URLs,
the split, the counts and the mined substitutions (data/real/).

Stories are split by a stable hash of their original's URL: "fit" (mined, fitted on) and
"measure" (only measured on). Two spinners' copies of one original fall on the same side, so
an original's sentences never cross the split.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from spinfix.errors import InputError
from spinfix.paths import cache_dir

logger = logging.getLogger(__name__)

SPLITS = ("fit", "measure")
QUALITIES = ("exact", "partial", "approximate")


def real_spun_dir() -> Path:
    env = os.environ.get("SPINFIX_REAL_SPUN")
    return Path(env) if env else cache_dir() / "real_spun"


def story_split(key: str) -> str:
    """Half the stories to fit on, half to measure on, by a stable hash of `key` (the
    original's URL)."""
    h = int(hashlib.sha1(key.encode()).hexdigest()[:8], 16) % 100
    return "fit" if h < 50 else "measure"


@dataclass(frozen=True)
class Story:
    story_id: str
    topic: str
    quality: str
    spun_url: str
    original_url: str
    spun: tuple[str, ...]  # paragraphs
    original: tuple[str, ...]  # the same paragraphs, clean

    @property
    def split(self) -> str:
        return story_split(self.original_url or self.story_id)

    @property
    def spun_text(self) -> str:
        return "\n".join(self.spun)

    @property
    def original_text(self) -> str:
        return "\n".join(self.original)

    def paragraph_pairs(self) -> Iterator[tuple[str, str]]:
        """(spun, original) paragraph by paragraph; the two files are aligned line by line."""
        yield from zip(self.spun, self.original)

    def facts(self) -> dict[str, object]:
        """What may be committed about the story: no text."""
        return {
            "story_id": self.story_id, "split": self.split, "quality": self.quality, "topic": self.topic,
            "spun_url": self.spun_url, "original_url": self.original_url, "paragraphs": len(self.spun),
            "spun_words": sum(len(p.split()) for p in self.spun),
        }


def _lines(path: Path) -> tuple[str, ...]:
    return tuple(line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


def load_story(folder: Path) -> Story:
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    spun, original = _lines(folder / "spun.txt"), _lines(folder / "original.txt")
    if len(spun) != len(original):
        raise InputError(f"{folder}: spun.txt has {len(spun)} paragraphs, original.txt {len(original)}: they must align line by line")
    quality = meta.get("quality", "approximate")
    if quality not in QUALITIES:
        raise InputError(f"{folder}/meta.json: quality {quality!r} is not one of {', '.join(QUALITIES)}")
    return Story(
        story_id=meta.get("story_id", folder.name), topic=meta.get("topic", ""), quality=quality,
        spun_url=meta.get("spun_url", ""), original_url=meta.get("original_url", ""), spun=spun, original=original,
    )


def load_stories(root: Path | None = None, split: str | None = None) -> list[Story]:
    """The stories under `root` (default real_spun_dir()), of one split or all, by id."""
    root = root if root is not None else real_spun_dir()
    if not root.is_dir():
        raise InputError(
            f"no real spun stories at {root}: the real dev set is not part of the repository "
            "(its texts are copyrighted); set SPINFIX_REAL_SPUN to the folder that holds it"
        )
    if split is not None and split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    stories = [load_story(d) for d in sorted(root.iterdir()) if (d / "meta.json").is_file()]
    return [s for s in stories if split is None or s.split == split]


def typographic(s: str) -> str:
    """Case and typographic quotes folded: "We’re" and "we're" are one word to a reader."""
    return s.lower().replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')


def sentence_records(story: Story) -> tuple[str, str, list[dict]]:
    """The spun article (paragraphs a line each), the original article, and a record for each
    sentence of the spun article as spinfix segments it, in the synthetic records' format
    (spinfix.eval.restoration): {"start", "end", "text", "clean", "spun", "edits": [(start, end,
    original, spun, "real")]}, edits in the sentence's offsets. `clean` is the sentence with
    every difference from the original undone, except typographic ones (quotes, apostrophes,
    case), which no restorer is asked to undo. A sentence with a difference across its edge
    gets "straddles": True (its gold is not one sentence's)."""
    from spinfix.reference.words import align_words
    from spinfix.text.document import Document

    spun_article = story.spun_text
    diffs = []  # (start, end, original) in the spun article's offsets
    offset = 0
    for spun, original in story.paragraph_pairs():
        for d in align_words(spun, original).differences:
            if typographic(d.suspect_text) != typographic(d.reference_text):
                diffs.append((offset + d.suspect_start, offset + d.suspect_end, d.reference_text))
        offset += len(spun) + 1
    records = []
    for seg in Document.from_text(spun_article).sentences:
        inside = [x for x in diffs if seg.start <= x[0] and x[1] <= seg.end and not (x[0] == x[1] == seg.end)]
        straddles = any(x[0] < seg.end and seg.start < x[1] and x not in inside for x in diffs)
        edits = [(s - seg.start, e - seg.start, o, spun_article[s:e], "real") for s, e, o in inside]
        clean = seg.text
        for s, e, o, _, _ in sorted(edits, key=lambda x: -x[0]):
            clean = clean[:s] + o + clean[e:]
        records.append({
            "start": seg.start, "end": seg.end, "text": seg.text, "clean": clean, "spun": bool(edits),
            "edits": edits, "straddles": straddles,
        })
    return spun_article, story.original_text, records
