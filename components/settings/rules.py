"""Rules across settings: each a small named function that records problems.

Kept apart from reading so each rule can be named, listed and tested on its own (habit from
ECK's validations.go). Messages are the constants below; each says what is wrong and what is
allowed, so the operator can fix the stack file from the message alone.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable

from components.render import elasticsearch_yml as es_yml
from components.settings import defaults as d
from components.settings import es_cron
from components.settings.model import Lifecycle, StackSettings
from components.settings.problems import Problems

Rule = Callable[[StackSettings, Problems], None]
#: The settings each rule reads (key paths); a rule is skipped when one of them failed to read,
#: so a default standing in for a bad value never yields a second, misleading error.
RULE_INPUTS: dict[str, tuple[str, ...]] = {}


def reads(*keys: str) -> Callable[[Rule], Rule]:
    def register(rule: Rule) -> Rule:
        RULE_INPUTS[rule.__name__] = keys
        return rule

    return register

_TIME_FACTORS = {"nanos": 1e-9, "micros": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600, "d": 86400}
_TIME = re.compile(r"^(\d+)(nanos|micros|ms|s|m|h|d)$")

UNSUPPORTED_VERSION = (
    "{version} is not supported; settings and API bodies are checked against 8.19 only, use 8.19.x (default {default})"
)
DOCKER_HOST_TWICE = "{name!r} is used twice; each Docker host needs its own name"
UNDECLARED_HOST = "{host!r} is not one of docker_hosts; allowed: {allowed}"
SEVERAL_HOSTS = (
    "services are placed on {count} Docker hosts ({hosts}); this version runs every container on one host "
    "(one Docker network), place them all on the same host"
)
NODE_NAME_TWICE = "{name!r} is used by another node; node names must be unique"
NODE_NAME_RESERVED = "{name!r} is the name of another container of the stack; node names may not be one of: {reserved}"
NO_MASTER = "no node has the 'master' role; at least one master-eligible node is required"
EVEN_MASTERS = "{count} master-eligible nodes; use an odd number (1, 3, 5) so a majority survives the loss of a node"
ONLY_VOTING_ONLY = "every master-eligible node is voting_only; at least one needs the master role without voting_only"
VOTING_ONLY_WITHOUT_MASTER = "voting_only requires the master role as well; add master to this node's roles or drop voting_only"
NO_DATA_NODE = "no node holds data (role data or data_*); at least one is required"
HEAP_OVER_HALF = (
    "{heap} is more than 50% of the node's memory ({memory}); Elasticsearch needs the rest for the "
    "file-system cache: set heap <= {limit} or raise memory"
)
HEAP_TOO_LARGE = "{heap} is too large; keep heap below 31g so the JVM keeps compressed object pointers"
HEAP_TOO_SMALL = "{heap} is too small; Elasticsearch needs at least {minimum}"
SERVICE_HEAP_OVER = (
    "{heap} is more than 75% of the container's memory ({memory}), leaving too little native memory: "
    "set heap <= {limit} or raise memory"
)
JVM_SETS_HEAP = "{line!r} sets the heap; the heap comes from elasticsearch.nodes[*].heap (Xms = Xmx by construction)"
JVM_NOT_OPTION = "{line!r} is not a JVM option; each line must start with '-'"
PORT_TAKEN = "port {port} on Docker host {host!r} is already published by {other}; each published port must be unique on a host"
NO_PUBLISHED_NODE = "no node publishes http_port; at least one must, so the program can reach the cluster's API"
TOO_MANY_REPLICAS = (
    "{replicas} replica(s) need {needed} data nodes but there are {data}; the cluster would stay yellow. Use at most {most}"
)
RENEWAL_NOT_SHORTER = (
    "{early} is not shorter than tls.validity_hours ({validity}); every up would rotate every certificate: set it below {validity}"
)
OUTLIVES_CA = (
    "{validity} outlives the CA (tls.ca_validity_hours {ca}); a certificate cannot be valid longer than its CA: "
    "set it to at most {ca} or raise tls.ca_validity_hours"
)
WARM_BEFORE_ROLLOVER = "{warm} is before the hot phase's rollover_max_age ({rollover}); warm must start at or after rollover"
DELETE_NOT_AFTER_WARM = "{delete} is not after warm_min_age ({warm}); delete must come after warm"
SHRINK_NOT_ONE = "{shards} is more than the 1 primary shard the templates create; shrink can only reduce, use 1"
CRON = "{schedule!r} {problem}"
MIN_OVER_MAX = (
    "{min} is more than snapshots.max_count ({max}); SLM keeps at least min_count and at most max_count snapshots, "
    "so min_count may be at most {max}"
)
PORT_RESERVED = "{port} is used inside the container by {user}; choose another port"
NOT_A_FIELD_NAME = "{key!r} is not a field name; use letters, digits, '_', '-' or '.'"
MMAP_OFF = (
    "false trades search speed for not needing vm.max_map_count on the host; set the sysctl and keep mmap on for production data"
)
LOCATION_NOT_NORMAL = (
    "{location!r} is not a plain absolute path; write it without '.', '..', '//' or a trailing '/', e.g. /backup/elasticsearch"
)
LOCATION_COLLIDES = (
    "{location!r} {how} {path}, which the Elasticsearch image uses ({what}); the backup volume mounted there would "
    "{effect}. Use a path of its own, e.g. /backup/elasticsearch"
)
MEMORY_QUEUE_LOSES_EVENTS = (
    "memory keeps queued events only in RAM: a Logstash restart or crash loses them, while this stack protects its "
    "data (volume_policy: retain). Use queue_type: persisted, or set logstash.accept_losing_queued_events: true to "
    "accept that loss explicitly"
)
TRIAL = "trial expires after 30 days and then falls back to basic; Watcher and email alerts stop"


#: Paths of the Elasticsearch image (8.19 Dockerfile: ES_HOME /usr/share/elasticsearch) that a
#: mount must neither cover nor sit inside, and the system directories of the image.
ES_HOME = posixpath.dirname(es_yml.DATA_DIR)
IMAGE_PATHS = {
    es_yml.DATA_DIR: "the node's data volume",
    es_yml.CONFIG_DIR: "configuration, certificates and the keystore",
    f"{ES_HOME}/logs": "logs",
    f"{ES_HOME}/plugins": "plugins",
    f"{ES_HOME}/modules": "modules",
    f"{ES_HOME}/lib": "the server's jars",
    f"{ES_HOME}/jdk": "the bundled JDK",
    f"{ES_HOME}/bin": "the start scripts",
}
SYSTEM_PATHS = ("/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib64", "/opt", "/proc", "/root", "/run", "/sbin", "/sys",
                "/tmp", "/usr", "/var")


def seconds(time_value: str) -> float:
    """An Elasticsearch time value (already validated) in seconds, for ordering checks."""
    match = _TIME.match(time_value)
    assert match, time_value
    return int(match.group(1)) * _TIME_FACTORS[match.group(2)]


def _size(size: int) -> str:
    """Bytes as the largest whole g/m/k unit, so a suggested value can be pasted back (2560m, not 2.5g)."""
    for unit, factor in (("g", 1024**3), ("m", 1024**2), ("k", 1024)):
        if size >= factor and size % factor == 0:
            return f"{size // factor}{unit}"
    return f"{size // 1024}k"


@reads("elastic_version")
def version_supported(s: StackSettings, p: Problems) -> None:
    major, minor, _ = (int(x) for x in s.elastic_version.split("."))
    if (major, minor) != d.SUPPORTED_MINOR:
        p.error("elastic_version", UNSUPPORTED_VERSION.format(version=s.elastic_version, default=d.ELASTIC_VERSION))


@reads("docker_hosts")
def docker_host_names_unique(s: StackSettings, p: Problems) -> None:
    seen: set[str] = set()
    for i, host in enumerate(s.docker_hosts):
        if host.name in seen:
            p.error(f"docker_hosts[{i}].name", DOCKER_HOST_TWICE.format(name=host.name))
        seen.add(host.name)


@reads("docker_hosts", "elasticsearch.nodes[*].host", "kibana.host", "logstash.host")
def hosts_are_declared(s: StackSettings, p: Problems) -> None:
    names = {h.name for h in s.docker_hosts}
    allowed = ", ".join(sorted(names)) or "(none)"
    for key, host in _placements(s):
        if host not in names:
            p.error(key, UNDECLARED_HOST.format(host=host, allowed=allowed))


@reads("docker_hosts", "elasticsearch.nodes[*].host", "kibana.host", "logstash.host")
def one_host_for_now(s: StackSettings, p: Problems) -> None:
    """Containers reach each other over one Docker network; spreading over hosts comes later.

    Undeclared hosts are left to ``hosts_are_declared`` so one typo gives one error.
    """
    names = {h.name for h in s.docker_hosts}
    used = {host for _, host in _placements(s) if host in names}
    if len(used) > 1:
        p.error("docker_hosts", SEVERAL_HOSTS.format(count=len(used), hosts=", ".join(sorted(used))))


def _placements(s: StackSettings) -> list[tuple[str, str]]:
    out = [(f"elasticsearch.nodes[{i}].host", n.host) for i, n in enumerate(s.elasticsearch.nodes)]
    out += [("kibana.host", s.kibana.host), ("logstash.host", s.logstash.host)]
    return out


@reads("elasticsearch.nodes[*].name")
def node_names_unique(s: StackSettings, p: Problems) -> None:
    seen: set[str] = set()
    for i, node in enumerate(s.elasticsearch.nodes):
        if node.name in seen:
            p.error(f"elasticsearch.nodes[{i}].name", NODE_NAME_TWICE.format(name=node.name))
        if node.name in d.RESERVED_NODE_NAMES:
            p.error(f"elasticsearch.nodes[{i}].name", NODE_NAME_RESERVED.format(name=node.name, reserved=", ".join(d.RESERVED_NODE_NAMES)))
        seen.add(node.name)


@reads("elasticsearch.nodes[*].roles")
def master_quorum(s: StackSettings, p: Problems) -> None:
    masters = s.elasticsearch.masters
    if not masters:
        p.error("elasticsearch.nodes", NO_MASTER)
    elif len(masters) > 1 and len(masters) % 2 == 0:
        p.error("elasticsearch.nodes", EVEN_MASTERS.format(count=len(masters)))
    if masters and all("voting_only" in n.roles for n in masters):
        p.error("elasticsearch.nodes", ONLY_VOTING_ONLY)


@reads("elasticsearch.nodes[*].roles")
def voting_only_has_master(s: StackSettings, p: Problems) -> None:
    for i, node in enumerate(s.elasticsearch.nodes):
        if "voting_only" in node.roles and "master" not in node.roles:
            p.error(f"elasticsearch.nodes[{i}].roles", VOTING_ONLY_WITHOUT_MASTER)


@reads("elasticsearch.nodes[*].roles")
def data_nodes_present(s: StackSettings, p: Problems) -> None:
    if not s.elasticsearch.data_nodes:
        p.error("elasticsearch.nodes", NO_DATA_NODE)


@reads("elasticsearch.nodes[*].heap", "elasticsearch.nodes[*].memory")
def heap_fits_memory(s: StackSettings, p: Problems) -> None:
    for i, node in enumerate(s.elasticsearch.nodes):
        key = f"elasticsearch.nodes[{i}].heap"
        heap = _size(node.heap_bytes)
        if node.heap_bytes * 2 > node.memory_bytes:
            p.error(key, HEAP_OVER_HALF.format(heap=heap, memory=_size(node.memory_bytes), limit=_size(node.memory_bytes // 2)))
        if node.heap_bytes >= d.MAX_HEAP_BYTES:
            p.error(key, HEAP_TOO_LARGE.format(heap=heap))
        if node.heap_bytes < d.MIN_HEAP_BYTES:
            p.error(key, HEAP_TOO_SMALL.format(heap=heap, minimum=_size(d.MIN_HEAP_BYTES)))


@reads("kibana.heap", "kibana.memory", "logstash.heap", "logstash.memory")
def service_heap_fits_memory(s: StackSettings, p: Problems) -> None:
    """Kibana (Node.js) and Logstash (JVM) need native memory beside the heap: heap <= 75%."""
    services = (("kibana", s.kibana.heap_bytes, s.kibana.memory_bytes), ("logstash", s.logstash.heap_bytes, s.logstash.memory_bytes))
    for svc, heap, memory in services:
        if heap * 4 > memory * 3:
            p.error(f"{svc}.heap", SERVICE_HEAP_OVER.format(heap=_size(heap), memory=_size(memory), limit=_size(memory * 3 // 4)))


@reads("elasticsearch.jvm_options")
def jvm_options_leave_heap_alone(s: StackSettings, p: Problems) -> None:
    for i, line in enumerate(s.elasticsearch.jvm_options):
        if line.startswith(("-Xms", "-Xmx", "-XX:MaxHeapSize", "-XX:InitialHeapSize")):
            p.error(f"elasticsearch.jvm_options[{i}]", JVM_SETS_HEAP.format(line=line))
        elif not line.startswith("-"):
            p.error(f"elasticsearch.jvm_options[{i}]", JVM_NOT_OPTION.format(line=line))


@reads("docker_hosts", "elasticsearch.nodes[*].host", "elasticsearch.nodes[*].http_port", "kibana.host", "kibana.port",
       "logstash.host", "logstash.tcp_port", "logstash.beats_port")
def published_ports_unique(s: StackSettings, p: Problems) -> None:
    used: dict[tuple[str, int], str] = {}
    for key, host, port in _published_ports(s):
        other = used.get((host, port))
        if other:
            p.error(key, PORT_TAKEN.format(port=port, host=host, other=other))
        else:
            used[(host, port)] = key


def _published_ports(s: StackSettings) -> list[tuple[str, str, int]]:
    out = [(f"elasticsearch.nodes[{i}].http_port", n.host, n.http_port) for i, n in enumerate(s.elasticsearch.nodes) if n.http_port]
    out += [
        ("kibana.port", s.kibana.host, s.kibana.port),
        ("logstash.tcp_port", s.logstash.host, s.logstash.tcp_port),
        ("logstash.beats_port", s.logstash.host, s.logstash.beats_port),
    ]
    return out


@reads("elasticsearch.nodes[*].http_port")
def some_node_published(s: StackSettings, p: Problems) -> None:
    """The program configures security and indices through a published HTTPS endpoint."""
    if s.elasticsearch.nodes and not any(n.http_port for n in s.elasticsearch.nodes):
        p.error("elasticsearch.nodes", NO_PUBLISHED_NODE)


@reads("elasticsearch.nodes[*].roles", "index_management.replicas")
def replicas_fit_data_nodes(s: StackSettings, p: Problems) -> None:
    data = len(s.elasticsearch.data_nodes)
    replicas = s.index_management.replicas
    if data and replicas > data - 1:
        p.error("index_management.replicas", TOO_MANY_REPLICAS.format(replicas=replicas, needed=replicas + 1, data=data, most=data - 1))


@reads("tls.early_renewal_hours", "tls.validity_hours")
def tls_renewal_window(s: StackSettings, p: Problems) -> None:
    if s.tls.early_renewal_hours >= s.tls.validity_hours:
        p.error("tls.early_renewal_hours", RENEWAL_NOT_SHORTER.format(early=s.tls.early_renewal_hours, validity=s.tls.validity_hours))


@reads("tls", "tls_ca_cert", "tls_ca_key")
def certificates_within_ca(s: StackSettings, p: Problems) -> None:
    """Only for the CA the stack makes; a brought CA's lifetime is not known here."""
    if s.tls.validity_hours > s.tls.ca_validity_hours and not s.tls.own_ca:
        p.error("tls.validity_hours", OUTLIVES_CA.format(validity=s.tls.validity_hours, ca=s.tls.ca_validity_hours))


