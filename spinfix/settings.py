"""Settings dataclasses read from the JSON files in models/.

Every component has one settings dataclass, and its JSON (a section of a model's spinfix.json)
is read into it here, by field name: a setting is declared once, in its dataclass, with its
default. Keys the dataclass does not know come from newer checkpoints or from training facts and
are ignored; a value of the wrong kind (a string where a number belongs) is a ModelError naming
the setting, not a failure deep inside a model later.
"""
from __future__ import annotations

import dataclasses
import logging
import types
import typing
from collections.abc import Mapping
from typing import Any, TypeVar

from spinfix.errors import ModelError

logger = logging.getLogger(__name__)

T = TypeVar("T")


def from_dict(cls: type[T], data: Mapping[str, Any] | None, where: str = "settings") -> T:
    """An instance of the dataclass `cls` from `data` (a JSON object); None or {}: the defaults.

    JSON has no tuples: a list goes into a field declared as a tuple as a tuple."""
    if not dataclasses.is_dataclass(cls):
        raise TypeError(f"{cls!r} is not a dataclass")
    data = dict(data or {})
    hints = typing.get_type_hints(cls)
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name not in data:
            continue
        value = data.pop(f.name)
        kinds = _kinds(hints[f.name])
        if isinstance(value, list) and tuple in kinds:
            value = tuple(value)
        if kinds and not _is_one_of(value, kinds):
            names = " or ".join(sorted(k.__name__ for k in kinds))
            raise ModelError(f"{where}: `{f.name}` should be {names}, not {value!r}")
        kwargs[f.name] = value
    if data:  # from a newer release, or a setting since removed: said, not fatal
        logger.warning("%s: ignoring settings this version does not know: %s", where, ", ".join(sorted(data)))
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as exc:
        raise ModelError(f"{where}: {exc}") from exc


def _kinds(hint: Any) -> set[type]:
    """The Python types a field's annotation admits at its top level (empty: not checked)."""
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return set().union(*(_kinds(a) for a in typing.get_args(hint)))
    if hint is type(None):
        return {type(None)}
    base = origin or hint
    return {base} if base in (bool, int, float, str, dict, list, tuple) else set()


def _is_one_of(value: Any, kinds: set[type]) -> bool:
    if isinstance(value, bool):  # JSON true is not a number
        return bool in kinds
    if isinstance(value, int) and float in kinds:
        return True
    return isinstance(value, tuple(kinds))


def to_dict(settings: Any) -> dict[str, Any]:
    """The JSON object of a settings dataclass (tuples as lists)."""
    out = dataclasses.asdict(settings)
    return {k: list(v) if isinstance(v, tuple) else v for k, v in out.items()}
