"""Render the pass/fail table and pick the exit code."""

from __future__ import annotations

from collections.abc import Sequence

from .model import CheckResult, Status

HEADER = ("CHECK", "RESULT", "DETAIL")
MASK = "********"


def render_table(results: Sequence[CheckResult]) -> str:
    """A plain-text table (check, result, detail) followed by a one-line verdict."""
    rows = [HEADER, *((r.name, r.status.value, r.detail) for r in results)]
    name_width = max(len(row[0]) for row in rows)
    status_width = max(len(row[1]) for row in rows)
    lines = [f"{name:<{name_width}}  {status:<{status_width}}  {detail}".rstrip() for name, status, detail in rows]
    return "\n".join([*lines, "", verdict(results)])


def verdict(results: Sequence[CheckResult]) -> str:
    """``smoke check: PASS`` or ``FAIL``, with counts per outcome."""
    counts = {status: sum(r.status is status for r in results) for status in Status}
    summary = ", ".join(f"{n} {s.value.lower()}" for s, n in counts.items() if n)
    word = "PASS" if all_passed(results) else "FAIL"
    return f"smoke check: {word} ({summary})"


def all_passed(results: Sequence[CheckResult]) -> bool:
    """True when every row passed (warnings included) and there was at least one row."""
    return bool(results) and all(r.status.ok for r in results)


def redact(text: str, secret: str) -> str:
    """Mask every occurrence of ``secret``: the last line of defence against leaking it."""
    return text.replace(secret, MASK) if secret else text
