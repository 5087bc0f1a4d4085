"""No repr of the engine layers' objects holds a PEM or a password.

A failed assert prints the reprs of what it compared (a failed heap test once printed a node's
private key). Two checks: every dataclass of ``engine/`` and of the real-server fixtures keeps its
secret-named fields out of the repr (so a new field is caught), and the reprs of the objects a test
actually holds, built with known secret values and nested as the fixtures nest them, contain none
of those values.
"""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
import re
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import engine
from engine.harness.declared import Declared
from engine.harness.outputs import IssuedPems, PkiCredentials
from engine.harness.stacks import EngineStack
from engine.realserver.client import EsClient
from engine.realserver.launcher import NodeSpec, RealCluster, RunningNode
from engine.realserver.node_files import NodeLayout, NodePorts, Rewritten
from engine.realserver.pki_openssl import ClusterPki, IssuedPair
from engine.realserver.program_inputs import NodeFiles, ProgramInputs
from tests_engine.elasticsearch import conftest as es_conftest

KEY = "-----BEGIN RSA PRIVATE KEY-----\nS3CRETKEYMATERIAL\n-----END RSA PRIVATE KEY-----\n"
CERT = "-----BEGIN CERTIFICATE-----\nCERTMATERIAL\n-----END CERTIFICATE-----\n"
PASSWORD = "pw-Zq81-never-printed"
PASSPHRASE = "passphrase-never-printed"
SECRET_NAME = re.compile(r"password|passphrase|pem|secret|_keys$|^env$")
FORBIDDEN = ("-----BEGIN", "S3CRETKEYMATERIAL", "CERTMATERIAL", PASSWORD, PASSPHRASE)


def _modules() -> list[ModuleType]:
    found = [importlib.import_module(m.name) for m in pkgutil.walk_packages(engine.__path__, "engine.")]
    return [*found, es_conftest]


def _dataclasses(module: ModuleType) -> list[type]:
    return [v for v in vars(module).values()
            if isinstance(v, type) and dataclasses.is_dataclass(v) and v.__module__ == module.__name__]


def test_every_secret_named_dataclass_field_is_out_of_the_repr() -> None:
    shown = []
    checked = 0
    for module in _modules():
        for cls in _dataclasses(module):
            own_repr = "__repr__" in vars(cls) and not getattr(cls.__repr__, "__wrapped__", None)
            for f in dataclasses.fields(cls):
                if SECRET_NAME.search(f.name):
                    checked += 1
                    if f.repr and not own_repr:
                        shown.append(f"{module.__name__}.{cls.__name__}.{f.name}")
    assert checked >= 10, f"the scan found only {checked} secret-named fields: it no longer sees the modules"
    assert shown == [], f"secret-named fields in a dataclass repr: {shown}"


def _spec(name: str) -> NodeSpec:
    return NodeSpec(name, "node.name: x\n", {"heap.options": "-Xms512m\n-Xmx512m\n"}, PASSWORD, CERT, CERT, KEY, name)


def _held_objects(tmp: Path) -> list[object]:
    """The objects tests hold, nested as the fixtures nest them, filled with known secrets."""
    spec = _spec("es01")
    layout = NodeLayout(conf_dir=tmp / "c", data_dir=tmp / "d", logs_dir=tmp / "l", repo_dir=tmp / "r")
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    node = RunningNode(spec, layout, NodePorts(1, 2, 3), Rewritten({"node.name": "es01"}, {}, ()), process, tmp / "out", 0.0)
    pki = ClusterPki(CERT, {"es01": IssuedPair(CERT, KEY)}, "test")
    files = NodeFiles("es01", "node.name: es01\n", {"heap.options": "-Xmx1m"}, PASSWORD, ("es01",), ("127.0.0.1",))
    inputs = ProgramInputs("dev", run=[PASSWORD, KEY], nodes=(files,))  # type: ignore[arg-type]
    certs = es_conftest.Certificates("local-pki", pki, lambda _i: PASSWORD)
    cluster = RealCluster(folder=None, nodes=[node], seconds_to_green=1.0, repo_dir=tmp)  # type: ignore[arg-type]
    stack = EngineStack(stack=None, work_dir=tmp, state_dir=tmp, env={"PULUMI_CONFIG_PASSPHRASE": PASSPHRASE},  # type: ignore[arg-type]
                        toolchain=None)  # type: ignore[arg-type]
    creds = PkiCredentials("dev", settings=None, ca_cert_pem=CERT,  # type: ignore[arg-type]
                           certificates={"es01": IssuedPems(CERT, KEY, KEY)}, elastic_password=PASSWORD,
                           passwords={"elastic": PASSWORD}, kibana_keys={"security": PASSWORD}, stack_handle=stack)
    declared = Declared("docker:index/container:Container", "urn:x::es01", "es01",
                        {"uploads": [{"file": "/k", "content": KEY}], "envs": [f"P={PASSWORD}"]}, False, False)
    return [node, node.client(), EsClient(1, "es01", CERT, "elastic", PASSWORD), pki, inputs, certs, cluster, stack,
            creds, declared, es_conftest.StartedStack(inputs, certs, cluster, [spec, _spec("es02")])]


def test_reprs_of_held_objects_show_no_pem_and_no_password(tmp_path: Path) -> None:
    for obj in _held_objects(tmp_path):
        text = repr(obj)
        leaked = [f for f in FORBIDDEN if f in text]
        assert leaked == [], f"{type(obj).__name__} repr shows {len(leaked)} secret marker(s)"  # never the repr itself

