"""One lock for every model load in the process.

transformers builds a model under a process-wide default device ("meta") and puts the old one
back when it is done; two loads at once in two threads interleave those swaps, and the model,
with every model loaded in the process after it, comes out with weights that hold no data
("Cannot copy out of meta tensor"). Every load spinfix makes (the detector, its tagger, SmolLM2,
the rewriter's adapter) holds this lock. Code of your own that loads transformers models in other
threads while spinfix loads should hold it too.
"""
from __future__ import annotations

import threading

MODEL_LOAD_LOCK = threading.RLock()
