"""Who gets a certificate, and under which names (pure: settings in, identities out).

A client verifies a server by the name it dialled, so each certificate names every way in:
the container name and network alias (other containers), ``localhost``/``127.0.0.1`` (the
healthcheck and the Docker host), the published host name and any extra SANs from settings.
A name that is an IP literal goes into the IP SANs: a client dialling ``https://<ip>`` matches
the certificate's IP addresses, never its DNS names (RFC 6125).
"""

from __future__ import annotations

from components.pki import Identity
from components.settings.model import StackSettings, is_ip_address

LOCAL_DNS = ("localhost",)
LOCAL_IPS = ("127.0.0.1", "::1")


def container_name(settings: StackSettings, role: str) -> str:
    """Container names carry the cluster name so two stacks can share a Docker host."""
    return f"{settings.cluster_name}-{role}"


def _identity(settings: StackSettings, role: str) -> Identity:
    extra_dns = settings.network.extra_dns_names
    extra_ips = settings.network.extra_ip_addresses
    bind = settings.network.bind_address
    bind_ips = (bind,) if bind not in ("0.0.0.0", "::") else ()
    public = settings.network.public_host
    public_dns, public_ips = ((), (public,)) if is_ip_address(public) else ((public,), ())
    dns = sorted({role, container_name(settings, role), *LOCAL_DNS, *public_dns, *extra_dns})
    ips = sorted({*LOCAL_IPS, *bind_ips, *public_ips, *extra_ips})
    return Identity(name=role, dns_names=tuple(dns), ip_addresses=tuple(ips))


def identities(settings: StackSettings) -> tuple[Identity, ...]:
    """One identity per Elasticsearch node, plus Kibana and Logstash."""
    roles = [n.name for n in settings.elasticsearch.nodes] + ["kibana", "logstash"]
    return tuple(_identity(settings, role) for role in roles)
