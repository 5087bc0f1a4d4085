"""The only reader of ``pulumi.Config``: stack file -> checked ``StackSettings`` or one error.

Secrets (a bring-your-own CA key) are returned as secret Outputs beside the settings, never
inside them, so settings stay plain data that tests can build without an engine.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
from pulumi.runtime import config as runtime_config

from components.settings.model import StackSettings
from components.settings.parse import parse_settings
from components.settings.problems import Problems

PROJECT = "elk-stack"
#: Read here as secrets, not by ``parse_settings`` (which only knows they exist).
CA_KEYS = ("tls_ca_cert", "tls_ca_key")

CA_PAIR = "tls_ca_cert and tls_ca_key go together; set both (the key with --secret) or neither"
CA_KEY_PLAIN = "is stored in plain text; set it with `pulumi config set --secret tls_ca_key < ca.key`"
CA_CERT_NOT_PEM = "is not a PEM certificate (no '-----BEGIN CERTIFICATE-----' line); set it with `pulumi config set tls_ca_cert < ca.crt`"
CA_KEY_NOT_PEM = (
    "is not a PEM private key (no '-----BEGIN ... PRIVATE KEY-----' line); "
    "set it with `pulumi config set --secret tls_ca_key < ca.key`"
)


@dataclass(frozen=True)
class OwnCa:
    """A CA the operator brings (``pulumi config set --secret tls_ca_key``)."""

    cert_pem: pulumi.Output[str]
    key_pem: pulumi.Output[str]


def load_settings() -> tuple[StackSettings, OwnCa | None]:
    """Read and check the current stack's settings; raise ``SettingsError`` listing every problem.

    Warnings are logged first, even when errors follow: an unknown (misspelt) key is often why
    a default then fails a rule.
    """
    stack_file = f"Pulumi.{pulumi.get_stack()}.yaml"
    config = pulumi.Config(PROJECT)
    problems = Problems(stack_file)
    raw = {key: _read(config, key) for key in _stack_keys() if key not in CA_KEYS}
    raw = {k: v for k, v in raw.items() if v is not None}
    own_ca = _own_ca(config, problems)
    settings = parse_settings(raw, problems, own_ca=own_ca is not None)
    for line in problems.warning_lines():
        pulumi.log.warn(line)
    problems.raise_if_any()
    return settings, own_ca


def _stack_keys() -> list[str]:
    """Every key set under this project's namespace, known or not (unknown ones are warned about)."""
    keys = set(runtime_config.CONFIG.get()) | set(runtime_config.get_config_env())
    prefix = f"{PROJECT}:"
    return sorted(k[len(prefix):] for k in keys if k.startswith(prefix))


def _read(config: pulumi.Config, key: str) -> object:
    """Structured values (mappings, lists) arrive as JSON text; ``true``/``false`` as text too.

    Other scalars stay the text the stack file holds, so ``elastic_version: 8.19`` is reported as
    a bad version rather than as "a number".
    """
    text = config.get(key)
    if text is None:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return text
    return value if isinstance(value, dict | list | bool) else text


def _own_ca(config: pulumi.Config, problems: Problems) -> OwnCa | None:
    cert = config.get("tls_ca_cert")
    key = config.get("tls_ca_key")
    if cert is None and key is None:
        return None
    if cert is None or key is None:
        problems.error("tls_ca_cert" if cert is None else "tls_ca_key", CA_PAIR)
        return None
    if not runtime_config.is_config_secret(f"{PROJECT}:tls_ca_key"):
        problems.error("tls_ca_key", CA_KEY_PLAIN)
    if "BEGIN CERTIFICATE" not in cert:
        problems.error("tls_ca_cert", CA_CERT_NOT_PEM)
    if "PRIVATE KEY-----" not in key:
        # Never echo the value: it is a secret.
        problems.error("tls_ca_key", CA_KEY_NOT_PEM)
    return OwnCa(cert_pem=pulumi.Output.from_input(cert), key_pem=config.require_secret("tls_ca_key"))
