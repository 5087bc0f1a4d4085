"""Defaults and allowed values, each with the reason it is what it is."""

from __future__ import annotations

import re
from typing import Final

#: Newest 8.19 patch confirmed in Elastic's release list (github.com/elastic/elasticsearch
#: release v8.19.25). One version for every image: Elastic supports only matching versions.
ELASTIC_VERSION: Final = "8.19.25"
#: Settings, templates and API bodies were checked against the 8.19 docs; nothing else.
SUPPORTED_MINOR: Final = (8, 19)

#: Node roles documented for 8.19 (modules-node.html#node-roles).
NODE_ROLES: Final = (
    "master", "data", "data_content", "data_hot", "data_warm", "data_cold", "data_frozen",
    "ingest", "ml", "remote_cluster_client", "transform", "voting_only",
)

#: Compressed ordinary object pointers stop just under 32 GB; Elastic advises below ~31 GB.
MAX_HEAP_BYTES: Final = 31 * 1024**3
MIN_HEAP_BYTES: Final = 256 * 1024**2

#: Container and node names: lowercase DNS labels, so they work as host names and in SANs.
DNS_LABEL: Final = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
#: Containers are named ``<cluster>-<role>`` and reached by their role as a network alias, so a
#: node may not take the name of another container of the stack (Beats come with the Beats component).
RESERVED_NODE_NAMES: Final = ("kibana", "logstash", "filebeat", "metricbeat", "backup-permissions")
#: Names the program derives for its other containers and aliases: ``filebeat-<host>`` /
#: ``metricbeat-<host>`` (a Beat per host), ``<container>-secret-files`` (components/secret_files.py)
#: and ``<container>-<volume>-permissions`` (one-shot root helpers). A node or Logstash instance
#: named like one would collide with it during ``up``, after other containers exist.
RESERVED_NAME_PREFIXES: Final = ("filebeat-", "metricbeat-")
RESERVED_NAME_SUFFIXES: Final = ("-secret-files", "-permissions")


def derived_name_clash(name: str) -> str | None:
    """The reserved prefix or suffix ``name`` has, or None."""
    hit = [p + "*" for p in RESERVED_NAME_PREFIXES if name.startswith(p)] + ["*" + x for x in RESERVED_NAME_SUFFIXES if name.endswith(x)]
    return hit[0] if hit else None
#: cluster.name becomes part of paths and monitoring ids; keep it to a DNS-ish token.
CLUSTER_NAME: Final = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
VERSION: Final = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")
HOST_NAME: Final = re.compile(r"^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$")
DOCKER_URL: Final = re.compile(r"^(unix://|ssh://|tcp://|npipe://)\S+$")
#: Repository, policy and user names used in Elasticsearch APIs.
ES_NAME: Final = re.compile(r"^[a-z0-9][a-z0-9_-]{0,254}$")

#: An event type the stack file routes to a stream of its own: a valid data-stream dataset as is.
EVENT_TYPE: Final = re.compile(r"[a-z][a-z0-9_]{0,63}")

#: Default MT4 sensitive keys masked by the pipeline and the client (seed: "never log secrets").
SENSITIVE_KEYS: Final = ("password", "secret", "token", "api_key", "authorization")

#: Elasticsearch's transport port inside every container, and the published default on several hosts.
TRANSPORT_PORT: Final = 9300

LOCAL_DOCKER: Final = {"name": "local", "url": "unix:///var/run/docker.sock"}
DEFAULT_NODE: Final = {"name": "es01", "roles": ["master", "data", "ingest"], "heap": "1g", "memory": "2g"}
ABSOLUTE_PATH: Final = re.compile(r"^/[A-Za-z0-9._/-]+$")

#: An email address as the alert's recipients and sender: one ``@``, no spaces or commas (Kibana
#: validates addresses again, with its allow-list, when the connector is created).
EMAIL_ADDRESS: Final = re.compile(r"^[^@\s,;<>]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
#: Submission port (STARTTLS), the usual default of mail providers.
SMTP_PORT: Final = 587
