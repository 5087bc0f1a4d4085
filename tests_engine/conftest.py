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

``probe_image`` (session) -> ``engine.harness.probe_image.ProbeImage``
    A small image built here with debootstrap from Debian packages, whose entrypoint reports
    the files, env, mounts and limits it finds and listens on the ports a healthcheck dials.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
