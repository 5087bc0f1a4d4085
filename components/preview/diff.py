"""What a change does to the rendered files: a unified diff of two rendered-preview folders."""

from __future__ import annotations

import difflib
from pathlib import Path


def tree_files(root: Path) -> dict[str, str]:
    if not root.is_dir():
        return {}
    return {p.relative_to(root).as_posix(): p.read_text() for p in sorted(root.rglob("*")) if p.is_file()}


def diff_dirs(before: Path, after: Path) -> str:
    """``diff -ru before after`` in Python (no external tool on CI runners needed); '' when equal."""
    old, new = tree_files(before), tree_files(after)
    chunks = []
    for path in sorted(set(old) | set(new)):
        a, b = old.get(path), new.get(path)
        if a == b:
            continue
        chunks.extend(difflib.unified_diff(
            (a or "").splitlines(keepends=True),
            (b or "").splitlines(keepends=True),
            fromfile=f"{before.name}/{path}" if a is not None else "/dev/null",
            tofile=f"{after.name}/{path}" if b is not None else "/dev/null",
        ))
        if chunks and not chunks[-1].endswith("\n"):
            chunks[-1] += "\n"
    return "".join(chunks)
