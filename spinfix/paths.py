"""Where spinfix finds its files: the resources it ships, the models, the cache, the shared data."""
from __future__ import annotations

import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
# Tables and small models that ship inside the package (spinfix/resources).
RESOURCES = PACKAGE / "resources"


def cache_dir() -> Path:
    """Where built indexes and converted models live: $SPINFIX_CACHE, else ~/.cache/spinfix."""
    env = os.environ.get("SPINFIX_CACHE")
    path = Path(env) if env else Path.home() / ".cache" / "spinfix"
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_models_dir() -> Path:
    """$SPINFIX_MODELS, else the models/ folder of the source checkout."""
    env = os.environ.get("SPINFIX_MODELS")
    if env:
        return Path(env)
    return PACKAGE.parent / "models"


def shared_data_dir() -> Path:
    """$SPINFIX_SHARED_DATA, else ../shared/data beside the repository (training and evaluation
    data: corpora, the tortured-phrase dev file)."""
    env = os.environ.get("SPINFIX_SHARED_DATA")
    if env:
        return Path(env)
    return PACKAGE.parents[1] / "shared" / "data"
