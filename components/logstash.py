"""Logstash: one or more MT4 ingest containers, each with its own data, queue and DLQ volumes.

Every instance runs the same pipeline (shippers load-balance across them; a client may use any):
inputs listen on ``logstash.tcp_port``/``beats_port`` inside the container and each instance
publishes them on its own host ports. Per instance, three volumes: ``path.data`` (the node's
uuid and the DLQ replay's committed position), ``path.queue`` (the persisted queue: accepted
events survive a restart or crash) and ``path.dead_letter_queue`` (what Elasticsearch refused);
on a protected stack all three are protected and retained. The queue and DLQ mount points do not
exist in the image, so a fresh volume there is root-owned (tests/contracts/images_8.19.json,
``volume_copy_up``): a one-shot root container hands them to the image user first.

An instance starts only once its writer user exists and the index templates are in place: an
event that arrives before its template would create a plain index with guessed mappings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_docker as docker

from components import containers as c
from components.docker_hosts import DockerHosts, PlacedHost
from components.pki import IssuedCertificate
from components.render import logstash_dlq_replay as replay
from components.render import logstash_pipeline as pipeline
from components.render import logstash_yml
from components.secret_files import SecretFile, install_secret_files
from components.settings.model import Logstash as LogstashSettings
from components.settings.model import LogstashInstance

CONFIG_DIR = "/usr/share/logstash/config"
WRITER_PASSWORD_ENV = "MT4_WRITER_PASSWORD"
WRITER_USER = "mt4_logstash_writer"
PIPELINE_ID = "mt4"
#: Role label of the one-shot root containers that hand a fresh volume to the image user.
VOLUME_HELPER_ROLE = "volume-permissions"
#: Logstash needs a minute to start its JVM and pipeline.
WAIT_TIMEOUT_SECONDS = 300


@dataclass(frozen=True, kw_only=True)
class LogstashArgs:
    settings: LogstashSettings
    cluster_name: str
    bind_address: str
    protect_volumes: bool
    elasticsearch_hosts: tuple[str, ...]
    """Node URLs that work from every instance's host (one pipeline file for all)."""
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


def yml_options(args: LogstashArgs, instance: LogstashInstance) -> logstash_yml.LogstashYmlOptions:
    s = args.settings
    persisted = s.queue_type == "persisted"
    return logstash_yml.LogstashYmlOptions(
        node_name=f"{args.cluster_name}-{instance.name}",
        pipeline_workers=s.pipeline_workers,
        pipeline_batch_size=s.batch_size,
        pipeline_batch_delay_ms=s.batch_delay_ms,
        queue_type=s.queue_type,
        queue_max_bytes=s.queue_max_bytes,
        dead_letter_queue_enable=s.dead_letter_queue,
        path_queue=logstash_yml.DEFAULT_PATH_QUEUE if persisted else None,
        path_dead_letter_queue=logstash_yml.DEFAULT_PATH_DEAD_LETTER_QUEUE if s.dead_letter_queue else None,
    )


def pipeline_specs(args: LogstashArgs) -> list[logstash_yml.PipelineSpec]:
    """The MT4 pipeline, and the DLQ replay while ``logstash.dead_letter_queue_replay`` is on."""
    specs = [logstash_yml.PipelineSpec(pipeline_id=PIPELINE_ID)]
    if args.settings.dead_letter_queue_replay:
        specs.append(logstash_yml.PipelineSpec(pipeline_id=replay.REPLAY_PIPELINE_ID, path_config=replay.REPLAY_PIPELINE_PATH))
    return specs


def rendered_files(args: LogstashArgs, instance: LogstashInstance | None = None) -> dict[str, str]:
    """Every non-secret file an instance gets, by path (the first instance when none is named)."""
    instance = instance or args.settings.instances[0]
    options = pipeline_options(args)
    files = {
        f"{CONFIG_DIR}/logstash.yml": logstash_yml.render_logstash_yml(yml_options(args, instance)),
        f"{CONFIG_DIR}/pipelines.yml": logstash_yml.render_pipelines_yml(pipeline_specs(args)),
        logstash_yml.DEFAULT_PIPELINE_PATH: pipeline.render_mt4_pipeline(options),
    }
    if args.settings.dead_letter_queue_replay:
        files[replay.REPLAY_PIPELINE_PATH] = replay.render_dlq_replay_pipeline(
            options, dead_letter_queue_path=logstash_yml.DEFAULT_PATH_DEAD_LETTER_QUEUE)
    return files


def healthcheck_command() -> list[str]:
    """Healthy once the node API answers and lists the mt4 pipeline as loaded.
    https://www.elastic.co/guide/en/logstash/8.19/node-info-api.html#node-pipeline-info
    """
    url = f"http://127.0.0.1:{logstash_yml.API_HTTP_PORT}/_node/pipelines/{PIPELINE_ID}"
    return ["CMD-SHELL", f"curl -fsS {url} | grep -q '\"{PIPELINE_ID}\"'"]


def resource_prefix(component: str, instance: LogstashInstance) -> str:
    """The first instance keeps the single Logstash's resource names (``elk-logstash-*``), so a
    stack made before instances existed is not replaced; the others add their name."""
    return component if instance.name == "logstash" else f"{component}-{instance.name}"


