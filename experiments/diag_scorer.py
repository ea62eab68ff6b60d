#!/usr/bin/env python
"""Diagnostic (an experiment, not part of a release): would the rewriter, read as a scorer,
rank a unit's candidates better than the plain LM the baseline uses?

    python experiments/diag_scorer.py --units 200 --out data/eval/diag_scorer.json

For single-unit gold edits of dev sentences (and single-word swaps of the spinner half of the dev
tortured phrases, placed in their template sentences) whose original is among the unit's
candidates, every candidate is scored two ways, with the earlier edits of the sentence restored
(an oracle left context) and the spinner's next two words as right context, as the baseline reads
them: by SmolLM2-135M as a plain LM (the baseline's scorer), and by the released rewriter
(SmolLM2-135M-Instruct + LoRA) as log P(candidate + right context | its prompt, the sentence with
every gold edit in brackets, and the restored left context). Reported: how often each score,
alone and added to the baseline's fitted evidence, ranks the original first; and a two-fold
cross-validated mix of the two. Only spun units: the "leave it" trade-off is not measured here.
"""
from __future__ import annotations

import argparse
import copy
import json
import logging
import random
from pathlib import Path

import torch

import spinfix
from spinfix.eval.records import read_jsonl
from spinfix.eval.tortured import placed
from spinfix.eval.tortured_pairs import load_pairs
from spinfix.lm.attention import cache_keyword
from spinfix.lm.scorer import DOC_START
from spinfix.paths import shared_data_dir
from spinfix.restore import prompt as fmt
from spinfix.restore.baseline import first_words
from spinfix.restore.evidence import candidate_features, evidence_score
from spinfix.restore.rules import safe
from spinfix.text.tokens import tokenize

logger = logging.getLogger("diag_scorer")


@torch.no_grad()
def suffix_logps(model, tok, prefix: str, suffixes: list[str], chunk: int = 64) -> list[float]:
    """log P(suffix | prefix) for each suffix, summed over its tokens. The prefix is read once;
    its cache is repeated for each chunk of suffixes (right-padded), as the baseline does. Not
    `LMScorer.continuations`, which always starts at the document-start token: the rewriter's
    prompt never did in training. (For the LM, the prefix is given DOC_START and the two agree.)"""
    pre = tok(prefix, add_special_tokens=False)["input_ids"]
    kw = cache_keyword(model)
    first = model.model(input_ids=torch.tensor([pre]), use_cache=True)
    last = first.last_hidden_state[0, -1]
    out: list[float] = []
    for a in range(0, len(suffixes), chunk):
        sufs = [tok(s, add_special_tokens=False)["input_ids"] for s in suffixes[a : a + chunk]]
        n = max(len(s) for s in sufs)
        ids = torch.zeros(len(sufs), n, dtype=torch.long)
        att = torch.ones(len(sufs), len(pre) + n, dtype=torch.long)
        for i, s in enumerate(sufs):
            ids[i, : len(s)] = torch.tensor(s)
            att[i, len(pre) + len(s) :] = 0
        cache = copy.deepcopy(getattr(first, kw))  # the output names the cache as the input does
        cache.batch_repeat_interleave(len(sufs))
        hidden = model.model(input_ids=ids, attention_mask=att, use_cache=True, **{kw: cache}).last_hidden_state
        # Logits only where a suffix token is predicted (the prefix's last state, then the
        # suffix's own), all rows in one product: the head's weights are read once a chunk.
        h = torch.cat([torch.cat([last[None], hidden[i, : len(s) - 1]]) for i, s in enumerate(sufs)])
        logp = torch.log_softmax(model.lm_head(h).float(), dim=-1)
        picked = logp[torch.arange(len(h)), torch.tensor([t for s in sufs for t in s])]
        for part in torch.split(picked, [len(s) for s in sufs]):
            out.append(float(part.sum()))
    return out


def dev_units(sf, records: list[dict]) -> list[dict]:
    """One item per gold edit that is exactly one unit with its original among the candidates."""
    gen = sf.candidate_generator()
    items = []
    for rec in records:
        text, edits = rec["text"], sorted(rec["edits"])
        marked = fmt.mark(text, [(e[0], e[1]) for e in edits])
        for k, (s, e, orig, _spun, _kind) in enumerate(edits):
            words = [(t.start, t.end) for t in tokenize(text[s:e], offset=s) if t.is_word]
            units = gen.units(text, words)
            if len(units) != 1 or (units[0].start, units[0].end) != (s, e):
                continue
            cands = [c for c in units[0].candidates if c == units[0].text or safe(units[0].text, c)]
            if orig not in cands[1:]:
                continue
            left, pos = [], 0  # the earlier edits restored
            for s2, e2, o2, _, _ in edits[:k]:
                left += [text[pos:s2], o2]
                pos = e2
            left.append(text[pos:s])
            items.append({"source": "dev", "left": "".join(left), "right": first_words(text[e:], 2),
                          "marked": marked, "spun": units[0].text, "candidates": cands, "original": orig})
    return items