@reads("index_management.logs", "index_management.metrics")
def lifecycle_phases_in_order(s: StackSettings, p: Problems) -> None:
    for name, life in (("logs", s.index_management.logs), ("metrics", s.index_management.metrics)):
        _phases_in_order(f"index_management.{name}", life, p)


def _phases_in_order(key: str, life: Lifecycle, p: Problems) -> None:
    if seconds(life.warm_min_age) < seconds(life.rollover_max_age):
        p.error(f"{key}.warm_min_age", WARM_BEFORE_ROLLOVER.format(warm=life.warm_min_age, rollover=life.rollover_max_age))
    if seconds(life.delete_min_age) <= seconds(life.warm_min_age):
        p.error(f"{key}.delete_min_age", DELETE_NOT_AFTER_WARM.format(delete=life.delete_min_age, warm=life.warm_min_age))


@reads("index_management.logs", "index_management.metrics")
def shrink_fits_shards(s: StackSettings, p: Problems) -> None:
    """Our templates create one primary shard; shrink may only reduce the shard count."""
    for name, life in (("logs", s.index_management.logs), ("metrics", s.index_management.metrics)):
        if life.warm_shrink_shards != 1:
            p.error(f"index_management.{name}.warm_shrink_shards", SHRINK_NOT_ONE.format(shards=life.warm_shrink_shards))


