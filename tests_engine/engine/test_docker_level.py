"""Part 4: the Elasticsearch tier really ``up`` on a real dockerd (Debian's docker.io), both stacks.

The program is the project's own: Pki, Credentials, DockerHosts and ElasticsearchCluster (whose
node containers go through ``components/containers.py`` ``service_container``), from the
committed stack files, with only ``docker_hosts`` pointed at test daemons: one real daemon per
declared host (prod: three), so each host's network, volumes and containers land on its own
daemon as placed. The Elastic images
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
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pulumi.automation import errors as auto_errors

from components.elk_stack import stack_labels
from components.host_preflight import host_needs
from components.secret_files import ROLE
from engine.harness import container_checks as cc
from engine.harness import declared as d
from engine.harness.dockerd import Dockerd, urls
from engine.harness.inventory import mock_inventory
from engine.harness.probe_image import ProbeReport, parse_report
from engine.harness.programs import ES_TIER_TYPES, es_tier_program
from engine.harness.settings_of import load_for
from engine.harness.stacks import EngineStack, docker_host_override, new_stack, remove
from engine.harness.toolchain import Toolchain

STACKS = ("dev", "prod")
#: capability(7) number of CAP_SYS_RESOURCE.
CAP_SYS_RESOURCE = 24
class Tier:
    """One stack's Elasticsearch tier, up on the test daemon, with what the state says it declared."""

    def __init__(self, stack: str, handle: EngineStack, daemons: dict[str, Dockerd], up_error: str) -> None:
        self.stack = stack
        self.handle = handle
        self.daemons = daemons
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

    def daemon_of(self, resource: d.Declared) -> Dockerd:
        """The daemon of the host whose docker provider manages ``resource``."""
        url = d.docker_host_of(resource, self.resources)
        (daemon,) = [dm for dm in self.daemons.values() if dm.host == url]
        return daemon

    def inspect(self, kind: str, resource: d.Declared) -> dict:
        import json

        return json.loads(self.daemon_of(resource).docker(kind, "inspect", resource.name).stdout)[0]

    def exists(self, kind: str, resource: d.Declared) -> bool:
        return self.daemon_of(resource).docker(kind, "inspect", resource.name, check=False).returncode == 0

    def report(self, container: d.Declared) -> ProbeReport:
        logs = self.daemon_of(container).docker("logs", container.name)
        return parse_report(logs.stdout.decode() + logs.stderr.decode())


@pytest.fixture(scope="module", params=STACKS)
def tier(request: pytest.FixtureRequest, engine: Toolchain, engine_base: Path,
         daemons_for: Callable[[str], dict[str, Dockerd]]) -> Iterator[Tier]:
    stack = request.param
    daemons = daemons_for(stack)
    handle = new_stack(engine, stack, es_tier_program(), engine_base, overrides=docker_host_override(urls(daemons), stack),
                       label="docker")
    up_error = ""
    try:
        # Everything that does not wait for a failed step is still created (network, volumes).
        handle.stack.up(on_output=lambda _line: None, continue_on_error=True)
    except auto_errors.CommandError as err:
        up_error = str(err)
    up = Tier(stack, handle, daemons, up_error)
    try:
        yield up
    finally:
        if not up.destroyed:
            handle.cli("state", "unprotect", "--all", "--yes", check=False)
            handle.stack.destroy(on_output=lambda _line: None)
        for volume in d.of_type(up.resources, d.VOLUME):
            up.daemon_of(volume).docker("volume", "rm", "-f", volume.name, check=False)
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
    for daemon in tier.daemons.values():
        running = daemon.docker("ps", "-q", "--filter", f"label=elk-stack.cluster={tier.settings.cluster_name}",
                                "--filter", "label=role=elasticsearch").stdout.strip()
        assert running == b"", "a node was started although the preflight refused the host"


def test_network_as_declared_on_every_host(tier: Tier) -> None:
    networks = d.of_type(tier.resources, d.NETWORK)
    assert sorted(tier.daemon_of(n).host for n in networks) == sorted(dm.host for dm in tier.daemons.values()), \
        "one network on each declared host"
    for network in networks:
        assert network.name == f"{tier.settings.cluster_name}-net"
        real = tier.inspect("network", network)
        assert real["Driver"] == network.inputs["driver"] == "bridge"
        assert real["Labels"] == stack_labels(tier.settings)


def _labels(resource: d.Declared) -> dict[str, str]:
    return {entry["label"]: entry["value"] for entry in resource.inputs.get("labels", [])}


def test_volumes_as_declared_with_the_stack_policy(tier: Tier) -> None:
    """Exactly the tier's volumes of the mock run, each on its host's daemon with the stack labels;
    data and backup volumes follow the stack's protect policy, the secret-file volumes never do
    (components/secret_files.py: re-installed on every up, so a destroy leaves no key behind)."""
    volumes = d.of_type(tier.resources, d.VOLUME)
    mocked = {i.name for i in mock_inventory(tier.stack, ES_TIER_TYPES) if i.type == d.VOLUME}
    assert {v.resource_name for v in volumes} == mocked
    for volume in volumes:
        real = tier.inspect("volume", volume)["Labels"]
        assert real == _labels(volume) and stack_labels(tier.settings).items() <= real.items(), volume.name
        kept = tier.settings.protect_volumes and _labels(volume).get("role") != ROLE
        assert (volume.protect, volume.retain_on_delete) == (kept, kept), volume.name


def test_every_node_container_is_healthy_with_the_declared_healthcheck(tier: Tier) -> None:
    nodes = tier.long_running()
    assert len(nodes) == len(tier.settings.elasticsearch.nodes)
    for node in nodes:
        cc.check_healthcheck_and_runtime(node, tier.inspect("container", node))


def test_uploads_land_with_the_declared_owner_group_mode_and_content(tier: Tier) -> None:
    for node in tier.long_running():
        cc.check_uploads(node, tier.report(node))
        cc.check_upload_parents(node, tier.report(node))


def test_env_mounts_limits_and_memory_as_declared(tier: Tier) -> None:
    for node in tier.long_running():
        cc.check_env_mounts_limits_memory(node, tier.report(node), tier.inspect("container", node))


def test_destroy_honours_the_volume_policy(tier: Tier) -> None:
    """Runs last in the module for each stack (pytest keeps file order)."""
    volumes = d.of_type(tier.resources, d.VOLUME)
    if tier.settings.protect_volumes:
        with pytest.raises(auto_errors.CommandError, match="protected"):
            tier.handle.stack.destroy(on_output=lambda _line: None)
        assert all(tier.exists("volume", v) for v in volumes if v.protect), "a refused destroy keeps every protected volume"
        tier.handle.cli("state", "unprotect", "--all", "--yes")
    tier.handle.stack.destroy(on_output=lambda _line: None)
    tier.destroyed = True
    left = {v.urn for v in volumes if tier.exists("volume", v)}
    assert left == {v.urn for v in volumes if v.retain_on_delete}
    for daemon in tier.daemons.values():
        assert daemon.docker("ps", "-aq", "--filter", f"label=elk-stack.cluster={tier.settings.cluster_name}").stdout.strip() == b""
        assert daemon.docker("network", "inspect", f"{tier.settings.cluster_name}-net", check=False).returncode != 0
