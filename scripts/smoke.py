#!/usr/bin/env python3
"""Smoke-check the deployed MT4 ELK stack after ``pulumi up`` (standard library only).

Usage: ``python scripts/smoke.py [--stack NAME | --outputs-file PATH] [--timeout SECONDS]``.
See ``scripts/SMOKE.md``. ``main(argv) -> int`` is importable so tests run it in-process.
"""

from __future__ import annotations

import sys
from pathlib import Path

_SCRIPTS_DIR = str(Path(__file__).resolve().parent)
if _SCRIPTS_DIR not in sys.path:  # imported by path (tests), not run as a script
    sys.path.insert(0, _SCRIPTS_DIR)

from smoke_check.cli import main  # noqa: E402

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
