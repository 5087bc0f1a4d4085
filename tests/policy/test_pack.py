"""policy/__main__.py served by the real pulumi-policy analyzer, driven over gRPC as the CLI does.

The pack is started the way ``policy/serve`` starts it for the CLI (``python -u -m pulumi.policy
<engine> <pack dir>``) and prints its port; the test then calls ConfigureStack (as the CLI does
first), GetAnalyzerInfo and AnalyzeStack with the resources the mock runtime recorded
(serialized properties with secret wrappers and unknowns, as the engine sends them). What this
does not prove: the CLI's own launch of the pack (measured by hand with the real CLI, see the
README's promotion section; no test of the fast suite needs the engine).
"""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import grpc
import pytest
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2 as proto
from pulumi.runtime.proto import analyzer_pb2_grpc

from components.preview.mock_run import Run
from policy.guardrails.registry import RULES
from tests.conftest import cached_run

ROOT = Path(__file__).resolve().parents[2]


def serve_pack(stack: str | None) -> Iterator[analyzer_pb2_grpc.AnalyzerStub]:
    """The pack as the CLI 3.274 starts it: no PULUMI_STACK in its environment; the stack comes in
    the ConfigureStack call the CLI makes first (None: a pack nobody told its stack)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PULUMI_STACK", "PULUMI_PROJECT")}
    pack = subprocess.Popen([sys.executable, "-u", "-m", "pulumi.policy", "127.0.0.1:1", str(ROOT / "policy")],
                            cwd=ROOT / "policy", env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        port = pack.stdout.readline().decode().strip()
        assert port.isdigit(), pack.stderr.read().decode()
        channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        stub = analyzer_pb2_grpc.AnalyzerStub(channel)
        if stack is not None:
            stub.ConfigureStack(proto.AnalyzerStackConfigureRequest(stack=stack, project="elk-stack", dry_run=True))
        yield stub
        channel.close()
    finally:
        pack.kill()
        pack.wait()


@pytest.fixture(scope="module")
def prod_pack() -> Iterator[analyzer_pb2_grpc.AnalyzerStub]:
    yield from serve_pack("prod")


@pytest.fixture(scope="module")
def dev_pack() -> Iterator[analyzer_pb2_grpc.AnalyzerStub]:
    yield from serve_pack("dev")


def request(run: Run) -> proto.AnalyzeStackRequest:
    resources = []
    for r in run.resources:
        props = struct_pb2.Struct()
        json_format.ParseDict(r.raw, props)
        resources.append(proto.AnalyzerResource(
            type=r.type, name=r.name, urn=r.urn, properties=props, parent=r.parent, dependencies=r.dependencies,
            options=proto.AnalyzerResourceOptions(protect=r.protect),
        ))
    return proto.AnalyzeStackRequest(resources=resources)


def diagnostics(stub: analyzer_pb2_grpc.AnalyzerStub, run: Run) -> list[tuple[str, str, int]]:
    response = stub.AnalyzeStack(request(run))
    return sorted((d.policyName, d.urn.rsplit("::", 1)[-1], d.enforcementLevel) for d in response.diagnostics)


def test_a_pack_not_told_its_stack_is_mandatory() -> None:
    for stub in serve_pack(None):
        assert {p.enforcementLevel for p in stub.GetAnalyzerInfo(empty_pb2.Empty()).policies} == {proto.MANDATORY}


def test_the_pack_offers_every_rule_mandatory_in_prod(prod_pack: analyzer_pb2_grpc.AnalyzerStub) -> None:
    info = prod_pack.GetAnalyzerInfo(empty_pb2.Empty())
    assert info.name == "elk-stack-guardrails"
    assert sorted(p.name for p in info.policies) == sorted(r.name for r in RULES)
    assert {p.enforcementLevel for p in info.policies} == {proto.MANDATORY}


def test_and_advisory_in_dev(dev_pack: analyzer_pb2_grpc.AnalyzerStub) -> None:
    info = dev_pack.GetAnalyzerInfo(empty_pb2.Empty())
    assert {p.enforcementLevel for p in info.policies} == {proto.ADVISORY}
    found = diagnostics(dev_pack, cached_run("dev"))
    assert {d[2] for d in found} == {proto.ADVISORY}
    assert ("data-volumes-protected", "elk-es-es01-data", proto.ADVISORY) in found


def test_prod_as_the_engine_sends_it(prod_pack: analyzer_pb2_grpc.AnalyzerStub) -> None:
    assert diagnostics(prod_pack, cached_run("prod")) == []


def test_a_violation_blocks_prod(prod_pack: analyzer_pb2_grpc.AnalyzerStub) -> None:
    from components.preview.mock_run import run_program

    found = diagnostics(prod_pack, run_program("prod", overrides={"kibana": {"heap": "1g", "memory": "2g", "port": 5601, "tls": False}}))
    assert ("tls-on-every-listener", "elk-kibana-container", proto.MANDATORY) in found


def test_a_secret_in_a_plain_input_is_caught_through_the_pack(prod_pack: analyzer_pb2_grpc.AnalyzerStub) -> None:
    """The engine keeps secret wrappers for analyzers; the pack reads them, so this rule works
    under the CLI too (pulumi-policy alone would hand it props without them)."""
    run = cached_run("prod")
    leaky = next(r for r in run.resources if r.name == "elk-kibana-container")
    plain_envs = dataclasses.replace(leaky, raw={**leaky.raw, "envs": leaky.raw["envs"]["value"]})
    found = diagnostics(prod_pack, Run(resources=[plain_envs if r is leaky else r for r in run.resources]))
    assert [d for d in found if d[0] == "no-secret-in-plain-input"] == [
        ("no-secret-in-plain-input", "elk-kibana-container", proto.MANDATORY)
    ] * 4


def test_unknown_values_of_a_preview_are_skipped_not_failed(prod_pack: analyzer_pb2_grpc.AnalyzerStub) -> None:
    previewed = diagnostics(prod_pack, cached_run("prod", preview=True))
    assert previewed == diagnostics(prod_pack, cached_run("prod"))
