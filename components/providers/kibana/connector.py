"""Kibana connectors (``/api/actions/connector``, 8.19) the error alert sends through.

``connector_type_id`` cannot change on update (the API takes only name, config and secrets),
so it forces replacement. Create with an id that already exists answers 409: the connector is
adopted (updated to our values). https://www.elastic.co/guide/en/kibana/8.19/create-connector-api.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
from pulumi.dynamic import Resource

from components.providers.kibana.base import KibanaObjectProvider, by_value


class ConnectorProvider(KibanaObjectProvider):
    """Inputs: ``object_id``, ``space``, ``connection``, ``connector_type_id``, ``name``,
    ``config``, ``secrets`` (``{}`` for ``.index`` and ``.server-log``; never read back)."""

    KIND = "connector"
    OWNED = ("name", "config", "secrets")
    REPLACE_ON = ("space", "object_id", "connector_type_id")
    BASE = "/api/actions/connector"

    def fetch(self, client: Any, props: dict[str, Any]) -> dict[str, Any] | None:
        from urllib.parse import quote

        status, body = client.call("GET", f"{ConnectorProvider.BASE}/{quote(props['object_id'])}", ok=(200, 404))
        if status == 404:
            return None
        body = body if isinstance(body, dict) else {}
        if body.get("connector_type_id") != props["connector_type_id"]:
            raise RuntimeError(
                f"connector {props['object_id']!r} exists in Kibana as type {body.get('connector_type_id')!r}, "
                f"not {props['connector_type_id']!r}; delete it in Kibana or choose another id"
            )
        # Kibana never returns secrets: what we sent is what it holds.
        return {"name": body.get("name"), "config": KibanaObjectProvider.project(props["config"], body.get("config") or {}),
                "secrets": props.get("secrets", {})}

    def write(self, client: Any, props: dict[str, Any], exists: bool) -> None:
        from urllib.parse import quote

        path = f"{ConnectorProvider.BASE}/{quote(props['object_id'])}"
        body = {"name": props["name"], "config": props["config"], "secrets": props.get("secrets", {})}
        if not exists:
            status, _ = client.call("POST", path, {**body, "connector_type_id": props["connector_type_id"]}, ok=(200, 409))
            if status == 200:
                return
        client.call("PUT", path, body)

    def remove(self, client: Any, props: dict[str, Any]) -> None:
        from urllib.parse import quote

        client.call("DELETE", f"{ConnectorProvider.BASE}/{quote(props['object_id'])}", ok=(200, 204, 404))


class Connector(Resource, module="kibana", name="Connector"):
    def __init__(
        self,
        name: str,
        *,
        object_id: str,
        connector_type_id: str,
        display_name: str,
        config: Mapping[str, Any],
        connection: Mapping[str, Any],
        secrets: Mapping[str, Any] | None = None,
        space: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            "object_id": object_id, "space": space, "connection": dict(connection),
            "connector_type_id": connector_type_id, "name": display_name, "config": dict(config),
            "secrets": pulumi.Output.secret(dict(secrets or {})),
        }
        with by_value(ConnectorProvider):
            super().__init__(ConnectorProvider(), name, props, opts)
