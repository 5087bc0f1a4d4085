"""Checks shared by the dev (1 node) and prod (3 nodes) modules; each returns what it saw for printing."""

from __future__ import annotations

import socket
import ssl
import time
from typing import Any

import yaml

from engine.realserver.absent_modules import ABSENT_SETTINGS, TYPE_SUBSTITUTES
from engine.realserver.api_apply import Applied
from engine.realserver.client import EsClient
from engine.realserver.launcher import RunningNode
from engine.realserver.node_files import REWRITTEN_KEYS


def as_setting_text(value: object) -> object:
    """How GET /_nodes/settings shows a value: strings, booleans lower-case, lists of strings."""
    if isinstance(value, list):
        return [as_setting_text(v) for v in value]
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def flat_node_settings(body: dict[str, Any], node_name: str) -> dict[str, object]:
    """The node's own settings from ``GET /_nodes/settings?flat_settings=true`` (``key.N`` lists folded)."""
    node = next(n for n in body["nodes"].values() if n["name"] == node_name)
    flat: dict[str, object] = {}
    lists: dict[str, dict[int, object]] = {}
    for key, value in node["settings"].items():
        head, _, tail = key.rpartition(".")
        if head and tail.isdigit():
            lists.setdefault(head, {})[int(tail)] = value
        else:
            flat[key] = value
    for key, items in lists.items():
        flat[key] = [items[i] for i in sorted(items)]
    return flat


#: GET /_nodes/settings hides the TLS settings of both layers except ``enabled`` (observed on this
#: build: the security plugin's settings filter). They are proven by the TLS tests instead.
HIDDEN_PREFIXES = ("xpack.security.http.ssl.", "xpack.security.transport.ssl.")


def hidden_by_node(key: str) -> bool:
    return key.startswith(HIDDEN_PREFIXES) and not key.endswith(".enabled")


def settings_not_applied(node: RunningNode) -> dict[str, tuple[object, object]]:
    """key -> (sent, what the node reports) for every sent setting the node does not hold as sent
    (the TLS settings it hides are expected to be absent from its answer, and nothing else is)."""
    answer = node.client().request("GET", "/_nodes/_local/settings?flat_settings=true")
    assert answer.status == 200, answer.body
    held = flat_node_settings(answer.body, node.spec.node_name)
    wrong = {}
    for key, value in node.rewritten.settings.items():
        expected = as_setting_text(value)
        got = held.get(key)
        if isinstance(expected, list) and isinstance(got, str):
            got = [got]
        if hidden_by_node(key):
            if got is not None:
                wrong[key] = (expected, got)
            continue
        if got != expected:
            wrong[key] = (expected, got)
    return wrong


def rewrite_outside_its_list(node: RunningNode) -> dict[str, object]:
    """Keys whose value differs between the rendered file and what the node got, beyond the listed rewrite."""
    rendered = yaml.safe_load(node.spec.elasticsearch_yml)
    dropped = {d.name for d in node.rewritten.dropped}
    sent = node.rewritten.settings
    keys = set(rendered) | set(sent)
    return {k: (rendered.get(k), sent.get(k)) for k in keys
            if k not in REWRITTEN_KEYS and k not in dropped and rendered.get(k) != sent.get(k)}


def absent_entries_accepted_here(client: EsClient) -> list[str]:
    """Every listed absent setting/type must really be refused by this build (else the list is wrong)."""
    accepted = []
    for s in ABSENT_SETTINGS:
        if s.scope == "node":
            answer = client.request("PUT", "/_cluster/settings", {"persistent": {s.name: False}})
        else:
            answer = client.request("PUT", f"/realserver-probe-{s.name.replace('.', '-')}", {"settings": {s.name: "probe"}})
        text = str(answer.body)
        if not (answer.status == 400 and ("not recognized" in text or "unknown setting" in text)):
            accepted.append(f"{s.name}: HTTP {answer.status} {text[:200]}")
    for t in TYPE_SUBSTITUTES.values():
        answer = client.request("PUT", f"/realserver-probe-{t.absent_type}", {"mappings": {"properties": {"f": {"type": t.absent_type}}}})
        if not (answer.status == 400 and f"The mapper type [{t.absent_type}] declared on field [f] does not exist" in str(answer.body)):
            accepted.append(f"type {t.absent_type}: HTTP {answer.status} {str(answer.body)[:200]}")
    return accepted


