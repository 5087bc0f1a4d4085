"""HostPreflight: per Docker host, a probe and a check that every Elasticsearch node waits for.

Prod enforces Elasticsearch's bootstrap checks, and some of what they check belongs to the host,
not to any container: ``vm.max_map_count`` (BootstrapChecks.MaxMapCountCheck, LIMIT 262144, only
when ``node.store.allow_mmap`` is true; enforced when transport binds a non-loopback address,
discovery is not single-node and the build is not a snapshot: BootstrapChecks.enforceLimits in
the 8.19.21 server jar), the memlock limit the nodes ask for (``bootstrap.memory_lock: true`` is
rendered for every node, MlockallCheck), and the memory the containers' limits assume.

How the host is read, through that host's own Docker provider (so ``ssh://`` hosts work):
- a small long-running probe container from the already-pulled Elasticsearch image, run with the
  nodes' exact ulimits. ``/proc/sys/vm`` is not namespaced and ``/proc/meminfo`` shows the host's
  memory, so it sees what a node will see. It prints one report line at start and again whenever
  a value changes. An engine that cannot raise memlock to unlimited (rootless Docker) refuses to
  start the probe itself ("error setting rlimit type 8"), which stops ``up`` here too;
- ``docker.get_logs`` (an invoke, so it runs on every preview and up) reads the last report line;
- ``HostPreflightCheck`` (components/providers/host_preflight.py) compares it with the host's
  needs and fails with every problem, the value found and the fix. Its inputs change when the host
  does, so a host fixed after a failed ``up`` passes on the next ``up``, and a host that lost its
  sysctl after a reboot is caught before the next node replacement.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_docker as docker

from components import containers as c
from components.docker_hosts import DockerHosts
from components.providers.host_preflight import HostPreflightCheck
from components.settings.model import StackSettings
from components.settings.placement import memory_limits

#: BootstrapChecks.MaxMapCountCheck.LIMIT (1 << 18) in Elasticsearch 8.19.21.
MIN_MAX_MAP_COUNT = 262144
#: The probe is tiny (bash builtins and a sleep); its limit counts toward the host's memory too.
PROBE_MEMORY_BYTES = 32 * c.MIB
PROBE_READY_FILE = "/tmp/elk-preflight-reported"
#: Prints the report line at start and whenever a value changes; bash builtins only, apart from
#: ``sleep``. The values are exactly what Elasticsearch itself reads or asks for.
PROBE_SCRIPT = (
    "trap 'exit 0' TERM INT\n"
    "report() {\n"
    "  local map_count='' mem_total_kib='' key value rest\n"
    "  { read -r map_count < /proc/sys/vm/max_map_count; } 2>/dev/null\n"
    "  while read -r key value rest; do if [ \"$key\" = MemTotal: ]; then mem_total_kib=$value; fi; done < /proc/meminfo\n"
    "  printf 'elk-preflight max_map_count=%s mem_total_kib=%s memlock_soft=%s memlock_hard=%s' "
    "\"$map_count\" \"$mem_total_kib\" \"$(ulimit -S -l)\" \"$(ulimit -H -l)\"\n"
    "}\n"
    "last=''\n"
    "while true; do\n"
    "  line=$(report)\n"
    f"  if [ \"$line\" != \"$last\" ]; then printf '%s\\n' \"$line\"; last=$line; : > {PROBE_READY_FILE}; fi\n"
    "  sleep 5 & wait $!\n"
    "done\n"
)


@dataclass(frozen=True, kw_only=True)
class HostNeeds:
    """What the stack's containers on one Docker host need from it."""

    host: str
    docker_url: str
    memory_limits: tuple[tuple[str, int], ...]
    """(container, memory limit in bytes) of every container the stack places there, the probe included."""
    min_max_map_count: int
    """262144 when a node there maps its index files (allow_mmap), else 0 (not needed)."""
    memlock: str
    """``unlimited`` when Elasticsearch nodes run there (they lock their memory), else empty."""
    ulimit_spec: tuple[tuple[str, int, int], ...]
    """What the probe runs with: the nodes' exact ulimits, so a limit the engine refuses fails here first."""


def _memlock_of(spec: tuple[tuple[str, int, int], ...]) -> str:
    return "unlimited" if any(name == "memlock" and soft == -1 and hard == -1 for name, soft, hard in spec) else ""


