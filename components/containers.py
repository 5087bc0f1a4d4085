"""Container conventions every service shares: restart, log rotation, limits, labels, uploads.

Kept in one place so an operator finds one answer to "how are our containers run".
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

import pulumi
import pulumi_docker as docker

from components.docker_hosts import PlacedHost

#: Docker's json-file driver keeps logs forever by default; rotate so a chatty node cannot
#: fill the host disk (50 MB x 5 per container).
LOG_OPTS = {"max-size": "50m", "max-file": "5"}
RESTART = "unless-stopped"
#: Elasticsearch's bootstrap checks want memlock unlimited and >= 65535 open files.
ES_ULIMITS = (("memlock", -1, -1), ("nofile", 65535, 65535))
SERVICE_ULIMITS = (("nofile", 65535, 65535),)
MIB = 1024**2
#: Private keys and password files: owner uid 1000 and group 0 (the images run as 1000:0), so
#: the file stays readable through the group even if an engine ignores the upload's owner.
SECRET_MODE = "0440"


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


def upload(path: str, content: pulumi.Input[str], *, owner: str, mode: str) -> docker.ContainerUploadArgs:
    """One file into the container (works on remote Docker hosts; no bind mount of local paths)."""
    return docker.ContainerUploadArgs(file=path, content=content, owner=owner, group="0", permissions=mode)


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
) -> docker.Container:
    """One long-running service container, run the way every container of the stack is run:
    restarted unless stopped, logs rotated, memory capped, healthy before ``up`` moves on, and
    replaced delete-first because its name is fixed."""
    return docker.Container(
        resource_name,
        name=container_name,
        hostname=alias,
        image=placed.images[product].image_id,
        envs=envs,
        uploads=uploads,
        mounts=mounts,
        networks_advanced=[docker.ContainerNetworksAdvancedArgs(name=placed.network.name, aliases=[alias])],
        ports=ports,
        memory=memory_mb(memory_bytes),
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
