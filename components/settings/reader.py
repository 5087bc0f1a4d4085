"""Typed reads from the raw YAML values of a stack file, recording problems instead of raising.

Each ``Section`` wraps one mapping at a key path. Reading a key records it as known; keys a
section never read are reported as warnings with the allowed list (a typo like ``heapsize``
must not pass silently). A bad value records a problem and returns the default, so one run
reports every mistake.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from components.settings.problems import Problems

T = TypeVar("T")

_SIZE = re.compile(r"^(\d+)([kmgt])$", re.IGNORECASE)
_SIZE_FACTORS = {"k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}
_TIME_VALUE = re.compile(r"^\d+(d|h|m|s|ms|micros|nanos)$")
#: Elasticsearch lowercases a byte size before reading its unit (ByteSizeValue.parseBytesSizeValue),
#: so ``5GB`` is accepted there; Logstash's ByteValue is case-sensitive, so values are kept lowercase.
_BYTE_SIZE = re.compile(r"^\d+(b|kb|mb|gb|tb|pb)$", re.IGNORECASE)

TIME_VALUE_HINT = "an Elasticsearch time value: a whole number and a lowercase unit (d, h, m, s, ms, micros, nanos), e.g. 7d, 12h or 30m"
BYTE_SIZE_HINT = "a byte size as Elasticsearch and Logstash read it: a whole number and a unit (b, kb, mb, gb, tb, pb), e.g. 5gb or 512mb"
MEMORY_HINT = "write a whole number above 0 with k, m, g or t, e.g. 512m or 2g"


def parse_memory(text: str) -> int | None:
    """``"512m"`` / ``"2g"`` -> bytes, as JVM ``-Xmx`` and Docker memory limits read them."""
    match = _SIZE.match(text.strip())
    if not match:
        return None
    return int(match.group(1)) * _SIZE_FACTORS[match.group(2).lower()]


def is_time_value(text: str) -> bool:
    """Elasticsearch time units (``7d``, ``12h``) as the API conventions page lists them.

    Lowercase only: Elasticsearch reads ``m`` case-sensitively (``30M`` is refused, since ``M``
    means months elsewhere in its APIs), so one rule for every unit is the safe one.
    """
    return bool(_TIME_VALUE.match(text))


def is_byte_size(text: str) -> bool:
    """Elasticsearch byte-size units (``5gb``, ``512mb``; any case, as Elasticsearch reads them).

    https://www.elastic.co/guide/en/elasticsearch/reference/8.19/api-conventions.html#byte-units
    """
    return bool(_BYTE_SIZE.match(text))


def describe(value: object) -> str:
    """A short rendering of a bad value for an error message, spelled as YAML would."""
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


class Section:
    """One mapping of the stack file at ``path``; typed getters record what they read."""

    def __init__(self, raw: object, path: str, problems: Problems) -> None:
        self.path = path
        self.problems = problems
        self._known: set[str] = set()
        if raw is None:
            raw = {}
        if not isinstance(raw, Mapping):
            problems.error(path, f"must be a mapping of keys to values, got {describe(raw)}")
            raw = {}
        self._raw: Mapping[str, Any] = raw

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def require(self, name: str, hint: str) -> None:
        """Record an error when a key without a sensible default is missing."""
        if self._raw.get(name) is None:
            self.error(name, f"is required; {hint}")

    def _get(self, name: str) -> Any:
        self._known.add(name)
        return self._raw.get(name)

    def error(self, name: str, message: str) -> None:
        self.problems.error(self.key(name), message)

    def str(
        self,
        name: str,
        default: str,
        *,
        allowed: Sequence[str] | None = None,
        pattern: re.Pattern[str] | None = None,
        what: str = "",
    ) -> str:
        value = self._get(name)
        if value is None:
            return default
        if not isinstance(value, str):
            self.error(name, f"must be a string, got {describe(value)}")
            return default
        if allowed is not None and value not in allowed:
            self.error(name, f"{describe(value)} is not allowed; use one of: {', '.join(allowed)}")
            return default
        if pattern is not None and not pattern.match(value):
            self.error(name, f"{describe(value)} is not valid; expected {what or pattern.pattern}")
            return default
        return value

    def int(self, name: str, default: int, *, low: int, high: int) -> int:
        value = self._get(name)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(name, f"must be a whole number from {low} to {high}, got {describe(value)}")
            return default
        if not low <= value <= high:
            self.error(name, f"{value} is out of range; allowed: {low} to {high}")
            return default
        return value

    def bool(self, name: str, default: bool) -> bool:
        value = self._get(name)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.error(name, f"must be true or false, got {describe(value)}")
            return default
        return value

    def memory(self, name: str, default: str) -> int:
        """A JVM/Docker size such as ``1g`` or ``512m``, returned in bytes."""
        value = self._get(name)
        text = default if value is None else value
        size = parse_memory(text) if isinstance(text, str) else None
        if size is None or size == 0:
            self.error(name, f"{describe(value)} is not a size; {MEMORY_HINT}")
            return parse_memory(default) or 0
        return size

    def time_value(self, name: str, default: str) -> str:
        return self._checked(name, default, is_time_value, TIME_VALUE_HINT)

    def byte_size(self, name: str, default: str) -> str:
        """Returned lowercase: Elasticsearch accepts any case, Logstash only lowercase."""
        return self._checked(name, default, is_byte_size, BYTE_SIZE_HINT).lower()

    def _checked(self, name: str, default: str, ok: Callable[[str], bool], what: str) -> str:
        value = self._get(name)
        if value is None:
            return default
        if not isinstance(value, str) or not ok(value):
            self.error(name, f"{describe(value)} is not {what}")
            return default
        return value

    def str_list(self, name: str, default: Sequence[str]) -> tuple[str, ...]:
        value = self._get(name)
        if value is None:
            return tuple(default)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.error(name, f"must be a list of strings, got {describe(value)}")
            return tuple(default)
        return tuple(value)

    def section(self, name: str) -> Section:
        return Section(self._get(name), self.key(name), self.problems)

    def sections(self, name: str, default: list[dict[str, Any]] | None = None, *, at_least_one: str = "") -> list[Section]:
        """A list of mappings, each read as its own section at ``name[i]``.

        ``at_least_one`` names the item when an empty list is an error (reported only for a
        list, so a non-list gives one error, not two).
        """
        value = self._get(name)
        if value is None:
            value = default or []
        if not isinstance(value, list):
            self.error(name, f"must be a list, got {describe(value)}")
            return []
        if not value and at_least_one:
            self.error(name, f"must list at least one {at_least_one}")
        return [Section(item, f"{self.key(name)}[{i}]", self.problems) for i, item in enumerate(value)]

    def finish(self) -> None:
        """Warn about keys nobody read: most often a typo of an allowed key."""
        unknown = sorted(set(self._raw) - self._known)
        for name in unknown:
            allowed = ", ".join(sorted(self._known)) or "(none)"
            self.problems.warn(self.key(name), f"unknown key is ignored; allowed keys here: {allowed}")

    def parse(self, build: Callable[[Section], T]) -> T:
        """Build a value from this section, then warn about unknown keys."""
        result = build(self)
        self.finish()
        return result
