"""The only reader of ``pulumi.Config``: stack file -> checked ``StackSettings`` or one error.

Secrets (a bring-your-own CA key) are returned as secret Outputs beside the settings, never
inside them, so settings stay plain data that tests can build without an engine.
"""

from __future__ import annotations

import difflib
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
#: Secret values the settings only need to know are present: ``parse_settings`` sees a marker
#: in their place, never the value (``load_email_password`` reads it as a secret Output).
EMAIL_PASSWORD_KEY = "alerting_email_password"
PRESENT = "(set)"
EMAIL_PASSWORD_LINE_BREAK = (
    "(the secret value) contains a line break or NUL; Elasticsearch's keystore takes the first line only "
    "(`elasticsearch-keystore add --stdin`), so Watcher would log in with a wrong password. Set it without one"
)

#: Namespaces of the providers the program uses (and Pulumi's own): their keys are not ours and
#: are left to them, even when a name looks close to the project's.
PROVIDER_NAMESPACES = ("pulumi", "docker", "tls", "random", "elasticstack")
#: A namespace this close to ``elk-stack`` (difflib ratio, case-insensitive) is taken as a typo:
#: ``elk_stack``, ``elkstack``, ``elk-stak`` are, ``stack`` or ``elastic`` are not.
NEAR_MISS_RATIO = 0.8
NEAR_MISS_NAMESPACE = (
    "is under the namespace {namespace!r}, which the program does not read; did you mean '{project}:{key}'? "
    "Settings of this program live under '{project}:'"
)
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
    all_keys = _all_config_keys()
    for full_key in near_miss_keys(all_keys):
        namespace, key = full_key.split(":", 1)
        problems.error(full_key, NEAR_MISS_NAMESPACE.format(namespace=namespace, project=PROJECT, key=key))
    keys = _stack_keys(all_keys)
    raw = {key: _read(config, key) for key in keys if key not in CA_KEYS}
    raw = {k: v for k, v in raw.items() if v is not None}
    if EMAIL_PASSWORD_KEY in raw:
        if any(ch in str(raw[EMAIL_PASSWORD_KEY]) for ch in "\r\n\0"):
            # Never echoed. `elasticsearch-keystore add --stdin` keeps the first line only.
            problems.error(EMAIL_PASSWORD_KEY, EMAIL_PASSWORD_LINE_BREAK)
        raw[EMAIL_PASSWORD_KEY] = PRESENT
    secret_keys = frozenset(k for k in keys if runtime_config.is_config_secret(f"{PROJECT}:{k}"))
    own_ca = _own_ca(config, problems)
    settings = parse_settings(raw, problems, own_ca=own_ca is not None, secret_keys=secret_keys)
    for line in problems.warning_lines():
        pulumi.log.warn(line)
    problems.raise_if_any()
    return settings, own_ca


def _all_config_keys() -> set[str]:
    return set(runtime_config.CONFIG.get()) | set(runtime_config.get_config_env())


def _stack_keys(all_keys: set[str]) -> list[str]:
    """Every key set under this project's namespace, known or not (unknown ones are refused)."""
    prefix = f"{PROJECT}:"
    return sorted(k[len(prefix):] for k in all_keys if k.startswith(prefix))


def near_miss_keys(all_keys: set[str]) -> list[str]:
    """Keys under a namespace that is a near miss of the project's (``elk_stack:heap``): a typo
    there would leave every setting under it at its default without a word."""
    out = []
    for full_key in sorted(all_keys):
        namespace = full_key.split(":", 1)[0]
        if ":" not in full_key or namespace == PROJECT or namespace in PROVIDER_NAMESPACES:
            continue
        if difflib.SequenceMatcher(None, namespace.lower(), PROJECT).ratio() >= NEAR_MISS_RATIO:
            out.append(full_key)
    return out


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


def load_email_password() -> pulumi.Output[str] | None:
    """The SMTP password as a secret Output, when the stack file sets one (``load_settings``
    has already refused it in plain text)."""
    config = pulumi.Config(PROJECT)
    if config.get(EMAIL_PASSWORD_KEY) is None:
        return None
    return config.require_secret(EMAIL_PASSWORD_KEY)
