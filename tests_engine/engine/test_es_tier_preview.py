"""Part 5: real ``preview`` and ``preview --diff`` of the Elasticsearch tier (PKI, credentials,
Docker hosts, Elasticsearch cluster) against the mock inventory of the whole program.

Proves: the real engine with the real (rebuilt) plugins plans exactly the resources the mock
run of ``__main__.py`` records for those components, for both stack files; and on a tier that
is really up, a heap change of one node in a copy of the stack file replaces that node's
container and nothing else (README: a heap change replaces the node, data volumes untouched).
Cannot prove: the rest of the program (Access, IndexManagement, Logstash and Kibana need the
elasticstack provider, which cannot be built here).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from engine.harness.dockerd import Dockerd
from engine.harness.inventory import Item, PreviewRecorder, mock_inventory
from engine.harness.probe_image import ProbeImage
from engine.harness.programs import ES_TIER_TYPES, es_tier_program
from engine.harness.settings_of import load_for
from engine.harness.stacks import EngineStack, docker_host_override, new_stack, remove, stack_file_config
from engine.harness.toolchain import Toolchain

STACKS = ("dev", "prod")
CONTAINER = "docker:index/container:Container"
REPLACE_OPS = {"replace", "create-replacement", "delete-replaced"}


def _real_inventory(recorder: PreviewRecorder) -> set[Item]:
    return recorder.inventory(ES_TIER_TYPES)


@pytest.mark.parametrize("stack", STACKS)
def test_real_preview_plans_exactly_the_mock_inventory(engine: Toolchain, engine_base: Path, dockerd: Dockerd,
                                                      probe_image: ProbeImage, stack: str) -> None:
    handle = new_stack(engine, stack, es_tier_program(), engine_base, overrides=docker_host_override(dockerd.host), label="preview")
    try:
        recorder = PreviewRecorder()
        handle.stack.preview(on_event=recorder, on_output=lambda _line: None)
        real = _real_inventory(recorder)
        mock = mock_inventory(stack, ES_TIER_TYPES)
        assert real, "the real preview planned nothing under the tier's components"
        assert {op for op, _t, _u in recorder.steps if _t != "pulumi:pulumi:Stack"} <= {"create", "same"}
        assert real - mock == set(), "planned by the real engine but not in the mock inventory"
        assert mock - real == set(), "in the mock inventory but not planned by the real engine"
    finally:
        remove(handle)


def _heap_changed(stack: str) -> tuple[str, dict]:
    """A copy of the stack file's elasticsearch block with one node's heap lowered (still valid)."""
    config = stack_file_config(stack)
    es = yaml.safe_load(yaml.safe_dump(config["elk-stack:elasticsearch"]))
    node = es["nodes"][-1]
    node["heap"] = {"4g": "3g", "1g": "768m"}.get(str(node["heap"]), "512m")
    return node["name"], es


@pytest.fixture(scope="module")
def prod_tier_up(engine: Toolchain, engine_base: Path, dockerd: Dockerd, probe_image: ProbeImage) -> Iterator[EngineStack]:
    handle = new_stack(engine, "prod", es_tier_program(), engine_base, overrides=docker_host_override(dockerd.host), label="diff")
    handle.stack.up(on_output=lambda _line: None)
    try:
        yield handle
    finally:
        handle.cli("state", "unprotect", "--all", "--yes", check=False)
        handle.stack.destroy(on_output=lambda _line: None)
        for volume in dockerd.docker("volume", "ls", "-q", "--filter", "label=elk-stack.cluster=mt4-prod").stdout.decode().split():
            dockerd.docker("volume", "rm", "-f", volume, check=False)
        remove(handle)


def test_heap_change_of_one_node_replaces_only_its_container(prod_tier_up: EngineStack) -> None:
    handle = prod_tier_up
    node_name, es = _heap_changed("prod")
    settings = load_for("prod", {"elasticsearch": es})[0]
    assert [n.name for n in settings.elasticsearch.nodes if n.name == node_name], "the changed copy must still be valid"
    stack_file = handle.work_dir / "Pulumi.prod.yaml"
    content = yaml.safe_load(stack_file.read_text())
    content["config"]["elk-stack:elasticsearch"] = es
    stack_file.write_text(yaml.safe_dump(content, sort_keys=False))  # keeps encryptionsalt

    recorder, printed = PreviewRecorder(), []
    handle.stack.preview(diff=True, on_event=recorder, on_output=printed.append)
    changes = [(op, type_, urn) for op, type_, urn in recorder.changes() if type_ != "pulumi:pulumi:Stack"]
    changed_urns = {urn for _op, _t, urn in changes}
    [container_urn] = changed_urns
    assert container_urn.endswith(f"::elk-es-{node_name}"), container_urn
    assert all(t == CONTAINER for _op, t, _u in changes)
    assert {op for op, _t, _u in changes} <= REPLACE_OPS, changes
    text = "\n".join(printed)
    assert f"elk-es-{node_name}" in text and "replace" in text
