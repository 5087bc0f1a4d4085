"""Part 4: the Elasticsearch tier really ``up`` on a real dockerd (Debian's docker.io), both stacks.

The program is the project's own: Pki, Credentials, DockerHosts and ElasticsearchCluster (whose
node containers go through ``components/containers.py`` ``service_container``), from the
committed stack files, with only ``docker_hosts`` pointed at the test daemon. The Elastic images
are replaced by the probe image (built here with debootstrap) under the pinned image names, so
what runs in each node container is the probe: it reports the files it was given, env, mounts
and limits, and answers the readiness port the declared healthcheck dials.

Proves: the docker provider (rebuilt from upstream) creates the network, volumes and containers
the program declares, lands every upload with the declared owner, group, mode and content, and
applies env, mounts, ulimits, memory and the healthcheck as declared; prod's protected volumes
stop ``destroy`` and survive it once unprotected (``retain_on_delete``). Cannot prove: that
Elasticsearch starts with these files (the probe is not Elasticsearch), the published plugin.
"""

from __future__ import annotations

import resource
from collections.abc import Iterator
from pathlib import Path

import pytest
from pulumi.automation import errors as auto_errors

from components.elk_stack import stack_labels
from components.host_preflight import host_needs
from engine.harness import container_checks as cc
from engine.harness import declared as d
from engine.harness.dockerd import Dockerd
from engine.harness.probe_image import ProbeImage, ProbeReport, parse_report
from engine.harness.programs import es_tier_program
from engine.harness.settings_of import load_for
from engine.harness.stacks import EngineStack, docker_host_override, new_stack, remove
from engine.harness.toolchain import Toolchain

STACKS = ("dev", "prod")
#: capability(7) number of CAP_SYS_RESOURCE.
CAP_SYS_RESOURCE = 24
class Tier:
    """One stack's Elasticsearch tier, up on the test daemon, with what the state says it declared."""

    def __init__(self, stack: str, handle: EngineStack, daemon: Dockerd, up_error: str) -> None:
        self.stack = stack
        self.handle = handle
        self.daemon = daemon
        self.up_error = up_error
        """Empty when ``up`` succeeded; else its message (the host preflight may refuse the nodes)."""
        self.settings = load_for(stack)[0]
        self.resources = d.declared_resources(handle)
        self.destroyed = False

    def long_running(self) -> list[d.Declared]:
        """The node containers (service_container: healthcheck, wait) — not the one-shot chown or
        the preflight probe. Skips when the host preflight refused the nodes on this machine."""
        if self.up_error:
            pytest.skip(f"{self.stack}: the host preflight stopped the nodes here (see test_up_outcome_is_the_preflight_verdict)")
        return [c for c in d.of_type(self.resources, d.CONTAINER) if c.inputs.get("healthcheck") and c.name in self.node_names]

    @property
    def node_names(self) -> set[str]:
        return {f"{self.settings.cluster_name}-{n.name}" for n in self.settings.elasticsearch.nodes}

    def inspect(self, kind: str, name: str) -> dict:
        import json

        return json.loads(self.daemon.docker(kind, "inspect", name).stdout)[0]

    def report(self, container: str) -> ProbeReport:
        logs = self.daemon.docker("logs", container)
        return parse_report(logs.stdout.decode() + logs.stderr.decode())


@pytest.fixture(scope="module", params=STACKS)
def tier(request: pytest.FixtureRequest, engine: Toolchain, engine_base: Path, dockerd: Dockerd,
         probe_image: ProbeImage) -> Iterator[Tier]:
    stack = request.param
    handle = new_stack(engine, stack, es_tier_program(), engine_base, overrides=docker_host_override(dockerd.host, stack),
                       label="docker")
    up_error = ""
    try:
        # Everything that does not wait for a failed step is still created (network, volumes).
        handle.stack.up(on_output=lambda _line: None, continue_on_error=True)
    except auto_errors.CommandError as err:
        up_error = str(err)
    up = Tier(stack, handle, dockerd, up_error)
    try:
        yield up
    finally:
        if not up.destroyed:
            handle.cli("state", "unprotect", "--all", "--yes", check=False)
            handle.stack.destroy(on_output=lambda _line: None)
        for volume in d.of_type(up.resources, d.VOLUME):
            dockerd.docker("volume", "rm", "-f", volume.name, check=False)
        remove(handle)


def _host_shortfalls(tier: Tier) -> list[str]:
    """What this machine lacks for the stack, computed from the settings and /proc (not the product)."""
    needs = host_needs(tier.settings)[0]
    meminfo = dict(line.split(":", 1) for line in Path("/proc/meminfo").read_text().splitlines())
    mem_total = int(meminfo["MemTotal"].split()[0]) * 1024
    map_count = int(Path("/proc/sys/vm/max_map_count").read_text())
    out = []
    if sum(size for _n, size in needs.memory_limits) > mem_total:
        out.append("memory limits")
    if needs.min_max_map_count > map_count:
        out.append("vm.max_map_count")
    if needs.memlock == "unlimited" and not _can_raise_memlock():
        out.append("rlimit")  # the engine refuses the probe's memlock=-1 itself ("error setting rlimit type 8")
    return out


