"""HostPreflight: what each Docker host must offer, and that no Elasticsearch node starts before
its check passed.

Proof limit: ``host_needs`` is pure and tested on the real stack files; the whole-program part
runs the real ``__main__.py`` under mocks (the probe's logs answer as a fit host) and proves the
graph and inputs the engine receives, not that Docker runs the probe (the script itself runs
for real in tests/providers/test_host_preflight_check.py).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml

from components import containers as c
from components.host_preflight import MIN_MAX_MAP_COUNT, PROBE_MEMORY_BYTES, PROBE_SCRIPT, host_needs
from components.preview.mock_run import MOCK_PROBE_REPORT
from components.settings.model import DockerHost, StackSettings
from components.settings.parse import parse_settings
from components.settings.problems import Problems
from tests.conftest import cached_run
from tests.program import Registration, Run, run_program

ROOT = Path(__file__).resolve().parent.parent
GIB = 1024**3
CONTAINER = "docker:index/container:Container"
CHECK = "pulumi-python:dynamic/docker:HostPreflightCheck"


def settings_of(stack: str) -> StackSettings:
    config = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]
    raw = {key.removeprefix("elk-stack:"): value for key, value in config.items()}
    return parse_settings(raw, Problems(f"Pulumi.{stack}.yaml"), own_ca=False)


# ---------------------------------------------------------------------------- what a host needs


def test_the_prod_host_needs_the_sysctl_unlimited_memlock_and_memory_for_every_limit() -> None:
    [local] = host_needs(settings_of("prod"))
    assert local.host == "local" and local.docker_url == "unix:///var/run/docker.sock"
    assert local.memory_limits == (
        ("es01", 8 * GIB), ("es02", 8 * GIB), ("es03", 8 * GIB), ("kibana", 2 * GIB), ("logstash", 4 * GIB),
        ("preflight probe", PROBE_MEMORY_BYTES),
    )
    assert local.min_max_map_count == MIN_MAX_MAP_COUNT == 262144
    assert local.memlock == "unlimited" and local.ulimit_spec == c.ES_ULIMITS


def test_dev_without_mmap_does_not_ask_for_the_sysctl() -> None:
    [local] = host_needs(settings_of("dev"))
    assert local.min_max_map_count == 0
    assert local.memlock == "unlimited", "the dev node runs with the same memlock ulimit"
    assert sum(size for _, size in local.memory_limits) == 4 * GIB + PROBE_MEMORY_BYTES


def test_dev_with_mmap_on_asks_for_the_sysctl() -> None:
    dev = settings_of("dev")
    [local] = host_needs(dataclasses.replace(dev, elasticsearch=dataclasses.replace(dev.elasticsearch, allow_mmap=True)))
    assert local.min_max_map_count == 262144


def test_a_host_with_only_kibana_and_logstash_needs_memory_only_and_unused_hosts_get_no_probe() -> None:
    """Several hosts are refused by the settings today (one Docker network); the pure function
    already places needs per host for when they are not."""
    prod = settings_of("prod")
    two = dataclasses.replace(
        prod,
        docker_hosts=(*prod.docker_hosts, DockerHost(name="apps", url="ssh://ops@apps"), DockerHost(name="idle", url="ssh://ops@idle")),
        kibana=dataclasses.replace(prod.kibana, host="apps"),
        logstash=dataclasses.replace(prod.logstash, host="apps"),
    )
    local, apps = host_needs(two)
    assert [n for n, _ in local.memory_limits] == ["es01", "es02", "es03", "preflight probe"]
    assert apps.host == "apps" and apps.docker_url == "ssh://ops@apps"
    assert apps.memory_limits == (("kibana", 2 * GIB), ("logstash", 4 * GIB), ("preflight probe", PROBE_MEMORY_BYTES))
    assert (apps.min_max_map_count, apps.memlock, apps.ulimit_spec) == (0, "", c.SERVICE_ULIMITS)


# ---------------------------------------------------------------------------- the whole program


def probe_of(run: Run) -> Registration:
    return run.named("elk-preflight-local-probe")


def es_nodes(run: Run) -> list[Registration]:
    return [r for r in run.of_type(CONTAINER) if r.name in {f"elk-es-{n}" for n in ("es01", "es02", "es03")}]


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_probe_runs_from_the_pulled_image_with_the_nodes_ulimits_on_that_host(stack: str) -> None:
    run = cached_run(stack)
    probe = probe_of(run)
    [image] = [r for r in run.of_type("docker:index/remoteImage:RemoteImage") if r.name == "elk-docker-local-elasticsearch-image"]
    [provider] = run.of_type("pulumi:providers:docker")
    assert probe.inputs["image"] == f"sha256:mock-{image.inputs['name']}"
    assert probe.provider.startswith(provider.urn + "::")
    assert probe.inputs["entrypoints"] == ["/bin/bash", "-c"] and probe.inputs["command"] == [PROBE_SCRIPT]
    for node in es_nodes(run):
        assert probe.inputs["ulimits"] == node.inputs["ulimits"], f"{probe.urn} must ask what {node.urn} asks"
    assert probe.inputs["networkMode"] == "none" and probe.inputs["memory"] == 32
    # Measured on a real engine: unset, memory_swap comes back as 2 x memory and every up diffs it,
    # which replace_on_changes ["*"] would turn into a replacement of the probe on every up.
    assert probe.inputs["memorySwap"] == 32
    assert probe.inputs["logDriver"] == "json-file" and probe.inputs["wait"] is True
    assert probe.inputs["name"] == f"mt4-{stack}.preflight" and probe.delete_before_replace


def test_every_node_waits_for_the_check_which_waits_for_the_probe(prod: Run) -> None:
    [check] = prod.of_type(CHECK)
    assert check.name == "elk-preflight-local" and probe_of(prod).urn in check.dependencies
    nodes = es_nodes(prod)
    assert len(nodes) == 3
    for node in nodes:
        assert check.urn in node.dependencies, f"{node.urn} must not start before the host check passed"


def test_after_bootstrap_the_first_node_of_the_chain_waits_for_the_check_too() -> None:
    run = run_program("prod", overrides={"bootstrap": "false"})
    [check] = run.of_type(CHECK)
    assert all(check.urn in node.dependencies for node in es_nodes(run))


def test_the_check_gets_the_hosts_needs_and_the_probes_last_report(prod: Run) -> None:
    [check] = prod.of_type(CHECK)
    assert check.inputs["host"] == "local" and check.inputs["docker_url"] == "unix:///var/run/docker.sock"
    assert check.inputs["min_max_map_count"] == 262144 and check.inputs["memlock"] == "unlimited"
    assert [name for name, _ in check.inputs["memory_limits"]] == ["es01", "es02", "es03", "kibana", "logstash", "preflight probe"]
    assert check.inputs["probe_report"] == MOCK_PROBE_REPORT


def test_preview_registers_the_check_too() -> None:
    """Proof limit: the mocks give the probe an id even in preview, so this shows only that the
    graph holds in preview; on a real first preview the id is unknown and the logs are not read."""
    preview = run_program("prod", preview=True)
    assert [r.name for r in preview.of_type(CHECK)] == ["elk-preflight-local"]
