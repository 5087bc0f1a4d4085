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
from components.settings.placement import memory_limits
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


def test_each_prod_host_needs_the_sysctl_unlimited_memlock_and_memory_for_what_is_placed_on_it() -> None:
    elk1, elk2, elk3 = host_needs(settings_of("prod"))
    assert (elk1.host, elk1.docker_url) == ("elk1", "ssh://ops@elk1.mt4.internal")
    assert elk1.memory_limits[:2] == (("es01", 8 * GIB), ("kibana", 2 * GIB))
    assert elk2.memory_limits[:2] == (("es02", 8 * GIB), ("logstash", 4 * GIB))
    assert elk3.memory_limits[:2] == (("es03", 8 * GIB), ("logstash2", 4 * GIB))
    for needs in (elk1, elk2, elk3):
        assert needs.memory_limits[-1] == ("preflight probe", PROBE_MEMORY_BYTES)
        assert needs.min_max_map_count == MIN_MAX_MAP_COUNT == 262144
        assert needs.memlock == "unlimited" and needs.ulimit_spec == c.ES_ULIMITS


def test_dev_without_mmap_does_not_ask_for_the_sysctl() -> None:
    [local] = host_needs(settings_of("dev"))
    assert local.min_max_map_count == 0
    assert local.memlock == "unlimited", "the dev node runs with the same memlock ulimit"
    placed = [(name, size) for host, name, size in memory_limits(settings_of("dev")) if host == "local"]
    assert local.memory_limits == (*placed, ("preflight probe", PROBE_MEMORY_BYTES))
    assert sum(size for name, size in placed if name in ("es01", "kibana", "logstash")) == 4 * GIB


def test_dev_with_mmap_on_asks_for_the_sysctl() -> None:
    dev = settings_of("dev")
    [local] = host_needs(dataclasses.replace(dev, elasticsearch=dataclasses.replace(dev.elasticsearch, allow_mmap=True)))
    assert local.min_max_map_count == 262144


def test_a_host_with_only_kibana_and_logstash_needs_memory_only_and_unused_hosts_get_no_probe() -> None:
    prod = settings_of("prod")
    apps_hosts = (DockerHost(name="apps", url="ssh://ops@apps", address="10.0.1.20"),
                  DockerHost(name="idle", url="ssh://ops@idle", address="10.0.1.21"))
    moved = dataclasses.replace(
        prod,
        docker_hosts=(*prod.docker_hosts, *apps_hosts),
        kibana=dataclasses.replace(prod.kibana, host="apps"),
        logstash=dataclasses.replace(
            prod.logstash, instances=tuple(dataclasses.replace(i, host="apps") for i in prod.logstash.instances)),
    )
    needs = {n.host: n for n in host_needs(moved)}
    assert "idle" not in needs
    assert [n for n, _ in needs["elk1"].memory_limits if n != "preflight probe" and n.startswith("es")] == ["es01"]
    apps = needs["apps"]
    assert apps.docker_url == "ssh://ops@apps"
    assert apps.memory_limits[:3] == (("kibana", 2 * GIB), ("logstash", 4 * GIB), ("logstash2", 4 * GIB))
    assert (apps.min_max_map_count, apps.memlock, apps.ulimit_spec) == (0, "", c.SERVICE_ULIMITS)


# ---------------------------------------------------------------------------- the whole program


def probe_of(run: Run, host: str = "local") -> Registration:
    return run.named(f"elk-preflight-{host}-probe")


FIRST_HOST = {"dev": "local", "prod": "elk1"}


def es_nodes(run: Run) -> list[Registration]:
    return [r for r in run.of_type(CONTAINER) if r.name in {f"elk-es-{n}" for n in ("es01", "es02", "es03")}]


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_probe_runs_from_the_pulled_image_with_the_nodes_ulimits_on_that_host(stack: str) -> None:
    run = cached_run(stack)
    host = FIRST_HOST[stack]
    probe = probe_of(run, host)
    [image] = [r for r in run.of_type("docker:index/remoteImage:RemoteImage") if r.name == f"elk-docker-{host}-elasticsearch-image"]
    [provider] = [p for p in run.of_type("pulumi:providers:docker") if p.name == f"elk-docker-{host}"]
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


def test_every_node_waits_for_every_hosts_check_which_waits_for_its_probe(prod: Run) -> None:
    checks = prod.of_type(CHECK)
    assert sorted(c.name for c in checks) == ["elk-preflight-elk1", "elk-preflight-elk2", "elk-preflight-elk3"]
    providers = {p.name: p.urn for p in prod.of_type("pulumi:providers:docker")}
    for check in checks:
        host = check.name.removeprefix("elk-preflight-")
        probe = probe_of(prod, host)
        assert probe.urn in check.dependencies
        assert probe.provider.startswith(providers[f"elk-docker-{host}"] + "::"), "each host is probed through its own provider"
    nodes = es_nodes(prod)
    assert len(nodes) == 3
    for node in nodes:
        for check in checks:
            assert check.urn in node.dependencies, f"{node.urn} must not start before {check.name} passed"


def test_after_bootstrap_the_first_node_of_the_chain_waits_for_the_checks_too() -> None:
    run = run_program("prod", overrides={"bootstrap": "false"})
    for check in run.of_type(CHECK):
        assert all(check.urn in node.dependencies for node in es_nodes(run))


def test_the_check_gets_the_hosts_needs_and_the_probes_last_report(prod: Run) -> None:
    check = prod.named("elk-preflight-elk2")
    assert check.inputs["host"] == "elk2" and check.inputs["docker_url"] == "ssh://ops@elk2.mt4.internal"
    assert check.inputs["min_max_map_count"] == 262144 and check.inputs["memlock"] == "unlimited"
    assert [name for name, _ in check.inputs["memory_limits"]][:2] == ["es02", "logstash"]
    assert check.inputs["memory_limits"][-1][0] == "preflight probe"
    assert check.inputs["probe_report"] == MOCK_PROBE_REPORT


def test_preview_registers_the_check_too() -> None:
    """Proof limit: the mocks give the probe an id even in preview, so this shows only that the
    graph holds in preview; on a real first preview the id is unknown and the logs are not read."""
    preview = run_program("prod", preview=True)
    assert sorted(r.name for r in preview.of_type(CHECK)) == ["elk-preflight-elk1", "elk-preflight-elk2", "elk-preflight-elk3"]
