"""Render tests for components/render/index_bodies.py: exact bodies, contract, fit with ingest.

Proof limit: these tests prove the bodies we would send match Elastic's documented contract
(vendored in tests/contracts/index_api_contract.json); only a real cluster proves it accepts them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from components.render import index_bodies as b
from components.render import mt4_fields
from components.settings.model import IndexManagement, Lifecycle, Snapshots

CONTRACT = json.loads((Path(__file__).resolve().parents[1] / "contracts" / "index_api_contract.json").read_text())

LOGS = Lifecycle(
    rollover_max_age="7d", rollover_max_primary_shard_size="5gb", warm_min_age="7d", warm_shrink_shards=1, delete_min_age="30d",
)
METRICS = Lifecycle(
    rollover_max_age="1d", rollover_max_primary_shard_size="5gb", warm_min_age="2d", warm_shrink_shards=1, delete_min_age="14d",
)
IM = IndexManagement(logs=LOGS, metrics=METRICS, replicas=0, refresh_interval="5s")
SNAP = Snapshots(
    repository="mt4_backup", location="/backup/elasticsearch", schedule="0 30 1 * * ?", expire_after="30d", min_count=5, max_count=50,
)

MANAGED = {"managed_by": "elk-stack"}


def _all_keys(value: object) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _all_keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _all_keys(v)}
    return set()


def _node(mappings: dict, path: str) -> dict:
    node = {"properties": mappings["properties"]}
    for part in path.split("."):
        node = node["properties"][part]
    return node


def _value_fields(properties: dict, prefix: str = "") -> dict[str, dict]:
    out: dict[str, dict] = {}
    for name, body in properties.items():
        path = f"{prefix}{name}"
        if "properties" in body:
            out.update(_value_fields(body["properties"], f"{path}."))
        else:
            out[path] = body
    return out


# ------------------------------------------------------------------------------------ ILM
def test_logs_policy_is_the_seed_policy_with_primary_shard_size_priorities_and_forcemerge():
    assert b.ilm_policy_body("logs", LOGS) == {
        "policy": {
            "_meta": {"description": "MT4 logs: hot -> warm -> delete", **MANAGED},
            "phases": {
                "hot": {"actions": {"set_priority": {"priority": 100}, "rollover": {"max_age": "7d", "max_primary_shard_size": "5gb"}}},
                "warm": {
                    "min_age": "7d",
                    "actions": {"set_priority": {"priority": 50}, "shrink": {"number_of_shards": 1}, "forcemerge": {"max_num_segments": 1}},
                },
                "delete": {"min_age": "30d", "actions": {"delete": {"delete_searchable_snapshot": True}}},
            },
        }
    }


def test_every_ilm_age_size_and_shard_count_comes_from_settings():
    odd = Lifecycle(
        rollover_max_age="3h", rollover_max_primary_shard_size="17gb", warm_min_age="2d", warm_shrink_shards=2, delete_min_age="9d"
    )
    phases = b.ilm_phases(odd)
    assert phases["hot"]["actions"]["rollover"] == {"max_age": "3h", "max_primary_shard_size": "17gb"}
    assert phases["warm"]["min_age"] == "2d"
    assert phases["warm"]["actions"]["shrink"] == {"number_of_shards": 2}
    assert phases["delete"]["min_age"] == "9d"
    assert b.ilm_phases(METRICS)["hot"]["actions"]["rollover"]["max_age"] == "1d"


@pytest.mark.parametrize("life", [LOGS, METRICS], ids=["logs policy", "metrics policy"])
def test_phases_follow_lifecycle_order_and_actions_follow_es_execution_order(life):
    ilm = CONTRACT["ilm"]
    phases = b.ilm_phases(life)
    assert list(phases) == [p for p in ilm["phase_order"] if p in phases]
    for phase, body in phases.items():
        order = ilm["actions_in_execution_order"][phase]
        assert set(body["actions"]) <= set(order), phase
        assert list(body["actions"]) == sorted(body["actions"], key=order.index), phase


@pytest.mark.parametrize("life", [LOGS, METRICS], ids=["logs policy", "metrics policy"])
def test_ilm_uses_only_documented_non_deprecated_options_the_provider_knows(life):
    ilm = CONTRACT["ilm"]
    for phase, body in b.ilm_phases(life).items():
        assert set(body) <= {"min_age", "actions"}, phase
        for action, options in body["actions"].items():
            assert set(options) <= set(ilm["action_options"][action]), action
            assert not set(options) & set(ilm["deprecated_options"].get(action, [])), action
    rollover = b.ilm_phases(life)["hot"]["actions"]["rollover"]
    assert set(rollover) <= set(ilm["provider_rollover_options"])


def test_no_allocate_action_because_the_provider_would_send_zero_replicas():
    assert all("allocate" not in p["actions"] for p in b.ilm_phases(LOGS).values())


# ------------------------------------------------------------------------------- mappings
MAPPINGS = b.mappings_body()


def test_mappings_carry_every_catalogue_field_at_its_nested_path_unchanged():
    fields = mt4_fields.all_mapped_fields()
    concrete = {p: body for p, body in _value_fields(MAPPINGS["properties"]).items() if body.get("type") != "alias"}
    assert concrete == fields


def test_mappings_do_not_share_dicts_with_the_catalogue():
    body = b.mappings_body()
    _node(body, "bid")["scaling_factor"] = 1
    assert mt4_fields.EVENT_FIELDS["bid"]["scaling_factor"] == mt4_fields.PRICE_SCALING_FACTOR


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("@timestamp", {"type": "date"}),
        ("message", {"type": "match_only_text"}),
        ("bid", {"type": "scaled_float", "scaling_factor": 100_000}),
        ("ask", {"type": "scaled_float", "scaling_factor": 100_000}),
        ("spread", {"type": "scaled_float", "scaling_factor": 100_000}),
        ("volume", {"type": "long"}),
        ("value", {"type": "double"}),
        ("details.client_ip", {"type": "ip"}),
        ("host.ip", {"type": "ip"}),
        ("error.stack_trace", {"type": "wildcard"}),
        ("event.original", {"type": "keyword", "index": False, "doc_values": False}),
    ],
)
def test_seed_fields_have_the_documented_types(path, expected):
    assert _node(MAPPINGS, path) == expected


@pytest.mark.parametrize(
    "path",
    ["level", "logger", "event_type", "tags", "symbol", "security_event", "details.reason", "details.user",
     "metric", "unit", "event.id", "event.dataset", "host.name", "agent.name", "ecs.version"],
)
def test_identifiers_are_keywords(path):
    assert _node(MAPPINGS, path)["type"] == "keyword"


def test_details_is_an_object_with_properties_not_flattened():
    details = _node(MAPPINGS, "details")
    assert "type" not in details
    assert set(details["properties"]) == {"client_ip", "reason", "user"}


@pytest.mark.parametrize(("alias", "target"), [("log.level", "level"), ("log.logger", "logger")])
def test_ecs_aliases_point_to_concrete_fields_of_the_same_template(alias, target):
    assert _node(MAPPINGS, alias) == {"type": "alias", "path": target}
    assert _node(MAPPINGS, target)["type"] not in {"alias", "object", "nested"}
    # the alias and its target travel in the same component template body
    component = b.mappings_component_body()["template"]["mappings"]
    assert _node(component, alias)["path"] == target and "type" in _node(component, target)


def test_log_object_holds_aliases_next_to_pipeline_fields():
    assert set(_node(MAPPINGS, "log")["properties"]) == {"level", "logger", "file", "offset"}


def test_root_parameters_disable_date_detection_and_map_unknown_strings_to_keyword():
    assert MAPPINGS["date_detection"] is False
    assert MAPPINGS["dynamic_templates"] == [
        {"percentages_as_double": {"path_match": "*.pct", "match_mapping_type": "long", "mapping": {"type": "double"}}},
        {"strings_as_keyword": {"match_mapping_type": "string", "mapping": {"type": "keyword", "ignore_above": 1024}}},
    ]
    assert set(MAPPINGS) <= set(CONTRACT["mapping"]["root_parameters"])
    for template in MAPPINGS["dynamic_templates"]:
        (rule,) = template.values()
        assert set(rule) - {"mapping"} <= set(CONTRACT["mapping"]["dynamic_template_match_keys"])
        assert rule["match_mapping_type"] in CONTRACT["mapping"]["dynamic_template_match_mapping_types"]


def test_every_mapped_type_and_parameter_is_in_the_contract():
    used = CONTRACT["mapping"]["used_parameters"]
    for path, body in _value_fields(MAPPINGS["properties"]).items():
        kind = body["type"]
        assert kind in used, f"{path}: type {kind} not checked against the docs"
        assert set(body) - {"type"} <= set(used[kind]), path
        assert set(CONTRACT["mapping"]["required_parameters"].get(kind, [])) <= set(body), path


def test_no_boost_anywhere_in_any_body():
    everything = [
        b.mappings_component_body(), b.settings_component_body(IM), b.ilm_policy_body("logs", LOGS),
        *(b.index_template_body(f) for f in b.FAMILIES), b.repository_body(SNAP), b.slm_body(SNAP),
    ]
    assert "boost" not in _all_keys(everything)


def test_mapping_properties_refuses_boost():
    with pytest.raises(ValueError, match="boost"):
        b.mapping_properties({"symbol": {"type": "keyword", "boost": 2}}, {})


def test_mapping_properties_refuses_an_alias_whose_target_is_not_in_the_same_mapping():
    with pytest.raises(ValueError, match="not a field of this mapping"):
        b.mapping_properties({"level": {"type": "keyword"}}, {"log.logger": "logger"})


def test_mapping_properties_refuses_a_path_that_is_both_value_and_object():
    with pytest.raises(ValueError, match="is a field"):
        b.mapping_properties({"host": {"type": "keyword"}, "host.name": {"type": "keyword"}}, {})


def test_mapping_properties_nests_dotted_paths():
    assert b.mapping_properties({"a.b.c": {"type": "long"}, "a.d": {"type": "ip"}}, {"a.e": "a.d"}) == {
        "a": {"properties": {"b": {"properties": {"c": {"type": "long"}}}, "d": {"type": "ip"}, "e": {"type": "alias", "path": "a.d"}}}
    }


# ---------------------------------------------------------------------- settings and templates
def test_shared_settings_come_from_settings_with_one_primary_shard():
    assert b.settings_component_body(IndexManagement(logs=LOGS, metrics=METRICS, replicas=2, refresh_interval="30s")) == {
        "_meta": {"description": "Index mode, shards, replicas and refresh of every MT4 index", **MANAGED},
        "template": {"settings": {"index.mode": "standard", "index.number_of_replicas": 2, "index.number_of_shards": 1,
                                  "index.refresh_interval": "30s"}},
    }


def test_logs_index_template_is_a_data_stream_template_composed_of_our_component_templates():
    logs, metrics = b.FAMILIES
    assert b.index_template_body(logs) == {
        "_meta": {"description": "MT4 logs data streams", **MANAGED},
        "composed_of": ["mt4-settings", "mt4-mappings"],
        "data_stream": {"hidden": False},
        "index_patterns": ["mt4-logs-*"],
        "priority": 200,
        "template": {"settings": {"index.lifecycle.name": "mt4-logs-policy", "index.codec": "best_compression"}},
    }
    assert b.index_template_body(metrics)["index_patterns"] == ["mt4-metrics-*"]
    assert b.index_template_body(metrics)["template"] == {"settings": {"index.lifecycle.name": "mt4-metrics-policy"}}


@pytest.mark.parametrize("family", b.FAMILIES, ids=lambda f: f"{f.key} template")
def test_index_templates_use_documented_keys_and_stay_clear_of_builtin_templates(family):
    t = CONTRACT["templates"]
    body = b.index_template_body(family)
    assert set(body) <= set(t["index_template_keys"])
    assert set(body["template"]) <= set(t["template_keys"])
    assert set(body["data_stream"]) <= set(t["data_stream_keys"])
    assert body["priority"] > t["builtin_priority"]
    for pattern in body["index_patterns"]:
        assert not pattern.startswith(("logs-", "metrics-")), pattern
    assert body["template"]["settings"]["index.lifecycle.name"] == family.policy


def test_composed_of_names_exactly_the_component_templates_we_render():
    assert list(b.COMPOSED_OF) == [b.SETTINGS_TEMPLATE, b.MAPPINGS_TEMPLATE]
    for body in (b.settings_component_body(IM), b.mappings_component_body()):
        assert set(body) <= set(CONTRACT["templates"]["component_template_keys"])
        assert set(body["template"]) <= set(CONTRACT["templates"]["template_keys"])


def test_policies_named_by_templates_are_the_policies_we_render():
    assert {f.policy for f in b.FAMILIES} == {b.LOGS_POLICY, b.METRICS_POLICY}
    assert [b.lifecycle_of(IM, f) for f in b.FAMILIES] == [LOGS, METRICS]


# ------------------------------------------------------------------------------- snapshots
def test_repository_is_fs_at_the_configured_location_compressed():
    body = b.repository_body(SNAP)
    assert body == {"type": "fs", "settings": {"compress": True, "location": "/backup/elasticsearch"}}
    assert set(body) <= set(CONTRACT["snapshots"]["repository_keys"])
    assert set(body["settings"]) <= set(CONTRACT["snapshots"]["fs_settings"])


def test_slm_policy_snapshots_every_mt4_stream_nightly_with_retention_from_settings():
    body = b.slm_body(Snapshots(repository="r1", location="/x", schedule="0 15 2 * * ?", expire_after="7d", min_count=1, max_count=9))
    assert body == {
        "config": {
            "expand_wildcards": "open,hidden",
            "ignore_unavailable": False,
            "include_global_state": True,
            "indices": ["mt4-*"],
            "partial": False,
        },
        "name": "<mt4-snap-{now/d}>",
        "repository": "r1",
        "retention": {"expire_after": "7d", "max_count": 9, "min_count": 1},
        "schedule": "0 15 2 * * ?",
    }


def test_slm_body_uses_documented_keys_and_es_cron():
    s = CONTRACT["snapshots"]
    body = b.slm_body(SNAP)
    assert set(body) <= set(s["slm_keys"])
    assert set(body["config"]) <= set(s["slm_config_keys"])
    assert set(body["retention"]) <= set(s["slm_retention_keys"])
    assert set(body["config"]["expand_wildcards"].split(",")) <= set(s["expand_wildcards_values"])
    assert len(body["schedule"].split()) in (6, 7)  # seconds first
    assert all(p.startswith("mt4-") for p in body["config"]["indices"])


def test_json_text_is_compact_and_sorted():
    assert b.to_json({"b": 1, "a": [1, {"d": 2, "c": 3}]}) == '{"a":[1,{"c":3,"d":2}],"b":1}'


# ----------------------------------------------------------------------- fit with ingest
TIMESTAMP = "2024-01-15T10:30:45.123Z"
SEED_EVENTS = {
    "market tick": {
        "@timestamp": TIMESTAMP, "level": "INFO", "logger": "MarketDataBridge", "event_type": "market_tick",
        "symbol": "EURUSD", "bid": 1.1, "ask": 1.1001, "spread": 0.0001, "volume": 1000, "tags": ["market_data", "tick"],
    },
    "security": {
        "@timestamp": TIMESTAMP, "level": "WARNING", "logger": "SecurityLogger", "event_type": "security",
        "security_event": "unauthorized_access", "details": {"client_ip": "192.168.1.100", "reason": "invalid_key"},
        "tags": ["security", "audit"],
    },
    "performance": {
        "@timestamp": TIMESTAMP, "level": "INFO", "logger": "PerformanceLogger", "event_type": "performance",
        "metric": "publish_latency", "value": 0.5, "unit": "ms", "tags": ["performance", "metrics"],
    },
}
SAMPLE_BY_TYPE = {"keyword": "x", "date": TIMESTAMP, "ip": "10.0.0.7", "long": 42}


def _set(doc: dict, path: str, value: object) -> None:
    *parents, leaf = path.split(".")
    for p in parents:
        doc = doc.setdefault(p, {})
    doc[leaf] = value


def _enriched(event: dict) -> dict:
    """The event as the Logstash pipeline writes it: its added fields plus event.id."""
    doc = json.loads(json.dumps(event))
    for path, body in mt4_fields.PIPELINE_FIELDS.items():
        _set(doc, path, SAMPLE_BY_TYPE[body["type"]])
    _set(doc, "event.id", "0b6f1c1e")
    return doc


@pytest.mark.parametrize("kind", list(SEED_EVENTS), ids=lambda k: f"seed {k} event")
def test_seed_events_enriched_by_the_pipeline_leave_nothing_to_dynamic_mapping(kind):
    doc = _enriched(SEED_EVENTS[kind])
    assert len(b.leaf_paths(doc)) > len(mt4_fields.PIPELINE_FIELDS)
    assert b.unmapped_fields(doc, MAPPINGS) == []
    assert b.alias_fields(doc, MAPPINGS) == []


def test_unmapped_fields_reports_unknown_and_misplaced_leaves_and_skips_nulls():
    doc = {
        "foo": 1,
        "details": {"client_ip": "1.2.3.4", "extra": "x"},
        "symbol": {"nested": "y"},
        "event.id": "dotted key is a path",
        "tags": [],
        "not_mapped_but_null": None,
        "not_mapped_but_empty": [],
        "log": {"level": "INFO"},
    }
    assert b.unmapped_fields(doc, MAPPINGS) == ["details.extra", "foo", "symbol.nested"]
    assert b.alias_fields(doc, MAPPINGS) == ["log.level"]


def test_unmapped_fields_treats_flattened_as_covering_its_subkeys():
    mappings = {"properties": {"labels": {"type": "flattened"}}}
    assert b.unmapped_fields({"labels": {"a": {"b": 1}}, "other": 1}, mappings) == ["other"]


# ------------------------------------------------------------------------- scaled_float
@pytest.mark.parametrize("price", [1.1, 1.10001, 1.1001, 0.0001, 0.00001, 1.23456, 151.12345, 99999.99999])
def test_scaled_float_with_the_catalogue_factor_keeps_five_decimals(price):
    factor = _node(MAPPINGS, "bid")["scaling_factor"]
    assert b.scaled_float_stored(price, factor) == round(price * 100_000)
    assert round(b.scaled_float_doc_value(price, factor), 5) == price


def test_scaled_float_drops_the_sixth_decimal():
    factor = mt4_fields.PRICE_SCALING_FACTOR
    assert round(b.scaled_float_doc_value(1.100004, factor), 6) == 1.1
    assert round(b.scaled_float_doc_value(1.100006, factor), 6) == 1.10001
    # index time multiplies doubles (no BigDecimal): 1.100005 * 1e5 == 110000.49999999999
    assert b.scaled_float_stored(1.100005, factor) == 110000


@pytest.mark.parametrize(("value", "expected"), [(0.5, 1), (-0.5, 0), (2.5, 3), (-2.5, -2), (0.49999999999999994, 0)])
def test_java_round_ties_toward_positive_infinity(value, expected):
    assert b.java_round(value) == expected
