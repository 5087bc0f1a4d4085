"""Fixtures for tests of the REAL Pulumi engine (run by ``scripts/engine-test.sh``, never by the fast suite).

Public fixtures (other layers, e.g. ``tests_engine/elasticsearch/``, code against these):

``engine`` (session) -> ``engine.harness.toolchain.Toolchain``
    The CLI and the three provider plugins rebuilt from upstream, installed into a temporary
    ``PULUMI_HOME`` with automatic plugin acquisition off. Skips the session (with the reason)
    when ``scripts/engine-test.sh`` did not prepare it (``ELK_ENGINE_ROOT`` unset).

``real_pki_credentials`` (session) -> ``Callable[[str], PkiCredentials]``
    Call it with a stack name (``"dev"`` or ``"prod"``): the first call per stack runs a real
    ``pulumi up`` of the project's ``Pki`` + ``Credentials`` components, fed from the real
    ``Pulumi.<stack>.yaml`` through ``components/settings/load.py``; later calls reuse it. The
    stack is destroyed at the end of the session. Returns (``engine/harness/outputs.py``)::

        PkiCredentials(
            stack="dev",
            settings=StackSettings,                 # what the settings loader returned
            ca_cert_pem="-----BEGIN CERTIFICATE-----...",
            certificates={                          # one per node and per service
                "es01": IssuedPems(cert_pem=..., key_pem=..., key_pkcs8_pem=...),
                "kibana": IssuedPems(...), "logstash": IssuedPems(...),
            },
            elastic_password="...",
            passwords={"elastic": ..., "kibana_system": ..., ...},   # every Credentials user
            kibana_keys={"encrypted_saved_objects": ..., "security": ..., "reporting": ...},
            stack_handle=EngineStack,               # the Automation API stack (state, outputs)
        )

``dockerd`` (session) -> ``engine.harness.dockerd.Dockerd``
    A real Docker engine (Debian's docker.io) started by the test run on its own socket and
    data root, stopped at the end (only the process it started). ``.host`` is the
    ``unix://`` URL to hand to the program (``DOCKER_HOST`` / ``docker_hosts``).

``daemons_for`` (session) -> ``Callable[[str], dict[str, Dockerd]]``
    One daemon per Docker host a stack file declares (prod: three), the first being ``dockerd``;
    hand ``dockerd.urls(...)`` to ``docker_host_override``.

``probe_image`` (session) -> ``engine.harness.probe_image.ProbeImage``
    A small image built here with debootstrap from Debian packages, whose entrypoint reports
    the files, env, mounts and limits it finds and listens on the ports a healthcheck dials.
    Tagged as every Elastic image the stack files pin (the provider finds it, never pulls).
    No ``USER``; ``probe_image_as_es_user`` is the same with the Elasticsearch image's USER.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from collections.abc import Callable, Iterator  # noqa: E402

import pytest  # noqa: E402

from components.containers import IMAGE_USERS  # noqa: E402
from components.docker_hosts import PRODUCTS, image_ref  # noqa: E402
from components.render.elasticsearch_yml import READINESS_PORT  # noqa: E402
from engine.harness import dockerd as dockerd_mod  # noqa: E402
from engine.harness import probe_image as probe_mod  # noqa: E402
from engine.harness.outputs import PkiCredentials, from_outputs  # noqa: E402
from engine.harness.programs import pki_credentials_program  # noqa: E402
from engine.harness.settings_of import load_for  # noqa: E402
from engine.harness.stacks import EngineStack, declared_host_names, new_stack, remove  # noqa: E402
from engine.harness.toolchain import Toolchain, from_environment  # noqa: E402

STACKS = ("dev", "prod")


@pytest.fixture(scope="session")
def engine() -> Toolchain:
    toolchain = from_environment()
    if toolchain is None:
        pytest.skip("real-engine tests need the toolchain: run scripts/engine-test.sh (it builds or reuses it)")
    return toolchain


@pytest.fixture(scope="session")
def engine_base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where stacks keep their project copies and file backends for this session."""
    return tmp_path_factory.mktemp("stacks")


@pytest.fixture(scope="session")
def dockerd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dockerd_mod.Dockerd]:
    daemon = dockerd_mod.start(tmp_path_factory.mktemp("dockerd"))
    try:
        yield daemon
    finally:
        daemon.stop()


def elastic_image_tags() -> tuple[str, ...]:
    """Every Elastic image name the committed stack files pin."""
    versions = {load_for(stack)[0].elastic_version for stack in STACKS}
    return tuple(image_ref(product, v) for product in PRODUCTS for v in sorted(versions))


@pytest.fixture(scope="session")
def probe_image(engine: Toolchain, dockerd: dockerd_mod.Dockerd) -> probe_mod.ProbeImage:
    """The probe with no ``USER`` (so Docker applies the uploads' declared owner and group, see
    test_docker_level), tagged as every pinned Elastic image so the provider uses it, never pulls."""
    return probe_mod.build(dockerd, engine.root.parent, user="", ports=(READINESS_PORT,), tags=elastic_image_tags())


@pytest.fixture(scope="session")
def daemons_for(tmp_path_factory: pytest.TempPathFactory, engine: Toolchain, dockerd: dockerd_mod.Dockerd,
                probe_image: probe_mod.ProbeImage) -> Iterator[Callable[[str], dict[str, dockerd_mod.Dockerd]]]:
    """``daemons_for(stack)``: one real daemon per Docker host the stack file declares (host name ->
    daemon), so a stack spread over hosts is ``up`` as placed, with no two hosts' networks or volumes
    sharing one daemon's names. The first host is ``dockerd``; the i-th further host is the i-th extra
    daemon of the session (``dockerd.EXTRA_DAEMON_FLAGS``), started once, with the same probe image."""
    extras: list[dockerd_mod.Dockerd] = []

    def get(stack: str) -> dict[str, dockerd_mod.Dockerd]:
        names = declared_host_names(stack)
        while len(extras) < len(names) - 1:
            extra = dockerd_mod.start(tmp_path_factory.mktemp("dockerd-extra"), extra=len(extras) + 1)
            extras.append(extra)
            probe_mod.build(extra, engine.root.parent, user=probe_image.user, ports=probe_image.ports, tags=elastic_image_tags())
        return dict(zip(names, [dockerd, *extras], strict=False))

    try:
        yield get
    finally:
        for daemon in extras:
            daemon.stop()


@pytest.fixture(scope="session")
def probe_image_as_es_user(engine: Toolchain, dockerd: dockerd_mod.Dockerd) -> probe_mod.ProbeImage:
    """The probe with the Elasticsearch image's ``USER`` (uid:gid from components/containers.py)."""
    user = IMAGE_USERS["elasticsearch"]
    return probe_mod.build(dockerd, engine.root.parent, user=f"{user.uid}:{user.gid}", ports=(READINESS_PORT,))


@pytest.fixture(scope="session")
def real_pki_credentials(engine: Toolchain, engine_base: Path) -> Iterator[Callable[[str], PkiCredentials]]:
    made: dict[str, PkiCredentials] = {}
    stacks: list[EngineStack] = []

    def get(stack: str) -> PkiCredentials:
        if stack not in made:
            handle = new_stack(engine, stack, pki_credentials_program(), engine_base, label="pki")
            stacks.append(handle)
            handle.stack.up(on_output=lambda _line: None)
            made[stack] = from_outputs(stack, load_for(stack)[0], handle.outputs_shown(), handle)
        return made[stack]

    try:
        yield get
    finally:
        for handle in stacks:
            handle.stack.destroy(on_output=lambda _line: None)
            remove(handle)
