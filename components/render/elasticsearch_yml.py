"""elasticsearch.yml and the heap options file for one node, from plain values.

Fragments are merged in one fixed order (base, publish, discovery, paths, security, tuning) so a
preview never shows a spurious diff. Setting names follow the Elasticsearch 8.19 reference:
https://www.elastic.co/guide/en/elasticsearch/reference/8.19/settings.html
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import yaml

from components.render import watcher_email
from components.render.watcher_email import EmailAccount

CONFIG_DIR: Final = "/usr/share/elasticsearch/config"
CERTS_DIR: Final = f"{CONFIG_DIR}/certs"
NODE_CERT: Final = f"{CERTS_DIR}/node.crt"
#: Secret files live in a read-only volume of their own (components/secret_files.py).
SECRETS_DIR: Final = f"{CONFIG_DIR}/secrets"
NODE_KEY: Final = f"{SECRETS_DIR}/node.key"
CA_CERT: Final = f"{CERTS_DIR}/ca.crt"
HEAP_OPTIONS: Final = f"{CONFIG_DIR}/jvm.options.d/heap.options"
DATA_DIR: Final = "/usr/share/elasticsearch/data"
HTTP_PORT: Final = 9200
TRANSPORT_PORT: Final = 9300
#: readiness.port (ES >= 8.2): opens once the node has joined a cluster with an elected master.
#: https://www.elastic.co/guide/en/elasticsearch/reference/8.19/advanced-configuration.html#readiness-tcp-port
READINESS_PORT: Final = 9399
#: The node attribute that names a node's Docker host (shard allocation awareness across hosts).
DOCKER_HOST_ATTRIBUTE: Final = "docker_host"


@dataclass(frozen=True, kw_only=True)
class NodeConfig:
    """What one node's elasticsearch.yml depends on."""

    cluster_name: str
    node_name: str
    roles: tuple[str, ...]
    """node.roles, written sorted."""
    seed_hosts: tuple[str, ...]
    """Transport addresses of the other master-eligible nodes; empty for a single-node cluster."""
    initial_master_nodes: tuple[str, ...]
    """Set only on the bootstrap ``up`` of a multi-node cluster; empty afterwards."""
    single_node: bool
    repo_path: str
    """path.repo: where the shared backup volume is mounted (the fs snapshot repository)."""
    allow_mmap: bool
    license: str
    """xpack.license.self_generated.type: basic or trial."""
    publish_host: str = ""
    """network.publish_host: the Docker host's address when the cluster spans several hosts (the
    other nodes cannot reach a container's own address there); empty on one host."""
    transport_publish_port: int | None = None
    """transport.publish_port: the transport port published on that host (across hosts)."""
    http_publish_port: int | None = None
    """http.publish_port: the published HTTPS port (across hosts), what _nodes/http reports."""
    docker_host: str = ""
    """node.attr.docker_host, with shard allocation awareness on it (across hosts): a primary and
    its replica never share a Docker host, so losing one host loses no shard."""
    email_account: EmailAccount | None = None
    """Watcher's email account (above Basic, with ``alerting.email``); its password is not here
    but in the keystore (``es_keystore.py``)."""


def _base(c: NodeConfig) -> dict[str, object]:
    return {
        "cluster.name": c.cluster_name,
        "node.name": c.node_name,
        "node.roles": sorted(c.roles),
        "network.host": "0.0.0.0",
        "http.port": HTTP_PORT,
        "transport.port": TRANSPORT_PORT,
    }


def _publish(c: NodeConfig) -> dict[str, object]:
    """Across Docker hosts a node advertises its host's address and published ports (static node
    settings NetworkService network.publish_host, TransportSettings transport.publish_port,
    HttpTransportSettings http.publish_port in the 8.19.21 server jar; modules-network.html)."""
    if not c.publish_host:
        return {}
    out: dict[str, object] = {"network.publish_host": c.publish_host}
    if c.transport_publish_port:
        out["transport.publish_port"] = c.transport_publish_port
    if c.http_publish_port:
        out["http.publish_port"] = c.http_publish_port
    if c.docker_host:
        # Shard allocation awareness (modules-cluster.html#shard-allocation-awareness): the node.attr.
        # prefix setting (Node.class) and cluster.routing.allocation.awareness.attributes
        # (AwarenessAllocationDecider) in the 8.19.21 server jar. Docker gives every container its
        # own address, so cluster.routing.allocation.same_shard.host could not tell two nodes of a host apart.
        out[f"node.attr.{DOCKER_HOST_ATTRIBUTE}"] = c.docker_host
        out["cluster.routing.allocation.awareness.attributes"] = [DOCKER_HOST_ATTRIBUTE]
    return out


