"""Finds secret values that escaped their secret wrapper in serialized inputs or outputs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tests.program import SECRET_SIG, Run


def plain_strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every string not inside a secret wrapper, with its path."""
    if isinstance(value, dict):
        if SECRET_SIG in value:
            return
        for key, item in value.items():
            yield from plain_strings(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from plain_strings(item, f"{path}[{i}]")
    elif isinstance(value, str):
        yield path, value


def leaks(run: Run) -> list[str]:
    found = []
    sources = [(r.urn, r.raw) for r in run.resources] + [("stack outputs", run.stack_outputs_raw)]
    for where, raw in sources:
        for path, text in plain_strings(raw):
            for secret in run.secret_values:
                if secret in text:
                    found.append(f"{where}{path}")
    return sorted(set(found))
