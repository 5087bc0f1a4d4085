"""Container conventions every service shares: restart, log rotation, limits, labels, uploads.

Kept in one place so an operator finds one answer to "how are our containers run".
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pulumi
import pulumi_docker as docker

from components.docker_hosts import PlacedHost

if TYPE_CHECKING:
    from components.secret_files import InstalledSecrets

#: Docker's json-file driver keeps logs forever by default; rotate so a chatty node cannot
#: fill the host disk (50 MB x 5 per container).
LOG_OPTS = {"max-size": "50m", "max-file": "5"}
RESTART = "unless-stopped"
#: Elasticsearch's bootstrap checks want memlock unlimited and >= 65535 open files.
ES_ULIMITS = (("memlock", -1, -1), ("nofile", 65535, 65535))
SERVICE_ULIMITS = (("nofile", 65535, 65535),)
MIB = 1024**2


@dataclass(frozen=True)
class ImageUser:
    """The uid and primary gid an image runs its service as; its secret files are owned by these."""

    uid: str
    gid: str


#: Read from each 8.19 Dockerfile (sources in tests/contracts/images_8.19.json). The images differ:
#: Elasticsearch is ``USER 1000:0``; Kibana ``USER 1000`` (gid 1000, also in group 0); Logstash
#: ``USER 1000`` (gid 1000) and *not* in group 0, so group 0 is no fallback for it.
IMAGE_USERS: Mapping[str, ImageUser] = {
    "elasticsearch": ImageUser(uid="1000", gid="0"),
    "kibana": ImageUser(uid="1000", gid="1000"),
    "logstash": ImageUser(uid="1000", gid="1000"),
    # The Beats' images run as their own user (uid 1000); ours run as root (``BEATS_USER``), which
    # reading container logs, the Docker socket and the host's /proc needs (contract: run_as).
    "filebeat": ImageUser(uid="0", gid="0"),
    "metricbeat": ImageUser(uid="0", gid="0"),
}
#: The Beats' container user (see IMAGE_USERS).
BEATS_USER = "0:0"
#: Rendered configs and certificates: nothing secret, so root-owned and world-readable, which
#: every image user can read whatever its groups. Uploads name no owner: when one does, the
#: docker provider sets CopyUIDGID and the daemon chowns to the container's USER looked up *as a
#: name on the daemon host* ("getent unable to find entry \"1000:0\""; engine/README.md). Without
#: it the tar header's ids (0:0) and this mode are kept.
CONFIG_MODE = "0644"
#: Private keys and password files: readable by the image's user alone. Elasticsearch's
#: env-from-file step refuses any ``*_FILE`` file whose mode is not 400 or 600 (exit 1). They are
#: never uploads of a service container: components/secret_files.py installs them.
SECRET_MODE = "0400"


def config_hash(files: Mapping[str, str]) -> str:
    """sha256 over the non-secret rendered files, so ``docker inspect`` tells which config runs."""
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.encode() + b"\0" + files[path].encode() + b"\0")
    return digest.hexdigest()


def labels(base: Mapping[str, str], **extra: str) -> list[docker.ContainerLabelArgs]:
    merged = {**base, **extra}
    return [docker.ContainerLabelArgs(label=k, value=v) for k, v in sorted(merged.items())]


def ulimits(spec: tuple[tuple[str, int, int], ...]) -> list[docker.ContainerUlimitArgs]:
    return [docker.ContainerUlimitArgs(name=n, soft=s, hard=h) for n, s, h in spec]


def upload(path: str, content: pulumi.Input[str]) -> docker.ContainerUploadArgs:
    """One non-secret file into a container, root-owned ``CONFIG_MODE`` (works on remote Docker
    hosts; no bind mount of local paths). Secrets go through components/secret_files.py."""
    return docker.ContainerUploadArgs(file=path, content=content, permissions=CONFIG_MODE)


def root_one_shot(
    resource_name: str,
    *,
    placed: PlacedHost,
    product: str,
    container_name: str,
    script: pulumi.Input[str],
    mounts: list[docker.ContainerMountArgs],
    container_labels: list[docker.ContainerLabelArgs],
    uploads: list[docker.ContainerUploadArgs] | None = None,
    opts: pulumi.ResourceOptions,
) -> docker.Container:
    """A container that runs ``script`` once as root in ``product``'s image and exits: what the
    image's own user cannot do (own a fresh volume, hold a file only it may read). The provider
    waits for the exit (``attach``) and records ``exit_code``; fixed name, so a replacement
    removes the old, exited container first."""
    return docker.Container(
        resource_name,
        name=container_name,
        image=placed.images[product].image_id,
        user="0:0",
        entrypoints=["/bin/bash", "-c"],
        command=[script],
        uploads=uploads or [],
        mounts=mounts,
        attach=True,
        must_run=False,
        logs=True,
        labels=container_labels,
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(provider=placed.provider, delete_before_replace=True)),
    )


def volume(
    resource_name: str,
    *,
    placed: PlacedHost,
    volume_name: str,
    base_labels: Mapping[str, str],
    keep: bool,
    parent: pulumi.Resource | None,
    driver_opts: Mapping[str, str] | None = None,
) -> docker.Volume:
    """A named volume on ``placed``'s engine. Its inputs are names (and a driver's options) only,
    so a new version, heap or certificate never replaces it (DESIGN.md "Data is sacred").
    ``keep``: protected, and left on the engine by ``destroy`` (prod data); ``driver_opts`` go to
    Docker's ``local`` driver (an NFS export)."""
    return docker.Volume(
        resource_name,
        name=volume_name,
        driver="local" if driver_opts else None,
        driver_opts=dict(driver_opts) if driver_opts else None,
        labels=[docker.VolumeLabelArgs(label=k, value=v) for k, v in sorted(base_labels.items())],
        opts=pulumi.ResourceOptions(parent=parent, provider=placed.provider, protect=keep, retain_on_delete=keep),
    )


