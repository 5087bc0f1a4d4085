"""Elasticsearch 8.19 calls the smoke check makes, and parsing of their documented responses."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .httpclient import HttpClient, Response

#: Backing indices are ``.ds-<stream>-<yyyy.MM.dd>-<generation>`` (``.fs-`` for failure store).
_BACKING_INDEX = re.compile(r"^\.(?:ds|fs)-(?P<stream>.+)-\d{4}\.\d{2}\.\d{2}-\d{6}$")


def error_reason(response: Response) -> str:
    """``type: reason`` from an Elasticsearch error body, or the start of the raw body."""
    try:
        body = response.json()
    except ValueError:
        return response.text()
    error = body.get("error") if isinstance(body, Mapping) else None
    if isinstance(error, Mapping):
        return f"{error.get('type', 'error')}: {error.get('reason', '')}".rstrip(": ")
    if isinstance(error, str):
        return error
    return response.text()


def http_problem(response: Response) -> str:
    """A one-line description of a non-200 answer naming the request, with a hint for auth failures."""
    where = f"{response.url}: " if response.url else ""
    if response.status == 401:
        return f"{where}HTTP 401: credentials rejected (check elastic_password)"
    if response.status == 403:
        return f"{where}HTTP 403: user elastic lacks a privilege ({error_reason(response)})"
    return f"{where}HTTP {response.status}: {error_reason(response)}"


def stream_of(index: str) -> str:
    """The data stream a backing index belongs to (a plain index is its own name)."""
    match = _BACKING_INDEX.match(index)
    return match.group("stream") if match else index


def cluster_health(client: HttpClient) -> Response:
    """``GET /_cluster/health``."""
    return client.get("/_cluster/health")


def search_event_id(client: HttpClient, target: str, event_id: str) -> Response:
    """Search ``target`` for the document whose ``event.id`` equals ``event_id``.

    POST is the documented equivalent of ``GET /<target>/_search`` with a body; urllib (and
    some proxies) do not send bodies with GET.
    """
    query = {"query": {"term": {"event.id": event_id}}, "size": 1, "_source": False}
    return client.post_json(f"/{target}/_search", query)


def first_hit_index(response: Response) -> str | None:
    """``_index`` of the first hit of a 200 search answer, None when there is no hit."""
    body = response.json()
    hits = body.get("hits") if isinstance(body, Mapping) else None
    found = hits.get("hits") if isinstance(hits, Mapping) else None
    if isinstance(found, list) and found and isinstance(found[0], Mapping):
        index = found[0].get("_index")
        return str(index) if index else None
    return None


def get_data_stream(client: HttpClient, name: str) -> Response:
    """``GET /_data_stream/<name>``."""
    return client.get(f"/_data_stream/{name}")


@dataclass(frozen=True)
class DataStreamInfo:
    """What the smoke report shows about a data stream."""

    name: str
    write_index: str
    template: str


def parse_data_stream(response: Response, name: str) -> DataStreamInfo | None:
    """The named stream from a ``_data_stream`` answer, None if it is not listed."""
    body = response.json()
    streams = body.get("data_streams", []) if isinstance(body, Mapping) else []
    for stream in streams:
        if isinstance(stream, Mapping) and stream.get("name") == name:
            indices = stream.get("indices") or [{}]
            write_index = indices[-1].get("index_name", "?")  # last is the write index
            return DataStreamInfo(name, str(write_index), str(stream.get("template", "?")))
    return None


def get_field_mapping(client: HttpClient, index: str, fields: Sequence[str]) -> Response:
    """``GET /<index>/_mapping/field/<f1>,<f2>,...``."""
    return client.get(f"/{index}/_mapping/field/{','.join(fields)}")


def parse_field_types(response: Response, index: str) -> dict[str, str]:
    """Field path -> mapped type from a field-mapping answer for one index.

    Documented shape: ``{index: {"mappings": {"details.client_ip": {"full_name":
    "details.client_ip", "mapping": {"client_ip": {"type": "ip"}}}}}}`` -- the inner
    ``mapping`` is keyed by the leaf name. Fields that are not mapped are simply absent.
    """
    body = response.json()
    if not isinstance(body, Mapping):
        return {}
    entry = body.get(index)
    if entry is None and len(body) == 1:
        entry = next(iter(body.values()))
    mappings = entry.get("mappings", {}) if isinstance(entry, Mapping) else {}
    return {name: _leaf_type(name, spec) for name, spec in mappings.items()}


def _leaf_type(name: str, spec: object) -> str:
    """The ``type`` of one field-mapping entry (``object`` when a mapping has no type)."""
    mapping = spec.get("mapping", {}) if isinstance(spec, Mapping) else {}
    leaf = mapping.get(name.rsplit(".", 1)[-1]) if isinstance(mapping, Mapping) else None
    if leaf is None and isinstance(mapping, Mapping) and len(mapping) == 1:
        leaf = next(iter(mapping.values()))
    return str(leaf.get("type", "object")) if isinstance(leaf, Mapping) else "object"
