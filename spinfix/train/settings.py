"""The release settings the fitting scripts write: models/rewriter/spinfix.json, and their figures."""
from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def write_figures(path: Path, result: dict) -> None:
    """A script's figures as indented JSON (data/eval/...)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2) + "\n")


@contextmanager
def rewriter_settings(models: Path) -> Iterator[dict]:
    """models/rewriter/spinfix.json as a dict to change in place (empty when there is none yet);
    written back when the block ends without an error."""
    path = models / "rewriter" / "spinfix.json"
    cfg = json.loads(path.read_text()) if path.exists() else {}
    yield cfg
    write_figures(path, cfg)
