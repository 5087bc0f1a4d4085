"""A local HTTP(S) server that answers as Kibana 8.19's documented APIs do, for the providers' tests.

Kibana itself is nowhere on this machine. This fake keeps the objects in memory and answers the
paths, status codes and bodies of the 8.19 API reference (data views, saved objects import/get/
delete, connectors, rules), including what makes a naive client wrong:

- non-GET requests without ``kbn-xsrf`` get 400 (Kibana's XSRF protection);
- ``_import`` answers 200 with ``success: false`` and ``errors`` for objects that fail, and 400 for a
  file with the same type and id twice ("Non-unique import objects detected");
- stored objects come back with fields Kibana fills in (timestamps, ``version``, migration fields,
  re-serialized ``panelsJSON`` with a per-panel ``version``, rule params defaults);
- the first ``unavailable_requests`` requests answer 503, as Kibana does while starting;
- a rule whose actions have no ``frequency`` (and no rule-level ``notify_when``) is refused with 400.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlparse

USER, PASSWORD = "elastic", "kibana-test-password-9"
VERSION = "8.19.25"


@dataclass
class Request:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes


@dataclass
class FakeKibana:
    unavailable_requests: int = 0
    requests: list[Request] = field(default_factory=list)
    data_views: dict[tuple[str, str], dict] = field(default_factory=dict)
    default_view: dict[str, str | None] = field(default_factory=dict)
    saved: dict[tuple[str, str, str], dict] = field(default_factory=dict)
    connectors: dict[tuple[str, str], dict] = field(default_factory=dict)
    rules: dict[tuple[str, str], dict] = field(default_factory=dict)
    #: Elasticsearch's Watcher API (``/_watcher/watch``), for the watch provider's tests.
    watches: dict[str, dict] = field(default_factory=dict)
    #: (type, id) -> error dict: the next import of that object fails with it (success: false).
    import_failures: dict[tuple[str, str], dict] = field(default_factory=dict)

    def writes(self) -> list[Request]:
        return [r for r in self.requests if r.method != "GET"]

    # -- routing ---------------------------------------------------------------------------
    def answer(self, req: Request) -> tuple[int, Any]:
        self.requests.append(req)
        if self.unavailable_requests > 0:
            self.unavailable_requests -= 1
            return 503, {"statusCode": 503, "error": "Service Unavailable", "message": "Kibana server is not ready yet"}
        expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        if req.headers.get("authorization") != expected:
            return 401, {"statusCode": 401, "error": "Unauthorized", "message": "[security_exception] unable to authenticate user"}
        if req.method != "GET" and "kbn-xsrf" not in req.headers:
            return 400, {"statusCode": 400, "error": "Bad Request", "message": "Request must contain a kbn-xsrf header."}
        if req.path.startswith("/_watcher/watch/"):
            return self.watch_api(req.method, unquote(req.path.rsplit("/", 1)[1]), req.query, req.body)
        space, path = "default", req.path
        if path.startswith("/s/"):
            _, _, space, rest = path.split("/", 3)
            path = "/" + rest
        parts = [unquote(p) for p in path.strip("/").split("/")]
        body = json.loads(req.body) if req.body and "json" in req.headers.get("content-type", "") else None
        if parts[:2] == ["api", "data_views"]:
            return self.data_view_api(req.method, space, parts[2:], body)
        if parts[:3] == ["api", "saved_objects", "_import"]:
            return self.import_api(space, req)
        if parts[:2] == ["api", "saved_objects"] and len(parts) == 4:
            return self.saved_object_api(req.method, space, parts[2], parts[3])
        if parts[:3] == ["api", "actions", "connector"]:
            return self.connector_api(req.method, space, parts[3], body)
        if parts[:3] == ["api", "alerting", "rule"]:
            return self.rule_api(req.method, space, parts[3:], body)
        return 404, {"statusCode": 404, "error": "Not Found", "message": "Not Found"}

    @staticmethod
    def not_found(type_: str, id_: str) -> tuple[int, dict]:
        return 404, {"statusCode": 404, "error": "Not Found", "message": f"Saved object [{type_}/{id_}] not found"}

    @staticmethod
    def conflict(type_: str, id_: str) -> tuple[int, dict]:
        return 409, {"statusCode": 409, "error": "Conflict", "message": f"Saved object [{type_}/{id_}] conflict"}

    # -- data views ------------------------------------------------------------------------
    def data_view_api(self, method: str, space: str, rest: list[str], body: Any) -> tuple[int, Any]:
        if rest == ["default"]:
            if method == "GET":
                return 200, {"data_view_id": self.default_view.get(space)}
            self.default_view[space] = body["data_view_id"]
            return 200, {"acknowledged": True}
        if rest == ["data_view"] and method == "POST":
            view = body["data_view"]
            key = (space, view["id"])
            if key in self.data_views:
                return self.conflict("index-pattern", view["id"])
            self.data_views[key] = self.filled_view(view)
            return 200, {"data_view": self.data_views[key]}
        key = (space, rest[1])
        if key not in self.data_views:
            return self.not_found("index-pattern", rest[1])
        if method == "GET":
            return 200, {"data_view": self.data_views[key]}
        if method == "DELETE":
            del self.data_views[key]
            return 200, None
        self.data_views[key] = self.filled_view({**self.data_views[key], **body["data_view"]})
        return 200, {"data_view": self.data_views[key]}

    @staticmethod
    def filled_view(view: dict) -> dict:
        """What the 8.19 API returns: our fields plus the ones Kibana adds."""
        return {"fields": {}, "sourceFilters": [], "runtimeFieldMap": {}, "fieldAttrs": {}, "allowNoIndex": False,
                "fieldFormats": {}, "version": "WzEsMV0=", "namespaces": ["default"], **view}

    # -- saved objects ---------------------------------------------------------------------
    def import_api(self, space: str, req: Request) -> tuple[int, Any]:
        if "overwrite=true" not in req.query:
            return 400, {"statusCode": 400, "error": "Bad Request", "message": "test fake: overwrite=true expected"}
        message = BytesParser(policy=HTTP).parsebytes(
            b"Content-Type: " + req.headers["content-type"].encode() + b"\r\n\r\n" + req.body
        )
        files = [p for p in message.iter_parts() if p.get_param("name", header="content-disposition") == "file"]
        if len(files) != 1:
            return 400, {"statusCode": 400, "error": "Bad Request", "message": "[request body.file]: expected value of type [Stream]"}
        objects = [json.loads(line) for line in files[0].get_payload(decode=True).decode().splitlines() if line.strip()]
        keys = [(o["type"], o["id"]) for o in objects]
        duplicates = sorted({f"{t}:{i}" for t, i in keys if keys.count((t, i)) > 1})
        if duplicates:
            message = f"Non-unique import objects detected: [{','.join(duplicates)}]"
            return 400, {"statusCode": 400, "error": "Bad Request", "message": message}
        errors, results = [], []
        in_file = {o["id"] for o in objects if o["type"] == "index-pattern"}
        for obj in objects:
            failure = self.import_failures.pop((obj["type"], obj["id"]), None)
            missing = [r for r in obj.get("references", []) if r["type"] == "index-pattern"
                       and (space, r["id"]) not in self.data_views and r["id"] not in in_file]
            if failure is None and missing:
                failure = {"type": "missing_references", "references": [{"type": r["type"], "id": r["id"]} for r in missing]}
            if failure is not None:
                errors.append({"id": obj["id"], "type": obj["type"], "meta": {"title": obj["attributes"].get("title")}, "error": failure})
                continue
            self.saved[(space, obj["type"], obj["id"])] = self.migrated(obj)
            results.append({"type": obj["type"], "id": obj["id"], "meta": {"title": obj["attributes"].get("title")}})
        if errors:
            return 200, {"success": False, "successCount": len(results), "errors": errors, "successResults": results}
        return 200, {"success": True, "successCount": len(results), "successResults": results}

    @staticmethod
    def migrated(obj: dict) -> dict:
        """As Kibana stores an import: migration fields set, panels re-serialized with a version."""
        attributes = dict(obj["attributes"])
        if "panelsJSON" in attributes:
            panels = [{**p, "version": VERSION} for p in json.loads(attributes["panelsJSON"])]
            attributes["panelsJSON"] = json.dumps(panels, indent=1)
            attributes.setdefault("version", 3)
        meta = attributes.get("kibanaSavedObjectMeta")
        if isinstance(meta, dict) and "searchSourceJSON" in meta:
            source = {"highlightAll": True, **json.loads(meta["searchSourceJSON"])}
            attributes["kibanaSavedObjectMeta"] = {**meta, "searchSourceJSON": json.dumps(source, indent=2)}
        return {**obj, "attributes": attributes, "coreMigrationVersion": "8.8.0", "managed": False,
                "updated_at": "2026-12-03T14:00:00.000Z", "created_at": "2026-12-03T14:00:00.000Z",
                "version": "WzIsMV0=", "namespaces": ["default"]}

    def saved_object_api(self, method: str, space: str, type_: str, id_: str) -> tuple[int, Any]:
        key = (space, type_, id_)
        if key not in self.saved:
            return self.not_found(type_, id_)
        if method == "GET":
            return 200, self.saved[key]
        if method == "DELETE":
            del self.saved[key]
            return 200, {}
        return 405, {"statusCode": 405, "error": "Method Not Allowed", "message": "test fake"}

    # -- connectors and rules --------------------------------------------------------------
    def connector_api(self, method: str, space: str, id_: str, body: Any) -> tuple[int, Any]:
        key = (space, id_)
        if method == "POST":
            if key in self.connectors:
                return self.conflict("action", id_)
            self.connectors[key] = {"id": id_, "name": body["name"], "connector_type_id": body["connector_type_id"],
                                    "config": body.get("config", {}), "is_preconfigured": False, "is_deprecated": False,
                                    "is_missing_secrets": False, "is_system_action": False}
            return 200, self.connectors[key]
        if key not in self.connectors:
            return self.not_found("action", id_)
        if method == "GET":
            return 200, {**self.connectors[key], "referenced_by_count": 0}
        if method == "DELETE":
            del self.connectors[key]
            return 204, None
        self.connectors[key] = {**self.connectors[key], "name": body["name"], "config": body.get("config", {})}
        return 200, self.connectors[key]

    def rule_api(self, method: str, space: str, rest: list[str], body: Any) -> tuple[int, Any]:
        id_ = rest[0]
        key = (space, id_)
        if len(rest) == 2:
            if key not in self.rules:
                return self.not_found("alert", id_)
            self.rules[key]["enabled"] = rest[1] == "_enable"
            return 204, None
        if method in ("POST", "PUT"):
            missing = [a.get("id") for a in body.get("actions", []) if "frequency" not in a]
            no_throttle = [n for n, a in enumerate(body.get("actions", [])) if "frequency" in a and "throttle" not in a["frequency"]]
            if no_throttle:
                return 400, {"statusCode": 400, "error": "Bad Request",
                             "message": f"[request body.actions.{no_throttle[0]}.frequency.throttle]: expected a value (null allowed)"}
            if missing and "notify_when" not in body:
                message = ("Failed to validate actions due to the following error: "
                           f"Actions missing frequency parameters: {', '.join(missing)}")
                return 400, {"statusCode": 400, "error": "Bad Request", "message": message}
        if method == "POST":
            if key in self.rules:
                return self.conflict("alert", id_)
            self.rules[key] = self.filled_rule(id_, body)
            return 200, self.rules[key]
        if key not in self.rules:
            return self.not_found("alert", id_)
        if method == "GET":
            return 200, self.rules[key]
        if method == "DELETE":
            del self.rules[key]
            return 204, None
        self.rules[key] = {**self.rules[key], **self.filled_rule(id_, {**self.rules[key], **body})}
        return 200, self.rules[key]

    def watch_api(self, method: str, id_: str, query: str, raw: bytes) -> tuple[int, Any]:
        """8.19 answers: GET {found, _id, status.state.active, watch (with defaults filled in)};
        404 {found: false}; PUT {_id, _version, created}."""
        if method == "PUT":
            watch = json.loads(raw)
            request = watch["input"]["search"]["request"]
            filled = {**watch, "input": {"search": {"request": {
                "search_type": "query_then_fetch", "rest_total_hits_as_int": True, **request}}}}
            created = id_ not in self.watches
            self.watches[id_] = {"watch": filled, "active": "active=false" not in query}
            return (201 if created else 200), {"_id": id_, "_version": 1, "created": created}
        if id_ not in self.watches:
            return 404, {"found": False, "_id": id_}
        if method == "DELETE":
            del self.watches[id_]
            return 200, {"found": True, "_id": id_, "_version": 2}
        stored = self.watches[id_]
        return 200, {"found": True, "_id": id_, "_version": 1, "watch": stored["watch"],
                     "status": {"version": 1, "state": {"active": stored["active"], "timestamp": "2026-12-03T14:00:00.000Z"}}}

    @staticmethod
    def filled_rule(id_: str, body: dict) -> dict:
        actions = [{**a, "uuid": f"uuid-{n}", "connector_type_id": ".index", "use_alert_data_for_template": False}
                   for n, a in enumerate(body.get("actions", []))]
        return {**body, "id": id_, "actions": actions, "params": {"aggType": "count", "groupBy": "all", **body["params"]},
                "revision": 0, "running": False, "created_at": "2026-12-03T14:00:00.000Z",
                "updated_at": "2026-12-03T14:00:00.000Z", "execution_status": {"status": "pending"},
                "api_key_owner": USER, "mute_all": False, "muted_alert_ids": []}


def handler_for(kibana: FakeKibana) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def handle_any(self) -> None:
            url = urlparse(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            req = Request(self.command, url.path, url.query, {k.lower(): v for k, v in self.headers.items()},
                          self.rfile.read(length) if length else b"")
            code, body = kibana.answer(req)
            data = b"" if body is None else json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PUT = do_DELETE = handle_any  # noqa: N815

        def log_message(self, *_: object) -> None:
            pass

    return Handler


@contextmanager
def serve(kibana: FakeKibana, tls_context: Any = None) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(kibana))
    if tls_context is not None:
        server.socket = tls_context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"{'https' if tls_context else 'http'}://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
