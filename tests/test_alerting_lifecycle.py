"""The alerts data stream's ILM policy: the body as Elasticsearch 8.19 takes it, its translation
into pulumi-elasticstack inputs, and its place in the whole program (under mocks).

Proof limit: the request Elasticsearch would get and the resource graph, not ILM running (the
real-Elasticsearch layer has no ILM module: PITFALLS)."""

from __future__ import annotations

import json
import re

import pytest

from components.index_management import lifecycle_inputs
from components.render import alerting_bodies as bodies
from policy.guardrails import rules_cluster
from tests.policy.stacks import edit, stack
from tests.program import Run

ILM = "elasticstack:index/indexLifecycle:IndexLifecycle"
#: Elasticsearch time values and byte sizes (common-options docs, 8.19): what the provider does not check.
TIME_VALUE = re.compile(r"^(\d+)(d|h|m|s|ms|micros|nanos)$")
BYTE_SIZE = re.compile(r"^\d+(b|kb|mb|gb|tb|pb)$")
#: TimeseriesLifecycleType (8.19): the order Elasticsearch runs the actions of a phase in.
HOT_ORDER = ("set_priority", "unfollow", "rollover", "readonly", "downsample", "shrink", "forcemerge", "searchable_snapshot")
DELETE_ORDER = ("wait_for_snapshot", "delete")
DAY = 86400


def _days(value: str) -> float:
    number, unit = TIME_VALUE.fullmatch(value).groups()  # type: ignore[union-attr]
    return int(number) * {"d": DAY, "h": 3600, "m": 60, "s": 1, "ms": 1e-3, "micros": 1e-6, "nanos": 1e-9}[unit] / DAY


def test_the_policy_is_hot_then_delete_with_valid_actions_in_elasticsearch_order() -> None:
    phases = bodies.alerts_ilm_policy_body()["policy"]["phases"]
    assert list(phases) == ["hot", "delete"]
    hot = list(phases["hot"]["actions"])
    assert set(hot) <= set(HOT_ORDER) and hot == sorted(hot, key=HOT_ORDER.index)
    assert set(phases["delete"]["actions"]) <= set(DELETE_ORDER)
    assert "min_age" not in phases["hot"], "hot starts at 0"


def test_rollover_and_retention_are_elasticsearch_values_that_fit_an_alert_a_minute() -> None:
    phases = bodies.alerts_ilm_policy_body()["policy"]["phases"]
    rollover = phases["hot"]["actions"]["rollover"]
    assert set(rollover) == {"max_age", "max_primary_shard_size"}, "rollover needs a max_* condition; max_size is deprecated"
    assert TIME_VALUE.fullmatch(rollover["max_age"]) and BYTE_SIZE.fullmatch(rollover["max_primary_shard_size"])
    delete_after = phases["delete"]["min_age"]
    assert TIME_VALUE.fullmatch(delete_after)
    # Incident history outlives the logs it summarises (30 days by default) by far.
    assert _days(delete_after) >= 90
    assert phases["delete"]["actions"] == {"delete": {"delete_searchable_snapshot": True}}


def test_the_provider_inputs_are_the_body() -> None:
    inputs = lifecycle_inputs(bodies.alerts_ilm_policy_body())
    assert set(inputs) == {"metadata", "hot", "delete"}
    assert json.loads(inputs["metadata"]) == {"description": "MT4 alerts data stream: hot -> delete after a year",
                                              "managed_by": "elk-stack"}


def test_the_template_names_the_policy() -> None:
    settings = bodies.alerts_template_settings(2)
    assert settings["index.lifecycle.name"] == bodies.ALERTS_POLICY
    assert settings["index.number_of_replicas"] == 2


@pytest.mark.parametrize("name", ["dev", "prod"])
def test_the_program_declares_the_policy_and_the_template_uses_it(name: str, request: pytest.FixtureRequest) -> None:
    run: Run = request.getfixturevalue(name)
    policy = run.named("elk-alerting-alerts-ilm")
    assert policy.type == ILM and policy.inputs["name"] == bodies.ALERTS_POLICY
    assert policy.inputs["hot"] == {"setPriority": {"priority": 100}, "rollover": {"maxAge": "30d", "maxPrimaryShardSize": "1gb"}}
    assert policy.inputs["delete"] == {"minAge": "365d", "delete": {"deleteSearchableSnapshot": True}}
    assert policy.parent == run.named("elk-alerting").urn
    template = run.named("elk-alerting-alerts-template")
    assert json.loads(template.inputs["template"]["settings"])["index.lifecycle.name"] == bodies.ALERTS_POLICY
    assert policy.urn in template.dependencies, "the template names the policy, so the policy must exist first"
    # The policy talks to Elasticsearch like the template: same provider, after the nodes, gone with the data.
    assert policy.provider == template.provider and policy.deleted_with == template.deleted_with != ""
    nodes = {r.urn for r in run.resources if r.type == "docker:index/container:Container"
             and {"label": "role", "value": "elasticsearch"} in r.inputs["labels"]}
    assert nodes and nodes <= set(policy.dependencies)


@pytest.mark.parametrize("name", ["dev", "prod"])
def test_the_ilm_guardrail_finds_every_template_with_a_policy(name: str) -> None:
    resources = stack(name)
    assert rules_cluster.ilm_on_every_template(resources, name).violations == []
    # and it still catches the alerts template without one (the rule can fail on this stack)
    def drop_policy(props: dict) -> None:
        settings = json.loads(props["template"]["settings"])
        del settings["index.lifecycle.name"]
        props["template"]["settings"] = json.dumps(settings)

    found = rules_cluster.ilm_on_every_template(edit(resources, "elk-alerting-alerts-template", drop_policy), name).violations
    assert [v.message for v in found] == [f"template {bodies.ALERTS_TEMPLATE!r} has no index.lifecycle.name"]
