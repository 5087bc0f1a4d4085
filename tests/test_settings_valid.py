"""Both stack files parse cleanly into the typed values components receive; absent keys get
their defaults; unknown keys are warnings (with the allowed list), never errors.

Proof limit: ``parse_settings`` on the YAML as PyYAML reads it, not as the Pulumi CLI hands it
over (that path is ``test_settings_load.py``).
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.settings import rules
from components.settings.model import DockerHost, Lifecycle, StackSettings
from components.settings.parse import TOP_LEVEL_KEYS, parse_settings
from components.settings.placement import placements
from components.settings.problems import Problems, SettingsError

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "elk-stack:"
GIB = 1024**3
MIB = 1024**2


def stack_raw(stack: str) -> dict[str, Any]:
    """The stack file's ``config:`` block with the project namespace stripped."""
    config = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]
    assert all(key.startswith(PREFIX) for key in config), f"Pulumi.{stack}.yaml has keys outside {PREFIX}"
    return {key.removeprefix(PREFIX): value for key, value in config.items()}


def parse(raw: dict[str, Any], stack_file: str = "Pulumi.dev.yaml", *, own_ca: bool = False) -> tuple[StackSettings, Problems]:
    problems = Problems(stack_file)
    return parse_settings(raw, problems, own_ca=own_ca), problems


@pytest.fixture(scope="module")
def dev() -> StackSettings:
    settings, problems = parse(stack_raw("dev"), "Pulumi.dev.yaml")
    assert (problems.errors, problems.warnings) == ([], [])
    return settings


@pytest.fixture(scope="module")
def prod() -> StackSettings:
    settings, problems = parse(stack_raw("prod"), "Pulumi.prod.yaml")
    assert (problems.errors, problems.warnings) == ([], [])
    return settings


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_stack_file_parses_without_errors_or_warnings(stack: str) -> None:
    settings, problems = parse(stack_raw(stack), f"Pulumi.{stack}.yaml")
    assert problems.errors == []
    assert problems.warnings == []
    problems.raise_if_any()
    assert settings.stack_file == f"Pulumi.{stack}.yaml"


def test_dev_is_one_local_node_on_loopback_with_deletable_volumes(dev: StackSettings) -> None:
    assert dev.cluster_name == "mt4-dev"
    assert dev.elastic_version == "8.19.25"
    assert dev.license == "basic"
    assert dev.bootstrap is True
    assert dev.volume_policy == "delete"
    assert dev.protect_volumes is False
    assert dev.docker_hosts == (DockerHost(name="local", url="unix:///var/run/docker.sock"),)
    assert (dev.network.bind_address, dev.network.public_host, dev.network.extra_sans) == ("127.0.0.1", "localhost", ())
    [node] = dev.elasticsearch.nodes
    assert (node.name, node.roles, node.host, node.http_port) == ("es01", ("data", "ingest", "master"), "local", 9200)
    assert (node.heap_bytes, node.memory_bytes) == (1 * GIB, 2 * GIB)
    assert dev.elasticsearch.single_node
    assert dev.elasticsearch.allow_mmap is False
    assert dev.elasticsearch.jvm_options == ()


def test_dev_services_have_tls_off_and_small_heaps(dev: StackSettings) -> None:
    assert (dev.kibana.heap_bytes, dev.kibana.memory_bytes, dev.kibana.port, dev.kibana.tls) == (512 * MIB, 1 * GIB, 5601, False)
    ls = dev.logstash
    assert (ls.heap_bytes, ls.memory_bytes) == (512 * MIB, 1 * GIB)
    assert (ls.tcp_port, ls.beats_port, ls.tcp_tls, ls.beats_tls) == (5000, 5044, False, False)
    assert (ls.queue_type, ls.queue_max_bytes, ls.dead_letter_queue) == ("persisted", "512mb", True)
    assert (ls.pipeline_workers, ls.batch_size, ls.batch_delay_ms) == (2, 125, 50)


