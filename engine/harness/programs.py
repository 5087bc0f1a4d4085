"""Inline Automation API programs made of the project's own components.

Each program reads its settings through ``components/settings/load.py`` (the engine hands it the
stack file's config) and wires the components exactly as ``ElkStack.__init__`` does, under a
parent component of ElkStack's type and name, so resource names, parents and URNs are those of
the whole program. Left out is only what needs the elasticstack provider (Access,
IndexManagement) and what hangs on it (Logstash, Kibana). The tier tests compare the real
inventory with the mock run of ``__main__.py``, which catches any drift of this wiring.
"""

from __future__ import annotations

from collections.abc import Callable

import pulumi

from components.credentials import Credentials
from components.docker_hosts import DockerHosts, DockerHostsArgs
from components.elasticsearch_cluster import ElasticsearchCluster, ElasticsearchClusterArgs
from components.elk_stack import stack_labels
from components.identities import identities
from components.pki import Pki, PkiArgs
from components.settings.load import OwnCa, load_settings
from components.settings.model import StackSettings

#: ElkStack's resource type and the name ``__main__`` gives it.
STACK_COMPONENT_TYPE = "elk:components:ElkStack"
STACK_NAME = "elk"
#: The component types the Elasticsearch-tier programs declare (for inventory comparisons).
PKI_CREDENTIALS_TYPES = ("elk:components:Credentials", "elk:components:Pki")
ES_TIER_TYPES = (*PKI_CREDENTIALS_TYPES, "elk:components:DockerHosts", "elk:components:ElasticsearchCluster")


class StackRoot(pulumi.ComponentResource):
    """Stands where ElkStack stands (same type and name) so child URNs match the whole program."""

    def __init__(self) -> None:
        super().__init__(STACK_COMPONENT_TYPE, STACK_NAME, None, None)


def _pki(settings: StackSettings, own_ca: OwnCa | None, child: pulumi.ResourceOptions) -> Pki:
    return Pki(f"{STACK_NAME}-pki", PkiArgs(
        organization=settings.cluster_name,
        identities=identities(settings),
        validity_hours=settings.tls.validity_hours,
        early_renewal_hours=settings.tls.early_renewal_hours,
        ca_validity_hours=settings.tls.ca_validity_hours,
        own_ca=own_ca,
    ), opts=child)


def _export_pki_credentials(pki: Pki, credentials: Credentials) -> None:
    pulumi.export("ca_cert_pem", pki.ca_cert_pem)
    pulumi.export("certificates", {
        name: {"cert_pem": cert.cert_pem, "key_pem": cert.key_pem, "key_pkcs8_pem": cert.key_pkcs8_pem}
        for name, cert in pki.certificates.items()
    })
    pulumi.export("passwords", pulumi.Output.secret(credentials.passwords))
    pulumi.export("kibana_keys", pulumi.Output.secret(credentials.kibana_keys))
    pulumi.export("elastic_password", credentials.passwords["elastic"])


def pki_credentials_program() -> Callable[[], None]:
    """Pki + Credentials; exports every PEM, password and key (secrets as secrets)."""

    def program() -> None:
        settings, own_ca = load_settings()
        child = pulumi.ResourceOptions(parent=StackRoot())
        credentials = Credentials(f"{STACK_NAME}-credentials", opts=child)
        pki = _pki(settings, own_ca, child)
        _export_pki_credentials(pki, credentials)

    return program


def es_tier_program(*, export_secrets: bool = False) -> Callable[[], None]:
    """PKI, credentials, Docker hosts and the Elasticsearch cluster component."""

    def program() -> None:
        settings, own_ca = load_settings()
        child = pulumi.ResourceOptions(parent=StackRoot())
        labels = stack_labels(settings)
        credentials = Credentials(f"{STACK_NAME}-credentials", opts=child)
        pki = _pki(settings, own_ca, child)
        docker_hosts = DockerHosts(f"{STACK_NAME}-docker", DockerHostsArgs(
            hosts=settings.docker_hosts,
            network_name=f"{settings.cluster_name}-net",
            elastic_version=settings.elastic_version,
            labels=labels,
        ), opts=child)
        cluster = ElasticsearchCluster(f"{STACK_NAME}-es", ElasticsearchClusterArgs(
            cluster_name=settings.cluster_name,
            settings=settings.elasticsearch,
            bootstrap=settings.bootstrap,
            license=settings.license,
            repo_path=settings.snapshots.location,
            bind_address=settings.network.bind_address,
            public_host=settings.network.public_host,
            protect_volumes=settings.protect_volumes,
            hosts=docker_hosts,
            certificates=pki.certificates,
            ca_cert_pem=pki.ca_cert_pem,
            elastic_password=credentials.passwords["elastic"],
            labels=labels,
        ), opts=child)
        pulumi.export("containers", [c.name for c in cluster.containers])
        pulumi.export("volumes", [v.name for v in [*cluster.data_volumes, cluster.backup_volume]])
        pulumi.export("network", docker_hosts.host(settings.docker_hosts[0].name).network.name)
        if export_secrets:
            _export_pki_credentials(pki, credentials)

    return program
