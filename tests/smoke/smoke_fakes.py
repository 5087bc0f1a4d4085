"""Real loopback servers standing in for Logstash, Elasticsearch 8.19 and Kibana 8.19.

One ``FakeCluster`` holds the state: the Logstash sink parses the JSON lines it receives and
indexes them into the data stream the pipeline would route them to; the fake Elasticsearch
answers searches from that state only, so an event is findable only after the sink really got
it. Knobs on the cluster inject the failures the tests need (mis-routing, wrong mapping type,
red health, degraded Kibana, dropped events, a plain index instead of a data stream).

Response bodies follow the documented 8.19 shapes: ``_cluster/health``, ``_search`` hits,
``_data_stream`` (last of ``indices`` is the write index), the field-mapping API (keyed by the
requested full name, inner ``mapping`` keyed by the leaf name), errors as
``{"error": {"type", "reason", ...}, "status"}``; Kibana ``/api/status`` with
``status.overall.level`` and 503 when unavailable.
"""

from __future__ import annotations

import base64
import contextlib
import fnmatch
import json
import re
import socket
import socketserver
import ssl
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

STREAMS_BY_EVENT_TYPE: dict[str, str] = {
    "market_tick": "mt4-logs-market_tick",
    "security": "mt4-logs-security",
    "performance": "mt4-metrics-performance",
}
FALLBACK_STREAM = "mt4-logs-generic"
BACKING_SUFFIX = "-2024.01.15-000001"

KEYWORD: dict[str, object] = {"type": "keyword"}
PRICE: dict[str, object] = {"type": "scaled_float", "scaling_factor": 100000.0}

#: What the index templates map (the real ones map more; these are the fields the check reads).
TEMPLATE: dict[str, dict[str, object]] = {
    "@timestamp": {"type": "date"},
    "level": KEYWORD,
    "logger": KEYWORD,
    "event_type": KEYWORD,
    "tags": KEYWORD,
    "event.id": KEYWORD,
    "symbol": KEYWORD,
    "bid": PRICE,
    "ask": PRICE,
    "spread": PRICE,
    "volume": {"type": "long"},
    "security_event": KEYWORD,
    "details.client_ip": {"type": "ip"},
    "details.reason": KEYWORD,
    "metric": KEYWORD,
    "value": {"type": "double"},
    "unit": KEYWORD,
}

Answer = tuple[int, object]


def es_error(status: int, error_type: str, reason: str, **extra: object) -> Answer:
    """An Elasticsearch error body."""
    cause = {"type": error_type, "reason": reason, **extra}
    return status, {"error": {"root_cause": [cause], **cause}, "status": status}


def index_not_found(name: str) -> Answer:
    """The 404 Elasticsearch returns for a concrete index or data stream that does not exist."""
    return es_error(
        404, "index_not_found_exception", f"no such index [{name}]",
        **{"resource.type": "index_or_alias", "resource.id": name, "index_uuid": "_na_", "index": name},
    )  # fmt: skip


