"""Watcher watches (``PUT _watcher/watch/<id>``, Elasticsearch 8.19), for licenses above Basic.

An Elasticsearch object, but it belongs with the alert: it is the guide's own watch, installed
when ``alerting.watcher`` is true (the settings refuse it on Basic: Watcher needs the STANDARD
operation mode or higher). It reuses the Kibana client (same auth, CA and retries; the extra
``kbn-xsrf`` header is ignored by Elasticsearch) pointed at an Elasticsearch endpoint.
https://www.elastic.co/guide/en/elasticsearch/reference/8.19/watcher-api-put-watch.html
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
from pulumi.dynamic import Resource

from components.providers.kibana.base import KibanaObjectProvider, by_value


class WatchProvider(KibanaObjectProvider):
    """Inputs: ``object_id``, ``connection`` (an Elasticsearch endpoint), ``watch`` (trigger,
    input, condition, actions), ``active``."""

    KIND = "watch"
    OWNED = ("watch", "active")
    REPLACE_ON = ("object_id",)
    BASE = "/_watcher/watch"

    def fetch(self, client: Any, props: dict[str, Any]) -> dict[str, Any] | None:
        from urllib.parse import quote

        status, body = client.call("GET", f"{WatchProvider.BASE}/{quote(props['object_id'])}", ok=(200, 404))
        if status == 404 or not isinstance(body, dict) or not body.get("found"):
            return None
        state = body.get("status", {}).get("state", {})
        return {"watch": KibanaObjectProvider.project(props["watch"], body.get("watch", {})), "active": state.get("active")}

    def write(self, client: Any, props: dict[str, Any], exists: bool) -> None:
        from urllib.parse import quote

        active = "true" if props["active"] else "false"
        client.call("PUT", f"{WatchProvider.BASE}/{quote(props['object_id'])}?active={active}", props["watch"], ok=(200, 201))

    def remove(self, client: Any, props: dict[str, Any]) -> None:
        from urllib.parse import quote

        client.call("DELETE", f"{WatchProvider.BASE}/{quote(props['object_id'])}", ok=(200, 404))


class Watch(Resource, module="elasticsearch", name="Watch"):
    def __init__(
        self,
        name: str,
        *,
        object_id: str,
        watch: Mapping[str, Any],
        connection: Mapping[str, Any],
        active: bool = True,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {"object_id": object_id, "connection": {**connection, "product": "Elasticsearch"},
                 "watch": dict(watch), "active": active}
        with by_value(WatchProvider):
            super().__init__(WatchProvider(), name, props, opts)
