"""The smoke check against real loopback servers (TLS, auth, polling), one failure at a time."""

from __future__ import annotations

import time

import pytest
from conftest import PASSWORD, Stack, StackFactory
from smoke_pki import Pki

ALL_ROWS = [
    "elasticsearch health",
    "logstash tcp send",
    "ingest market_tick",
    "ingest security",
    "ingest performance",
    "mapping market_tick",
    "mapping security",
    "mapping performance",
    "kibana status",
]


def test_all_checks_pass_and_print_the_table(stack: Stack) -> None:
    run = stack.run()

    assert run.code == 0, run.out + run.err
    assert run.out.splitlines()[0].split() == ["CHECK", "RESULT", "DETAIL"]
    assert list(run.rows()) == ALL_ROWS
    assert {result for result, _ in run.rows().values()} == {"PASS"}
    assert "smoke check: PASS (9 pass)" in run.out
    assert "green, 1 node" in run.detail("elasticsearch health")
    assert "(TLS)" in run.detail("logstash tcp send")
    assert ".ds-mt4-logs-market_tick-" in run.detail("ingest market_tick")
    assert "available (Kibana 8.19.25)" in run.detail("kibana status")


def test_sends_each_seed_structure_once_with_unique_id_and_smoke_tag(stack: Stack) -> None:
    stack.run()

    received = stack.cluster.received
    assert [doc["event_type"] for doc in received] == ["market_tick", "security", "performance"]
    ids = [doc["event"]["id"] for doc in received]
    assert len(set(ids)) == 3
    assert all("smoke" in doc["tags"] for doc in received)
    assert stack.cluster.connections == ["tls"]


def test_every_request_is_authenticated_as_elastic(stack: Stack) -> None:
    stack.run()

    assert stack.cluster.requests, "the fakes saw no HTTP request"
    assert all(authorized for _, _, authorized in stack.cluster.requests)
    paths = [path for _, path, _ in stack.cluster.requests]
    assert "/_cluster/health" in paths
    assert "/api/status" in paths
    assert any(path.startswith("/mt4-logs-security/_search") for path in paths)
    assert any(path.startswith("/_data_stream/mt4-metrics-performance") for path in paths)
    assert any("/_mapping/field/" in path and "details.client_ip" in path for path in paths)


def test_event_routed_to_the_wrong_stream_fails_with_where_it_went(stack: Stack) -> None:
    stack.cluster.misroute["security"] = "mt4-logs-generic"

    run = stack.run()

    assert run.code == 1
    assert run.result("ingest security") == "FAIL"
    detail = run.detail("ingest security")
    assert "routed to mt4-logs-generic" in detail
    assert "expected mt4-logs-security" in detail
    assert run.result("mapping security") == "SKIP"
    assert run.result("ingest market_tick") == "PASS"


def test_misrouting_is_reported_without_waiting_for_the_deadline(stack: Stack) -> None:
    stack.cluster.misroute["performance"] = "mt4-logs-performance"

    started = time.monotonic()
    run = stack.run("--timeout", "30")

    assert run.result("ingest performance") == "FAIL"
    assert time.monotonic() - started < 10


@pytest.mark.parametrize(
    ("field", "override", "expected"),
    [
        ("bid", "float", "bid is float (want scaled_float)"),
        ("volume", "integer", "volume is integer (want long)"),
        ("level", "text", "level is text (want keyword)"),
    ],
)
def test_wrong_field_type_fails_the_mapping_row(stack: Stack, field: str, override: str, expected: str) -> None:
    stack.cluster.type_overrides[field] = override

    run = stack.run()

    assert run.code == 1
    row = "mapping security" if field == "level" else "mapping market_tick"
    assert run.result(row) == "FAIL"
    assert expected in run.detail(row)


def test_unmapped_field_is_named(stack: Stack) -> None:
    stack.cluster.type_overrides["details.client_ip"] = None

    run = stack.run()

    assert run.result("mapping security") == "FAIL"
    assert "details.client_ip not mapped (want ip)" in run.detail("mapping security")


def test_plain_index_instead_of_a_data_stream_fails(stack: Stack) -> None:
    stack.cluster.plain_indices.add("mt4-metrics-performance")

    run = stack.run()

    assert run.result("ingest performance") == "FAIL"
    assert "not a data stream" in run.detail("ingest performance")


@pytest.mark.parametrize("level", ["degraded", "unavailable", "critical"])
def test_kibana_not_available_fails(stack: Stack, level: str) -> None:
    stack.cluster.kibana_level = level

    run = stack.run()

    assert run.code == 1
    assert run.result("kibana status") == "FAIL"
    assert f"overall level {level}" in run.detail("kibana status")


def test_kibana_still_starting_fails_with_its_message(stack: Stack) -> None:
    stack.cluster.kibana_level = "not-ready"

    run = stack.run()

    assert run.result("kibana status") == "FAIL"
    assert "HTTP 503" in run.detail("kibana status")
    assert "not ready yet" in run.detail("kibana status")


def test_kibana_over_plain_http_is_accepted(make_stack: StackFactory) -> None:
    run = make_stack(kibana_tls=False).run()

    assert run.code == 0, run.out
    assert run.result("kibana status") == "PASS"


def test_red_cluster_fails(stack: Stack) -> None:
    stack.cluster.health = "red"

    run = stack.run()

    assert run.code == 1
    assert run.result("elasticsearch health") == "FAIL"
    assert run.detail("elasticsearch health").startswith("red")
    assert run.result("ingest market_tick") == "PASS"  # still answering: the rest is checked


