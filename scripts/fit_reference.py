#!/usr/bin/env python
"""Fit the reference check on the dev cases: the aligner's settings, then the derivation's
regression and threshold.

    python scripts/fit_reference.py --data data/generated/reference --write   # make fit-reference

1. Alignment: every dev case's sentences are embedded once; the aligner runs with each setting of
   a small grid, and the setting with the best link F1 on the derived cases is kept (ties: the
   higher precision).
2. Derivation: with that setting, each case's evidence (spinfix.reference.derive); a logistic
   regression, derived against not derived, two-fold cross-validated (ROC AUC reported), then
   fitted on all dev cases; the threshold is the lowest probability above every dev case not
   derived, rounded up to a hundredth (no false derivation on dev).
3. Restoration from a reference: every edit the source would make in the derived cases, and every
   spinner-style swap another item on the same event shows in the cases not derived, judged
   against the gold; each kind's share right (rounded down) becomes its confidence. Whole-pair
   rewrites are made only above the least derivation probability of a dev case whose rewrites
   were all right.
Figures go to data/eval/reference_fit.json; --write stores the settings in
models/reference/spinfix.json.
"""
from __future__ import annotations

import argparse
import itertools
import json
import logging
import math
from pathlib import Path

import numpy as np

from spinfix.eval.records import read_jsonl
from spinfix.eval.reference import LinkCounts, edit_right, gold_links, predicted_links, roc_auc
from spinfix.reference.align import AlignSettings, align
from spinfix.reference.check import AlignedPair, Check, ReferenceChecker
from spinfix.reference.compare import outlet_swaps, reference_edits
from spinfix.reference.derive import EVIDENCE, DerivationSettings
from spinfix.reference.embed import Embeddings, SentenceEmbedder
from spinfix.reference.settings import ReferenceRestoreSettings, ReferenceSettings
from spinfix.reference.words import align_words, lexicon_related
from spinfix.restore.candidates import CandidateGenerator
from spinfix.text.document import Document
from spinfix.train.settings import write_figures

# Which confidence setting each kind of reference edit takes (step 3), and the fewest judged
# edits a measured confidence needs.
CONFIDENCE_OF = {
    "swap": "swap_confidence", "rewording": "rewording_confidence", "rewrite": "rewrite_confidence",
    "insertion": "inserted_confidence", "deletion": "deleted_confidence", "outlet_swap": "outlet_swap_confidence",
}
MIN_JUDGED = 30
GRID = {"min_similarity": (0.35, 0.4, 0.45, 0.5, 0.55), "continuation": (0.0, 0.02, 0.05, 0.1)}


def prepared(cases: list[dict], embedder: SentenceEmbedder, cache: Path | None) -> list[dict]:
    """Each case's segments and embeddings, computed once (and kept in `cache`, an .npz beside
    the data, for the next run: the embeddings depend on the data and the packaged encoder only)."""
    stored = dict(np.load(cache)) if cache is not None and cache.exists() else {}
    out, fresh = [], {}
    for n, c in enumerate(cases):
        suspect = Document.from_text(c["suspect"]).sentences
        refs = [Document.from_text(r).sentences for r in c["references"]]
        flat = [(k, j) for k, segs in enumerate(refs) for j in range(len(segs))]
        emb = {}
        for side, texts in (("s", [s.text for s in suspect]), ("r", [refs[k][j].text for k, j in flat])):
            key = f"{c['id']}|{side}"
            if f"{key}|sums" in stored and len(stored[f"{key}|counts"]) == len(texts):
                emb[side] = Embeddings(stored[f"{key}|sums"], stored[f"{key}|counts"])
            else:
                emb[side] = embedder.embed(texts)
                fresh[f"{key}|sums"], fresh[f"{key}|counts"] = emb[side].sums, emb[side].counts
        out.append({"case": c, "suspect": suspect, "refs": refs, "flat": flat, **emb})
        if n % 200 == 0:
            logging.info("embedded %d of %d cases", n, len(cases))
    if cache is not None and fresh:
        np.savez(cache, **{**stored, **fresh})
    return out


