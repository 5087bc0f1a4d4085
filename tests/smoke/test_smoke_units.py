"""Pieces of the smoke check on their own: events, response parsing, polling, report, secrets."""

from __future__ import annotations

import json
import re
import ssl
import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from smoke_check.elasticsearch import error_reason, parse_data_stream, parse_field_types, stream_of
from smoke_check.events import SMOKE_TAG, build_events, utc_timestamp
from smoke_check.httpclient import HttpClient, Response, basic_auth
from smoke_check.logstash import encode_ndjson
from smoke_check.model import CheckResult, Settings, Status
from smoke_check.outputs import Endpoint, StackOutputs
from smoke_check.polling import wait_for_events
from smoke_check.report import all_passed, redact, render_table, verdict
from smoke_check.tls import client_context
from smoke_pki import Pki

from components.render.mt4_fields import EVENT_FIELDS, data_stream_for

SEED = {
    "market_tick": {
        "level": "INFO", "logger": "MarketDataBridge", "event_type": "market_tick", "symbol": "EURUSD",
        "bid": 1.1, "ask": 1.1001, "spread": 0.0001, "volume": 1000, "tags": ["market_data", "tick"],
    },
    "security": {
        "level": "WARNING", "logger": "SecurityLogger", "event_type": "security", "security_event": "unauthorized_access",
        "details": {"client_ip": "192.168.1.100", "reason": "invalid_key"}, "tags": ["security", "audit"],
    },
    "performance": {
        "level": "INFO", "logger": "PerformanceLogger", "event_type": "performance", "metric": "publish_latency",
        "value": 0.5, "unit": "ms", "tags": ["performance", "metrics"],
    },
}  # fmt: skip

# --- events ---------------------------------------------------------------------------------


def test_timestamp_is_utc_with_milliseconds_and_z() -> None:
    assert utc_timestamp(datetime(2024, 1, 15, 10, 30, 45, 123456, tzinfo=UTC)) == "2024-01-15T10:30:45.123Z"
    plus_two = timezone(timedelta(hours=2))
    assert utc_timestamp(datetime(2024, 1, 15, 12, 30, 45, 1000, tzinfo=plus_two)) == "2024-01-15T10:30:45.001Z"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", utc_timestamp())


def test_events_copy_the_seed_shapes_and_add_id_and_smoke_tag() -> None:
    events = build_events(datetime(2024, 1, 15, 10, 30, 45, 123000, tzinfo=UTC))

    assert [e.kind for e in events] == ["market_tick", "security", "performance"]
    for event in events:
        doc = dict(event.document)
        assert doc.pop("@timestamp") == "2024-01-15T10:30:45.123Z"
        assert doc.pop("event") == {"id": event.event_id}
        seed = SEED[event.kind]
        assert doc.pop("tags") == [*seed["tags"], SMOKE_TAG]
        assert doc == {k: v for k, v in seed.items() if k != "tags"}
        assert uuid.UUID(event.event_id).version == 4


def test_every_run_uses_fresh_event_ids() -> None:
    first, second = build_events(), build_events()
    ids = {e.event_id for e in first} | {e.event_id for e in second}
    assert len(ids) == 6


def test_target_streams_follow_the_shared_routing_rule() -> None:
    """Contract with components/render/mt4_fields.py, which the pipeline and templates share."""
    for event in build_events():
        assert event.stream == data_stream_for(event.document["event_type"])


def test_expected_types_match_the_shared_field_list() -> None:
    """The types the smoke check demands are the ones the templates are built from."""
    for event in build_events():
        for name, expected in event.expected_types.items():
            assert EVENT_FIELDS[name]["type"] == expected, name


def test_every_field_the_smoke_events_carry_is_mapped_by_the_shared_list() -> None:
    """Nothing the smoke check sends falls back to dynamic mapping."""

    def paths(document: object, prefix: str = "") -> list[str]:
        if not isinstance(document, dict):
            return [prefix]
        return [p for key, value in document.items() for p in paths(value, f"{prefix}{key}" if not prefix else f"{prefix}.{key}")]

    for event in build_events():
        assert set(paths(dict(event.document))) <= set(EVENT_FIELDS)


def test_ndjson_is_one_compact_object_per_line() -> None:
    events = build_events()
    payload = encode_ndjson(e.document for e in events)

    lines = payload.decode().split("\n")
    assert lines[-1] == ""
    assert [json.loads(line) for line in lines[:-1]] == [dict(e.document) for e in events]


# --- Elasticsearch responses ----------------------------------------------------------------


def test_field_mapping_parser_reads_the_documented_shape() -> None:
    """Example from the 8.x get-field-mapping docs: dotted names map to leaf-keyed entries."""
    body = {
        "publications": {
            "mappings": {
                "author.id": {"full_name": "author.id", "mapping": {"id": {"type": "text"}}},
                "abstract": {"full_name": "abstract", "mapping": {"abstract": {"type": "text"}}},
            }
        }
    }
    response = Response(200, json.dumps(body).encode())

    assert parse_field_types(response, "publications") == {"author.id": "text", "abstract": "text"}