@pytest.mark.parametrize(("nodes", "result"), [(1, "PASS"), (3, "WARN")])
def test_yellow_passes_and_warns_only_on_multi_node(stack: Stack, nodes: int, result: str) -> None:
    stack.cluster.health, stack.cluster.nodes = "yellow", nodes

    run = stack.run()

    assert run.code == 0, run.out
    assert run.result("elasticsearch health") == result
    assert "smoke check: PASS" in run.out


def test_deadline_exceeded_fails_each_missing_event(stack: Stack) -> None:
    stack.cluster.drop_events = True

    started = time.monotonic()
    run = stack.run("--timeout", "0.3")
    elapsed = time.monotonic() - started

    assert run.code == 1
    for kind, stream in [("market_tick", "mt4-logs-market_tick"), ("performance", "mt4-metrics-performance")]:
        assert run.result(f"ingest {kind}") == "FAIL"
        assert f"not searchable in {stream} within 0.3 s" in run.detail(f"ingest {kind}")
        assert run.result(f"mapping {kind}") == "SKIP"
    assert "does not exist" in run.detail("ingest security")
    assert 0.3 <= elapsed < 5
    assert len(stack.cluster.received) == 3  # sent, just never indexed


def test_plain_tcp_logstash_when_tls_is_false(make_stack: StackFactory) -> None:
    stack = make_stack(logstash_tls=False)

    run = stack.run()

    assert run.code == 0, run.out
    assert "(plain TCP, no TLS)" in run.detail("logstash tcp send")
    assert stack.cluster.connections == ["plain"]
    assert len(stack.cluster.received) == 3


def test_logstash_down_fails_send_and_skips_ingest(stack: Stack) -> None:
    outputs = {**stack.outputs, "logstash_tcp_endpoint": {"host": "127.0.0.1", "port": 1, "tls": True}}

    run = stack.run(outputs=outputs)

    assert run.code == 1
    assert run.result("logstash tcp send") == "FAIL"
    assert "connection refused" in run.detail("logstash tcp send")
    assert "tcp+tls://127.0.0.1:1" in run.detail("logstash tcp send"), "a failure names where it tried"
    assert run.result("ingest market_tick") == "SKIP"
    assert run.result("kibana status") == "PASS"


def test_servers_signed_by_another_ca_are_refused(make_stack: StackFactory, rogue_pki: Pki) -> None:
    stack = make_stack()

    run = stack.run(outputs={**stack.outputs, "ca_certificate": rogue_pki.ca_pem})

    assert run.code == 1
    for row in ("elasticsearch health", "logstash tcp send", "kibana status"):
        assert run.result(row) == "FAIL"
        assert "certificate" in run.detail(row)
    assert stack.cluster.received == []  # nothing was sent to an untrusted endpoint
    assert stack.cluster.requests == []


def test_elasticsearch_with_a_foreign_certificate_is_refused(make_stack: StackFactory, rogue_pki: Pki) -> None:
    run = make_stack(es_pki=rogue_pki).run()

    assert run.result("elasticsearch health") == "FAIL"
    assert "TLS certificate not trusted" in run.detail("elasticsearch health")
    assert "GET https://" in run.detail("elasticsearch health") and "/_cluster/health" in run.detail("elasticsearch health")
    assert run.result("ingest security") == "SKIP"


def test_wrong_password_is_reported_as_rejected_credentials(stack: Stack) -> None:
    run = stack.run(outputs={**stack.outputs, "elastic_password": "not-the-password"})

    assert run.code == 1
    assert "credentials rejected" in run.detail("elasticsearch health")
    assert "/_cluster/health" in run.detail("elasticsearch health"), "a failure names the URL it tried"
    assert run.result("ingest market_tick") == "SKIP"
    assert "credentials rejected" in run.detail("kibana status")
    assert "not-the-password" not in run.out + run.err


@pytest.mark.parametrize(
    "breakage",
    ["none", "wrong-password", "kibana-degraded", "misrouted", "dropped", "missing-output"],
)
def test_password_never_appears_in_output(stack: Stack, breakage: str) -> None:
    outputs = dict(stack.outputs)
    if breakage == "wrong-password":
        outputs["elastic_password"] = PASSWORD + "-old"
    elif breakage == "kibana-degraded":
        stack.cluster.kibana_level = "degraded"
    elif breakage == "misrouted":
        stack.cluster.misroute["market_tick"] = "mt4-logs-generic"
    elif breakage == "dropped":
        stack.cluster.drop_events = True
    elif breakage == "missing-output":
        del outputs["kibana_url"]

    run = stack.run("--timeout", "0.2", outputs=outputs)

    assert PASSWORD not in run.out
    assert PASSWORD not in run.err
    assert all(PASSWORD not in path for _, path, _ in stack.cluster.requests)


def test_redirects_are_not_followed_so_credentials_stay_put(stack: Stack) -> None:
    es_url = str(stack.outputs["elasticsearch_url"])
    stack.cluster.kibana_redirect = f"{es_url}/stolen"

    run = stack.run()

    assert run.result("kibana status") == "FAIL"
    assert "HTTP 302" in run.detail("kibana status")
    assert not any(path == "/stolen" for _, path, _ in stack.cluster.requests)


def test_proxy_settings_from_the_environment_are_ignored(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy", "ALL_PROXY"):
        monkeypatch.setenv(name, "http://127.0.0.1:1")
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)

    run = stack.run()

    assert run.code == 0, run.out