def test_dev_keeps_a_week_of_logs_and_three_days_of_metrics(dev: StackSettings) -> None:
    im = dev.index_management
    assert im.replicas == 0
    assert im.refresh_interval == "5s"
    assert im.logs == Lifecycle(rollover_max_age="1d", rollover_max_primary_shard_size="1gb", warm_min_age="2d",
                                warm_shrink_shards=1, delete_min_age="7d")
    assert im.metrics == Lifecycle(rollover_max_age="1d", rollover_max_primary_shard_size="1gb", warm_min_age="1d",
                                   warm_shrink_shards=1, delete_min_age="3d")
    snap = dev.snapshots
    assert (snap.expire_after, snap.min_count, snap.max_count) == ("7d", 1, 10)
    assert (snap.repository, snap.location, snap.schedule) == ("mt4_backup", "/backup/elasticsearch", "0 30 1 * * ?")


def test_prod_is_three_master_data_nodes_with_protected_volumes(prod: StackSettings) -> None:
    assert prod.cluster_name == "mt4-prod"
    assert prod.volume_policy == "retain"
    assert prod.protect_volumes is True
    assert prod.bootstrap is True
    assert (prod.network.bind_address, prod.network.public_host) == ("0.0.0.0", "elk.mt4.internal")
    nodes = prod.elasticsearch.nodes
    assert [n.name for n in nodes] == ["es01", "es02", "es03"]
    assert [(n.host, n.http_port, n.transport_port) for n in nodes] == [("elk1", 9200, 9300), ("elk2", 9200, 9300), ("elk3", 9200, 9300)]
    assert [(h.name, h.address) for h in prod.docker_hosts] == [("elk1", "10.0.1.11"), ("elk2", "10.0.1.12"), ("elk3", "10.0.1.13")]
    assert prod.snapshots.nfs is not None
    assert prod.snapshots.nfs.driver_opts == {"type": "nfs", "o": "addr=10.0.1.5,rw,nfsvers=4.1,hard", "device": ":/export/elk-snapshots"}
    assert {n.roles for n in nodes} == {("data", "ingest", "master")}
    assert {(n.heap_bytes, n.memory_bytes) for n in nodes} == {(4 * GIB, 8 * GIB)}
    assert len(prod.elasticsearch.masters) == 3
    assert len(prod.elasticsearch.data_nodes) == 3
    assert prod.elasticsearch.allow_mmap is True


def test_prod_services_have_tls_on_every_listener(prod: StackSettings) -> None:
    assert (prod.kibana.heap_bytes, prod.kibana.memory_bytes, prod.kibana.port, prod.kibana.tls) == (1 * GIB, 2 * GIB, 5601, True)
    ls = prod.logstash
    assert (ls.heap_bytes, ls.memory_bytes) == (2 * GIB, 4 * GIB)
    assert (ls.tcp_tls, ls.beats_tls) == (True, True)
    assert (ls.pipeline_workers, ls.batch_size) == (4, 250)
    assert (ls.queue_type, ls.queue_max_bytes, ls.dead_letter_queue) == ("persisted", "4gb", True)
    assert (prod.tls.validity_hours, prod.tls.early_renewal_hours, prod.tls.ca_validity_hours, prod.tls.own_ca) == (8760, 720, 87600, False)


def test_prod_uses_the_seed_guide_lifecycles_and_nightly_snapshots(prod: StackSettings) -> None:
    im = prod.index_management
    assert (im.replicas, im.refresh_interval) == (1, "5s")
    assert im.logs == Lifecycle(rollover_max_age="7d", rollover_max_primary_shard_size="5gb", warm_min_age="7d",
                                warm_shrink_shards=1, delete_min_age="30d")
    assert im.metrics == Lifecycle(rollover_max_age="1d", rollover_max_primary_shard_size="5gb", warm_min_age="2d",
                                   warm_shrink_shards=1, delete_min_age="14d")
    snap = prod.snapshots
    assert (snap.schedule, snap.expire_after, snap.min_count, snap.max_count) == ("0 30 1 * * ?", "30d", 7, 60)


