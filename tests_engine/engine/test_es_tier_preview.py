"""Part 5: real ``preview`` and ``preview --diff`` of the Elasticsearch tier (PKI, credentials,
Docker hosts, host preflight, Elasticsearch cluster) against the mock inventory of the whole program.

Proves: the real engine with the real (rebuilt) plugins plans exactly the resources the mock
run of ``__main__.py`` records for those components, for both stack files; and on a tier that
a heap change of one node in a copy of the stack file changes that node's container and nothing
else; on a container that really exists, ``preview --diff`` shows that change as a replacement
and nothing else (README: a heap change replaces the node, data volumes untouched).
Cannot prove: the rest of the program (Access, IndexManagement, Logstash and Kibana need the
elasticstack provider, which cannot be built here).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

from components.containers import SERVICE_ULIMITS
from engine.harness.dockerd import Dockerd
from engine.harness.inventory import Item, PreviewRecorder, mock_inventory
from engine.harness.probe_image import ProbeImage
from engine.harness.programs import ES_TIER_TYPES, PROBE_SERVICE, es_tier_program, grantable_ulimits, service_container_program
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
    handle = new_stack(engine, stack, es_tier_program(), engine_base, overrides=docker_host_override(dockerd.host, stack),
                       label="preview")
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


def _default_provider(urn: str) -> bool:
    return "::pulumi:providers:" in urn and urn.rsplit("::", 1)[-1].startswith("default")


def _previewed(engine: Toolchain, base: Path, daemon: Dockerd, stack: str, program: Callable[[], None],
               overrides: dict) -> PreviewRecorder:
    handle = new_stack(engine, stack, program, base, overrides={**docker_host_override(daemon.host, stack), **overrides},
                       label="heap")
    try:
        recorder = PreviewRecorder()
        handle.stack.preview(on_event=recorder, on_output=lambda _line: None)
        return recorder
    finally:
        remove(handle)


@pytest.mark.parametrize("stack", STACKS)
def test_heap_change_of_one_node_changes_only_that_nodes_container(engine: Toolchain, engine_base: Path, dockerd: Dockerd,
                                                                  probe_image: ProbeImage, stack: str) -> None:
    """Planned inputs of every resource of the tier, as committed and with one heap changed:
    only that node's container differs (its heap upload and config-hash label). Real previews of
    fresh stacks: on this machine no node container can exist to diff against (see the preflight
    test), so the replacement itself is shown by the next test on a container that does exist."""
    node_name, es = _heap_changed(stack)
    before = _previewed(engine, engine_base, dockerd, stack, es_tier_program(), {})
    after = _previewed(engine, engine_base, dockerd, stack, es_tier_program(), {"elasticsearch": es})
    assert set(before.inputs) == set(after.inputs)
    # Default providers are the engine's own (their inputs carry per-run values), not the program's.
    differing = {urn for urn in before.inputs if before.inputs[urn] != after.inputs[urn] and not _default_provider(urn)}
    assert differing == {next(u for u in before.inputs if u.endswith(f"{CONTAINER}::elk-es-{node_name}"))}


@pytest.fixture(scope="module")
def probe_service_up(engine: Toolchain, engine_base: Path, dockerd: Dockerd, probe_image: ProbeImage) -> Iterator[EngineStack]:
    """A real service_container (heap upload from node 1's heap) that really exists on the daemon."""
    program = service_container_program(probe_image.tag, grantable_ulimits(SERVICE_ULIMITS))
    handle = new_stack(engine, "dev", program, engine_base, overrides=docker_host_override(dockerd.host, "dev"), label="diff")
    handle.stack.up(on_output=lambda _line: None)
    try:
        yield handle
    finally:
        handle.stack.destroy(on_output=lambda _line: None)
        remove(handle)


def test_preview_diff_of_a_heap_change_replaces_only_the_container(probe_service_up: EngineStack) -> None:
    """Real ``preview --diff`` on a real state: the container whose heap upload changes is
    replaced (delete-first, its name is fixed), nothing else changes."""
    handle = probe_service_up
    config = stack_file_config("dev")
    es = yaml.safe_load(yaml.safe_dump(config["elk-stack:elasticsearch"]))
    es["nodes"][0]["heap"] = "768m"
    load_for("dev", {"elasticsearch": es})  # the changed copy must still pass the settings rules
    stack_file = handle.work_dir / "Pulumi.dev.yaml"
    content = yaml.safe_load(stack_file.read_text())
    content["config"]["elk-stack:elasticsearch"] = es
    stack_file.write_text(yaml.safe_dump(content, sort_keys=False))  # keeps encryptionsalt

    recorder, printed = PreviewRecorder(), []
    handle.stack.preview(diff=True, on_event=recorder, on_output=printed.append)
    changes = [(op, type_, urn) for op, type_, urn in recorder.changes() if type_ != "pulumi:pulumi:Stack"]
    assert {urn for _op, _t, urn in changes} == {u for _op, t, u in changes if t == CONTAINER and u.endswith(f"::{PROBE_SERVICE}")}
    assert changes, "the heap change planned nothing"
    assert {op for op, _t, _u in changes} <= REPLACE_OPS, changes
    text = "\n".join(printed)
    assert "+-1 to replace" in text and f"::{PROBE_SERVICE}]" in text and "uploads" in text
