"""Kibana as code in the whole program under mocks: resources, their order, and no secret in
plain text. Proof limit: the graph and the inputs as the engine receives them, not Kibana."""

from __future__ import annotations

import json

from tests.program import Registration, Run, is_secret, run_program
from tests.secrets_scan import leaks

#: Dependencies every Kibana resource has through its inputs (the password; the CA with TLS).
THROUGH_INPUTS = {"elk-credentials-elastic", "elk-pki-ca"}


def deps(run: Run, reg: Registration) -> set[str]:
    """What ``reg`` waits for besides the resources its inputs come from."""
    return {run.by_urn(urn).name for urn in reg.dependencies} - THROUGH_INPUTS


def test_data_views_wait_for_the_healthy_kibana_and_the_index_templates(prod: Run) -> None:
    for view in ("mt4-logs", "mt4-metrics", "mt4-system"):
        reg = prod.named(f"elk-kibana-objects-view-{view}")
        assert {"elk-kibana-container", "elk-indices-template-logs", "elk-indices-template-metrics"} <= deps(prod, reg)


def test_saved_objects_wait_for_what_they_reference(prod: Run) -> None:
    assert deps(prod, prod.named("elk-kibana-objects-mt4-search-high-latency")) == {
        "elk-kibana-container", "elk-kibana-objects-view-mt4-metrics"}
    dashboard = prod.named("elk-kibana-objects-mt4-dashboard-market-data")
    panels = ("tick-rate", "spread-by-symbol", "bid-ask", "volume", "ticks-by-symbol-esql")
    assert deps(prod, dashboard) == {"elk-kibana-container", *(f"elk-kibana-objects-mt4-lens-market-data-{p}" for p in panels)}
    assert deps(prod, prod.named("elk-kibana-objects-default-view")) == {"elk-kibana-container", "elk-kibana-objects-view-mt4-logs"}


def test_the_rule_waits_for_its_connectors_and_the_index_connector_for_the_template(prod: Run) -> None:
    rule = prod.named("elk-alerting-mt4-error-rate")
    assert deps(prod, rule) == {"elk-kibana-container", "elk-alerting-mt4-alerts-index", "elk-alerting-mt4-alerts-server-log"}
    assert "elk-alerting-alerts-template" in deps(prod, prod.named("elk-alerting-mt4-alerts-index"))
    template = prod.named("elk-alerting-alerts-template")
    assert template.inputs["indexPatterns"] == ["mt4-alerts-*"] and "dataStream" in template.inputs


def test_every_kibana_resource_gets_the_elastic_password_only_as_a_secret(prod: Run) -> None:
    kibana = [r for r in prod.resources if r.type.startswith("pulumi-python:dynamic/kibana:")]
    # data views (with the failure stores'), default view, saved objects, connectors, rules (errors, failures)
    assert len(kibana) == 4 + 1 + 29 + 2 + 2
    for reg in kibana:
        assert is_secret(reg.raw["connection"]) or is_secret(reg.raw["connection"]["password"]), reg.name
        assert reg.inputs["connection"]["username"] == "elastic"
        assert is_secret(reg.raw["__provider"]), f"{reg.name}: the pickled provider is not serialized as a secret"
    assert leaks(prod) == []


def test_kibana_url_and_ca_follow_the_tls_setting() -> None:
    plain = run_program("dev")
    reg = plain.named("elk-kibana-objects-view-mt4-logs")
    assert reg.inputs["connection"]["url"] == "http://localhost:5601" and reg.inputs["connection"]["ca_pem"] == ""
    tls = run_program("dev", overrides={"kibana": {"tls": True}})
    reg = tls.named("elk-kibana-objects-view-mt4-logs")
    assert reg.inputs["connection"]["url"] == "https://localhost:5601"
    assert reg.inputs["connection"]["ca_pem"].startswith("-----BEGIN CERTIFICATE-----")


def test_the_rule_counts_the_last_five_minutes_on_every_run(prod: Run) -> None:
    rule = prod.named("elk-alerting-mt4-error-rate").inputs
    assert rule["rule_type_id"] == ".es-query" and rule["consumer"] == "stackAlerts"
    assert rule["schedule"] == {"interval": "1m"}
    params = rule["params"]
    assert params["excludeHitsFromPreviousRun"] is False
    assert (params["timeWindowSize"], params["timeWindowUnit"], params["threshold"], params["thresholdComparator"]) == (5, "m", [10], ">=")
    assert params["index"] == ["mt4-logs-*"]
    assert json.loads(params["esQuery"]) == {"query": {"bool": {"filter": [{"term": {"level": "ERROR"}}]}}}
    assert all(set(a["frequency"]) == {"summary", "notify_when"} for a in rule["actions"])
    assert "notify_when" not in rule and "throttle" not in rule
    connectors = {r.inputs["connector_type_id"] for r in prod.of_type("pulumi-python:dynamic/kibana:Connector")}
    assert connectors == {".index", ".server-log"}


