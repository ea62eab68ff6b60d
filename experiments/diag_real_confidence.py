#!/usr/bin/env python
"""Which blind suggestions on real spun news are right? (issue 39: a precision-first threshold)

    SPINFIX_REAL_SPUN=... python experiments/diag_real_confidence.py --models models --out /tmp/edits.jsonl

Restores the real dev set's stories blind (every suggestion kept, min_confidence 0) and writes
one line per suggestion that would change the text: split, story, the span and its suggestion,
the restorer's confidence, the span's and its sentence's detection probability, whether the
real spinners' news tables (spinfix.lexicon.news) propose the suggestion, and whether it is
right (eval_real.py's rules: word-level, and exact). Prints, per split, precision and count of the suggestions kept at
a grid of minimum confidences, by confidence alone and by confidence times span probability.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import spinfix
from spinfix.eval.real_spun import SPLITS, load_stories, sentence_records
from spinfix.lexicon.news import news_inverse

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))
from eval_real import judged_edits  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", type=Path, default=None)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    sf = spinfix.load(args.models)
    news = news_inverse()
    rows = []
    for split in SPLITS:
        stories = load_stories(split=split)
        built = [sentence_records(s) for s in stories]
        reports = sf.restore_many([b[0] for b in built], min_confidence=0.0)
        for story, (_, _, recs), rep in zip(stories, built, reports):
            if story.quality not in ("exact", "partial"):
                continue
            sentence_p = {(s.start, s.end): s.probability for s in rep.sentences}
            for r in recs:
                if r["straddles"]:
                    continue
                spans = [sp for sp in rep.spans if sp.is_edit and r["start"] <= sp.start and sp.end <= r["end"]]
                judged = judged_edits(rep, r)
                exact = judged_edits(rep, r, exact=True)
                assert len(judged) == len(spans) == len(exact)
                for sp, (conf, right), (_, exactly) in zip(spans, judged, exact):
                    rows.append({
                        "split": split, "story": story.story_id, "text": sp.text, "suggestion": sp.suggestion,
                        "confidence": round(conf, 4), "span_probability": round(sp.probability, 4),
                        "sentence_probability": round(sentence_p.get((r["start"], r["end"]), 0.0), 4),
                        "news": (sp.suggestion or "").lower() in news.get(sp.text.lower(), []),
                        "words": len(sp.text.split()), "right": right, "exact": exactly,
                    })
    args.out.write_text("".join(json.dumps(x) + "\n" for x in rows))
    for split in SPLITS:
        part = [x for x in rows if x["split"] == split]
        for key in ("confidence", "joint"):
            line = []
            for t in (0.0, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95):
                kept = [x for x in part if (x["confidence"] * (x["span_probability"] if key == "joint" else 1.0)) >= t]
                prec = sum(x["right"] for x in kept) / len(kept) if kept else float("nan")
                line.append(f"{t:.2f}:{prec:.2f}/{len(kept)}")
            print(split, key, " ".join(line))


if __name__ == "__main__":
    main()