@reads("snapshots.schedule")
def snapshot_schedule_is_es_cron(s: StackSettings, p: Problems) -> None:
    """The full Elasticsearch cron grammar (fields, ranges, specials), as the SLM PUT checks it."""
    try:
        es_cron.check(s.snapshots.schedule)
    except es_cron.CronError as error:
        p.error("snapshots.schedule", CRON.format(schedule=s.snapshots.schedule, problem=error))


def _inside(path: str, parent: str) -> bool:
    return path == parent or path.startswith(parent.rstrip("/") + "/")


@reads("snapshots.location")
def snapshot_location_is_its_own(s: StackSettings, p: Problems) -> None:
    """The backup volume is mounted at ``location`` on every node: over an image path it would
    hide the image's files (or the data volume); inside one it would sit in a path Elasticsearch
    manages. A system directory is refused for the same reason."""
    location = s.snapshots.location
    if posixpath.normpath(location) != location or location.startswith("//"):
        p.error("snapshots.location", LOCATION_NOT_NORMAL.format(location=location))
        return
    for path, what in {ES_HOME: "its home", **IMAGE_PATHS}.items():
        if _inside(path, location):
            how = "is" if path == location else "contains"
            p.error("snapshots.location", LOCATION_COLLIDES.format(location=location, how=how, path=path, what=what, effect="hide it"))
            return
    for path, what in IMAGE_PATHS.items():
        if _inside(location, path):
            effect = "sit inside a path Elasticsearch manages"
            p.error("snapshots.location", LOCATION_COLLIDES.format(location=location, how="is inside", path=path, what=what, effect=effect))
            return
    for path in SYSTEM_PATHS:
        if _inside(location, path) and not _inside(location, ES_HOME):
            effect = "hide or shadow files the image needs"
            message = LOCATION_COLLIDES.format(location=location, how="is inside", path=path, what="system files", effect=effect)
            p.error("snapshots.location", message)
            return


