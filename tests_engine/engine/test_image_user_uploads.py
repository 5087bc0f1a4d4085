"""Uploads (declared as the Elasticsearch nodes declare them, through ``service_container``) into
a container that runs as the Elasticsearch image's ``USER`` (``1000:0``), as the real image does
— on Debian 12's docker.io (20.10).

Found here, reported to the lead (a product decision, not changed by this test): the docker
provider sets ``CopyUIDGID`` on every upload that names an owner or group; the daemon then
ignores the tar's uid/gid and chowns to the container's configured user, which it looks up *as a
user name on the daemon host* (moby/moby#34142, #49213; docker/compose#12467 on Docker 27.4).
``"1000:0"`` is no user name, so the upload — and the node container — fail with
``getent unable to find entry "1000:0" in passwd database``.

Strict xfail: the day the daemon or the program handles it, this test passes and so fails the
run, and the mark must go.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pulumi.automation import errors as auto_errors

from components.containers import SERVICE_ULIMITS
from engine.harness import container_checks as cc
from engine.harness import declared as d
from engine.harness.dockerd import Dockerd
from engine.harness.probe_image import ProbeImage, parse_report
from engine.harness.programs import grantable_ulimits, service_container_program
from engine.harness.stacks import docker_host_override, new_stack, remove
from engine.harness.toolchain import Toolchain


@pytest.mark.xfail(strict=True, raises=auto_errors.CommandError,
                   reason='Docker looks the container USER "1000:0" up as a host user name when an upload names an owner')
def test_uploads_land_when_the_container_runs_as_the_es_image_user(
        engine: Toolchain, engine_base: Path, dockerd: Dockerd, probe_image: ProbeImage, probe_image_as_es_user: ProbeImage) -> None:
    """``probe_image`` tags the pinned Elastic names locally (DockerHosts must not pull)."""
    program = service_container_program(probe_image_as_es_user.tag, grantable_ulimits(SERVICE_ULIMITS))
    handle = new_stack(engine, "dev", program, engine_base, overrides=docker_host_override(dockerd.host), label="imageuser")
    try:
        try:
            handle.stack.up(on_output=lambda _line: None)
        except auto_errors.CommandError as err:
            if "getent unable to find entry" not in str(err):
                pytest.fail(f"up failed for another reason than the known one: {str(err)[-3000:]}")
            raise
        [node] = [c for c in d.of_type(d.declared_resources(handle), d.CONTAINER) if c.inputs.get("healthcheck")]
        logs = dockerd.docker("logs", node.name)
        cc.check_uploads(node, parse_report(logs.stdout.decode() + logs.stderr.decode()))
    finally:
        handle.stack.destroy(on_output=lambda _line: None)
        remove(handle)
