"""ElkStack: the whole stack from one ``StackSettings``; wiring only, no decisions of its own."""

from __future__ import annotations

import pulumi

from components import topology
from components.access import Access, AccessArgs
from components.alerting import Alerting, AlertingArgs
from components.credentials import Credentials
from components.docker_hosts import DockerHosts, DockerHostsArgs
from components.elasticsearch_cluster import ElasticsearchCluster, ElasticsearchClusterArgs
from components.host_preflight import HostPreflight, HostPreflightArgs, host_needs
from components.identities import filebeat_client_hosts, identities
from components.index_management import IndexManagement, IndexManagementArgs
from components.kibana import Kibana, KibanaArgs
from components.kibana_objects import KibanaObjects, KibanaObjectsArgs
from components.logstash import WRITER_USER, Logstash, LogstashArgs
from components.pki import Pki, PkiArgs
from components.settings.load import OwnCa
from components.settings.model import StackSettings
from components.settings.placement import products_by_host
from components.shippers import ShipperDeps, Shippers, build_shippers
from components.watcher_email_node import node_email


def stack_labels(settings: StackSettings) -> dict[str, str]:
    """Labels on every Docker object, so ``docker ps --filter label=...`` finds the stack."""
    return {"elk-stack.cluster": settings.cluster_name, "elk-stack.managed-by": "pulumi"}


def endpoint(settings: StackSettings, port: int, tls: bool, host_name: str | None = None) -> dict[str, object]:
    """Where clients send events (the smoke check and elk_logger read this shape); ``host_name``:
    the Docker host the port is published on (its address across hosts)."""
    host = topology.address_of(settings, host_name) if host_name else settings.network.public_host
    return {"host": host, "port": port, "tls": tls}


