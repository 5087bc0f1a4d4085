"""The typed, frozen settings every component receives (never a ``pulumi.Config``).

Sizes are bytes, durations are the units the consuming API wants (Elasticsearch time values,
Go durations), so components do no parsing of their own.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Literal

from components.settings.shippers import Filebeat, Metricbeat

VolumePolicy = Literal["retain", "delete"]
License = Literal["basic", "trial"]
QueueType = Literal["memory", "persisted"]
IndexMode = Literal["standard", "logsdb"]


@dataclass(frozen=True, kw_only=True)
class DockerHost:
    """One Docker engine the stack runs on."""

    name: str
    """Name nodes and services refer to in their ``host`` key."""
    url: str
    """Docker API address: ``unix:///var/run/docker.sock`` or ``ssh://user@host``."""
    address: str = ""
    """IP or DNS name the other hosts (and the machine running Pulumi) reach this host on: published
    ports of containers here are dialled at it. Required once the stack lists several hosts; empty
    on a one-host stack, where ``network.public_host`` is the way in."""


def is_ip_address(text: str) -> bool:
    """True for an IPv4 or IPv6 literal (they go into a certificate's IP SANs, not its DNS SANs)."""
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


@dataclass(frozen=True, kw_only=True)
class Network:
    """Where published ports listen and how users reach them."""

    bind_address: str
    """Host address every published port binds to (dev: 127.0.0.1, never exposed)."""
    public_host: str
    """Host name put in URLs, outputs and certificate SANs (``localhost`` in dev)."""
    extra_sans: tuple[str, ...]
    """More DNS names or IPs the service certificates must carry (load balancers, aliases)."""

    @property
    def url_host(self) -> str:
        """``public_host`` as it goes into a URL: an IPv6 literal in brackets (RFC 3986)."""
        return f"[{self.public_host}]" if ":" in self.public_host else self.public_host

    @property
    def extra_dns_names(self) -> tuple[str, ...]:
        return tuple(s for s in self.extra_sans if not is_ip_address(s))

    @property
    def extra_ip_addresses(self) -> tuple[str, ...]:
        return tuple(s for s in self.extra_sans if is_ip_address(s))


@dataclass(frozen=True, kw_only=True)
class ElasticsearchNode:
    """One Elasticsearch node: one container and one data volume."""

    name: str
    roles: tuple[str, ...]
    heap_bytes: int
    memory_bytes: int
    host: str
    http_port: int | None
    """Published HTTPS port on the Docker host, or None to keep the node internal."""
    transport_port: int | None = None
    """Published transport port on the Docker host (several hosts: nodes on other hosts dial
    ``address:transport_port``), or None on a one-host stack, where nodes meet on the Docker network."""

    @property
    def is_master_eligible(self) -> bool:
        return "master" in self.roles

    @property
    def holds_data(self) -> bool:
        return any(r == "data" or r.startswith("data_") for r in self.roles)


@dataclass(frozen=True, kw_only=True)
class Elasticsearch:
    nodes: tuple[ElasticsearchNode, ...]
    allow_mmap: bool
    """``node.store.allow_mmap``; false avoids the ``vm.max_map_count`` host sysctl (dev)."""
    jvm_options: tuple[str, ...]
    """Extra JVM option lines; heap is set from each node's ``heap`` only."""

    @property
    def masters(self) -> tuple[ElasticsearchNode, ...]:
        return tuple(n for n in self.nodes if n.is_master_eligible)

    @property
    def data_nodes(self) -> tuple[ElasticsearchNode, ...]:
        return tuple(n for n in self.nodes if n.holds_data)

    @property
    def single_node(self) -> bool:
        return len(self.nodes) == 1


@dataclass(frozen=True, kw_only=True)
class Kibana:
    heap_bytes: int
    memory_bytes: int
    port: int
    host: str
    tls: bool
    """Serve Kibana over HTTPS with a certificate from the stack's CA."""


@dataclass(frozen=True, kw_only=True)
class LogstashInstance:
    """One Logstash container: its own persistent queue and dead letter queue volumes, its own
    published ports; every instance runs the same pipeline (shippers load-balance across them)."""

    name: str
    """Container name suffix and network alias (``<cluster>-<name>``); the first is ``logstash``."""
    host: str
    tcp_port: int
    beats_port: int
    given: frozenset[str] = frozenset()
    """The keys the stack file sets on this instance itself (others come from ``logstash.*``),
    so an error names the key the operator wrote."""


