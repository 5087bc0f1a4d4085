"""The uploads of an Elasticsearch node into a container that runs as the Elasticsearch image's
``USER`` (``1000:0``), as the real image does — on Debian 12's docker.io (20.10).

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

from components.docker_hosts import image_ref
from engine.harness import declared as d
from engine.harness.dockerd import Dockerd
from engine.harness.probe_image import ProbeImage, parse_report
from engine.harness.programs import es_tier_program
from engine.harness.settings_of import load_for
from engine.harness.stacks import docker_host_override, new_stack, remove
from engine.harness.toolchain import Toolchain


@pytest.mark.xfail(strict=True, raises=auto_errors.CommandError,
                   reason='Docker looks the container USER "1000:0" up as a host user name when an upload names an owner')
def test_node_uploads_land_when_the_container_runs_as_the_image_user(
        engine: Toolchain, engine_base: Path, dockerd: Dockerd, probe_image: ProbeImage, probe_image_as_es_user: ProbeImage) -> None:
    settings = load_for("dev")[0]
    es_image = image_ref("elasticsearch", settings.elastic_version)
    dockerd.docker("tag", probe_image_as_es_user.tag, es_image)
    handle = new_stack(engine, "dev", es_tier_program(), engine_base, overrides=docker_host_override(dockerd.host), label="imageuser")
    try:
        handle.stack.up(on_output=lambda _line: None)
        for node in [c for c in d.of_type(d.declared_resources(handle), d.CONTAINER) if c.inputs.get("healthcheck")]:
            logs = dockerd.docker("logs", node.name)
            report = parse_report(logs.stdout.decode() + logs.stderr.decode())
            for upload in node.inputs["uploads"]:
                found = report.files[upload["file"]]
                assert (found.uid, found.gid) == (int(upload["owner"]), int(upload["group"]))
    finally:
        dockerd.docker("tag", probe_image.tag, es_image)
        handle.stack.destroy(on_output=lambda _line: None)
        remove(handle)