def tortured_units(sf) -> list[dict]:
    """Spinner-half tortured phrases that differ from the correct one in exactly one word."""
    gen = sf.candidate_generator()
    pairs = [p for p in load_pairs(shared_data_dir() / "tortured_phrases_dev.tsv") if p.split == "spinner"]
    spun_texts, _, where = placed(pairs)
    items = []
    for p, text, (s, e) in zip(pairs, spun_texts, where):
        tw, cw = p.tortured.split(), p.correct.split()
        diff = [i for i, (a, b) in enumerate(zip(tw, cw)) if a != b]
        if len(tw) != len(cw) or len(diff) != 1:
            continue
        words = [(t.start, t.end) for t in tokenize(text[s:e], offset=s) if t.is_word]
        if len(words) != len(tw):
            continue
        ws, we = words[diff[0]]
        units = gen.units(text, [(ws, we)])
        cands = [c for c in units[0].candidates if c == units[0].text or safe(units[0].text, c)]
        orig = cw[diff[0]]
        if len(units) != 1 or orig not in cands[1:]:
            continue
        items.append({"source": "tortured", "left": text[:ws], "right": first_words(text[we:], 2),
                      "marked": fmt.mark(text, [(s, e)]), "spun": units[0].text, "candidates": cands, "original": orig})
    return items


def score_items(items: list[dict], lm, rw, tok, gen, weights: dict[str, float]) -> None:
    for n, it in enumerate(items):
        head = it["left"].rstrip()
        gap = it["left"][len(head):]
        sufs = [gap + c + it["right"] for c in it["candidates"]]
        it["lm"] = suffix_logps(lm, tok, DOC_START + head, sufs)
        it["rw"] = suffix_logps(rw, tok, fmt.prompt(it["marked"]) + head, sufs)
        it["evidence"] = [evidence_score(candidate_features(gen, it["spun"], c), weights) for c in it["candidates"]]
        if (n + 1) % 50 == 0:
            logger.info("%d/%d units scored", n + 1, len(items))


def top1(items: list[dict], a: float, b: float, w_lm: float, evidence: bool) -> float:
    right = 0
    for it in items:
        sc = [w_lm * (a * x + b * y) + (ev if evidence else 0.0) for x, y, ev in zip(it["lm"], it["rw"], it["evidence"])]
        right += it["candidates"][max(range(len(sc)), key=sc.__getitem__)] == it["original"]
    return round(right / max(len(items), 1), 4)


def figures(items: list[dict], w_lm: float) -> dict:
    out = {"units": len(items), "mean_candidates": round(sum(len(i["candidates"]) for i in items) / max(len(items), 1), 1)}
    for name, (a, b) in {"lm": (1, 0), "rewriter": (0, 1), "sum": (0.5, 0.5)}.items():
        out[name] = {"alone": top1(items, a, b, w_lm, False), "with_evidence": top1(items, a, b, w_lm, True)}
    # Two folds: the mix weight picked on one half, measured on the other.
    grid = [(1 - t / 4, t / 4) for t in range(5)]
    half = len(items) // 2
    folds = [(items[:half], items[half:]), (items[half:], items[:half])]
    cv, picked = 0.0, []
    for fit, held in folds:
        a, b = max(grid, key=lambda ab: top1(fit, *ab, w_lm, True))
        picked.append(b)
        cv += top1(held, a, b, w_lm, True) * len(held)
    out["mix_cv_with_evidence"] = {"rewriter_share_picked": picked, "top1": round(cv / max(len(items), 1), 4)}
    # The rewriter's score added to the released score (LM and evidence at their fitted weights).
    extra = [0.0, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0]
    out["added"] = {str(x): top1(items, 1.0, x, w_lm, True) for x in extra}
    cv, picked = 0.0, []
    for fit, held in folds:
        x = max(extra, key=lambda x: top1(fit, 1.0, x, w_lm, True))
        picked.append(x)
        cv += top1(held, 1.0, x, w_lm, True) * len(held)
    out["added_cv"] = {"weight_picked": picked, "top1": round(cv / max(len(items), 1), 4)}
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", type=Path, default=Path("models"))
    ap.add_argument("--data", type=Path, default=Path("data/generated/detector"))
    ap.add_argument("--units", type=int, default=200, help="dev units (and at most as many tortured ones)")
    ap.add_argument("--out", type=Path, default=Path("data/eval/diag_scorer.json"))
    ap.add_argument("--scores", type=Path, default=Path("data/generated/diag_scorer_units.jsonl"),
                    help="every unit's candidates and scores (holds corpus text: kept out of git)")
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    torch.set_grad_enabled(False)
    sf = spinfix.load(args.models)
    gen = sf.candidate_generator()
    restorer = sf.restorer("baseline")
    lm, tok = restorer.scorer.model, restorer.scorer.tok
    rw = sf.restorer("rewriter").model
    dev = [r for r in read_jsonl(args.data / "dev.jsonl") if r["spun"]]
    random.Random(7).shuffle(dev)
    items = dev_units(sf, dev[: args.units])  # each sentence gives several usable units
    items = items[: args.units]
    tort = tortured_units(sf)
    random.Random(7).shuffle(tort)
    tort = tort[: args.units]
    logger.info("%d dev units, %d tortured units", len(items), len(tort))
    score_items(items + tort, lm, rw, tok, gen, restorer.weights)
    w_lm = restorer.weights.get("lm", 1.0)
    result = {"dev": figures(items, w_lm), "tortured_spinner_half": figures(tort, w_lm), "w_lm": w_lm}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.scores.parent.mkdir(parents=True, exist_ok=True)
    with args.scores.open("w") as f:  # every score, to try other mixes without the models
        for it in items + tort:
            f.write(json.dumps(it) + "\n")
    args.out.write_text(json.dumps(result, indent=2))
    logger.info("%s", json.dumps(result))


if __name__ == "__main__":
    main()
