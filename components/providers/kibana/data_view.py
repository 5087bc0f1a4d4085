"""Data views through Kibana's data views API, and the default data view.

Data views have an API of their own (``/api/data_views``, 8.19), so they do not go through
saved-objects import: Kibana fills in the saved object's migration fields itself.
https://www.elastic.co/guide/en/kibana/8.19/data-views-api.html

The default data view is Kibana's ``defaultIndex`` advanced setting, kept in the ``config``
object whose id is the running Kibana version; ``/api/data_views/default`` sets it without us
having to know that id.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
from pulumi.dynamic import Resource

from components.providers.kibana.base import KibanaObjectProvider, by_value


class DataViewProvider(KibanaObjectProvider):
    """Inputs: ``object_id``, ``space``, ``connection``, ``data_view`` (title, name,
    timeFieldName, fieldFormats, allowNoIndex in Kibana's own spelling)."""

    KIND = "data view"
    OWNED = ("data_view",)
    BASE = "/api/data_views/data_view"

    def fetch(self, client: Any, props: dict[str, Any]) -> dict[str, Any] | None:
        from urllib.parse import quote

        status, body = client.call("GET", f"{DataViewProvider.BASE}/{quote(props['object_id'])}", ok=(200, 404))
        if status == 404:
            return None
        held = body.get("data_view", {}) if isinstance(body, dict) else {}
        return {"data_view": KibanaObjectProvider.project(props["data_view"], held)}

    def write(self, client: Any, props: dict[str, Any], exists: bool) -> None:
        from urllib.parse import quote

        view = dict(props["data_view"])
        path = f"{DataViewProvider.BASE}/{quote(props['object_id'])}"
        if not exists:
            status, _ = client.call(
                "POST", DataViewProvider.BASE, {"data_view": {**view, "id": props["object_id"]}, "override": False},
                ok=(200, 409),
            )
            if status == 200:
                return
            # 409: created meanwhile with our id (by hand or by an earlier interrupted run): adopt it.
        client.call("POST", path, {"data_view": view, "refresh_fields": False})

    def remove(self, client: Any, props: dict[str, Any]) -> None:
        from urllib.parse import quote

        client.call("DELETE", f"{DataViewProvider.BASE}/{quote(props['object_id'])}", ok=(200, 204, 404))


class DataView(Resource, module="kibana", name="DataView"):
    """One data view; outputs ``data_view`` as Kibana holds it (owned fields only)."""

    def __init__(
        self,
        name: str,
        *,
        object_id: str,
        data_view: Mapping[str, Any],
        connection: Mapping[str, Any],
        space: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {"object_id": object_id, "space": space, "connection": dict(connection), "data_view": dict(data_view)}
        with by_value(DataViewProvider):
            super().__init__(DataViewProvider(), name, props, opts)


class DefaultDataViewProvider(KibanaObjectProvider):
    """Inputs: ``object_id`` (always ``default-data-view``), ``space``, ``connection``,
    ``data_view_id``. Read answers the id Kibana has as default, so a default changed by hand
    is a diff, and the next ``up`` sets ours again."""

    KIND = "default data view"
    OWNED = ("data_view_id",)
    PATH = "/api/data_views/default"

    def fetch(self, client: Any, props: dict[str, Any]) -> dict[str, Any] | None:
        _, body = client.call("GET", DefaultDataViewProvider.PATH)
        return {"data_view_id": body.get("data_view_id") if isinstance(body, dict) else None}

    def write(self, client: Any, props: dict[str, Any], exists: bool) -> None:
        client.call("POST", DefaultDataViewProvider.PATH, {"data_view_id": props["data_view_id"], "force": True})

    def remove(self, client: Any, props: dict[str, Any]) -> None:
        held = self.fetch(client, props)
        if held and held["data_view_id"] == props["data_view_id"]:
            client.call("POST", DefaultDataViewProvider.PATH, {"data_view_id": None, "force": True})


class DefaultDataView(Resource, module="kibana", name="DefaultDataView"):
    def __init__(
        self,
        name: str,
        *,
        data_view_id: pulumi.Input[str],
        connection: Mapping[str, Any],
        space: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {"object_id": "default-data-view", "space": space, "connection": dict(connection), "data_view_id": data_view_id}
        with by_value(DefaultDataViewProvider):
            super().__init__(DefaultDataViewProvider(), name, props, opts)
