"""Part 4b: one container through ``service_container`` (components/containers.py) on a real
dockerd, the image overridden to the probe (debootstrap-built here), uploads declared with the
product's own helpers and modes, fed with real certificates and the real elastic password.

Proves what the docker provider (rebuilt from upstream) does with the program's container
conventions: uploads land with the declared owner, group, mode and content (when the container
runs without a USER, see test_image_user_uploads for the image USER case), env, mount, ulimits,
memory, restart, log rotation and the healthcheck as declared, healthy before ``up`` returns.
The one value not the product's: nofile is lowered to what this machine's engine can grant
(hard limit 20000, no CAP_SYS_RESOURCE), so the ulimit check proves the mechanism, not 65535.
Cannot prove: that Elasticsearch reads these files (the probe is not Elasticsearch).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from components.containers import SERVICE_ULIMITS
from engine.harness import container_checks as cc
from engine.harness import declared as d
from engine.harness.dockerd import Dockerd, urls
from engine.harness.probe_image import ProbeImage, ProbeReport, parse_report
from engine.harness.programs import grantable_ulimits, service_container_program
from engine.harness.stacks import EngineStack, docker_host_override, new_stack, remove
from engine.harness.toolchain import Toolchain


class Probed:
    def __init__(self, handle: EngineStack, daemon: Dockerd) -> None:
        self.handle = handle
        self.containers = d.of_type(d.declared_resources(handle), d.CONTAINER)
        [self.container] = [c for c in self.containers if c.inputs.get("healthcheck")]
        logs = daemon.docker("logs", self.container.name)
        self.report: ProbeReport = parse_report(logs.stdout.decode() + logs.stderr.decode())
        self.inspect = json.loads(daemon.docker("container", "inspect", self.container.name).stdout)[0]


@pytest.fixture(scope="module", params=("dev", "prod"))
def probed(request: pytest.FixtureRequest, engine: Toolchain, engine_base: Path, dockerd: Dockerd,
           probe_image: ProbeImage, daemons_for: Callable[[str], dict[str, Dockerd]]) -> Iterator[Probed]:
    # The product's nofile 65535 is above what this machine's engine may grant (see grantable_ulimits).
    program = service_container_program(probe_image.tag, grantable_ulimits(SERVICE_ULIMITS))
    # One daemon per declared host (the stack's DockerHosts makes each host's network); the
    # container goes on the first host, which is ``dockerd``.
    handle = new_stack(engine, request.param, program, engine_base,
                       overrides=docker_host_override(urls(daemons_for(request.param)), request.param), label="service")
    try:
        handle.stack.up(on_output=lambda _line: None)
        yield Probed(handle, dockerd)
    finally:
        handle.stack.destroy(on_output=lambda _line: None)
        remove(handle)


def test_healthy_with_the_declared_healthcheck_restart_and_logs(probed: Probed) -> None:
    cc.check_healthcheck_and_runtime(probed.container, probed.inspect)


def test_uploads_land_with_the_declared_owner_group_mode_and_content(probed: Probed) -> None:
    cc.check_uploads(probed.container, probed.report)


def test_secret_files_reach_the_service_with_the_installed_owner_mode_and_content(probed: Probed) -> None:
    """Keys and the password are not uploads of the service: the installer (the stack's other
    container) installs them into the volume the service mounts read-only."""
    (installer,) = [c for c in probed.containers if c is not probed.container]
    cc.check_installed_secret_files(probed.container, installer, probed.report)


def test_directories_docker_creates_let_the_owner_through(probed: Probed) -> None:
    cc.check_upload_parents(probed.container, probed.report)


def test_env_mount_ulimits_and_memory_as_declared(probed: Probed) -> None:
    cc.check_env_mounts_limits_memory(probed.container, probed.report, probed.inspect)


def test_no_secret_in_the_container_config(probed: Probed) -> None:
    """The elastic password reaches the service as a file of the secret-file volume only: it is an
    upload of the one-shot installer (components/secret_files.py), never in the service's env,
    labels or command, nor uploaded to the service itself."""
    staged = [u for c in probed.containers for u in c.inputs.get("uploads", []) if u["file"].endswith("/elastic-password")]
    assert len(staged) == 1, "the installer stages the password file once"
    (secret,) = [u["content"] for u in staged]
    assert len(secret) >= 20
    assert secret not in json.dumps(probed.inspect["Config"])
    assert all(secret != u.get("content") for u in probed.container.inputs.get("uploads", []))
