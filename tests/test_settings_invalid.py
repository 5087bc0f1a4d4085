"""Each bad stack file is refused before any resource, with the exact line the operator reads:
``<stack file>: <key path>: <what is wrong; what is allowed>``.

Every case starts from a real stack file and changes only what its id says, so exactly one
problem is expected; that also proves one mistake is never reported twice.
Proof limit: ``parse_settings`` on YAML values; the Pulumi config path is ``test_settings_load.py``.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.settings.parse import parse_settings
from components.settings.problems import Problems, SettingsError

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "elk-stack:"
_STEP = re.compile(r"([^.\[\]]+)|\[(\d+)\]")

ROLES = "master, data, data_content, data_hot, data_warm, data_cold, data_frozen, ingest, ml, remote_cluster_client, transform, voting_only"
PORT_UNIQUE = "each published port must be unique on a host"
TIME_HINT = "an Elasticsearch time value: a whole number and a lowercase unit (d, h, m, s, ms, micros, nanos), e.g. 7d, 12h or 30m"
BYTES_HINT = "a byte size as Elasticsearch and Logstash read it: a whole number and a unit (b, kb, mb, gb, tb, pb), e.g. 5gb or 512mb"
SIZE_HINT = "write a whole number above 0 with k, m, g or t, e.g. 512m or 2g"
CRON_HINT = (
    "Elasticsearch cron needs seconds first: 'sec min hour day-of-month month day-of-week [year]', "
    "e.g. '0 30 1 * * ?' (nightly 01:30)"
)
LOCAL = {"name": "local", "url": "unix:///var/run/docker.sock"}
MASTER_NODE = {"roles": ["master", "data", "ingest"], "heap": "4g", "memory": "8g"}
DATA_NODE = {"name": "es04", "roles": ["data"], "heap": "4g", "memory": "8g"}


def stack_raw(stack: str) -> dict[str, Any]:
    config = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]
    return {key.removeprefix(PREFIX): value for key, value in config.items()}


def put(raw: dict[str, Any], path: str, value: Any) -> None:
    """Set ``a.b[2].c`` in nested YAML data; index == len appends (a new list item)."""
    steps = [name if name else int(index) for name, index in _STEP.findall(path)]
    node: Any = raw
    for step, following in zip(steps, steps[1:], strict=False):
        if isinstance(step, str) and step not in node:
            node[step] = [] if isinstance(following, int) else {}
        elif isinstance(step, int) and step == len(node):
            node.append({})
        node = node[step]
    last = steps[-1]
    if isinstance(last, int) and last == len(node):
        node.append(value)
    else:
        node[last] = value


def problems_for(stack: str, changes: dict[str, Any]) -> Problems:
    raw = copy.deepcopy(stack_raw(stack))
    for path, value in changes.items():
        put(raw, path, value)
    problems = Problems(f"Pulumi.{stack}.yaml")
    parse_settings(raw, problems, own_ca=False)
    return problems


def settings_error(stack: str, changes: dict[str, Any]) -> SettingsError:
    problems = problems_for(stack, changes)
    with pytest.raises(SettingsError) as caught:
        problems.raise_if_any()
    return caught.value


@dataclass(frozen=True)
class Bad:
    id: str
    stack: str
    changes: dict[str, Any]
    line: str


BAD = [
    # --- memory and heap -------------------------------------------------------------------------
    Bad("heap over half the memory is refused", "prod",
        {"elasticsearch.nodes[1].heap": "3g", "elasticsearch.nodes[1].memory": "5g"},
        "Pulumi.prod.yaml: elasticsearch.nodes[1].heap: 3g is more than 50% of the node's memory (5g); Elasticsearch needs the "
        "rest for the file-system cache: set heap <= 2560m or raise memory"),
    Bad("heap of 31g or more is refused even with memory to spare", "prod",
        {"elasticsearch.nodes[0].heap": "31g", "elasticsearch.nodes[0].memory": "64g"},
        "Pulumi.prod.yaml: elasticsearch.nodes[0].heap: 31g is too large; keep heap below 31g so the JVM keeps compressed object pointers"),
    Bad("heap below 256m is refused", "dev",
        {"elasticsearch.nodes[0].heap": "128m"},
        "Pulumi.dev.yaml: elasticsearch.nodes[0].heap: 128m is too small; Elasticsearch needs at least 256m"),
    Bad("kibana heap over 75% of its memory is refused", "dev",
        {"kibana.heap": "900m"},
        "Pulumi.dev.yaml: kibana.heap: 900m is more than 75% of the container's memory (1g), leaving too little native memory: "
        "set heap <= 768m or raise memory"),
    Bad("logstash heap equal to its memory is refused", "prod",
        {"logstash.heap": "4g"},
        "Pulumi.prod.yaml: logstash.heap: 4g is more than 75% of the container's memory (4g), leaving too little native memory: "
        "set heap <= 3g or raise memory"),
    Bad("memory written with a byte-size unit like 8gb is refused", "prod",
        {"elasticsearch.nodes[2].memory": "8gb"},
        f"Pulumi.prod.yaml: elasticsearch.nodes[2].memory: '8gb' is not a size; {SIZE_HINT}"),
    Bad("a fractional heap like 1.5g is refused", "dev",
        {"elasticsearch.nodes[0].heap": "1.5g"},
        f"Pulumi.dev.yaml: elasticsearch.nodes[0].heap: '1.5g' is not a size; {SIZE_HINT}"),
    Bad("a zero memory size is refused", "dev",
        {"kibana.memory": "0m"},
        f"Pulumi.dev.yaml: kibana.memory: '0m' is not a size; {SIZE_HINT}"),
    # --- JVM options -----------------------------------------------------------------------------
    Bad("-Xmx in jvm_options is refused because heap comes from the node", "prod",
        {"elasticsearch.jvm_options": ["-Xmx2g"]},
        "Pulumi.prod.yaml: elasticsearch.jvm_options[0]: '-Xmx2g' sets the heap; the heap comes from elasticsearch.nodes[*].heap "
        "(Xms = Xmx by construction)"),
    Bad("-Xms in a later jvm_options line is refused at its index", "prod",
        {"elasticsearch.jvm_options": ["-XX:+UseG1GC", "-Xms1g"]},
        "Pulumi.prod.yaml: elasticsearch.jvm_options[1]: '-Xms1g' sets the heap; the heap comes from elasticsearch.nodes[*].heap "
        "(Xms = Xmx by construction)"),
    Bad("a jvm option without a leading dash is refused", "dev",
        {"elasticsearch.jvm_options": ["XX:+UseG1GC"]},
        "Pulumi.dev.yaml: elasticsearch.jvm_options[0]: 'XX:+UseG1GC' is not a JVM option; each line must start with '-'"),
    # --- version and names -----------------------------------------------------------------------
    Bad("a version without a patch number is refused", "prod",
        {"elastic_version": "8.19"},
        "Pulumi.prod.yaml: elastic_version: '8.19' is not valid; expected MAJOR.MINOR.PATCH, e.g. 8.19.25"),
    Bad("an unquoted version read as a number is refused", "prod",
        {"elastic_version": 8.19},
        "Pulumi.prod.yaml: elastic_version: must be a string, got 8.19"),
    Bad("version 8.18 is not supported", "prod",
        {"elastic_version": "8.18.3"},
        "Pulumi.prod.yaml: elastic_version: 8.18.3 is not supported; settings and API bodies are checked against 8.19 only, "
        "use 8.19.x (default 8.19.25)"),
    Bad("version 9 is not supported", "dev",
        {"elastic_version": "9.1.0"},
        "Pulumi.dev.yaml: elastic_version: 9.1.0 is not supported; settings and API bodies are checked against 8.19 only, "
        "use 8.19.x (default 8.19.25)"),
    Bad("a cluster name with capitals is refused", "prod",
        {"cluster_name": "MT4_Prod"},
        "Pulumi.prod.yaml: cluster_name: 'MT4_Prod' is not valid; expected lowercase letters, digits, - and _ (max 63)"),
    Bad("two nodes with one name are refused", "prod",
        {"elasticsearch.nodes[2].name": "es01"},
        "Pulumi.prod.yaml: elasticsearch.nodes[2].name: 'es01' is used by another node; node names must be unique"),
    Bad("a node name that is not a DNS label is refused", "prod",
        {"elasticsearch.nodes[0].name": "es_01"},
        "Pulumi.prod.yaml: elasticsearch.nodes[0].name: 'es_01' is not valid; expected a lowercase DNS label (a-z, 0-9, -)"),
    Bad("a node named kibana is refused", "prod",
        {"elasticsearch.nodes[1].name": "kibana"},
        "Pulumi.prod.yaml: elasticsearch.nodes[1].name: 'kibana' is the name of another container of the stack; node names may "
        "not be one of: kibana, logstash, filebeat, metricbeat, backup-permissions"),
    Bad("a node named like a Beat's container is refused", "prod",
        {"elasticsearch.nodes[1].name": "filebeat-elk1"},
        "Pulumi.prod.yaml: elasticsearch.nodes[1].name: 'filebeat-elk1' matches filebeat-*, a name the stack gives its own "
        "containers (Beats per host, secret-file installers, permission helpers); it would collide during `up`, so pick another"),
    Bad("a Logstash instance named like a secret-file installer is refused", "prod",
        {"logstash.instances[1].name": "es01-secret-files"},
        "Pulumi.prod.yaml: logstash.instances[1].name: 'es01-secret-files' matches *-secret-files, a name the stack gives its "
        "own containers (Beats per host, secret-file installers, permission helpers); it would collide during `up`, so pick another"),
    # --- roles and quorum ------------------------------------------------------------------------
    Bad("an unknown role is refused with the list of roles", "dev",
        {"elasticsearch.nodes[0].roles": ["master", "data", "coordinator"]},
        f"Pulumi.dev.yaml: elasticsearch.nodes[0].roles: 'coordinator' is not a node role; allowed: {ROLES}"),
    Bad("a cluster without a master-eligible node is refused", "dev",
        {"elasticsearch.nodes[0].roles": ["data", "ingest"]},
        "Pulumi.dev.yaml: elasticsearch.nodes: no node has the 'master' role; at least one master-eligible node is required"),
    Bad("two master-eligible nodes are refused", "prod",
        {"elasticsearch.nodes[2].roles": ["data", "ingest"]},
        "Pulumi.prod.yaml: elasticsearch.nodes: 2 master-eligible nodes; use an odd number (1, 3, 5) so a majority survives the "
        "loss of a node"),
    Bad("four master-eligible nodes are refused", "prod",
        {"elasticsearch.nodes[3]": {"name": "es04", "host": "elk1", "roles": ["master", "data"], "heap": "4g", "memory": "8g",
                                    "http_port": 9201, "transport_port": 9301}},
        "Pulumi.prod.yaml: elasticsearch.nodes: 4 master-eligible nodes; use an odd number (1, 3, 5) so a majority survives the "
        "loss of a node"),
    Bad("voting_only without the master role is refused", "dev",
        {"elasticsearch.nodes[1]": {"name": "es02", "roles": ["data", "voting_only"]}},
        "Pulumi.dev.yaml: elasticsearch.nodes[1].roles: voting_only requires the master role as well; add master to this node's "
        "roles or drop voting_only"),
    Bad("a cluster whose only master is voting_only is refused", "dev",
        {"elasticsearch.nodes[0].roles": ["master", "voting_only", "data"]},
        "Pulumi.dev.yaml: elasticsearch.nodes: every master-eligible node is voting_only; at least one needs the master role "
        "without voting_only"),
    Bad("a cluster without a data node is refused", "dev",
        {"elasticsearch.nodes[0].roles": ["master", "ingest"]},
        "Pulumi.dev.yaml: elasticsearch.nodes: no node holds data (role data or data_*); at least one is required"),
    Bad("a node that is not a mapping is refused", "dev",
        {"elasticsearch.nodes": ["es01"]},
        "Pulumi.dev.yaml: elasticsearch.nodes[0]: must be a mapping of keys to values, got 'es01'"),
    Bad("an empty node list is refused", "prod",
        {"elasticsearch.nodes": []},
        "Pulumi.prod.yaml: elasticsearch.nodes: must list at least one node"),
    # --- ports -----------------------------------------------------------------------------------
    Bad("a cluster with no published http_port is refused", "dev",
        {"elasticsearch.nodes[0].http_port": 0},
        "Pulumi.dev.yaml: elasticsearch.nodes: no node publishes http_port; at least one must, so the program can reach the "
        "cluster's API"),
    Bad("a port above 65535 is refused", "dev",
        {"kibana.port": 70000},
        "Pulumi.dev.yaml: kibana.port: 70000 is out of range; allowed: 1 to 65535"),
    Bad("kibana on an elasticsearch port is refused", "prod",
        {"kibana.port": 9200},
        f"Pulumi.prod.yaml: kibana.port: port 9200 on Docker host 'elk1' is already published by elasticsearch.nodes[0].http_port; "
        f"{PORT_UNIQUE}"),
    Bad("kibana on a transport port is refused", "prod",
        {"kibana.port": 9300},
        f"Pulumi.prod.yaml: kibana.port: port 9300 on Docker host 'elk1' is already published by "
        f"elasticsearch.nodes[0].transport_port; {PORT_UNIQUE}"),
    Bad("logstash on the kibana port is refused", "dev",
        {"logstash.tcp_port": 5601},
        f"Pulumi.dev.yaml: logstash.tcp_port: port 5601 on Docker host 'local' is already published by kibana.port; {PORT_UNIQUE}"),
    Bad("two nodes on one http_port of one host are refused", "prod",
        {"elasticsearch.nodes[3]": {**DATA_NODE, "host": "elk1", "http_port": 9200, "transport_port": 9301}},
        f"Pulumi.prod.yaml: elasticsearch.nodes[3].http_port: port 9200 on Docker host 'elk1' is already published by "
        f"elasticsearch.nodes[0].http_port; {PORT_UNIQUE}"),
    Bad("two nodes on one transport_port of one host are refused", "prod",
        {"elasticsearch.nodes[3]": {**DATA_NODE, "host": "elk2"}},
        f"Pulumi.prod.yaml: elasticsearch.nodes[3].transport_port: port 9300 on Docker host 'elk2' is already published by "
        f"elasticsearch.nodes[1].transport_port; {PORT_UNIQUE}"),
    Bad("one port on two different hosts is fine, on one host it is refused (kibana beside a node)", "prod",
        {"kibana.host": "elk2", "kibana.port": 9300},
        f"Pulumi.prod.yaml: kibana.port: port 9300 on Docker host 'elk2' is already published by "
        f"elasticsearch.nodes[1].transport_port; {PORT_UNIQUE}"),
    Bad("the beats input on the tcp input port is refused once", "prod",
        {"logstash.instances[0].beats_port": 5000},
        f"Pulumi.prod.yaml: logstash.instances[0].beats_port: port 5000 on Docker host 'elk2' is already published by "
        f"logstash.instances[0].tcp_port; {PORT_UNIQUE}"),
    Bad("a logstash input on the API port 9600 is refused", "prod",
        {"logstash.beats_port": 9600},
        "Pulumi.prod.yaml: logstash.beats_port: 9600 is used inside the container by the Logstash API; choose another "
        "port"),
    # --- network ---------------------------------------------------------------------------------
    Bad("a host name as bind_address is refused", "dev",
        {"network.bind_address": "localhost"},
        "Pulumi.dev.yaml: network.bind_address: 'localhost' is not an IP address; use 127.0.0.1 (this machine only) or "
        "0.0.0.0 (every interface)"),
    Bad("a URL as public_host is refused", "prod",
        {"network.public_host": "https://elk.mt4.internal"},
        "Pulumi.prod.yaml: network.public_host: 'https://elk.mt4.internal' is neither a DNS host name nor an IP address"),
    Bad("an extra SAN that is neither name nor IP is refused at its index", "prod",
        {"network.extra_sans": ["elk.mt4.internal", "not a name"]},
        "Pulumi.prod.yaml: network.extra_sans[1]: 'not a name' is neither a DNS name nor an IP address"),
    # --- docker hosts ----------------------------------------------------------------------------
    Bad("a service on an undeclared docker host is refused", "prod",
        {"kibana.host": "remote"},
        "Pulumi.prod.yaml: kibana.host: 'remote' is not one of docker_hosts; allowed: elk1, elk2, elk3"),
    Bad("a node on an undeclared docker host is refused", "prod",
        {"elasticsearch.nodes[2].host": "elk4"},
        "Pulumi.prod.yaml: elasticsearch.nodes[2].host: 'elk4' is not one of docker_hosts; allowed: elk1, elk2, elk3"),
    Bad("two docker hosts with one name are refused", "prod",
        {"docker_hosts[3]": {"name": "elk3", "url": "ssh://ops@elk4", "address": "10.0.1.14"}},
        "Pulumi.prod.yaml: docker_hosts[3].name: 'elk3' is used twice; each Docker host needs its own name"),
    Bad("an http docker url is refused", "prod",
        {"docker_hosts": [{"name": "local", "url": "http://elk:2375"}]},
        "Pulumi.prod.yaml: docker_hosts[0].url: 'http://elk:2375' is not valid; expected unix:///var/run/docker.sock, "
        "ssh://user@host or tcp://host:2376"),
    Bad("a docker host without a name is refused", "prod",
        {"docker_hosts": [{"url": "unix:///var/run/docker.sock"}]},
        "Pulumi.prod.yaml: docker_hosts[0].name: is required; give each Docker host a name (a lowercase DNS label) that nodes and "
        "services refer to in their host key"),
    Bad("an empty docker host list is refused", "dev",
        {"docker_hosts": []},
        "Pulumi.dev.yaml: docker_hosts: must list at least one Docker host, e.g. {name: local, url: unix:///var/run/docker.sock}"),
    Bad("a node without a host is refused when several hosts are listed", "prod",
        {"elasticsearch.nodes[2].host": None},
        "Pulumi.prod.yaml: elasticsearch.nodes[2].host: is required; docker_hosts lists several hosts, so every node is placed "
        "explicitly (masters spread so that losing one host keeps a quorum); allowed: elk1, elk2, elk3"),
    Bad("a host without an address is refused when several hosts are listed", "prod",
        {"docker_hosts[2].address": None},
        "Pulumi.prod.yaml: docker_hosts[2].address: is required; docker_hosts lists several hosts, and containers on the other "
        "hosts (and this program) dial this host's published ports at its address; give the IP or DNS name they reach it on, "
        "e.g. 10.0.1.11"),
    Bad("a host address with a port is refused", "prod",
        {"docker_hosts[0].address": "10.0.1.11:22"},
        "Pulumi.prod.yaml: docker_hosts[0].address: '10.0.1.11:22' is neither a DNS host name nor an IP address; give the IP or "
        "DNS name other hosts reach this host on"),
    Bad("two hosts at one address are refused", "prod",
        {"docker_hosts[2].address": "10.0.1.12"},
        "Pulumi.prod.yaml: docker_hosts[2].address: '10.0.1.12' is also the address of Docker host 'elk2'; each host needs an "
        "address of its own"),
    Bad("masters that one host failure would take below quorum are refused, naming the host", "prod",
        {"elasticsearch.nodes[1].host": "elk1", "elasticsearch.nodes[1].http_port": 9201, "elasticsearch.nodes[1].transport_port": 9301},
        "Pulumi.prod.yaml: elasticsearch.nodes: losing Docker host 'elk1' would take 2 of the 3 master-eligible nodes (es01, es02), "
        "leaving 1, below the quorum of 2: the cluster would stop accepting writes. Place the master-eligible nodes so that no "
        "host holds more than 1 of them (hosts now: elk1 2, elk2 0, elk3 1)"),
    Bad("three masters on one of two listed hosts are refused", "prod",
        {"elasticsearch.nodes[1]": {**MASTER_NODE, "name": "es02", "host": "elk1", "http_port": 9201, "transport_port": 9301},
         "elasticsearch.nodes[2]": {**MASTER_NODE, "name": "es03", "host": "elk1", "http_port": 9202, "transport_port": 9302}},
        "Pulumi.prod.yaml: elasticsearch.nodes: losing Docker host 'elk1' would take 3 of the 3 master-eligible nodes "
        "(es01, es02, es03), leaving 0, below the quorum of 2: the cluster would stop accepting writes. Place the "
        "master-eligible nodes so that no host holds more than 1 of them (hosts now: elk1 3, elk2 0, elk3 0)"),
    Bad("an unpublished transport port with several hosts is refused", "prod",
        {"elasticsearch.nodes[1].transport_port": 0},
        "Pulumi.prod.yaml: elasticsearch.nodes[1].transport_port: 0 leaves the node's transport unpublished, but docker_hosts "
        "lists several hosts: the nodes on the other hosts could not reach it. Use a port from 1 to 65535 (default 9300)"),
    Bad("a transport port on a one-host stack is refused", "dev",
        {"elasticsearch.nodes[0].transport_port": 9300},
        "Pulumi.dev.yaml: elasticsearch.nodes[0].transport_port: applies only when docker_hosts lists several hosts; on one host "
        "the nodes meet on the Docker network and transport stays unpublished: remove it"),
    Bad("a loopback bind address across several hosts is refused", "prod",
        {"network.bind_address": "127.0.0.1"},
        "Pulumi.prod.yaml: network.bind_address: 127.0.0.1 is one address, but docker_hosts lists several hosts, each with its "
        "own: published ports (transport among them) must listen where the other hosts dial them. Use 0.0.0.0 (or :: for IPv6) "
        "and a firewall that lets only the stack's hosts in"),
    Bad("nodes on several hosts without a shared backup filesystem are refused", "prod",
        {"snapshots.nfs": None},
        "Pulumi.prod.yaml: snapshots.nfs: is not set, but Elasticsearch nodes run on 3 Docker hosts (elk1, elk2, elk3): a local "
        "backup volume per host would give each node another filesystem and the repository's verify fails. Give an NFS export "
        "every host mounts: snapshots.nfs: {server: <ip or name>, export: /export/elk-snapshots}"),
    Bad("an nfs export without its path is refused", "prod",
        {"snapshots.nfs.export": None},
        "Pulumi.prod.yaml: snapshots.nfs.export: is required with snapshots.nfs; the exported path, e.g. /export/elk-snapshots"),
    Bad("an nfs option holding several options is refused at its index", "prod",
        {"snapshots.nfs.options": ["nfsvers=4.1", "hard,intr"]},
        "Pulumi.prod.yaml: snapshots.nfs.options[1]: 'hard,intr' is not a mount option this program passes on; give one option "
        "per item (no ',' or spaces), and not addr= or rw/ro, which come from server and the repository's need to write"),
    Bad("an nfs option that would make the repository read-only is refused", "prod",
        {"snapshots.nfs.options": ["ro"]},
        "Pulumi.prod.yaml: snapshots.nfs.options[0]: 'ro' is not a mount option this program passes on; give one option "
        "per item (no ',' or spaces), and not addr= or rw/ro, which come from server and the repository's need to write"),
    # --- replicas, TLS, license, volumes, queue --------------------------------------------------
    Bad("a replica on a one-node cluster is refused", "dev",
        {"index_management.replicas": 1},
        "Pulumi.dev.yaml: index_management.replicas: 1 replica(s) need 2 data nodes but there are 1; the cluster would stay "
        "yellow. Use at most 0"),
    Bad("early renewal as long as the validity is refused", "prod",
        {"tls.early_renewal_hours": 8760},
        "Pulumi.prod.yaml: tls.early_renewal_hours: 8760 is not shorter than tls.validity_hours (8760); every up would rotate "
        "every certificate: set it below 8760"),
    Bad("certificates outliving the stack's CA are refused", "prod",
        {"tls.ca_validity_hours": 4000},
        "Pulumi.prod.yaml: tls.validity_hours: 8760 outlives the CA (tls.ca_validity_hours 4000); a certificate cannot be valid "
        "longer than its CA: set it to at most 4000 or raise tls.ca_validity_hours"),
    Bad("an unknown license is refused with the allowed ones", "prod",
        {"license": "platinum"},
        "Pulumi.prod.yaml: license: 'platinum' is not allowed; use one of: basic, trial"),
    Bad("an unknown volume policy is refused with the allowed ones", "prod",
        {"volume_policy": "keep"},
        "Pulumi.prod.yaml: volume_policy: 'keep' is not allowed; use one of: retain, delete"),
    Bad("an unknown logstash queue type is refused", "dev",
        {"logstash.queue_type": "disk"},
        "Pulumi.dev.yaml: logstash.queue_type: 'disk' is not allowed; use one of: memory, persisted"),
    Bad("a queue size in words is refused", "prod",
        {"logstash.queue_max_bytes": "4 gigabytes"},
        f"Pulumi.prod.yaml: logstash.queue_max_bytes: '4 gigabytes' is not {BYTES_HINT}"),
    # --- index lifecycle -------------------------------------------------------------------------
    Bad("warm before the rollover age is refused", "prod",
        {"index_management.logs.warm_min_age": "3d"},
        "Pulumi.prod.yaml: index_management.logs.warm_min_age: 3d is before the hot phase's rollover_max_age (7d); warm must "
        "start at or after rollover"),
    Bad("delete at the same age as warm is refused", "dev",
        {"index_management.metrics.delete_min_age": "1d"},
        "Pulumi.dev.yaml: index_management.metrics.delete_min_age: 1d is not after warm_min_age (1d); delete must come after warm"),
    Bad("a time value in words is refused", "prod",
        {"index_management.logs.delete_min_age": "7 days"},
        f"Pulumi.prod.yaml: index_management.logs.delete_min_age: '7 days' is not {TIME_HINT}"),
    Bad("minutes written as capital M are refused because Elasticsearch reads no such unit", "dev",
        {"index_management.refresh_interval": "30M"},
        f"Pulumi.dev.yaml: index_management.refresh_interval: '30M' is not {TIME_HINT}"),
    Bad("a time value given as a bare number is refused", "prod",
        {"index_management.metrics.rollover_max_age": 7},
        f"Pulumi.prod.yaml: index_management.metrics.rollover_max_age: 7 is not {TIME_HINT}"),
    Bad("a binary-prefix byte size like 5GiB is refused", "prod",
        {"index_management.logs.rollover_max_primary_shard_size": "5GiB"},
        f"Pulumi.prod.yaml: index_management.logs.rollover_max_primary_shard_size: '5GiB' is not {BYTES_HINT}"),
    Bad("shrinking to more than one shard is refused", "prod",
        {"index_management.logs.warm_shrink_shards": 2},
        "Pulumi.prod.yaml: index_management.logs.warm_shrink_shards: 2 is more than the 1 primary shard the templates create; "
        "shrink can only reduce, use 1"),
    # --- snapshots -------------------------------------------------------------------------------
    Bad("a five-field unix cron is refused", "prod",
        {"snapshots.schedule": "30 1 * * *"},
        f"Pulumi.prod.yaml: snapshots.schedule: '30 1 * * *' has 5 fields; {CRON_HINT}"),
    Bad("a cron setting both day-of-month and day-of-week is refused", "prod",
        {"snapshots.schedule": "0 30 1 * * MON"},
        "Pulumi.prod.yaml: snapshots.schedule: '0 30 1 * * MON' has '?' in neither of day-of-month and day-of-week; exactly "
        "one of them must be '?', e.g. '0 30 1 * * ?' (nightly 01:30)"),
    Bad("a cron with question marks in both day fields is refused", "prod",
        {"snapshots.schedule": "0 30 1 ? * ?"},
        "Pulumi.prod.yaml: snapshots.schedule: '0 30 1 ? * ?' has '?' in both of day-of-month and day-of-week; exactly one of "
        "them must be '?', e.g. '0 30 1 * * ?' (nightly 01:30)"),
    Bad("keeping more snapshots at least than at most is refused", "dev",
        {"snapshots.min_count": 20},
        "Pulumi.dev.yaml: snapshots.min_count: 20 is more than snapshots.max_count (10); SLM keeps at least min_count and at "
        "most max_count snapshots, so min_count may be at most 10"),
    Bad("a min_count of zero is refused as SLM does", "dev",
        {"snapshots.min_count": 0},
        "Pulumi.dev.yaml: snapshots.min_count: 0 is out of range; allowed: 1 to 10000"),
    Bad("a relative snapshot location is refused", "prod",
        {"snapshots.location": "backup/elasticsearch"},
        "Pulumi.prod.yaml: snapshots.location: 'backup/elasticsearch' is not valid; expected an absolute path inside the container"),
    Bad("a repository name with spaces and capitals is refused", "prod",
        {"snapshots.repository": "MT4 Backup"},
        "Pulumi.prod.yaml: snapshots.repository: 'MT4 Backup' is not valid; expected lowercase letters, digits, - and _"),
    Bad("a sensitive key that is not a field name is refused", "dev",
        {"logstash.sensitive_keys": ["password", "api key"]},
        "Pulumi.dev.yaml: logstash.sensitive_keys[1]: 'api key' is not a field name; use letters, digits, '_', '-' or '.'"),
    # --- wrong types -----------------------------------------------------------------------------
    Bad("a quoted number where a port is expected is refused", "dev",
        {"kibana.port": "5601"},
        "Pulumi.dev.yaml: kibana.port: must be a whole number from 1 to 65535, got '5601'"),
    Bad("a list where the kibana mapping is expected is refused", "dev",
        {"kibana": ["heap", "1g"]},
        "Pulumi.dev.yaml: kibana: must be a mapping of keys to values, got ['heap', '1g']"),
    Bad("a bool where a port is expected is refused", "prod",
        {"elasticsearch.nodes[0].http_port": True},
        "Pulumi.prod.yaml: elasticsearch.nodes[0].http_port: must be a whole number from 0 to 65535, got true"),
    Bad("a word where a bool is expected is refused", "prod",
        {"kibana.tls": "yes"},
        "Pulumi.prod.yaml: kibana.tls: must be true or false, got 'yes'"),
    Bad("a single role not in a list is refused", "dev",
        {"elasticsearch.nodes[0].roles": "master"},
        "Pulumi.dev.yaml: elasticsearch.nodes[0].roles: must be a list of strings, got 'master'"),
    Bad("a mapping where the node list is expected is refused", "dev",
        {"elasticsearch.nodes": {"name": "es01"}},
        "Pulumi.dev.yaml: elasticsearch.nodes: must be a list, got {'name': 'es01'}"),
    # --- hardening: what Elastic or Docker would refuse during up, refused at load time -------------
    Bad("a cron minute out of range is refused", "prod",
        {"snapshots.schedule": "0 61 1 * * ?"},
        "Pulumi.prod.yaml: snapshots.schedule: '0 61 1 * * ?' minutes '61': 61 is out of range; allowed 0-59"),
    Bad("a cron month of 13 is refused", "prod",
        {"snapshots.schedule": "0 30 1 * 13 ?"},
        "Pulumi.prod.yaml: snapshots.schedule: '0 30 1 * 13 ?' month '13': 13 is out of range; allowed 1-12"),
    Bad("a cron day-of-week name that does not exist is refused", "prod",
        {"snapshots.schedule": "0 30 1 ? * MOM"},
        "Pulumi.prod.yaml: snapshots.schedule: '0 30 1 ? * MOM' day-of-week 'MOM': 'MOM' is not a name here (allowed: SUN-SAT)"),
    Bad("a cron step of zero is refused", "prod",
        {"snapshots.schedule": "0 */0 * * * ?"},
        "Pulumi.prod.yaml: snapshots.schedule: '0 */0 * * * ?' minutes '*/0': the step 0 must be from 1 to 59"),
    Bad("a newline in a JVM option is refused", "dev",
        {"elasticsearch.jvm_options": ["-XX:+UseG1GC\n-Xmx30g"]},
        "Pulumi.dev.yaml: elasticsearch.jvm_options[0]: holds a control character or a line break; it is written into rendered "
        "files and names, write it on one line"),
    Bad("a control character in the public host is refused", "prod",
        {"network.public_host": "elk\tmt4"},
        "Pulumi.prod.yaml: network.public_host: holds a control character or a line break; it is written into rendered files "
        "and names, write it on one line"),
    Bad("a snapshot location over the data path is refused", "prod",
        {"snapshots.location": "/usr/share/elasticsearch/data"},
        "Pulumi.prod.yaml: snapshots.location: '/usr/share/elasticsearch/data' is /usr/share/elasticsearch/data, which the "
        "Elasticsearch image uses (the node's data volume); the backup volume mounted there would hide it. Use a path of its "
        "own, e.g. /backup/elasticsearch"),
    Bad("a snapshot location inside the config path is refused", "prod",
        {"snapshots.location": "/usr/share/elasticsearch/config/backup"},
        "Pulumi.prod.yaml: snapshots.location: '/usr/share/elasticsearch/config/backup' is inside "
        "/usr/share/elasticsearch/config, which the Elasticsearch image uses (configuration, certificates and the keystore); "
        "the backup volume mounted there would sit inside a path Elasticsearch manages. Use a path of its own, e.g. "
        "/backup/elasticsearch"),
    Bad("a snapshot location that contains the image's home is refused", "prod",
        {"snapshots.location": "/usr/share"},
        "Pulumi.prod.yaml: snapshots.location: '/usr/share' contains /usr/share/elasticsearch, which the Elasticsearch image "
        "uses (its home); the backup volume mounted there would hide it. Use a path of its own, e.g. /backup/elasticsearch"),
    Bad("a snapshot location in a system directory is refused", "prod",
        {"snapshots.location": "/etc/backup"},
        "Pulumi.prod.yaml: snapshots.location: '/etc/backup' is inside /etc, which the Elasticsearch image uses (system files); "
        "the backup volume mounted there would hide or shadow files the image needs. Use a path of its own, e.g. "
        "/backup/elasticsearch"),
    Bad("a snapshot location with dot-dot is refused", "prod",
        {"snapshots.location": "/backup/../usr/share/elasticsearch/data"},
        "Pulumi.prod.yaml: snapshots.location: '/backup/../usr/share/elasticsearch/data' is not a plain absolute path; write it "
        "without '.', '..', '//' or a trailing '/', e.g. /backup/elasticsearch"),
    Bad("a zero rollover age is refused", "prod",
        {"index_management.logs.rollover_max_age": "0d"},
        "Pulumi.prod.yaml: index_management.logs.rollover_max_age: '0d' is zero; use a value above 0"),
    Bad("a zero rollover size is refused", "prod",
        {"index_management.metrics.rollover_max_primary_shard_size": "0gb"},
        "Pulumi.prod.yaml: index_management.metrics.rollover_max_primary_shard_size: '0gb' is zero; use a value above 0"),
    Bad("a zero snapshot retention is refused", "dev",
        {"snapshots.expire_after": "0d"},
        "Pulumi.dev.yaml: snapshots.expire_after: '0d' is zero; use a value above 0"),
    Bad("a persisted-queue size with a memory queue contradicts it", "dev",
        {"logstash.queue_type": "memory", "logstash.queue_max_bytes": "2gb"},
        "Pulumi.dev.yaml: logstash.queue_max_bytes: applies only to a persisted queue, but queue_type is memory; remove it or "
        "use queue_type: persisted"),
    Bad("accepting event loss with a persisted queue contradicts it", "dev",
        {"logstash.accept_losing_queued_events": True},
        "Pulumi.dev.yaml: logstash.accept_losing_queued_events: accepts losing queued events, but queue_type is persisted "
        "and the dead letter queue is on, which lose none; remove it"),
    Bad("a memory queue on a stack that protects its data is refused without the opt-in", "prod",
        {"logstash.queue_type": "memory", "logstash.queue_max_bytes": None},
        "Pulumi.prod.yaml: logstash.queue_type: memory keeps queued events only in RAM: a Logstash restart or crash loses them, "
        "while this stack protects its data (volume_policy: retain). Use queue_type: persisted, or set "
        "logstash.accept_losing_queued_events: true to accept that loss explicitly"),
    Bad("an event type that is no data stream name is refused", "dev",
        {"logstash.event_types": ["Order Fill"]},
        "Pulumi.dev.yaml: logstash.event_types[0]: 'Order Fill' is not a routable event type; use lowercase letters, digits and "
        "'_' (at most 64, starting with a letter)"),
    Bad("an event type the pipeline keeps for itself is refused", "dev",
        {"logstash.event_types": ["order_fill", "other"]},
        "Pulumi.dev.yaml: logstash.event_types[1]: 'other' is the name of a stream the pipeline keeps for itself; list only "
        "event types of your own"),
    Bad("an MT4 event type listed again is refused", "dev",
        {"logstash.event_types": ["market_tick"]},
        "Pulumi.dev.yaml: logstash.event_types[0]: 'market_tick' is an MT4 event type, routed already; list only event types "
        "of your own"),
    Bad("a fractional replica count is refused", "prod",
        {"index_management.replicas": 1.5},
        "Pulumi.prod.yaml: index_management.replicas: must be a whole number from 0 to 32, got 1.5"),
]


def test_the_table_has_at_least_forty_distinct_cases() -> None:
    assert len(BAD) >= 40
    assert len({case.id for case in BAD}) == len(BAD)
    assert len({(case.stack, repr(case.changes)) for case in BAD}) == len(BAD)


@pytest.mark.parametrize("case", BAD, ids=[case.id for case in BAD])
def test_bad_setting_is_refused_with_one_exact_line(case: Bad) -> None:
    error = settings_error(case.stack, case.changes)
    assert str(error) == f"1 invalid setting(s):\n  {case.line}"
    assert [f"{error.stack_file}: {p.key}: {p.message}" for p in error.problems] == [case.line]


def test_a_broken_value_does_not_stop_the_rules_that_do_not_read_it() -> None:
    """Three mistakes, one round: a value that fails to read skips only the rules reading it."""
    error = settings_error("prod", {
        "elasticsearch.nodes[1].heap": "lots",
        "kibana.port": 9200,
        "snapshots.min_count": 100,
    })
    assert [f"{p.key}: {p.message}" for p in error.problems] == [
        "elasticsearch.nodes[1].heap: 'lots' is not a size; write a whole number above 0 with k, m, g or t, e.g. 512m or 2g",
        "kibana.port: port 9200 on Docker host 'elk1' is already published by elasticsearch.nodes[0].http_port; each published "
        "port must be unique on a host",
        "snapshots.min_count: 100 is more than snapshots.max_count (60); SLM keeps at least min_count and at most max_count "
        "snapshots, so min_count may be at most 60",
    ]


def test_a_rule_whose_input_failed_to_read_is_skipped_not_run_on_the_default() -> None:
    """heap 'lots' falls back to 1g; the heap-vs-memory rule must not then judge 1g against memory 1g."""
    error = settings_error("prod", {"elasticsearch.nodes[1].heap": "lots", "elasticsearch.nodes[1].memory": "1g"})
    assert [p.key for p in error.problems] == ["elasticsearch.nodes[1].heap"]


def test_reading_problems_in_several_sections_are_reported_together() -> None:
    error = settings_error("prod", {
        "cluster_name": "MT4",
        "license": "gold",
        "kibana.port": "5601",
        "snapshots.location": "backup",
    })
    assert str(error).splitlines() == [
        "4 invalid setting(s):",
        "  Pulumi.prod.yaml: cluster_name: 'MT4' is not valid; expected lowercase letters, digits, - and _ (max 63)",
        "  Pulumi.prod.yaml: license: 'gold' is not allowed; use one of: basic, trial",
        "  Pulumi.prod.yaml: kibana.port: must be a whole number from 1 to 65535, got '5601'",
        "  Pulumi.prod.yaml: snapshots.location: 'backup' is not valid; expected an absolute path inside the container",
    ]


def test_rule_problems_across_settings_are_reported_together() -> None:
    error = settings_error("prod", {
        "elasticsearch.nodes[2].roles": ["data", "ingest"],
        "elasticsearch.nodes[1].heap": "5g",
        "kibana.port": 9200,
        "snapshots.schedule": "30 1 * * *",
    })
    assert [f"{p.key}: {p.message}" for p in error.problems] == [
        "elasticsearch.nodes: 2 master-eligible nodes; use an odd number (1, 3, 5) so a majority survives the loss of a node",
        "elasticsearch.nodes[1].heap: 5g is more than 50% of the node's memory (8g); Elasticsearch needs the rest for the "
        "file-system cache: set heap <= 4g or raise memory",
        f"kibana.port: port 9200 on Docker host 'elk1' is already published by elasticsearch.nodes[0].http_port; {PORT_UNIQUE}",
        f"snapshots.schedule: '30 1 * * *' has 5 fields; {CRON_HINT}",
    ]
    assert str(error).startswith("4 invalid setting(s):\n")


def test_one_node_can_break_several_heap_rules_at_once() -> None:
    error = settings_error("prod", {"elasticsearch.nodes[0].heap": "32g"})
    assert [f"{p.key}: {p.message}" for p in error.problems] == [
        "elasticsearch.nodes[0].heap: 32g is more than 50% of the node's memory (8g); Elasticsearch needs the rest for the "
        "file-system cache: set heap <= 4g or raise memory",
        "elasticsearch.nodes[0].heap: 32g is too large; keep heap below 31g so the JVM keeps compressed object pointers",
    ]


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_error_names_the_stack_file_it_came_from(stack: str) -> None:
    error = settings_error(stack, {"volume_policy": "forever"})
    assert error.stack_file == f"Pulumi.{stack}.yaml"
    line = f"Pulumi.{stack}.yaml: volume_policy: 'forever' is not allowed; use one of: retain, delete"
    assert str(error) == f"1 invalid setting(s):\n  {line}"


def test_advisories_do_not_travel_in_the_error() -> None:
    problems = problems_for("dev", {"license": "trial", "kibana.port": 0})
    assert [p.key for p in problems.warnings] == ["license"]
    with pytest.raises(SettingsError) as caught:
        problems.raise_if_any()
    assert [p.key for p in caught.value.problems] == ["kibana.port"]