def test_the_stack_exports_nothing_of_the_kibana_objects(prod: Run) -> None:
    assert not any(key.startswith(("kibana_objects", "alerting")) for key in prod.stack_outputs_raw)


def test_on_trial_the_guides_watch_and_an_email_action_join_the_rule() -> None:
    email = {"to": ["ops@example.com"], "from": "elk@example.com", "host": "smtp.example.com", "port": 25}
    run = run_program("dev", overrides={"license": "trial", "alerting": {"watcher": True, "email": email}})
    connector = run.named("elk-alerting-mt4-alerts-email").inputs
    assert connector["connector_type_id"] == ".email"
    assert connector["config"] == {"service": "other", "from": "elk@example.com", "host": "smtp.example.com", "port": 25,
                                   "secure": False, "hasAuth": False}
    rule = run.named("elk-alerting-mt4-error-rate")
    assert "elk-alerting-mt4-alerts-email" in deps(run, rule)
    assert [a["id"] for a in rule.inputs["actions"]] == ["mt4-alerts-index", "mt4-alerts-server-log", "mt4-alerts-email"]
    watch = run.named("elk-alerting-mt4-error-alert")
    assert watch.type == "pulumi-python:dynamic/elasticsearch:Watch"
    assert watch.inputs["connection"]["url"] == "https://localhost:9200"
    assert watch.inputs["watch"]["actions"]["send_email"]["email"]["account"] == "mt4"
    assert deps(run, watch) == {"elk-es-es01"}
    assert leaks(run) == []


def test_on_basic_there_is_no_watch_and_no_email(dev: Run) -> None:
    assert dev.of_type("pulumi-python:dynamic/elasticsearch:Watch") == []
    assert {r.name for r in dev.of_type("pulumi-python:dynamic/kibana:Connector")} == {
        "elk-alerting-mt4-alerts-index", "elk-alerting-mt4-alerts-server-log"}


def test_the_smtp_password_reaches_the_email_connector_only_as_a_secret() -> None:
    """The Alerting component on its own (the loader's hand-over of the secret is the lead's wiring)."""
    import pulumi

    from components.alerting import Alerting, AlertingArgs
    from components.settings.model import Alerting as AlertingSettings
    from components.settings.model import Email
    from tests.program import RecordingMocks, RecordingMonitor

    run = Run()
    mocks = RecordingMocks(run, preview=False)
    pulumi.runtime.set_mocks(mocks, project="elk-stack", stack="dev", preview=False, monitor=RecordingMonitor(mocks))
    email = Email(to=("ops@example.com",), sender="elk@example.com", host="smtp.example.com", port=587, user="elk")

    @pulumi.runtime.test
    def build() -> pulumi.Output[object]:
        provider = pulumi.ProviderResource("elasticstack", "es")
        Alerting("a", AlertingArgs(
            kibana_url="http://localhost:5601", ca_cert_pem="", password=pulumi.Output.secret("elastic-pw-1"), kibana=[],
            es_provider=provider, es_nodes=[], replicas=0, settings=AlertingSettings(watcher=False, email=email),
            email_password=pulumi.Output.secret("smtp-pw-secret-42")))
        return pulumi.Output.from_input(None)

    build()
    connector = run.named("a-mt4-alerts-email")
    assert is_secret(connector.raw["secrets"]) and connector.inputs["secrets"] == {"user": "elk", "password": "smtp-pw-secret-42"}
    assert "smtp-pw-secret-42" not in json.dumps({k: v for k, v in connector.raw.items() if k != "secrets"})


def test_the_whole_program_hands_the_secret_smtp_password_to_the_email_connector() -> None:
    email = {"to": ["ops@example.com"], "from": "elk@example.com", "host": "smtp.example.com", "user": "elk"}
    run = run_program("dev", overrides={"license": "trial", "alerting": {"email": email},
                                        "alerting_email_password": "smtp-pw-secret-77"},
                      secret_keys=["elk-stack:alerting_email_password"])
    connector = run.named("elk-alerting-mt4-alerts-email")
    assert is_secret(connector.raw["secrets"]) and connector.inputs["secrets"]["password"] == "smtp-pw-secret-77"
    everything_else = [r.raw for r in run.resources if r is not connector] + [run.stack_outputs_raw]
    assert "smtp-pw-secret-77" not in json.dumps(everything_else)


def test_kibana_objects_and_the_alert_go_with_the_data_on_destroy(prod: Run) -> None:
    """They live in Elasticsearch (Kibana's system indices, .watches): no delete call to a Kibana
    or cluster that is going away, as for the index templates."""
    data = prod.named("elk-es-es01-data").urn
    managed = [r for r in prod.resources if r.type.startswith("pulumi-python:dynamic/kibana:")]
    assert managed and all(r.deleted_with == data for r in managed)
