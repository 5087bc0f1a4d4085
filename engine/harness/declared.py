"""What the program declared, as the engine recorded it in the state (not re-derived by tests).

``pulumi stack export --show-secrets`` holds each resource's inputs exactly as the engine got
them from the program; tests compare what Docker did with these. The plaintext export stays in
memory: nothing here prints or writes it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from engine.harness.stacks import EngineStack

CONTAINER = "docker:index/container:Container"
VOLUME = "docker:index/volume:Volume"
NETWORK = "docker:index/network:Network"


@dataclass(frozen=True)
class Declared:
    type: str
    urn: str
    name: str
    inputs: dict[str, Any] = field(repr=False)
    """As the state holds them, secrets unwrapped (uploads of keys and passwords): not in the repr."""
    protect: bool
    retain_on_delete: bool
    provider: str = ""
    """The state's provider reference (``<provider urn>::<id>``); empty for components."""

    @property
    def resource_name(self) -> str:
        return self.urn.rsplit("::", 1)[-1]


def docker_host_of(resource: Declared, resources: list[Declared]) -> str:
    """The ``host`` URL of the docker provider that manages ``resource`` (its provider resource's inputs)."""
    provider_urn = resource.provider.rsplit("::", 1)[0]
    (provider,) = [r for r in resources if r.urn == provider_urn]
    return str(provider.inputs["host"])


SECRET_SIG = "4dabf18193072939515e22adb298388d"


def unwrap(value: Any) -> Any:  # noqa: ANN401 - state values are any JSON
    """Plain values under the export's secret envelopes (``--show-secrets`` puts the JSON text in ``plaintext``)."""
    if isinstance(value, dict):
        if SECRET_SIG in value:
            return unwrap(json.loads(value["plaintext"])) if "plaintext" in value else value
        return {k: unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap(v) for v in value]
    return value


def declared_resources(stack: EngineStack) -> list[Declared]:
    exported = json.loads(stack.cli("stack", "export", "--show-secrets").stdout)
    out = []
    for res in exported["deployment"].get("resources", []):
        inputs = unwrap(res.get("inputs", {}))
        out.append(Declared(
            type=res["type"], urn=res["urn"], name=str(inputs.get("name", "")), inputs=inputs,
            protect=bool(res.get("protect", False)), retain_on_delete=bool(res.get("retainOnDelete", False)),
            provider=str(res.get("provider", "")),
        ))
    return out


def of_type(resources: list[Declared], type_: str) -> list[Declared]:
    return [r for r in resources if r.type == type_]