def tls_failure(client: EsClient) -> str | None:
    """None when HTTPS to the node verifies under ``client.server_name``; else the error."""
    try:
        # (GET / is modules/rest-root, absent here; _authenticate is x-pack-security.)
        answer = client.request("GET", "/_security/_authenticate")
    except ssl.SSLCertVerificationError as exc:
        return f"certificate verification failed: {exc.verify_message}"
    except ssl.SSLError as exc:
        return f"TLS error: {exc}"
    return None if answer.status == 200 else f"HTTP {answer.status}"


def transport_handshake(port: int, ca_pem: str, server_name: str, client_pair: tuple[str, str] | None, tmp_dir: str) -> str:
    """Open TLS to a transport port, optionally with a client certificate; 'ok' or the error seen."""
    ctx = ssl.create_default_context(cadata=ca_pem)
    ctx.check_hostname = True
    if client_pair is not None:
        cert_file, key_file = f"{tmp_dir}/client.crt", f"{tmp_dir}/client.key"
        with open(cert_file, "w") as f:
            f.write(client_pair[0])
        with open(key_file, "w") as f:
            f.write(client_pair[1])
        ctx.load_cert_chain(cert_file, key_file)
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw, ctx.wrap_socket(raw, server_hostname=server_name) as tls:
            # TLS 1.3 reports a refused client certificate on the first read after the handshake.
            tls.settimeout(3)
            try:
                data = tls.recv(1)
            except TimeoutError:
                return "ok"
            return "ok" if data else "closed by the node"
    except (ssl.SSLError, ConnectionResetError, BrokenPipeError) as exc:
        return f"refused: {exc}"


def node_names(client: EsClient) -> list[str]:
    answer = client.request("GET", "/_cat/nodes?format=json&h=name")
    assert answer.status == 200, answer.body
    return sorted(n["name"] for n in answer.body)


def failed_requests(applied: list[Applied]) -> list[str]:
    return [f"{a.sent.method} {a.sent.path}: HTTP {a.response.status} {str(a.response.body)[:400]}"
            for a in applied if not (200 <= a.response.status < 300 and a.response.body.get("acknowledged") is True)]


def mapped_types(properties: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """path -> type for every leaf of a mapping's ``properties`` (objects recursed)."""
    out = {}
    for name, body in properties.items():
        path = f"{prefix}{name}"
        if "properties" in body:
            out.update(mapped_types(body["properties"], f"{path}."))
        if "type" in body and body["type"] not in ("object", "nested"):
            out[path] = body["type"]
    return out


def leaf_paths(doc: dict[str, Any], prefix: str = "") -> dict[str, object]:
    out: dict[str, object] = {}
    for key, value in doc.items():
        if isinstance(value, dict):
            out.update(leaf_paths(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def wait_for(check: Any, timeout: float, what: str) -> None:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if check():
            return
        time.sleep(0.5)
    raise AssertionError(f"timed out after {timeout:.0f}s: {what}")


def last_option(args: list[str], *prefixes: str) -> str | None:
    """The last JVM argument starting with any of ``prefixes``: the one HotSpot applies."""
    found = [a for a in args if a.startswith(prefixes)]
    return found[-1] if found else None


def megabytes(size: str) -> int:
    """``512m`` / ``2g`` (the heap file's units, components/render/elasticsearch_yml.py) in MiB."""
    units = {"m": 1, "g": 1024}
    if not size or size[-1].lower() not in units or not size[:-1].isdigit():
        raise ValueError(f"not a heap size in m or g: {size!r}")
    return int(size[:-1]) * units[size[-1].lower()]
