"""Read and validate the Pulumi stack outputs the smoke check depends on.

The output names are the contract with the Pulumi program; validating them up front turns a
half-finished ``pulumi up`` into one clear message (exit 2) instead of a confusing check failure.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from .errors import OutputError

#: Outputs the smoke check reads. ``logstash_beats_endpoint`` is exported too but not needed.
REQUIRED_OUTPUTS: tuple[str, ...] = (
    "elasticsearch_url",
    "kibana_url",
    "ca_certificate",
    "elastic_password",
    "logstash_tcp_endpoint",
)

#: What ``pulumi stack output --json`` prints for a secret when ``--show-secrets`` is missing.
SECRET_PLACEHOLDER = "[secret]"

PULUMI_TIMEOUT_SECONDS = 120.0

Runner = Callable[..., "subprocess.CompletedProcess[str]"]


@dataclass(frozen=True)
class Endpoint:
    """A Logstash input as exported by the stack."""

    host: str
    port: int
    tls: bool


@dataclass(frozen=True)
class StackOutputs:
    """The validated outputs; the password is kept out of ``repr`` so it never leaks in logs."""

    elasticsearch_url: str
    kibana_url: str
    ca_certificate: str
    logstash_tcp: Endpoint
    elastic_password: str = field(repr=False)


def pulumi_command(stack: str | None) -> list[str]:
    """The CLI call that prints every output, secrets in plain text, as JSON."""
    command = ["pulumi", "stack", "output", "--json", "--show-secrets"]
    if stack:
        command += ["--stack", stack]
    return command


def read_pulumi_outputs(stack: str | None, runner: Runner = subprocess.run) -> object:
    """Run ``pulumi stack output`` (in the current directory, like pulumi itself) and parse it."""
    command = pulumi_command(stack)
    try:
        completed = runner(
            command,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=PULUMI_TIMEOUT_SECONDS,
            check=False,
        )
    except FileNotFoundError as exc:
        raise OutputError("pulumi CLI not found on PATH; install it or use --outputs-file") from exc
    except subprocess.TimeoutExpired as exc:
        raise OutputError(f"`{' '.join(command)}` timed out") from exc
    if completed.returncode != 0:
        message = (completed.stderr or "").strip()[-500:] or "no error output"
        raise OutputError(f"`{' '.join(command)}` failed (exit {completed.returncode}): {message}")
    return _parse_json(completed.stdout, "pulumi stack output")


def read_outputs_file(path: Path) -> object:
    """Load outputs saved earlier with ``pulumi stack output --json --show-secrets > FILE``."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"cannot read outputs file {path}: {exc.strerror or exc}") from exc
    return _parse_json(text, str(path))


def _parse_json(text: str, source: str) -> object:
    """Parse JSON, naming the source on failure (the text may hold secrets, so never echo it)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise OutputError(f"{source} is not valid JSON (line {exc.lineno})") from exc


def parse_outputs(raw: object) -> StackOutputs:
    """Validate the raw JSON object and build :class:`StackOutputs`."""
    if not isinstance(raw, Mapping):
        raise OutputError("stack outputs must be a JSON object of output name to value")
    missing = [name for name in REQUIRED_OUTPUTS if raw.get(name) in (None, "")]
    if missing:
        raise OutputError(f"missing stack output(s): {', '.join(missing)} (did `pulumi up` finish, and is this the right stack?)")
    return StackOutputs(
        elasticsearch_url=_url(raw, "elasticsearch_url"),
        kibana_url=_url(raw, "kibana_url"),
        ca_certificate=_ca_certificate(raw),
        logstash_tcp=_endpoint(raw, "logstash_tcp_endpoint"),
        elastic_password=_password(raw),
    )


def _string(raw: Mapping[str, object], name: str) -> str:
    """A required non-empty string output."""
    value = raw[name]
    if not isinstance(value, str) or not value.strip():
        raise OutputError(f"stack output {name} must be a non-empty string")
    return value.strip()


def _url(raw: Mapping[str, object], name: str) -> str:
    """An http(s) base URL, without a trailing slash so paths can be appended."""
    value = _string(raw, name)
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise OutputError(f"stack output {name} must be an http(s) URL")  # value may hold credentials
    return value.rstrip("/")


def _ca_certificate(raw: Mapping[str, object]) -> str:
    """The PEM CA bundle; checked for a PEM header so a wrong value fails here, not in TLS."""
    value = _string(raw, "ca_certificate")
    if "-----BEGIN CERTIFICATE-----" not in value:
        raise OutputError("stack output ca_certificate is not a PEM certificate")
    return value


def _password(raw: Mapping[str, object]) -> str:
    """The elastic password; rejects the placeholder Pulumi prints without --show-secrets."""
    value = raw["elastic_password"]
    if not isinstance(value, str) or not value:
        raise OutputError("stack output elastic_password must be a non-empty string")
    if value == SECRET_PLACEHOLDER:
        raise OutputError("stack output elastic_password is masked; export it with --show-secrets")
    return value


def _endpoint(raw: Mapping[str, object], name: str) -> Endpoint:
    """An object ``{"host": str, "port": int, "tls": bool}``."""
    value = raw[name]
    if not isinstance(value, Mapping):
        raise OutputError(f"stack output {name} must be an object with host, port and tls")
    host, port, tls = value.get("host"), value.get("port"), value.get("tls")
    if not isinstance(host, str) or not host.strip():
        raise OutputError(f"stack output {name}.host must be a non-empty string")
    if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
        raise OutputError(f"stack output {name}.port must be an integer from 1 to 65535")
    if not isinstance(tls, bool):
        raise OutputError(f"stack output {name}.tls must be true or false")
    return Endpoint(host=host.strip(), port=port, tls=tls)


def load_outputs(outputs_file: Path | None, stack: str | None, runner: Runner = subprocess.run) -> StackOutputs:
    """Outputs from the file when given, otherwise from the Pulumi CLI."""
    raw = read_outputs_file(outputs_file) if outputs_file else read_pulumi_outputs(stack, runner)
    return parse_outputs(raw)
