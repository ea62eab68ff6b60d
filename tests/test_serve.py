"""`spinfix serve`: a real uvicorn server on 127.0.0.1 answering over HTTP with the JSON the
commands print, batching requests that arrive together, and refusing bad input with a 4xx JSON
error, never a 5xx or a traceback, never logging the submitted text."""
from __future__ import annotations

import http.client
import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("torch")

import uvicorn  # noqa: E402
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from spinfix.cli.app import run  # noqa: E402
from spinfix.serve import ServeSettings, create_app  # noqa: E402

SPUN = "The president mentioned the navy help would continue for the reason that the struggle is not over."


class Upper:
    """A restorer that suggests each span in upper case (sure of it), so restores take no LM."""

    name = "upper"

    def restore(self, tasks):
        from spinfix.restore.rules import Suggestion

        return [[Suggestion(t.sentence[s:e].upper(), 0.9) for s, e in t.spans] for t in tasks]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """A uvicorn server in a thread of this process, on a free port."""

    def __init__(self, app) -> None:
        self.app = app
        self.port = free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="info"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.server.started and request(self.port, "GET", "/healthz")[0] == 200:
                return self
            time.sleep(0.05)
        raise RuntimeError("the test server did not start")

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)

    def wait_ready(self) -> dict:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            status, body = request(self.port, "GET", "/readyz")
            if status == 200 or body.get("status") == "failed":
                return body
            time.sleep(0.05)
        raise RuntimeError("the service did not get ready")

    @property
    def service(self):
        return self.app.state.service


def request(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None) -> tuple[int, Any]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body, headers or {})
        resp = conn.getresponse()
        raw = resp.read()
        ctype = resp.getheader("content-type") or ""
        return resp.status, json.loads(raw) if "json" in ctype else raw.decode("utf-8", "replace")
    finally:
        conn.close()


def post(port: int, path: str, payload: Any) -> tuple[int, Any]:
    return request(port, "POST", path, json.dumps(payload).encode("utf-8"), {"Content-Type": "application/json"})


@pytest.fixture(scope="module")
def pipeline(tiny_models: Path):
    import spinfix

    sf = spinfix.Spinfix.load(tiny_models, device="cpu")
    sf.use_restorer(Upper())
    return sf


@pytest.fixture(scope="module")
def server(pipeline) -> Iterator[Server]:
    with Server(create_app(ServeSettings(preload=False, max_wait_ms=20, max_bytes=64 * 1024), sf=pipeline)) as s:
        s.wait_ready()
        yield s


def test_the_service_says_it_is_up_and_ready(server: Server) -> None:
    assert request(server.port, "GET", "/healthz") == (200, {"status": "ok"})
    status, body = request(server.port, "GET", "/readyz")
    assert status == 200 and body["ready"] is True and body["threshold"] == pytest.approx(0.5)


def test_detect_answers_with_the_json_of_spinfix_detect(server: Server, tiny_models: Path, tmp_path: Path, capsys) -> None:
    f = tmp_path / "suspect.txt"
    f.write_text(SPUN, encoding="utf-8")
    assert run(["detect", str(f), "--format", "json", "--models", str(tiny_models), "--no-lm-reading", "-q"]) in (0, 1)
    cli = json.loads(capsys.readouterr().out)
    status, body = post(server.port, "/v1/detect", {"text": SPUN, "source": str(f)})
    assert status == 200
    assert body == cli


def test_restore_and_compare_answer_as_the_api_does(server: Server, pipeline) -> None:
    status, body = post(server.port, "/v1/restore", {"text": SPUN, "min_confidence": 0.5})
    assert status == 200 and body == pipeline.restore(SPUN, min_confidence=0.5).to_dict()
    reference = "The president said the military aid would continue because the war is not over."
    status, body = post(server.port, "/v1/compare", {"text": SPUN, "reference": reference})
    assert status == 200
    expected = pipeline.compare(SPUN, [reference]).to_dict() | {"reference_names": ["reference 1"]}
    assert body == expected


def test_requests_arriving_together_share_model_calls_and_get_their_own_answers(server: Server, pipeline) -> None:
    texts = [f"Officials said on day {i} that the navy help was not enough." for i in range(24)]
    expected = [r.to_dict() for r in pipeline.detect_many(texts)]
    calls_before = server.service.detects.batches
    with ThreadPoolExecutor(24) as pool:
        answers = list(pool.map(lambda t: post(server.port, "/v1/detect", {"text": t}), texts))
    assert [a[0] for a in answers] == [200] * 24
    assert [a[1] for a in answers] == expected
    assert server.service.detects.batches - calls_before < 24  # batched: fewer calls than requests


