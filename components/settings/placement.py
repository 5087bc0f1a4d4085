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
    out += [("kibana.host", s.kibana.host), ("logstash.host", s.logstash.host)]
    return out


def published_ports(s: StackSettings) -> list[tuple[str, str, int]]:
    """(key path of the port setting, Docker host name, host port) of every published port."""
    out = [(f"elasticsearch.nodes[{i}].http_port", n.host, n.http_port) for i, n in enumerate(s.elasticsearch.nodes) if n.http_port]
    out += [
        ("kibana.port", s.kibana.host, s.kibana.port),
        ("logstash.tcp_port", s.logstash.host, s.logstash.tcp_port),
        ("logstash.beats_port", s.logstash.host, s.logstash.beats_port),
    ]
    return out
