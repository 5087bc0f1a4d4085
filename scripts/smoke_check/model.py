"""Result and settings types shared by the checks and the report."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Status(enum.Enum):
    """Outcome of one check; WARN still passes, SKIP does not (nothing was proven)."""

    PASS = "PASS"
    WARN = "WARN"
    FAIL = "FAIL"
    SKIP = "SKIP"

    @property
    def ok(self) -> bool:
        """True when this outcome lets the smoke check exit 0."""
        return self in (Status.PASS, Status.WARN)


@dataclass(frozen=True)
class CheckResult:
    """One row of the report table."""

    name: str
    status: Status
    detail: str


@dataclass(frozen=True)
class Settings:
    """Timing knobs; the tests shrink them to milliseconds."""

    deadline: float = 60.0
    interval: float = 1.0
    request_timeout: float = 10.0
