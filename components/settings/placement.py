"""Where every container of the stack is placed and which host ports it publishes: one list.

The rules about hosts (an undeclared host, two published ports colliding on one host, ...) read
only these two functions, so a service added to the stack is covered by adding its entries here.
Pure: settings in, (key path, host, port) out; the key path is what an error names.
"""

from __future__ import annotations

from components.settings.model import StackSettings


def placements(s: StackSettings) -> list[tuple[str, str]]:
    """(key path of the ``host`` setting, Docker host name) of every placed container."""
    out = [(f"elasticsearch.nodes[{i}].host", n.host) for i, n in enumerate(s.elasticsearch.nodes)]
    out.append(("kibana.host", s.kibana.host))
    out += [(logstash_key(s, i, "host"), ls.host) for i, ls in enumerate(s.logstash.instances)]
    for beat in ("filebeat", "metricbeat"):
        shipper = getattr(s, beat)
        out += [(f"{beat}.hosts[{i}]", host) for i, host in enumerate(shipper.hosts) if shipper.enabled]
    return out


def products_by_host(s: StackSettings) -> dict[str, frozenset[str]]:
    """The images each Docker host pulls: the product of every container placed there (the first
    step of its key path), and Elasticsearch's wherever anything runs (the host preflight probe
    runs from it). A host with nothing placed pulls nothing."""
    out: dict[str, set[str]] = {h.name: set() for h in s.docker_hosts}
    for key, host in placements(s):
        if host in out:
            out[host] |= {key.split(".", 1)[0], "elasticsearch"}
    return {host: frozenset(products) for host, products in out.items()}


def memory_limits(s: StackSettings) -> list[tuple[str, str, int]]:
    """(Docker host name, container, memory limit in bytes) of every long-running container: what
    each host's preflight adds up against the host's memory."""
    out = [(n.host, n.name, n.memory_bytes) for n in s.elasticsearch.nodes]
    out.append((s.kibana.host, "kibana", s.kibana.memory_bytes))
    out += [(ls.host, ls.name, s.logstash.memory_bytes) for ls in s.logstash.instances]
    for beat in ("filebeat", "metricbeat"):
        shipper = getattr(s, beat)
        out += [(host, f"{beat}-{host}", shipper.memory_bytes) for host in shipper.hosts if shipper.enabled]
    return out


def published_ports(s: StackSettings) -> list[tuple[str, str, int]]:
    """(key path of the port setting, Docker host name, host port) of every published port."""
    out = [(f"elasticsearch.nodes[{i}].http_port", n.host, n.http_port) for i, n in enumerate(s.elasticsearch.nodes) if n.http_port]
    out += [
        (f"elasticsearch.nodes[{i}].transport_port", n.host, n.transport_port)
        for i, n in enumerate(s.elasticsearch.nodes) if n.transport_port
    ]
    out += [
        ("kibana.port", s.kibana.host, s.kibana.port),
    ]
    for i, ls in enumerate(s.logstash.instances):
        out.append((logstash_key(s, i, "tcp_port"), ls.host, ls.tcp_port))
        out.append((logstash_key(s, i, "beats_port"), ls.host, ls.beats_port))
    return out


def logstash_key(s: StackSettings, index: int, name: str) -> str:
    """The key an error about instance ``index``'s ``name`` names: the instance's own key when
    it sets one or when there are several instances, else the section-wide ``logstash.<name>``
    its value came from (a one-Logstash stack file has no ``instances`` list at all)."""
    instance = s.logstash.instances[index]
    if name in instance.given or len(s.logstash.instances) > 1:
        return f"logstash.instances[{index}].{name}"
    return f"logstash.{name}"
