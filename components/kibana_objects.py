"""KibanaObjects: data views, the default data view, saved searches, Lens panels and dashboards.

Ordering (issue 11, part 8): everything waits for the Kibana container, which Pulumi creates only
once its healthcheck says "available"; data views also wait for the index templates, so Kibana
never sees a pattern without its mappings; each saved search waits for its data view, each Lens
for its data view, each dashboard for its Lens panels (import checks data-view references only,
so the order is ours to keep).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi

from components.providers.kibana.base import connection
from components.providers.kibana.data_view import DataView, DefaultDataView
from components.providers.kibana.saved_object import SavedObject
from components.render import dashboards
from components.render import saved_objects as so


@dataclass(frozen=True, kw_only=True)
class KibanaObjectsArgs:
    kibana_url: str
    """Where the Pulumi engine's machine reaches Kibana (the published URL)."""
    ca_cert_pem: pulumi.Input[str]
    """The stack's CA, trusted when Kibana serves HTTPS."""
    password: pulumi.Output[str]
    """The ``elastic`` password (a secret Output)."""
    kibana: Sequence[pulumi.Resource]
    """The Kibana container: created only once healthy."""
    index_templates: Sequence[pulumi.Resource]
    cluster_data: pulumi.Resource | None = None
    """The first node's data volume: Kibana keeps these objects in Elasticsearch, so they go with
    the data on ``destroy`` (no delete calls to a Kibana that may already be down)."""
    space: str | None = None


class KibanaObjects(pulumi.ComponentResource):
    data_views: dict[str, DataView]
    default_data_view: DefaultDataView
    saved_objects: dict[str, SavedObject]
    """By saved-object id: searches, Lens panels, dashboards."""

    def __init__(self, name: str, args: KibanaObjectsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("elk:components:KibanaObjects", name, None, opts)
        conn = connection(args.kibana_url, pulumi.Output.secret(args.password), args.ca_cert_pem)
        common: dict[str, Any] = {"connection": conn, "space": args.space}

        def after(*resources: pulumi.Resource) -> pulumi.ResourceOptions:
            return pulumi.ResourceOptions(parent=self, depends_on=[*args.kibana, *resources], deleted_with=args.cluster_data)

        self.data_views = {
            view_id: DataView(f"{name}-view-{view_id}", object_id=view_id, data_view=view,
                              opts=after(*args.index_templates), **common)
            for view_id, view in so.data_views().items()
        }
        self.default_data_view = DefaultDataView(
            f"{name}-default-view", data_view_id=self.data_views[so.DEFAULT_VIEW].id, opts=after(self.data_views[so.DEFAULT_VIEW]),
            **common,
        )
        self.saved_objects = {}
        for obj in [*so.saved_searches(), *dashboards.all_dashboard_objects()]:
            self.saved_objects[obj["id"]] = SavedObject(
                f"{name}-{obj['id']}", saved_object=obj, opts=after(*self._prerequisites(obj)), **common
            )
        self.register_outputs({"data_views": sorted(self.data_views), "saved_objects": sorted(self.saved_objects)})

    def _prerequisites(self, obj: Mapping[str, Any]) -> list[pulumi.Resource]:
        """The resources of the objects ``obj`` references (all created earlier in the list)."""
        found: list[pulumi.Resource] = []
        for ref in obj["references"]:
            if ref["type"] == "index-pattern":
                found.append(self.data_views[ref["id"]])
            else:
                found.append(self.saved_objects[ref["id"]])
        return found