def test_field_mapping_parser_keeps_scaled_float() -> None:
    index = ".ds-mt4-logs-market_tick-2024.01.15-000001"
    entry = {"full_name": "bid", "mapping": {"bid": {"type": "scaled_float", "scaling_factor": 100000.0}}}
    response = Response(200, json.dumps({index: {"mappings": {"bid": entry}}}).encode())

    assert parse_field_types(response, index) == {"bid": "scaled_float"}


@pytest.mark.parametrize(
    ("index", "stream"),
    [
        (".ds-mt4-logs-security-2024.01.15-000001", "mt4-logs-security"),
        (".ds-mt4-metrics-performance-2025.12.31-000042", "mt4-metrics-performance"),
        (".fs-mt4-logs-security-2024.01.15-000002", "mt4-logs-security"),
        ("mt4-logs-security", "mt4-logs-security"),
    ],
)
def test_stream_of_backing_index(index: str, stream: str) -> None:
    assert stream_of(index) == stream


def test_data_stream_write_index_is_the_last_one() -> None:
    body = {
        "data_streams": [
            {
                "name": "mt4-logs-security",
                "timestamp_field": {"name": "@timestamp"},
                "indices": [{"index_name": ".ds-a-000001"}, {"index_name": ".ds-a-000002"}],
                "template": "mt4-logs",
            }
        ]
    }
    info = parse_data_stream(Response(200, json.dumps(body).encode()), "mt4-logs-security")

    assert info is not None
    assert (info.write_index, info.template) == (".ds-a-000002", "mt4-logs")
    assert parse_data_stream(Response(200, json.dumps(body).encode()), "other") is None


def test_error_reason_reads_elasticsearch_errors_and_raw_text() -> None:
    body = {"error": {"type": "index_not_found_exception", "reason": "no such index [x]"}, "status": 404}
    assert error_reason(Response(404, json.dumps(body).encode())) == "index_not_found_exception: no such index [x]"
    assert error_reason(Response(502, b"<html> Bad   gateway </html>")) == "<html> Bad gateway </html>"


# --- polling --------------------------------------------------------------------------------


class _NeverFound:
    """Stands in for the HTTP client: every stream is missing, every wildcard search is empty."""

    def post_json(self, path: str, body: object) -> Response:
        if path.startswith("/*/"):
            return Response(200, json.dumps({"hits": {"total": {"value": 0}, "hits": []}}).encode())
        return Response(404, json.dumps({"error": {"type": "index_not_found_exception", "reason": "no such index"}}).encode())


def test_polling_stops_at_the_deadline_and_never_oversleeps() -> None:
    now = [100.0]
    naps: list[float] = []

    def sleep(seconds: float) -> None:
        naps.append(seconds)
        now[0] += seconds

    probes = wait_for_events(_NeverFound(), build_events(), Settings(deadline=2.5, interval=1.0), clock=lambda: now[0], sleep=sleep)  # type: ignore[arg-type]

    assert naps == [1.0, 1.0, 0.5]
    assert {p.state for p in probes.values()} == {"timeout"}
    assert "does not exist" in probes["security"].note


# --- report ---------------------------------------------------------------------------------


def test_table_is_aligned_and_ends_with_a_verdict() -> None:
    results = [
        CheckResult("elasticsearch health", Status.PASS, "green, 1 node"),
        CheckResult("kibana status", Status.FAIL, "overall level degraded"),
    ]

    lines = render_table(results).splitlines()

    assert lines[0].index("RESULT") == lines[1].index("PASS") == lines[2].index("FAIL")
    assert lines[0].index("DETAIL") == lines[1].index("green") == lines[2].index("overall")
    assert lines[-1] == "smoke check: FAIL (1 pass, 1 fail)"


@pytest.mark.parametrize(
    ("statuses", "passed"),
    [
        ([Status.PASS, Status.WARN], True),
        ([Status.PASS, Status.SKIP], False),
        ([Status.PASS, Status.FAIL], False),
        ([], False),
    ],
)
def test_only_pass_and_warn_count_as_passing(statuses: list[Status], passed: bool) -> None:
    results = [CheckResult(f"c{n}", s, "") for n, s in enumerate(statuses)]
    assert all_passed(results) is passed
    assert verdict(results).startswith("smoke check: PASS" if passed else "smoke check: FAIL")


def test_redact_masks_every_occurrence() -> None:
    assert redact("a hunter2 b hunter2", "hunter2") == "a ******** b ********"
    assert redact("nothing to hide", "") == "nothing to hide"


def test_secrets_stay_out_of_reprs() -> None:
    outputs = StackOutputs("https://es", "https://kb", "PEM", Endpoint("h", 1, True), "hunter2-secret")
    client = HttpClient("https://es", basic_auth("elastic", "hunter2-secret"), None, 1.0)

    assert "hunter2-secret" not in repr(outputs)
    assert "Basic" not in repr(client)


# --- TLS ------------------------------------------------------------------------------------


def test_tls_context_verifies_the_ca_and_the_host_name(pki: Pki) -> None:
    context = client_context(pki.ca_pem)

    assert context.verify_mode is ssl.CERT_REQUIRED
    assert context.check_hostname is True
    assert context.minimum_version >= ssl.TLSVersion.TLSv1_2
    assert len(context.get_ca_certs()) == 1  # the stack's CA only, no system roots
