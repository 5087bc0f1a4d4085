"""Collected settings problems, reported together before any resource is declared.

Why collect: an operator fixing ``Pulumi.prod.yaml`` should see every mistake in one run, each
line naming the file, the key path and what is allowed (habit taken from cfgv's error context).
"""

from __future__ import annotations

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


@dataclass
class Problems:
    """The problems and warnings found while reading one stack file."""

    stack_file: str
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def error(self, key: str, message: str) -> None:
        self.errors.append(Problem(key, message))

    def warn(self, key: str, message: str) -> None:
        self.warnings.append(Problem(key, message))

    def raise_if_any(self) -> None:
        if self.errors:
            raise SettingsError(self.stack_file, self.errors)

    def warning_lines(self) -> list[str]:
        return [f"{self.stack_file}: {w.key}: {w.message}" for w in self.warnings]
