"""Who reaches whom, and at which address, when the stack's containers sit on several Docker hosts.

Pure (settings in, host names and URLs out), so every component asks the same question the same
way and the answers are tested without an engine.

Why addresses and published ports: a Docker bridge network exists on one host only. Containers
on one host find each other by name on the stack's network; a container on another host can only
dial the host's ``address`` (``docker_hosts[].address``) and a port published there. So across
hosts every Elasticsearch node publishes its transport port, tells the cluster that address
(``network.publish_host``, ``transport.publish_port``) and seeds discovery with the other
masters' addresses. On one host nothing changes: names on the Docker network, nothing extra
published, ``network.public_host`` the way in from outside (the dev stack as before).
"""

from __future__ import annotations

from dataclasses import dataclass

from components.render.elasticsearch_yml import HTTP_PORT, TRANSPORT_PORT
from components.settings.model import ElasticsearchNode, StackSettings


def url_host(host: str) -> str:
    """A host as it goes into a URL or a ``host:port`` pair: an IPv6 literal in brackets."""
    return f"[{host}]" if ":" in host else host


def address_of(s: StackSettings, host_name: str) -> str:
    """Where a published port on ``host_name`` is dialled from another host or from the machine
    running Pulumi: the host's ``address`` across hosts, ``network.public_host`` on one host."""
    return s.docker_host(host_name).address if s.several_hosts else s.network.public_host


def reach(s: StackSettings, from_host: str, to_host: str, alias: str, internal_port: int, published_port: int | None) -> str | None:
    """``host:port`` a container on ``from_host`` dials to reach a container on ``to_host``:
    its network alias and internal port on the same host, the other host's address and the
    published port across hosts; None when the port is not published there (unreachable)."""
    if from_host == to_host:
        return f"{alias}:{internal_port}"
    if not published_port:
        return None
    return f"{url_host(address_of(s, to_host))}:{published_port}"


def elasticsearch_urls(s: StackSettings, from_host: str) -> tuple[str, ...]:
    """The HTTPS URLs a service on ``from_host`` (Kibana, Logstash, Beats) lists for the cluster:
    every node it can reach, nodes on its own host first (no hop over the host network). Dedicated
    master nodes are left out when other nodes exist: client traffic on the elected master slows
    the cluster's coordination (Elastic: keep requests away from dedicated master nodes)."""
    nodes = sorted(_serving(s), key=lambda n: n.host != from_host)
    out = []
    for node in nodes:
        target = reach(s, from_host, node.host, node.name, HTTP_PORT, node.http_port)
        if target is not None:
            out.append(f"https://{target}")
    return tuple(out)


def elasticsearch_urls_from_every_host(s: StackSettings) -> tuple[str, ...]:
    """One URL list that works wherever the caller runs (one pipeline rendered for Logstash
    instances on several hosts): names on one host, published addresses across hosts."""
    if not s.several_hosts:
        return elasticsearch_urls(s, s.docker_hosts[0].name)
    return tuple(
        f"https://{url_host(address_of(s, n.host))}:{n.http_port}" for n in _serving(s) if n.http_port
    )


def _serving(s: StackSettings) -> list[ElasticsearchNode]:
    return [n for n in s.elasticsearch.nodes if not _master_only(n)] or list(s.elasticsearch.nodes)


def _master_only(node: ElasticsearchNode) -> bool:
    return set(node.roles) <= {"master", "voting_only"}


def endpoints(s: StackSettings) -> tuple[str, ...]:
    """The published HTTPS endpoints the program (and operators) use from outside the hosts."""
    return tuple(
        f"https://{url_host(address_of(s, n.host))}:{n.http_port}" for n in s.elasticsearch.nodes if n.http_port
    )


def public_url(s: StackSettings, host_name: str, port: int, tls: bool) -> str:
    """A published service's URL from outside: its host's address (one host: public_host)."""
    return f"{'https' if tls else 'http'}://{url_host(address_of(s, host_name))}:{port}"


@dataclass(frozen=True, kw_only=True)
class NodeNetwork:
    """What one node's elasticsearch.yml says about how the other nodes reach it and them."""

    seed_hosts: tuple[str, ...]
    """``discovery.seed_hosts``: the other master-eligible nodes' transport addresses."""
    publish_host: str
    """``network.publish_host``: the host's address across hosts; empty on one host (the default,
    the container's own address on the Docker network, is right there)."""
    transport_publish_port: int | None
    """``transport.publish_port``: the transport port published on the host (across hosts)."""
    http_publish_port: int | None
    """``http.publish_port``: the published HTTPS port, when it is published across hosts."""
    docker_host: str = ""
    """``node.attr.docker_host`` for shard allocation awareness (across hosts), else empty."""


def node_network(s: StackSettings, node: ElasticsearchNode) -> NodeNetwork:
    """Discovery and publish settings of ``node``. Across hosts every master is seeded at its
    host's address and published transport port, its own host's masters too: a node connects to
    the address each node publishes, so that address must work from everywhere (the Docker host
    forwards a published port to the container from its own address as well)."""
    others = [m for m in s.elasticsearch.masters if m.name != node.name]
    if s.elasticsearch.single_node:
        return NodeNetwork(seed_hosts=(), publish_host="", transport_publish_port=None, http_publish_port=None)
    if not s.several_hosts:
        seeds = tuple(f"{m.name}:{TRANSPORT_PORT}" for m in others)
        return NodeNetwork(seed_hosts=seeds, publish_host="", transport_publish_port=None, http_publish_port=None)
    seeds = tuple(f"{url_host(address_of(s, m.host))}:{m.transport_port}" for m in others)
    return NodeNetwork(
        seed_hosts=seeds,
        publish_host=address_of(s, node.host),
        transport_publish_port=node.transport_port,
        http_publish_port=node.http_port,
        docker_host=node.host,
    )


