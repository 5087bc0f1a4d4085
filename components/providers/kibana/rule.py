"""Kibana alerting rules (``/api/alerting/rule``, 8.19).

Update (``PUT``) takes name, tags, schedule, params and actions; ``rule_type_id`` and
``consumer`` cannot change, so they force replacement. ``enabled`` is not part of update: it is
set through ``_enable`` / ``_disable``. Params are compared projected onto ours, because Kibana
adds defaults to them. https://www.elastic.co/guide/en/kibana/8.19/create-rule-api.html
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
from pulumi.dynamic import Resource

from components.providers.kibana.base import KibanaObjectProvider, by_value


class RuleProvider(KibanaObjectProvider):
    """Inputs: ``object_id``, ``space``, ``connection``, ``rule_type_id``, ``consumer``,
    ``name``, ``tags``, ``schedule``, ``params``, ``actions``, ``enabled``."""

    KIND = "rule"
    OWNED = ("name", "tags", "schedule", "params", "actions", "enabled")
    REPLACE_ON = ("space", "object_id", "rule_type_id", "consumer")
    BASE = "/api/alerting/rule"

    def fetch(self, client: Any, props: dict[str, Any]) -> dict[str, Any] | None:
        from urllib.parse import quote

        status, body = client.call("GET", f"{RuleProvider.BASE}/{quote(props['object_id'])}", ok=(200, 404))
        if status == 404:
            return None
        body = body if isinstance(body, dict) else {}
        if body.get("rule_type_id") != props["rule_type_id"]:
            raise RuntimeError(
                f"rule {props['object_id']!r} exists in Kibana as type {body.get('rule_type_id')!r}, "
                f"not {props['rule_type_id']!r}; delete it in Kibana or choose another id"
            )
        project = KibanaObjectProvider.project
        return {
            "name": body.get("name"),
            "tags": body.get("tags"),
            "schedule": project(props["schedule"], body.get("schedule")),
            "params": project(props["params"], body.get("params")),
            "actions": project(props["actions"], body.get("actions")),
            "enabled": body.get("enabled"),
        }

    def write(self, client: Any, props: dict[str, Any], exists: bool) -> None:
        from urllib.parse import quote

        path = f"{RuleProvider.BASE}/{quote(props['object_id'])}"
        body = {k: props[k] for k in ("name", "tags", "schedule", "params")}
        # The 8.19 API reference has frequency.throttle "required, nullable"; Pulumi drops None
        # values from inputs, so the null goes back in here.
        body["actions"] = [
            {**a, "frequency": {"throttle": None, **a["frequency"]}} if "frequency" in a else a for a in props["actions"]
        ]
        if not exists:
            status, _ = client.call(
                "POST", path,
                {**body, "rule_type_id": props["rule_type_id"], "consumer": props["consumer"], "enabled": props["enabled"]},
                ok=(200, 409),
            )
            if status == 200:
                return
        client.call("PUT", path, body)
        held = self.fetch(client, props)
        if held is not None and held["enabled"] != props["enabled"]:
            client.call("POST", f"{path}/{'_enable' if props['enabled'] else '_disable'}", ok=(200, 204))

    def remove(self, client: Any, props: dict[str, Any]) -> None:
        from urllib.parse import quote

        client.call("DELETE", f"{RuleProvider.BASE}/{quote(props['object_id'])}", ok=(200, 204, 404))


class Rule(Resource, module="kibana", name="Rule"):
    def __init__(
        self,
        name: str,
        *,
        object_id: str,
        rule_type_id: str,
        consumer: str,
        display_name: str,
        schedule: Mapping[str, Any],
        params: Mapping[str, Any],
        actions: Sequence[Mapping[str, Any]],
        connection: Mapping[str, Any],
        tags: Sequence[str] = (),
        enabled: bool = True,
        space: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            "object_id": object_id, "space": space, "connection": dict(connection), "rule_type_id": rule_type_id,
            "consumer": consumer, "name": display_name, "tags": list(tags), "schedule": dict(schedule),
            "params": dict(params), "actions": [dict(a) for a in actions], "enabled": enabled,
        }
        with by_value(RuleProvider):
            super().__init__(RuleProvider(), name, props, opts)
