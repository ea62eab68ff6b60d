"""Fitting the baseline restorer's candidate scores: a conditional logit over each decision.

A decision is one unit of a flagged span with its candidates (the spun text first), their LM
scores and the candidate generator's evidence (`baseline.candidate_features`). The score of a
candidate is w_lm * LM + sum of w_k * feature_k; the softmax over the unit's candidates is the
probability that each is the original. scripts/fit_baseline.py records the decisions on dev.
"""
from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path

import torch

from spinfix.restore.evidence import (
    evidence_score,
    needs_shortlist,
    shortlist_rank,
    shortlisted,
)

L2 = 0.01  # small: a dozen weights, thousands of decisions
# (size, margin) settings of BaselineRestorer's shortlist measured by the fit: sizes alone, and
# sizes with a margin behind the best first-token rank.
SHORTLIST_SETTINGS: tuple[tuple[int | None, float | None], ...] = (
    (4, None), (6, None), (8, None), (12, None),
    *((k, m) for k in (6, 8) for m in (2.0, 3.0, 4.0, 5.0, 6.0)),
)
# What the released setting may cost in decisions right against scoring every candidate: a
# point, for half of the LM's work (spinfix 0.1.5; docs/history/restoration.md has the table).
SHORTLIST_TOLERANCE = 0.01


def label(unit: dict, edits: list[list]) -> int | None:
    """Index of the right candidate; -1 when the original is not among them; None: unknown."""
    s, e = unit["start"], unit["end"]
    touching = [x for x in edits if x[0] < e and s < x[1]]
    if not touching:
        return 0
    if len(touching) == 1 and touching[0][0] == s and touching[0][1] == e:
        orig = touching[0][2].lower()
        for i, c in enumerate(unit["candidates"]):
            if i and c.lower() == orig:
                return i
        return -1
    return None


def usable(units: list[dict]) -> list[dict]:
    """Decisions with a known right candidate among several."""
    return [u for u in units if u["label"] is not None and u["label"] >= 0 and len(u["candidates"]) > 1]


def design(units: list[dict], names: list[str]) -> list[tuple[torch.Tensor, int]]:
    """Per decision: the candidates' rows [LM, features in `names` order], and the label."""
    out = []
    for u in units:
        rows = [[lm] + [f.get(k, 0.0) for k in names] for lm, f in zip(u["lm"], u["features"])]
        out.append((torch.tensor(rows, dtype=torch.float64), u["label"]))
    return out


