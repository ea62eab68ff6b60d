#!/usr/bin/env python
"""Write spinfix/resources/wordnet-synsets.txt.gz from Debian's WordNet 3.0 files.

    apt-get install wordnet-base && python scripts/build_wordnet.py

Only needed when the shipped file is to be rebuilt: spinfix reads the shipped synsets, so
restoration and the spinner get WordNet's synonyms on machines without the Debian package.
The output is deterministic (the same bytes from the same Debian files).
"""
from __future__ import annotations

import argparse
import logging
from pathlib import Path

from spinfix.lexicon.sources import WORDNET_DIR, WORDNET_RESOURCE, WordNetSource


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--wordnet", type=Path, default=WORDNET_DIR, help="folder of WordNet's data.* files")
    ap.add_argument("--out", type=Path, default=WORDNET_RESOURCE)
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    if not (args.wordnet / "data.noun").exists():
        raise SystemExit(f"error: no WordNet data files in {args.wordnet} (apt-get install wordnet-base)")
    n = WordNetSource.write_resource(args.wordnet, args.out)
    logging.info("wrote %d synsets to %s (%.2f MB)", n, args.out, args.out.stat().st_size / 1e6)


if __name__ == "__main__":
    main()