def test_an_empty_stack_file_gives_every_default_without_problems() -> None:
    settings, problems = parse({})
    assert (problems.errors, problems.warnings) == ([], [])
    top = (settings.elastic_version, settings.cluster_name, settings.license, settings.volume_policy)
    assert top == ("8.19.25", "mt4", "basic", "delete")
    assert settings.bootstrap is True
    assert settings.docker_hosts == (DockerHost(name="local", url="unix:///var/run/docker.sock"),)
    assert (settings.network.bind_address, settings.network.public_host) == ("127.0.0.1", "localhost")
    [node] = settings.elasticsearch.nodes
    assert (node.name, node.roles, node.heap_bytes, node.memory_bytes, node.host, node.http_port) == (
        "es01", ("data", "ingest", "master"), 1 * GIB, 2 * GIB, "local", 9200)
    assert settings.elasticsearch.allow_mmap is True
    kb = settings.kibana
    assert (kb.heap_bytes, kb.memory_bytes, kb.port, kb.tls) == (1 * GIB, 2 * GIB, 5601, False)
    ls = settings.logstash
    assert (ls.tcp_port, ls.beats_port, ls.tcp_tls, ls.beats_tls) == (5000, 5044, False, False)
    assert (ls.queue_type, ls.queue_max_bytes, ls.dead_letter_queue) == ("persisted", "1gb", True)
    assert ls.sensitive_keys == ("password", "secret", "token", "api_key", "authorization")
    assert (settings.tls.validity_hours, settings.tls.early_renewal_hours, settings.tls.ca_validity_hours) == (8760, 720, 87600)
    assert settings.index_management.logs == Lifecycle(rollover_max_age="7d", rollover_max_primary_shard_size="5gb",
                                                       warm_min_age="7d", warm_shrink_shards=1, delete_min_age="30d")
    assert settings.index_management.metrics == Lifecycle(rollover_max_age="1d", rollover_max_primary_shard_size="5gb",
                                                          warm_min_age="2d", warm_shrink_shards=1, delete_min_age="14d")
    assert (settings.index_management.replicas, settings.index_management.refresh_interval) == (0, "5s")
    snap = settings.snapshots
    assert (snap.repository, snap.location, snap.schedule, snap.expire_after, snap.min_count, snap.max_count) == (
        "mt4_backup", "/backup/elasticsearch", "0 30 1 * * ?", "30d", 5, 50)


def test_a_partly_given_lifecycle_keeps_the_defaults_of_the_keys_it_leaves_out() -> None:
    settings, problems = parse({"index_management": {"logs": {"delete_min_age": "90d"}}})
    assert problems.errors == []
    assert settings.index_management.logs == Lifecycle(rollover_max_age="7d", rollover_max_primary_shard_size="5gb",
                                                       warm_min_age="7d", warm_shrink_shards=1, delete_min_age="90d")


def test_nodes_after_the_first_stay_internal_unless_they_publish_a_port() -> None:
    raw = stack_raw("prod")
    for node in raw["elasticsearch"]["nodes"][1:]:
        del node["http_port"]
    settings, problems = parse(raw, "Pulumi.prod.yaml")
    assert problems.errors == []
    assert [n.http_port for n in settings.elasticsearch.nodes] == [9200, None, None]


def test_services_default_to_the_first_docker_host() -> None:
    raw = {
        "docker_hosts": [{"name": "box1", "url": "ssh://ops@box1", "address": "10.0.0.1"},
                         {"name": "box2", "url": "ssh://ops@box2", "address": "box2.example"}],
        "network": {"bind_address": "0.0.0.0"},
        "elasticsearch": {"nodes": [{"name": "es01", "host": "box2", "http_port": 9200}]},
    }
    settings, problems = parse(raw)
    assert problems.errors == []
    # Kibana and Logstash default to the first host; the Beats run on every host (one per host).
    services = [host for key, host in placements(settings) if not key.startswith(("elasticsearch.", "filebeat.", "metricbeat."))]
    assert services == ["box1"] * len(services) and services
    assert settings.docker_host("box2").address == "box2.example"


