"""Metricbeat: one container per Docker host it is placed on, with the host's ``/``, ``/proc`` and
``/sys/fs/cgroup`` under ``/hostfs`` and the engine's socket, all read-only; each also collects
the Elasticsearch nodes, Kibana and Logstash instances on its own host for Stack Monitoring.

It runs as root: the Docker socket is root's (group ``docker``, whose id differs per host) and the
host's ``/proc`` shows other users' processes to root only. It starts after the ``mt4-metrics``
index template exists (an event before it would create a plain index with guessed mappings
instead of the data stream) and after its writer user has its roles.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_docker as docker

from components import containers as c
from components.docker_hosts import DockerHosts
from components.render import metricbeat_yml as mb
from components.settings.shippers import Metricbeat as MetricbeatSettings

PRODUCT = "metricbeat"
WRITER_USER = "mt4_metricbeat_writer"
WRITER_PASSWORD_ENV = "MT4_METRICBEAT_WRITER_PASSWORD"
MONITORING_PASSWORD_ENV = mb.MONITORING_PASSWORD_ENV
WAIT_TIMEOUT_SECONDS = 120
#: (host path, container path): what the system module reads through ``hostfs`` and the docker
#: module's socket (Metricbeat's "Run on Docker" page mounts the same, read-only).
HOST_MOUNTS = (
    ("/", mb.HOSTFS),
    ("/proc", f"{mb.HOSTFS}/proc"),
    ("/sys/fs/cgroup", f"{mb.HOSTFS}/sys/fs/cgroup"),
    (mb.DOCKER_SOCKET, mb.DOCKER_SOCKET),
)


@dataclass(frozen=True, kw_only=True)
class MetricbeatArgs:
    settings: MetricbeatSettings
    host: str
    cluster_name: str
    elasticsearch_urls: tuple[str, ...]
    """The output's URLs, as reached from ``host``."""
    monitoring: mb.StackMonitoring | None
    """The services on this Metricbeat's host it collects for Stack Monitoring (None: none there, or off)."""
    hosts: DockerHosts
    ca_cert_pem: pulumi.Input[str]
    writer_password: pulumi.Input[str]
    monitoring_password: pulumi.Input[str]
    depends_on: Sequence[pulumi.Resource]
    """The writer user and the mt4-metrics index template (and, monitoring, remote_monitoring_user)."""
    labels: dict[str, str]
    protect_volumes: bool


def container_name(cluster_name: str, host: str) -> str:
    return c.per_host_name(cluster_name, PRODUCT, host)


def yml_options(args: MetricbeatArgs) -> mb.MetricbeatYmlOptions:
    return mb.MetricbeatYmlOptions(
        name=container_name(args.cluster_name, args.host),
        period=args.settings.period,
        elasticsearch_urls=args.elasticsearch_urls,
        writer_user=WRITER_USER,
        writer_password_env=WRITER_PASSWORD_ENV,
        monitoring=args.monitoring,
    )


def host_mounts() -> list[docker.ContainerMountArgs]:
    return [docker.ContainerMountArgs(type="bind", source=src, target=dst, read_only=True) for src, dst in HOST_MOUNTS]


class Metricbeat(pulumi.ComponentResource):
    container: docker.Container
    data_volume: docker.Volume
    """``path.data``: the Beat's UUID (meta.json), so a replaced container stays the same instance
    in Stack Monitoring instead of a new one each time."""

    def __init__(self, name: str, args: MetricbeatArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("elk:components:Metricbeat", name, None, opts)
        placed = args.hosts.host(args.host)
        cname = container_name(args.cluster_name, args.host)
        self.data_volume = c.volume(f"{name}-data", placed=placed, volume_name=f"{cname}-data",
                                    base_labels={**args.labels, "role": "metricbeat-data"}, keep=args.protect_volumes, parent=self)
        options = yml_options(args)
        yml = mb.render_metricbeat_yml(options)
        files = {mb.CONFIG_FILE: yml}
        monitoring = args.monitoring is not None
        envs = pulumi.Output.all(args.writer_password, args.monitoring_password).apply(
            lambda pw: [f"{WRITER_PASSWORD_ENV}={pw[0]}", *([f"{MONITORING_PASSWORD_ENV}={pw[1]}"] if monitoring else [])]
        )
        self.container = c.service_container(
            f"{name}-container",
            placed=placed,
            product=PRODUCT,
            container_name=cname,
            alias=f"{PRODUCT}-{args.host}",
            envs=pulumi.Output.secret(envs),
            uploads=[c.upload(mb.CONFIG_FILE, yml), c.upload(mb.DEFAULT_CA_PATH, args.ca_cert_pem)],
            mounts=[*host_mounts(), docker.ContainerMountArgs(type="volume", source=self.data_volume.name, target=mb.DATA_DIR)],
            ports=[],
            memory_bytes=args.settings.memory_bytes,
            ulimit_spec=c.SERVICE_ULIMITS,
            check=c.healthcheck(c.beat_config_check(PRODUCT), start_period="10s", retries=12),
            wait_timeout=WAIT_TIMEOUT_SECONDS,
            grace_seconds=30,
            container_labels=c.labels(args.labels, role=PRODUCT, host=args.host, **{"config-hash": c.config_hash(files)}),
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(args.depends_on)),
            user=c.BEATS_USER,
        )
        self.register_outputs({"container": self.container, "data_volume": self.data_volume})