def judged_reference_edits(p: dict, pairs: list[AlignedPair], settings: ReferenceRestoreSettings) -> list[tuple[str, bool]]:
    """Every edit a derived case's source would make (spinfix.reference.compare.reference_edits),
    by kind, right or wrong: a swap, rewording, insertion or deletion against the gold of the unit
    it lies in (edit_right; units without a gold are skipped); a whole-pair rewrite is right when
    the suspect sentences it replaces came from exactly the reference sentences it puts back."""
    c = p["case"]
    check = Check(p["suspect"], p["refs"], pairs, {}, 1.0, 0.0)
    out = []
    for edit, kind in reference_edits(check, c["suspect"], settings):
        units = [u for u in c["units"] if u["start"] < edit.end and edit.start < u["end"]]
        if kind == "rewrite":
            pair = next(q for q in pairs if q.suspect_start == edit.start)
            sources = {j for u in units for j in u["source"]}
            out.append((kind, bool(units) and pair.reference == c["source_reference"] and sources == set(pair.sentences)))
            continue
        gold = [u for u in units if "clean" in u and u["start"] <= edit.start and edit.end <= u["end"]]
        if gold:
            out.append((kind, edit_right(c["suspect"], edit, gold[0])))
    return out


def pairs_of(p: dict, settings: AlignSettings, related) -> list[AlignedPair]:
    c, flat, suspect, refs = p["case"], p["flat"], p["suspect"], p["refs"]
    out = []
    for a in align(p["s"], p["r"], [k for k, _ in flat], settings):
        k = flat[a.reference[0]][0]
        sentences = tuple(flat[g][1] for g in a.reference)
        s0, s1 = suspect[a.suspect[0]].start, suspect[a.suspect[-1]].end
        r0, r1 = refs[k][sentences[0]].start, refs[k][sentences[-1]].end
        words = align_words(c["suspect"][s0:s1], c["references"][k][r0:r1], related) if related else None
        out.append(AlignedPair(a.suspect, s0, s1, k, sentences, r0, r1, a.similarity, words))  # type: ignore[arg-type]
    return out


