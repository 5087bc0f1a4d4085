"""DockerHosts: one Docker provider, network and set of pinned images per Docker host.

Everything container-shaped is placed through ``host(name)``; components never build their own
provider, so placing a service on a host is a settings change (DESIGN.md scale path). Moving a
*running* service to another host replaces its containers and its volumes there (a volume lives on
one engine): for an Elasticsearch node that is a new, empty node (README "Production": migrating).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_docker as docker

from components.settings.model import DockerHost

#: Elastic's registry; one version for every product (settings: elastic_version).
REGISTRY = "docker.elastic.co"
PRODUCTS = {
    "elasticsearch": f"{REGISTRY}/elasticsearch/elasticsearch",
    "kibana": f"{REGISTRY}/kibana/kibana",
    "logstash": f"{REGISTRY}/logstash/logstash",
    "filebeat": f"{REGISTRY}/beats/filebeat",
    "metricbeat": f"{REGISTRY}/beats/metricbeat",
}


def image_ref(product: str, version: str) -> str:
    return f"{PRODUCTS[product]}:{version}"


@dataclass(frozen=True, kw_only=True)
class DockerHostsArgs:
    hosts: tuple[DockerHost, ...]
    network_name: str
    """Docker network every container joins; container names resolve on it."""
    elastic_version: str
    labels: dict[str, str]
    """Labels put on the network (and by components on containers and volumes)."""
    products: Mapping[str, frozenset[str]] | None = None
    """Per host name, the images it pulls (``settings.placement.products_by_host``): a host is
    not sent 1 GB images it never runs. None: every product on every host."""


@dataclass(frozen=True)
class PlacedHost:
    """What a component needs to put a container on one host."""

    name: str
    provider: docker.Provider
    network: docker.Network
    images: dict[str, docker.RemoteImage]


class DockerHosts(pulumi.ComponentResource):
    hosts: dict[str, PlacedHost]

    def __init__(self, name: str, args: DockerHostsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("elk:components:DockerHosts", name, None, opts)
        self.hosts = {h.name: self._place(f"{name}-{h.name}", h, args) for h in args.hosts}
        self.register_outputs({"hosts": list(self.hosts)})

    def host(self, name: str) -> PlacedHost:
        return self.hosts[name]

    def _place(self, name: str, host: DockerHost, args: DockerHostsArgs) -> PlacedHost:
        provider = docker.Provider(name, host=host.url, opts=pulumi.ResourceOptions(parent=self))
        on_host = pulumi.ResourceOptions(parent=self, provider=provider)
        network = docker.Network(
            f"{name}-network",
            name=args.network_name,
            driver="bridge",
            labels=[docker.NetworkLabelArgs(label=k, value=v) for k, v in sorted(args.labels.items())],
            opts=on_host,
        )
        images = {
            product: docker.RemoteImage(
                f"{name}-{product}-image",
                name=image_ref(product, args.elastic_version),
                keep_locally=True,  # a replaced container must not force a re-pull of a 1 GB image
                opts=on_host,
            )
            for product in PRODUCTS
            if args.products is None or product in args.products.get(host.name, frozenset())
        }
        return PlacedHost(name=host.name, provider=provider, network=network, images=images)
