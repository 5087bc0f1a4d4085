"""ElkStack: the whole stack from one ``StackSettings``; wiring only, no decisions of its own."""

from __future__ import annotations

import pulumi

from components.access import Access, AccessArgs
from components.credentials import Credentials
from components.docker_hosts import DockerHosts, DockerHostsArgs
from components.elasticsearch_cluster import ElasticsearchCluster, ElasticsearchClusterArgs
from components.identities import identities
from components.index_management import IndexManagement, IndexManagementArgs
from components.pki import Pki, PkiArgs
from components.settings.load import OwnCa
from components.settings.model import StackSettings


def stack_labels(settings: StackSettings) -> dict[str, str]:
    """Labels on every Docker object, so ``docker ps --filter label=...`` finds the stack."""
    return {"elk-stack.cluster": settings.cluster_name, "elk-stack.managed-by": "pulumi"}


class ElkStack(pulumi.ComponentResource):
    credentials: Credentials
    pki: Pki
    docker_hosts: DockerHosts
    elasticsearch: ElasticsearchCluster
    access: Access
    index_management: IndexManagement
    outputs: dict[str, pulumi.Input[object]]
    """What ``__main__`` exports; secrets are already secret Outputs."""

    def __init__(self, name: str, settings: StackSettings, own_ca: OwnCa | None, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("elk:components:ElkStack", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        labels = stack_labels(settings)
        self.credentials = Credentials(f"{name}-credentials", opts=child)
        self.pki = Pki(f"{name}-pki", PkiArgs(
            organization=settings.cluster_name,
            identities=identities(settings),
            validity_hours=settings.tls.validity_hours,
            early_renewal_hours=settings.tls.early_renewal_hours,
            ca_validity_hours=settings.tls.ca_validity_hours,
            own_ca=own_ca,
        ), opts=child)
        self.docker_hosts = DockerHosts(f"{name}-docker", DockerHostsArgs(
            hosts=settings.docker_hosts,
            network_name=f"{settings.cluster_name}-net",
            elastic_version=settings.elastic_version,
            labels=labels,
        ), opts=child)
        elastic_password = self.credentials.passwords["elastic"]
        self.elasticsearch = ElasticsearchCluster(f"{name}-es", ElasticsearchClusterArgs(
            cluster_name=settings.cluster_name,
            settings=settings.elasticsearch,
            bootstrap=settings.bootstrap,
            license=settings.license,
            repo_path=settings.snapshots.location,
            bind_address=settings.network.bind_address,
            public_host=settings.network.public_host,
            protect_volumes=settings.protect_volumes,
            hosts=self.docker_hosts,
            certificates=self.pki.certificates,
            ca_cert_pem=self.pki.ca_cert_pem,
            elastic_password=elastic_password,
            labels=labels,
        ), opts=child)
        self.access = Access(f"{name}-access", AccessArgs(
            endpoints=self.elasticsearch.endpoints,
            ca_cert_pem=self.pki.ca_cert_pem,
            elastic_password=elastic_password,
            passwords=self.credentials.passwords,
            nodes=self.elasticsearch.containers,
        ), opts=child)
        self.index_management = IndexManagement(f"{name}-indices", IndexManagementArgs(
            settings=settings.index_management,
            snapshots=settings.snapshots,
            provider=self.access.provider,
            depends_on=self.elasticsearch.containers,
        ), opts=child)
        self.outputs = {
            "elasticsearch_url": self.elasticsearch.endpoints[0],
            "elasticsearch_endpoints": self.elasticsearch.endpoints,
            "ca_certificate": self.pki.ca_cert_pem,
            "elastic_password": elastic_password,
            "users": sorted(["elastic", *self.access.system_users, *self.access.users]),
        }
        self.register_outputs(self.outputs)