def _discovery(c: NodeConfig) -> dict[str, object]:
    """single-node needs no initial_master_nodes (it would refuse to start with both)."""
    if c.single_node:
        return {"discovery.type": "single-node"}
    out: dict[str, object] = {"discovery.seed_hosts": sorted(c.seed_hosts)}
    if c.initial_master_nodes:
        out["cluster.initial_master_nodes"] = sorted(c.initial_master_nodes)
    return out


def _paths(c: NodeConfig) -> dict[str, object]:
    return {"path.data": DATA_DIR, "path.repo": [c.repo_path]}


def _security() -> dict[str, object]:
    """TLS on both layers. Transport uses ``certificate`` verification: nodes reach each other
    by Docker-assigned IPs that no certificate can name; the CA and mutual TLS still apply.
    https://www.elastic.co/guide/en/elasticsearch/reference/8.19/security-settings.html
    """
    return {
        "xpack.security.enabled": True,
        "xpack.security.enrollment.enabled": False,
        "xpack.security.http.ssl.enabled": True,
        "xpack.security.http.ssl.key": NODE_KEY,
        "xpack.security.http.ssl.certificate": NODE_CERT,
        "xpack.security.http.ssl.certificate_authorities": [CA_CERT],
        "xpack.security.transport.ssl.enabled": True,
        "xpack.security.transport.ssl.verification_mode": "certificate",
        "xpack.security.transport.ssl.client_authentication": "required",
        "xpack.security.transport.ssl.key": NODE_KEY,
        "xpack.security.transport.ssl.certificate": NODE_CERT,
        "xpack.security.transport.ssl.certificate_authorities": [CA_CERT],
    }


def _tuning(c: NodeConfig) -> dict[str, object]:
    return {
        "bootstrap.memory_lock": True,
        "node.store.allow_mmap": c.allow_mmap,
        "readiness.port": READINESS_PORT,
        "xpack.license.self_generated.type": c.license,
        # The GeoIP downloader calls out to the internet every few days; MT4 events carry no
        # geo fields, so keep the cluster quiet on the network.
        "ingest.geoip.downloader.enabled": False,
    }


def _watcher_email(c: NodeConfig) -> dict[str, object]:
    """``xpack.notification.email.account.<name>.*`` (``watcher_email.account_settings``): every
    node may run a watch, so every node carries the account."""
    return watcher_email.account_settings(c.email_account) if c.email_account else {}


def node_settings(c: NodeConfig) -> dict[str, object]:
    """All settings of one node, in the documented precedence (later fragments win)."""
    merged: dict[str, object] = {}
    for fragment in (_base(c), _publish(c), _discovery(c), _paths(c), _security(), _tuning(c), _watcher_email(c)):
        merged.update(fragment)
    return merged


def render_elasticsearch_yml(c: NodeConfig) -> str:
    """The node's elasticsearch.yml, flat dotted keys, in a fixed order."""
    header = "# Rendered by elk-stack (components/render/elasticsearch_yml.py); do not edit in the container.\n"
    return header + yaml.safe_dump(node_settings(c), sort_keys=False, default_flow_style=False)


def render_heap_options(heap_bytes: int) -> str:
    """jvm.options.d/heap.options: Xms = Xmx, so the heap never resizes under load.
    https://www.elastic.co/guide/en/elasticsearch/reference/8.19/advanced-configuration.html#set-jvm-heap-size
    """
    size = f"{heap_bytes // 1024**2}m"
    return f"-Xms{size}\n-Xmx{size}\n"


def render_jvm_options(lines: tuple[str, ...]) -> str:
    """jvm.options.d/extra.options: operator-supplied JVM flags (heap flags are refused earlier)."""
    return "".join(f"{line}\n" for line in lines)
