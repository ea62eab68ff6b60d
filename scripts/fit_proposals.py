#!/usr/bin/env python
"""Fit the weights of the LM's proposals (spinfix/proposals.py), the release's other weights fixed.

    python scripts/fit_baseline.py --models M --sentences 450 --trace T1 --out X     # M: models with
    python scripts/fit_baseline.py --models M --tortured 300 --trace T2 --out Y      # baseline_proposals set
    python scripts/fit_proposals.py --models M --trace T1 T2 [--write]

The traces hold every decision of the baseline with the LM's proposals among the candidates
(recorded by `fit_baseline.py` with `baseline_proposals` in M's rewriter settings). Only the
proposals' own evidence (`lm_proposal`, `proposal_cos`, `proposal_zipf`) is fitted: a
conditional logit whose other part is the release's score (LM and evidence at the release's
weights), on the short lists the released setting picks. Reported, two-fold by sentence: the
share of decisions with a known answer that are right without the proposals (the release) and
with them (fitted on the other half), per trace source. --write stores the weights in M.
"""
from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

import torch

from spinfix.baseline import evidence_score
from spinfix.train.baseline_fit import fit, lm_shortlisted, read_traces
from spinfix.train.settings import rewriter_settings, write_figures

FREE = ("lm_proposal", "proposal_cos", "proposal_zipf")


def without_proposals(u: dict) -> dict:
    """The decision as the release makes it: the proposals dropped, the label re-pointed."""
    keep = [j for j, f in enumerate(u["features"]) if "lm_proposal" not in f]
    v = {**u, **{k: [u[k][j] for j in keep] for k in ("candidates", "lm", "features", "first", "extra_tokens") if k in u}}
    if u["label"] is not None and u["label"] >= 0:
        v["label"] = keep.index(u["label"]) if u["label"] in keep else -1
    return v


def design(units: list[dict], fixed: dict[str, float]) -> list[tuple[torch.Tensor, int]]:
    """Per decision with a known answer: rows [score by `fixed`, free features], and the label
    (-1: the answer is not among the candidates, kept for accuracy, left out of the fit)."""
    out = []
    for u in units:
        if u["label"] is None:
            continue
        rows = [[fixed.get("lm", 1.0) * lm + evidence_score(f, fixed)] + [f.get(k, 0.0) for k in FREE]
                for lm, f in zip(u["lm"], u["features"])]
        out.append((torch.tensor(rows, dtype=torch.float64), u["label"]))
    return out


def fit_free(data: list[tuple[torch.Tensor, int]]) -> torch.Tensor:
    """The free weights (column 0, the release's score, keeps weight 1), on the decisions whose
    answer is among the candidates."""
    return fit([(x, y) for x, y in data if y >= 0], len(FREE) + 1, fixed_first=True)


def fitted(units: list[dict], fixed: dict[str, float], k: int | None, margin: float | None) -> dict[str, float]:
    """Free weights fitted on the short lists they pick (twice, from a fit on every candidate)."""
    w = fit_free(design(units, fixed))
    for _ in range(2):
        weights = {**fixed, **{n: float(v) for n, v in zip(FREE, w[1:])}}
        w = fit_free(design(lm_shortlisted(units, weights, k, margin), fixed))
    return {**fixed, **{n: round(float(v), 4) for n, v in zip(FREE, w[1:])}}


def right(units: list[dict], weights: dict[str, float], k: int | None, margin: float | None) -> dict:
    """How the score with `weights` does on the short lists it picks: all decisions with a known
    answer (the original missing or cut counts as wrong)."""
    data = design(lm_shortlisted(units, weights, k, margin), weights)  # column 0: the whole score
    n_right = sum(int(torch.argmax(x[:, 0])) == y for x, y in data)
    return {"decisions": len(data), "right": round(n_right / max(len(data), 1), 4)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", type=Path, required=True)
    ap.add_argument("--trace", type=Path, nargs="+", required=True)
    ap.add_argument("--write", action="store_true", help="store the proposals' weights in the models' rewriter settings")
    ap.add_argument("--out", type=Path, default=Path("data/eval/lm_proposals_fit.json"))
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    cfg = json.loads((args.models / "rewriter" / "spinfix.json").read_text())
    release = {k: v for k, v in cfg["baseline_weights"].items() if k not in FREE}
    k, margin = cfg.get("baseline_shortlist"), cfg.get("baseline_shortlist_margin")
    units = read_traces(args.trace)
    if not any("lm_proposal" in f for u in units for f in u["features"]):
        raise SystemExit("the traces hold no LM proposals: record them with baseline_proposals in the rewriter settings")
    halves = [[u for u in units if u["sentence_id"] % 2 == h] for h in (0, 1)]
    folds = [fitted(half, release, k, margin) for half in halves]
    result: dict = {"traces": [str(p) for p in args.trace], "shortlist": k, "shortlist_margin": margin, "cross_validated": {}}
    for src in sorted({u["source"] for u in units}) + ["all"]:
        part = [[u for u in half if src in ("all", u["source"])] for half in halves]
        rows = {"release": [right([without_proposals(u) for u in part[1 - h]], release, k, margin) for h in (0, 1)],
                "with_proposals": [right(part[1 - h], folds[h], k, margin) for h in (0, 1)]}
        result["cross_validated"][src] = rows
    listed = [u for u in units if u["label"] is not None and u["label"] > 0]
    result["original_only_by_proposal"] = sum(1 for u in listed if "lm_proposal" in u["features"][u["label"]])
    result["original_missing"] = sum(1 for u in units if u["label"] == -1)
    result["proposals_per_decision"] = round(
        sum(sum("lm_proposal" in f for f in u["features"]) for u in units) / max(len(units), 1), 2)
    result["weights"] = {n: v for n, v in fitted(units, release, k, margin).items() if n in FREE}
    result["fold_weights"] = [{n: v for n, v in f.items() if n in FREE} for f in folds]
    logging.info("%s", json.dumps(result, indent=1))
    write_figures(args.out, result)
    if args.write:
        with rewriter_settings(args.models) as c:
            c["baseline_weights"] = {**release, **result["weights"]}


if __name__ == "__main__":
    main()
