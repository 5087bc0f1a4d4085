"""Rules about Docker hosts and what is placed on them: names, addresses, placement, quorum across
hosts, published ports per host, the shared backup filesystem."""

from __future__ import annotations

from components.settings.model import StackSettings
from components.settings.placement import placements, published_ports
from components.settings.problems import Problems
from components.settings.rules.registry import rule

DOCKER_HOST_TWICE = "{name!r} is used twice; each Docker host needs its own name"
UNDECLARED_HOST = "{host!r} is not one of docker_hosts; allowed: {allowed}"
ADDRESS_TWICE = "{address!r} is also the address of Docker host {other!r}; each host needs an address of its own"
MASTERS_ON_ONE_HOST = (
    "losing Docker host {host!r} would take {lost} of the {count} master-eligible nodes ({names}), leaving {left}, "
    "below the quorum of {quorum}: the cluster would stop accepting writes. Place the master-eligible nodes so that "
    "no host holds more than {most} of them (hosts now: {spread})"
)
BIND_NOT_REACHABLE = (
    "{bind} is one address, but docker_hosts lists several hosts, each with its own: published ports (transport "
    "among them) must listen where the other hosts dial them. Use 0.0.0.0 (or :: for IPv6) and a firewall that lets "
    "only the stack's hosts in"
)
NO_SHARED_BACKUP = (
    "is not set, but Elasticsearch nodes run on {count} Docker hosts ({hosts}): a local backup volume per host would "
    "give each node another filesystem and the repository's verify fails. Give an NFS export every host mounts: "
    "snapshots.nfs: {{server: <ip or name>, export: /export/elk-snapshots}}"
)
ONE_COPY_ACROSS_HOSTS = (
    "0 keeps one copy of each shard, and the data nodes run on {count} Docker hosts: losing any one host loses the "
    "shards on it (until restored from a snapshot). Use replicas: 1 so every shard has a copy on another host"
)
DATA_ON_ONE_HOST = (
    "every data node runs on Docker host {host!r}: losing it loses all data, whatever the replicas; place data nodes "
    "on at least two hosts"
)
PORT_TAKEN = "port {port} on Docker host {host!r} is already published by {other}; each published port must be unique on a host"

#: Every key a placement or published port is read from (the rules below skip when one failed).
#: Keep in step with ``settings/placement.py``.
PLACEMENT_KEYS = ("docker_hosts", "elasticsearch.nodes[*].host", "kibana.host", "logstash.host", "logstash.instances[*].host",
                  "filebeat.enabled", "filebeat.hosts", "metricbeat.enabled", "metricbeat.hosts")
PORT_KEYS = ("elasticsearch.nodes[*].http_port", "elasticsearch.nodes[*].transport_port", "kibana.port", "logstash.tcp_port",
             "logstash.beats_port", "logstash.instances[*].tcp_port", "logstash.instances[*].beats_port")


@rule("docker_hosts")
def docker_host_names_unique(s: StackSettings, p: Problems) -> None:
    seen: set[str] = set()
    for i, host in enumerate(s.docker_hosts):
        if host.name in seen:
            p.error(f"docker_hosts[{i}].name", DOCKER_HOST_TWICE.format(name=host.name))
        seen.add(host.name)


@rule(*PLACEMENT_KEYS)
def hosts_are_declared(s: StackSettings, p: Problems) -> None:
    names = {h.name for h in s.docker_hosts}
    allowed = ", ".join(sorted(names)) or "(none)"
    for key, host in placements(s):
        if host not in names:
            p.error(key, UNDECLARED_HOST.format(host=host, allowed=allowed))


@rule("docker_hosts")
def host_addresses_unique(s: StackSettings, p: Problems) -> None:
    """Two hosts at one address would be one host twice: every port and quorum rule would be wrong."""
    seen: dict[str, str] = {}
    for i, host in enumerate(s.docker_hosts):
        if host.address and host.address.lower() in seen:
            p.error(f"docker_hosts[{i}].address", ADDRESS_TWICE.format(address=host.address, other=seen[host.address.lower()]))
        elif host.address:
            seen[host.address.lower()] = host.name


@rule("docker_hosts", "elasticsearch.nodes[*].host", "elasticsearch.nodes[*].roles")
def masters_survive_losing_a_host(s: StackSettings, p: Problems) -> None:
    """Across hosts, a host is the unit that fails: a majority of the master-eligible nodes must
    remain when any one host goes. One host holds everything by definition, so a one-host stack
    is left alone (it keeps working as before; the README says what it cannot survive)."""
    masters = s.elasticsearch.masters
    names = {h.name for h in s.docker_hosts}
    if not s.several_hosts or len(masters) < 3 or len(masters) % 2 == 0 or any(m.host not in names for m in masters):
        return  # an even count is master_quorum's error; an undeclared host is hosts_are_declared's
    quorum = len(masters) // 2 + 1
    per_host = {h.name: [m.name for m in masters if m.host == h.name] for h in s.docker_hosts}
    spread = ", ".join(f"{host} {len(on)}" for host, on in per_host.items())
    for host, on in per_host.items():
        left = len(masters) - len(on)
        if left < quorum:
            p.error("elasticsearch.nodes", MASTERS_ON_ONE_HOST.format(
                host=host, lost=len(on), count=len(masters), names=", ".join(on), left=left, quorum=quorum,
                most=len(masters) - quorum, spread=spread))


@rule("docker_hosts", "network.bind_address")
def published_ports_reach_other_hosts(s: StackSettings, p: Problems) -> None:
    if s.several_hosts and s.network.bind_address not in ("0.0.0.0", "::"):
        p.error("network.bind_address", BIND_NOT_REACHABLE.format(bind=s.network.bind_address))


@rule("docker_hosts", "elasticsearch.nodes[*].host", "snapshots.nfs")
def backup_shared_across_hosts(s: StackSettings, p: Problems) -> None:
    """An ``fs`` repository must be the same filesystem on every node (Elastic: shared file system
    repository, mounted at path.repo on all master and data nodes)."""
    hosts = sorted({n.host for n in s.elasticsearch.nodes})
    if len(hosts) > 1 and s.snapshots.nfs is None:
        p.error("snapshots.nfs", NO_SHARED_BACKUP.format(count=len(hosts), hosts=", ".join(hosts)))


@rule("docker_hosts", "elasticsearch.nodes[*].host", "elasticsearch.nodes[*].roles", "index_management.replicas")
def shard_copies_survive_losing_a_host(s: StackSettings, p: Problems) -> None:
    """A warning, not an error: a stack may choose one copy, but across hosts it should know that
    a host is then a single point of data loss (allocation awareness spreads copies over hosts)."""
    if not s.several_hosts or not s.elasticsearch.data_nodes:
        return
    hosts = sorted({n.host for n in s.elasticsearch.data_nodes})
    if len(hosts) == 1:
        p.warn("elasticsearch.nodes", DATA_ON_ONE_HOST.format(host=hosts[0]))
    elif s.index_management.replicas == 0:
        p.warn("index_management.replicas", ONE_COPY_ACROSS_HOSTS.format(count=len(hosts)))


@rule(*PLACEMENT_KEYS, *PORT_KEYS)
def published_ports_unique(s: StackSettings, p: Problems) -> None:
    used: dict[tuple[str, int], str] = {}
    for key, host, port in published_ports(s):
        other = used.get((host, port))
        if other:
            p.error(key, PORT_TAKEN.format(port=port, host=host, other=other))
        else:
            used[(host, port)] = key
