"""The ``filebeat`` and ``metricbeat`` sections: defaults, every bad value refused with its key, and
the rules across sections (mutual TLS needs TLS, a protected stack ships over TLS, placement)."""

from __future__ import annotations

from typing import Any

import pytest

from components.settings import placement
from components.settings.parse import parse_settings
from components.settings.problems import Problems
from components.settings.shippers import Filebeat


def parse(raw: dict[str, Any]) -> tuple[Any, Problems]:
    problems = Problems("Pulumi.test.yaml")
    return parse_settings(raw, problems, own_ca=False), problems


def errors(raw: dict[str, Any]) -> dict[str, str]:
    _, problems = parse(raw)
    return {p.key: p.message for p in problems.errors}


def test_defaults_run_a_filebeat_and_a_metricbeat_on_every_docker_host() -> None:
    s, problems = parse({"docker_hosts": [{"name": "box", "url": "unix:///var/run/docker.sock"}]})
    assert problems.errors == []
    assert s.filebeat == Filebeat(enabled=True, hosts=("box",), memory_bytes=256 * 1024**2,
                                  bridge_log_paths=("/var/log/mt4-bridge/*.json",), container_logs=True,
                                  docker_data_root="/var/lib/docker", mutual_tls=False)
    assert s.filebeat.bridge_log_dirs == ("/var/log/mt4-bridge",)
    assert s.filebeat.containers_dir == "/var/lib/docker/containers"
    assert (s.metricbeat.enabled, s.metricbeat.hosts, s.metricbeat.period, s.metricbeat.stack_monitoring) == (True, ("box",), "10s", True)
    two = [{"name": "a", "url": "ssh://a", "address": "10.0.0.1"}, {"name": "b", "url": "ssh://b", "address": "10.0.0.2"}]
    s, _ = parse({"docker_hosts": two})
    assert s.filebeat.hosts == s.metricbeat.hosts == ("a", "b")


def test_bridge_log_dirs_are_mounted_once_each_in_the_order_named() -> None:
    s, problems = parse({"filebeat": {"bridge_log_paths": ["/srv/mt4/a-*.json", "/var/log/mt4/*.ndjson", "/srv/mt4/b.json"]}})
    assert problems.errors == []
    assert s.filebeat.bridge_log_dirs == ("/srv/mt4", "/var/log/mt4")


@pytest.mark.parametrize("paths, key, fragment", [
    (["relative/*.json"], "filebeat.bridge_log_paths[0]", "is not an absolute path"),
    (["/var/log/../etc/*.json"], "filebeat.bridge_log_paths[0]", "not a plain absolute path"),
    (["/var/log/*/bridge.json"], "filebeat.bridge_log_paths[0]", "glob in a directory name"),
    (["/*.json"], "filebeat.bridge_log_paths[0]", "whole file system"),
    (["/usr/share/filebeat/data/*.json"], "filebeat.bridge_log_paths[0]", "Filebeat's home"),
    (["/proc/*/status"], "filebeat.bridge_log_paths[0]", "glob in a directory name"),
    (["/proc/x.json"], "filebeat.bridge_log_paths[0]", "kernel's process table"),
    (["/a/x.json", "/a/x.json"], "filebeat.bridge_log_paths[1]", "listed twice"),
])
def test_bad_bridge_log_paths_are_refused_with_their_index(paths: list[str], key: str, fragment: str) -> None:
    found = errors({"filebeat": {"bridge_log_paths": paths}})
    assert fragment in found[key]


def test_every_bad_shipper_value_is_reported_in_one_run() -> None:
    found = errors({
        "filebeat": {"memory": "lots", "container_logs": "yes", "docker_data_root": "var/lib/docker", "hosts": ["local", "local"],
                     "mutual_tls": 1, "bridge_logs": ["/x/*.json"]},
        "metricbeat": {"period": "10", "stack_monitoring": "on", "hosts": []},
    })
    assert set(found) >= {"filebeat.memory", "filebeat.container_logs", "filebeat.docker_data_root", "filebeat.hosts[1]",
                          "filebeat.mutual_tls", "filebeat.bridge_logs", "metricbeat.period", "metricbeat.stack_monitoring",
                          "metricbeat.hosts"}
    assert "did you mean 'bridge_log_paths'" in found["filebeat.bridge_logs"]
    assert "one Filebeat runs per Docker host" in found["filebeat.hosts[1]"]


