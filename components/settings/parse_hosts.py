"""Reading where things run: the Docker hosts, each node's placement and published transport,
and the NFS export behind the shared backup volume (split from ``parse.py``, same conventions:
record problems, return a default, never raise)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from components.settings import defaults as d
from components.settings.model import DockerHost, Nfs, is_ip_address
from components.settings.reader import Section


def first_host_name(raw: Mapping[str, object]) -> str:
    names = host_names(raw)
    return names[0] if names else str(d.LOCAL_DOCKER["name"])


def host_names(raw: Mapping[str, object]) -> tuple[str, ...]:
    """The names of the listed Docker hosts as written (before they are checked), so sections
    read before ``docker_hosts`` is parsed know whether the stack spans several hosts."""
    hosts = raw.get("docker_hosts")
    if not isinstance(hosts, list):
        return (str(d.LOCAL_DOCKER["name"]),)
    return tuple(str(h.get("name")) if isinstance(h, Mapping) else "" for h in hosts)


_DOCKER_URL_HINT = "unix:///var/run/docker.sock, ssh://user@host or tcp://host:2376"
ADDRESS_REQUIRED = (
    "docker_hosts lists several hosts, and containers on the other hosts (and this program) dial this host's "
    "published ports at its address; give the IP or DNS name they reach it on, e.g. 10.0.1.11"
)
ADDRESS_INVALID = "{value} is neither a DNS host name nor an IP address; give the IP or DNS name other hosts reach this host on"


def docker_host(s: Section, *, several: bool) -> DockerHost:
    return s.parse(lambda x: _docker_host_fields(x, several))


def _docker_host_fields(s: Section, several: bool) -> DockerHost:
    s.require("name", "give each Docker host a name (a lowercase DNS label) that nodes and services refer to in their host key")
    s.require("url", f"give the Docker API address: {_DOCKER_URL_HINT}")
    if several:
        s.require("address", ADDRESS_REQUIRED)
    address = s.str("address", "")
    if address and not (d.HOST_NAME.fullmatch(address) or is_ip_address(address)):
        s.error("address", ADDRESS_INVALID.format(value=s.show(address)))
        address = ""
    return DockerHost(
        name=s.str("name", "", pattern=d.DNS_LABEL, what="a lowercase DNS label (a-z, 0-9, -)"),
        url=s.str("url", "", pattern=d.DOCKER_URL, what=_DOCKER_URL_HINT),
        address=address,
    )


NODE_HOST_REQUIRED = (
    "docker_hosts lists several hosts, so every node is placed explicitly (masters spread so that losing one host "
    "keeps a quorum); allowed: {allowed}"
)
TRANSPORT_ONE_HOST = (
    "applies only when docker_hosts lists several hosts; on one host the nodes meet on the Docker network and "
    "transport stays unpublished: remove it"
)
TRANSPORT_ZERO = (
    "0 leaves the node's transport unpublished, but docker_hosts lists several hosts: the nodes on the other hosts "
    "could not reach it. Use a port from 1 to 65535 (default 9300)"
)


def require_node_host(s: Section, host_names: tuple[str, ...]) -> None:
    """With several hosts every node names its own: placement is explicit."""
    if len(host_names) > 1:
        s.require("host", NODE_HOST_REQUIRED.format(allowed=", ".join(h for h in host_names if h) or "(none)"))


def transport_port(s: Section, host_names: tuple[str, ...]) -> int:
    """The published transport port: 9300 by default across hosts, never on one host (0)."""
    several = len(host_names) > 1
    port = s.int("transport_port", d.TRANSPORT_PORT if several else 0, low=0, high=65535)
    if port and not several:
        s.error("transport_port", TRANSPORT_ONE_HOST)
        return 0
    if several and not port:
        s.error("transport_port", TRANSPORT_ZERO)
    return port


NFS_NEEDS = "is required with snapshots.nfs; {hint}"
NFS_OPTION = (
    "{value} is not a mount option this program passes on; give one option per item (no ',' or spaces), and not "
    "addr= or rw/ro, which come from server and the repository's need to write"
)
_NFS_OPTION = re.compile(r"^[A-Za-z0-9_.:/=-]+$")


def nfs(s: Section) -> Nfs | None:
    """Read every key even when ``nfs`` is not given (the schema test sees them all); None then."""
    given = s.given("server") or s.given("export") or s.given("options")
    server = s.str("server", "")
    export = s.str("export", "", pattern=d.ABSOLUTE_PATH, what="the absolute path the NFS server exports, e.g. /export/elk-snapshots")
    options = s.str_list("options", ())
    if not given:
        return None
    if server and not (d.HOST_NAME.fullmatch(server) or is_ip_address(server)):
        s.error("server", f"{s.show(server)} is neither a DNS host name nor an IP address")
    for name, hint in (("server", "the NFS server's IP or DNS name"), ("export", "the exported path, e.g. /export/elk-snapshots")):
        if not s.given(name):
            s.error(name, NFS_NEEDS.format(hint=hint))
    for i, option in enumerate(options):
        if not _NFS_OPTION.fullmatch(option) or option.startswith("addr=") or option in ("rw", "ro"):
            s.problems.error(f"{s.key('options')}[{i}]", NFS_OPTION.format(value=s.show(option)))
    return Nfs(server=server, export=export, options=options)
