"""The mock runtime's registrations as guardrail resources (``policy.guardrails.model``)."""

from __future__ import annotations

from components.preview.mock_run import Registration, Run
from policy.guardrails.model import Resource, from_wire


def as_resource(r: Registration) -> Resource:
    """Inputs as the engine received them: secret wrappers become ``secret_paths``, unknowns ``UNKNOWN``."""
    props, secret_paths = from_wire(r.raw)
    return Resource(
        type=r.type,
        name=r.name,
        urn=r.urn,
        props=props,
        secret_paths=frozenset(secret_paths),
        parent=r.parent,
        dependencies=tuple(r.dependencies),
        protect=r.protect,
        retain_on_delete=r.retain_on_delete,
        provider=r.provider,
        custom=r.custom,
    )


def as_resources(run: Run) -> list[Resource]:
    return [as_resource(r) for r in run.resources]
