"""Guardrails on what runs: images, security and TLS, memory, heap, ports, secrets, health.

Each rule is a pure function ``(resources, stack) -> Findings``. A value not known at preview
(``UNKNOWN``) is reported in ``skipped`` and never as a violation.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from .model import Findings, Resource, Violation, is_unknown, walk_strings
from .views import LOOPBACK, REMOTE_IMAGE, Container, containers, heap_mb, logstash_inputs, of_type, option

#: Stacks where the pack advises instead of blocking, and where ports must stay on loopback.
DEV_STACKS = frozenset({"dev"})
_PINNED = re.compile(r"(:\d+\.\d+\.\d+([-+][\w.]+)?|@sha256:[0-9a-f]{64})$")
_SECRET_ENV = re.compile(r"(PASSWORD|PASSWD|SECRET|TOKEN|(^|_)KEY($|_)|ENCRYPTION_KEY|API_KEY)", re.IGNORECASE)
_SECRET_PROP = re.compile(r"(password|passwd|secret|token|private_?key|api_?key)", re.IGNORECASE)
#: Upload modes the stack uses for private keys and password files (components/containers.py).
_SECRET_MODES = frozenset({"0400", "0600", "400", "600"})


def pinned_image_versions(resources: Sequence[Resource], stack: str) -> Findings:
    """Every image is pulled by an exact version (or digest), and all Elastic images share one."""
    found = Findings()
    elastic_versions: dict[str, str] = {}
    for image in of_type(resources, REMOTE_IMAGE):
        ref = image.props.get("name")
        if is_unknown(ref):
            found.skipped.append(f"{image.urn}: image name unknown at preview")
            continue
        if not isinstance(ref, str) or not _PINNED.search(ref):
            found.violations.append(Violation("pinned-image-versions", f"image {ref!r} is not pinned to an exact version", image.urn))
            continue
        if ref.startswith("docker.elastic.co/") and ":" in ref.rsplit("/", 1)[-1]:
            elastic_versions[ref] = ref.rsplit(":", 1)[1]
    if len(set(elastic_versions.values())) > 1:
        found.violations.append(Violation(
            "pinned-image-versions", f"Elastic images run different versions: {sorted(elastic_versions)} (one version for every product)"
        ))
    return found


def security_enabled(resources: Sequence[Resource], stack: str) -> Findings:
    """Every Elasticsearch node runs with security on (authentication, TLS-capable realms)."""
    found = Findings()
    for c in containers(resources):
        if c.product != "elasticsearch":
            continue
        config = c.config()
        if is_unknown(config):
            found.skipped.append(f"{c.resource.urn}: elasticsearch.yml unknown at preview")
        elif config.get("xpack.security.enabled") is not True:
            found.violations.append(Violation("security-enabled", "xpack.security.enabled is not true", c.resource.urn))
    return found


def _published_on(container: Container, internal: int) -> list[str]:
    """Host addresses ``internal`` is published on (empty ``ip`` = every interface)."""
    return [str(p.get("ip") or "0.0.0.0") for p in container.published_ports() if _num(p.get("internal")) == internal]


def _num(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _exposed(addresses: list[str]) -> bool:
    return any(a not in LOOPBACK for a in addresses)


def tls_on_every_listener(resources: Sequence[Resource], stack: str) -> Findings:
    """Elasticsearch HTTP and transport always TLS; Kibana and Logstash inputs TLS wherever they
    are published beyond loopback."""
    found = Findings()
    for c in containers(resources):
        config = c.config()
        if c.product is None:
            continue
        if is_unknown(config):
            found.skipped.append(f"{c.resource.urn}: {c.product} config unknown at preview")
            continue
        urn = c.resource.urn
        if c.product == "elasticsearch":
            for layer in ("http", "transport"):
                if config.get(f"xpack.security.{layer}.ssl.enabled") is not True:
                    found.violations.append(Violation("tls-on-every-listener", f"Elasticsearch {layer} layer without TLS", urn))
        elif c.product == "kibana":
            port = _num(config.get("server.port")) or 5601
            if _exposed(_published_on(c, port)) and config.get("server.ssl.enabled") is not True:
                found.violations.append(Violation("tls-on-every-listener", f"Kibana published beyond loopback on {port} without TLS", urn))
        elif c.product == "logstash":
            for path, text in c.files().items():
                if not path.endswith(".conf"):
                    continue
                if not isinstance(text, str):
                    found.skipped.append(f"{urn}: {path} unknown at preview")
                    continue
                for plugin, body in logstash_inputs(text):
                    port = int(option(body, "port") or 0)
                    if _exposed(_published_on(c, port)) and option(body, "ssl_enabled") != "true":
                        found.violations.append(Violation(
                            "tls-on-every-listener", f"Logstash {plugin} input on {port} published beyond loopback without TLS", urn
                        ))
    return found


def memory_limit_on_every_container(resources: Sequence[Resource], stack: str) -> Findings:
    """A service without a memory limit can take the whole Docker host down with it."""
    found = Findings()
    for c in containers(resources):
        if not c.long_running:
            continue
        memory = c.props.get("memory")
        if is_unknown(memory):
            found.skipped.append(f"{c.resource.urn}: memory unknown at preview")
        elif not isinstance(memory, int | float) or memory <= 0:
            message = "long-running container without a memory limit"
            found.violations.append(Violation("memory-limit-on-every-container", message, c.resource.urn))
    return found


def heap_at_most_half_memory(resources: Sequence[Resource], stack: str) -> Findings:
    """JVM/Node heap <= 50% of the container's memory: the rest is off-heap, page cache, threads."""
    found = Findings()
    for c in containers(resources):
        if c.product is None:
            continue
        heap, memory = heap_mb(c), c.props.get("memory")
        if is_unknown(heap) or is_unknown(memory):
            found.skipped.append(f"{c.resource.urn}: heap or memory unknown at preview")
            continue
        if heap is None:
            found.violations.append(Violation("heap-at-most-half-memory", f"{c.product}: no explicit heap size", c.resource.urn))
        elif not isinstance(memory, int | float) or memory <= 0:
            found.violations.append(Violation("heap-at-most-half-memory", f"{c.product}: heap set but no memory limit", c.resource.urn))
        elif heap > memory / 2:
            found.violations.append(Violation(
                "heap-at-most-half-memory", f"{c.product}: heap {heap:.0f} MiB is more than half of {memory:.0f} MiB", c.resource.urn
            ))
    return found