def host_needs(settings: StackSettings) -> tuple[HostNeeds, ...]:
    """Pure: per Docker host that runs a container of the stack, in the order of ``docker_hosts``."""
    out = []
    placed = memory_limits(settings)
    for host in settings.docker_hosts:
        nodes = [n for n in settings.elasticsearch.nodes if n.host == host.name]
        limits = [(container, size) for on, container, size in placed if on == host.name]
        if not limits:
            continue
        spec = c.ES_ULIMITS if nodes else c.SERVICE_ULIMITS
        out.append(HostNeeds(
            host=host.name,
            docker_url=host.url,
            memory_limits=(*limits, ("preflight probe", PROBE_MEMORY_BYTES)),
            min_max_map_count=MIN_MAX_MAP_COUNT if nodes and settings.elasticsearch.allow_mmap else 0,
            memlock=_memlock_of(spec) if nodes else "",
            ulimit_spec=spec,
        ))
    return tuple(out)


def last_report_line(lines: list[str] | None) -> str:
    """The probe's newest line (``get_logs`` returns them oldest first); empty when there is none."""
    return lines[-1] if lines else ""


@dataclass(frozen=True, kw_only=True)
class HostPreflightArgs:
    needs: tuple[HostNeeds, ...]
    hosts: DockerHosts
    cluster_name: str
    labels: dict[str, str]


class HostPreflight(pulumi.ComponentResource):
    probes: dict[str, docker.Container]
    """Per host name: the probe container."""
    checks: dict[str, HostPreflightCheck]
    """Per host name: the check every Elasticsearch node waits for."""

    def __init__(self, name: str, args: HostPreflightArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("elk:components:HostPreflight", name, None, opts)
        self.probes, self.checks = {}, {}
        for needs in args.needs:
            probe = self._probe(f"{name}-{needs.host}-probe", needs, args)
            placed = args.hosts.host(needs.host)
            logs = docker.get_logs_output(
                name=probe.id,  # the id, unknown until the probe exists: never read a container not yet created
                tail="1",
                opts=pulumi.InvokeOutputOptions(provider=placed.provider, depends_on=[probe]),
            )
            self.probes[needs.host] = probe
            self.checks[needs.host] = HostPreflightCheck(
                f"{name}-{needs.host}",
                host=needs.host,
                docker_url=needs.docker_url,
                memory_limits=needs.memory_limits,
                min_max_map_count=needs.min_max_map_count,
                memlock=needs.memlock,
                probe_report=logs.apply(lambda r: last_report_line(r.logs_list_strings)),
                opts=pulumi.ResourceOptions(parent=self, depends_on=[probe]),
            )
        self.register_outputs({"probes": self.probes, "checks": self.checks})

    def _probe(self, resource: str, needs: HostNeeds, args: HostPreflightArgs) -> docker.Container:
        placed = args.hosts.host(needs.host)
        return docker.Container(
            resource,
            # A dot cannot occur in a node's container name (<cluster>-<DNS label>): no clash.
            name=f"{args.cluster_name}.preflight",
            image=placed.images["elasticsearch"].image_id,
            entrypoints=["/bin/bash", "-c"],
            command=[PROBE_SCRIPT],
            network_mode="none",
            memory=c.memory_mb(PROBE_MEMORY_BYTES),
            # Unset, the engine reports swap = 2 x memory and every up diffs it; with "*" below
            # that diff would replace the probe each time. Equal to memory: no swap, no diff.
            memory_swap=c.memory_mb(PROBE_MEMORY_BYTES),
            ulimits=c.ulimits(needs.ulimit_spec),
            restart=c.RESTART,
            # get_logs reads the report back: a driver the engine can read logs from.
            log_driver="json-file",
            log_opts=c.LOG_OPTS,
            healthcheck=c.healthcheck(["CMD", "bash", "-c", f"[ -e {PROBE_READY_FILE} ]"], start_period="5s", interval="1s"),
            wait=True,
            wait_timeout=60,
            destroy_grace_seconds=5,
            labels=c.labels(args.labels, role="host-preflight"),
            opts=pulumi.ResourceOptions(
                parent=self,
                provider=placed.provider,
                # Fixed name: a replacement removes the old probe first. A probe whose start the
                # engine refused (rlimits) is kept with an init error; "*" makes the next up
                # replace it, so it starts again once the host is fixed.
                delete_before_replace=True,
                replace_on_changes=["*"],
            ),
        )
