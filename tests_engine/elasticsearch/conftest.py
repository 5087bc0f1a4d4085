"""Fixtures of the real-server layer: Elastic's integ-test Elasticsearch 8.19 from Maven Central.

Runs under ``scripts/engine-test.sh`` beside the real-engine tests (or ``pytest tests_engine/elasticsearch``).
Skips, saying why, when Java >= 17 or Maven is missing. Certificates:

- ``real-pki-up``: from the real-engine tests' real ``up`` of the project's Pki + Credentials
  (``real_pki_credentials`` in tests_engine/conftest.py); the elastic password is the real one too.
- ``local-pki``: generated here with openssl (engine/realserver/pki_openssl.py) for the same SANs,
  only when the engine is absent, and every test id and the summary say so.

Exactly one of the two runs in a session; the other is skipped with the reason.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

# stack_tests.py holds tests collected by two modules; let pytest explain its failed asserts.
pytest.register_assert_rewrite("tests_engine.elasticsearch.stack_tests", "tests_engine.elasticsearch.checks")

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from components.settings.defaults import ELASTIC_VERSION  # noqa: E402
from engine.realserver import fetch as fetch_mod  # noqa: E402
from engine.realserver.java import find_java, missing_prerequisites  # noqa: E402
from engine.realserver.launcher import MACHINE_JVM_FILE, PRETOUCH, NodeSpec, RealCluster, RunFolder, start_cluster  # noqa: E402
from engine.realserver.pki_openssl import ClusterPki, IssuedPair, make_pki  # noqa: E402
from engine.realserver.program_inputs import ProgramInputs, program_inputs  # noqa: E402

REAL_PKI = "real-pki-up"
LOCAL_PKI = "local-pki"


@dataclass
class LayerReport:
    """What the terminal summary prints at the end of the session."""

    lines: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    def add(self, line: str) -> None:
        self.lines.append(line)
        print(line)


REPORT = LayerReport()


SPOILS = "spoils_cluster"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{SPOILS}: leaves its module's cluster changed; runs after every other test of the module")


def _cluster_of(item: pytest.Item) -> tuple[object, object]:
    """Which started cluster an item runs against: its module and its certificates' variant."""
    callspec = getattr(item, "callspec", None)
    return getattr(item, "module", None), callspec.params.get("pki_mode") if callspec else None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Move tests marked ``spoils_cluster`` right after the other tests of the same cluster (same module
    and same ``pki_mode`` variant; stable otherwise). After the module alone would put the real-PKI
    variant's test behind the local-PKI items, so its module's cluster would be stopped and a second
    one started just for it."""
    for item in [i for i in items if i.get_closest_marker(SPOILS)]:
        items.remove(item)
        same = [n for n, other in enumerate(items) if _cluster_of(other) == _cluster_of(item)]
        items.insert(same[-1] + 1 if same else len(items), item)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not REPORT.lines:
        return
    terminalreporter.section("real Elasticsearch (Maven Central integ-test build)")
    for line in REPORT.lines:
        terminalreporter.write_line(line)
    terminalreporter.write_line(f"real-server layer wall time: {time.monotonic() - REPORT.started:.1f}s")


@pytest.fixture(scope="session")
def distribution() -> fetch_mod.Distribution:
    missing = missing_prerequisites()
    if missing:
        reason = "real-server layer SKIPPED: " + "; ".join(missing)
        print(reason)
        pytest.skip(reason)
    dist = fetch_mod.fetch(say=print)
    REPORT.add(f"Elasticsearch {dist.version} (integ-test zip from Maven Central; test setting {fetch_mod.VERSION_ENV}) "
               f"beside the images' pin {ELASTIC_VERSION} (components/settings/defaults.py)")
    kind = "cold (downloaded, checked, unpacked)" if dist.cold else "warm (cache hit)"
    REPORT.add(f"fetch: {kind}, {dist.times.total:.1f}s: " + ", ".join(f"{n} {t:.1f}s" for n, t in dist.times.steps))
    return dist


@pytest.fixture(scope="session")
def run_folder(distribution: fetch_mod.Distribution) -> Iterator[RunFolder]:
    java = find_java()
    assert java is not None
    REPORT.add(f"Java {java.major} at {java.home}; heap pre-touch "
               + ("on (JVM default)" if PRETOUCH else f"off (jvm.options.d/{MACHINE_JVM_FILE}; ELK_REALSERVER_PRETOUCH=1 keeps it)"))
    folder = RunFolder(distribution.home, java)
    try:
        yield folder
    finally:
        folder.remove()


@dataclass(frozen=True)
class Certificates:
    mode: str
    pki: ClusterPki
    elastic_password: Callable[[ProgramInputs], str] = field(repr=False)


def _real_pki(request: pytest.FixtureRequest) -> Callable[[str], object] | str:
    """The engine's fixture, or the reason it is not available."""
    try:
        return request.getfixturevalue("real_pki_credentials")
    except pytest.skip.Exception as skipped:
        return str(skipped) or "real-engine fixture skipped"
    except pytest.FixtureLookupError:
        return "tests_engine/conftest.py has no real_pki_credentials fixture"


