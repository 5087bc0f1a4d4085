"""Prod stack on THREE real nodes: a cluster over transport TLS, and a node with another CA refused."""

from __future__ import annotations

import tempfile
from dataclasses import replace

import pytest

from engine.realserver.launcher import RunningNode, restart_with_certificates, wait_until
from engine.realserver.pki_openssl import make_pki
from tests_engine.elasticsearch import checks
from tests_engine.elasticsearch.conftest import StartedStack
from tests_engine.elasticsearch.stack_tests import StackContract


@pytest.fixture(scope="module")
def started(prod_stack: StartedStack) -> StartedStack:
    return prod_stack


class TestProdStack(StackContract):
    """Every stack's contract (stack_tests.py) against the three prod nodes, and the cluster's own tests."""

    def test_three_nodes_bootstrapped_together_form_one_cluster_seen_from_every_node(self, started: StartedStack) -> None:
        expected = sorted(n.node_name for n in started.inputs.nodes)
        assert expected == ["es01", "es02", "es03"]
        uuids = set()
        for node in started.cluster.nodes:
            assert checks.node_names(node.client()) == expected, node.spec.node_name
            state = node.client().request("GET", "/_cluster/state/metadata?filter_path=metadata.cluster_uuid")
            uuids.add(state.body["metadata"]["cluster_uuid"])
        assert len(uuids) == 1

    def test_transport_is_tls_with_the_stack_ca_and_requires_a_client_certificate(self, started: StartedStack) -> None:
        node = started.cluster.nodes[0]
        with tempfile.TemporaryDirectory() as tmp:
            with_cert = checks.transport_handshake(node.ports.transport, node.spec.ca_cert_pem, node.spec.node_name,
                                                   (node.spec.cert_pem, node.spec.key_pem), tmp)
            without = checks.transport_handshake(node.ports.transport, node.spec.ca_cert_pem, node.spec.node_name, None, tmp)
        print(f"transport of {node.spec.node_name}: with the stack's node certificate: {with_cert}; "
              f"without a client certificate: {without}")
        assert with_cert == "ok"
        assert without != "ok"

    @pytest.mark.spoils_cluster
    def test_a_node_with_a_certificate_from_another_ca_is_refused_by_the_cluster(self, started: StartedStack) -> None:
        """es03 restarts from its own folders with a certificate (and CA) from another PKI, same SANs: it
        serves HTTPS under that CA but never rejoins; the TLS refusal is in the logs. It stays out: the
        test is marked to run after the module's other tests (conftest.py), and the cluster stops next."""
        folder = started.cluster.folder
        nodes = started.cluster.nodes
        victim_index = next(i for i, n in enumerate(nodes) if n.spec.node_name == "es03")
        victim, others = nodes[victim_index], [n for n in nodes if n.spec.node_name != "es03"]
        files = next(n for n in started.inputs.nodes if n.node_name == "es03")
        foreign = make_pki("another-organisation", (files,), label="another CA (negative test)")
        pair = foreign.nodes["es03"]
        wait_until(lambda: checks.node_names(others[0].client()) == ["es01", "es02", "es03"], others, "three nodes before the test")
        # Only what the logs say from now on counts (the transport test provokes handshake errors too).
        seen_before = {n.spec.node_name: len(n.log_text()) for n in nodes}
        foreign_node = restart_with_certificates(folder, victim, ca_pem=foreign.ca_cert_pem, cert_pem=pair.cert_pem, key_pem=pair.key_pem)
        nodes[victim_index] = foreign_node
        foreign_client = replace(foreign_node.client(), ca_pem=foreign.ca_cert_pem)
        # Its HTTP layer is up (under the other CA) once it is trying to join.
        wait_until(lambda: foreign_client.request("GET", "/_cluster/health?local=true").status in (200, 503), [foreign_node],
                   "es03 with the foreign certificate to serve HTTPS")
        refusals = ("SSLHandshakeException", "PKIX path", "certificate_unknown", "bad_certificate",
                    "unable to find valid certification path")

        def new_log(n: RunningNode) -> str:
            return n.log_text()[seen_before[n.spec.node_name]:]

        wait_until(lambda: any(r in new_log(n) for n in nodes for r in refusals), nodes, "a TLS refusal in a node's log", timeout=90)
        assert checks.node_names(others[0].client()) == ["es01", "es02"]
        seen = sorted({r for n in nodes for r in refusals if r in new_log(n)})
        print(f"es03 with another CA's certificate: not admitted; logs show {seen}")