BAD_REQUESTS = [
    # (what, body, status, error code)
    ("no body", b"", 400, "empty_body"),
    ("not UTF-8", b'{"text": "caf\xe9"}', 400, "not_utf8"),
    ("not JSON", b'{"text": ', 400, "bad_json"),
    ("a JSON list", b'["text"]', 422, "invalid"),
    ("no text", b'{"source": "a"}', 422, "invalid"),
    ("text not a string", b'{"text": 5}', 422, "invalid"),
    ("an empty text", b'{"text": "   "}', 422, "invalid"),
    ("a binary text", b'{"text": "a\\u0000b"}', 422, "invalid"),
    ("a lone surrogate", b'{"text": "a \\ud800 b"}', 400, "not_utf8"),
    ("a misspelt field", b'{"txt": "Hello there."}', 422, "invalid"),
    ("deeply nested JSON", b"[" * 20_000 + b"]" * 20_000, 400, "bad_json"),
    ("too large", json.dumps({"text": "word " * 20_000}).encode(), 413, "too_large"),
]


@pytest.mark.parametrize(("what", "body", "status", "code"), BAD_REQUESTS, ids=[b[0] for b in BAD_REQUESTS])
def test_bad_requests_get_a_4xx_json_error_that_says_why(server: Server, what: str, body: bytes, status: int, code: str) -> None:
    got, answer = request(server.port, "POST", "/v1/detect", body, {"Content-Type": "application/json"})
    assert (got, answer["error"]["code"]) == (status, code)
    assert answer["error"]["message"] and "Traceback" not in answer["error"]["message"]


def test_compare_needs_a_reference_and_names_one_per_reference(server: Server) -> None:
    assert post(server.port, "/v1/compare", {"text": SPUN})[0] == 422
    status, body = post(server.port, "/v1/compare", {"text": SPUN, "reference": ["A text.", "Another."], "reference_names": ["one"]})
    assert status == 422 and "reference_names" in body["error"]["message"]
    assert post(server.port, "/v1/restore", {"text": SPUN, "method": "magic"})[0] == 422


def test_unknown_paths_and_methods_are_json_errors_too(server: Server) -> None:
    status, body = request(server.port, "GET", "/v1/detect")
    assert status == 405 and body["error"]["code"] == "method_not_allowed"
    status, body = request(server.port, "GET", "/nothing-here")
    assert status == 404 and body["error"]["code"] == "not_found"


def test_the_openapi_page_documents_each_request(server: Server) -> None:
    status, spec = request(server.port, "GET", "/openapi.json")
    assert status == 200
    detect = spec["paths"]["/v1/detect"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert "text" in detect["required"]
    assert request(server.port, "GET", "/docs")[0] == 200


def test_the_submitted_text_never_reaches_the_logs(server: Server, caplog: pytest.LogCaptureFixture) -> None:
    marker = "Zanzibarian quokkas mentioned the navy help."
    with caplog.at_level(logging.DEBUG):
        post(server.port, "/v1/detect", {"text": marker})
        post(server.port, "/v1/detect", {"text": marker + "\x00"})
        request(server.port, "POST", "/v1/detect", marker.encode("utf-16"))
    assert caplog.records
    assert not [r for r in caplog.records if "quokka" in r.getMessage().lower() or "quokka" in str(r.args).lower()]


def test_a_request_that_takes_too_long_gets_504_and_the_service_goes_on(pipeline) -> None:
    app = create_app(ServeSettings(preload=False, timeout_s=0.001), sf=pipeline)
    with Server(app) as s:
        s.wait_ready()
        status, body = post(s.port, "/v1/detect", {"text": SPUN * 40})
        assert (status, body["error"]["code"]) == (504, "timeout")
        assert request(s.port, "GET", "/healthz")[0] == 200


def test_models_that_cannot_load_keep_the_service_unready_with_the_reason(tmp_path: Path) -> None:
    with Server(create_app(ServeSettings(models=str(tmp_path), preload=False))) as s:
        body = s.wait_ready()
        status, body = request(s.port, "GET", "/readyz")
        assert status == 503 and body["status"] == "failed" and "no spinfix models" in body["error"]
        status, body = post(s.port, "/v1/detect", {"text": SPUN})
        assert (status, body["error"]["code"]) == (503, "not_ready")


def test_spinfix_serve_refuses_a_models_folder_without_models(tmp_path: Path, capsys) -> None:
    assert run(["serve", "--models", str(tmp_path)]) == 2
    assert "no spinfix models" in capsys.readouterr().err


# -- fuzz: malformed requests never get a 5xx -------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
FIELDS = ["text", "source", "reference", "reference_names", "method", "min_confidence", "extra"]
request_bodies = st.one_of(
    st.binary(max_size=300),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=5).map(lambda d: json.dumps(d).encode()),
    st.fixed_dictionaries(
        {"text": st.text(max_size=200)}, optional={"reference": st.text(max_size=80) | st.lists(st.text(max_size=40), max_size=3)}
    ).map(lambda d: json.dumps(d).encode()),
    st.text(max_size=200).map(lambda t: ('{"text": "' + t + '"}').encode("utf-8", "surrogatepass")),
)
fuzz_counts: dict[int, int] = {}


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(path=st.sampled_from(["/v1/detect", "/v1/restore", "/v1/compare"]), body=request_bodies)
def test_a_thousand_malformed_requests_get_no_5xx(server: Server, path: str, body: bytes) -> None:
    status, answer = request(server.port, "POST", path, body, {"Content-Type": "application/json"})
    fuzz_counts[status] = fuzz_counts.get(status, 0) + 1
    assert status < 500, (path, body[:200], answer)
    if status != 200:
        assert answer["error"]["code"] and answer["error"]["message"]