def test_with_several_hosts_transport_is_published_on_9300_by_default_and_never_on_one_host() -> None:
    several = {
        "docker_hosts": [{"name": "a", "url": "ssh://ops@a", "address": "10.0.0.1"},
                         {"name": "b", "url": "ssh://ops@b", "address": "10.0.0.2"}],
        "network": {"bind_address": "0.0.0.0"},
        "elasticsearch": {"nodes": [{"name": "es01", "host": "a", "http_port": 9200}]},
    }
    settings, problems = parse(several)
    assert problems.errors == []
    assert settings.several_hosts and settings.elasticsearch.nodes[0].transport_port == 9300
    one, problems = parse({})
    assert problems.errors == [] and not one.several_hosts
    assert one.elasticsearch.nodes[0].transport_port is None and one.docker_hosts[0].address == ""


def test_byte_sizes_are_accepted_in_any_case_and_kept_lowercase() -> None:
    """Elasticsearch lowercases byte sizes (ByteSizeValue.parseBytesSizeValue); Logstash's
    ByteValue does not, so the settings hand on lowercase only."""
    raw = {"logstash": {"queue_max_bytes": "4GB"}, "index_management": {"logs": {"rollover_max_primary_shard_size": "5Gb"}}}
    settings, problems = parse(raw)
    assert problems.errors == []
    assert settings.logstash.queue_max_bytes == "4gb"
    assert settings.index_management.logs.rollover_max_primary_shard_size == "5gb"


def test_memory_sizes_accept_k_m_g_t_in_either_case() -> None:
    settings, problems = parse({"kibana": {"heap": "768M", "memory": "1G"}})
    assert problems.errors == []
    assert (settings.kibana.heap_bytes, settings.kibana.memory_bytes) == (768 * MIB, 1 * GIB)


def test_heap_of_exactly_half_the_memory_is_allowed() -> None:
    settings, problems = parse({"elasticsearch": {"nodes": [{"name": "es01", "heap": "2g", "memory": "4g"}]}})
    assert problems.errors == []
    assert settings.elasticsearch.nodes[0].heap_bytes == 2 * GIB


def test_an_unknown_top_level_key_is_an_error_naming_the_closest_key_and_the_allowed_ones() -> None:
    _, problems = parse({**stack_raw("dev"), "elasticsearh": {"nodes": []}})
    allowed = ", ".join(sorted(TOP_LEVEL_KEYS))
    assert [f"{p.key}: {p.message}" for p in problems.errors] == [
        f"elasticsearh: unknown key (did you mean 'elasticsearch'?); allowed keys here: {allowed}",
    ]
    assert problems.warnings == []


def test_an_unknown_nested_key_is_an_error_at_every_level() -> None:
    raw = stack_raw("prod")
    raw["kibana"]["heapsize"] = "1g"
    raw["elasticsearch"]["nodes"][2]["zone"] = "b"
    raw["index_management"]["logs"] = {"rollover_max_ag": "1d"}
    _, problems = parse(raw, "Pulumi.prod.yaml")
    assert [f"{p.key}: {p.message}" for p in problems.errors] == [
        "elasticsearch.nodes[2].zone: unknown key; allowed keys here: heap, host, http_port, memory, name, roles, transport_port",
        "kibana.heapsize: unknown key (did you mean 'heap'?); allowed keys here: heap, host, memory, port, tls",
        "index_management.logs.rollover_max_ag: unknown key (did you mean 'rollover_max_age'?); allowed keys here: "
        "delete_min_age, rollover_max_age, rollover_max_primary_shard_size, warm_min_age, warm_shrink_shards",
    ]


def test_an_unknown_key_stops_the_program() -> None:
    _, problems = parse({"kibana": {"heapsize": "1g"}})
    with pytest.raises(SettingsError):
        problems.raise_if_any()


def test_an_unknown_key_does_not_hide_the_other_problems() -> None:
    _, problems = parse({"kibana": {"heapsize": "1g", "port": 70000}})
    assert [f"{p.key}: {p.message}" for p in problems.errors] == [
        "kibana.port: 70000 is out of range; allowed: 1 to 65535",
        "kibana.heapsize: unknown key (did you mean 'heap'?); allowed keys here: heap, host, memory, port, tls",
    ]