def ports_on_loopback_in_dev(resources: Sequence[Resource], stack: str) -> Findings:
    """A dev stack is reachable from the machine it runs on only."""
    found = Findings()
    if stack not in DEV_STACKS:
        return found
    for c in containers(resources):
        for port in c.published_ports():
            ip = port.get("ip")
            if is_unknown(ip):
                found.skipped.append(f"{c.resource.urn}: port address unknown at preview")
            elif (ip or "0.0.0.0") not in LOOPBACK:
                found.violations.append(Violation(
                    "ports-on-loopback-in-dev", f"port {_num(port.get('external'))} published on {ip or 'every interface'}", c.resource.urn
                ))
    return found


def no_secret_in_plain_input(resources: Sequence[Resource], stack: str) -> Findings:
    """Passwords, keys and tokens travel only as secrets (encrypted in state, masked in output)."""
    found = Findings()
    for r in resources:
        if r.secret_paths is None:
            found.skipped.append(f"{r.urn}: this source does not say which inputs are secret")
            continue
        for path in _secret_shaped_paths(r):
            if not r.is_secret(path):
                found.violations.append(Violation("no-secret-in-plain-input", f"{path} holds a secret but is not a secret input", r.urn))
    return found


def secret_shaped_env(name: str) -> bool:
    """A variable whose value is a secret by its name (``*_FILE`` names a file holding one: the
    images' convention, so its value is a path, not the secret)."""
    return bool(_SECRET_ENV.search(name)) and not name.endswith("_FILE")


def _secret_shaped_paths(r: Resource) -> list[str]:
    paths = []
    for path, text in walk_strings(r.props):
        leaf = re.split(r"[.\[]", path)[-1]
        if "PRIVATE KEY-----" in text or (_SECRET_PROP.search(leaf) and text):
            paths.append(path)
    envs = r.props.get("envs")
    if isinstance(envs, list):
        for i, entry in enumerate(envs):
            name = entry.split("=", 1)[0] if isinstance(entry, str) and "=" in entry else ""
            if secret_shaped_env(name):
                paths.append(f"envs[{i}]")
    uploads = r.props.get("uploads")
    if isinstance(uploads, list):
        for i, upload in enumerate(uploads):
            if isinstance(upload, Mapping) and str(upload.get("permissions")) in _SECRET_MODES and "content" in upload:
                paths.append(f"uploads[{i}].content")
    return sorted(set(p for p in paths if not p.startswith("__provider")))


RULE_HEALTH = "healthcheck-on-every-service"


def healthcheck_on_every_service(resources: Sequence[Resource], stack: str) -> Findings:
    """``up`` moves on only when a service is healthy: a healthcheck and ``wait`` on each one."""
    found = Findings()
    for c in containers(resources):
        if not c.long_running:
            continue
        check = c.props.get("healthcheck")
        if is_unknown(check):
            found.skipped.append(f"{c.resource.urn}: healthcheck unknown at preview")
            continue
        if not isinstance(check, Mapping) or not check.get("tests"):
            found.violations.append(Violation(RULE_HEALTH, "long-running container without a healthcheck", c.resource.urn))
        elif c.props.get("wait") is not True:
            found.violations.append(Violation(RULE_HEALTH, "healthcheck not waited for (wait is not true)", c.resource.urn))
    return found
