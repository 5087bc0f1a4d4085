"""Secrets out of everything the rendered preview writes.

Two nets: whatever arrived as a secret input (the engine's secret wrapper, which the mock
runtime records) is replaced as a whole, and every secret value the mocks generated is
replaced wherever else it appears, so a leak into a plain file shows as ``[secret]`` and is
reported by the policy rather than written out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from policy.guardrails.model import Resource, is_unknown
from policy.guardrails.rules_containers import secret_shaped_env

SECRET = "[secret]"
UNKNOWN_TEXT = "[unknown until up]"


class Redactor:
    def __init__(self, secret_values: Iterable[str]) -> None:
        # Longest first: a PEM block goes before the key line inside it.
        self.values = sorted({v for v in secret_values if v}, key=len, reverse=True)

    def text(self, text: str) -> str:
        for value in self.values:
            text = text.replace(value, SECRET)
        return text

    def props(self, resource: Resource) -> Any:
        """The resource's props with secret inputs and secret values replaced, unknowns spelt out."""
        return self._value(resource.props, "", resource)

    def envs(self, resource: Resource) -> list[str]:
        """``NAME=value`` lines; names stay readable, a value is shown only when the variable's name
        is not secret-shaped and it holds no generated secret (even inside a secret env list)."""
        envs = resource.props.get("envs")
        if not isinstance(envs, list):
            return []
        out = []
        for entry in envs:
            name, _, value = str(entry).partition("=")
            hidden = secret_shaped_env(name) or not isinstance(entry, str)
            out.append(f"{name}={SECRET if hidden else self.text(value)}")
        return out

    def _value(self, value: Any, path: str, resource: Resource) -> Any:
        if path and resource.is_secret(path):
            return SECRET
        if is_unknown(value):
            return UNKNOWN_TEXT
        if isinstance(value, Mapping):
            return {k: self._value(v, f"{path}.{k}" if path else str(k), resource) for k, v in value.items()}
        if isinstance(value, list):
            return [self._value(v, f"{path}[{i}]", resource) for i, v in enumerate(value)]
        if isinstance(value, str):
            return self.text(value)
        return value
