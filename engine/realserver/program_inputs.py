"""What the real nodes get, taken from the program itself run under Pulumi's mocks.

``tests.program.run_program`` runs the real ``__main__.py`` for a stack file. Each Elasticsearch
container's files are exactly what ``ElasticsearchCluster._node`` renders with
``components/render/elasticsearch_yml.py`` from ``elasticsearch_cluster.node_config``: the node's
elasticsearch.yml and jvm.options.d heap file are uploads of the node's container; the elastic
password file is wherever the program puts it: an upload of the container, or (secret files) an
upload of the one-shot container that ``install``s it into a volume the node mounts
(``file_as_mounted``, which follows the mount and the installer's script, no naming convention).
Certificates under mocks are placeholders; real ones come from the PKI (``pki`` fixtures), issued
for the SANs the program asks for (its ``tls:CertRequest`` inputs, read here too).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Final

from components.elasticsearch_cluster import EXTRA_JVM_OPTIONS, PASSWORD_FILE
from components.render import elasticsearch_yml as es_yml
from tests.program import Registration, Run, run_program

CONTAINER: Final = "docker:index/container:Container"
CERT_REQUEST: Final = "tls:index/certRequest:CertRequest"
ELASTICSTACK_PREFIX: Final = "elasticstack:"


@dataclass(frozen=True)
class NodeFiles:
    node_name: str
    elasticsearch_yml: str
    jvm_options: dict[str, str]
    """File name under jvm.options.d -> content (heap.options, extra.options when set)."""
    password: str = field(repr=False)
    """Content of the ELASTIC_PASSWORD_FILE upload: what the image turns into bootstrap.password."""
    dns_names: tuple[str, ...]
    ip_addresses: tuple[str, ...]


@dataclass(frozen=True)
class ProgramInputs:
    stack: str
    run: Run = field(repr=False)
    """The whole mock run: its registrations carry every upload, secrets included, so not in the repr."""
    nodes: tuple[NodeFiles, ...]

    def elasticstack_resources(self) -> list[Registration]:
        return [r for r in self.run.resources if r.type.startswith(ELASTICSTACK_PREFIX) and r.custom]


def _uploads(container: Registration) -> dict[str, str]:
    return {u["file"]: u.get("content", "") for u in container.inputs.get("uploads", [])}


def _node_name(container: Registration) -> str | None:
    """The node's name as its rendered elasticsearch.yml states it (None for other containers)."""
    text = _uploads(container).get(f"{es_yml.CONFIG_DIR}/elasticsearch.yml")
    if text is None:
        return None
    for line in text.splitlines():
        if line.startswith("node.name:"):
            return line.split(":", 1)[1].strip()
    raise ValueError(f"{container.name}: elasticsearch.yml has no node.name")


_INSTALL = re.compile(r"^install(?: -[ogm] \S+)* (\S+) (\S+)$")


def file_as_mounted(run: Run, container: Registration, path: str) -> str:
    """The content ``container`` finds at ``path``: its own upload there, or else the upload that a
    container mounting the same volume (writable) copies there with an ``install SRC DST`` line of
    its command. Raises when neither holds the file: the program does not give the node that file."""
    own = _uploads(container)
    if path in own:
        return own[path]
    for mount in container.inputs.get("mounts", []):
        target = str(mount.get("target", "")).rstrip("/")
        if not path.startswith(target + "/"):
            continue
        for other in run.of_type(CONTAINER):
            shares = any(m.get("source") == mount.get("source") and str(m.get("target", "")).rstrip("/") == target
                         and not m.get("readOnly") for m in other.inputs.get("mounts", []))
            if other is container or not shares:
                continue
            for line in "\n".join(other.inputs.get("command", [])).splitlines():
                found = _INSTALL.match(line.strip())
                if found and found.group(2) == path:
                    staged = _uploads(other)
                    if found.group(1) in staged:
                        return staged[found.group(1)]
    raise KeyError(f"{container.name}: no upload and no installer gives it {path}")


def _sans(run: Run, node_name: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    requests = [r for r in run.of_type(CERT_REQUEST) if r.inputs.get("subject", {}).get("commonName") == node_name]
    if len(requests) != 1:
        raise ValueError(f"expected one certificate request for {node_name}, found {len(requests)}")
    inputs: dict[str, Any] = requests[0].inputs
    return tuple(inputs.get("dnsNames", [])), tuple(inputs.get("ipAddresses", []))


def program_inputs(stack: str) -> ProgramInputs:
    run = run_program(stack)
    nodes = []
    for container in run.of_type(CONTAINER):
        name = _node_name(container)
        if name is None:
            continue
        files = _uploads(container)
        jvm = {es_yml.HEAP_OPTIONS.rsplit("/", 1)[1]: files[es_yml.HEAP_OPTIONS]}
        if EXTRA_JVM_OPTIONS in files:
            jvm[EXTRA_JVM_OPTIONS.rsplit("/", 1)[1]] = files[EXTRA_JVM_OPTIONS]
        dns, ips = _sans(run, name)
        nodes.append(NodeFiles(
            node_name=name,
            elasticsearch_yml=files[f"{es_yml.CONFIG_DIR}/elasticsearch.yml"],
            jvm_options=jvm,
            password=file_as_mounted(run, container, PASSWORD_FILE),
            dns_names=dns,
            ip_addresses=ips,
        ))
    return ProgramInputs(stack=stack, run=run, nodes=tuple(sorted(nodes, key=lambda n: n.node_name)))
