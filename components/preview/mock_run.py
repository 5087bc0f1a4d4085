"""Runs the real ``__main__.py`` under Pulumi's mock runtime and records every registration.

A MockMonitor subclass records what the engine itself would receive (inputs as serialized,
parent, dependencies, provider, protect, retainOnDelete, deleteBeforeReplace), so options are
checked as the engine sees them. The whole-program tests and the rendered preview
(``python -m components.preview``) share this one recorder. Proof limit: this proves the
program's graph and inputs, not that Docker or Elasticsearch accept them.
"""

from __future__ import annotations

import hashlib
import json
import pickle
import runpy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import yaml
from google.protobuf import json_format
from pulumi.runtime import config as runtime_config
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc

ROOT = Path(__file__).resolve().parents[2]
PROJECT = "elk-stack"
SECRET_SIG = rpc._special_sig_key  # "4dabf18193072939515e22adb298388d"
SECRET_VALUE = rpc._special_secret_sig
#: What the preflight probe prints on a host with 64 GiB, the sysctl set and a rootful engine.
MOCK_PROBE_REPORT = "elk-preflight max_map_count=262144 mem_total_kib=67108864 memlock_soft=unlimited memlock_hard=unlimited"


@dataclass
class Registration:
    type: str
    name: str
    urn: str
    inputs: dict[str, Any]
    raw: dict[str, Any]
    """The serialized inputs, with secret wrappers intact."""
    parent: str
    dependencies: list[str]
    provider: str
    protect: bool
    retain_on_delete: bool
    delete_before_replace: bool
    deleted_with: str
    custom: bool


@dataclass
class Run:
    resources: list[Registration] = field(default_factory=list)
    stack_outputs_raw: dict[str, Any] = field(default_factory=dict)
    secret_values: set[str] = field(default_factory=set)
    """Every secret value the mocks produced (passwords, private keys)."""

    def of_type(self, type_: str) -> list[Registration]:
        return [r for r in self.resources if r.type == type_]

    def named(self, name: str) -> Registration:
        found = [r for r in self.resources if r.name == name]
        assert len(found) == 1, f"expected one resource named {name!r}, found {len(found)}"
        return found[0]

    def by_urn(self, urn: str) -> Registration:
        return next(r for r in self.resources if r.urn == urn)

    def names_of(self, type_: str) -> list[str]:
        return sorted(r.name for r in self.of_type(type_))


def unwrap(value: Any) -> Any:
    """The plain value under any secret wrappers (for asserting on inputs; ``raw`` keeps them)."""
    if isinstance(value, dict):
        if SECRET_SIG in value:
            return unwrap(value.get("value"))
        return {k: unwrap(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrap(v) for v in value]
    return value


def is_secret(raw: Any) -> bool:
    return isinstance(raw, dict) and SECRET_SIG in raw


class RecordingMocks(pulumi.runtime.Mocks):
    """Returns inputs as state, plus the computed outputs a real provider would fill in.

    In preview mode computed outputs are left out, so they stay unknown as in a real preview.
    """

    def __init__(self, run: Run, preview: bool) -> None:
        self.run = run
        self.preview = preview

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
        state = dict(args.inputs)
        if not self.preview:
            state.update(self._computed(args))
        return f"{args.name}-id", state

    def _computed(self, args: pulumi.runtime.MockResourceArgs) -> dict[str, Any]:
        t, n = args.typ, args.name
        if t == "random:index/randomPassword:RandomPassword":
            # Deterministic (not ``hash()``, which is salted per process) and as long as asked for,
            # like the real one: two previews diff cleanly and length checks see real lengths.
            length = int(args.inputs.get("length") or 32)
            value = ("mockpw" + hashlib.sha256(n.encode()).hexdigest() * 2)[:length]
            self.run.secret_values.add(value)
            return {"result": value}
        if t == "tls:index/privateKey:PrivateKey":
            pem = f"-----BEGIN RSA PRIVATE KEY-----\nmock-key-{n}\n-----END RSA PRIVATE KEY-----\n"
            pkcs8 = f"-----BEGIN PRIVATE KEY-----\nmock-pkcs8-{n}\n-----END PRIVATE KEY-----\n"
            self.run.secret_values.update({pem, pkcs8, f"mock-key-{n}", f"mock-pkcs8-{n}"})
            return {"private_key_pem": pem, "private_key_pem_pkcs8": pkcs8, "public_key_pem": f"PUB-{n}"}
        if t in ("tls:index/selfSignedCert:SelfSignedCert", "tls:index/locallySignedCert:LocallySignedCert"):
            # A re-issued certificate (other validity) has other content, as it would for real.
            serial = args.inputs.get("validityPeriodHours")
            return {"cert_pem": f"-----BEGIN CERTIFICATE-----\nmock-cert-{n}-{serial}\n-----END CERTIFICATE-----\n"}
        if t == "tls:index/certRequest:CertRequest":
            return {"cert_request_pem": f"CSR-{n}"}
        if t == "docker:index/container:Container" and args.inputs.get("attach"):
            # A one-shot container the provider waited for: it exited cleanly.
            return {"exit_code": 0, "container_logs": ""}
        if t == "docker:index/remoteImage:RemoteImage":
            return {"image_id": f"sha256:mock-{args.inputs.get('name')}", "repo_digest": f"{args.inputs.get('name')}@sha256:mock"}
        return {}

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list]:
        """Invokes: the preflight probe's logs answer as a host that meets every need
        (components/host_preflight.py); the mock monitor iterates the failures, so [] not None."""
        if args.token == "docker:index/getLogs:getLogs":
            return {"logsListStrings": [MOCK_PROBE_REPORT]}, []
        return {}, []


