"""One Spinfix shared by threads: the models load once, whichever thread asks first, and answers
equal the serial ones. The released models' check runs in a fresh process (slow), since a load
gone wrong poisons every later load in the process."""
from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("torch")

import spinfix.lm.loading as lm_loading

ROOT = Path(__file__).resolve().parents[1]


def _together(n: int, fn) -> list:
    """`fn(i)` in n threads released at once; their results (or exceptions) in order."""
    start = threading.Barrier(n)
    out: list = [None] * n

    def run(i: int) -> None:
        start.wait()
        try:
            out[i] = fn(i)
        except Exception as exc:  # kept, so the test can say what went wrong
            out[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return out


def test_the_language_model_loads_once_whichever_thread_asks_first(sf, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    def slow_load(device: str = "cpu", **kwargs):
        calls.append(1)
        time.sleep(0.2)  # long enough for every other thread to arrive meanwhile
        return object(), object()

    monkeypatch.setattr(lm_loading, "load_base", slow_load)
    fresh = type(sf)(sf.detector, context=False, phrases=sf.phrases)
    got = _together(8, lambda i: fresh.base_lm())
    assert len(calls) == 1
    assert all(g is got[0] for g in got)


def test_a_restorer_is_built_once_for_all_threads(sf, monkeypatch: pytest.MonkeyPatch) -> None:
    import spinfix.restore.methods as methods

    built: list[int] = []

    class Slow:
        name = "slow"

        def restore(self, tasks):
            return [[] for _ in tasks]

    def build(parts):
        built.append(1)
        time.sleep(0.2)
        return Slow()

    monkeypatch.setitem(methods.METHODS, "slow", build)
    fresh = type(sf)(sf.detector, context=False, phrases=sf.phrases)
    got = _together(6, lambda i: fresh.restorer("slow"))
    assert len(built) == 1 and all(g is got[0] for g in got)


def test_model_loads_in_the_process_are_one_at_a_time(tiny_models: Path) -> None:
    # Two detectors loading at once in two threads: each load holds the process's lock.
    from spinfix.detect.encoder import Detector
    from spinfix.loading import MODEL_LOAD_LOCK

    with MODEL_LOAD_LOCK:  # while held here, no load can finish
        worker = threading.Thread(target=lambda: Detector.load(tiny_models / "detector", device="cpu"))
        worker.start()
        worker.join(timeout=1.0)
        assert worker.is_alive()
    worker.join(timeout=60)
    assert not worker.is_alive()


_COLD_THREADS = """
import json, sys, threading
import spinfix

texts = [
    "The president mentioned the navy help would continue for the reason that the struggle goes on.",
    "Researchers used counterfeit consciousness and profound learning to classify the pictures.",
    "In keeping with a senior official, the White House is planning for the decision. Officials said the plan is new.",
    "The committee met on Monday and approved the budget.",
]
sf = spinfix.load(sys.argv[1])
barrier = threading.Barrier(12)
got, errors = {}, []

def run(kind, i):
    barrier.wait()
    try:
        rep = sf.detect(texts[i % 4]) if kind == "detect" else sf.restore(texts[i % 4])
        got[(kind, i)] = rep.to_dict()
    except Exception as exc:
        errors.append(f"{type(exc).__name__}: {exc}")

threads = [threading.Thread(target=run, args=("detect", i)) for i in range(8)]
threads += [threading.Thread(target=run, args=("restore", i)) for i in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
serial = {key: (sf.detect(texts[key[1] % 4]) if key[0] == "detect" else sf.restore(texts[key[1] % 4])).to_dict() for key in got}
again = spinfix.load(sys.argv[1]).detect(texts[0]).to_dict()  # a later load in the same process
print(json.dumps({"errors": errors, "answers": len(got), "equal": all(got[k] == serial[k] for k in got),
                  "later_load_ok": again == serial.get(("detect", 0))}))
"""


@pytest.mark.slow
def test_cold_threads_share_the_released_models_and_agree_with_serial_calls() -> None:
    # The first calls load SmolLM2 (the LM reading, the baseline restorer) from 12 threads at once.
    proc = subprocess.run(
        [sys.executable, "-c", _COLD_THREADS, str(ROOT / "models")], capture_output=True, text=True, timeout=900
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result == {"errors": [], "answers": 12, "equal": True, "later_load_ok": True}
    assert "Traceback" not in proc.stderr and "LOAD REPORT" not in proc.stderr
