#!/usr/bin/env python
"""Would another outlet's article, fed to the blind restorer as candidates, help?

    python experiments/diag_reference_hints.py   # after make fit-reference (its embedding cache); ~3 min

On the dev cases whose reference is another item on the same event, spun (kind
"same_event_spun"): of the spinner's swaps, how many lie in a suspect sentence the aligner pairs
with a reference sentence, and at how many of those the reference's words at the same place
(the word alignment's difference there) are the original. Against that, how many differences
of kind "swap" in those pairs lie on words the spinner left alone (a hint there would be wrong).
Figures to data/eval/diag_reference_hints.json.
"""
from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))

from fit_reference import pairs_of, prepared  # noqa: E402

from spinfix.eval.records import read_jsonl  # noqa: E402
from spinfix.reference.embed import SentenceEmbedder  # noqa: E402
from spinfix.reference.settings import ReferenceSettings  # noqa: E402
from spinfix.reference.words import lexicon_related  # noqa: E402
from spinfix.restore.candidates import CandidateGenerator  # noqa: E402
from spinfix.train.settings import write_figures  # noqa: E402


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    data = Path("data/generated/reference")
    cases = [c for c in read_jsonl(data / "dev.jsonl") if c["kind"] == "same_event_spun"]
    prep = prepared(cases, SentenceEmbedder(), data / "dev_embeddings.npz")
    settings = ReferenceSettings.load(Path("models/reference"))
    related = lexicon_related(CandidateGenerator.default())
    swaps = in_pairs = shown = 0
    swap_diffs = on_clean = 0
    for p in prep:
        pairs = pairs_of(p, settings.align, related)
        units = [u for u in p["case"]["units"] if "clean" in u]
        gold = [(u["start"] + s, u["start"] + e, orig) for u in units for s, e, orig, _rep, _src in u["edits"]]
        swaps += len(gold)
        for a, b, orig in gold:
            pair = next((q for q in pairs if q.suspect_start <= a and b <= q.suspect_end), None)
            if pair is None:
                continue
            in_pairs += 1
            at = [d for d in pair.differences if pair.suspect_start + d.suspect_start < b and a < pair.suspect_start + d.suspect_end]
            shown += any(orig.lower() in d.reference_text.lower() for d in at)
        for q in pairs:
            for d in q.differences:
                if d.kind != "swap":
                    continue
                swap_diffs += 1
                a, b = q.suspect_start + d.suspect_start, q.suspect_start + d.suspect_end
                on_clean += not any(g0 < b and a < g1 for g0, g1, _ in gold)
    result = {
        "split": "dev", "cases": len(cases), "spinner_swaps": swaps,
        "in_aligned_sentences": in_pairs, "reference_shows_original": shown,
        "swap_differences": swap_diffs, "swap_differences_on_clean_words": on_clean,
    }
    logging.info("%s", json.dumps(result))
    write_figures(Path("data/eval/diag_reference_hints.json"), result)


if __name__ == "__main__":
    main()
