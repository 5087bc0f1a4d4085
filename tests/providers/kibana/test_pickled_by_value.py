"""Each Kibana provider, serialized as Pulumi does, runs in a process that cannot import this
project (Pulumi's dynamic-provider process), and still talks to Kibana."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from components.providers.kibana.base import by_value
from components.providers.kibana.client import KibanaClient
from components.providers.kibana.connector import ConnectorProvider
from components.providers.kibana.data_view import DataViewProvider, DefaultDataViewProvider
from components.providers.kibana.rule import RuleProvider
from components.providers.kibana.saved_object import SavedObjectProvider
from components.providers.kibana.watch import WatchProvider
from tests.providers.kibana.fake_kibana import PASSWORD, USER, FakeKibana, serve

ROOT = str(Path(__file__).resolve().parents[3])


@pytest.mark.parametrize("provider_class", [DataViewProvider, DefaultDataViewProvider, SavedObjectProvider,
                                            ConnectorProvider, RuleProvider, WatchProvider], ids=lambda c: c.__name__)
def test_provider_runs_without_this_project(provider_class: type, tmp_path: Path) -> None:
    from pulumi.dynamic.dynamic import serialize_provider

    with by_value(provider_class):
        blob = serialize_provider(provider_class())
    assert provider_class.__module__.startswith("components.providers.kibana.")
    assert KibanaClient.__module__ == "components.providers.kibana.client"
    assert provider_class.serialize_as_secret_always is True
    (tmp_path / "provider.txt").write_text(blob)
    kibana = FakeKibana()
    with serve(kibana) as url:
        script = (
            "import base64, sys, dill\n"
            f"sys.path = [p for p in sys.path if p not in ('', '.', {ROOT!r})]\n"
            "provider = dill.loads(base64.b64decode(open('provider.txt').read()))\n"
            "assert 'components' not in sys.modules, sorted(m for m in sys.modules if m.startswith('components'))\n"
            f"conn = {{'url': {url!r}, 'username': {USER!r}, 'password': {PASSWORD!r}, 'ca_pem': ''}}\n"
            "props = {'object_id': 'not-there', 'object_type': 'dashboard', 'space': None, 'connection': conn,\n"
            "         'connector_type_id': '.index', 'rule_type_id': '.es-query', 'data_view_id': 'x'}\n"
            "print(type(provider).__name__, repr(provider.read('not-there', props).id))\n"
        )
        result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    expected_id = "'not-there'" if provider_class is DefaultDataViewProvider else "''"
    assert result.stdout.split() == [provider_class.__name__, expected_id]
    assert kibana.requests, "the provider process reached the fake Kibana"
