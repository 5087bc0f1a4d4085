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
    assert [(n.host, n.http_port, n.transport_port) for n in settings.elasticsearch.nodes] == [
        ("elk1", 9200, 9300), ("elk2", 9200, 9300), ("elk3", 9200, 9300)]
    assert [h.address for h in settings.docker_hosts] == ["10.0.1.11", "10.0.1.12", "10.0.1.13"]
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


def test_an_unknown_top_level_key_is_an_error_and_provider_keys_are_left_alone(engine_log: Recorder) -> None:
    start("prod", {**stack_values("prod"), "kibanna": {"port": 5601}, "docker:host": "unix:///var/run/docker.sock"})
    error = load_error()
    allowed = ", ".join(sorted(TOP_LEVEL_KEYS))
    assert [f"{p.key}: {p.message}" for p in error.problems] == [
        f"kibanna: unknown key (did you mean 'kibana'?); allowed keys here: {allowed}",
    ]
    assert engine_log.warnings == []


@pytest.mark.parametrize("namespace", ["elk_stack", "elkstack", "Elk-Stack", "elk-stak"])
def test_a_key_under_a_near_miss_of_the_namespace_is_an_error(engine_log: Recorder, namespace: str) -> None:
    start("prod", {**stack_values("prod"), f"{namespace}:volume_policy": "retain"})
    error = load_error()
    assert [f"{p.key}: {p.message}" for p in error.problems] == [
        f"{namespace}:volume_policy: is under the namespace {namespace!r}, which the program does not read; "
        "did you mean 'elk-stack:volume_policy'? Settings of this program live under 'elk-stack:'",
    ]


@pytest.mark.parametrize("key", ["docker:host", "tls:proxy", "random:x", "elasticstack:elasticsearch", "pulumi:disable-default-providers",
                                 "stack:owner", "aws:region"])
def test_keys_of_other_namespaces_are_left_alone(engine_log: Recorder, key: str) -> None:
    start("prod", {**stack_values("prod"), key: "x"})
    settings, _ = load_settings()
    assert settings.cluster_name == "mt4-prod"


def test_a_secret_value_where_names_come_from_is_refused_without_echoing_it(engine_log: Recorder) -> None:
    start("prod", {**stack_values("prod"), "cluster_name": "Hunter2-Secret!"}, secret_keys=("cluster_name",))
    error = load_error()
    assert "Hunter2" not in str(error)
    assert [f"{p.key}: {p.message}" for p in error.problems] == [
        "cluster_name: is set as a secret, but its values become container names, labels, rendered files and stack outputs, "
        "which are not secret; set it in plain text (`pulumi config set` without --secret). Only tls_ca_cert, tls_ca_key and "
        "alerting_email_password may be secret",
        "cluster_name: (the secret value) is not valid; expected lowercase letters, digits, - and _ (max 63)",
    ]


def test_no_secret_section_value_reaches_any_message(engine_log: Recorder) -> None:
    """Every bad value in a section set with --secret is reported by its key only."""
    values = stack_values("prod")
    values["elasticsearch"] = {**values["elasticsearch"], "allow_mmap": "S3cr3tA", "jvm_options": ["S3cr3tB", "-Xmx1g"]}
    values["elasticsearch"]["nodes"] = [{**values["elasticsearch"]["nodes"][0], "heap": "S3cr3tC", "roles": ["S3cr3tD"]}]
    start("prod", values, secret_keys=("elasticsearch",))
    error = load_error()
    assert "S3cr3t" not in str(error)
    assert {p.key for p in error.problems} >= {"elasticsearch", "elasticsearch.allow_mmap", "elasticsearch.nodes[0].heap",
                                               "elasticsearch.nodes[0].roles"}


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


def test_an_smtp_password_with_a_line_break_is_refused_without_echoing_it(engine_log: Recorder) -> None:
    """The keystore's ``--stdin`` keeps the first line: a pasted trailing newline would be a wrong password."""
    values = {**stack_values("prod"), "license": "trial",
              "alerting": {"watcher": True, "email": {"to": ["ops@mt4.example"], "host": "smtp.mt4.example", "port": 587,
                                                      "from": "elk@mt4.example", "user": "elk"}},
              "alerting_email_password": "Hunter2\nsecond-line"}
    start("prod", values, secret_keys=("alerting_email_password",))
    error = load_error()
    assert "Hunter2" not in str(error) and "second-line" not in str(error)
    assert [p.key for p in error.problems] == ["alerting_email_password"], [p.message for p in error.problems]
