"""pulumi-policy's ``PolicyResource`` -> guardrail ``Resource``, without importing pulumi-policy.

pulumi-policy hands props through a proxy that raises on unknown values; the proxies expose
their plain target under the ``"__target"`` key, and unknowns stay as the engine's sentinel
strings there, which ``from_wire`` turns into ``UNKNOWN``. pulumi-policy drops secret markers
before a policy sees props unless the pack keeps the wire form (``wire_props``); without it
``secret_paths`` is None and rules about secrecy skip. ``retain_on_delete`` is not exposed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .model import Resource, from_wire


def plain(value: Any) -> Any:
    """Undo pulumi-policy's proxies (dict/list wrappers) recursively."""
    if isinstance(value, Mapping) or (hasattr(value, "__getitem__") and hasattr(value, "__len__") and not isinstance(value, str | bytes)):
        try:
            target = value["__target"]
        except (KeyError, TypeError, IndexError):
            target = value
        if isinstance(target, Mapping):
            return {k: plain(v) for k, v in target.items()}
        if isinstance(target, list | tuple):
            return [plain(v) for v in target]
    return value


def as_resource(policy_resource: Any, *, wire_props: bool = False) -> Resource:
    """``wire_props``: the props are the engine's serialized form (secret wrappers kept, as the
    pack arranges in ``policy/__main__.py``), so which inputs are secret is known."""
    props, secret_paths = from_wire(plain(policy_resource.props))
    opts = policy_resource.opts
    parent = getattr(policy_resource, "parent", None)
    return Resource(
        type=policy_resource.resource_type,
        name=policy_resource.name,
        urn=policy_resource.urn,
        props=props,
        secret_paths=frozenset(secret_paths) if wire_props else None,
        parent=getattr(parent, "urn", "") or "",
        dependencies=tuple(getattr(d, "urn", "") for d in getattr(policy_resource, "dependencies", []) or []),
        protect=bool(getattr(opts, "protect", False)),
        retain_on_delete=None,
    )
