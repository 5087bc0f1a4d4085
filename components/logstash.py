"""Logstash: the MT4 ingest container, its persistent-queue volume and rendered pipeline.

It starts only once its writer user exists and the index templates are in place: an event that
arrives before its template would create a plain index with guessed mappings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_docker as docker

from components import containers as c
from components.docker_hosts import DockerHosts
from components.pki import IssuedCertificate
from components.render import logstash_pipeline as pipeline
from components.render import logstash_yml
from components.secret_files import SecretFile, install_secret_files
from components.settings.model import Logstash as LogstashSettings

CONFIG_DIR = "/usr/share/logstash/config"
WRITER_PASSWORD_ENV = "MT4_WRITER_PASSWORD"
WRITER_USER = "mt4_logstash_writer"
PIPELINE_ID = "mt4"
#: Logstash needs a minute to start its JVM and pipeline.
WAIT_TIMEOUT_SECONDS = 300


@dataclass(frozen=True, kw_only=True)
class LogstashArgs:
    settings: LogstashSettings
    cluster_name: str
    bind_address: str
    protect_volumes: bool
    elasticsearch_hosts: tuple[str, ...]
    """Node URLs on the Docker network (``https://es01:9200``)."""
    hosts: DockerHosts
    certificate: IssuedCertificate
    ca_cert_pem: pulumi.Input[str]
    writer_password: pulumi.Input[str]
    depends_on: Sequence[pulumi.Resource]
    """The writer user and the index templates."""
    labels: dict[str, str]
    beats_client_authentication: pipeline.ClientAuthentication = "none"
    """``required`` when every Filebeat presents a client certificate (``filebeat.mutual_tls``)."""


def pipeline_options(args: LogstashArgs) -> pipeline.Mt4PipelineOptions:
    s = args.settings
    return pipeline.Mt4PipelineOptions(
        tcp_port=s.tcp_port,
        beats_port=s.beats_port,
        tcp_tls=s.tcp_tls,
        beats_tls=s.beats_tls,
        elasticsearch_hosts=args.elasticsearch_hosts,
        writer_user=WRITER_USER,
        writer_password_env=WRITER_PASSWORD_ENV,
        sensitive_keys=s.sensitive_keys,
        event_types=s.event_types,
        beats_client_authentication=args.beats_client_authentication,
    )


def yml_options(args: LogstashArgs) -> logstash_yml.LogstashYmlOptions:
    s = args.settings
    return logstash_yml.LogstashYmlOptions(
        node_name=f"{args.cluster_name}-logstash",
        pipeline_workers=s.pipeline_workers,
        pipeline_batch_size=s.batch_size,
        pipeline_batch_delay_ms=s.batch_delay_ms,
        queue_type=s.queue_type,
        queue_max_bytes=s.queue_max_bytes,
        dead_letter_queue_enable=s.dead_letter_queue,
    )


def rendered_files(args: LogstashArgs) -> dict[str, str]:
    """Every non-secret file the container gets, by path."""
    return {
        f"{CONFIG_DIR}/logstash.yml": logstash_yml.render_logstash_yml(yml_options(args)),
        f"{CONFIG_DIR}/pipelines.yml": logstash_yml.render_pipelines_yml([logstash_yml.PipelineSpec(pipeline_id=PIPELINE_ID)]),
        logstash_yml.DEFAULT_PIPELINE_PATH: pipeline.render_mt4_pipeline(pipeline_options(args)),
    }


def healthcheck_command() -> list[str]:
    """Healthy once the node API answers and lists the mt4 pipeline as loaded.
    https://www.elastic.co/guide/en/logstash/8.19/node-info-api.html#node-pipeline-info
    """
    url = f"http://127.0.0.1:{logstash_yml.API_HTTP_PORT}/_node/pipelines/{PIPELINE_ID}"
    return ["CMD-SHELL", f"curl -fsS {url} | grep -q '\"{PIPELINE_ID}\"'"]


class Logstash(pulumi.ComponentResource):
    container: docker.Container
    data_volume: docker.Volume
    """Persistent queue and dead letter queue: events accepted but not yet written survive restarts."""

    def __init__(self, name: str, args: LogstashArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("elk:components:Logstash", name, None, opts)
        s = args.settings
        placed = args.hosts.host(s.host)
        self.data_volume = docker.Volume(
            f"{name}-data",
            name=f"{args.cluster_name}-logstash-data",
            labels=[docker.VolumeLabelArgs(label=k, value=v) for k, v in sorted(args.labels.items())],
            opts=pulumi.ResourceOptions(
                parent=self, provider=placed.provider, protect=args.protect_volumes, retain_on_delete=args.protect_volumes
            ),
        )
        files = rendered_files(args)
        uploads = [c.upload(path, text) for path, text in sorted(files.items())]
        uploads += [
            c.upload(pipeline.DEFAULT_CA_PATH, args.ca_cert_pem),
            c.upload(pipeline.DEFAULT_TLS_CERTIFICATE_PATH, args.certificate.cert_pem),
        ]
        container_name = f"{args.cluster_name}-logstash"
        secrets = install_secret_files(
            f"{name}-secret-files",
            placed=placed,
            product="logstash",
            container_name=container_name,
            files=[SecretFile(pipeline.DEFAULT_TLS_KEY_PATH.rsplit("/", 1)[1], args.certificate.key_pkcs8_pem)],
            base_labels=args.labels,
            opts=pulumi.ResourceOptions(parent=self),
        )
        heap_mb = s.heap_bytes // c.MIB
        envs = pulumi.Output.all(args.writer_password).apply(
            lambda pw: [f"LS_JAVA_OPTS=-Xms{heap_mb}m -Xmx{heap_mb}m", f"{WRITER_PASSWORD_ENV}={pw[0]}"]
        )
        self.container = c.service_container(
            f"{name}-container",
            placed=placed,
            product="logstash",
            container_name=container_name,
            alias="logstash",
            envs=pulumi.Output.secret(envs),
            uploads=uploads,
            mounts=[docker.ContainerMountArgs(type="volume", source=self.data_volume.name, target=logstash_yml.DEFAULT_PATH_DATA)],
            ports=[
                docker.ContainerPortArgs(internal=s.tcp_port, external=s.tcp_port, ip=args.bind_address),
                docker.ContainerPortArgs(internal=s.beats_port, external=s.beats_port, ip=args.bind_address),
            ],
            memory_bytes=s.memory_bytes,
            ulimit_spec=c.SERVICE_ULIMITS,
            check=c.healthcheck(healthcheck_command(), start_period="60s"),
            wait_timeout=WAIT_TIMEOUT_SECONDS,
            # Let the pipeline drain its in-flight batch into the persistent queue before SIGKILL.
            grace_seconds=60,
            container_labels=c.labels(args.labels, role="logstash", **{"config-hash": c.config_hash(files)}),
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(args.depends_on)),
            secrets=secrets,
        )
        self.register_outputs({"container": self.container, "data_volume": self.data_volume})
