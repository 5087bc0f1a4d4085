"""What the real nodes get, taken from the program itself run under Pulumi's mocks.

``tests.program.run_program`` runs the real ``__main__.py`` for a stack file. Each Elasticsearch
container's uploads are exactly what ``ElasticsearchCluster._node`` renders with
``components/render/elasticsearch_yml.py`` from ``elasticsearch_cluster.node_config``: the node's
elasticsearch.yml, jvm.options.d heap file and the elastic password file. Certificates under mocks
are placeholders; real ones come from the PKI (``pki`` fixtures), issued for the SANs the program
asks for (its ``tls:CertRequest`` inputs, read here too).
"""

from __future__ import annotations

from dataclasses import dataclass
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
    password: str
    """Content of the ELASTIC_PASSWORD_FILE upload: what the image turns into bootstrap.password."""
    dns_names: tuple[str, ...]
    ip_addresses: tuple[str, ...]


@dataclass(frozen=True)
class ProgramInputs:
    stack: str
    run: Run
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
            password=files[PASSWORD_FILE],
            dns_names=dns,
            ip_addresses=ips,
        ))
    return ProgramInputs(stack=stack, run=run, nodes=tuple(sorted(nodes, key=lambda n: n.node_name)))
