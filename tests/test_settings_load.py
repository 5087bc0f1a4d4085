"""``load_settings()`` through Pulumi's config runtime, as ``pulumi up`` hands config over:
every value a string, structured values as JSON text, secrecy only as a list of secret keys.

Proof limit: the mock runtime, no engine; it proves how the loader reads the config it is
given, not what the Pulumi CLI writes into it (the CLI's YAML -> JSON step is mirrored by
``engine_value`` below).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml
from pulumi.runtime import config as runtime_config

from components.settings.load import OwnCa, load_settings
from components.settings.parse import TOP_LEVEL_KEYS, parse_settings
from components.settings.problems import Problems, SettingsError

ROOT = Path(__file__).resolve().parent.parent
PROJECT = "elk-stack"
CA_CERT = "-----BEGIN CERTIFICATE-----\nMIIBmock\n-----END CERTIFICATE-----\n"
CA_KEY = "-----BEGIN PRIVATE KEY-----\nMIIEmock-secret-key-material\n-----END PRIVATE KEY-----\n"


class NoResources(pulumi.runtime.Mocks):
    """Settings declare nothing; these mocks only stand in for the engine."""

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict]:
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, list | None]:
        return {}, None


class Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.warnings: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno == logging.WARNING:
            self.warnings.append(record.getMessage())


@pytest.fixture
def engine_log(monkeypatch: pytest.MonkeyPatch) -> Iterator[Recorder]:
    """What ``pulumi.log`` sent to the (mock) engine; config is reset after each test."""
    monkeypatch.delenv("PULUMI_CONFIG", raising=False)
    recorder = Recorder()
    logger = logging.getLogger("test_settings_load")
    logger.addHandler(recorder)
    logger.propagate = False
    try:
        yield recorder
    finally:
        logger.removeHandler(recorder)
        runtime_config.set_all_config({}, [])


def engine_value(value: Any) -> str:
    """The CLI passes every config value as text; mappings and lists as JSON."""
    if isinstance(value, str):
        return value
    return json.dumps(value)


def start(stack: str, values: dict[str, Any], secret_keys: tuple[str, ...] = ()) -> None:
    """Config for ``elk-stack:<key>`` (unless the key has its own namespace), then the mock runtime."""
    config = {key if ":" in key else f"{PROJECT}:{key}": engine_value(value) for key, value in values.items()}
    runtime_config.set_all_config(config, [f"{PROJECT}:{key}" for key in secret_keys])
    pulumi.runtime.set_mocks(NoResources(), project=PROJECT, stack=stack, logger=logging.getLogger("test_settings_load"))


def stack_values(stack: str) -> dict[str, Any]:
    config = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]
    return {key.removeprefix(f"{PROJECT}:"): value for key, value in config.items()}


def load_error() -> SettingsError:
    with pytest.raises(SettingsError) as caught:
        load_settings()
    return caught.value


def resolved(output: pulumi.Output[Any]) -> tuple[Any, bool]:
    """The value of an Output and whether it is secret, resolved by the mock runtime."""
    box: dict[str, Any] = {}

    @pulumi.runtime.test
    def resolve() -> pulumi.Output[Any]:
        return pulumi.Output.all(output, pulumi.Output.from_input(output.is_secret())).apply(lambda v: box.update(value=v[0], secret=v[1]))

    resolve()
    return box["value"], box["secret"]


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_stack_file_loads_through_pulumi_config_as_it_parses_from_yaml(engine_log: Recorder, stack: str) -> None:
    start(stack, stack_values(stack))
    settings, own_ca = load_settings()
    assert own_ca is None
    expected = parse_settings(stack_values(stack), Problems(f"Pulumi.{stack}.yaml"), own_ca=False)
    assert settings == expected
    assert settings.stack_file == f"Pulumi.{stack}.yaml"
    assert engine_log.warnings == []


def test_structured_values_arrive_as_json_text_and_are_parsed(engine_log: Recorder) -> None:
    start("prod", stack_values("prod"))
    raw_nodes = pulumi.Config(PROJECT).get("elasticsearch")
    assert isinstance(raw_nodes, str) and raw_nodes.startswith("{")
    settings, _ = load_settings()
    assert [n.name for n in settings.elasticsearch.nodes] == ["es01", "es02", "es03"]
    assert [n.http_port for n in settings.elasticsearch.nodes] == [9200, 9201, 9202]
    assert settings.index_management.replicas == 1
    assert settings.snapshots.schedule == "0 30 1 * * ?"


def test_boolean_text_is_read_as_a_boolean(engine_log: Recorder) -> None:
    start("prod", {**stack_values("prod"), "bootstrap": "false"})
    settings, _ = load_settings()
    assert settings.bootstrap is False


def test_a_version_that_looks_like_a_number_is_reported_as_a_bad_version(engine_log: Recorder) -> None:
    """``elastic_version: 8.19`` reaches the program as the text ``8.19``; it must not be called a number."""
    start("prod", {**stack_values("prod"), "elastic_version": "8.19"})
    error = load_error()
    assert [f"{error.stack_file}: {p.key}: {p.message}" for p in error.problems] == [
        "Pulumi.prod.yaml: elastic_version: '8.19' is not valid; expected MAJOR.MINOR.PATCH, e.g. 8.19.25",
    ]


def test_an_unknown_top_level_key_is_logged_as_a_warning_with_the_allowed_keys(engine_log: Recorder) -> None:
    start("prod", {**stack_values("prod"), "kibanna": {"port": 5601}, "docker:host": "unix:///var/run/docker.sock"})
    settings, _ = load_settings()
    assert settings.kibana.port == 5601
    allowed = ", ".join(sorted(TOP_LEVEL_KEYS))
    assert engine_log.warnings == [f"Pulumi.prod.yaml: kibanna: unknown key is ignored; allowed keys here: {allowed}"]


def test_warnings_are_logged_even_when_errors_stop_the_program(engine_log: Recorder) -> None:
    start("prod", {**stack_values("prod"), "kibana": {"heapsize": "1g", "port": 0}})
    error = load_error()
    assert [p.key for p in error.problems] == ["kibana.port"]
    assert engine_log.warnings == [
        "Pulumi.prod.yaml: kibana.heapsize: unknown key is ignored; allowed keys here: heap, host, memory, port, tls",
    ]


def test_a_ca_cert_without_its_key_is_an_error(engine_log: Recorder) -> None:
    start("prod", {**stack_values("prod"), "tls_ca_cert": CA_CERT})
    error = load_error()
    assert str(error) == (
        "1 invalid setting(s):\n"
        "  Pulumi.prod.yaml: tls_ca_key: tls_ca_cert and tls_ca_key go together; set both (the key with --secret) or neither"
    )


def test_a_ca_key_without_its_cert_is_an_error(engine_log: Recorder) -> None:
    start("prod", {**stack_values("prod"), "tls_ca_key": CA_KEY}, secret_keys=("tls_ca_key",))
    error = load_error()
    assert [f"{p.key}: {p.message}" for p in error.problems] == [
        "tls_ca_cert: tls_ca_cert and tls_ca_key go together; set both (the key with --secret) or neither",
    ]


def test_a_ca_key_not_stored_as_a_secret_is_an_error_that_says_use_secret(engine_log: Recorder) -> None:
    start("prod", {**stack_values("prod"), "tls_ca_cert": CA_CERT, "tls_ca_key": CA_KEY})
    error = load_error()
    assert str(error) == (
        "1 invalid setting(s):\n"
        "  Pulumi.prod.yaml: tls_ca_key: is stored in plain text; set it with `pulumi config set --secret tls_ca_key < ca.key`"
    )


def test_a_ca_cert_that_is_not_pem_is_an_error(engine_log: Recorder) -> None:
    start("prod", {**stack_values("prod"), "tls_ca_cert": "ca.crt", "tls_ca_key": CA_KEY}, secret_keys=("tls_ca_key",))
    error = load_error()
    assert [f"{p.key}: {p.message}" for p in error.problems] == [
        "tls_ca_cert: is not a PEM certificate (no '-----BEGIN CERTIFICATE-----' line); "
        "set it with `pulumi config set tls_ca_cert < ca.crt`",
    ]


def test_a_ca_key_that_is_not_pem_is_an_error_that_does_not_echo_the_key(engine_log: Recorder) -> None:
    start("prod", {**stack_values("prod"), "tls_ca_cert": CA_CERT, "tls_ca_key": "hunter2-not-a-key"}, secret_keys=("tls_ca_key",))
    error = load_error()
    assert [f"{p.key}: {p.message}" for p in error.problems] == [
        "tls_ca_key: is not a PEM private key (no '-----BEGIN ... PRIVATE KEY-----' line); "
        "set it with `pulumi config set --secret tls_ca_key < ca.key`",
    ]
    assert "hunter2" not in str(error)


def test_a_valid_own_ca_is_returned_as_outputs_with_the_key_secret(engine_log: Recorder) -> None:
    start("prod", {**stack_values("prod"), "tls_ca_cert": CA_CERT, "tls_ca_key": CA_KEY}, secret_keys=("tls_ca_key",))
    settings, own_ca = load_settings()
    assert settings.tls.own_ca is True
    assert isinstance(own_ca, OwnCa)
    assert resolved(own_ca.cert_pem) == (CA_CERT, False)
    assert resolved(own_ca.key_pem) == (CA_KEY, True)
    assert CA_KEY not in repr(settings)
    assert engine_log.warnings == []


def test_config_is_empty_again_after_a_test(engine_log: Recorder) -> None:
    """The fixture resets config; this test starts from whatever the previous one left."""
    assert {k for k in runtime_config.CONFIG.get() if k.startswith(f"{PROJECT}:")} == set()