def fit(data: list[tuple[torch.Tensor, int]], n_feat: int, anchor_first: bool = True, fixed_first: bool = False) -> torch.Tensor:
    """Maximum-likelihood weights of a conditional logit (softmax over each decision's rows).

    `anchor_first`: column 0 is the LM score; start from it alone and leave it out of the L2.
    Otherwise everything starts at 0 and everything is penalised. `fixed_first`: column 0 (a
    score already weighed, such as the release's) keeps weight 1 and only the rest is fitted.
    """
    w = torch.zeros(n_feat, dtype=torch.float64)
    if anchor_first or fixed_first:
        w[0] = 1.0
    free = 1 if anchor_first or fixed_first else 0
    # The fitted part: all of w, or, with `fixed_first`, a leaf of its own next to column 0's 1.
    learn = w[1:].clone() if fixed_first else w
    learn.requires_grad_(True)
    opt = torch.optim.LBFGS([learn], max_iter=200, line_search_fn="strong_wolfe")
    whole = (lambda: torch.cat([w[:1], learn])) if fixed_first else (lambda: learn)  # noqa: E731

    def closure():
        opt.zero_grad()
        v = whole()
        loss = sum(-torch.log_softmax(x @ v, 0)[y] for x, y in data) / len(data) + L2 * (v[free:] ** 2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    return whole().detach()


def accuracy(data: list[tuple[torch.Tensor, int]], w: torch.Tensor) -> dict:
    """Share of decisions whose best-scored candidate is the labelled one, and the log loss."""
    right, nll = 0, 0.0
    for x, y in data:
        p = torch.softmax(x @ w, 0)
        right += int(p.argmax()) == y
        nll -= math.log(max(float(p[y]), 1e-12))
    n = max(len(data), 1)
    return {"decisions": len(data), "right": round(right / n, 4), "log_loss": round(nll / n, 4)}


def fit_weights(units: list[dict], names: list[str]) -> dict[str, float]:
    """Named weights fitted on labelled decisions (label >= 0)."""
    w = fit(design(units, names), len(names) + 1)
    return {"lm": round(float(w[0]), 4), **{k: round(float(v), 4) for k, v in zip(names, w[1:])}}


def _halves(units: list[dict]) -> list[list[dict]]:
    return [[u for u in units if u["sentence_id"] % 2 == h] for h in (0, 1)]


def fold_weights(units: list[dict], names: list[str]) -> list[torch.Tensor]:
    """Weights fitted on each half of the sentences (even, odd ids), labelled decisions only."""
    return [fit(design([u for u in half if u["label"] >= 0], names), len(names) + 1) for half in _halves(units)]


def calibration(
    units: list[dict], names: list[str], folds: list[torch.Tensor] | None = None
) -> tuple[tuple[float, float], list[dict]]:
    """(a, b) so that sigmoid(a * logit(p) + b) is the chance that the choice is right, where p
    is the softmax probability of the best-scored candidate.

    Fitted on every decision with a known answer, those whose original is not among the
    candidates included (label -1: no choice is right), scored by weights fitted on the other
    half of the sentences, so the map is not fitted on its own training decisions. Returns the
    map and a reliability table (before and after) on those decisions. `folds`: the
    `fold_weights` of the same sentences, when already fitted.
    """
    folds = folds or fold_weights(units, names)
    ps, ys = [], []
    for h, half in enumerate(_halves(units)):
        w = folds[1 - h]
        for x, y in design(half, names):
            p = torch.softmax(x @ w, 0)
            ps.append(float(p.max()))
            ys.append(float(int(p.argmax()) == y))
    return platt(ps, ys)


def platt(ps: list[float], ys: list[float]) -> tuple[tuple[float, float], list[dict]]:
    """(a, b) of the logistic map sigmoid(a * logit(p) + b) fitted to outcomes `ys` (1: the
    choice was right) of choices whose softmax probability was `ps`, and a reliability table of
    both (before and after the map)."""
    p = torch.tensor(ps, dtype=torch.float64).clamp(1e-6, 1 - 1e-6)
    z, y = torch.log(p / (1 - p)), torch.tensor(ys, dtype=torch.float64)
    ab = torch.tensor([1.0, 0.0], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([ab], max_iter=100, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(ab[0] * z + ab[1], y)
        loss.backward()
        return loss

    opt.step(closure)
    a, b = (round(float(v), 4) for v in ab.detach())
    cal = torch.sigmoid(a * z + b)
    table = []
    for lo in (0.0, 0.2, 0.4, 0.6, 0.8):
        for name, q in (("softmax", p), ("calibrated", cal)):
            sel = (q >= lo) & ((q < lo + 0.2) | (lo == 0.8))
            if sel.any():
                table.append({"confidence": name, "bin": f"{lo:.1f}-{lo + 0.2:.1f}", "decisions": int(sel.sum()),
                              "mean": round(float(q[sel].mean()), 3), "right": round(float(y[sel].mean()), 3)})
    return (a, b), table


def cross_validate(units: list[dict], names: list[str], folds: list[torch.Tensor] | None = None) -> dict[str, list[dict]]:
    """Two-fold by sentence: fitted on one half, measured on the other, against the LM alone.
    `units` are labelled decisions (label >= 0); `folds` as in `calibration`."""
    halves = _halves(units)
    folds = folds or fold_weights(units, names)
    lm_only = torch.zeros(len(names) + 1, dtype=torch.float64)
    lm_only[0] = 1.0
    out: dict[str, list[dict]] = {"lm_only": [], "fitted": []}
    sources = sorted({u.get("source", "synthetic") for u in units})
    for h in (0, 1):
        w = folds[h]
        test = design(halves[1 - h], names)
        out["lm_only"].append(accuracy(test, lm_only))
        out["fitted"].append(accuracy(test, w))
        if len(sources) > 1:  # traces fitted together: how each fares
            for src in sources:
                part = design([u for u in halves[1 - h] if u.get("source", "synthetic") == src], names)
                out.setdefault(f"lm_only_{src}", []).append(accuracy(part, lm_only))
                out.setdefault(f"fitted_{src}", []).append(accuracy(part, w))
    return out


def read_traces(paths: Sequence[Path]) -> list[dict]:
    """Decisions of one or more recorded traces (`scripts/fit_baseline.py`), fitted together.
    Sentence ids are renumbered so that they stay distinct, keeping each trace's even and odd
    halves (the cross-validation goes by sentence); a decision without a "source" is synthetic."""
    units: list[dict] = []
    for path in paths:
        part = json.loads(Path(path).read_text())
        base = 1 + max((u["sentence_id"] for u in units), default=-1)
        base += base % 2
        for u in part:
            u["sentence_id"] += base
            u.setdefault("source", "synthetic")
        units.extend(part)
    return units


def attach_sentences(units: list[dict], records: list[dict]) -> int:
    """Give each decision its sentence ("sentence"), for traces recorded without it: the one
    record whose text holds every spun stretch of the decision's sentence_id at its offsets.
    Returns how many decisions got one (the others stay without)."""
    groups: dict[int, list[dict]] = {}
    for u in units:
        groups.setdefault(u["sentence_id"], []).append(u)
    n = 0
    for us in groups.values():
        if "sentence" in us[0]:
            n += len(us)
            continue
        hits = {r["text"] for r in records if all(r["text"][u["start"] : u["end"]] == u["candidates"][0] for u in us)}
        if len(hits) == 1:
            text = hits.pop()
            for u in us:
                u["sentence"] = text
            n += len(us)
    return n


def fill_readings(units: list[dict], recorded: list[dict], read) -> int:
    """Give every candidate of `units` (decisions, possibly short-listed) the detector's reading
    ("detector" feature; `read` is `Detector.readings`) where it has none: the candidate put in
    its sentence after the choices the trace was recorded with (`recorded`: the full decisions,
    made by the LM alone), the spun text after it, as the restorer reads it. In place: the
    feature dicts are shared with `recorded`. Returns how many readings were taken."""
    chosen: dict[int, list[tuple[int, int, str]]] = {}
    for u in recorded:
        best = max(range(len(u["lm"])), key=u["lm"].__getitem__)
        chosen.setdefault(u["sentence_id"], []).append((u["start"], u["end"], u["candidates"][best]))
    texts, spans, where = [], [], []
    for u in units:
        if "sentence" not in u:
            continue
        sent = u["sentence"]
        left, pos = "", 0
        for s, e, c in sorted(chosen.get(u["sentence_id"], [])):
            if e <= u["start"]:
                left, pos = left + sent[pos:s] + c, e
        left += sent[pos : u["start"]]
        for c, f in zip(u["candidates"], u["features"]):
            if "detector" not in f:
                texts.append(left + c + sent[u["end"] :])
                spans.append((len(left), len(left) + len(c)))
                where.append(f)
    for f, v in zip(where, read(texts, spans) if texts else []):
        f["detector"] = v
    return len(where)


def lm_shortlisted(units: list[dict], weights: dict[str, float], k: int | None, margin: float | None = None) -> list[dict]:
    """The decisions as a BaselineRestorer with `BaselineSettings(shortlist=k, shortlist_margin=margin)` makes them:
    only the spun text and the candidates it would score in full, labels re-pointed (-1 when the
    original was cut). Units must be recorded with every candidate, its "first" and its
    "extra_tokens"."""
    out = []
    for u in units:
        n = len(u["candidates"])
        if not needs_shortlist(n, k, margin):
            out.append(u)
            continue
        prior = [evidence_score(x, weights) for x in u["features"]]
        rank = shortlist_rank(weights.get("lm", 1.0), u["first"], prior, u.get("extra_tokens", [0] * n))
        keep = shortlisted(rank, k, margin)
        v = {**u, **{key: [u[key][j] for j in keep] for key in ("candidates", "lm", "features", "first", "extra_tokens") if key in u}}
        if u["label"] is not None and u["label"] >= 0:
            v["label"] = keep.index(u["label"]) if u["label"] in keep else -1
        out.append(v)
    return out


def fit_on_shortlists(full: list[dict], names: list[str], k: int | None, margin: float | None) -> tuple[list[dict], dict[str, float]]:
    """The decisions as the released weights short-list them, and those weights: fitted on every
    candidate first, then twice on the lists the weights of the step before pick (the released
    weights pick the short lists, so the fit sees the lists they pick)."""
    w = fit_weights(usable(full), names)
    for _ in range(2):
        w = fit_weights(usable(lm_shortlisted(full, w, k, margin)), names)
    return lm_shortlisted(full, w, k, margin), w


def named(w: torch.Tensor, names: list[str]) -> dict[str, float]:
    """Fitted weights by name (column 0 is the LM's)."""
    return {"lm": float(w[0]), **{k: float(v) for k, v in zip(names, w[1:])}}


def setting_name(k: int | None, margin: float | None) -> str:
    """How a shortlist setting is keyed in the fit's results: "all", "6", "6 within 4.0"."""
    if k is None and margin is None:
        return "all"
    return f"{k if k is not None else 'any'}" + ("" if margin is None else f" within {float(margin)}")


def cross_validate_shortlists(
    units: list[dict], names: list[str], settings: tuple[tuple[int | None, float | None], ...] = SHORTLIST_SETTINGS
) -> dict[str, dict]:
    """Two-fold by sentence, per shortlist setting (size, margin): the share of all decisions
    with a known answer (the original missing or cut from the list included) that the fitted
    score gets right, and the candidates scored in full per decision (the spun text included;
    the LM's cost grows with it).

    For each half: weights fitted on the other half with every candidate pick the shortlists of
    both halves; weights refitted on the other half's shortlists score this half's."""
    halves = _halves([u for u in units if u["label"] is not None and len(u["candidates"]) > 1])
    out: dict[str, dict] = {}
    for k, margin in ((None, None), *settings):
        right, total, scored = 0, 0, 0
        for h in (0, 1):
            train, test = halves[1 - h], halves[h]
            if k is not None or margin is not None:
                w_all = named(fit(design([u for u in train if u["label"] >= 0], names), len(names) + 1), names)
                train, test = lm_shortlisted(train, w_all, k, margin), lm_shortlisted(test, w_all, k, margin)
            w = fit(design([u for u in train if u["label"] >= 0], names), len(names) + 1)
            for x, y in design(test, names):
                right += y >= 0 and int(torch.argmax(x @ w)) == y
                total += 1
            scored += sum(len(u["candidates"]) for u in test)
        out[setting_name(k, margin)] = {
            "shortlist": k, "margin": margin, "decisions": total,
            "right": round(right / max(total, 1), 4), "scored": round(scored / max(total, 1), 2),
        }
    return out


def cheapest_shortlist(by_setting: dict[str, dict], tolerance: float = SHORTLIST_TOLERANCE) -> dict | None:
    """The setting (of `cross_validate_shortlists`) that scores the fewest candidates in full
    while its share right stays within `tolerance` of scoring every candidate; None when none does."""
    full = by_setting["all"]["right"]
    ok = [v for key, v in by_setting.items() if key != "all" and v["right"] >= full - tolerance]
    return min(ok, key=lambda v: (v["scored"], -v["right"]), default=None)
