"""Rules about the Elasticsearch nodes themselves: version, names, roles, quorum, heap, replicas."""

from __future__ import annotations

from components.settings import defaults as d
from components.settings.model import StackSettings
from components.settings.problems import Problems
from components.settings.rules.registry import rule, size_text

UNSUPPORTED_VERSION = (
    "{version} is not supported; settings and API bodies are checked against 8.19 only, use 8.19.x (default {default})"
)
NODE_NAME_TWICE = "{name!r} is used by another node; node names must be unique"
NODE_NAME_RESERVED = "{name!r} is the name of another container of the stack; node names may not be one of: {reserved}"
NAME_LOOKS_DERIVED = (
    "{name!r} matches {pattern}, a name the stack gives its own containers (Beats per host, secret-file installers, "
    "permission helpers); it would collide during `up`, so pick another"
)
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
JVM_SETS_HEAP = "{line!r} sets the heap; the heap comes from elasticsearch.nodes[*].heap (Xms = Xmx by construction)"
JVM_NOT_OPTION = "{line!r} is not a JVM option; each line must start with '-'"
NO_PUBLISHED_NODE = "no node publishes http_port; at least one must, so the program can reach the cluster's API"
TOO_MANY_REPLICAS = (
    "{replicas} replica(s) need {needed} data nodes but there are {data}; the cluster would stay yellow. Use at most {most}"
)
MMAP_OFF = (
    "false trades search speed for not needing vm.max_map_count on the host; set the sysctl and keep mmap on for production data"
)


@rule("elastic_version")
def version_supported(s: StackSettings, p: Problems) -> None:
    major, minor, _ = (int(x) for x in s.elastic_version.split("."))
    if (major, minor) != d.SUPPORTED_MINOR:
        p.error("elastic_version", UNSUPPORTED_VERSION.format(version=s.elastic_version, default=d.ELASTIC_VERSION))


@rule("elasticsearch.nodes[*].name")
def node_names_unique(s: StackSettings, p: Problems) -> None:
    seen: set[str] = set()
    for i, node in enumerate(s.elasticsearch.nodes):
        if node.name in seen:
            p.error(f"elasticsearch.nodes[{i}].name", NODE_NAME_TWICE.format(name=node.name))
        if node.name in d.RESERVED_NODE_NAMES:
            p.error(f"elasticsearch.nodes[{i}].name", NODE_NAME_RESERVED.format(name=node.name, reserved=", ".join(d.RESERVED_NODE_NAMES)))
        elif (pattern := d.derived_name_clash(node.name)) is not None:
            p.error(f"elasticsearch.nodes[{i}].name", NAME_LOOKS_DERIVED.format(name=node.name, pattern=pattern))
        seen.add(node.name)


@rule("elasticsearch.nodes[*].roles")
def master_quorum(s: StackSettings, p: Problems) -> None:
    masters = s.elasticsearch.masters
    if not masters:
        p.error("elasticsearch.nodes", NO_MASTER)
    elif len(masters) > 1 and len(masters) % 2 == 0:
        p.error("elasticsearch.nodes", EVEN_MASTERS.format(count=len(masters)))
    if masters and all("voting_only" in n.roles for n in masters):
        p.error("elasticsearch.nodes", ONLY_VOTING_ONLY)


@rule("elasticsearch.nodes[*].roles")
def voting_only_has_master(s: StackSettings, p: Problems) -> None:
    for i, node in enumerate(s.elasticsearch.nodes):
        if "voting_only" in node.roles and "master" not in node.roles:
            p.error(f"elasticsearch.nodes[{i}].roles", VOTING_ONLY_WITHOUT_MASTER)


@rule("elasticsearch.nodes[*].roles")
def data_nodes_present(s: StackSettings, p: Problems) -> None:
    if not s.elasticsearch.data_nodes:
        p.error("elasticsearch.nodes", NO_DATA_NODE)


@rule("elasticsearch.nodes[*].heap", "elasticsearch.nodes[*].memory")
def heap_fits_memory(s: StackSettings, p: Problems) -> None:
    for i, node in enumerate(s.elasticsearch.nodes):
        key = f"elasticsearch.nodes[{i}].heap"
        heap = size_text(node.heap_bytes)
        if node.heap_bytes * 2 > node.memory_bytes:
            p.error(key, HEAP_OVER_HALF.format(heap=heap, memory=size_text(node.memory_bytes), limit=size_text(node.memory_bytes // 2)))
        if node.heap_bytes >= d.MAX_HEAP_BYTES:
            p.error(key, HEAP_TOO_LARGE.format(heap=heap))
        if node.heap_bytes < d.MIN_HEAP_BYTES:
            p.error(key, HEAP_TOO_SMALL.format(heap=heap, minimum=size_text(d.MIN_HEAP_BYTES)))


@rule("elasticsearch.jvm_options")
def jvm_options_leave_heap_alone(s: StackSettings, p: Problems) -> None:
    for i, line in enumerate(s.elasticsearch.jvm_options):
        if line.startswith(("-Xms", "-Xmx", "-XX:MaxHeapSize", "-XX:InitialHeapSize")):
            p.error(f"elasticsearch.jvm_options[{i}]", JVM_SETS_HEAP.format(line=line))
        elif not line.startswith("-"):
            p.error(f"elasticsearch.jvm_options[{i}]", JVM_NOT_OPTION.format(line=line))


@rule("elasticsearch.nodes[*].http_port")
def some_node_published(s: StackSettings, p: Problems) -> None:
    """The program configures security and indices through a published HTTPS endpoint."""
    if s.elasticsearch.nodes and not any(n.http_port for n in s.elasticsearch.nodes):
        p.error("elasticsearch.nodes", NO_PUBLISHED_NODE)


@rule("elasticsearch.nodes[*].roles", "index_management.replicas")
def replicas_fit_data_nodes(s: StackSettings, p: Problems) -> None:
    data = len(s.elasticsearch.data_nodes)
    replicas = s.index_management.replicas
    if data and replicas > data - 1:
        p.error("index_management.replicas", TOO_MANY_REPLICAS.format(replicas=replicas, needed=replicas + 1, data=data, most=data - 1))


@rule("elasticsearch.allow_mmap", "volume_policy")
def mmap_off_is_for_dev(s: StackSettings, p: Problems) -> None:
    if not s.elasticsearch.allow_mmap and s.volume_policy == "retain":
        p.warn("elasticsearch.allow_mmap", MMAP_OFF)