def judged_outlet_swaps(p: dict, pairs: list[AlignedPair]) -> list[tuple[str, bool]]:
    """A case not derived from its reference: every spinner-style swap the reference shows
    (spinfix.reference.compare.outlet_swaps) against the gold of the unit it lies in."""
    c = p["case"]
    check = Check(p["suspect"], p["refs"], pairs, {}, 0.0, 1.0)
    out = []
    for edit in outlet_swaps(check, c["suspect"]):
        gold = [u for u in c["units"] if "clean" in u and u["start"] <= edit.start and edit.end <= u["end"]]
        if gold:
            out.append(("outlet_swap", edit_right(c["suspect"], edit, gold[0])))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=Path("data/generated/reference"))
    ap.add_argument("--models", type=Path, default=Path("models"))
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--out", type=Path, default=Path("data/eval/reference_fit.json"))
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    cases = list(read_jsonl(args.data / "dev.jsonl"))
    prep = prepared(cases, SentenceEmbedder(), args.data / "dev_embeddings.npz")
    derived = [p for p in prep if p["case"]["derived"]]

    grid = []
    for ms, cont in itertools.product(GRID["min_similarity"], GRID["continuation"]):
        settings = AlignSettings(min_similarity=ms, continuation=cont)
        counts = LinkCounts()
        for p in derived:
            counts.add(gold_links(p["case"], p["suspect"]), predicted_links(pairs_of(p, settings, None), p["case"]["source_reference"]))
        grid.append({"min_similarity": ms, "continuation": cont, **counts.scores()})
        logging.info("align %s", grid[-1])
    best = max(grid, key=lambda g: (g["f1"], g["precision"]))
    align_settings = AlignSettings(min_similarity=best["min_similarity"], continuation=best["continuation"])

    related = lexicon_related(CandidateGenerator.default())
    rows, labels, kinds = [], [], []
    restore = ReferenceRestoreSettings()
    judged: dict[str, list[bool]] = {}
    rewritten_right = []  # the cases whose whole-pair rewrites were right, every one
    for n, p in enumerate(prep):
        pairs = pairs_of(p, align_settings, related)
        case_judged = judged_reference_edits(p, pairs, restore) if p["case"]["derived"] else judged_outlet_swaps(p, pairs)
        for kind, ok in case_judged:
            judged.setdefault(kind, []).append(ok)
        rewrites = [ok for kind, ok in case_judged if kind == "rewrite"]
        if rewrites and all(rewrites):
            rewritten_right.append(n)
        ev = ReferenceChecker.evidence(p["case"]["suspect"], p["case"]["references"], p["suspect"], p["refs"], pairs)
        rows.append([ev[k] for k in EVIDENCE])
        labels.append(bool(p["case"]["derived"]))
        kinds.append(p["case"]["kind"])
        if n % 200 == 0:
            logging.info("evidence of %d of %d cases", n, len(prep))
    X, y = np.array(rows), np.array(labels)

    from sklearn.linear_model import LogisticRegression

    def model() -> LogisticRegression:
        return LogisticRegression(C=1.0, max_iter=2000)

    # Two folds by reference article (a case's variants stay together).
    refs = sorted({c["reference_article"] for c in cases})
    fold = np.array([refs.index(c["reference_article"]) % 2 for c in cases])
    held = np.zeros(len(y))
    for f in (0, 1):
        m = model().fit(X[fold != f], y[fold != f])
        held[fold == f] = m.predict_proba(X[fold == f])[:, 1]
    fitted = model().fit(X, y)
    probs = fitted.predict_proba(X)[:, 1]
    top_negative = float(probs[~y].max()) if (~y).any() else 0.0
    threshold = math.ceil(top_negative * 100 + 1e-9) / 100
    derivation = DerivationSettings(
        weights={k: round(float(w), 4) for k, w in zip(EVIDENCE, fitted.coef_[0])}, bias=round(float(fitted.intercept_[0]), 4),
        threshold=threshold,
    )
    # 3. Each kind of edit a derived reference makes gets its precision on dev as its confidence
    # (kinds with fewer than MIN_JUDGED edits keep the default).
    confidences = {}
    for kind, field_name in CONFIDENCE_OF.items():
        oks = judged.get(kind, [])
        confidences[kind] = {"edits": len(oks), "right": round(sum(oks) / len(oks), 4) if oks else None}
        if len(oks) >= MIN_JUDGED:
            setattr(restore, field_name, math.floor(sum(oks) / len(oks) * 100) / 100)
    # Rewrites need a sure derivation: the least probability of a case whose rewrites were all
    # right, rounded down to a twentieth.
    if rewritten_right:
        restore.rewrite_min_derived = math.floor(float(probs[rewritten_right].min()) * 20) / 20
    by_kind = {}
    for kind in sorted(set(kinds)):
        idx = [i for i, k in enumerate(kinds) if k == kind]
        by_kind[kind] = {"cases": len(idx), "called_derived": round(float(np.mean(probs[idx] >= threshold)), 4),
                         "mean_probability": round(float(np.mean(probs[idx])), 4)}
    result = {
        "split": "dev", "cases": len(cases), "align_grid": grid, "align": best,
        "derivation_auc_cross_validated": round(roc_auc(held.tolist(), y.tolist()), 5),
        "derivation": {"weights": derivation.weights, "bias": derivation.bias, "threshold": threshold,
                       "highest_not_derived": round(top_negative, 4)},
        "by_kind": by_kind,
        "reference_edits_right": confidences,
        "rewrite_min_derived": {"cases_rewritten_right": len(rewritten_right), "threshold": restore.rewrite_min_derived},
    }
    logging.info("%s", json.dumps(result, indent=1))
    write_figures(args.out, result)
    if args.write:
        folder = args.models / "reference"
        folder.mkdir(parents=True, exist_ok=True)
        released = ReferenceSettings(align=align_settings, derivation=derivation, restore=restore)
        fit = {"data": str(args.data), "cases": len(cases)}
        (folder / "spinfix.json").write_text(json.dumps({**released.to_dict(), "fit": fit}, indent=2) + "\n")
        logging.info("wrote %s", folder / "spinfix.json")


if __name__ == "__main__":
    main()
