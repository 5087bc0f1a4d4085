"""Who gets a certificate, and under which names (pure: settings in, identities out).

A client verifies a server by the name it dialled, so each certificate names every way in:
the container name and network alias (other containers on its host), ``localhost``/``127.0.0.1``
(the healthcheck and the Docker host), the published host name, any extra SANs from settings,
and, across Docker hosts, the address of the host it runs on (containers on the other hosts and
the program dial ``https://<host address>:<published port>``). A name that is an IP literal goes
into the IP SANs: a client dialling ``https://<ip>`` matches the certificate's IP addresses,
never its DNS names (RFC 6125).
"""

from __future__ import annotations

from collections.abc import Iterable

from components.pki import Identity
from components.settings.model import StackSettings, is_ip_address

LOCAL_DNS = ("localhost",)
LOCAL_IPS = ("127.0.0.1", "::1")


def container_name(settings: StackSettings, role: str) -> str:
    """Container names carry the cluster name so two stacks can share a Docker host."""
    return f"{settings.cluster_name}-{role}"


def identity_for(settings: StackSettings, role: str, host_names: Iterable[str], aliases: Iterable[str] = ()) -> Identity:
    """The identity of ``role``, running on ``host_names`` (their addresses go into the SANs when
    the stack spans several hosts) and also reached as ``aliases`` (other containers' names)."""
    names = [role, *aliases]
    extra_dns = settings.network.extra_dns_names
    extra_ips = settings.network.extra_ip_addresses
    bind = settings.network.bind_address
    bind_ips = (bind,) if bind not in ("0.0.0.0", "::") else ()
    ways_in = [settings.network.public_host]
    if settings.several_hosts:
        ways_in += [settings.docker_host(h).address for h in host_names]
    ways_in_dns = [w for w in ways_in if w and not is_ip_address(w)]
    ways_in_ips = [w for w in ways_in if w and is_ip_address(w)]
    dns = sorted({*names, *(container_name(settings, n) for n in names), *LOCAL_DNS, *ways_in_dns, *extra_dns})
    ips = sorted({*LOCAL_IPS, *bind_ips, *ways_in_ips, *extra_ips})
    return Identity(name=role, dns_names=tuple(dns), ip_addresses=tuple(ips))


def identities(settings: StackSettings) -> tuple[Identity, ...]:
    """One identity per Elasticsearch node, plus Kibana and Logstash (one certificate for every
    Logstash instance, carrying each instance's name and host)."""
    out = [identity_for(settings, n.name, [n.host]) for n in settings.elasticsearch.nodes]
    out.append(identity_for(settings, "kibana", [settings.kibana.host]))
    instances = settings.logstash.instances
    out.append(identity_for(settings, "logstash", [i.host for i in instances], [i.name for i in instances if i.name != "logstash"]))
    out += [identity_for(settings, filebeat_identity(host), [host]) for host in filebeat_client_hosts(settings)]
    return tuple(out)


def filebeat_identity(host: str) -> str:
    """The client certificate of the Filebeat on ``host`` (mutual TLS with the Beats input)."""
    return f"filebeat-{host}"


def filebeat_client_hosts(settings: StackSettings) -> tuple[str, ...]:
    """The hosts whose Filebeat presents a certificate of its own: all of them, with mutual TLS."""
    fb = settings.filebeat
    return fb.hosts if fb.enabled and fb.mutual_tls and settings.logstash.beats_tls else ()
