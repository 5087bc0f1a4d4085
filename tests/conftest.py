"""Whole-program runs are cached per (stack, preview): each takes about a second."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.program import Run, run_program  # noqa: E402

_CACHE: dict[tuple[str, bool], Run] = {}


def cached_run(stack: str, preview: bool = False) -> Run:
    key = (stack, preview)
    if key not in _CACHE:
        _CACHE[key] = run_program(stack, preview=preview)
    return _CACHE[key]


@pytest.fixture(scope="session")
def dev() -> Run:
    return cached_run("dev")


@pytest.fixture(scope="session")
def prod() -> Run:
    return cached_run("prod")