def per_host_name(cluster_name: str, product: str, host: str) -> str:
    """The container of a service that runs once per Docker host (a Beat): ``<cluster>-<product>-<host>``."""
    return f"{cluster_name}-{product}-{host}"


def beat_config_check(product: str) -> list[str]:
    """A Beat is healthy once its configuration loads, with the file-permission checks it applies
    at start (``strict.perms``); it does not depend on its output being up."""
    return ["CMD", product, "test", "config"]


def memory_mb(size_bytes: int) -> int:
    """pulumi-docker's ``memory`` is in MB."""
    return size_bytes // MIB


def healthcheck(test: list[str], *, start_period: str, interval: str = "10s", retries: int = 30) -> docker.ContainerHealthcheckArgs:
    """Durations are Go durations; ``tests`` is the command list (PITFALLS: pulumi-docker 5.2)."""
    return docker.ContainerHealthcheckArgs(tests=test, interval=interval, timeout="5s", retries=retries, start_period=start_period)


def service_container(
    resource_name: str,
    *,
    placed: PlacedHost,
    product: str,
    container_name: str,
    alias: str,
    envs: pulumi.Input[list[str]],
    uploads: list[docker.ContainerUploadArgs],
    ports: list[docker.ContainerPortArgs],
    mounts: list[docker.ContainerMountArgs],
    memory_bytes: int,
    ulimit_spec: tuple[tuple[str, int, int], ...],
    check: docker.ContainerHealthcheckArgs,
    wait_timeout: int,
    grace_seconds: int,
    container_labels: list[docker.ContainerLabelArgs],
    opts: pulumi.ResourceOptions,
    secrets: InstalledSecrets | None = None,
    user: str | None = None,
    host_binds: list[docker.ContainerVolumeArgs] | None = None,
    command: list[str] | None = None,
) -> docker.Container:
    """One long-running service container, run the way every container of the stack is run:
    restarted unless stopped, logs rotated, memory capped, healthy before ``up`` moves on, and
    replaced delete-first because its name is fixed. ``user`` overrides the image's USER and
    ``host_binds`` bind Docker-host directories (created when missing): the Beats only, which
    read the host (tests/contracts/images_8.19.json says why). ``secrets``: its secret files' volume,
    mounted read-only; the container waits for, and is replaced with, their installer. ``command``
    replaces the image's CMD, never its entrypoint (Elasticsearch's keystore wrapper only: the
    contract's ``command_wrapper``)."""
    if secrets is not None:
        mounts = [*mounts, secrets.mount]
        container_labels = [*container_labels, secrets.label]
        opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[secrets.installer]))
    return docker.Container(
        resource_name,
        name=container_name,
        hostname=alias,
        image=placed.images[product].image_id,
        user=user,
        command=command,
        volumes=host_binds,
        envs=envs,
        uploads=uploads,
        mounts=mounts,
        networks_advanced=[docker.ContainerNetworksAdvancedArgs(name=placed.network.name, aliases=[alias])],
        ports=ports,
        memory=memory_mb(memory_bytes),
        # Unset, the engine reports swap as twice the memory and every ``up`` shows a change;
        # equal to memory also means no swap, which Elasticsearch wants (bootstrap.memory_lock).
        memory_swap=memory_mb(memory_bytes),
        ulimits=ulimits(ulimit_spec),
        restart=RESTART,
        log_driver="json-file",
        log_opts=LOG_OPTS,
        healthcheck=check,
        wait=True,
        wait_timeout=wait_timeout,
        destroy_grace_seconds=grace_seconds,
        labels=container_labels,
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(provider=placed.provider, delete_before_replace=True)),
    )
