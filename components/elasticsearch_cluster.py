"""ElasticsearchCluster: node containers, their data volumes and the shared backup volume.

Volumes are resources of their own whose inputs depend only on names, so a new version, heap,
certificate or config replaces containers and never touches data (DESIGN.md "Data is sacred").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_docker as docker

from components import containers as c
from components.docker_hosts import DockerHosts, PlacedHost
from components.pki import IssuedCertificate
from components.providers.cluster_health import ClusterHealthGate
from components.render import elasticsearch_yml as es_yml
from components.secret_files import SecretFile, install_secret_files, secret_path
from components.settings.model import Elasticsearch, ElasticsearchNode

#: The image's user (USER 1000:0): owns the secret files and, after the one-shot chown, the backup volume.
ES_USER = c.IMAGE_USERS["elasticsearch"]
PASSWORD_FILE_NAME = "elastic-password"
#: ELASTIC_PASSWORD_FILE: the entrypoint refuses any mode but 400/600 and reads it as uid 1000.
PASSWORD_FILE = secret_path("elasticsearch", PASSWORD_FILE_NAME)
NODE_KEY_NAME = es_yml.NODE_KEY.rsplit("/", 1)[1]
EXTRA_JVM_OPTIONS = f"{es_yml.CONFIG_DIR}/jvm.options.d/extra.options"
#: A fresh node needs a minute or two to start and join; a rolling replacement waits this long.
WAIT_TIMEOUT_SECONDS = 600


@dataclass(frozen=True, kw_only=True)
class ElasticsearchClusterArgs:
    cluster_name: str
    settings: Elasticsearch
    bootstrap: bool
    """First ``up`` of a multi-node cluster: masters carry initial_master_nodes, created together."""
    license: str
    repo_path: str
    """Where the backup volume is mounted; also path.repo and the fs repository's location."""
    bind_address: str
    public_host: str
    """Host in the published endpoint URLs, URL-ready (an IPv6 literal in brackets)."""
    protect_volumes: bool
    hosts: DockerHosts
    certificates: dict[str, IssuedCertificate]
    """Per node name."""
    ca_cert_pem: pulumi.Input[str]
    elastic_password: pulumi.Input[str]
    labels: dict[str, str]
    host_checks: Sequence[pulumi.Resource]
    """Every Docker host's preflight check (components/host_preflight.py): no node before all pass."""


def node_config(args: ElasticsearchClusterArgs, node: ElasticsearchNode) -> es_yml.NodeConfig:
    """Pure: the render inputs of one node."""
    s = args.settings
    masters = tuple(m.name for m in s.masters)
    return es_yml.NodeConfig(
        cluster_name=args.cluster_name,
        node_name=node.name,
        roles=node.roles,
        seed_hosts=tuple(f"{m}:{es_yml.TRANSPORT_PORT}" for m in masters if m != node.name) if not s.single_node else (),
        initial_master_nodes=masters if (args.bootstrap and not s.single_node) else (),
        single_node=s.single_node,
        repo_path=args.repo_path,
        allow_mmap=s.allow_mmap,
        license=args.license,
    )


def rolls_one_at_a_time(args: ElasticsearchClusterArgs) -> bool:
    """After bootstrap, each node waits for the previous one: never all masters at once."""
    return not args.bootstrap and not args.settings.single_node