class RecordingMonitor(pulumi_mocks.MockMonitor):
    def __init__(self, mocks: RecordingMocks) -> None:
        super().__init__(mocks)
        self.run = mocks.run

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 - gRPC method name
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            self.run.resources.append(Registration(
                type=request.type,
                name=request.name,
                urn=response.urn,
                inputs=unwrap(rpc.deserialize_properties(request.object)),
                raw=json_format.MessageToDict(request.object),
                parent=request.parent,
                dependencies=list(request.dependencies),
                provider=request.provider,
                protect=request.protect,
                retain_on_delete=request.retainOnDelete,
                delete_before_replace=request.deleteBeforeReplace,
                deleted_with=request.deletedWith,
                custom=request.custom,
            ))
        return response

    def RegisterResourceOutputs(self, request: Any) -> Any:  # noqa: N802
        if request.urn.endswith(f"::{PROJECT}-" + request.urn.split("::")[-1].split("-", 2)[-1]) or "pulumi:pulumi:Stack" in request.urn:
            self.run.stack_outputs_raw = json_format.MessageToDict(request.outputs)
        return super().RegisterResourceOutputs(request)


def stack_config(stack: str, overrides: dict[str, Any] | None = None, stack_file: Path | None = None) -> dict[str, Any]:
    """The stack file's ``config:`` block (namespaced keys), with test overrides applied.

    ``stack_file`` reads another file than ``Pulumi.<stack>.yaml`` (a proposed change, a test case).
    """
    raw = yaml.safe_load((stack_file or ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]
    for key, value in (overrides or {}).items():
        full = key if ":" in key else f"{PROJECT}:{key}"
        if value is None:
            raw.pop(full, None)
        else:
            raw[full] = value
    return raw


def as_engine_config(values: dict[str, Any]) -> dict[str, str]:
    """The CLI hands config to the program as strings; structured values as JSON."""
    out = {}
    for key, value in values.items():
        if isinstance(value, str):
            out[key] = value
        else:
            out[key] = json.dumps(value)
    return out


def run_program(
    stack: str,
    *,
    preview: bool = False,
    overrides: dict[str, Any] | None = None,
    secret_keys: list[str] | None = None,
    stack_file: Path | None = None,
) -> Run:
    """Run ``__main__.py`` for ``Pulumi.<stack>.yaml`` (or ``stack_file``); raise what the program raises."""
    run = Run()
    mocks = RecordingMocks(run, preview)
    # pulumi.dynamic's serialize_provider wraps pickle._Pickler._batch_setitems once per dynamic
    # resource and never unwraps it: harmless in a real ``up`` (one program per process), but a
    # process that runs the program many times (the tests, the preview) nests deeper each run
    # until RecursionError. Restore the pickler after every run.
    pickler_methods = (pickle._Pickler._batch_setitems, pickle._Pickler.save_dict)  # type: ignore[attr-defined]
    runtime_config.set_all_config(as_engine_config(stack_config(stack, overrides, stack_file)), secret_keys or [])
    pulumi.runtime.set_mocks(mocks, project=PROJECT, stack=stack, preview=preview, monitor=RecordingMonitor(mocks))
    try:
        _execute()
    finally:
        runtime_config.set_all_config({}, [])
        pickle._Pickler._batch_setitems, pickle._Pickler.save_dict = pickler_methods  # type: ignore[attr-defined]
    return run


@pulumi.runtime.test
def _execute() -> pulumi.Output[Any]:
    runpy.run_path(str(ROOT / "__main__.py"), run_name="__main__")
    return pulumi.Output.from_input(None)
