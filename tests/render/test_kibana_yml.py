"""kibana.yml: parsed YAML, every key documented for 8.19, values and secrets handling."""

from __future__ import annotations

import fnmatch
import json
import re
from pathlib import Path

import pytest
import yaml

from components.render.kibana_yml import (
    DEFAULT_CA_PATH,
    DEFAULT_SERVER_CERTIFICATE_PATH,
    DEFAULT_SERVER_KEY_PATH,
    KibanaYmlOptions,
    render_kibana_yml,
)

CONTRACT = json.loads((Path(__file__).parents[1] / "contracts" / "kibana_settings_8.19.json").read_text())
SECRET_KEYS = {
    "elasticsearch.password",
    "xpack.encryptedSavedObjects.encryptionKey",
    "xpack.security.encryptionKey",
    "xpack.reporting.encryptionKey",
}


def parsed(**overrides: object) -> dict[str, object]:
    return yaml.safe_load(render_kibana_yml(KibanaYmlOptions(**overrides)))  # type: ignore[arg-type]


def documented(key: str) -> str | None:
    """The contract pattern that documents ``key`` (``*`` = a user-chosen name), if any."""
    return next((pattern for pattern in CONTRACT["settings"] if fnmatch.fnmatchcase(key, pattern)), None)


@pytest.mark.parametrize("server_tls", [True, False])
@pytest.mark.parametrize("log_layout", ["json", "pattern"])
def test_every_key_is_a_documented_8_19_setting_with_an_allowed_value(server_tls: bool, log_layout: str) -> None:
    public = "https://kibana.example:5601" if server_tls else "http://kibana.example:5601"
    settings = parsed(server_tls=server_tls, public_base_url=public, log_layout=log_layout)
    undocumented = [key for key in settings if documented(key) is None]
    assert undocumented == []
    for key, value in settings.items():
        allowed = CONTRACT["allowed_values"].get(documented(key))
        if allowed is not None:
            assert value in allowed, key


@pytest.mark.parametrize("server_tls", [True, False])
def test_server_and_elasticsearch_settings(server_tls: bool) -> None:
    settings = parsed(server_tls=server_tls, public_base_url="https://kibana.example", server_name="kb-1")
    expected = {
        "server.host": "0.0.0.0",
        "server.port": 5601,
        "server.name": "kb-1",
        "server.publicBaseUrl": "https://kibana.example",
        "server.shutdownTimeout": "5s",
        "server.ssl.enabled": server_tls,
        "elasticsearch.hosts": ["https://elasticsearch:9200"],
        "elasticsearch.username": "kibana_system",
        "elasticsearch.password": "${KIBANA_SYSTEM_PASSWORD}",
        "elasticsearch.ssl.certificateAuthorities": [DEFAULT_CA_PATH],
        "elasticsearch.ssl.verificationMode": "full",
    }
    if server_tls:
        expected |= {"server.ssl.certificate": DEFAULT_SERVER_CERTIFICATE_PATH, "server.ssl.key": DEFAULT_SERVER_KEY_PATH}
    assert {key: value for key, value in settings.items() if key.startswith(("server.", "elasticsearch."))} == expected


def test_server_certificate_keys_only_with_tls() -> None:
    assert not {key for key in parsed(server_tls=False) if key.startswith("server.ssl.") and key != "server.ssl.enabled"}
    assert {"server.ssl.certificate", "server.ssl.key"} <= set(parsed(server_tls=True))


def test_product_settings() -> None:
    settings = parsed()
    assert settings["telemetry.optIn"] is False
    assert settings["telemetry.allowChangingOptInStatus"] is False
    assert settings["xpack.reporting.roles.enabled"] is False
    assert settings["monitoring.ui.container.elasticsearch.enabled"] is True
    assert settings["monitoring.kibana.collection.enabled"] is False, "Metricbeat collects for Stack Monitoring"


@pytest.mark.parametrize(("layout", "level"), [("json", "info"), ("pattern", "debug")])
def test_logging_goes_to_one_stdout_console_appender(layout: str, level: str) -> None:
    settings = parsed(log_layout=layout, log_level=level)
    logging = {key: value for key, value in settings.items() if key.startswith("logging.")}
    assert logging == {
        "logging.appenders.stdout.type": "console",
        "logging.appenders.stdout.layout.type": layout,
        "logging.root.appenders": ["stdout"],
        "logging.root.level": level,
    }


def test_secrets_are_env_references_and_nothing_else_is() -> None:
    options = KibanaYmlOptions(
        elasticsearch_password_env="KB_SYS_PW",
        encrypted_saved_objects_key_env="KB_ESO_KEY",
        security_encryption_key_env="KB_SEC_KEY",
        reporting_encryption_key_env="KB_REP_KEY",
    )
    settings = yaml.safe_load(render_kibana_yml(options))
    references = {key: value for key, value in settings.items() if "${" in str(value)}
    assert references == {
        "elasticsearch.password": "${KB_SYS_PW}",
        "xpack.encryptedSavedObjects.encryptionKey": "${KB_ESO_KEY}",
        "xpack.security.encryptionKey": "${KB_SEC_KEY}",
        "xpack.reporting.encryptionKey": "${KB_REP_KEY}",
    }
    assert set(references) == SECRET_KEYS
    text = render_kibana_yml(options)
    assert sorted(re.findall(r"\$\{([^}]*)\}", text)) == sorted(options.env_var_names())


def test_rendering_is_deterministic() -> None:
    assert render_kibana_yml(KibanaYmlOptions()) == render_kibana_yml(KibanaYmlOptions())
    assert render_kibana_yml(KibanaYmlOptions()).startswith("# Rendered by elk-stack")


def test_contract_sources_are_8_19_pages() -> None:
    for key, source in CONTRACT["settings"].items():
        assert source.startswith("https://www.elastic.co/guide/en/kibana/8.19/"), key


@pytest.mark.parametrize(
    "overrides",
    [
        {"public_base_url": "https://kibana.example/"},
        {"public_base_url": "kibana.example"},
        {"elasticsearch_hosts": ("http://elasticsearch:9200",)},
        {"elasticsearch_hosts": ()},
        {"elasticsearch_password_env": "not-a-name"},
        {"security_encryption_key_env": "KIBANA_SYSTEM_PASSWORD"},
        {"server_key_path": "certs/kibana.key"},
        {"server_port": 0},
        {"shutdown_timeout": "soon"},
        {"server_name": 'a"b'},
    ],
)
def test_invalid_options_are_rejected(overrides: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        KibanaYmlOptions(**overrides)  # type: ignore[arg-type]
