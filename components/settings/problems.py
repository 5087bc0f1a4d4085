"""Collected settings problems, reported together before any resource is declared.

Why collect: an operator fixing ``Pulumi.prod.yaml`` should see every mistake in one run, each
line naming the file, the key path and what is allowed (habit taken from cfgv's error context).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One bad value: where it is and what would be right."""

    key: str
    message: str


class SettingsError(Exception):
    """Raised once, with every problem found, before the program declares a resource."""

    def __init__(self, stack_file: str, problems: list[Problem]) -> None:
        self.stack_file = stack_file
        self.problems = list(problems)
        lines = [f"{stack_file}: {p.key}: {p.message}" for p in problems]
        super().__init__(
            f"{len(problems)} invalid setting(s):\n  " + "\n  ".join(lines)
        )


_STEP = re.compile(r"[^.\[\]]+|\[\d+\]|\[\*\]")


def _steps(path: str) -> list[str]:
    return _STEP.findall(path)


def _related(key: str, pattern: str) -> bool:
    """``key`` is at, under or above ``pattern`` (``[*]`` matches any list index):
    ``elasticsearch.nodes[1].heap`` relates to ``elasticsearch.nodes[*].heap`` and to
    ``elasticsearch``, and ``elasticsearch.nodes`` (not a list) relates to both as their parent."""
    return all(p == k or (p == "[*]" and k.startswith("[")) for k, p in zip(_steps(key), _steps(pattern), strict=False))


@dataclass
class Problems:
    """The problems and warnings found while reading one stack file."""

    stack_file: str
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    read_keys: set[str] = field(default_factory=set)
    """Every key path the parser asked for (the settings schema is checked against it)."""
    broken_keys: list[str] = field(default_factory=list)
    """Keys whose value could not be read (the default stands in): rules reading them are skipped."""

    def error(self, key: str, message: str) -> None:
        self.errors.append(Problem(key, message))
        self.broken_keys.append(key)

    def unknown(self, key: str, message: str) -> None:
        """An unknown key is an error, but breaks no known value: the rules still run."""
        self.errors.append(Problem(key, message))

    def broken(self, patterns: tuple[str, ...]) -> bool:
        """True when a value at or under one of ``patterns`` failed to read (or a parent of one:
        a section that is not a mapping breaks everything under it)."""
        return any(_related(key, pattern) for key in self.broken_keys for pattern in patterns)

    def warn(self, key: str, message: str) -> None:
        self.warnings.append(Problem(key, message))

    def raise_if_any(self) -> None:
        if self.errors:
            raise SettingsError(self.stack_file, self.errors)

    def warning_lines(self) -> list[str]:
        return [f"{self.stack_file}: {w.key}: {w.message}" for w in self.warnings]