def test_keys_of_a_disabled_shipper_are_refused_rather_than_ignored() -> None:
    found = errors({"filebeat": {"enabled": False, "mutual_tls": True}, "metricbeat": {"enabled": False, "period": "30s"}})
    assert "filebeat is disabled" in found["filebeat.mutual_tls"]
    assert "metricbeat is disabled" in found["metricbeat.period"]
    s, problems = parse({"filebeat": {"enabled": False}, "metricbeat": {"enabled": False}})
    assert problems.errors == [] and not s.filebeat.enabled and not s.metricbeat.enabled


def test_mutual_tls_needs_tls_on_the_beats_input() -> None:
    found = errors({"filebeat": {"mutual_tls": True}, "logstash": {"beats_tls": False}})
    assert "logstash.beats_tls is false" in found["filebeat.mutual_tls"]
    assert "filebeat.mutual_tls" not in errors({"filebeat": {"mutual_tls": True}, "logstash": {"beats_tls": True}})


def warnings(raw: dict[str, Any]) -> dict[str, str]:
    _, problems = parse(raw)
    return {p.key: p.message for p in problems.warnings}


def test_a_protected_stack_is_warned_when_it_ships_trading_logs_in_clear_text() -> None:
    assert "plain text" in warnings({"volume_policy": "retain", "logstash": {"beats_tls": False}})["logstash.beats_tls"]
    assert "logstash.beats_tls" not in warnings({"volume_policy": "retain", "filebeat": {"enabled": False}})
    assert "logstash.beats_tls" not in warnings({"volume_policy": "retain", "logstash": {"beats_tls": True}})
    assert "logstash.beats_tls" not in warnings({"volume_policy": "delete"})


def test_a_shipper_on_an_undeclared_host_is_refused_and_shippers_count_in_the_host_memory() -> None:
    found = errors({"filebeat": {"hosts": ["local", "elsewhere"]}})
    assert "'elsewhere' is not one of docker_hosts" in found["filebeat.hosts[1]"]
    s, _ = parse({"filebeat": {"memory": "128m"}})
    assert ("local", "filebeat-local", 128 * 1024**2) in placement.memory_limits(s)
    assert ("local", "metricbeat-local", 256 * 1024**2) in placement.memory_limits(s)
    s, _ = parse({"filebeat": {"enabled": False}, "metricbeat": {"enabled": False}})
    assert not [c for _, c, _ in placement.memory_limits(s) if "beat" in c]
    assert not [k for k, _ in placement.placements(s) if "beat" in k]


def test_both_stack_files_parse_with_sensible_shippers() -> None:
    from tests.program import stack_config
    for stack in ("dev", "prod"):
        raw = {k.split(":", 1)[1]: v for k, v in stack_config(stack).items() if k.startswith("elk-stack:")}
        s, problems = parse(raw)
        assert problems.errors == [], stack
        assert s.filebeat.enabled and s.metricbeat.enabled
        assert set(s.filebeat.hosts) <= {h.name for h in s.docker_hosts}
        assert s.filebeat.mutual_tls == (stack == "prod")


def test_with_stack_monitoring_every_host_that_runs_a_service_has_a_metricbeat() -> None:
    hosts = [{"name": n, "url": f"ssh://ops@{n}", "address": f"10.0.0.{i}"} for i, n in enumerate(("a", "b", "c"), 1)]
    raw = {
        "docker_hosts": hosts, "network": {"bind_address": "0.0.0.0"},
        "elasticsearch": {"nodes": [{"name": f"es0{i}", "host": h, "http_port": 9200} for i, h in enumerate("abc", 1)]},
        "kibana": {"host": "a"}, "logstash": {"instances": [{"name": "logstash", "host": "b"}]},
        "snapshots": {"nfs": {"server": "10.0.0.9", "export": "/e"}},
        "filebeat": {"hosts": ["a", "b", "c"]},
    }
    _, problems = parse({**raw, "metricbeat": {"hosts": ["a"]}})
    found = [p.message for p in problems.errors if p.key == "metricbeat.hosts"]
    assert len(found) == 2 and "'b', which runs es02, logstash" in found[0] and "'c', which runs es03" in found[1]
    assert "metricbeat.hosts" not in errors({**raw, "metricbeat": {"hosts": ["a", "b", "c"]}})
    assert "metricbeat.hosts" not in errors({**raw, "metricbeat": {"hosts": ["a"], "stack_monitoring": False}})