def _can_raise_memlock() -> bool:
    """Whether this machine's root may lift memlock to unlimited (CAP_SYS_RESOURCE), as dockerd must."""
    soft, hard = resource.getrlimit(resource.RLIMIT_MEMLOCK)
    if hard == resource.RLIM_INFINITY:
        return True
    status = dict(line.split(":\t", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":\t" in line)
    return bool(int(status.get("CapEff", "0"), 16) >> CAP_SYS_RESOURCE & 1)


def test_up_outcome_is_the_preflight_verdict(tier: Tier) -> None:
    """The real HostPreflightCheck (dynamic provider, real engine) refuses exactly when the host falls short."""
    shortfalls = _host_shortfalls(tier)
    if not shortfalls:
        assert tier.up_error == "", tier.up_error[tier.up_error.find("Diagnostics:"):][:4000]
        return
    if "rlimit" in shortfalls:
        # The probe itself cannot start (it runs with the nodes' memlock=-1): nothing else is read.
        shortfalls = ["rlimit"]
    else:
        assert "does not meet what the stack's containers there need" in tier.up_error
    for what in shortfalls:
        assert what in tier.up_error, (what, tier.up_error[tier.up_error.find("Diagnostics:"):][:3000])
    running = tier.daemon.docker("ps", "-q", "--filter", f"label=elk-stack.cluster={tier.settings.cluster_name}",
                                 "--filter", "label=role=elasticsearch").stdout.strip()
    assert running == b"", "a node was started although the preflight refused the host"


def test_network_as_declared(tier: Tier) -> None:
    [network] = d.of_type(tier.resources, d.NETWORK)
    assert network.name == f"{tier.settings.cluster_name}-net"
    real = tier.inspect("network", network.name)
    assert real["Driver"] == network.inputs["driver"] == "bridge"
    assert real["Labels"] == stack_labels(tier.settings)


def test_volumes_as_declared_with_the_stack_policy(tier: Tier) -> None:
    volumes = d.of_type(tier.resources, d.VOLUME)
    nodes = tier.settings.elasticsearch.nodes
    assert sorted(v.name for v in volumes) == sorted(
        [f"{tier.settings.cluster_name}-backup", *(f"{tier.settings.cluster_name}-{n.name}-data" for n in nodes)])
    for volume in volumes:
        assert tier.inspect("volume", volume.name)["Labels"] == stack_labels(tier.settings)
        assert volume.protect is tier.settings.protect_volumes, volume.name
        assert volume.retain_on_delete is tier.settings.protect_volumes, volume.name


def test_every_node_container_is_healthy_with_the_declared_healthcheck(tier: Tier) -> None:
    nodes = tier.long_running()
    assert len(nodes) == len(tier.settings.elasticsearch.nodes)
    for node in nodes:
        cc.check_healthcheck_and_runtime(node, tier.inspect("container", node.name))


def test_uploads_land_with_the_declared_owner_group_mode_and_content(tier: Tier) -> None:
    for node in tier.long_running():
        cc.check_uploads(node, tier.report(node.name))
        cc.check_upload_parents(node, tier.report(node.name))


def test_env_mounts_limits_and_memory_as_declared(tier: Tier) -> None:
    for node in tier.long_running():
        cc.check_env_mounts_limits_memory(node, tier.report(node.name), tier.inspect("container", node.name))


def test_destroy_honours_the_volume_policy(tier: Tier) -> None:
    """Runs last in the module for each stack (pytest keeps file order)."""
    volumes = [v.name for v in d.of_type(tier.resources, d.VOLUME)]
    if tier.settings.protect_volumes:
        with pytest.raises(auto_errors.CommandError, match="protected"):
            tier.handle.stack.destroy(on_output=lambda _line: None)
        assert all(tier.daemon.docker("volume", "inspect", v, check=False).returncode == 0 for v in volumes)
        tier.handle.cli("state", "unprotect", "--all", "--yes")
    tier.handle.stack.destroy(on_output=lambda _line: None)
    tier.destroyed = True
    left = {v for v in volumes if tier.daemon.docker("volume", "inspect", v, check=False).returncode == 0}
    assert left == (set(volumes) if tier.settings.protect_volumes else set())
    assert tier.daemon.docker("ps", "-aq", "--filter", f"label=elk-stack.cluster={tier.settings.cluster_name}").stdout.strip() == b""
    assert tier.daemon.docker("network", "inspect", f"{tier.settings.cluster_name}-net", check=False).returncode != 0
