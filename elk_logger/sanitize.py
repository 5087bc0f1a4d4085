"""Turns whatever a caller passes into JSON-safe values, redacting secrets on the way.

Why a copy is made: the encoder must never raise in the caller's thread, and the caller's own
objects must not be changed. One walk does both jobs: it copies dicts and lists, replaces
values under sensitive keys, and converts what JSON cannot carry:

* NaN and +/-infinity -> ``null`` (JSON has no such numbers and Elasticsearch refuses them);
* ``bytes`` -> text (UTF-8, undecodable bytes as ``\\xNN``);
* sets and tuples -> lists, non-text keys -> ``str(key)``;
* dates -> ISO 8601 text, ``Decimal`` and other real numbers -> float, enums -> their value;
* anything else -> ``str(value)`` (or ``<TypeName>`` when even that fails);
* nesting deeper than ``max_depth``, a container met again on its own path (a cycle), and
  values beyond the ``max_items`` budget -> a short marker text (the event's own top-level
  keys are all kept: plain scalars as they are, containers as the marker).
"""

from __future__ import annotations

import datetime as _dt
import enum
import math
import numbers
from collections.abc import Mapping
from decimal import Decimal

from .redact import Redactor

DEPTH_MARKER = "<max depth>"
CYCLE_MARKER = "<circular>"
BUDGET_MARKER = "<truncated>"

_SEQUENCES = (list, tuple, set, frozenset)
_LONG_LIMIT = 2**64  # larger integers are sent as text (Elasticsearch's long/unsigned_long stop there)


class Sanitizer:
    """Copies values into JSON-safe form; one instance per handler, safe to share between threads."""

    def __init__(self, redactor: Redactor, *, max_depth: int, max_items: int) -> None:
        self.redactor = redactor
        self.max_depth = max_depth
        self.max_items = max_items

    def clean_fields(self, fields: Mapping[object, object]) -> dict[str, object]:
        """A JSON-safe copy of an event's field mapping (top level is always a dict)."""
        walk = _Walk(self)
        out = walk.mapping(fields, 0)
        return out if isinstance(out, dict) else {"value": out}

    def clean_value(self, value: object) -> object:
        """A JSON-safe copy of one value."""
        return _Walk(self).value(value, 0)


class _Walk:
    """State of one sanitising pass: the path (for cycles) and the remaining item budget."""

    __slots__ = ("owner", "budget", "path")

    def __init__(self, owner: Sanitizer) -> None:
        self.owner = owner
        self.budget = owner.max_items
        self.path: set[int] = set()

    def value(self, value: object, depth: int) -> object:
        self.budget -= 1
        if self.budget < 0:
            return BUDGET_MARKER
        kind = type(value)
        if kind is str or kind is bool or value is None:
            return value
        if kind is int:
            return value if -_LONG_LIMIT < value < _LONG_LIMIT else _text(value)  # type: ignore[operator]
        if kind is float:
            return value if math.isfinite(value) else None  # type: ignore[arg-type]
        if isinstance(value, Mapping):
            return self.mapping(value, depth)
        if isinstance(value, _SEQUENCES):
            return self.sequence(value, depth)
        return _scalar(value, self, depth)

    def mapping(self, value: Mapping[object, object], depth: int) -> object:
        if depth >= self.owner.max_depth:
            return DEPTH_MARKER
        marker = id(value)
        if marker in self.path:
            return CYCLE_MARKER
        self.path.add(marker)
        try:
            redactor = self.owner.redactor
            known = redactor.known
            out: dict[str, object] = {}
            for key, item in value.items():
                name = key if type(key) is str else _key_text(key)
                sensitive = known.get(name)
                if sensitive is None:
                    sensitive = redactor.is_sensitive(name)
                if sensitive:
                    out[name] = redactor.replacement
                    continue
                kind = type(item)
                # the common JSON scalars inline (one call less per field); the rest goes through value()
                if (kind is str or kind is bool or item is None or (kind is float and item - item == 0.0)
                        or (kind is int and -_LONG_LIMIT < item < _LONG_LIMIT)):
                    self.budget -= 1
                    out[name] = item
                else:
                    out[name] = self.value(item, depth + 1)
                if self.budget < 0 and depth > 0:
                    break  # the event's own top-level keys are all kept (as markers when over budget)
            return out
        finally:
            self.path.discard(marker)

    def sequence(self, value: object, depth: int) -> object:
        if depth >= self.owner.max_depth:
            return DEPTH_MARKER
        marker = id(value)
        if marker in self.path:
            return CYCLE_MARKER
        self.path.add(marker)
        try:
            out: list[object] = []
            for item in value:  # type: ignore[attr-defined]
                out.append(self.value(item, depth + 1))
                if self.budget < 0:
                    break
            return out
        finally:
            self.path.discard(marker)


def _scalar(value: object, walk: _Walk, depth: int) -> object:
    """Values that are neither JSON scalars nor plain containers."""
    if isinstance(value, numbers.Integral):
        return walk.value(int(value), depth)
    if isinstance(value, (numbers.Real, Decimal)):
        try:
            number = float(value)
        except (ValueError, OverflowError):
            return None
        return number if math.isfinite(number) else None
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value).decode("utf-8", "backslashreplace")
    if isinstance(value, (_dt.datetime, _dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return walk.value(value.value, depth)
    if isinstance(value, str):  # str subclasses
        return str.__str__(value)
    if isinstance(value, BaseException):
        return _text(value) or type(value).__name__
    return _text(value)


def _text(value: object) -> str:
    try:
        text = str(value)
    except Exception:
        return f"<{type(value).__name__}>"
    return text if type(text) is str else f"<{type(value).__name__}>"


def _key_text(key: object) -> str:
    if isinstance(key, str):
        return str.__str__(key)
    if isinstance(key, (bytes, bytearray)):
        return bytes(key).decode("utf-8", "backslashreplace")
    return _text(key)
