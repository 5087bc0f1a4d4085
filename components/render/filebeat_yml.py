"""``filebeat.yml`` for the Filebeat 8.19 container: the MT4 bridge's JSON-lines logs and the Docker
container logs of its host, to every Logstash instance's Beats input.

Pure text rendering: plain values in, YAML text out (no Pulumi here). Every key written is listed,
with the 8.19 reference line or doc page it was checked against, in
``tests/contracts/filebeat_8.19.json``; the render tests parse the text and check every key.

Why these choices:
- ``filestream`` inputs only (the ``log`` and ``container`` inputs are deprecated and refused by
  9.x), each with an ``id`` that never changes: the registry keys file offsets by input id, so a
  changed id re-ships every file.
- The bridge's lines are JSON objects (what ``elk_logger`` sends over TCP): the ``ndjson`` parser
  puts their keys at the event's root (``keys_under_root``), lets them win over Filebeat's own
  (``overwrite_keys``: the bridge's ``@timestamp``, ``message``), expands dotted keys
  (``expand_keys``: ``event.id`` becomes the object the templates map) and marks a broken line
  with ``error.message`` instead of dropping it (``add_error_key``).
- Container logs are the json-file driver's files, read with the ``container`` parser
  (``format: docker``, both streams).
- ``output.logstash`` lists every Logstash instance with ``loadbalance: true``; Filebeat advances
  its registry only for acknowledged batches, so an instance that goes away loses nothing.
- ``path.data`` (the registry) is a volume of its own (component side), so a replaced container
  resumes where it stopped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from components.render.yaml_text import render_yaml_document

HOME: Final = "/usr/share/filebeat"
CONFIG_FILE: Final = f"{HOME}/filebeat.yml"
DATA_DIR: Final = f"{HOME}/data"
CERTS_DIR: Final = f"{HOME}/certs"
DEFAULT_CA_PATH: Final = f"{CERTS_DIR}/ca.crt"
DEFAULT_CLIENT_CERT_PATH: Final = f"{CERTS_DIR}/filebeat.crt"
#: The client key lives in a read-only volume of its own (components/secret_files.py).
SECRETS_DIR: Final = f"{HOME}/secrets"
CLIENT_KEY_FILE: Final = "filebeat.key"
DEFAULT_CLIENT_KEY_PATH: Final = f"{SECRETS_DIR}/{CLIENT_KEY_FILE}"
BRIDGE_INPUT_ID: Final = "mt4-bridge-json"
CONTAINERS_INPUT_ID: Final = "docker-container-logs"
#: The json-file driver's file name inside each container's directory.
CONTAINER_LOG_GLOB: Final = "*/*-json.log"
TLS_PROTOCOLS: Final = ("TLSv1.2", "TLSv1.3")

_HEADER: Final = ("Rendered by elk-stack (components/render/filebeat_yml.py); replaced on every deployment.",)
_HOST_PORT = re.compile(r"^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9A-Fa-f:.]+\]:\d{1,5}$")


@dataclass(frozen=True, kw_only=True)
class FilebeatYmlOptions:
    """Plain values ``filebeat.yml`` is rendered from (no secrets: paths only)."""

    name: str
    """``name``: the shipper's name in every event (``agent.name``), one per Docker host."""
    bridge_log_paths: tuple[str, ...]
    """Globs of the bridge's JSON-lines files, as seen inside the container; empty: no bridge input."""
    containers_dir: str | None
    """The Docker host's ``<data-root>/containers`` as mounted in the container; None: no container logs."""
    logstash_hosts: tuple[str, ...]
    """``host:port`` of every Logstash Beats input."""
    tls: bool
    """TLS to Logstash, verifying its certificate (``full``) against ``ca_path``."""
    ca_path: str = DEFAULT_CA_PATH
    client_certificate_path: str | None = None
    """With ``client_key_path``: the certificate presented for mutual TLS; None: none presented."""
    client_key_path: str | None = None

    def __post_init__(self) -> None:
        if not self.logstash_hosts:
            raise ValueError("filebeat needs at least one Logstash host")
        for host in self.logstash_hosts:
            if not _HOST_PORT.fullmatch(host):
                raise ValueError(f"logstash host must be host:port, got {host!r}")
        if not self.bridge_log_paths and self.containers_dir is None:
            raise ValueError("filebeat needs at least one input (bridge logs or container logs)")
        if (self.client_certificate_path is None) != (self.client_key_path is None):
            raise ValueError("client_certificate_path and client_key_path go together")
        if self.client_certificate_path is not None and not self.tls:
            raise ValueError("a client certificate needs tls")
        for path in (*self.bridge_log_paths, *(p for p in (self.containers_dir,) if p)):
            if not path.startswith("/") or any(c in path for c in "\n\r\"'"):
                raise ValueError(f"not an absolute path: {path!r}")


def inputs(options: FilebeatYmlOptions) -> list[dict[str, object]]:
    """``filebeat.inputs``: one filestream per source, each with its fixed id."""
    out: list[dict[str, object]] = []
    if options.bridge_log_paths:
        out.append({
            "type": "filestream",
            "id": BRIDGE_INPUT_ID,
            "enabled": True,
            "paths": list(options.bridge_log_paths),
            "parsers": [{"ndjson": {"keys_under_root": True, "overwrite_keys": True, "expand_keys": True, "add_error_key": True}}],
        })
    if options.containers_dir is not None:
        out.append({
            "type": "filestream",
            "id": CONTAINERS_INPUT_ID,
            "enabled": True,
            "paths": [f"{options.containers_dir}/{CONTAINER_LOG_GLOB}"],
            "parsers": [{"container": {"stream": "all", "format": "docker"}}],
        })
    return out


def logstash_output(options: FilebeatYmlOptions) -> dict[str, object]:
    out: dict[str, object] = {"hosts": list(options.logstash_hosts), "loadbalance": True}
    if options.tls:
        out.update({
            "ssl.enabled": True,
            "ssl.certificate_authorities": [options.ca_path],
            "ssl.verification_mode": "full",
            "ssl.supported_protocols": list(TLS_PROTOCOLS),
        })
        if options.client_certificate_path is not None:
            out["ssl.certificate"] = options.client_certificate_path
            out["ssl.key"] = options.client_key_path
    return out


def filebeat_config(options: FilebeatYmlOptions) -> dict[str, object]:
    """The document as data (tests parse the text back and compare with this)."""
    return {
        "name": options.name,
        "path.data": DATA_DIR,
        "filebeat.inputs": inputs(options),
        "output.logstash": logstash_output(options),
    }


def render_filebeat_yml(options: FilebeatYmlOptions) -> str:
    return render_yaml_document(filebeat_config(options), header=_HEADER)
