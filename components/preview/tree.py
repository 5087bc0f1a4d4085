"""The resource tree as text: type, name, options, dependencies and key settings per resource.

Children are sorted by name (not registration order, which async resolution may shuffle), so
two runs of the same stack file print the same tree.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from components.preview.redact import Redactor
from policy.guardrails.model import Resource

#: Values longer than this are shown by size; the files/ and api/ folders hold them whole.
_SHORT = 100


def render_tree(resources: list[Resource], redactor: Redactor) -> str:
    by_urn = {r.urn: r for r in resources}
    children: dict[str, list[Resource]] = {}
    for r in resources:
        parent = r.parent if r.parent in by_urn else ""
        children.setdefault(parent, []).append(r)
    lines: list[str] = []

    def visit(urn: str, depth: int) -> None:
        for r in sorted(children.get(urn, []), key=lambda x: (x.name, x.type)):
            lines.extend(_describe(r, depth, by_urn, redactor))
            visit(r.urn, depth + 1)

    visit("", 0)
    return "\n".join(lines) + "\n"


def _describe(r: Resource, depth: int, by_urn: Mapping[str, Resource], redactor: Redactor) -> list[str]:
    pad = "  " * depth
    flags = [f for f, on in (("protect", r.protect), ("retain_on_delete", r.retain_on_delete)) if on]
    head = f"{pad}{r.name}  [{r.type}]" + (f"  {{{', '.join(flags)}}}" if flags else "")
    out = [head]
    deps = sorted(by_urn[d].name if d in by_urn else d for d in r.dependencies)
    if deps:
        out.append(f"{pad}    depends on: {', '.join(deps)}")
    if r.provider and r.custom:
        out.append(f"{pad}    provider: {_provider_name(r.provider)}")
    if r.custom:
        props = dict(redactor.props(r))
        if isinstance(r.props.get("envs"), list):
            props["envs"] = redactor.envs(r)
        out += [f"{pad}    {line}" for line in key_settings(props)]
    return out


def _provider_name(reference: str) -> str:
    """``urn:...::name::id`` -> name."""
    urn = reference.split("::")
    return urn[-2] if len(urn) >= 2 else reference


def key_settings(props: Mapping[str, Any]) -> list[str]:
    """One line per input: short values whole, long ones by size, uploads as path and mode."""
    lines = []
    for key in sorted(props):
        value = props[key]
        if key == "__provider":
            continue
        if key == "uploads" and isinstance(value, list):
            lines.append("uploads: " + ", ".join(f"{u.get('file')} ({u.get('permissions')})" for u in value if isinstance(u, Mapping)))
            continue
        text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, separators=(",", ":"))
        if len(text) > _SHORT:
            # A digest, so a changed long value still shows as a changed line in a tree diff.
            digest = hashlib.sha256(text.encode()).hexdigest()[:12]
            text = f"<{len(text.splitlines()) or 1} line(s), {len(text)} chars, sha256 {digest}>"
        lines.append(f"{key}: {text}")
    return lines
