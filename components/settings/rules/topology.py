"""Rules about Docker hosts and what is placed on them: names, placement, published ports."""

from __future__ import annotations

from components.settings.model import StackSettings
from components.settings.placement import placements, published_ports
from components.settings.problems import Problems
from components.settings.rules.registry import rule

DOCKER_HOST_TWICE = "{name!r} is used twice; each Docker host needs its own name"
UNDECLARED_HOST = "{host!r} is not one of docker_hosts; allowed: {allowed}"
SEVERAL_HOSTS = (
    "services are placed on {count} Docker hosts ({hosts}); this version runs every container on one host "
    "(one Docker network), place them all on the same host"
)
PORT_TAKEN = "port {port} on Docker host {host!r} is already published by {other}; each published port must be unique on a host"

#: Every key a placement or published port is read from (the rules below skip when one failed).
PLACEMENT_KEYS = ("docker_hosts", "elasticsearch.nodes[*].host", "kibana.host", "logstash.host")
PORT_KEYS = ("elasticsearch.nodes[*].http_port", "kibana.port", "logstash.tcp_port", "logstash.beats_port")


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


@rule(*PLACEMENT_KEYS)
def one_host_for_now(s: StackSettings, p: Problems) -> None:
    """Containers reach each other over one Docker network; spreading over hosts comes later.

    Undeclared hosts are left to ``hosts_are_declared`` so one typo gives one error.
    """
    names = {h.name for h in s.docker_hosts}
    used = {host for _, host in placements(s) if host in names}
    if len(used) > 1:
        p.error("docker_hosts", SEVERAL_HOSTS.format(count=len(used), hosts=", ".join(sorted(used))))


@rule(*PLACEMENT_KEYS, *PORT_KEYS)
def published_ports_unique(s: StackSettings, p: Problems) -> None:
    used: dict[tuple[str, int], str] = {}
    for key, host, port in published_ports(s):
        other = used.get((host, port))
        if other:
            p.error(key, PORT_TAKEN.format(port=port, host=host, other=other))
        else:
            used[(host, port)] = key