@pytest.fixture(scope="session", params=[REAL_PKI, LOCAL_PKI])
def pki_mode(request: pytest.FixtureRequest, distribution: fetch_mod.Distribution) -> Callable[[ProgramInputs], Certificates]:
    real = _real_pki(request)
    if request.param == REAL_PKI and isinstance(real, str):
        pytest.skip(f"certificates from the real Pki up are not available ({real}); the {LOCAL_PKI} variant runs instead")
    if request.param == LOCAL_PKI and not isinstance(real, str):
        pytest.skip(f"the real Pki up is available, so certificates come from it ({REAL_PKI}); {LOCAL_PKI} is only the fallback")
    made: dict[str, Certificates] = {}

    def for_stack(inputs: ProgramInputs) -> Certificates:
        if inputs.stack in made:
            return made[inputs.stack]
        if request.param == REAL_PKI:
            creds = real(inputs.stack)  # type: ignore[operator]
            pairs = {n.node_name: IssuedPair(creds.certificates[n.node_name].cert_pem, creds.certificates[n.node_name].key_pem)
                     for n in inputs.nodes}
            certs = Certificates(REAL_PKI, ClusterPki(creds.ca_cert_pem, pairs, "real pulumi up of the project's Pki"),
                                 lambda _inputs: creds.elastic_password)
        else:
            organization = inputs.nodes[0].elasticsearch_yml.split("cluster.name:", 1)[1].split()[0]
            certs = Certificates(LOCAL_PKI, make_pki(organization, inputs.nodes), lambda i: i.nodes[0].password)
        REPORT.add(f"{inputs.stack}: certificates {certs.pki.source}")
        made[inputs.stack] = certs
        return certs

    return for_stack


@pytest.fixture(scope="session")
def dev_inputs() -> ProgramInputs:
    return program_inputs("dev")


@pytest.fixture(scope="session")
def prod_inputs() -> ProgramInputs:
    return program_inputs("prod")


def node_specs(inputs: ProgramInputs, certs: Certificates, *, server_name: Callable[[str], str] = lambda node: node) -> list[NodeSpec]:
    """One spec per node: the program's files, the PKI's pair; HTTPS verified under the node-name SAN."""
    password = certs.elastic_password(inputs)
    return [
        NodeSpec(n.node_name, n.elasticsearch_yml, n.jvm_options, password, certs.pki.ca_cert_pem,
                 certs.pki.nodes[n.node_name].cert_pem, certs.pki.nodes[n.node_name].key_pem, server_name(n.node_name))
        for n in inputs.nodes
    ]


CertsFor = Callable[[ProgramInputs], Certificates]


@dataclass(frozen=True)
class StartedStack:
    inputs: ProgramInputs
    certs: Certificates
    cluster: RealCluster
    specs: list[NodeSpec]


def _start(stack_inputs: ProgramInputs, pki_mode: CertsFor, run_folder: RunFolder) -> Iterator[StartedStack]:
    certs = pki_mode(stack_inputs)
    specs = node_specs(stack_inputs, certs)
    cluster = start_cluster(run_folder, specs, name=stack_inputs.stack, say=print)
    REPORT.add(f"{stack_inputs.stack}: {len(specs)} node(s) [{certs.mode}] start -> green {cluster.seconds_to_green:.1f}s")
    try:
        yield StartedStack(stack_inputs, certs, cluster, specs)
    finally:
        cluster.stop()


# Module scope: one stack's nodes run at a time (the machine is small), each test module uses one.
@pytest.fixture(scope="module")
def dev_stack(dev_inputs: ProgramInputs, pki_mode: CertsFor, run_folder: RunFolder) -> Iterator[StartedStack]:
    yield from _start(dev_inputs, pki_mode, run_folder)


@pytest.fixture(scope="module")
def prod_stack(prod_inputs: ProgramInputs, pki_mode: CertsFor, run_folder: RunFolder) -> Iterator[StartedStack]:
    yield from _start(prod_inputs, pki_mode, run_folder)
