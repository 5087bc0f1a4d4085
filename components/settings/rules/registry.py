"""The rule registry: each rule is a small named function that records problems, registered with
the settings it reads.

Kept apart from reading so each rule can be named, listed and tested on its own (habit from
ECK's validations.go). ``@rule(...)`` registers a rule in the order its module is imported
(``rules/__init__.py``), so a rule that is written is a rule that runs: there is no hand-kept list
to forget it in.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from components.settings.model import StackSettings
from components.settings.problems import Problems

Rule = Callable[[StackSettings, Problems], None]
#: Every registered rule, in registration order (the order problems are reported in).
RULES: list[Rule] = []
#: The settings each rule reads (key paths); a rule is skipped when one of them failed to read,
#: so a default standing in for a bad value never yields a second, misleading error.
RULE_INPUTS: dict[str, tuple[str, ...]] = {}


def rule(*keys: str) -> Callable[[Rule], Rule]:
    """Register a rule that reads ``keys`` (key paths, ``[*]`` for every list item)."""
    def register(fn: Rule) -> Rule:
        if fn.__name__ in RULE_INPUTS:
            raise ValueError(f"two settings rules are named {fn.__name__}")
        RULE_INPUTS[fn.__name__] = keys
        RULES.append(fn)
        return fn

    return register


_TIME_FACTORS = {"nanos": 1e-9, "micros": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600, "d": 86400}
_TIME = re.compile(r"^(\d+)(nanos|micros|ms|s|m|h|d)$")


def seconds(time_value: str) -> float:
    """An Elasticsearch time value (already validated) in seconds, for ordering checks."""
    match = _TIME.match(time_value)
    assert match, time_value
    return int(match.group(1)) * _TIME_FACTORS[match.group(2)]


def size_text(size: int) -> str:
    """Bytes as the largest whole g/m/k unit, so a suggested value can be pasted back (2560m, not 2.5g)."""
    for unit, factor in (("g", 1024**3), ("m", 1024**2), ("k", 1024)):
        if size >= factor and size % factor == 0:
            return f"{size // factor}{unit}"
    return f"{size // 1024}k"
