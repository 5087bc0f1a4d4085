"""The real stacks as guardrail resources, and small edits of them for the failing cases.

Every failing case starts from the real prod (or dev) stack and changes one thing, so a rule is
shown to catch exactly that change and to pass the stack as the program builds it.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from typing import Any

from components.preview.resources import as_resources
from policy.guardrails.model import Resource
from tests.conftest import cached_run


def stack(name: str, preview: bool = False) -> list[Resource]:
    return as_resources(cached_run(name, preview))


def edit(resources: list[Resource], name: str, change: Callable[[dict[str, Any]], None], **fields: Any) -> list[Resource]:
    """A copy of ``resources`` where resource ``name`` has ``change`` applied to a deep copy of its props."""
    out, hit = [], False
    for r in resources:
        if r.name == name:
            props = copy.deepcopy(dict(r.props))
            change(props)
            r = dataclasses.replace(r, props=props, **fields)
            hit = True
        out.append(r)
    assert hit, f"no resource named {name!r}"
    return out


def set_upload(path_suffix: str, text: Any) -> Callable[[dict[str, Any]], None]:
    def change(props: dict[str, Any]) -> None:
        matches = [u for u in props["uploads"] if u["file"].endswith(path_suffix)]
        assert len(matches) == 1, path_suffix
        matches[0]["content"] = text

    return change


def upload_text(resources: list[Resource], name: str, path_suffix: str) -> str:
    r = next(r for r in resources if r.name == name)
    return next(u["content"] for u in r.props["uploads"] if u["file"].endswith(path_suffix))


def replace_in_upload(resources: list[Resource], name: str, path_suffix: str, old: str, new: str) -> list[Resource]:
    text = upload_text(resources, name, path_suffix)
    assert old in text, old
    return edit(resources, name, set_upload(path_suffix, text.replace(old, new)))


def set_env(var: str, value: str) -> Callable[[dict[str, Any]], None]:
    def change(props: dict[str, Any]) -> None:
        props["envs"] = [e for e in props["envs"] if not e.startswith(var + "=")] + [f"{var}={value}"]

    return change


def messages(findings: Any) -> list[str]:
    return [v.message for v in findings.violations]
