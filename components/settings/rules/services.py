"""Rules about Kibana and Logstash: heap against memory, ports, redaction keys, queued events."""

from __future__ import annotations

import re

from components.settings.model import StackSettings
from components.settings.problems import Problems
from components.settings.rules.registry import rule, size_text

SERVICE_HEAP_OVER = (
    "{heap} is more than 75% of the container's memory ({memory}), leaving too little native memory: "
    "set heap <= {limit} or raise memory"
)
PORT_RESERVED = "{port} is used inside the container by {user}; choose another port"
NOT_A_FIELD_NAME = "{key!r} is not a field name; use letters, digits, '_', '-' or '.'"
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


@rule("logstash.tcp_port", "logstash.beats_port")
def logstash_ports_not_reserved(s: StackSettings, p: Problems) -> None:
    """The inputs listen on these ports inside the container (tcp == beats is caught by
    ``published_ports_unique``, since both are published)."""
    reserved = {9600: "the Logstash API"}
    for key, port in (("logstash.tcp_port", s.logstash.tcp_port), ("logstash.beats_port", s.logstash.beats_port)):
        if port in reserved:
            p.error(key, PORT_RESERVED.format(port=port, user=reserved[port]))


@rule("logstash.sensitive_keys")
def sensitive_keys_valid(s: StackSettings, p: Problems) -> None:
    for i, key in enumerate(s.logstash.sensitive_keys):
        if not re.match(r"^[A-Za-z0-9_.-]+$", key):
            p.error(f"logstash.sensitive_keys[{i}]", NOT_A_FIELD_NAME.format(key=key))
