"""Rules across settings: each a small named function that records problems.

Kept apart from reading so each rule can be named, listed and tested on its own (habit from
ECK's validations.go). Every message says what is wrong and what is allowed.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from components.settings import defaults as d
from components.settings.model import Lifecycle, StackSettings
from components.settings.problems import Problems

Rule = Callable[[StackSettings, Problems], None]

_TIME_FACTORS = {"nanos": 1e-9, "micros": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600, "d": 86400}
_TIME = re.compile(r"^(\d+)(nanos|micros|ms|s|m|h|d)$")


def seconds(time_value: str) -> float:
    """An Elasticsearch time value (already validated) in seconds, for ordering checks."""
    match = _TIME.match(time_value)
    assert match, time_value
    return int(match.group(1)) * _TIME_FACTORS[match.group(2)]


def _gib(size: int) -> str:
    return f"{size / 1024**3:g}g" if size >= 1024**3 else f"{size // 1024**2}m"


def version_supported(s: StackSettings, p: Problems) -> None:
    major, minor, _ = (int(x) for x in s.elastic_version.split("."))
    if (major, minor) != d.SUPPORTED_MINOR:
        p.error("elastic_version", f"{s.elastic_version} is not supported; settings and API bodies are checked against 8.19 only, use 8.19.x (default {d.ELASTIC_VERSION})")


def docker_host_names_unique(s: StackSettings, p: Problems) -> None:
    seen: set[str] = set()
    for i, host in enumerate(s.docker_hosts):
        if host.name in seen:
            p.error(f"docker_hosts[{i}].name", f"{host.name!r} is used twice; each Docker host needs its own name")
        seen.add(host.name)
    if not s.docker_hosts:
        p.error("docker_hosts", "must list at least one Docker host, e.g. {name: local, url: unix:///var/run/docker.sock}")


def hosts_are_declared(s: StackSettings, p: Problems) -> None:
    names = {h.name for h in s.docker_hosts}
    allowed = ", ".join(sorted(names)) or "(none)"
    for key, host in _placements(s):
        if host not in names:
            p.error(key, f"{host!r} is not one of docker_hosts; allowed: {allowed}")


def one_host_for_now(s: StackSettings, p: Problems) -> None:
    """Containers reach each other over one Docker network; spreading over hosts comes later."""
    used = {host for _, host in _placements(s)}
    if len(used) > 1:
        p.error("docker_hosts", f"services are placed on {len(used)} Docker hosts ({', '.join(sorted(used))}); this version runs every container on one host (one Docker network), place them all on the same host")


def _placements(s: StackSettings) -> list[tuple[str, str]]:
    out = [(f"elasticsearch.nodes[{i}].host", n.host) for i, n in enumerate(s.elasticsearch.nodes)]
    out += [("kibana.host", s.kibana.host), ("logstash.host", s.logstash.host)]
    return out


def node_names_unique(s: StackSettings, p: Problems) -> None:
    seen: set[str] = set()
    for i, node in enumerate(s.elasticsearch.nodes):
        if node.name in seen:
            p.error(f"elasticsearch.nodes[{i}].name", f"{node.name!r} is used by another node; node names must be unique")
        if node.name in ("kibana", "logstash"):
            p.error(f"elasticsearch.nodes[{i}].name", f"{node.name!r} is taken by the {node.name} service; choose another name")
        seen.add(node.name)


def master_quorum(s: StackSettings, p: Problems) -> None:
    masters = s.elasticsearch.masters
    if not masters:
        p.error("elasticsearch.nodes", "no node has the 'master' role; at least one master-eligible node is required")
    elif len(masters) > 1 and len(masters) % 2 == 0:
        p.error("elasticsearch.nodes", f"{len(masters)} master-eligible nodes; use an odd number (1, 3, 5) so a majority survives the loss of a node")
    if all(n.roles == ("master", "voting_only") or n.roles == ("voting_only",) for n in masters) and masters:
        p.error("elasticsearch.nodes", "every master-eligible node is voting_only; at least one must be able to become master")
    for i, node in enumerate(s.elasticsearch.nodes):
        if "voting_only" in node.roles and "master" not in node.roles:
            p.error(f"elasticsearch.nodes[{i}].roles", "voting_only requires the master role as well")


def data_nodes_present(s: StackSettings, p: Problems) -> None:
    if not s.elasticsearch.data_nodes:
        p.error("elasticsearch.nodes", "no node holds data (role data or data_*); at least one is required")


def heap_fits_memory(s: StackSettings, p: Problems) -> None:
    for i, node in enumerate(s.elasticsearch.nodes):
        key = f"elasticsearch.nodes[{i}].heap"
        if node.heap_bytes * 2 > node.memory_bytes:
            p.error(key, f"{_gib(node.heap_bytes)} is more than 50% of the node's memory ({_gib(node.memory_bytes)}); Elasticsearch needs the rest for the file-system cache: set heap <= {_gib(node.memory_bytes // 2)} or raise memory")
        if node.heap_bytes >= d.MAX_HEAP_BYTES:
            p.error(key, f"{_gib(node.heap_bytes)} is too large; keep heap below 31g so the JVM keeps compressed object pointers")
        if node.heap_bytes < d.MIN_HEAP_BYTES:
            p.error(key, f"{_gib(node.heap_bytes)} is too small; Elasticsearch needs at least 256m")
    for svc, heap, memory, share in (("kibana", s.kibana.heap_bytes, s.kibana.memory_bytes, 0.75), ("logstash", s.logstash.heap_bytes, s.logstash.memory_bytes, 0.75)):
        if heap > memory * share:
            p.error(f"{svc}.heap", f"{_gib(heap)} leaves too little of the container's {_gib(memory)} for native memory; keep heap <= 75% of memory")


def jvm_options_leave_heap_alone(s: StackSettings, p: Problems) -> None:
    for i, line in enumerate(s.elasticsearch.jvm_options):
        if line.startswith(("-Xms", "-Xmx", "-XX:MaxHeapSize", "-XX:InitialHeapSize")):
            p.error(f"elasticsearch.jvm_options[{i}]", f"{line!r} sets the heap; the heap comes from elasticsearch.nodes[*].heap (Xms = Xmx by construction)")
        elif not line.startswith("-"):
            p.error(f"elasticsearch.jvm_options[{i}]", f"{line!r} is not a JVM option; each line must start with '-'")


def published_ports_unique(s: StackSettings, p: Problems) -> None:
    used: dict[tuple[str, int], str] = {}
    for key, host, port in _published_ports(s):
        other = used.get((host, port))
        if other:
            p.error(key, f"port {port} on Docker host {host!r} is already published by {other}; each published port must be unique on a host")
        else:
            used[(host, port)] = key


def _published_ports(s: StackSettings) -> list[tuple[str, str, int]]:
    out = [(f"elasticsearch.nodes[{i}].http_port", n.host, n.http_port) for i, n in enumerate(s.elasticsearch.nodes) if n.http_port]
    out += [("kibana.port", s.kibana.host, s.kibana.port), ("logstash.tcp_port", s.logstash.host, s.logstash.tcp_port), ("logstash.beats_port", s.logstash.host, s.logstash.beats_port)]
    return out


def some_node_published(s: StackSettings, p: Problems) -> None:
    """The program configures security and indices through a published HTTPS endpoint."""
    if s.elasticsearch.nodes and not any(n.http_port for n in s.elasticsearch.nodes):
        p.error("elasticsearch.nodes", "no node publishes http_port; at least one must, so the program can reach the cluster's API")


def replicas_fit_data_nodes(s: StackSettings, p: Problems) -> None:
    data = len(s.elasticsearch.data_nodes)
    if data and s.index_management.replicas > data - 1:
        p.error("index_management.replicas", f"{s.index_management.replicas} replica(s) need {s.index_management.replicas + 1} data nodes but there are {data}; the cluster would stay yellow. Use at most {data - 1}")


def tls_renewal_window(s: StackSettings, p: Problems) -> None:
    if s.tls.early_renewal_hours >= s.tls.validity_hours:
        p.error("tls.early_renewal_hours", f"{s.tls.early_renewal_hours} is not shorter than tls.validity_hours ({s.tls.validity_hours}); every up would rotate every certificate")
    if s.tls.validity_hours > s.tls.ca_validity_hours and not s.tls.own_ca:
        p.error("tls.validity_hours", f"{s.tls.validity_hours} outlives the CA (tls.ca_validity_hours {s.tls.ca_validity_hours}); a certificate cannot be valid longer than its CA")


def lifecycle_phases_in_order(s: StackSettings, p: Problems) -> None:
    for name, life in (("logs", s.index_management.logs), ("metrics", s.index_management.metrics)):
        _phases_in_order(f"index_management.{name}", life, p)


def _phases_in_order(key: str, life: Lifecycle, p: Problems) -> None:
    if seconds(life.warm_min_age) < seconds(life.rollover_max_age):
        p.error(f"{key}.warm_min_age", f"{life.warm_min_age} is before the hot phase's rollover_max_age ({life.rollover_max_age}); warm must start at or after rollover")
    if seconds(life.delete_min_age) <= seconds(life.warm_min_age):
        p.error(f"{key}.delete_min_age", f"{life.delete_min_age} is not after warm_min_age ({life.warm_min_age}); delete must come after warm")


def shrink_fits_shards(s: StackSettings, p: Problems) -> None:
    """Our templates create one primary shard; shrink may only reduce the shard count."""
    for name, life in (("logs", s.index_management.logs), ("metrics", s.index_management.metrics)):
        if life.warm_shrink_shards != 1:
            p.error(f"index_management.{name}.warm_shrink_shards", f"{life.warm_shrink_shards} is more than the 1 primary shard the templates create; shrink can only reduce, use 1")


def snapshot_schedule_is_es_cron(s: StackSettings, p: Problems) -> None:
    fields = s.snapshots.schedule.split()
    if len(fields) not in d.ES_CRON_FIELDS:
        p.error("snapshots.schedule", f"{s.snapshots.schedule!r} has {len(fields)} fields; Elasticsearch cron needs seconds first: 'sec min hour day-of-month month day-of-week [year]', e.g. '0 30 1 * * ?' (nightly 01:30)")
    elif fields[3] != "?" and fields[5] != "?":
        p.error("snapshots.schedule", f"{s.snapshots.schedule!r} sets both day-of-month and day-of-week; one of them must be '?'")


def snapshot_counts(s: StackSettings, p: Problems) -> None:
    if s.snapshots.min_count > s.snapshots.max_count:
        p.error("snapshots.min_count", f"{s.snapshots.min_count} is more than snapshots.max_count ({s.snapshots.max_count})")


def logstash_ports_differ(s: StackSettings, p: Problems) -> None:
    if s.logstash.tcp_port == s.logstash.beats_port:
        p.error("logstash.beats_port", f"{s.logstash.beats_port} is also logstash.tcp_port; the two inputs need their own ports")
    reserved = {9600: "the Logstash API"}
    for key, port in (("logstash.tcp_port", s.logstash.tcp_port), ("logstash.beats_port", s.logstash.beats_port)):
        if port in reserved:
            p.error(key, f"{port} is used inside the container by {reserved[port]}; choose another port")


def sensitive_keys_valid(s: StackSettings, p: Problems) -> None:
    for i, key in enumerate(s.logstash.sensitive_keys):
        if not re.match(r"^[A-Za-z0-9_.-]+$", key):
            p.error(f"logstash.sensitive_keys[{i}]", f"{key!r} is not a field name; use letters, digits, '_', '-' or '.'")


def mmap_off_is_for_dev(s: StackSettings, p: Problems) -> None:
    if not s.elasticsearch.allow_mmap and s.volume_policy == "retain":
        p.warn("elasticsearch.allow_mmap", "false trades search speed for not needing vm.max_map_count on the host; set the sysctl and keep mmap on for production data")


def trial_needs_care(s: StackSettings, p: Problems) -> None:
    if s.license == "trial":
        p.warn("license", "trial expires after 30 days and then falls back to basic; Watcher and email alerts stop")


RULES: tuple[Rule, ...] = (
    version_supported, docker_host_names_unique, hosts_are_declared, one_host_for_now,
    node_names_unique, master_quorum, data_nodes_present, heap_fits_memory,
    jvm_options_leave_heap_alone, published_ports_unique, some_node_published,
    replicas_fit_data_nodes, tls_renewal_window, lifecycle_phases_in_order, shrink_fits_shards,
    snapshot_schedule_is_es_cron, snapshot_counts, logstash_ports_differ, sensitive_keys_valid,
    mmap_off_is_for_dev, trial_needs_care,
)


def check_all(s: StackSettings, p: Problems) -> None:
    for rule in RULES:
        rule(s, p)

