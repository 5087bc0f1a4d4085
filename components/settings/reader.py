"""Typed reads from the raw YAML values of a stack file, recording problems instead of raising.

Each ``Section`` wraps one mapping at a key path. Reading a key records it as known; a key a
section never read is an *error* naming the allowed keys and the closest one (a typo like
``heapsize`` must never leave a prod setting at its default). A bad value records a problem
and returns the default, so one run reports every mistake; the rules that would read that value
are then skipped (``Problems.broken``), so a default never produces a second, misleading error.

Strings are refused when they hold control characters or newlines: every value ends up in a
rendered file (YAML, JVM options, a Logstash pipeline) or a Docker name, where a newline would
inject a line of its own. Values of a section that holds a secret are never echoed.
"""

from __future__ import annotations

import difflib
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
CONTROL_CHARACTERS = "holds a control character or a line break; it is written into rendered files and names, write it on one line"
ZERO = "{value} is zero; use a value above 0"
SECRET_SHOWN_AS = "(the secret value)"
#: C0 controls and DEL: a newline in a JVM option or a YAML value would start a new line there.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_ZERO = re.compile(r"^0+[a-z]+$", re.IGNORECASE)


def has_control_characters(text: str) -> bool:
    return bool(_CONTROL.search(text))


def did_you_mean(name: str, allowed: Sequence[str]) -> str:
    """`` (did you mean 'heap'?)`` for a near miss, else nothing (difflib's ratio, cutoff 0.6)."""
    close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


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

    def __init__(
        self, raw: object, path: str, problems: Problems, *, secret: bool = False, secret_keys: frozenset[str] = frozenset()
    ) -> None:
        self.path = path
        self.problems = problems
        self.secret = secret
        """Inside a top-level key set with ``--secret``: values are never echoed."""
        self._secret_keys = secret_keys
        """On the top section: the top-level keys set with ``--secret``."""
        self._known: set[str] = set()
        if raw is None:
            raw = {}
        if not isinstance(raw, Mapping):
            problems.error(path, f"must be a mapping of keys to values, got {self.show(raw)}")
            raw = {}
        self._raw: Mapping[str, Any] = raw

    def show(self, value: object, name: str = "") -> str:
        """``describe`` for messages; a secret's value (this section's, or key ``name``'s on
        the top section) is never echoed."""
        return SECRET_SHOWN_AS if self.is_secret(name) else describe(value)

    def is_secret(self, name: str) -> bool:
        return self.secret or name in self._secret_keys

    def _child(self, raw: object, path: str, name: str) -> Section:
        return Section(raw, path, self.problems, secret=self.is_secret(name))

    def given(self, name: str) -> bool:
        """The stack file sets this key (for rules about combinations the operator chose)."""
        return self._raw.get(name) is not None

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def require(self, name: str, hint: str) -> None:
        """Record an error when a key without a sensible default is missing."""
        if self._raw.get(name) is None:
            self.error(name, f"is required; {hint}")

    def _get(self, name: str) -> Any:
        self._known.add(name)
        self.problems.read_keys.add(self.key(name))
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
            self.error(name, f"must be a string, got {self.show(value, name)}")
            return default
        if has_control_characters(value):
            self.error(name, CONTROL_CHARACTERS)
            return default
        if allowed is not None and value not in allowed:
            self.error(name, f"{self.show(value, name)} is not allowed; use one of: {', '.join(allowed)}")
            return default
        if pattern is not None and not pattern.fullmatch(value):
            self.error(name, f"{self.show(value, name)} is not valid; expected {what or pattern.pattern}")
            return default
        return value

    def int(self, name: str, default: int, *, low: int, high: int) -> int:
        value = self._get(name)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(name, f"must be a whole number from {low} to {high}, got {self.show(value, name)}")
            return default
        if not low <= value <= high:
            self.error(name, f"{self.show(value, name)} is out of range; allowed: {low} to {high}")
            return default
        return value

    def bool(self, name: str, default: bool) -> bool:
        value = self._get(name)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.error(name, f"must be true or false, got {self.show(value, name)}")
            return default
        return value

    def memory(self, name: str, default: str) -> int:
        """A JVM/Docker size such as ``1g`` or ``512m``, returned in bytes."""
        value = self._get(name)
        text = default if value is None else value
        size = parse_memory(text) if isinstance(text, str) else None
        if size is None or size == 0:
            self.error(name, f"{self.show(value, name)} is not a size; {MEMORY_HINT}")
            return parse_memory(default) or 0
        return size

    def time_value(self, name: str, default: str) -> str:
        """Never zero: a zero rollover age, retention or refresh is refused by Elasticsearch or
        means "at once", which no setting of ours wants."""
        return self._checked(name, default, is_time_value, TIME_VALUE_HINT)

    def byte_size(self, name: str, default: str) -> str:
        """Returned lowercase: Elasticsearch accepts any case, Logstash only lowercase. Never zero."""
        return self._checked(name, default, is_byte_size, BYTE_SIZE_HINT).lower()

    def _checked(self, name: str, default: str, ok: Callable[[str], bool], what: str) -> str:
        value = self._get(name)
        if value is None:
            return default
        if not isinstance(value, str) or not ok(value):
            self.error(name, f"{self.show(value, name)} is not {what}")
            return default
        if _ZERO.match(value):
            self.error(name, ZERO.format(value=self.show(value, name)))
            return default
        return value

    def str_list(self, name: str, default: Sequence[str]) -> tuple[str, ...]:
        value = self._get(name)
        if value is None:
            return tuple(default)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.error(name, f"must be a list of strings, got {self.show(value, name)}")
            return tuple(default)
        bad = [i for i, v in enumerate(value) if has_control_characters(v)]
        for i in bad:
            self.problems.error(f"{self.key(name)}[{i}]", CONTROL_CHARACTERS)
        return tuple(v for i, v in enumerate(value) if i not in bad)

    def section(self, name: str) -> Section:
        return self._child(self._get(name), self.key(name), name)

    def sections(self, name: str, default: list[dict[str, Any]] | None = None, *, at_least_one: str = "") -> list[Section]:
        """A list of mappings, each read as its own section at ``name[i]``.

        ``at_least_one`` names the item when an empty list is an error (reported only for a
        list, so a non-list gives one error, not two).
        """
        value = self._get(name)
        if value is None:
            value = default or []
        if not isinstance(value, list):
            self.error(name, f"must be a list, got {self.show(value, name)}")
            return []
        if not value and at_least_one:
            self.error(name, f"must list at least one {at_least_one}")
        return [self._child(item, f"{self.key(name)}[{i}]", name) for i, item in enumerate(value)]

    def finish(self) -> None:
        """Refuse keys nobody read: most often a typo of an allowed key, which must never leave
        a setting at its default. The error names the closest allowed key and all of them."""
        allowed_keys = sorted(self._known)
        for name in sorted(set(self._raw) - self._known, key=str):
            allowed = ", ".join(allowed_keys) or "(none)"
            hint = did_you_mean(str(name), allowed_keys)
            self.problems.unknown(self.key(str(name)), f"unknown key{hint}; allowed keys here: {allowed}")

    def parse(self, build: Callable[[Section], T]) -> T:
        """Build a value from this section, then refuse unknown keys."""
        result = build(self)
        self.finish()
        return result
