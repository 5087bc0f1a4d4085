"""Uploads and secret files (declared as the Elasticsearch nodes declare them, through
``service_container`` and ``install_secret_files``) into a container that runs as the
Elasticsearch image's ``USER`` (``1000:0``), as the real image does — on Debian 12's docker.io.

What this settles for real: an upload that names an owner makes the docker provider set
CopyUIDGID, and the daemon then looks the container's USER up *as a user name on the daemon
host* (``getent unable to find entry "1000:0"``; moby/moby#34142). So uploads name no owner and
land root-owned 0644, and secret files come from a one-shot root installer into a read-only
volume, owned 1000:0 mode 0400 — which is what the image's entrypoint demands of
ELASTIC_PASSWORD_FILE. This test fails if either lands otherwise.
"""

from __future__ import annotations

import json
from pathlib import Path

from components.containers import SERVICE_ULIMITS
from engine.harness import container_checks as cc
from engine.harness import declared as d
from engine.harness.dockerd import Dockerd
from engine.harness.probe_image import ProbeImage, parse_report
from engine.harness.programs import grantable_ulimits, service_container_program
from engine.harness.stacks import docker_host_override, new_stack, remove
from engine.harness.toolchain import Toolchain


def test_uploads_and_secret_files_land_when_the_container_runs_as_the_es_image_user(
        engine: Toolchain, engine_base: Path, dockerd: Dockerd, probe_image: ProbeImage, probe_image_as_es_user: ProbeImage) -> None:
    """``probe_image`` tags the pinned Elastic names locally (DockerHosts must not pull)."""
    program = service_container_program(probe_image_as_es_user.tag, grantable_ulimits(SERVICE_ULIMITS))
    handle = new_stack(engine, "dev", program, engine_base, overrides=docker_host_override(dockerd.host), label="imageuser")
    try:
        handle.stack.up(on_output=lambda _line: None)
        containers = d.of_type(d.declared_resources(handle), d.CONTAINER)
        [node] = [c for c in containers if c.inputs.get("healthcheck")]
        [installer] = [c for c in containers if c.inputs.get("attach")]
        state = json.loads(dockerd.docker("inspect", "--format", "{{json .State}}", installer.name).stdout)
        assert state["ExitCode"] == 0, dockerd.docker("logs", installer.name).stdout.decode()[-2000:]
        logs = dockerd.docker("logs", node.name)
        report = parse_report(logs.stdout.decode() + logs.stderr.decode())
        cc.check_uploads(node, report)
        cc.check_installed_secret_files(node, installer, report)
        assert all("owner" not in u for u in node.inputs["uploads"]), "an owner would bring back the host lookup"
    finally:
        handle.stack.destroy(on_output=lambda _line: None)
        remove(handle)
