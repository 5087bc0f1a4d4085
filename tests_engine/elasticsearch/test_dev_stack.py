"""Dev stack on ONE real node: the project's files, TLS, password hand-over, API bodies, snapshot/restore."""

from __future__ import annotations

import pytest

from tests_engine.elasticsearch import checks
from tests_engine.elasticsearch.conftest import StartedStack
from tests_engine.elasticsearch.stack_tests import StackContract


@pytest.fixture(scope="module")
def started(dev_stack: StartedStack) -> StartedStack:
    return dev_stack


class TestDevStack(StackContract):
    """Every stack's contract (stack_tests.py) against the dev node, and what only dev has."""

    def test_dev_is_one_single_node_cluster(self, started: StartedStack) -> None:
        client = started.cluster.nodes[0].client()
        assert checks.node_names(client) == [n.node_name for n in started.inputs.nodes] == ["es01"]
        assert started.cluster.nodes[0].rewritten.settings["discovery.type"] == "single-node"