@reads("volume_policy", "logstash.queue_type", "logstash.accept_losing_queued_events")
def protected_data_keeps_queued_events(s: StackSettings, p: Problems) -> None:
    """"Nothing is lost" is not given up silently: a stack that protects its volumes runs a
    persisted queue unless the stack file accepts the loss by name."""
    if s.protect_volumes and s.logstash.queue_type == "memory" and not s.logstash.accept_losing_queued_events:
        p.error("logstash.queue_type", MEMORY_QUEUE_LOSES_EVENTS)


@reads("snapshots.min_count", "snapshots.max_count")
def snapshot_counts(s: StackSettings, p: Problems) -> None:
    if s.snapshots.min_count > s.snapshots.max_count:
        p.error("snapshots.min_count", MIN_OVER_MAX.format(min=s.snapshots.min_count, max=s.snapshots.max_count))


@reads("logstash.tcp_port", "logstash.beats_port")
def logstash_ports_not_reserved(s: StackSettings, p: Problems) -> None:
    """The inputs listen on these ports inside the container (tcp == beats is caught by
    ``published_ports_unique``, since both are published)."""
    reserved = {9600: "the Logstash API"}
    for key, port in (("logstash.tcp_port", s.logstash.tcp_port), ("logstash.beats_port", s.logstash.beats_port)):
        if port in reserved:
            p.error(key, PORT_RESERVED.format(port=port, user=reserved[port]))


