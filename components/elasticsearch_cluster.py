"""ElasticsearchCluster: node containers, their data volumes and the shared backup volume.

Volumes are resources of their own whose inputs depend only on names, so a new version, heap,
certificate or config replaces containers and never touches data (DESIGN.md "Data is sacred").
Across Docker hosts each node runs through its host's provider, publishes transport on the
host's address and is told how to be reached (``components/topology.py``); every host that runs
a node gets the backup volume, backed by the one NFS export of ``snapshots.nfs``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_docker as docker

from components import containers as c
from components.docker_hosts import DockerHosts, PlacedHost
from components.pki import IssuedCertificate
from components.providers.cluster_health import ClusterHealthGate
from components.render import elasticsearch_yml as es_yml
from components.secret_files import SecretFile, install_secret_files, secret_path
from components.settings.model import Elasticsearch, ElasticsearchNode, Nfs
from components.topology import NodeNetwork
from components.watcher_email_node import NodeEmail

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
    endpoints: tuple[str, ...]
    """HTTPS URLs of the published nodes as the program reaches them (``topology.endpoints``)."""
    node_networks: Mapping[str, NodeNetwork]
    """Per node name: seed hosts and publish settings (``topology.node_network``)."""
    backup_nfs: Nfs | None
    """The NFS export behind every host's backup volume; None: a plain local volume (one host)."""
    watcher_email: NodeEmail | None = None
    """Watcher's email account (and its password for the keystore), when a watch sends mail."""
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
    net = args.node_networks[node.name]
    return es_yml.NodeConfig(
        cluster_name=args.cluster_name,
        node_name=node.name,
        roles=node.roles,
        seed_hosts=net.seed_hosts,
        initial_master_nodes=masters if (args.bootstrap and not s.single_node) else (),
        single_node=s.single_node,
        repo_path=args.repo_path,
        allow_mmap=s.allow_mmap,
        license=args.license,
        publish_host=net.publish_host,
        transport_publish_port=net.transport_publish_port,
        http_publish_port=net.http_publish_port,
        docker_host=net.docker_host,
        email_account=args.watcher_email.account if args.watcher_email else None,
    )


def _backup_permissions_script(args: ElasticsearchClusterArgs) -> str:
    """A local volume is new and root-owned: give it to the Elasticsearch user. An NFS export is
    one directory for every host; with the usual root_squash root cannot chown it (the README has
    the operator give it to uid 1000 on the server), so it is changed only when not yet right."""
    owner = f"{ES_USER.uid}:{ES_USER.gid}"
    fix = f"chown {owner} {args.repo_path} && chmod 2770 {args.repo_path}"
    if args.backup_nfs is None:
        return fix
    return f'[ "$(stat -c %u:%g {args.repo_path})" = "{owner}" ] || {{ {fix}; }}'


def rolls_one_at_a_time(args: ElasticsearchClusterArgs) -> bool:
    """After bootstrap, each node waits for the previous one: never all masters at once."""
    return not args.bootstrap and not args.settings.single_node