def queue_mounts(s: LogstashSettings) -> dict[str, str]:
    """Volume suffix -> mount point of the volumes the image user cannot own by itself."""
    out = {}
    if s.queue_type == "persisted":
        out["queue"] = logstash_yml.DEFAULT_PATH_QUEUE
    if s.dead_letter_queue:
        out["dlq"] = logstash_yml.DEFAULT_PATH_DEAD_LETTER_QUEUE
    return out


@dataclass
class LogstashNode:
    """One instance's resources."""

    container: docker.Container
    data_volume: docker.Volume
    queue_volumes: dict[str, docker.Volume] = field(default_factory=dict)
    """``queue`` (persisted queue) and ``dlq`` (dead letter queue), when on."""
    permissions: dict[str, docker.Container] = field(default_factory=dict)
    """The root helper of each queue volume."""


class Logstash(pulumi.ComponentResource):
    nodes: dict[str, LogstashNode]
    """By instance name, in stack-file order."""

    def __init__(self, name: str, args: LogstashArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("elk:components:Logstash", name, None, opts)
        self.nodes = {i.name: self._instance(name, args, i) for i in args.settings.instances}
        self.register_outputs({
            "containers": [n.container for n in self.nodes.values()],
            "volumes": [v for n in self.nodes.values() for v in (n.data_volume, *n.queue_volumes.values())],
        })

    @property
    def containers(self) -> list[docker.Container]:
        return [n.container for n in self.nodes.values()]

    @property
    def container(self) -> docker.Container:
        """The first instance's container."""
        return next(iter(self.nodes.values())).container

    def _volume(self, resource: str, volume_name: str, placed: PlacedHost, args: LogstashArgs) -> docker.Volume:
        return c.volume(resource, placed=placed, volume_name=volume_name, base_labels=args.labels, keep=args.protect_volumes, parent=self)

    def _instance(self, name: str, args: LogstashArgs, instance: LogstashInstance) -> LogstashNode:
        s = args.settings
        placed = args.hosts.host(instance.host)
        prefix = resource_prefix(name, instance)
        container_name = f"{args.cluster_name}-{instance.name}"
        data = self._volume(f"{prefix}-data", f"{container_name}-data", placed, args)
        targets = queue_mounts(s)
        queues = {key: self._volume(f"{prefix}-{key}", f"{container_name}-{key}", placed, args) for key in targets}
        mounts = [docker.ContainerMountArgs(type="volume", source=data.name, target=logstash_yml.DEFAULT_PATH_DATA)]
        mounts += [docker.ContainerMountArgs(type="volume", source=queues[k].name, target=t) for k, t in targets.items()]
        # One root helper per volume (chown + chmod of that mount alone), which the container waits for.
        user = c.IMAGE_USERS["logstash"]
        permissions = {
            key: c.root_one_shot(
                f"{prefix}-{key}-permissions",
                placed=placed,
                product="logstash",
                container_name=f"{container_name}-{key}-permissions",
                script=f"chown {user.uid}:{user.gid} {target} && chmod 0750 {target}",
                mounts=[docker.ContainerMountArgs(type="volume", source=queues[key].name, target=target)],
                container_labels=c.labels(args.labels, role=VOLUME_HELPER_ROLE),
                opts=pulumi.ResourceOptions(parent=self),
            )
            for key, target in targets.items()
        }
        after = [*args.depends_on, *permissions.values()]
        files = rendered_files(args, instance)
        uploads = [c.upload(path, text) for path, text in sorted(files.items())]
        uploads += [
            c.upload(pipeline.DEFAULT_CA_PATH, args.ca_cert_pem),
            c.upload(pipeline.DEFAULT_TLS_CERTIFICATE_PATH, args.certificate.cert_pem),
        ]
        secrets = install_secret_files(
            f"{prefix}-secret-files",
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
        container = c.service_container(
            f"{prefix}-container",
            placed=placed,
            product="logstash",
            container_name=container_name,
            alias=instance.name,
            envs=pulumi.Output.secret(envs),
            uploads=uploads,
            mounts=mounts,
            # Inside, the inputs listen on the shared ports; each instance publishes its own.
            ports=[
                docker.ContainerPortArgs(internal=s.tcp_port, external=instance.tcp_port, ip=args.bind_address),
                docker.ContainerPortArgs(internal=s.beats_port, external=instance.beats_port, ip=args.bind_address),
            ],
            memory_bytes=s.memory_bytes,
            ulimit_spec=c.SERVICE_ULIMITS,
            check=c.healthcheck(healthcheck_command(), start_period="60s"),
            wait_timeout=WAIT_TIMEOUT_SECONDS,
            # Let the pipeline drain its in-flight batch into the persistent queue before SIGKILL.
            grace_seconds=60,
            container_labels=c.labels(args.labels, role="logstash", **{"config-hash": c.config_hash(files)}),
            opts=pulumi.ResourceOptions(parent=self, depends_on=after),
            secrets=secrets,
        )
        return LogstashNode(container=container, data_volume=data, queue_volumes=queues, permissions=permissions)
