"""What a client sends: the request bodies, read and checked here so that every bad input gets
a 4xx with a JSON error (never FastAPI's default parsing, whose failures on bytes that are not
UTF-8 are not all 4xx)."""
from __future__ import annotations

import json
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from spinfix.serve.errors import ApiError

# A share of control characters above this is not text (as spinfix.io.reading judges files).
_CONTROL = frozenset(chr(c) for c in range(0x20)) - set("\t\n\x0b\x0c\r") | {"\x7f"}
_MAX_CONTROL_SHARE = 0.10


def check_text(value: str, what: str) -> str:
    if not value.strip():
        raise ValueError(f"{what} is empty: there is no text to check")
    if "\x00" in value:
        raise ValueError(f"{what} looks binary (a NUL character at offset {value.index(chr(0)):,})")
    head = value[:8192]
    controls = sum(1 for ch in head if ch in _CONTROL)
    if controls / len(head) > _MAX_CONTROL_SHARE:
        raise ValueError(f"{what} looks binary ({controls} control characters in its first {len(head):,})")
    return value


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")  # a misspelt field is an error, not ignored

    text: str = Field(description="The suspect text: one sentence or a whole article (UTF-8).")
    source: str | None = Field(default=None, description="A name for the text, returned as the report's `source`.")

    @field_validator("text")
    @classmethod
    def _text(cls, v: str) -> str:
        return check_text(v, "text")


class DetectRequest(_Request):
    """POST /v1/detect: the report of `spinfix detect --format json`."""


class _Restoring(_Request):
    method: Literal["baseline", "rewriter"] | None = Field(default=None, description="The restorer (default: the models' own).")
    min_confidence: float | None = Field(default=None, ge=0.0, le=1.0, description="Apply only suggestions at least this sure.")


def _references(v: str | list[str] | None) -> str | list[str] | None:
    if isinstance(v, list):
        if not v:
            raise ValueError("reference is an empty list: give one reference text or more")
        return [check_text(r, f"reference {i + 1}") for i, r in enumerate(v)]
    return None if v is None else check_text(v, "reference")


class RestoreRequest(_Restoring):
    """POST /v1/restore: the report of `spinfix restore --format json` (edits, suggestions)."""

    reference: str | list[str] | None = Field(default=None, description="A clean parallel article, or several.")

    @field_validator("reference")
    @classmethod
    def _reference(cls, v: str | list[str] | None) -> str | list[str] | None:
        return _references(v)


class CompareRequest(_Restoring):
    """POST /v1/compare: the result of `spinfix compare --format json`."""

    reference: str | list[str] = Field(description="The clean parallel article (the source, or another outlet's), or several.")
    reference_names: list[str] | None = Field(default=None, description="Names for the references (default: reference 1, 2, ...).")

    @field_validator("reference")
    @classmethod
    def _reference(cls, v: str | list[str]) -> str | list[str]:
        out = _references(v)
        assert out is not None  # a required field: pydantic refuses null before this
        return out


def parse(body: bytes, model: type[BaseModel]) -> BaseModel:
    """The request body as `model`, or an ApiError (400 not UTF-8 or not JSON, 422 invalid)."""
    if not body:
        raise ApiError(400, "empty_body", "the request has no body: send a JSON object such as {\"text\": \"...\"}")
    try:
        decoded = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        byte = body[exc.start : exc.start + 1].hex()
        raise ApiError(400, "not_utf8", f"the request body is not valid UTF-8 (byte 0x{byte} at offset {exc.start:,})") from None
    try:
        data = json.loads(decoded)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError is a ValueError; so is an integer of 4,301 digits
        where = f" (line {exc.lineno}, column {exc.colno})" if isinstance(exc, json.JSONDecodeError) else ""
        raise ApiError(400, "bad_json", f"the request body is not JSON{where}") from None
    bad = _lone_surrogate(data)
    if bad is not None:
        raise ApiError(400, "not_utf8", f"the request holds a lone surrogate escape ({bad}), which is not text")
    if not isinstance(data, dict):
        raise ApiError(422, "invalid", f"the request body must be a JSON object, not {type(data).__name__}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        # Each problem by field, without echoing the input (it may be a whole article).
        problems = [
            {"field": ".".join(str(x) for x in e["loc"]) or "body", "problem": e["msg"]}
            for e in exc.errors(include_input=False, include_url=False)
        ]
        summary = "; ".join(f"{p['field']}: {p['problem']}" for p in problems[:5])
        raise ApiError(422, "invalid", summary, problems) from None


def _lone_surrogate(data: object) -> str | None:
    """A `\\udXXX` escape with no pair (JSON allows it; UTF-8 cannot carry it), if any."""
    stack = [data]
    while stack:
        x = stack.pop()
        if isinstance(x, str):
            try:
                x.encode("utf-8")
            except UnicodeEncodeError as exc:
                return f"\\u{ord(x[exc.start]):04x}"
        elif isinstance(x, dict):
            stack.extend(x.keys())
            stack.extend(x.values())
        elif isinstance(x, list):
            stack.extend(x)
    return None


def schema(model: type[BaseModel]) -> dict:
    """The OpenAPI request body of an endpoint that reads its body itself."""
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": model.model_json_schema()}}}}