def test_a_trial_license_is_a_warning_not_an_error() -> None:
    _, problems = parse({"license": "trial"})
    assert problems.errors == []
    assert problems.warning_lines() == [
        "Pulumi.dev.yaml: license: trial expires after 30 days and then falls back to basic; Watcher and email alerts stop",
    ]


def test_mmap_off_with_retained_data_is_a_warning_not_an_error() -> None:
    # beats_tls on: a protected stack shipping in clear text is warned about on its own.
    _, problems = parse({"volume_policy": "retain", "elasticsearch": {"allow_mmap": False}, "logstash": {"beats_tls": True}})
    assert problems.errors == []
    assert [p.key for p in problems.warnings] == ["elasticsearch.allow_mmap"]


def test_a_brought_ca_is_flagged_and_skips_the_ca_lifetime_check() -> None:
    """The stack's own CA lifetime (ca_validity_hours) says nothing about a CA the operator brings."""
    settings, problems = parse({"tls": {"validity_hours": 87600}}, own_ca=True)
    assert problems.errors == []
    assert settings.tls.own_ca is True


def test_a_ca_lifetime_beside_a_brought_ca_contradicts_it() -> None:
    _, problems = parse({"tls": {"validity_hours": 8760, "ca_validity_hours": 48}}, own_ca=True)
    assert [f"{p.key}: {p.message}" for p in problems.errors] == [
        "tls.ca_validity_hours: sets the lifetime of the CA the stack makes, but tls_ca_cert brings your own CA; remove it",
    ]


def test_the_ca_keys_are_known_top_level_keys_not_unknown_ones() -> None:
    _, problems = parse({"tls_ca_cert": "-----BEGIN CERTIFICATE-----", "tls_ca_key": "secret"})
    assert (problems.errors, problems.warnings) == ([], [])


def test_every_rule_function_is_registered_and_runs() -> None:
    """A rule written but not registered, or registered in a module check_all does not order,
    would never run."""
    defined = {
        fn for module in rules.MODULES for name, fn in inspect.getmembers(module, inspect.isfunction)
        if fn.__module__ == module.__name__ and not name.startswith("_") and list(inspect.signature(fn).parameters) == ["s", "p"]
    }
    assert defined == set(rules.RULES) == set(rules.ordered_rules())
    assert len(rules.ordered_rules()) == len(rules.RULES) == len(set(rules.RULES))


def test_across_hosts_one_copy_or_data_on_one_host_is_a_warning_not_an_error() -> None:
    hosts = [{"name": f"h{i}", "url": f"ssh://ops@h{i}", "address": f"10.9.0.{i}"} for i in (1, 2)]
    base = {"docker_hosts": hosts, "network": {"bind_address": "0.0.0.0"},
            "snapshots": {"nfs": {"server": "10.9.0.9", "export": "/export/snap"}}}
    spread = {"nodes": [{"name": "es01", "host": "h1", "http_port": 9200}, {"name": "es02", "host": "h2", "roles": ["data"]}]}
    _, problems = parse({**base, "elasticsearch": spread})
    assert problems.errors == []
    assert [(w.key, w.message.split(";")[0]) for w in problems.warnings] == [
        ("index_management.replicas", "0 keeps one copy of each shard, and the data nodes run on 2 Docker hosts: losing any one host "
         "loses the shards on it (until restored from a snapshot). Use replicas: 1 so every shard has a copy on another host")]
    one = {"nodes": [{"name": "es01", "host": "h1", "http_port": 9200}, {"name": "es02", "host": "h1", "roles": ["data"],
                                                                          "transport_port": 9301}]}
    _, problems = parse({**base, "elasticsearch": one, "index_management": {"replicas": 1}})
    assert problems.errors == [] and [w.key for w in problems.warnings] == ["elasticsearch.nodes"]
    assert "every data node runs on Docker host 'h1'" in problems.warnings[0].message
    _, problems = parse({**base, "elasticsearch": spread, "index_management": {"replicas": 1}})
    assert (problems.errors, problems.warnings) == ([], [])
