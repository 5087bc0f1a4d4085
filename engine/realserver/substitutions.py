"""Make a provider request sendable to the integ-test build, recording every change it needs.

Only two kinds of change exist, both listed in ``absent_modules``: a mapping type of an absent
mapper becomes its nearest core type with only that type's own parameters dropped, and an index
setting of an absent module is removed. Everything else in the body reaches the real server, which
checks it. Nothing is changed without a ``Substitution`` record, which the tests print.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from engine.realserver.absent_modules import TYPE_SUBSTITUTES, absent_setting
from engine.realserver.provider_requests import ProviderRequest


@dataclass(frozen=True)
class Substitution:
    resource: str
    where: str
    """Path inside the body, e.g. ``template.mappings.properties.bid``."""
    change: str
    module: str

    def line(self) -> str:
        return f"{self.resource}: {self.where}: {self.change} (module {self.module} is absent from this build)"


def _walk_mapping(node: Any, where: str, resource: str, out: list[Substitution]) -> None:
    if isinstance(node, dict):
        field_type = node.get("type")
        if isinstance(field_type, str) and field_type in TYPE_SUBSTITUTES:
            sub = TYPE_SUBSTITUTES[field_type]
            dropped = sorted(p for p in sub.own_parameters if p in node)
            for p in dropped:
                del node[p]
            node["type"] = sub.core_type
            extra = f", dropped its own {', '.join(dropped)}" if dropped else ""
            out.append(Substitution(resource, where, f"type {field_type} -> {sub.core_type}{extra}", sub.module))
        for key, value in node.items():
            _walk_mapping(value, f"{where}.{key}", resource, out)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            _walk_mapping(value, f"{where}[{i}]", resource, out)


def _strip_settings(settings: dict[str, Any], where: str, resource: str, out: list[Substitution]) -> None:
    for key in sorted(settings):
        absent = absent_setting(key)
        if absent is not None:
            out.append(Substitution(resource, f"{where}.{key}", f"setting removed (value {settings[key]!r})", absent.module))
            del settings[key]


def for_real_server(req: ProviderRequest) -> tuple[ProviderRequest, list[Substitution]]:
    """A copy of ``req`` this build can parse, and the list of what was changed for it."""
    body = copy.deepcopy(req.body)
    done: list[Substitution] = []
    template = body.get("template")
    if isinstance(template, dict):
        if "mappings" in template:
            _walk_mapping(template["mappings"], "template.mappings", req.resource, done)
        if "settings" in template:
            _strip_settings(template["settings"], "template.settings", req.resource, done)
    changed = ProviderRequest(req.resource, req.type, req.method, req.path, body, req.source)
    return changed, done


def substitute_mapping_types(mappings: dict[str, Any]) -> dict[str, Any]:
    """The mapping types a real-server index ends up with (for comparing ``_mapping`` answers)."""
    out = copy.deepcopy(mappings)
    _walk_mapping(out, "", "", [])
    return out
