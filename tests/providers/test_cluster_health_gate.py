"""ClusterHealthGate against a real HTTPS server on 127.0.0.1 that answers like Elasticsearch's
cluster health API (8.19: 200 with the status, or 408 with ``timed_out: true`` when
``wait_for_status`` was not reached within ``timeout``)."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from components.providers import cluster_health as gate
from tests.smoke.smoke_pki import Pki, make_pki

PASSWORD = "s3cret-for-test"


def nodes_info(*versions: str) -> dict:
    """``GET _nodes?filter_path=nodes.*.version`` as 8.19 answers it: ``nodes.<node id>.version``
    (NodesInfoResponse.toXContent in the 8.19.21 server jar)."""
    return {"nodes": {f"node-id-{i}": {"version": v} for i, v in enumerate(versions)}}


class FakeCluster:
    """Answers ``_cluster/health`` from ``answers`` in order and ``_nodes`` with ``nodes``."""

    def __init__(self, answers: list[tuple[int, dict]], nodes: dict | None = None) -> None:
        self.answers = answers
        self.nodes = nodes if nodes is not None else nodes_info("8.19.25", "8.19.25", "8.19.25")
        self.requests: list[tuple[str, dict[str, list[str]], str]] = []

    def answer(self, path: str) -> tuple[int, dict]:
        if path == "/_nodes":
            return 200, self.nodes
        return self.answers.pop(0)


def handler_for(cluster: FakeCluster) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            url = urlparse(self.path)
            cluster.requests.append((url.path, parse_qs(url.query), self.headers.get("Authorization", "")))
            expected = "Basic " + base64.b64encode(f"elastic:{PASSWORD}".encode()).decode()
            code, body = (401, {"error": "unauthorized"}) if self.headers.get("Authorization") != expected else cluster.answer(url.path)
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_: object) -> None:
            pass

    return Handler


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("gate-pki"), "gate-test-ca")


def serve(cluster: FakeCluster, pki: Pki) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(cluster))
    server.socket = pki.server_context().wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def health(status: str, timed_out: bool = False, initializing: int = 0, relocating: int = 0) -> dict:
    """The fields of an 8.19 health answer the gate reads (ClusterHealthResponse in the 8.19.21 jar)."""
    return {"cluster_name": "mt4-prod", "status": status, "timed_out": timed_out, "number_of_nodes": 3,
            "initializing_shards": initializing, "relocating_shards": relocating}


def run_gate(endpoints: list[str], pki: Pki, deadline: float = 100.0, password: str = PASSWORD) -> dict:
    ticks = iter(range(0, 10_000, 10))
    return gate.wait_for_status(endpoints, status="green", username="elastic", password=password, ca_pem=pki.ca_pem,
                                deadline_seconds=deadline, clock=lambda: next(ticks), pause=lambda _: None)


def test_waits_through_timed_out_answers_until_green(pki: Pki) -> None:
    cluster = FakeCluster([(408, health("yellow", True)), (408, health("red", True)), (200, health("green"))])
    for url in serve(cluster, pki):
        body = run_gate([url], pki)
    assert body["status"] == "green"
    health_queries = [q for path, q, _ in cluster.requests if path == "/_cluster/health"]
    assert [q["wait_for_status"] for q in health_queries] == [["green"]] * 3
    assert all(q["timeout"] == ["30s"] for q in health_queries)


def test_a_node_that_does_not_answer_is_skipped_for_the_next_endpoint(pki: Pki) -> None:
    cluster = FakeCluster([(200, health("green"))])
    for url in serve(cluster, pki):
        body = run_gate(["https://127.0.0.1:1", url], pki)
    assert body["number_of_nodes"] == 3 and len(cluster.requests) == 1


def test_deadline_fails_with_the_last_answer_and_what_to_do(pki: Pki) -> None:
    cluster = FakeCluster([(408, health("yellow", True))] * 50)
    for url in serve(cluster, pki):
        with pytest.raises(RuntimeError) as error:
            run_gate([url], pki, deadline=25)
    assert "did not reach green within 25s" in str(error.value)
    assert "status yellow" in str(error.value) and "allocation/explain" in str(error.value)


def test_wrong_password_stops_at_once_without_echoing_it(pki: Pki) -> None:
    cluster = FakeCluster([])
    for url in serve(cluster, pki):
        with pytest.raises(RuntimeError) as error:
            run_gate([url], pki, password="wrong-password-xyz")
    assert "check the elastic password" in str(error.value) and "wrong-password-xyz" not in str(error.value)
    assert len(cluster.requests) == 1


def test_a_server_with_another_ca_is_not_trusted(pki: Pki, tmp_path: Path) -> None:
    other = make_pki(tmp_path / "other", "other-ca")
    cluster = FakeCluster([(200, health("green"))])
    for url in serve(cluster, other):
        with pytest.raises(RuntimeError, match="did not reach green"):
            run_gate([url], pki, deadline=5)
    assert cluster.requests == []


def test_provider_diff_waits_again_only_when_a_node_changed() -> None:
    provider = gate.ClusterHealthProvider()
    olds = {"node_id": "a", "endpoints": ["https://x:9200"], "status": "green", "username": "elastic", "password": "p",
            "ca_pem": "CA", "deadline_seconds": 1800, "node_name": "es01", "observed_status": "green"}
    assert provider.diff("id", olds, {**olds, "observed_status": None}).changes is False
    result = provider.diff("id", olds, {**olds, "node_id": "b"})
    assert result.changes is True and result.replaces == []


def test_serialized_provider_runs_in_a_process_that_cannot_import_this_project(tmp_path: Path) -> None:
    """Pulumi runs dynamic providers in their own process; the pickled provider must not need
    ``components`` to be importable there (proof: load it with the project off sys.path)."""
    import subprocess
    import sys

    from pulumi.dynamic.dynamic import serialize_provider

    with gate.pickled_by_value(gate.ClusterHealthProvider):
        blob = serialize_provider(gate.ClusterHealthProvider())
    assert gate.ClusterHealthProvider.__module__ == "components.providers.cluster_health"
    (tmp_path / "provider.txt").write_text(blob)
    script = (
        "import base64, sys, dill\n"
        f"sys.path = [p for p in sys.path if p not in ('', '.', {str(Path(__file__).resolve().parents[2])!r})]\n"
        "provider = dill.loads(base64.b64decode(open('provider.txt').read()))\n"
        "assert 'components' not in sys.modules, sorted(m for m in sys.modules if m.startswith('components'))\n"
        "olds = {'node_id': 'a', 'status': 'green'}\n"
        "print(provider.diff('x', olds, {**olds, 'node_id': 'b'}).changes, provider.health_url('https://h:9200/', 'green'))\n"
        "print(provider.node_versions({'nodes': {'a': {'version': '8.19.26'}, 'b': {'version': '8.19.25'}}}))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "True https://h:9200/_cluster/health?wait_for_status=green&timeout=30s",
        "['8.19.25', '8.19.26']",
    ]


# --- Rolling version upgrade: yellow is enough while the nodes' versions differ -----------------
# Elastic's rolling upgrade guide (8.19 "Upgrade Elasticsearch", step "Wait for the node to
# recover"): a primary on an upgraded node cannot put its replica on an older node, so the cluster
# may stay yellow until more nodes are upgraded; proceed once no shard is initializing or relocating.

MIXED = nodes_info("8.19.26", "8.19.25", "8.19.25")


def paths(cluster: FakeCluster) -> list[str]:
    return [path for path, _, _ in cluster.requests]


def test_yellow_with_mixed_versions_and_nothing_moving_lets_the_roll_go_on(pki: Pki) -> None:
    cluster = FakeCluster([(408, health("yellow", True))], nodes=MIXED)
    for url in serve(cluster, pki):
        body = run_gate([url], pki)
    assert body["status"] == "yellow" and body["node_versions"] == ["8.19.25", "8.19.26"]
    assert paths(cluster) == ["/_cluster/health", "/_nodes"]
    assert cluster.requests[1][1] == {"filter_path": ["nodes.*.version"]}


@pytest.mark.parametrize(
    ("initializing", "relocating"), [(2, 0), (0, 1)],
    ids=["a shard still initializing keeps the gate waiting", "a shard still relocating keeps the gate waiting"],
)
def test_yellow_with_mixed_versions_waits_while_shards_move(pki: Pki, initializing: int, relocating: int) -> None:
    cluster = FakeCluster([(408, health("yellow", True, initializing, relocating))] * 3 + [(408, health("yellow", True))], nodes=MIXED)
    for url in serve(cluster, pki):
        body = run_gate([url], pki)
    assert body["initializing_shards"] == 0 and body["relocating_shards"] == 0
    # Versions are asked only once nothing moves: four health rounds, one nodes request at the end.
    assert paths(cluster) == ["/_cluster/health"] * 4 + ["/_nodes"]


def test_yellow_with_equal_versions_waits_until_green(pki: Pki) -> None:
    cluster = FakeCluster([(408, health("yellow", True)), (408, health("yellow", True)), (200, health("green"))])
    for url in serve(cluster, pki):
        body = run_gate([url], pki)
    assert body["status"] == "green"
    assert paths(cluster) == ["/_cluster/health", "/_nodes", "/_cluster/health", "/_nodes", "/_cluster/health"]


def test_red_is_never_accepted_even_with_mixed_versions(pki: Pki) -> None:
    cluster = FakeCluster([(408, health("red", True))] * 50, nodes=MIXED)
    for url in serve(cluster, pki):
        with pytest.raises(RuntimeError, match="status red"):
            run_gate([url], pki, deadline=25)
    assert "/_nodes" not in paths(cluster)


def test_deadline_after_yellow_names_shards_and_versions_but_never_the_password(pki: Pki) -> None:
    cluster = FakeCluster([(408, health("yellow", True, initializing=1))] * 2 + [(408, health("yellow", True))] * 50)
    for url in serve(cluster, pki):
        with pytest.raises(RuntimeError) as error:
            run_gate([url], pki, deadline=45)
    message = str(error.value)
    assert f"{url}: HTTP 408, status yellow, initializing 0, relocating 0, node versions 8.19.25" in message
    assert "did not reach green" in message and "yellow" in message
    assert PASSWORD not in message and base64.b64encode(f"elastic:{PASSWORD}".encode()).decode() not in message


def test_deadline_while_shards_move_names_the_moving_shards(pki: Pki) -> None:
    cluster = FakeCluster([(408, health("yellow", True, initializing=3, relocating=1))] * 50, nodes=MIXED)
    for url in serve(cluster, pki):
        with pytest.raises(RuntimeError) as error:
            run_gate([url], pki, deadline=25)
    assert f"{url}: HTTP 408, status yellow, initializing 3, relocating 1" in str(error.value)


def test_nodes_refused_stops_at_once(pki: Pki) -> None:
    class Refusing(FakeCluster):
        def answer(self, path: str) -> tuple[int, dict]:
            return (403, {"error": "forbidden"}) if path == "/_nodes" else super().answer(path)

    cluster = Refusing([(408, health("yellow", True))])
    for url in serve(cluster, pki):
        with pytest.raises(RuntimeError, match="check the elastic password"):
            run_gate([url], pki)
    assert paths(cluster) == ["/_cluster/health", "/_nodes"]
