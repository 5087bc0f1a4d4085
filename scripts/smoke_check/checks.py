"""The individual smoke checks; each returns one :class:`CheckResult` row."""

from __future__ import annotations

import ssl
from collections.abc import Mapping

from .elasticsearch import (
    cluster_health,
    get_data_stream,
    get_field_mapping,
    http_problem,
    parse_data_stream,
    parse_field_types,
)
from .errors import TransportError
from .events import SmokeEvent
from .httpclient import HttpClient, Response
from .logstash import encode_ndjson, send_lines
from .model import CheckResult, Status
from .outputs import Endpoint
from .polling import Probe

HEALTH = "elasticsearch health"
SEND = "logstash tcp send"
KIBANA = "kibana status"
MAX_DETAIL = 120


def ingest_name(event: SmokeEvent) -> str:
    """Row name of the ingest check for one event kind."""
    return f"ingest {event.kind}"


def mapping_name(event: SmokeEvent) -> str:
    """Row name of the mapping check for one event kind."""
    return f"mapping {event.kind}"


def check_health(es: HttpClient) -> tuple[CheckResult, bool]:
    """Cluster health, and whether Elasticsearch answered at all (gates the ingest checks)."""
    try:
        response = cluster_health(es)
    except TransportError as exc:
        return CheckResult(HEALTH, Status.FAIL, str(exc)), False
    if response.status != 200:
        return CheckResult(HEALTH, Status.FAIL, http_problem(response)), False
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, Mapping):
        return CheckResult(HEALTH, Status.FAIL, "unexpected _cluster/health body"), True
    return _grade_health(body), True


def _grade_health(body: Mapping[str, object]) -> CheckResult:
    """Green passes; yellow passes (a warning when other nodes could hold the replicas)."""
    status = str(body.get("status", "unknown"))
    nodes = _as_int(body.get("number_of_nodes"))
    unassigned = _as_int(body.get("unassigned_shards"))
    where = f"{nodes} node{'s' if nodes != 1 else ''}"
    if status == "green":
        return CheckResult(HEALTH, Status.PASS, f"green, {where}")
    if status == "yellow" and nodes <= 1:
        detail = f"yellow, {where} (replicas cannot be assigned on one node)"
        return CheckResult(HEALTH, Status.PASS, detail)
    if status == "yellow":
        detail = f"yellow, {where}: {unassigned} unassigned replica shard(s)"
        return CheckResult(HEALTH, Status.WARN, detail)
    detail = f"{status}, {where}: {unassigned} unassigned shard(s)"
    return CheckResult(HEALTH, Status.FAIL, detail)


def _as_int(value: object) -> int:
    """An integer field of a JSON body, 0 when absent or malformed."""
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def check_send(
    endpoint: Endpoint,
    events: list[SmokeEvent],
    context: ssl.SSLContext | None,
    timeout: float,
) -> CheckResult:
    """Send every smoke event to the Logstash TCP input in one connection."""
    transport = "TLS" if endpoint.tls else "plain TCP, no TLS"
    where = f"{endpoint.host}:{endpoint.port}"
    try:
        send_lines(endpoint, encode_ndjson(e.document for e in events), context, timeout)
    except TransportError as exc:
        return CheckResult(SEND, Status.FAIL, f"{where} ({transport}): {exc}")
    return CheckResult(SEND, Status.PASS, f"{len(events)} events to {where} ({transport})")


def check_ingest(es: HttpClient, event: SmokeEvent, probe: Probe, deadline: float) -> CheckResult:
    """Turn the polling outcome for one event into a row; found events must be in a data stream."""
    name = ingest_name(event)
    if probe.state == "found":
        return _check_is_data_stream(es, event, probe)
    if probe.state == "misrouted":
        detail = f"routed to {probe.stream} ({probe.index}), expected {event.stream}"
        return CheckResult(name, Status.FAIL, detail)
    if probe.state == "timeout":
        detail = f"not searchable in {event.stream} within {deadline:g} s ({probe.note})"
        return CheckResult(name, Status.FAIL, detail)
    return CheckResult(name, Status.FAIL, probe.note)


def _check_is_data_stream(es: HttpClient, event: SmokeEvent, probe: Probe) -> CheckResult:
    """Confirm the target is a data stream, not a plain index created by a missing template."""
    name = ingest_name(event)
    try:
        response = get_data_stream(es, event.stream)
    except TransportError as exc:
        return CheckResult(name, Status.FAIL, f"found, but _data_stream failed: {exc}")
    info = parse_data_stream(response, event.stream) if response.status == 200 else None
    if info is None:
        detail = f"found in {probe.index}, but {event.stream} is not a data stream (index template missing or without data_stream?)"
        return CheckResult(name, Status.FAIL, detail)
    detail = f"in {probe.index} after {probe.elapsed:.1f} s (template {info.template})"
    return CheckResult(name, Status.PASS, detail)


def check_mapping(es: HttpClient, event: SmokeEvent, index: str) -> CheckResult:
    """Compare the mapped type of each expected field in the index the event landed in."""
    name = mapping_name(event)
    try:
        response = get_field_mapping(es, index, list(event.expected_types))
    except TransportError as exc:
        return CheckResult(name, Status.FAIL, str(exc))
    if response.status != 200:
        return CheckResult(name, Status.FAIL, http_problem(response))
    problems = type_problems(event.expected_types, parse_field_types(response, index))
    if problems:
        return CheckResult(name, Status.FAIL, "; ".join(problems))
    detail = f"{len(event.expected_types)} field types as expected in {event.stream}"
    return CheckResult(name, Status.PASS, detail)


def type_problems(expected: Mapping[str, str], actual: Mapping[str, str]) -> list[str]:
    """One message per field whose mapped type differs from the expected one."""
    problems = []
    for field_name, want in expected.items():
        got = actual.get(field_name)
        if got is None:
            problems.append(f"{field_name} not mapped (want {want})")
        elif got != want:
            problems.append(f"{field_name} is {got} (want {want})")
    return problems


def check_kibana(kibana: HttpClient) -> CheckResult:
    """Kibana's own view of itself: ``status.overall.level`` must be ``available``."""
    try:
        response = kibana.get("/api/status")
    except TransportError as exc:
        return CheckResult(KIBANA, Status.FAIL, str(exc))
    if response.status == 401:
        return CheckResult(KIBANA, Status.FAIL, "HTTP 401: credentials rejected")
    overall, version = _kibana_overall(response)
    if overall is None:
        detail = f"HTTP {response.status}: no status.overall.level ({response.text(80)})"
        return CheckResult(KIBANA, Status.FAIL, detail)
    level = str(overall.get("level"))
    if level == "available":
        return CheckResult(KIBANA, Status.PASS, f"available (Kibana {version})")
    summary = str(overall.get("summary") or "").strip()
    detail = f"overall level {level}" + (f": {summary}" if summary else "")
    return CheckResult(KIBANA, Status.FAIL, detail[:MAX_DETAIL])


def _kibana_overall(response: Response) -> tuple[Mapping[str, object] | None, str]:
    """``status.overall`` and ``version.number`` from a status body (503 bodies included)."""
    try:
        body = response.json()
    except ValueError:
        return None, "?"
    if not isinstance(body, Mapping):
        return None, "?"
    status = body.get("status")
    overall = status.get("overall") if isinstance(status, Mapping) else None
    version = body.get("version")
    number = version.get("number", "?") if isinstance(version, Mapping) else "?"
    if not isinstance(overall, Mapping) or "level" not in overall:
        return None, str(number)
    return overall, str(number)