@dataclass
class FakeCluster:
    """Shared state and failure knobs of the fake stack."""

    password: str
    health: str = "green"
    nodes: int = 1
    misroute: dict[str, str] = field(default_factory=dict)
    plain_indices: set[str] = field(default_factory=set)
    type_overrides: dict[str, str | None] = field(default_factory=dict)
    drop_events: bool = False
    kibana_level: str = "available"
    kibana_redirect: str = ""
    streams: dict[str, list[dict[str, object]]] = field(default_factory=dict)
    received: list[dict[str, object]] = field(default_factory=list)
    connections: list[str] = field(default_factory=list)
    requests: list[tuple[str, str, bool]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    # --- what the Logstash pipeline would do -------------------------------------------

    def ingest(self, document: dict[str, object]) -> None:
        """Index one event into the stream the pipeline routes it to (unless dropping)."""
        with self.lock:
            self.received.append(document)
            if not self.drop_events:
                self.streams.setdefault(self.stream_for(document), []).append(document)

    def stream_for(self, document: Mapping[str, object]) -> str:
        """Routing by ``event_type``, with the test's mis-routing applied."""
        event_type = str(document.get("event_type", ""))
        return self.misroute.get(event_type) or STREAMS_BY_EVENT_TYPE.get(event_type, FALLBACK_STREAM)

    def index_of(self, stream: str) -> str:
        """The (only) backing index of a stream; a plain index is its own name."""
        return stream if stream in self.plain_indices else f".ds-{stream}{BACKING_SUFFIX}"

    def stream_of_index(self, name: str) -> str | None:
        """The stream a backing index (or the stream name itself) refers to."""
        for stream in self.streams:
            if name in (stream, self.index_of(stream)):
                return stream
        return None

    # --- what Elasticsearch answers ------------------------------------------------------

    def expected_authorization(self) -> str:
        """The basic-auth header the fake requires from every client."""
        return "Basic " + base64.b64encode(f"elastic:{self.password}".encode()).decode()

    def health_body(self) -> Answer:
        """``GET /_cluster/health``."""
        unassigned = 0 if self.health == "green" else 3
        return 200, {
            "cluster_name": "mt4", "status": self.health, "timed_out": False,
            "number_of_nodes": self.nodes, "number_of_data_nodes": self.nodes,
            "active_primary_shards": 6, "active_shards": 6, "relocating_shards": 0,
            "initializing_shards": 0, "unassigned_shards": unassigned,
            "delayed_unassigned_shards": 0, "number_of_pending_tasks": 0,
            "number_of_in_flight_fetch": 0, "task_max_waiting_in_queue_millis": 0,
            "active_shards_percent_as_number": 100.0 if unassigned == 0 else 66.7,
        }  # fmt: skip

    def search(self, target: str, body: object) -> Answer:
        """``POST /<target>/_search`` supporting exactly a ``term`` query on ``event.id``."""
        event_id = _term_event_id(body)
        if event_id is None:
            return es_error(400, "parsing_exception", "fake supports only a term query on event.id")
        with self.lock:
            streams = self._resolve(target)
            if isinstance(streams, tuple):
                return streams
            hits = [
                {"_index": self.index_of(s), "_id": f"id-{n}", "_score": 1.0}
                for s in streams
                for n, doc in enumerate(self.streams[s])
                if _event_id(doc) == event_id
            ]
        return 200, {
            "took": 1, "timed_out": False,
            "_shards": {"total": max(len(streams), 1), "successful": max(len(streams), 1), "skipped": 0, "failed": 0},
            "hits": {"total": {"value": len(hits), "relation": "eq"}, "max_score": 1.0 if hits else None, "hits": hits[:1]},
        }  # fmt: skip

    def _resolve(self, target: str) -> list[str] | Answer:
        """Streams named by a comma list; a missing concrete name is a 404, wildcards may match none."""
        names: list[str] = []
        for part in target.split(","):
            if "*" in part:
                names += [s for s in self.streams if fnmatch.fnmatchcase(s, part)]
            elif part in self.streams:
                names.append(part)
            else:
                return index_not_found(part)
        return names

    def data_stream(self, name: str) -> Answer:
        """``GET /_data_stream/<name>``."""
        with self.lock:
            exists = name in self.streams and name not in self.plain_indices
        if not exists:
            return index_not_found(name)
        template = "mt4-metrics" if name.startswith("mt4-metrics-") else "mt4-logs"
        backing = {
            "index_name": self.index_of(name), "index_uuid": "Qx3uCw",
            "prefer_ilm": True, "managed_by": "Index Lifecycle Management",
        }  # fmt: skip
        return 200, {
            "data_streams": [{
                "name": name, "timestamp_field": {"name": "@timestamp"}, "indices": [backing],
                "generation": 1, "status": "GREEN", "template": template, "ilm_policy": "mt4-logs",
                "next_generation_managed_by": "Index Lifecycle Management", "prefer_ilm": True,
                "hidden": False, "system": False, "allow_custom_routing": False, "replicated": False,
                "rollover_on_write": False,
            }],
        }  # fmt: skip

    def field_mapping(self, index: str, fields: list[str]) -> Answer:
        """``GET /<index>/_mapping/field/<fields>``; unmapped fields are left out."""
        with self.lock:
            stream = self.stream_of_index(index)
        if stream is None:
            return index_not_found(index)
        mappings = {}
        for name in fields:
            spec = self._mapped(name)
            if spec is not None:
                leaf = name.rsplit(".", 1)[-1]
                mappings[name] = {"full_name": name, "mapping": {leaf: spec}}
        return 200, {self.index_of(stream): {"mappings": mappings}}

    def _mapped(self, name: str) -> dict[str, object] | None:
        """The template's mapping of a field, with the test's type override applied."""
        if name in self.type_overrides:
            override = self.type_overrides[name]
            return None if override is None else {"type": override}
        return TEMPLATE.get(name)

    # --- what Kibana answers -------------------------------------------------------------

    def kibana_status(self) -> tuple[int, object]:
        """``GET /api/status``; 503 (same body) when unavailable, plain text while starting."""
        if self.kibana_redirect:
            return 302, {"statusCode": 302, "location": self.kibana_redirect}
        if self.kibana_level == "not-ready":
            return 503, "Kibana server is not ready yet"
        status = 503 if self.kibana_level in ("unavailable", "critical") else 200
        summary = "All services and plugins are available" if self.kibana_level == "available" else "1 service is degraded: savedObjects"
        return status, {
            "name": "kibana", "uuid": "5b2de169-2785-441b-ae8c-186a1936b17d",
            "version": {
                "number": "8.19.25", "build_hash": "abc", "build_number": 1, "build_snapshot": False,
                "build_flavor": "traditional", "build_date": "2025-01-01T00:00:00.000Z",
            },
            "status": {
                "overall": {"level": self.kibana_level, "summary": summary},
                "core": {
                    "elasticsearch": {"level": "available", "summary": "Elasticsearch is available"},
                    "savedObjects": {"level": self.kibana_level, "summary": summary},
                },
                "plugins": {},
            },
            "metrics": {"last_updated": "2025-01-01T00:00:00.000Z", "collection_interval_in_millis": 5000},
        }  # fmt: skip


def _term_event_id(body: object) -> str | None:
    """The value of ``{"query": {"term": {"event.id": v}}}`` (or ``{"value": v}``)."""
    query = body.get("query") if isinstance(body, dict) else None
    term = query.get("term") if isinstance(query, dict) else None
    value = term.get("event.id") if isinstance(term, dict) else None
    if isinstance(value, dict):
        value = value.get("value")
    return value if isinstance(value, str) else None


def _event_id(document: Mapping[str, object]) -> object:
    """``event.id`` of a document, as an object path or a dotted key."""
    event = document.get("event")
    return event.get("id") if isinstance(event, dict) else document.get("event.id")


# --- HTTP plumbing ---------------------------------------------------------------------------

_SEARCH = re.compile(r"^/(?P<target>[^/]+)/_search$")
_DATA_STREAM = re.compile(r"^/_data_stream/(?P<name>[^/]+)$")
_FIELD_MAPPING = re.compile(r"^/(?P<index>[^/]+)/_mapping/field/(?P<fields>[^/]+)$")


def route_elastic(cluster: FakeCluster, method: str, path: str, body: object) -> Answer:
    """Dispatch one authorised Elasticsearch request."""
    if path == "/_cluster/health" and method == "GET":
        return cluster.health_body()
    if (match := _SEARCH.match(path)) and method in ("GET", "POST"):
        return cluster.search(unquote(match["target"]), body)
    if (match := _DATA_STREAM.match(path)) and method == "GET":
        return cluster.data_stream(unquote(match["name"]))
    if (match := _FIELD_MAPPING.match(path)) and method == "GET":
        return cluster.field_mapping(unquote(match["index"]), unquote(match["fields"]).split(","))
    return 400, {"error": f"no handler found for uri [{path}] and method [{method}]"}


class _Handler(BaseHTTPRequestHandler):
    """Common request handling: body parsing, auth, recording, JSON answers."""

    server: _FakeHttpServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        self._handle("GET")

    def do_POST(self) -> None:  # noqa: N802 - http.server naming
        self._handle("POST")

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet."""

    def _handle(self, method: str) -> None:
        cluster = self.server.cluster
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        authorized = self.headers.get("Authorization") == cluster.expected_authorization()
        with cluster.lock:
            cluster.requests.append((method, self.path, authorized))
        if not authorized:
            self._answer(*self.server.unauthorized())
            return
        body = json.loads(raw) if raw else None
        self._answer(*self.server.route(cluster, method, urlsplit(self.path).path, body))

    def _answer(self, status: int, payload: object) -> None:
        data = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain" if isinstance(payload, str) else "application/json")
        self.send_header("Content-Length", str(len(data)))
        if status == 401:
            self.send_header("WWW-Authenticate", 'Basic realm="security", charset="UTF-8"')
        if status == 302:
            self.send_header("Location", self.server.cluster.kibana_redirect)
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)
        self.close_connection = True


class _FakeHttpServer(ThreadingHTTPServer):
    """An HTTP(S) server bound to 127.0.0.1 on a free port."""

    daemon_threads = True

    def __init__(
        self,
        cluster: FakeCluster,
        route: Callable[[FakeCluster, str, str, object], Answer],
        unauthorized: Callable[[], Answer],
        context: ssl.SSLContext | None,
    ) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.cluster, self.route, self.unauthorized, self.context = cluster, route, unauthorized, context

    def get_request(self) -> tuple[object, object]:
        sock, address = super().get_request()
        if self.context is None:
            return sock, address
        sock.settimeout(5)
        return self.context.wrap_socket(sock, server_side=True), address


def _es_unauthorized() -> Answer:
    return es_error(401, "security_exception", "missing authentication credentials for REST request [/]")


def _kibana_route(cluster: FakeCluster, method: str, path: str, body: object) -> Answer:
    if path == "/api/status" and method == "GET":
        return cluster.kibana_status()
    return 404, {"statusCode": 404, "error": "Not Found", "message": "Not Found"}


def _kibana_unauthorized() -> Answer:
    return 401, {"statusCode": 401, "error": "Unauthorized", "message": "[security_exception]: unable to authenticate user"}


# --- Logstash TCP input ----------------------------------------------------------------------


class _SinkHandler(socketserver.BaseRequestHandler):
    """Reads JSON lines (json_lines codec) and hands each event to the cluster."""

    server: _LogstashSink

    def handle(self) -> None:
        cluster = self.server.cluster
        self.request.settimeout(5)
        try:
            conn = self._secure(self.request)
        except OSError:
            cluster.connections.append("handshake-failed")
            return
        cluster.connections.append("tls" if isinstance(conn, ssl.SSLSocket) else "plain")
        with conn:  # wrap_socket detached the original: close what we use
            self._read_events(conn)

    def _secure(self, sock: socket.socket) -> socket.socket:
        context = self.server.context
        return sock if context is None else context.wrap_socket(sock, server_side=True)

    def _read_events(self, conn: socket.socket) -> None:
        with conn.makefile("rb") as lines:
            for line in lines:
                if line.strip():
                    self.server.cluster.ingest(json.loads(line))
        if isinstance(conn, ssl.SSLSocket):
            with contextlib.suppress(OSError):
                conn.unwrap()


class _LogstashSink(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, cluster: FakeCluster, context: ssl.SSLContext | None) -> None:
        super().__init__(("127.0.0.1", 0), _SinkHandler)
        self.cluster, self.context = cluster, context


# --- lifecycle -------------------------------------------------------------------------------


@dataclass
class Running:
    """A started server; ``stop`` shuts it down and closes its socket."""

    server: socketserver.BaseServer
    thread: threading.Thread

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def _start(server: socketserver.BaseServer) -> Running:
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    return Running(server, thread)


def start_elasticsearch(cluster: FakeCluster, context: ssl.SSLContext) -> Running:
    return _start(_FakeHttpServer(cluster, route_elastic, _es_unauthorized, context))


def start_kibana(cluster: FakeCluster, context: ssl.SSLContext | None) -> Running:
    return _start(_FakeHttpServer(cluster, _kibana_route, _kibana_unauthorized, context))


def start_logstash(cluster: FakeCluster, context: ssl.SSLContext | None) -> Running:
    return _start(_LogstashSink(cluster, context))