class ElasticsearchCluster(pulumi.ComponentResource):
    containers: list[docker.Container]
    data_volumes: list[docker.Volume]
    backup_volume: docker.Volume
    """The first node's host's backup volume (the one a one-host stack has)."""
    backup_volumes: dict[str, docker.Volume]
    """Per Docker host that runs a node: its backup volume (the same NFS export across hosts)."""
    health_gates: list[ClusterHealthGate]
    """After bootstrap: one per node; the next node (and the end of ``up``) waits for it (cluster green)."""
    endpoints: list[str]
    """HTTPS URLs of the published nodes, for API-level resources."""

    def __init__(self, name: str, args: ElasticsearchClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("elk:components:ElasticsearchCluster", name, None, opts)
        first = args.settings.nodes[0].host
        first_host = args.hosts.host(first)
        hosts = list(dict.fromkeys(n.host for n in args.settings.nodes))
        # The first host's volume keeps the one-host resource name, so a one-host stack's backup
        # volume is never replaced by this change; other hosts' are named after their host.
        self.backup_volumes = {
            host: self._volume(f"{name}-backup" if host == first else f"{name}-{host}-backup", f"{args.cluster_name}-backup",
                               args.hosts.host(host), args, nfs=args.backup_nfs)
            for host in hosts
        }
        self.backup_volume = self.backup_volumes[first]
        backup_ready = self._backup_permissions(name, args, first_host)
        self.endpoints = list(args.endpoints)
        self.data_volumes, self.containers, self.health_gates = [], [], []
        previous: pulumi.Resource | None = None
        for node in args.settings.nodes:
            placed = args.hosts.host(node.host)
            volume = self._volume(f"{name}-{node.name}-data", f"{args.cluster_name}-{node.name}-data", placed, args)
            after: list[pulumi.Resource] = [backup_ready, self.backup_volumes[node.host], *args.host_checks]
            after += [previous] if previous is not None else []
            container = self._node(name, node, volume, after, args)
            self.data_volumes.append(volume)
            self.containers.append(container)
            # A gate after every node, the last too: the next node waits for it, and ``up`` ends
            # only once the cluster is healthy again, not while the last node's copies recover.
            if rolls_one_at_a_time(args):
                gate = self._health_gate(f"{name}-{node.name}-health", node.name, container, args)
                self.health_gates.append(gate)
                previous = gate
        self.register_outputs({
            "containers": self.containers,
            "data_volumes": self.data_volumes,
            "backup_volume": self.backup_volume,
            "backup_volumes": self.backup_volumes,
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

    def _volume(
        self, resource: str, volume_name: str, placed: PlacedHost, args: ElasticsearchClusterArgs, nfs: Nfs | None = None
    ) -> docker.Volume:
        """``nfs``: Docker's ``local`` driver mounts the export (type nfs, o addr=...,rw, device
        :<export>: the options moby's local driver takes, volume/local/local_unix.go)."""
        return c.volume(resource, placed=placed, volume_name=volume_name, base_labels=args.labels, keep=args.protect_volumes,
                        parent=self, driver_opts=nfs.driver_opts if nfs else None)

    def _backup_permissions(self, name: str, args: ElasticsearchClusterArgs, placed: PlacedHost) -> docker.Container:
        """A new volume mounted where the image has no directory is root-owned; Elasticsearch
        runs as uid 1000 and must write snapshots there. A one-shot root container fixes it."""
        return c.root_one_shot(
            f"{name}-backup-permissions",
            placed=placed,
            product="elasticsearch",
            container_name=f"{args.cluster_name}-backup-permissions",
            script=_backup_permissions_script(args),
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
        email = args.watcher_email
        for path, text in (email.plain_files() if email else {}).items():
            plain_files[path] = text
            uploads.append(c.upload(path, text))
        container_name = f"{args.cluster_name}-{node.name}"
        secrets = install_secret_files(
            f"{name}-{node.name}-secret-files",
            placed=placed,
            product="elasticsearch",
            container_name=container_name,
            files=[SecretFile(NODE_KEY_NAME, cert.key_pem), SecretFile(PASSWORD_FILE_NAME, args.elastic_password),
                   *(email.secret_files() if email else [])],
            base_labels=args.labels,
            # Installed when this node's turn in a rolling replacement comes, not before.
            opts=pulumi.ResourceOptions(parent=self, depends_on=after),
        )
        ports = []
        if node.http_port:
            ports.append(docker.ContainerPortArgs(internal=es_yml.HTTP_PORT, external=node.http_port, ip=args.bind_address))
        if node.transport_port:
            # Across hosts: the other nodes dial <host address>:<transport_port> (network.publish_host).
            ports.append(docker.ContainerPortArgs(internal=es_yml.TRANSPORT_PORT, external=node.transport_port, ip=args.bind_address))
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
                docker.ContainerMountArgs(type="volume", source=self.backup_volumes[node.host].name, target=args.repo_path),
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
            command=email.command() if email else None,
        )