@reads("logstash.sensitive_keys")
def sensitive_keys_valid(s: StackSettings, p: Problems) -> None:
    for i, key in enumerate(s.logstash.sensitive_keys):
        if not re.match(r"^[A-Za-z0-9_.-]+$", key):
            p.error(f"logstash.sensitive_keys[{i}]", NOT_A_FIELD_NAME.format(key=key))


@reads("elasticsearch.allow_mmap", "volume_policy")
def mmap_off_is_for_dev(s: StackSettings, p: Problems) -> None:
    if not s.elasticsearch.allow_mmap and s.volume_policy == "retain":
        p.warn("elasticsearch.allow_mmap", MMAP_OFF)


@reads("license")
def trial_needs_care(s: StackSettings, p: Problems) -> None:
    if s.license == "trial":
        p.warn("license", TRIAL)


WATCHER_LICENSE = (
    "needs a license above Basic: Elasticsearch's watcher feature requires the STANDARD operation mode or higher "
    "(Gold, Platinum, Enterprise; license: trial for 30 days). On basic, leave it false: the error alert runs as a "
    "Kibana Elasticsearch-query rule"
)
EMAIL_LICENSE = (
    "needs a Gold license or higher: Kibana's email connector (.email) has minimumLicenseRequired 'gold' "
    "(license: trial for 30 days). On basic, the error alert writes to the mt4-alerts-errors data stream and the Kibana log"
)


