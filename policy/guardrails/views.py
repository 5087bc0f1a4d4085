"""Read the facts guardrails need out of resources: which container runs what, its files, envs,
ports, memory. Found from what is registered (uploads, envs), never from a list of names, so a
component added later is checked the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from .model import UNKNOWN, Resource, is_unknown

CONTAINER = "docker:index/container:Container"
VOLUME = "docker:index/volume:Volume"
REMOTE_IMAGE = "docker:index/remoteImage:RemoteImage"
INDEX_TEMPLATE = "elasticstack:index/indexTemplate:IndexTemplate"
COMPONENT_TEMPLATE = "elasticstack:index/componentTemplate:ComponentTemplate"
SNAPSHOT_REPOSITORY = "elasticstack:index/snapshotRepository:SnapshotRepository"
SNAPSHOT_LIFECYCLE = "elasticstack:index/snapshotLifecycle:SnapshotLifecycle"
WATCH = "elasticstack:index/watch:Watch"

#: The config file that tells which product a container runs (paths of the 8.19 images).
PRODUCT_CONFIGS = {
    "elasticsearch": "/usr/share/elasticsearch/config/elasticsearch.yml",
    "kibana": "/usr/share/kibana/config/kibana.yml",
    "logstash": "/usr/share/logstash/config/logstash.yml",
}
LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost"})


@dataclass(frozen=True)
class Container:
    resource: Resource
    product: str | None
    """elasticsearch, kibana, logstash, or None for anything else (one-shot helpers, Beats ...)."""

    @property
    def props(self) -> Mapping[str, Any]:
        return self.resource.props

    @property
    def long_running(self) -> bool:
        """A service, not a one-shot job (``must_run=False`` containers run once and exit)."""
        return self.props.get("mustRun") is not False

    def files(self) -> dict[str, Any]:
        """Upload path -> content (``UNKNOWN`` when not known at preview)."""
        out: dict[str, Any] = {}
        uploads = self.props.get("uploads")
        if not isinstance(uploads, list):
            return out
        for upload in uploads:
            if isinstance(upload, Mapping) and isinstance(upload.get("file"), str):
                out[upload["file"]] = upload.get("content", UNKNOWN)
        return out

    def config(self) -> Any:
        """The product's main config file, parsed (``UNKNOWN`` if its text is not known yet)."""
        if self.product is None:
            return None
        text = self.files().get(PRODUCT_CONFIGS[self.product])
        if not isinstance(text, str):
            return UNKNOWN
        parsed = yaml.safe_load(text)
        return parsed if isinstance(parsed, dict) else {}

    def envs(self) -> dict[str, Any] | Any:
        """``NAME -> value``; ``UNKNOWN`` when the list itself is not known yet."""
        raw = self.props.get("envs")
        if raw is None:
            return {}
        if is_unknown(raw) or not isinstance(raw, list):
            return UNKNOWN
        out: dict[str, Any] = {}
        for entry in raw:
            if isinstance(entry, str) and "=" in entry:
                key, value = entry.split("=", 1)
                out[key] = value
        return out

    def published_ports(self) -> list[Mapping[str, Any]]:
        ports = self.props.get("ports")
        return [p for p in ports if isinstance(p, Mapping) and p.get("external")] if isinstance(ports, list) else []


def product_of(resource: Resource) -> str | None:
    uploads = resource.props.get("uploads")
    files = {u.get("file") for u in uploads if isinstance(u, Mapping)} if isinstance(uploads, list) else set()
    for product, path in PRODUCT_CONFIGS.items():
        if path in files:
            return product
    return None


def containers(resources: Iterable[Resource]) -> list[Container]:
    return [Container(r, product_of(r)) for r in resources if r.type == CONTAINER]


def of_type(resources: Iterable[Resource], type_: str) -> list[Resource]:
    return [r for r in resources if r.type == type_]


_SIZE = re.compile(r"^(\d+)([kmgt]?)$", re.IGNORECASE)
_UNIT_MB = {"": 1 / 1024**2, "k": 1 / 1024, "m": 1, "g": 1024, "t": 1024**2}


def size_mb(text: str) -> float | None:
    """``4096m`` / ``4g`` (JVM units) -> MiB."""
    match = _SIZE.match(text.strip())
    return int(match.group(1)) * _UNIT_MB[match.group(2).lower()] if match else None


def jvm_max_heap_mb(options: Sequence[str]) -> float | None:
    """The last ``-Xmx`` wins, as in the JVM."""
    found = None
    for option in options:
        if option.startswith("-Xmx"):
            found = size_mb(option[4:])
    return found


def heap_mb(container: Container) -> float | None | Any:
    """Max heap in MiB, from where each image takes it; ``UNKNOWN`` if not known yet, None if unset."""
    if container.product == "elasticsearch":
        heap_files = [c for p, c in container.files().items() if p.startswith("/usr/share/elasticsearch/config/jvm.options.d/")]
        if any(not isinstance(c, str) for c in heap_files):
            return UNKNOWN
        return jvm_max_heap_mb([line.strip() for c in heap_files for line in c.splitlines()])
    envs = container.envs()
    if is_unknown(envs):
        return UNKNOWN
    if container.product == "logstash":
        value = envs.get("LS_JAVA_OPTS")
        return UNKNOWN if is_unknown(value) else (jvm_max_heap_mb(value.split()) if isinstance(value, str) else None)
    if container.product == "kibana":
        value = envs.get("NODE_OPTIONS")
        if not isinstance(value, str):
            return None
        match = re.search(r"--max-old-space-size=(\d+)", value)
        return float(match.group(1)) if match else None
    return None


def logstash_inputs(pipeline: str) -> list[tuple[str, str]]:
    """(plugin, body) for every ``tcp``/``beats``/``http`` block inside ``input { }`` of a pipeline."""
    section = _block_after(pipeline, re.search(r"(?m)^\s*input\s*\{", pipeline))
    if section is None:
        return []
    found = []
    for match in re.finditer(r"\b(tcp|beats|http|udp)\s*\{", section):
        body = _block_after(section, match)
        if body is not None:
            found.append((match.group(1), body))
    return found


def _block_after(text: str, match: re.Match[str] | None) -> str | None:
    """The text between the ``{`` a match ends with and its closing ``}`` (quotes respected)."""
    if match is None:
        return None
    depth, i, quote = 1, match.end(), ""
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return text[match.end():i]
        i += 1
    return None


def option(body: str, name: str) -> str | None:
    """A plugin option's raw value (``ssl_enabled => true`` -> ``true``)."""
    match = re.search(rf"(?m)^\s*{re.escape(name)}\s*=>\s*(\S+)", body)
    return match.group(1).strip("\"'") if match else None
