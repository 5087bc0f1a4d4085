"""Flatten a parsed Beats YAML document into the key paths the contracts in tests/contracts list.

Beats read ``a.b: 1`` and ``a: {b: 1}`` alike (dotted keys are paths), so both flatten to ``a.b``.
An item of ``filebeat.inputs`` or ``parsers`` is ``[]``; an item of ``metricbeat.modules`` is
``[<module>]``, because what a module accepts depends on the module. A list of scalars is a leaf.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

CONTRACTS = Path(__file__).resolve().parent.parent / "contracts"


def contract(name: str) -> dict[str, Any]:
    return json.loads((CONTRACTS / f"{name}_8.19.json").read_text())


def leaves(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(key path, value) of every leaf."""
    if isinstance(value, dict):
        for key, child in value.items():
            yield from leaves(child, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        for item in value:
            marker = f"[{item['module']}]" if prefix.endswith("metricbeat.modules") else "[]"
            yield from leaves(item, prefix + marker)
    else:
        yield prefix, value


def unknown_keys(document: dict[str, Any], keys: dict[str, Any]) -> list[str]:
    return sorted({path for path, _ in leaves(document)} - set(keys))


def bad_values(document: dict[str, Any], keys: dict[str, Any]) -> list[str]:
    """Values outside a key's documented enumeration (lists: every element)."""
    out = []
    for path, value in leaves(document):
        allowed = keys.get(path, {}).get("values")
        if allowed is None:
            continue
        for v in value if isinstance(value, list) else [value]:
            if v not in allowed:
                out.append(f"{path}={v!r}")
    return out