@dataclass(frozen=True, kw_only=True)
class Logstash:
    heap_bytes: int
    memory_bytes: int
    host: str
    """Default ``host`` of every instance."""
    tcp_port: int
    """Default published TCP port of every instance."""
    beats_port: int
    """Default published Beats port of every instance."""
    instances: tuple[LogstashInstance, ...]
    tcp_tls: bool
    beats_tls: bool
    pipeline_workers: int
    batch_size: int
    batch_delay_ms: int
    queue_type: QueueType
    queue_max_bytes: str
    dead_letter_queue: bool
    sensitive_keys: tuple[str, ...]
    event_types: tuple[str, ...]
    """Event types routed to a data stream of their own beside the MT4 ones (``mt4-logs-<type>``);
    any other type goes to ``mt4-logs-other``, so free-form types cannot create unbounded streams."""
    accept_losing_queued_events: bool
    """The explicit opt-in a protected stack needs to run a memory queue."""
    dead_letter_queue_replay: bool = False
    """Run the replay pipeline (``mt4_dlq_replay``) that re-sends the MT4 pipeline's DLQ once."""


@dataclass(frozen=True, kw_only=True)
class Tls:
    validity_hours: int
    early_renewal_hours: int
    ca_validity_hours: int
    own_ca: bool
    """True when the stack file gives ``tls_ca_cert`` / ``tls_ca_key`` (bring your own CA)."""


@dataclass(frozen=True, kw_only=True)
class Lifecycle:
    """One ILM policy, hot -> warm -> delete, as in the seed guide."""

    rollover_max_age: str
    rollover_max_primary_shard_size: str
    warm_min_age: str
    warm_shrink_shards: int
    delete_min_age: str


@dataclass(frozen=True, kw_only=True)
class IndexManagement:
    logs: Lifecycle
    metrics: Lifecycle
    replicas: int
    refresh_interval: str
    index_mode: IndexMode = "standard"
    """``index.mode`` of every mt4 data stream's new backing indices."""
    failure_store: bool = True
    """Documents Elasticsearch rejects go to ``<stream>::failures`` instead of back to the client."""


@dataclass(frozen=True, kw_only=True)
class Nfs:
    """An NFS export every Docker host mounts as the backup volume (Docker's ``local`` driver,
    ``type=nfs``), so every node writes the same snapshot repository."""

    server: str
    """NFS server host name or IP (the ``addr=`` mount option)."""
    export: str
    """Exported path on the server (the mount's ``device``, written ``:<export>``)."""
    options: tuple[str, ...]
    """More mount options after ``addr=<server>,rw`` (e.g. ``nfsvers=4.1``, ``hard``)."""

    @property
    def driver_opts(self) -> dict[str, str]:
        """The ``local`` volume driver's options (moby volume/local/local_unix.go: type, o, device)."""
        return {"type": "nfs", "o": ",".join((f"addr={self.server}", "rw", *self.options)), "device": f":{self.export}"}


@dataclass(frozen=True, kw_only=True)
class Snapshots:
    repository: str
    location: str
    schedule: str
    expire_after: str
    min_count: int
    max_count: int
    nfs: Nfs | None = None
    """The shared backup volume's NFS export; None: a plain local volume (one Docker host)."""


@dataclass(frozen=True, kw_only=True)
class Email:
    """Where the error alert sends mail (Kibana's ``.email`` connector; needs Gold or better)."""

    to: tuple[str, ...]
    sender: str
    host: str
    port: int
    user: str
    """SMTP login; empty for a server without authentication. Its password is the secret
    top-level key ``alerting_email_password``, never part of the settings."""


@dataclass(frozen=True, kw_only=True)
class Alerting:
    watcher: bool
    """Also install the guide's watch through Watcher (needs a license above Basic)."""
    email: Email | None
    """None unless ``alerting.email.to`` lists a recipient."""


@dataclass(frozen=True, kw_only=True)
class StackSettings:
    """Everything one stack file says, checked."""

    stack_file: str
    elastic_version: str
    cluster_name: str
    bootstrap: bool
    license: License
    volume_policy: VolumePolicy
    docker_hosts: tuple[DockerHost, ...]
    network: Network
    elasticsearch: Elasticsearch
    kibana: Kibana
    logstash: Logstash
    tls: Tls
    index_management: IndexManagement
    snapshots: Snapshots
    alerting: Alerting
    filebeat: Filebeat
    metricbeat: Metricbeat

    @property
    def protect_volumes(self) -> bool:
        return self.volume_policy == "retain"

    @property
    def several_hosts(self) -> bool:
        """The stack file lists more than one Docker host: containers on different hosts meet at
        the hosts' addresses on published ports, not on one Docker network."""
        return len(self.docker_hosts) > 1

    def docker_host(self, name: str) -> DockerHost:
        return next(h for h in self.docker_hosts if h.name == name)
