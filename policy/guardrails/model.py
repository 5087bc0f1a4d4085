"""What a guardrail sees: resources as plain data, with unknown and secret values marked.

Two adapters build these: the policy pack (from what the Pulumi engine hands an analyzer) and the
rendered preview (from what the mock runtime recorded). Rules never see either source, so the
same pure function runs under both. No pulumi, no pulumi-policy import here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

#: The engine's wire markers (pulumi SDK ``runtime/rpc.py`` and pulumi-policy ``proxy.py``).
SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
UNKNOWN_SENTINELS = frozenset({
    "04da6b54-80e4-46f7-96ec-b56ff0331ba9",  # string (also what the Python SDK sends for any unknown)
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",  # boolean
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421",  # number
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",  # array
    "030794c1-ac77-496b-92df-f27374a8bd58",  # asset
    "e48ece36-62e2-4504-bad9-02848725956a",  # archive
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",  # object
})


class _Unknown:
    """A value the engine does not know yet (a preview before the resource exists)."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Any = _Unknown()


def is_unknown(value: object) -> bool:
    return value is UNKNOWN


@dataclass(frozen=True)
class Resource:
    """One registered resource as a guardrail sees it."""

    type: str
    name: str
    urn: str
    props: Mapping[str, Any]
    """Plain inputs; unknown values are ``UNKNOWN``, secret wrappers removed."""
    secret_paths: frozenset[str] | None = None
    """Dotted paths (``envs``, ``uploads[3].content``) that arrived secret; None when the source
    cannot tell (then rules about secrecy skip this resource rather than guess)."""
    parent: str = ""
    dependencies: tuple[str, ...] = ()
    protect: bool = False
    retain_on_delete: bool | None = None
    """None when the source does not say (pulumi-policy exposes ``protect`` but not this)."""
    provider: str = ""
    custom: bool = True
    """False for component resources (they group children and have no inputs of their own)."""

    def is_secret(self, path: str) -> bool | None:
        """True when ``path`` or one of its ancestors arrived secret; None when unknowable."""
        if self.secret_paths is None:
            return None
        return any(path == p or path.startswith(p + ".") or path.startswith(p + "[") for p in self.secret_paths)


@dataclass(frozen=True)
class Violation:
    rule: str
    message: str
    urn: str = ""
    """The offending resource; empty for a violation of the stack as a whole."""


@dataclass
class Findings:
    """What one rule reports: violations, and what it could not check (unknown at preview)."""

    violations: list[Violation] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def from_wire(value: Any, path: str = "") -> tuple[Any, set[str]]:
    """A serialized property value -> (plain value with ``UNKNOWN`` markers, secret paths)."""
    secrets: set[str] = set()
    if isinstance(value, str) and value in UNKNOWN_SENTINELS:
        return UNKNOWN, secrets
    if isinstance(value, Mapping):
        if value.get(SECRET_SIG_KEY) == SECRET_SIG:
            inner, nested = from_wire(value.get("value"), path)
            return inner, {path, *nested}
        out = {}
        for key, item in value.items():
            out[key], nested = from_wire(item, f"{path}.{key}" if path else str(key))
            secrets |= nested
        return out, secrets
    if isinstance(value, list):
        items = []
        for i, item in enumerate(value):
            plain, nested = from_wire(item, f"{path}[{i}]")
            items.append(plain)
            secrets |= nested
        return items, secrets
    if isinstance(value, float) and value.is_integer():
        # The wire carries every number as a double; ports and sizes read better as ints.
        return int(value), secrets
    return value, secrets


def stack_of(urn: str) -> str:
    """``urn:pulumi:<stack>::<project>::<type>::<name>`` -> the stack name."""
    parts = urn.split(":")
    return parts[2] if len(parts) > 2 and parts[0] == "urn" else ""


def walk_strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every known string in a plain value, with its dotted path."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from walk_strings(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from walk_strings(item, f"{path}[{i}]")
    elif isinstance(value, str):
        yield path, value