@reads("license", "alerting.watcher")
def watcher_needs_its_license(s: StackSettings, p: Problems) -> None:
    if s.alerting.watcher and s.license == "basic":
        p.error("alerting.watcher", WATCHER_LICENSE)


@reads("license", "alerting.email.to")
def email_needs_its_license(s: StackSettings, p: Problems) -> None:
    if s.alerting.email is not None and s.license == "basic":
        p.error("alerting.email.to", EMAIL_LICENSE)


RULES: tuple[Rule, ...] = (
    version_supported, docker_host_names_unique, hosts_are_declared, one_host_for_now,
    node_names_unique, master_quorum, voting_only_has_master, data_nodes_present,
    heap_fits_memory, service_heap_fits_memory, jvm_options_leave_heap_alone,
    published_ports_unique, some_node_published, replicas_fit_data_nodes, tls_renewal_window,
    certificates_within_ca, lifecycle_phases_in_order, shrink_fits_shards,
    snapshot_schedule_is_es_cron, snapshot_location_is_its_own, snapshot_counts, protected_data_keeps_queued_events,
    logstash_ports_not_reserved,
    sensitive_keys_valid, mmap_off_is_for_dev, trial_needs_care,
    watcher_needs_its_license, email_needs_its_license,
)


def check_all(s: StackSettings, p: Problems) -> None:
    """Run every rule whose inputs read cleanly, so one run reports every independent mistake.

    Decided before any rule runs: a rule's own finding does not make another rule's input broken."""
    runnable = [rule for rule in RULES if not p.broken(RULE_INPUTS[rule.__name__])]
    for rule in runnable:
        rule(s, p)
