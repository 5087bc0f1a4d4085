"""Rules about Kibana and Logstash: heap against memory, ports, redaction keys, queued events."""

from __future__ import annotations

import re

from components.settings import defaults as d
from components.settings.model import StackSettings
from components.settings.problems import Problems
from components.settings.rules.nodes import NAME_LOOKS_DERIVED
from components.settings.rules.registry import rule, size_text

SERVICE_HEAP_OVER = (
    "{heap} is more than 75% of the container's memory ({memory}), leaving too little native memory: "
    "set heap <= {limit} or raise memory"
)
PORT_RESERVED = "{port} is used inside the container by {user}; choose another port"
NOT_A_FIELD_NAME = "{key!r} is not a field name; use letters, digits, '_', '-' or '.'"
DLQ_OFF_LOSES_EVENTS = (
    "false drops every event Elasticsearch rejects with 400 or 404 (logged, then gone), while this stack protects "
    "its data (volume_policy: retain). Keep dead_letter_queue: true, or set logstash.accept_losing_queued_events: "
    "true to accept that loss explicitly"
)
INPUT_PORTS_EQUAL = "{port} is also logstash.tcp_port; both inputs listen in the same container, so give them different ports"
INSTANCE_NAME_TWICE = "{name!r} names two Logstash instances; give each its own name"
INSTANCE_NAME_TAKEN = "{name!r} is already the name of {what}; containers are named <cluster_name>-<name>, so pick another"
MEMORY_QUEUE_LOSES_EVENTS = (
    "memory keeps queued events only in RAM: a Logstash restart or crash loses them, while this stack protects its "
    "data (volume_policy: retain). Use queue_type: persisted, or set logstash.accept_losing_queued_events: true to "
    "accept that loss explicitly"
)


@rule("kibana.heap", "kibana.memory", "logstash.heap", "logstash.memory")
def service_heap_fits_memory(s: StackSettings, p: Problems) -> None:
    """Kibana (Node.js) and Logstash (JVM) need native memory beside the heap: heap <= 75%."""
    services = (("kibana", s.kibana.heap_bytes, s.kibana.memory_bytes), ("logstash", s.logstash.heap_bytes, s.logstash.memory_bytes))
    for svc, heap, memory in services:
        if heap * 4 > memory * 3:
            message = SERVICE_HEAP_OVER.format(heap=size_text(heap), memory=size_text(memory), limit=size_text(memory * 3 // 4))
            p.error(f"{svc}.heap", message)


@rule("volume_policy", "logstash.queue_type", "logstash.accept_losing_queued_events")
def protected_data_keeps_queued_events(s: StackSettings, p: Problems) -> None:
    """"Nothing is lost" is not given up silently: a stack that protects its volumes runs a
    persisted queue unless the stack file accepts the loss by name."""
    if s.protect_volumes and s.logstash.queue_type == "memory" and not s.logstash.accept_losing_queued_events:
        p.error("logstash.queue_type", MEMORY_QUEUE_LOSES_EVENTS)


@rule("volume_policy", "logstash.dead_letter_queue", "logstash.accept_losing_queued_events")
def protected_data_keeps_rejected_events(s: StackSettings, p: Problems) -> None:
    """Without the dead letter queue the elasticsearch output logs a 400/404 and drops the event
    (logstash-output-elasticsearch 11.22 ``handle_dlq_response``); a protected stack keeps it."""
    if s.protect_volumes and not s.logstash.dead_letter_queue and not s.logstash.accept_losing_queued_events:
        p.error("logstash.dead_letter_queue", DLQ_OFF_LOSES_EVENTS)


@rule("logstash.instances[*].name", "elasticsearch.nodes[*].name")
def logstash_instance_names_unique(s: StackSettings, p: Problems) -> None:
    """Each instance is a container ``<cluster>-<name>`` and a network alias: names must not
    repeat, nor take a node's or another service's name."""
    taken = {n.name: f"Elasticsearch node {n.name}" for n in s.elasticsearch.nodes}
    taken |= {name: f"the {name} container" for name in ("kibana", "filebeat", "metricbeat", "backup-permissions")}
    seen: set[str] = set()
    for i, ls in enumerate(s.logstash.instances):
        key = f"logstash.instances[{i}].name"
        if ls.name in seen:
            p.error(key, INSTANCE_NAME_TWICE.format(name=ls.name))
        elif ls.name in taken:
            p.error(key, INSTANCE_NAME_TAKEN.format(name=ls.name, what=taken[ls.name]))
        elif (pattern := d.derived_name_clash(ls.name)) is not None:
            p.error(key, NAME_LOOKS_DERIVED.format(name=ls.name, pattern=pattern))
        seen.add(ls.name)


@rule("logstash.tcp_port", "logstash.beats_port")
def logstash_ports_not_reserved(s: StackSettings, p: Problems) -> None:
    """Every instance's inputs listen on ``logstash.tcp_port``/``beats_port`` inside its container
    (one pipeline file for all; ``instances[].*_port`` only choose the published host port), so
    those two must differ and stay off the API's port."""
    reserved = {9600: "the Logstash API"}
    for key, port in (("logstash.tcp_port", s.logstash.tcp_port), ("logstash.beats_port", s.logstash.beats_port)):
        if port in reserved:
            p.error(key, PORT_RESERVED.format(port=port, user=reserved[port]))
    # An instance publishing both inherited ports already collides on its host (published_ports_unique).
    inherits_both = any(not {"tcp_port", "beats_port"} & i.given for i in s.logstash.instances)
    if s.logstash.tcp_port == s.logstash.beats_port and not inherits_both:
        p.error("logstash.beats_port", INPUT_PORTS_EQUAL.format(port=s.logstash.tcp_port))


@rule("logstash.sensitive_keys")
def sensitive_keys_valid(s: StackSettings, p: Problems) -> None:
    for i, key in enumerate(s.logstash.sensitive_keys):
        if not re.match(r"^[A-Za-z0-9_.-]+$", key):
            p.error(f"logstash.sensitive_keys[{i}]", NOT_A_FIELD_NAME.format(key=key))
