#!/usr/bin/env python
"""Load test of `spinfix serve`: concurrent clients sending single-sentence detects.

    python scripts/load_test_serve.py --out data/eval/serve_load.json     # make load-test
    python scripts/load_test_serve.py --no-lm-reading --out data/eval/serve_load_no_lm.json

1. Starts `spinfix serve` on 127.0.0.1 (a free port; or --url to an already running one, which
   must be on 127.0.0.1 or localhost) and waits for /readyz.
2. Baseline: `detect_many` in this process over the same sentences, after a warm-up, while the
   service is idle: sentences per second.
3. Serial: every sentence sent once, one at a time; the answers are kept.
4. Load: --clients threads, each with its own keep-alive connection, sending the sentences in
   turn for --seconds (at most --max-requests in all); throughput, p50/p95/p99/max latency,
   errors (any non-200 or failed connection), and answers that differ from the serial ones
   (probabilities compared to 3 decimals: a sentence batched with others is padded, and its
   floats may move in the last places).

The sentences: --sentences single sentences of held-out White House items (public domain).
"""
from __future__ import annotations

import argparse
import http.client
import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

import numpy as np

import spinfix
from spinfix.paths import shared_data_dir
from spinfix.text.document import split_sentences
from spinfix.train.data import article_split, iter_wh_written
from spinfix.train.settings import write_figures

log = logging.getLogger("load_test_serve")


def test_sentences(n: int) -> list[str]:
    out: list[str] = []
    for a in iter_wh_written(shared_data_dir() / "corpora" / "wh_written.txt.gz"):
        if article_split(a.id) != "test":
            continue
        for p in a.paragraphs:
            out += [s.text for s in split_sentences(p) if 8 <= len(s.text.split()) <= 60][:1]
            if len(out) >= n:
                return out
    return out


