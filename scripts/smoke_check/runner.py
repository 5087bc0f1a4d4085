"""Run every check in order against the deployed stack."""

from __future__ import annotations

import ssl
from collections.abc import Callable

from .checks import (
    KIBANA,
    check_health,
    check_ingest,
    check_kibana,
    check_mapping,
    check_send,
    ingest_name,
    mapping_name,
)
from .events import SmokeEvent, build_events
from .httpclient import HttpClient, basic_auth
from .model import CheckResult, Settings, Status
from .outputs import StackOutputs
from .polling import wait_for_events
from .tls import client_context

Progress = Callable[[str], None]


def _silent(_message: str) -> None:
    """Default progress sink."""


def run_checks(outputs: StackOutputs, settings: Settings, progress: Progress = _silent) -> list[CheckResult]:
    """All rows of the report, in order: health, send, ingest, mapping, Kibana."""
    context = client_context(outputs.ca_certificate)
    es = _client(outputs.elasticsearch_url, outputs, context, settings)
    kibana = _client(outputs.kibana_url, outputs, context, settings)
    events = build_events()
    health, reachable = check_health(es)
    tcp_context = context if outputs.logstash_tcp.tls else None
    send = check_send(outputs.logstash_tcp, events, tcp_context, settings.request_timeout)
    blocked = _blocked_reason(reachable, send)
    if not blocked:
        progress(f"waiting up to {settings.deadline:g} s for the events to be searchable")
    return [
        health,
        send,
        *_event_checks(es, events, settings, blocked),
        _guarded(KIBANA, lambda: check_kibana(kibana)),
    ]


def _client(base_url: str, outputs: StackOutputs, context: ssl.SSLContext, settings: Settings) -> HttpClient:
    """An HTTP client authenticated as ``elastic``; the CA context is used for https only."""
    authorization = basic_auth("elastic", outputs.elastic_password)
    return HttpClient(base_url, authorization, context, settings.request_timeout)


def _blocked_reason(reachable: bool, send: CheckResult) -> str:
    """Why the ingest checks cannot run ('' when they can)."""
    if send.status is not Status.PASS:
        return "events were not sent"
    if not reachable:
        return "elasticsearch did not answer"
    return ""


def _event_checks(es: HttpClient, events: list[SmokeEvent], settings: Settings, blocked: str) -> list[CheckResult]:
    """Ingest rows then mapping rows; skipped rows say why."""
    if blocked:
        return [CheckResult(ingest_name(e), Status.SKIP, blocked) for e in events] + [
            CheckResult(mapping_name(e), Status.SKIP, blocked) for e in events
        ]
    probes = wait_for_events(es, events, settings)
    ingest = [_guarded(ingest_name(e), lambda e=e: check_ingest(es, e, probes[e.kind], settings.deadline)) for e in events]
    mapping = [
        _guarded(mapping_name(e), lambda e=e: check_mapping(es, e, probes[e.kind].index))
        if row.status is Status.PASS
        else CheckResult(mapping_name(e), Status.SKIP, "event not found in its data stream")
        for e, row in zip(events, ingest, strict=True)
    ]
    return ingest + mapping


def _guarded(name: str, check: Callable[[], CheckResult]) -> CheckResult:
    """Run one check; an unexpected response shape becomes a FAIL row, not a traceback."""
    try:
        return check()
    except (ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
        return CheckResult(name, Status.FAIL, f"unexpected response: {type(exc).__name__}")
