"""The failure store in the whole program under mocks: the cluster setting, its place in the
order, its data view and its alert, and what the stack file's switches change.

Proof limit: the graph and the inputs as the engine receives them; not Elasticsearch or Kibana
accepting them (no real 8.19 cluster with the data-streams module and no Kibana run here).
"""

from __future__ import annotations

import json

from components.render import failure_alert
from tests.program import Run, run_program

SETTING = "elk-indices-failure-store"


def deps(run: Run, name: str) -> set[str]:
    return {run.by_urn(urn).name for urn in run.named(name).dependencies}


def test_the_failure_store_setting_covers_both_mt4_families(prod: Run) -> None:
    reg = prod.named(SETTING)
    assert reg.type == "elasticstack:index/clusterSettings:ClusterSettings"
    assert reg.inputs["persistent"] == {"settings": [
        {"name": "data_streams.failure_store.enabled", "valueLists": ["mt4-logs-*", "mt4-metrics-*"]},
    ]}


def test_templates_and_so_logstash_wait_for_the_failure_store(prod: Run) -> None:
    """Logstash waits for the templates; the templates wait for the setting: no document can be
    rejected before the failure store is on."""
    for family in ("logs", "metrics"):
        assert SETTING in deps(prod, f"elk-indices-template-{family}")
    logstash = [r for r in prod.resources if r.type == "docker:index/container:Container" and "logstash" in r.name
                and "secret-files" not in r.name and "permissions" not in r.name]
    assert logstash
    for reg in logstash:
        assert {"elk-indices-template-logs", "elk-indices-template-metrics"} <= {prod.by_urn(u).name for u in reg.dependencies}


def test_the_failures_data_view_uses_the_selector_on_each_family(prod: Run) -> None:
    view = prod.named("elk-kibana-objects-view-mt4-failures").inputs
    body = view["data_view"]
    assert body["title"] == "mt4-logs-*::failures,mt4-metrics-*::failures"
    assert body["timeFieldName"] == "@timestamp" and body["allowNoIndex"] is True


def test_the_failure_rule_fires_on_new_failures_only(prod: Run) -> None:
    rule = prod.named(f"elk-alerting-{failure_alert.FAILURE_RULE_ID}").inputs
    assert (rule["rule_type_id"], rule["consumer"], rule["schedule"]) == (".es-query", "stackAlerts", {"interval": "1m"})
    params = rule["params"]
    assert params["index"] == ["mt4-logs-*::failures", "mt4-metrics-*::failures"]
    assert params["excludeHitsFromPreviousRun"] is True
    assert params["size"] == 1, "the executor remembers the latest hit it returned: with size 0 it excludes nothing"
    assert (params["threshold"], params["thresholdComparator"], params["timeWindowSize"], params["timeWindowUnit"]) == ([1], ">=", 5, "m")
    assert json.loads(params["esQuery"]) == {"query": {"match_all": {}}}
    assert {a["id"] for a in rule["actions"]} == {"mt4-alerts-index", "mt4-alerts-server-log"}
    assert all(set(a["frequency"]) == {"summary", "notify_when"} for a in rule["actions"])
    connectors = {"elk-alerting-mt4-alerts-index", "elk-alerting-mt4-alerts-server-log"}
    assert connectors <= deps(prod, f"elk-alerting-{failure_alert.FAILURE_RULE_ID}")


def test_failure_store_off_declares_no_setting_and_the_templates_wait_for_none() -> None:
    run = run_program("dev", overrides={"index_management": {"failure_store": False}})
    assert not [r for r in run.resources if r.name == SETTING]
    assert SETTING not in deps(run, "elk-indices-template-logs")


def test_logsdb_reaches_the_shared_component_template() -> None:
    run = run_program("dev", overrides={"index_management": {"index_mode": "logsdb"}})
    settings = json.loads(run.named("elk-indices-component-settings").inputs["template"]["settings"])
    assert settings["index.mode"] == "logsdb"
    default = json.loads(run_program("dev").named("elk-indices-component-settings").inputs["template"]["settings"])
    assert default["index.mode"] == "standard"
