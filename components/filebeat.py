"""Filebeat: one container per Docker host it is placed on, its registry volume, its rendered
filebeat.yml and (mutual TLS) its client certificate.

It reads the host: the MT4 bridge's log directories and the engine's container logs, both
bind-mounted read-only, as root (the container logs are root's files; the image's own user could
not read them). It waits for nothing: until Logstash answers, events wait in Filebeat's queue
and the registry does not advance, so nothing is lost and nothing is read twice.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_docker as docker

from components import containers as c
from components.docker_hosts import DockerHosts
from components.pki import IssuedCertificate
from components.render import filebeat_yml as fb
from components.secret_files import SecretFile, install_secret_files
from components.settings.shippers import Filebeat as FilebeatSettings

PRODUCT = "filebeat"
#: A Beat starts in seconds; the healthcheck only parses the configuration.
WAIT_TIMEOUT_SECONDS = 120


@dataclass(frozen=True, kw_only=True)
class FilebeatArgs:
    settings: FilebeatSettings
    host: str
    """The Docker host this Filebeat runs on (one of ``settings.hosts``)."""
    cluster_name: str
    protect_volumes: bool
    logstash_hosts: tuple[str, ...]
    """``host:port`` of every Logstash Beats input, as reached from ``host``."""
    tls: bool
    """``logstash.beats_tls``."""
    hosts: DockerHosts
    ca_cert_pem: pulumi.Input[str]
    certificate: IssuedCertificate | None
    """This Filebeat's client certificate (mutual TLS), or None."""
    labels: dict[str, str]


def container_name(cluster_name: str, host: str) -> str:
    return c.per_host_name(cluster_name, PRODUCT, host)


def yml_options(args: FilebeatArgs) -> fb.FilebeatYmlOptions:
    s = args.settings
    mutual = args.certificate is not None
    return fb.FilebeatYmlOptions(
        name=container_name(args.cluster_name, args.host),
        bridge_log_paths=s.bridge_log_paths,
        containers_dir=s.containers_dir if s.container_logs else None,
        logstash_hosts=args.logstash_hosts,
        tls=args.tls,
        client_certificate_path=fb.DEFAULT_CLIENT_CERT_PATH if mutual else None,
        client_key_path=fb.DEFAULT_CLIENT_KEY_PATH if mutual else None,
    )


def host_binds(s: FilebeatSettings) -> list[docker.ContainerVolumeArgs]:
    """The bridge's log directories, read-only at the same path (``log.file.path`` then names the
    host's file). Binds, not mounts: the engine creates a directory the bridge has not made yet,
    so Filebeat starts on a host where the bridge has not logged anything."""
    return [docker.ContainerVolumeArgs(host_path=d, container_path=d, read_only=True) for d in s.bridge_log_dirs]


def host_mounts(s: FilebeatSettings) -> list[docker.ContainerMountArgs]:
    """The engine's container logs, read-only; a bind mount, so a wrong ``docker_data_root`` fails
    the container's creation instead of shipping nothing."""
    if not s.container_logs:
        return []
    return [docker.ContainerMountArgs(type="bind", source=s.containers_dir, target=s.containers_dir, read_only=True)]


def healthcheck_command() -> list[str]:
    return c.beat_config_check(PRODUCT)


class Filebeat(pulumi.ComponentResource):
    container: docker.Container
    data_volume: docker.Volume
    """The registry (``path.data``): where each file was read up to, kept across replacements."""

    def __init__(self, name: str, args: FilebeatArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("elk:components:Filebeat", name, None, opts)
        s = args.settings
        placed = args.hosts.host(args.host)
        cname = container_name(args.cluster_name, args.host)
        self.data_volume = c.volume(f"{name}-data", placed=placed, volume_name=f"{cname}-data",
                                    base_labels={**args.labels, "role": "filebeat-registry"}, keep=args.protect_volumes, parent=self)
        yml = fb.render_filebeat_yml(yml_options(args))
        files = {fb.CONFIG_FILE: yml}
        uploads = [c.upload(fb.CONFIG_FILE, yml), c.upload(fb.DEFAULT_CA_PATH, args.ca_cert_pem)]
        secrets = None
        if args.certificate is not None:
            uploads.append(c.upload(fb.DEFAULT_CLIENT_CERT_PATH, args.certificate.cert_pem))
            secrets = install_secret_files(
                f"{name}-secret-files",
                placed=placed,
                product=PRODUCT,
                container_name=cname,
                files=[SecretFile(fb.CLIENT_KEY_FILE, args.certificate.key_pem)],
                base_labels=args.labels,
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.container = c.service_container(
            f"{name}-container",
            placed=placed,
            product=PRODUCT,
            container_name=cname,
            alias=f"{PRODUCT}-{args.host}",
            envs=[],
            uploads=uploads,
            mounts=[docker.ContainerMountArgs(type="volume", source=self.data_volume.name, target=fb.DATA_DIR), *host_mounts(s)],
            ports=[],
            memory_bytes=s.memory_bytes,
            ulimit_spec=c.SERVICE_ULIMITS,
            check=c.healthcheck(healthcheck_command(), start_period="10s", retries=12),
            wait_timeout=WAIT_TIMEOUT_SECONDS,
            # Filebeat flushes its registry on SIGTERM; a few seconds are plenty.
            grace_seconds=30,
            container_labels=c.labels(args.labels, role=PRODUCT, host=args.host, **{"config-hash": c.config_hash(files)}),
            opts=pulumi.ResourceOptions(parent=self),
            secrets=secrets,
            user=c.BEATS_USER,
            host_binds=host_binds(s),
        )
        self.register_outputs({"container": self.container, "data_volume": self.data_volume})
