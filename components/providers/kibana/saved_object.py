"""Saved objects that have no better API on 8.19 (dashboards, Lens visualizations, saved
searches), written through ``POST /api/saved_objects/_import?overwrite=true``.

Why import and not the per-type CRUD endpoints: import is the supported way in 8.19 (the CRUD
endpoints are deprecated), it runs Kibana's migrations from the ``typeMigrationVersion`` we set,
and it checks data-view and saved-search references. Its traps (PITFALLS, Kibana 8.19):

- it answers HTTP 200 with ``success: false`` when objects fail; that is a failure here, and the
  message names each error's type, id, title and reason;
- the same type and id twice in one file rejects the whole import, so ``ndjson`` refuses it first.

One resource per object: delete removes exactly that object. Read uses the saved objects get
API (404 = gone). JSON-in-a-string attributes (``panelsJSON``, ``searchSourceJSON`` ...) are
compared parsed and projected onto our keys, because Kibana's migrations re-serialize them.
https://www.elastic.co/guide/en/kibana/8.19/saved-objects-api-import.html
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
from pulumi.dynamic import Resource

from components.providers.kibana.base import KibanaObjectProvider, by_value


class SavedObjectProvider(KibanaObjectProvider):
    """Inputs: ``object_type``, ``object_id``, ``space``, ``connection``, ``attributes``,
    ``references``, ``type_migration_version``."""

    KIND = "saved object"
    OWNED = ("attributes", "references")
    REPLACE_ON = ("space", "object_type", "object_id")

    @staticmethod
    def ndjson(objects: Sequence[Mapping[str, Any]]) -> bytes:
        """One JSON object per line; the same type and id twice is refused (Kibana would reject
        the whole file)."""
        import json

        seen: set[tuple[str, str]] = set()
        lines = []
        for obj in objects:
            key = (str(obj["type"]), str(obj["id"]))
            if key in seen:
                raise ValueError(f"saved object {key[0]}/{key[1]} appears twice in one import")
            seen.add(key)
            lines.append(json.dumps(obj, sort_keys=True, separators=(",", ":")))
        return ("\n".join(lines) + "\n").encode()

    @staticmethod
    def as_saved_object(props: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "type": props["object_type"],
            "id": props["object_id"],
            "attributes": props["attributes"],
            "references": props["references"],
            "typeMigrationVersion": props["type_migration_version"],
        }

    @staticmethod
    def import_errors(body: Any) -> str:
        """Each error of an import answer: type, id, title and the reason Kibana gives."""
        lines = []
        for error in (body or {}).get("errors", []) if isinstance(body, dict) else []:
            detail = error.get("error", {}) if isinstance(error, dict) else {}
            reason = detail.get("type", "unknown")
            extra = detail.get("message") or detail.get("references") or detail.get("destinations") or ""
            lines.append(f"{error.get('type')}/{error.get('id')} ({error.get('meta', {}).get('title', '')!r}): {reason} {extra}".rstrip())
        return "; ".join(lines) or f"no errors listed in {body!r}"[:500]

    @staticmethod
    def held_attributes(ours: dict[str, Any], held: dict[str, Any]) -> dict[str, Any]:
        """What Kibana holds, projected onto our attributes. A ``...JSON`` string at any depth
        (``panelsJSON``, ``kibanaSavedObjectMeta.searchSourceJSON``) is compared parsed: when
        Kibana holds our values, however re-serialized or extended, our exact string comes back."""
        import json

        out: dict[str, Any] = {}
        for key, value in ours.items():
            if key not in held:
                continue
            if isinstance(value, str) and key.endswith("JSON"):
                try:
                    mine, theirs = json.loads(value), json.loads(held[key])
                except (TypeError, ValueError):
                    out[key] = held[key]
                    continue
                projected = KibanaObjectProvider.project(mine, theirs)
                out[key] = value if projected == mine else json.dumps(projected, sort_keys=True)
            elif isinstance(value, dict) and isinstance(held[key], dict):
                out[key] = SavedObjectProvider.held_attributes(value, held[key])
            else:
                out[key] = KibanaObjectProvider.project(value, held[key])
        return out

    def fetch(self, client: Any, props: dict[str, Any]) -> dict[str, Any] | None:
        from urllib.parse import quote

        status, body = client.call(
            "GET", f"/api/saved_objects/{quote(props['object_type'])}/{quote(props['object_id'])}", ok=(200, 404)
        )
        if status == 404:
            return None
        held = body.get("attributes", {}) if isinstance(body, dict) else {}
        attributes = SavedObjectProvider.held_attributes(props["attributes"], held)
        references = sorted(
            ({"name": r.get("name"), "type": r.get("type"), "id": r.get("id")} for r in body.get("references", [])),
            key=lambda r: (str(r["name"]), str(r["type"]), str(r["id"])),
        )
        return {"attributes": attributes, "references": references}

    def write(self, client: Any, props: dict[str, Any], exists: bool) -> None:
        data, content_type = client.multipart_file(
            "file", "elk-stack.ndjson", SavedObjectProvider.ndjson([SavedObjectProvider.as_saved_object(props)]),
            "application/ndjson",
        )
        _, body = client.call(
            "POST", "/api/saved_objects/_import?overwrite=true", data=data, content_type=content_type
        )
        if not isinstance(body, dict) or body.get("success") is not True:
            raise RuntimeError(
                f"Kibana refused the import of {props['object_type']}/{props['object_id']}: "
                + SavedObjectProvider.import_errors(body)
            )

    def remove(self, client: Any, props: dict[str, Any]) -> None:
        from urllib.parse import quote

        client.call(
            "DELETE", f"/api/saved_objects/{quote(props['object_type'])}/{quote(props['object_id'])}", ok=(200, 404)
        )


def sorted_references(references: Sequence[Mapping[str, str]]) -> list[dict[str, str]]:
    """References in the order ``fetch`` returns them, so a fresh read equals the inputs."""
    return sorted(({"name": r["name"], "type": r["type"], "id": r["id"]} for r in references),
                  key=lambda r: (r["name"], r["type"], r["id"]))


class SavedObject(Resource, module="kibana", name="SavedObject"):
    """One imported saved object (``saved_object`` is the rendered NDJSON line as a dict)."""

    def __init__(
        self,
        name: str,
        *,
        saved_object: Mapping[str, Any],
        connection: Mapping[str, Any],
        space: str | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            "object_type": saved_object["type"],
            "object_id": saved_object["id"],
            "space": space,
            "connection": dict(connection),
            "attributes": dict(saved_object["attributes"]),
            "references": sorted_references(saved_object["references"]),
            "type_migration_version": saved_object["typeMigrationVersion"],
        }
        with by_value(SavedObjectProvider):
            super().__init__(SavedObjectProvider(), name, props, opts)
