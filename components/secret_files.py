"""Secret files (private keys, password files) for a service container, owned by its image's user.

Why not uploads: the docker provider can only upload a file root-owned (header ids 0:0) or, when
an owner is named, with CopyUIDGID, which makes the daemon look the container's ``USER`` up as a
*name on the daemon host* and fail for ``1000:0`` (engine/README.md, reproduced on a real
dockerd). A root-owned 0400 file is unreadable for the image's user, and Elasticsearch's
entrypoint refuses a ``*_FILE`` secret whose mode is not 400/600 and reads it as uid 1000.

So a one-shot root container of the same image receives the secrets as root-only uploads and
``install``s each into a small volume of its own, owned by the image's user, mode 0400; the
service mounts that volume read-only at ``SECRETS_DIRS[product]`` and waits for the installer.
The service carries the installer's id in a label, so new secret content (a rotated password, a
re-issued key) replaces the installer and then the service. The installer's exit code is
checked during ``up``: a failed install stops the deployment before the service is created.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_docker as docker

from components import containers as c
from components.docker_hosts import PlacedHost
from components.render import elasticsearch_yml as es_yml
from components.render import filebeat_yml, kibana_yml, logstash_pipeline

#: Inside each image's config directory (Elasticsearch reads TLS files only from there), and
#: absent from every 8.19 image, so the mounted volume shows nothing of the image (no copy-up).
SECRETS_DIRS: Mapping[str, str] = {
    "elasticsearch": es_yml.SECRETS_DIR,
    "kibana": kibana_yml.SECRETS_DIR,
    "logstash": logstash_pipeline.SECRETS_DIR,
    "filebeat": filebeat_yml.SECRETS_DIR,
}
#: Where the installer receives the files: root-owned 0400, readable by root alone.
STAGING_DIR = "/run/elk-secret-staging"
#: The secrets directory after the install: the image user may list and read, nobody may write.
DIR_MODE = "0500"
ROLE = "secret-files"


@dataclass(frozen=True)
class SecretFile:
    name: str
    """File name inside the product's secrets directory (no slashes)."""
    content: pulumi.Input[str]


def secret_path(product: str, name: str) -> str:
    """Where the service reads secret file ``name``."""
    return f"{SECRETS_DIRS[product]}/{name}"


def install_script(product: str, names: Sequence[str]) -> str:
    """Pure: the installer's bash script. It empties the volume first (a file no longer declared
    must not linger), installs each staged file for the image user with ``SECRET_MODE``, then
    closes the directory. Prints file names only, never content."""
    user = c.IMAGE_USERS[product]
    target = SECRETS_DIRS[product]
    lines = ["set -euo pipefail", f"find {target} -mindepth 1 -delete"]
    for name in names:
        lines.append(f"install -o {user.uid} -g {user.gid} -m {c.SECRET_MODE} {STAGING_DIR}/{name} {target}/{name}")
    lines.append(f"chown {user.uid}:{user.gid} {target} && chmod {DIR_MODE} {target}")
    lines.append(f"echo installed {shlex.quote(' '.join(names))}")
    return "\n".join(lines)


class InstallerFailedError(RuntimeError):
    """The one-shot installer exited non-zero; its log names files, never their content."""


def _ready(args: list[object], *, container_name: str) -> str:
    """The label value that makes the service wait for, and be replaced with, the installer."""
    installer_id, exit_code, logs = args
    if exit_code != 0:
        raise InstallerFailedError(
            f"{container_name} (the secret-file installer) exited with {exit_code!r}; its log: {str(logs or '').strip()[-2000:]!r}. "
            "Nothing was started that needs these files; run `docker logs` on it for more and `pulumi up` again."
        )
    return str(installer_id)


@dataclass(frozen=True)
class InstalledSecrets:
    """What a service container needs to use the installed files."""

    volume: docker.Volume
    installer: docker.Container
    mount: docker.ContainerMountArgs
    label: docker.ContainerLabelArgs


def install_secret_files(
    resource_name: str,
    *,
    placed: PlacedHost,
    product: str,
    container_name: str,
    files: Sequence[SecretFile],
    base_labels: Mapping[str, str],
    opts: pulumi.ResourceOptions,
) -> InstalledSecrets:
    """The volume and installer for ``container_name``'s secret files. ``opts`` carry parent
    and ``depends_on`` (a rolling node installs only when its turn comes)."""
    names = [f.name for f in files]
    if not names or len(set(names)) != len(names) or any("/" in n or not n for n in names):
        raise ValueError(f"{container_name}: secret file names must be unique, non-empty and without '/': {names}")
    target = SECRETS_DIRS[product]
    # Holds nothing that is not re-installed on the next up: never protected, never retained,
    # so a destroy leaves no key behind on the host.
    volume = c.volume(f"{resource_name}-volume", placed=placed, volume_name=f"{container_name}-secrets",
                      base_labels={**base_labels, "role": ROLE}, keep=False, parent=opts.parent)
    installer = c.root_one_shot(
        resource_name,
        placed=placed,
        product=product,
        container_name=f"{container_name}-secret-files",
        script=install_script(product, names),
        uploads=[
            docker.ContainerUploadArgs(file=f"{STAGING_DIR}/{f.name}", content=pulumi.Output.secret(f.content), permissions=c.SECRET_MODE)
            for f in files
        ],
        mounts=[docker.ContainerMountArgs(type="volume", source=volume.name, target=target)],
        container_labels=c.labels(base_labels, role=ROLE, service=container_name),
        opts=opts,
    )
    ready = pulumi.Output.all(installer.id, installer.exit_code, installer.container_logs).apply(
        lambda v: _ready(v, container_name=f"{container_name}-secret-files")
    )
    return InstalledSecrets(
        volume=volume,
        installer=installer,
        mount=docker.ContainerMountArgs(type="volume", source=volume.name, target=target, read_only=True),
        label=docker.ContainerLabelArgs(label="secret-files", value=ready),
    )