class ElkStack(pulumi.ComponentResource):
    credentials: Credentials
    pki: Pki
    docker_hosts: DockerHosts
    preflight: HostPreflight
    elasticsearch: ElasticsearchCluster
    access: Access
    index_management: IndexManagement
    logstash: Logstash
    kibana: Kibana
    kibana_objects: KibanaObjects
    alerting: Alerting
    shippers: Shippers
    outputs: dict[str, pulumi.Input[object]]
    """What ``__main__`` exports; secrets are already secret Outputs."""

    def __init__(
        self, name: str, settings: StackSettings, own_ca: OwnCa | None, opts: pulumi.ResourceOptions | None = None,
        email_password: pulumi.Output[str] | None = None,
    ) -> None:
        """``email_password``: the secret ``alerting_email_password``, when the stack file sets one."""
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
            products=products_by_host(settings),
        ), opts=child)
        self.preflight = HostPreflight(f"{name}-preflight", HostPreflightArgs(
            needs=host_needs(settings),
            hosts=self.docker_hosts,
            cluster_name=settings.cluster_name,
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
            endpoints=topology.endpoints(settings),
            node_networks={n.name: topology.node_network(settings, n) for n in settings.elasticsearch.nodes},
            backup_nfs=settings.snapshots.nfs,
            protect_volumes=settings.protect_volumes,
            hosts=self.docker_hosts,
            certificates=self.pki.certificates,
            ca_cert_pem=self.pki.ca_cert_pem,
            elastic_password=elastic_password,
            labels=labels,
            host_checks=list(self.preflight.checks.values()),
            watcher_email=node_email(settings.alerting, email_password),
        ), opts=child)
        self.access = Access(f"{name}-access", AccessArgs(
            endpoints=self.elasticsearch.endpoints,
            ca_cert_pem=self.pki.ca_cert_pem,
            elastic_password=elastic_password,
            passwords=self.credentials.passwords,
            nodes=self.elasticsearch.containers,
            cluster_data=self.elasticsearch.data_volumes[0],
        ), opts=child)
        self.index_management = IndexManagement(f"{name}-indices", IndexManagementArgs(
            settings=settings.index_management,
            snapshots=settings.snapshots,
            provider=self.access.provider,
            depends_on=self.elasticsearch.containers,
            cluster_data=self.elasticsearch.data_volumes[0],
        ), opts=child)
        # One pipeline for every Logstash instance: URLs that work from each instance's host.
        logstash_es = topology.elasticsearch_urls_from_every_host(settings)
        self.logstash = Logstash(f"{name}-logstash", LogstashArgs(
            settings=settings.logstash,
            cluster_name=settings.cluster_name,
            bind_address=settings.network.bind_address,
            protect_volumes=settings.protect_volumes,
            elasticsearch_hosts=logstash_es,
            hosts=self.docker_hosts,
            certificate=self.pki.certificates["logstash"],
            ca_cert_pem=self.pki.ca_cert_pem,
            writer_password=self.credentials.passwords[WRITER_USER],
            depends_on=[self.access.users[WRITER_USER], *self.index_management.index_templates.values()],
            labels=labels,
            beats_client_authentication="required" if filebeat_client_hosts(settings) else "none",
        ), opts=child)
        kibana_url = topology.public_url(settings, settings.kibana.host, settings.kibana.port, settings.kibana.tls)
        self.kibana = Kibana(f"{name}-kibana", KibanaArgs(
            settings=settings.kibana,
            cluster_name=settings.cluster_name,
            bind_address=settings.network.bind_address,
            public_url=kibana_url,
            elasticsearch_hosts=topology.elasticsearch_urls(settings, settings.kibana.host),
            hosts=self.docker_hosts,
            certificate=self.pki.certificates["kibana"],
            ca_cert_pem=self.pki.ca_cert_pem,
            kibana_system_password=self.credentials.passwords["kibana_system"],
            encryption_keys=self.credentials.kibana_keys,
            depends_on=[self.access.system_users["kibana_system"]],
            labels=labels,
        ), opts=child)
        # Kibana objects and the alert: after the healthy Kibana; data views after the templates.
        kibana_ca = self.pki.ca_cert_pem if settings.kibana.tls else ""
        self.kibana_objects = KibanaObjects(f"{name}-kibana-objects", KibanaObjectsArgs(
            kibana_url=kibana_url,
            ca_cert_pem=kibana_ca,
            password=elastic_password,
            kibana=[self.kibana.container],
            index_templates=list(self.index_management.index_templates.values()),
            cluster_data=self.elasticsearch.data_volumes[0],
        ), opts=child)
        self.alerting = Alerting(f"{name}-alerting", AlertingArgs(
            kibana_url=kibana_url,
            ca_cert_pem=kibana_ca,
            password=elastic_password,
            kibana=[self.kibana.container],
            es_provider=self.access.provider,
            es_nodes=self.elasticsearch.containers,
            replicas=settings.index_management.replicas,
            settings=settings.alerting,
            cluster_data=self.elasticsearch.data_volumes[0],
            es_url=self.elasticsearch.endpoints[0],
            email_password=email_password,
        ), opts=child)
        self.shippers = build_shippers(name, settings, ShipperDeps(
            hosts=self.docker_hosts,
            ca_cert_pem=self.pki.ca_cert_pem,
            certificates=self.pki.certificates,
            passwords=self.credentials.passwords,
            metricbeat_writer=self.access.users["mt4_metricbeat_writer"],
            monitoring_user=self.access.system_users["remote_monitoring_user"],
            metrics_template=self.index_management.index_templates["metrics"],
            labels=labels,
        ), child)
        first_ls = settings.logstash.instances[0]
        self.outputs = {
            "elasticsearch_url": self.elasticsearch.endpoints[0],
            "elasticsearch_endpoints": self.elasticsearch.endpoints,
            "ca_certificate": self.pki.ca_cert_pem,
            "elastic_password": elastic_password,
            "users": sorted(["elastic", *self.access.system_users, *self.access.users]),
            "kibana_url": kibana_url,
            # The first Logstash instance, on its own host and published ports (every instance
            # runs the same pipeline; Filebeat load-balances across all of them).
            "logstash_tcp_endpoint": endpoint(settings, first_ls.tcp_port, settings.logstash.tcp_tls, first_ls.host),
            "logstash_beats_endpoint": endpoint(settings, first_ls.beats_port, settings.logstash.beats_tls, first_ls.host),
            "analyst_user": "mt4_analyst",
            "analyst_password": self.credentials.passwords["mt4_analyst"],
        }
        self.register_outputs(self.outputs)