class ElasticsearchCluster(pulumi.ComponentResource):
    containers: list[docker.Container]
    data_volumes: list[docker.Volume]
    backup_volume: docker.Volume
    health_gates: list[ClusterHealthGate]
    """After bootstrap: one per node but the last; the next node waits for it (cluster green)."""
    endpoints: list[str]
    """HTTPS URLs of the published nodes, for API-level resources."""

    def __init__(self, name: str, args: ElasticsearchClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("elk:components:ElasticsearchCluster", name, None, opts)
        first_host = args.hosts.host(args.settings.nodes[0].host)
        self.backup_volume = self._volume(f"{name}-backup", f"{args.cluster_name}-backup", first_host, args)
        backup_ready = self._backup_permissions(name, args, first_host)
        self.endpoints = [f"https://{args.public_host}:{n.http_port}" for n in args.settings.nodes if n.http_port]
        self.data_volumes, self.containers, self.health_gates = [], [], []
        previous: pulumi.Resource | None = None
        for i, node in enumerate(args.settings.nodes):
            placed = args.hosts.host(node.host)
            volume = self._volume(f"{name}-{node.name}-data", f"{args.cluster_name}-{node.name}-data", placed, args)
            after: list[pulumi.Resource] = [backup_ready, *args.host_checks] + ([previous] if previous is not None else [])
            container = self._node(name, node, volume, after, args)
            self.data_volumes.append(volume)
            self.containers.append(container)
            if rolls_one_at_a_time(args) and i < len(args.settings.nodes) - 1:
                gate = self._health_gate(f"{name}-{node.name}-health", node.name, container, args)
                self.health_gates.append(gate)
                previous = gate
        self.register_outputs({
            "containers": self.containers,
            "data_volumes": self.data_volumes,
            "backup_volume": self.backup_volume,
            "health_gates": self.health_gates,
            "endpoints": self.endpoints,
        })

    def _health_gate(self, resource: str, node_name: str, container: docker.Container, args: ElasticsearchClusterArgs) -> ClusterHealthGate:
        """The next node is replaced only once the cluster is green again (replicas recovered)."""
        return ClusterHealthGate(
            resource,
            node_name=node_name,
            node_id=container.id,
            endpoints=self.endpoints,
            ca_pem=args.ca_cert_pem,
            password=args.elastic_password,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[container]),
        )

    def _volume(self, resource: str, volume_name: str, placed: PlacedHost, args: ElasticsearchClusterArgs) -> docker.Volume:
        return docker.Volume(
            resource,
            name=volume_name,
            labels=[docker.VolumeLabelArgs(label=k, value=v) for k, v in sorted(args.labels.items())],
            opts=pulumi.ResourceOptions(
                parent=self,
                provider=placed.provider,
                protect=args.protect_volumes,
                retain_on_delete=args.protect_volumes,
            ),
        )

    def _backup_permissions(self, name: str, args: ElasticsearchClusterArgs, placed: PlacedHost) -> docker.Container:
        """A new volume mounted where the image has no directory is root-owned; Elasticsearch
        runs as uid 1000 and must write snapshots there. A one-shot root container fixes it."""
        return c.root_one_shot(
            f"{name}-backup-permissions",
            placed=placed,
            product="elasticsearch",
            container_name=f"{args.cluster_name}-backup-permissions",
            script=f"chown {ES_USER.uid}:{ES_USER.gid} {args.repo_path} && chmod 2770 {args.repo_path}",
            mounts=[docker.ContainerMountArgs(type="volume", source=self.backup_volume.name, target=args.repo_path)],
            container_labels=c.labels(args.labels, role="backup-permissions"),
            # A failed chown shows in the snapshot repository's verify, which needs the write.
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _node(
        self, name: str, node: ElasticsearchNode, volume: docker.Volume, after: list[pulumi.Resource], args: ElasticsearchClusterArgs
    ) -> docker.Container:
        placed = args.hosts.host(node.host)
        cert = args.certificates[node.name]
        yml = es_yml.render_elasticsearch_yml(node_config(args, node))
        heap = es_yml.render_heap_options(node.heap_bytes)
        plain_files = {es_yml.CONFIG_DIR + "/elasticsearch.yml": yml, es_yml.HEAP_OPTIONS: heap}
        uploads = [
            c.upload(es_yml.CONFIG_DIR + "/elasticsearch.yml", yml),
            c.upload(es_yml.HEAP_OPTIONS, heap),
            c.upload(es_yml.CA_CERT, args.ca_cert_pem),
            c.upload(es_yml.NODE_CERT, cert.cert_pem),
        ]
        if args.settings.jvm_options:
            extra = es_yml.render_jvm_options(args.settings.jvm_options)
            plain_files[EXTRA_JVM_OPTIONS] = extra
            uploads.append(c.upload(EXTRA_JVM_OPTIONS, extra))
        container_name = f"{args.cluster_name}-{node.name}"
        secrets = install_secret_files(
            f"{name}-{node.name}-secret-files",
            placed=placed,
            product="elasticsearch",
            container_name=container_name,
            files=[SecretFile(NODE_KEY_NAME, cert.key_pem), SecretFile(PASSWORD_FILE_NAME, args.elastic_password)],
            base_labels=args.labels,
            # Installed when this node's turn in a rolling replacement comes, not before.
            opts=pulumi.ResourceOptions(parent=self, depends_on=after),
        )
        ports = []
        if node.http_port:
            ports.append(docker.ContainerPortArgs(internal=es_yml.HTTP_PORT, external=node.http_port, ip=args.bind_address))
        return c.service_container(
            f"{name}-{node.name}",
            placed=placed,
            product="elasticsearch",
            container_name=container_name,
            alias=node.name,
            envs=[f"ELASTIC_PASSWORD_FILE={PASSWORD_FILE}"],
            uploads=uploads,
            mounts=[
                docker.ContainerMountArgs(type="volume", source=volume.name, target=es_yml.DATA_DIR),
                docker.ContainerMountArgs(type="volume", source=self.backup_volume.name, target=args.repo_path),
            ],
            ports=ports,
            memory_bytes=node.memory_bytes,
            ulimit_spec=c.ES_ULIMITS,
            # Connecting to the readiness port needs no credentials; it opens once the node
            # has joined a cluster with an elected master (EXAMPLES.md 15).
            check=c.healthcheck(["CMD", "bash", "-c", f"exec 3<>/dev/tcp/127.0.0.1/{es_yml.READINESS_PORT}"], start_period="60s"),
            wait_timeout=WAIT_TIMEOUT_SECONDS,
            # A graceful shutdown flushes translogs; give it time before SIGKILL.
            grace_seconds=120,
            container_labels=c.labels(args.labels, role="elasticsearch", node=node.name, **{"config-hash": c.config_hash(plain_files)}),
            opts=pulumi.ResourceOptions(parent=self, depends_on=after),
            secrets=secrets,
        )
