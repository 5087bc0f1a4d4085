"""The shippers of a stack: a Filebeat and a Metricbeat on each Docker host the settings list,
wired to the rest of the stack. ``ElkStack`` calls ``build_shippers`` once; everything Beats-specific
about who reaches whom is decided here (pure helpers first, tested on their own).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi

from components import topology
from components.docker_hosts import DockerHosts
from components.filebeat import Filebeat, FilebeatArgs
from components.identities import filebeat_client_hosts, filebeat_identity
from components.metricbeat import WRITER_USER as METRICBEAT_WRITER
from components.metricbeat import Metricbeat, MetricbeatArgs
from components.pki import IssuedCertificate
from components.render import logstash_yml
from components.render.elasticsearch_yml import HTTP_PORT
from components.render.metricbeat_yml import MONITORING_USER, StackMonitoring
from components.settings.model import StackSettings


def logstash_targets(s: StackSettings, from_host: str) -> tuple[str, ...]:
    """``host:port`` of every Logstash Beats input as the Filebeat on ``from_host`` dials it: the
    instance's alias on its own host, its host's address and published port across hosts. Every
    instance, so ``loadbalance`` spreads over all of them and one going away loses nothing."""
    targets = []
    for i in s.logstash.instances:
        target = topology.reach(s, from_host, i.host, i.name, s.logstash.beats_port, i.beats_port)
        if target is None:  # settings give every instance a published Beats port; never drop one silently
            raise ValueError(f"Logstash instance {i.name} on {i.host} publishes no Beats port: the Filebeat on {from_host} cannot reach it")
        targets.append(target)
    return tuple(targets)


def monitoring_for(s: StackSettings, host: str) -> StackMonitoring | None:
    """What the Metricbeat on ``host`` collects for Stack Monitoring: the services on its own host,
    on the Docker network (a settings rule makes sure every host with a service has a Metricbeat)."""
    if not s.metricbeat.stack_monitoring:
        return None
    kibana = s.kibana
    found = StackMonitoring(
        elasticsearch_urls=tuple(f"https://{n.name}:{HTTP_PORT}" for n in s.elasticsearch.nodes if n.host == host),
        kibana_url=f"{'https' if kibana.tls else 'http'}://kibana:{kibana.port}" if kibana.host == host else None,
        logstash_urls=tuple(f"http://{i.name}:{logstash_yml.API_HTTP_PORT}" for i in s.logstash.instances if i.host == host),
    )
    return found if found.urls else None


@dataclass(frozen=True, kw_only=True)
class ShipperDeps:
    """What the shippers need from the rest of the stack."""

    hosts: DockerHosts
    ca_cert_pem: pulumi.Input[str]
    certificates: Mapping[str, IssuedCertificate]
    passwords: Mapping[str, pulumi.Output[str]]
    metricbeat_writer: pulumi.Resource
    """The Metricbeat writer user (its roles exist once it does)."""
    monitoring_user: pulumi.Resource
    """``remote_monitoring_user`` with its password set."""
    metrics_template: pulumi.Resource
    """The ``mt4-metrics`` index template: Metricbeat's first document must find it."""
    labels: dict[str, str]


@dataclass(frozen=True)
class Shippers:
    filebeats: dict[str, Filebeat]
    metricbeats: dict[str, Metricbeat]


def build_shippers(name: str, s: StackSettings, deps: ShipperDeps, opts: pulumi.ResourceOptions) -> Shippers:
    """One Filebeat per ``filebeat.hosts`` entry and one Metricbeat per ``metricbeat.hosts`` entry."""
    mutual = set(filebeat_client_hosts(s))
    filebeats = {} if not s.filebeat.enabled else {
        host: Filebeat(f"{name}-filebeat-{host}", FilebeatArgs(
            settings=s.filebeat,
            host=host,
            cluster_name=s.cluster_name,
            protect_volumes=s.protect_volumes,
            logstash_hosts=logstash_targets(s, host),
            tls=s.logstash.beats_tls,
            hosts=deps.hosts,
            ca_cert_pem=deps.ca_cert_pem,
            certificate=deps.certificates[filebeat_identity(host)] if host in mutual else None,
            labels=deps.labels,
        ), opts=opts)
        for host in s.filebeat.hosts
    }
    metricbeats = {} if not s.metricbeat.enabled else {
        host: _metricbeat(name, s, host, deps, opts) for host in s.metricbeat.hosts
    }
    return Shippers(filebeats=filebeats, metricbeats=metricbeats)


def _metricbeat(name: str, s: StackSettings, host: str, deps: ShipperDeps, opts: pulumi.ResourceOptions) -> Metricbeat:
    monitoring = monitoring_for(s, host)
    waits: Sequence[pulumi.Resource] = [deps.metricbeat_writer, deps.metrics_template]
    if monitoring is not None:
        waits = [*waits, deps.monitoring_user]
    return Metricbeat(f"{name}-metricbeat-{host}", MetricbeatArgs(
        settings=s.metricbeat,
        host=host,
        cluster_name=s.cluster_name,
        elasticsearch_urls=topology.elasticsearch_urls(s, host),
        monitoring=monitoring,
        hosts=deps.hosts,
        ca_cert_pem=deps.ca_cert_pem,
        writer_password=deps.passwords[METRICBEAT_WRITER],
        monitoring_password=deps.passwords[MONITORING_USER],
        depends_on=waits,
        labels=deps.labels,
        protect_volumes=s.protect_volumes,
    ), opts=opts)
