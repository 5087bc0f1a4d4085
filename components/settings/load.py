"""The only reader of ``pulumi.Config``: stack file -> checked ``StackSettings`` or one error.

Secrets (a bring-your-own CA key) are returned as secret Outputs beside the settings, never
inside them, so settings stay plain data that tests can build without an engine.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
from pulumi.runtime import config as runtime_config

from components.settings.parse import TOP_LEVEL_KEYS, parse_settings
from components.settings.problems import Problems
from components.settings.model import StackSettings

PROJECT = "elk-stack"


@dataclass(frozen=True)
class OwnCa:
    """A CA the operator brings (``pulumi config set --secret tls_ca_key``)."""

    cert_pem: pulumi.Output[str]
    key_pem: pulumi.Output[str]


def load_settings() -> tuple[StackSettings, OwnCa | None]:
    """Read and check the current stack's settings; raise ``SettingsError`` listing every problem."""
    stack_file = f"Pulumi.{pulumi.get_stack()}.yaml"
    config = pulumi.Config(PROJECT)
    problems = Problems(stack_file)
    raw = {key: _read(config, key) for key in TOP_LEVEL_KEYS if key not in ("tls_ca_cert", "tls_ca_key")}
    raw = {k: v for k, v in raw.items() if v is not None}
    own_ca = _own_ca(config, problems)
    _warn_unknown_top_level(problems)
    settings = parse_settings(raw, problems, own_ca=own_ca is not None)
    problems.raise_if_any()
    for line in problems.warning_lines():
        pulumi.log.warn(line)
    return settings, own_ca


def _read(config: pulumi.Config, key: str) -> object:
    """Structured values arrive as JSON text; ``get_object`` decodes them, scalars pass through."""
    try:
        return config.get_object(key)
    except Exception:  # noqa: BLE001 - a plain string that is not JSON
        return config.get(key)


def _own_ca(config: pulumi.Config, problems: Problems) -> OwnCa | None:
    cert = config.get("tls_ca_cert")
    has_key = config.get("tls_ca_key") is not None
    if cert is None and not has_key:
        return None
    if cert is None or not has_key:
        problems.error("tls_ca_cert" if cert is None else "tls_ca_key", "tls_ca_cert and tls_ca_key go together; set both (the key with --secret) or neither")
        return None
    if not runtime_config.is_config_secret(f"{PROJECT}:tls_ca_key"):
        problems.error("tls_ca_key", "is stored in plain text; set it with `pulumi config set --secret tls_ca_key < ca.key`")
    if "BEGIN CERTIFICATE" not in cert:
        problems.error("tls_ca_cert", "is not a PEM certificate (no 'BEGIN CERTIFICATE' line)")
    return OwnCa(cert_pem=pulumi.Output.from_input(cert), key_pem=config.require_secret("tls_ca_key"))


def _warn_unknown_top_level(problems: Problems) -> None:
    keys = set(runtime_config.CONFIG.get()) | set(runtime_config.get_config_env())
    prefix = f"{PROJECT}:"
    for full in sorted(keys):
        name = full[len(prefix):] if full.startswith(prefix) else None
        if name is not None and name not in TOP_LEVEL_KEYS:
            problems.warn(name, f"unknown key is ignored; allowed keys: {', '.join(TOP_LEVEL_KEYS)}")
