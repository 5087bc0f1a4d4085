"""Topologies the tests run besides the two stack files: changes applied on top of Pulumi.prod.yaml.

``DEDICATED``: the three-host variant of issue 12 with dedicated roles: three master-only nodes
(one per host, small, unpublished HTTP), three data+ingest nodes (one per host, each publishing
HTTPS), so each host runs two nodes and their transport ports differ (9300, 9301). Host
addresses are DNS names here (prod uses IPs), so both kinds of SAN are exercised.
"""

from __future__ import annotations

from typing import Any

HOSTS = [
    {"name": "elk1", "url": "ssh://ops@elk1.mt4.internal", "address": "elk1.mt4.internal"},
    {"name": "elk2", "url": "tcp://elk2.mt4.internal:2376", "address": "elk2.mt4.internal"},
    {"name": "elk3", "url": "ssh://ops@elk3.mt4.internal", "address": "elk3.mt4.internal"},
]
_MASTER = {"roles": ["master"], "heap": "1g", "memory": "2g", "http_port": 0, "transport_port": 9300}
_DATA = {"roles": ["data", "ingest"], "heap": "4g", "memory": "8g", "http_port": 9200, "transport_port": 9301}

DEDICATED: dict[str, Any] = {
    "docker_hosts": HOSTS,
    "elasticsearch": {
        "allow_mmap": True,
        "nodes": [
            {**_MASTER, "name": "master1", "host": "elk1"},
            {**_MASTER, "name": "master2", "host": "elk2"},
            {**_MASTER, "name": "master3", "host": "elk3"},
            {**_DATA, "name": "data1", "host": "elk1"},
            {**_DATA, "name": "data2", "host": "elk2"},
            {**_DATA, "name": "data3", "host": "elk3"},
        ],
    },
}


def prod_on_one_host(url: str = "unix:///var/run/docker.sock", name: str = "local") -> dict[str, Any]:
    """Overrides that fold Pulumi.prod.yaml onto one Docker host (a test daemon): every node,
    service and shipper on ``name``, the nodes' HTTPS on 9200, 9201, ..., the second and later
    Logstash instances on 5001/5045, ..., no published transport and no NFS (one host needs
    neither). Everything else stays prod's, so the result is prod's containers on one engine."""
    import copy
    from pathlib import Path

    import yaml

    config = yaml.safe_load((Path(__file__).resolve().parent.parent / "Pulumi.prod.yaml").read_text())["config"]
    prod = {k.removeprefix("elk-stack:"): copy.deepcopy(v) for k, v in config.items()}
    es = prod["elasticsearch"]
    for i, node in enumerate(es["nodes"]):
        node.update(host=name, http_port=9200 + i)
        node.pop("transport_port", None)
    logstash = prod["logstash"]
    for i, instance in enumerate(logstash.get("instances", [])):
        instance["host"] = name
        if i:
            instance.update(tcp_port=logstash.get("tcp_port", 5000) + i, beats_port=logstash.get("beats_port", 5044) + i)
    snapshots = {k: v for k, v in prod["snapshots"].items() if k != "nfs"}
    out: dict[str, Any] = {
        "docker_hosts": [{"name": name, "url": url}],
        "elasticsearch": es,
        "kibana": {**prod["kibana"], "host": name},
        "logstash": logstash,
        "snapshots": snapshots,
    }
    for beat in ("filebeat", "metricbeat"):
        if beat in prod:
            out[beat] = {**prod[beat], "hosts": [name]}
    return out