def rss_mb(pid: int) -> float | None:
    """Resident memory of a process (Linux /proc), MB."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def cpu_seconds(pid: int) -> float | None:
    """User and system CPU seconds a process has used (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return round((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"), 1)
    except (OSError, IndexError, ValueError):
        return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rounded(x: object) -> object:
    if isinstance(x, float):
        return round(x, 3)
    if isinstance(x, dict):
        return {k: rounded(v) for k, v in x.items()}
    if isinstance(x, list):
        return [rounded(v) for v in x]
    return x


class Client:
    """One keep-alive connection to the service."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.conn = http.client.HTTPConnection(host, port, timeout=60)

    def post(self, path: str, body: dict) -> tuple[int, dict]:
        """(status, answer); -1 when no answer came on a fresh connection either (a kept-alive
        connection the server closed while idle is reopened once, as HTTP clients do)."""
        data = json.dumps(body).encode("utf-8")
        for _ in range(2):
            try:
                self.conn.request("POST", path, data, {"Content-Type": "application/json"})
                resp = self.conn.getresponse()
                return resp.status, json.loads(resp.read())
            except (OSError, http.client.HTTPException, json.JSONDecodeError):
                self.conn.close()
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        return -1, {}

    def get(self, path: str) -> int:
        try:
            self.conn.request("GET", path)
            resp = self.conn.getresponse()
            resp.read()
            return resp.status
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
            return -1


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", type=Path, default=None)
    ap.add_argument("--url", default=None, help="an already running service on 127.0.0.1 (default: start one)")
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--max-requests", type=int, default=20_000)
    ap.add_argument("--sentences", type=int, default=512)
    ap.add_argument("--startup-timeout", type=float, default=300.0)
    ap.add_argument("--no-lm-reading", dest="lm_reading", action="store_false", help="the service and the baseline without the LM reading")
    ap.add_argument("--serve-option", action="append", default=[], help="an option for spinfix serve, e.g. --serve-option=--max-wait-ms=20")
    ap.add_argument("--server-log", type=Path, default=None, help="the started service's log (default: none kept)")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    sentences = test_sentences(args.sentences)
    server = None
    if args.url:
        u = urlparse(args.url)
        if u.hostname not in ("127.0.0.1", "localhost"):
            sys.exit("load_test_serve: only a service on 127.0.0.1 is load-tested")
        host, port = "127.0.0.1", u.port or 80
    else:
        host, port = "127.0.0.1", free_port()
        cmd = [str(Path(sys.executable).parent / "spinfix"), "serve", "--host", host, "--port", str(port), "--no-preload"]
        if not args.lm_reading:
            cmd.append("--no-lm-reading")
        cmd += args.serve_option
        if args.models:
            cmd += ["--models", str(args.models)]
        log_to = open(args.server_log or os.devnull, "w")  # noqa: SIM115 - open while the service runs
        server = subprocess.Popen(cmd, stdout=log_to, stderr=log_to)
    try:
        probe = Client(host, port)
        t = time.perf_counter()
        while probe.get("/readyz") != 200:
            if server is not None and server.poll() is not None:
                sys.exit(f"load_test_serve: the service exited with {server.returncode}")
            if time.perf_counter() - t > args.startup_timeout:
                sys.exit("load_test_serve: the service was not ready in time")
            time.sleep(0.5)
        log.info("service ready in %.1f s", time.perf_counter() - t)

        sf = spinfix.load(args.models, lm_reading=args.lm_reading)
        sf.detect_many(sentences[:16])
        t = time.perf_counter()
        sf.detect_many(sentences)
        base_s = time.perf_counter() - t
        baseline = len(sentences) / base_s
        del sf
        log.info("detect_many: %.1f sentences/s", baseline)

        serial: list[dict] = []
        serial_exact: list[dict] = []
        t = time.perf_counter()
        for s in sentences:
            status, body = probe.post("/v1/detect", {"text": s})
            if status != 200:
                sys.exit(f"load_test_serve: serial request failed with {status}: {body}")
            serial_exact.append(body)
            serial.append(rounded(body))  # type: ignore[arg-type]
        serial_rate = len(sentences) / (time.perf_counter() - t)
        log.info("serial: %.1f sentences/s", serial_rate)

        lock = threading.Lock()
        latencies: list[float] = []
        errors: list[str] = []
        mismatches = 0
        sent = 0
        stop_at = time.perf_counter() + args.seconds

        def worker(k: int) -> None:
            nonlocal mismatches, sent
            c = Client(host, port)
            i = k * 7919
            while time.perf_counter() < stop_at:
                with lock:
                    if sent >= args.max_requests:
                        return
                    sent += 1
                j = i % len(sentences)
                i += 1
                t0 = time.perf_counter()
                status, body = c.post("/v1/detect", {"text": sentences[j]})
                dt = time.perf_counter() - t0
                with lock:
                    latencies.append(dt)
                    if status != 200:
                        errors.append(f"{status}: {body.get('error', {}).get('code', '')}")
                    elif body != serial_exact[j] and rounded(body) != serial[j]:  # rounding only when needed: cheaper
                        mismatches += 1

        threads = [threading.Thread(target=worker, args=(k,)) for k in range(args.clients)]
        t = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        wall = time.perf_counter() - t
        lat = np.array(latencies)
        several = any(o.startswith("--workers") and not o.endswith(("=1", " 1")) for o in args.serve_option)
        done = len(latencies) - len(errors)
        result = {
            "device": "cpu", "cpu_count": os.cpu_count(), "clients": args.clients, "seconds": round(wall, 1),
            "sentences": len(sentences), "lm_reading": args.lm_reading, "serve_options": args.serve_option,
            "detect_many_sentences_per_s": round(baseline, 2), "serial_sentences_per_s": round(serial_rate, 2),
            "requests": len(latencies), "answered": done, "errors": len(errors), "first_errors": errors[:10],
            "sentences_per_s": round(done / wall, 2), "ratio_to_detect_many": round(done / wall / baseline, 3),
            "latency_p50_s": round(float(np.percentile(lat, 50)), 3), "latency_p95_s": round(float(np.percentile(lat, 95)), 3),
            "latency_p99_s": round(float(np.percentile(lat, 99)), 3), "latency_max_s": round(float(lat.max()), 3),
            "answers_differing_from_serial": mismatches,
            # With --workers N the process started is uvicorn's supervisor, not the workers: not measured.
            "service_rss_mb": rss_mb(server.pid) if server is not None and not several else None,
            "cpu_seconds": {
                "service": cpu_seconds(server.pid) if server is not None and not several else None,
                "clients_and_baseline": round(time.process_time(), 1),
            },
        }
        print(json.dumps(result, indent=2))
        if args.out:
            write_figures(args.out, result)
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(20)
            except subprocess.TimeoutExpired:
                server.kill()


if __name__ == "__main__":
    main()