# -- the command, as a user runs it (the released models) -------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_spinfix_serve_answers_as_spinfix_detect_does(workers: int, tmp_path: Path) -> None:
    import subprocess
    import sys

    from spinfix.paths import default_models_dir

    port = free_port()
    cmd = [str(Path(sys.executable).parent / "spinfix"), "serve", "--port", str(port), "--workers", str(workers), "--no-preload"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 240
        while True:
            try:
                if request(port, "GET", "/readyz")[0] == 200:
                    break
            except OSError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "spinfix serve did not get ready"
            time.sleep(0.5)
        f = tmp_path / "suspect.txt"
        f.write_text(SPUN, encoding="utf-8")
        exe = str(Path(sys.executable).parent / "spinfix")
        cmd = [exe, "detect", str(f), "--format", "json", "-q", "--models", str(default_models_dir())]
        cli = subprocess.run(cmd, capture_output=True, text=True)
        assert cli.returncode == 1, cli.stderr  # the released detector flags it
        for _ in range(2 * workers):  # each worker answers the same
            status, body = post(port, "/v1/detect", {"text": SPUN, "source": str(f)})
            assert status == 200 and body == json.loads(cli.stdout)
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
    # A graceful stop: requests in flight answered, then the signal's own status (uvicorn re-raises it).
    assert "Application shutdown complete" in out and proc.returncode in (0, -15), out
    assert "navy help" not in out  # the text is not in the service's log


def test_a_bug_gets_a_500_json_answer_and_its_message_stays_out_of_the_logs(caplog: pytest.LogCaptureFixture) -> None:
    from types import SimpleNamespace

    class Exploding:
        detector = SimpleNamespace(name="exploding")
        threshold = 0.5

        def detect(self, text: str) -> None:  # the warm-up passes
            return None

        def detect_many(self, texts, sources=None):
            raise RuntimeError(f"cannot score {texts[0]!r}")

    with caplog.at_level(logging.INFO), Server(create_app(ServeSettings(preload=False), sf=Exploding())) as s:  # type: ignore[arg-type]
        s.wait_ready()
        status, body = post(s.port, "/v1/detect", {"text": "Zanzibarian quokkas mentioned it."})
    assert (status, body["error"]["code"]) == (500, "internal")
    assert "quokka" not in json.dumps(body).lower()
    assert any("RuntimeError" in r.getMessage() for r in caplog.records)
    assert not [r for r in caplog.records if "quokka" in r.getMessage().lower()]


def test_a_number_python_will_not_parse_is_a_400_not_a_500(server: Server) -> None:
    body = b'{"text": "A sentence to check.", "min_confidence": ' + b"1" * 5000 + b"}"
    status, answer = request(server.port, "POST", "/v1/restore", body)
    assert (status, answer["error"]["code"]) == (400, "bad_json")
