"""Fixtures for the smoke-check tests: certificates, fake servers and an in-process runner.

The helper modules sit next to this file under names unlikely to clash with other test
folders; this folder, ``scripts/`` and the project root (for the shared ``components`` field
list) are put on ``sys.path`` explicitly so the tests work under any pytest import mode.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SCRIPTS = ROOT / "scripts"
for entry in (str(HERE), str(SCRIPTS), str(ROOT)):
    if entry not in sys.path:
        sys.path.insert(0, entry)

from smoke_fakes import FakeCluster, start_elasticsearch, start_kibana, start_logstash  # noqa: E402
from smoke_pki import Pki, make_pki  # noqa: E402

#: Distinctive so a leak is unmistakable in captured output.
PASSWORD = "Sm0ke-Pa55w0rd-7f3e9c1d"

#: Fast timings: the fakes answer in microseconds, so polling every 5 ms is plenty.
FAST = ["--timeout", "5", "--interval", "0.005", "--request-timeout", "3"]


def load_smoke_script() -> ModuleType:
    """Import ``scripts/smoke.py`` by path, as a user's tooling would."""
    spec = importlib.util.spec_from_file_location("mt4_smoke_script", SCRIPTS / "smoke.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


Main = Callable[[list[str]], int]


@pytest.fixture(scope="session")
def smoke_main() -> Main:
    return load_smoke_script().main


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    if shutil.which("openssl") is None:
        pytest.skip("openssl CLI is needed to make test certificates")
    return make_pki(tmp_path_factory.mktemp("pki"), "smoke test CA")


@pytest.fixture(scope="session")
def rogue_pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    """A second, unrelated CA: the check must refuse servers it signed."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl CLI is needed to make test certificates")
    return make_pki(tmp_path_factory.mktemp("rogue"), "rogue CA")


@dataclass
class SmokeRun:
    """Exit status and captured streams of one in-process run."""

    code: int
    out: str
    err: str

    def rows(self) -> dict[str, tuple[str, str]]:
        """Table rows: check name -> (result, detail)."""
        rows = {}
        for line in self.out.splitlines()[1:]:
            parts = re.split(r"\s{2,}", line.strip(), maxsplit=2)
            if len(parts) >= 2 and parts[1] in ("PASS", "WARN", "FAIL", "SKIP"):
                rows[parts[0]] = (parts[1], parts[2] if len(parts) == 3 else "")
        return rows

    def result(self, name: str) -> str:
        return self.rows()[name][0]

    def detail(self, name: str) -> str:
        return self.rows()[name][1]


@dataclass
class Stack:
    """The fake stack plus the outputs ``pulumi stack output`` would print for it."""

    cluster: FakeCluster
    outputs: dict[str, object]
    directory: Path
    main: Main
    capsys: pytest.CaptureFixture[str]
    runs: list[SmokeRun] = field(default_factory=list)

    def write_outputs(self, outputs: object = None) -> Path:
        path = self.directory / f"outputs-{len(self.runs)}.json"
        path.write_text(json.dumps(self.outputs if outputs is None else outputs))
        return path

    def run(self, *extra: str, outputs: object = None) -> SmokeRun:
        """Run the smoke check in-process against the fakes."""
        self.capsys.readouterr()
        code = self.main(["--outputs-file", str(self.write_outputs(outputs)), *FAST, *extra])
        captured = self.capsys.readouterr()
        run = SmokeRun(code, captured.out, captured.err)
        self.runs.append(run)
        return run


StackFactory = Callable[..., Stack]


@pytest.fixture
def make_stack(
    pki: Pki,
    tmp_path: Path,
    smoke_main: Main,
    capsys: pytest.CaptureFixture[str],
) -> Iterator[StackFactory]:
    """Start fake Elasticsearch, Kibana and Logstash; options choose TLS per service."""
    with ExitStack() as cleanup:

        def factory(*, logstash_tls: bool = True, kibana_tls: bool = True, es_pki: Pki | None = None) -> Stack:
            cluster = FakeCluster(password=PASSWORD)
            es = start_elasticsearch(cluster, (es_pki or pki).server_context())
            cleanup.callback(es.stop)
            kibana = start_kibana(cluster, pki.server_context() if kibana_tls else None)
            cleanup.callback(kibana.stop)
            logstash = start_logstash(cluster, pki.server_context() if logstash_tls else None)
            cleanup.callback(logstash.stop)
            kibana_scheme = "https" if kibana_tls else "http"
            outputs: dict[str, object] = {
                "elasticsearch_url": f"https://127.0.0.1:{es.port}",
                "elasticsearch_endpoints": [f"https://127.0.0.1:{es.port}"],
                "kibana_url": f"{kibana_scheme}://127.0.0.1:{kibana.port}",
                "ca_certificate": pki.ca_pem,
                "elastic_password": PASSWORD,
                "logstash_tcp_endpoint": {"host": "127.0.0.1", "port": logstash.port, "tls": logstash_tls},
                "logstash_beats_endpoint": {"host": "127.0.0.1", "port": 1, "tls": True},
            }
            return Stack(cluster, outputs, tmp_path, smoke_main, capsys)

        yield factory


@pytest.fixture
def stack(make_stack: StackFactory) -> Stack:
    """The default fake stack: everything over TLS, everything healthy."""
    return make_stack()
