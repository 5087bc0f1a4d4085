"""The translations and rewrites themselves, without a server (they run even where Java is missing)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from components.render import elasticsearch_yml as es_yml
from engine.realserver.node_files import REWRITTEN_KEYS, NodeLayout, NodePorts, peer_addresses, rewrite
from engine.realserver.program_inputs import ProgramInputs, program_inputs
from engine.realserver.provider_requests import (
    ProviderRequest,
    cluster_settings,
    component_template,
    index_template,
    snapshot_repository,
)
from engine.realserver.substitutions import for_real_server
from tests.program import Registration


@pytest.fixture(scope="module")
def prod() -> ProgramInputs:
    return program_inputs("prod")


def _one(inputs: ProgramInputs, type_suffix: str, name: str) -> Registration:
    return next(r for r in inputs.elasticstack_resources() if r.type.endswith(type_suffix) and r.inputs.get("name") == name)


def test_snapshot_repository_request_carries_the_provider_schema_defaults_and_verify_in_the_body(prod: ProgramInputs) -> None:
    req = snapshot_repository(_one(prod, ":SnapshotRepository", "mt4_backup"))
    assert (req.method, req.path) == ("PUT", "/_snapshot/mt4_backup")
    location = _one(prod, ":SnapshotRepository", "mt4_backup").inputs["fs"]["location"]
    assert req.body == {
        "type": "fs",
        "settings": {"location": location, "compress": True, "max_snapshot_bytes_per_sec": "40mb", "readonly": False,
                     "max_number_of_snapshots": 500},
        "verify": True,
    }


def test_index_template_request_has_integer_priority_hidden_flag_and_no_custom_routing(prod: ProgramInputs) -> None:
    r = _one(prod, ":IndexTemplate", "mt4-logs")
    req = index_template(r)
    assert req.path == "/_index_template/mt4-logs"
    assert req.body["priority"] == 200 and isinstance(req.body["priority"], int)
    assert req.body["data_stream"] == {"hidden": False}
    assert req.body["composed_of"] == r.inputs["composedOfs"]
    assert req.body["index_patterns"] == r.inputs["indexPatterns"]
    assert isinstance(req.body["_meta"], dict) and isinstance(req.body["template"]["settings"], dict)


def test_component_template_request_decodes_json_strings_and_sends_no_empty_aliases(prod: ProgramInputs) -> None:
    req = component_template(_one(prod, ":ComponentTemplate", "mt4-mappings"))
    assert req.path == "/_component_template/mt4-mappings"
    assert set(req.body) == {"_meta", "template"}
    assert set(req.body["template"]) == {"mappings"}
    assert req.body["template"]["mappings"]["properties"]["@timestamp"] == {"type": "date"}


def test_cluster_settings_request_is_the_persistent_block_by_name_with_value_lists_as_lists(prod: ProgramInputs) -> None:
    (r,) = [r for r in prod.elasticstack_resources() if r.type.endswith(":ClusterSettings")]
    req = cluster_settings(r)
    assert (req.method, req.path) == ("PUT", "/_cluster/settings")
    declared = r.inputs["persistent"]["settings"]
    assert req.body == {"persistent": {s["name"]: s.get("value") or s["valueLists"] for s in declared}}
    assert "transient" not in req.body, "an unset block is not sent (getConfiguredSettings: only GetOk blocks)"
    both = replace(r, inputs={"persistent": {"settings": [{"name": "a", "value": "1", "valueLists": ["x"]}]}})
    with pytest.raises(ValueError, match="exactly one"):
        cluster_settings(both)


def test_substitution_drops_only_the_absent_types_own_parameters() -> None:
    body = {"template": {"mappings": {"properties": {
        "bid": {"type": "scaled_float", "scaling_factor": 100000, "index": False},
        "trace": {"type": "wildcard", "ignore_above": 10},
        "msg": {"type": "match_only_text"},
        "sym": {"type": "keyword"},
    }}, "settings": {"index.lifecycle.name": "p", "index.codec": "best_compression"}}}
    sent, subs = for_real_server(ProviderRequest("r", "t", "PUT", "/x", body, ()))
    props = sent.body["template"]["mappings"]["properties"]
    assert props == {"bid": {"type": "double", "index": False}, "trace": {"type": "keyword", "ignore_above": 10},
                     "msg": {"type": "text"}, "sym": {"type": "keyword"}}
    assert sent.body["template"]["settings"] == {"index.codec": "best_compression"}
    assert len(subs) == 4
    assert body["template"]["mappings"]["properties"]["bid"]["type"] == "scaled_float", "the provider's request is not changed"


def _peers(inputs: ProgramInputs) -> dict[str, str]:
    return peer_addresses([n.elasticsearch_yml for n in inputs.nodes])


def _layout(tmp: Path) -> NodeLayout:
    return NodeLayout(conf_dir=tmp / "c", data_dir=tmp / "d", logs_dir=tmp / "l", repo_dir=tmp / "r")


def test_rewrite_changes_only_listed_keys_and_drops_only_listed_absent_settings(prod: ProgramInputs, tmp_path: Path) -> None:
    ports = {n.node_name: NodePorts(10000 + i, 11000 + i, 12000 + i) for i, n in enumerate(prod.nodes)}
    node = prod.nodes[0]
    done = rewrite(node.elasticsearch_yml, node.node_name, _layout(tmp_path), ports, _peers(prod))
    assert set(done.changed) <= set(REWRITTEN_KEYS)
    assert [d.name for d in done.dropped] == ["ingest.geoip.downloader.enabled"]
    assert done.settings["discovery.seed_hosts"] == [f"127.0.0.1:{ports[n].transport}" for n in ("es02", "es03")]
    # prod spans Docker hosts: the node publishes its host's address and ports; here, its own loopback ones.
    assert "network.publish_host" in done.changed, "prod's file publishes the host address (components/topology.py)"
    assert (done.settings["network.publish_host"], done.settings["transport.publish_port"], done.settings["http.publish_port"]) == (
        "127.0.0.1", ports["es01"].transport, ports["es01"].http)


def test_rewrite_refuses_what_it_does_not_know(prod: ProgramInputs, tmp_path: Path) -> None:
    ports = {n.node_name: NodePorts(1, 2, 3) for n in prod.nodes}
    node = prod.nodes[0]
    peers = _peers(prod)
    with pytest.raises(ValueError, match="not under"):
        rewrite(node.elasticsearch_yml.replace(es_yml.NODE_CERT, "/etc/node.crt"), node.node_name, _layout(tmp_path), ports, peers)
    with pytest.raises(ValueError, match="names no node"):
        rewrite(node.elasticsearch_yml, node.node_name, _layout(tmp_path), {k: v for k, v in ports.items() if k != "es02"}, peers)
    with pytest.raises(ValueError, match="names no node"):
        rewrite(node.elasticsearch_yml, node.node_name, _layout(tmp_path), ports, {})
    with pytest.raises(ValueError, match="not 'es09'"):
        rewrite(node.elasticsearch_yml, "es09", _layout(tmp_path), ports, peers)
