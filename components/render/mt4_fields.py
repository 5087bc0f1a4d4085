"""The one list of MT4 event fields, shared by the logger, the Logstash pipeline and the templates.

Why one list: the seed guide's three log structures (market tick, security, performance) are
written by ``elk_logger``, reshaped by the Logstash pipeline and mapped by the index templates.
If any of the three drifts, fields fall back to dynamic mapping (prices as ``float``, IPs as
text). Every side tests itself against this module, so a drift fails a test instead of a query.

Mapping types follow the Elasticsearch 8.19 field-type reference:
https://www.elastic.co/guide/en/elasticsearch/reference/8.19/mapping-types.html
"""

from __future__ import annotations

from typing import Final

#: 5 decimals exactly: FX quotes are quoted to 1/10 pip (0.00001). ``scaled_float`` stores
#: ``round(value * factor)`` as a long, so sums and averages of prices do not drift.
PRICE_SCALING_FACTOR: Final = 100_000

#: Fields the seed's log structures and the client carry, as Elasticsearch mapping bodies.
#: Keys are dotted paths; objects are implied by the dots.
EVENT_FIELDS: Final[dict[str, dict[str, object]]] = {
    "@timestamp": {"type": "date"},
    "message": {"type": "match_only_text"},
    "level": {"type": "keyword"},
    "logger": {"type": "keyword"},
    "event_type": {"type": "keyword"},
    "tags": {"type": "keyword"},
    # market tick
    "symbol": {"type": "keyword"},
    "bid": {"type": "scaled_float", "scaling_factor": PRICE_SCALING_FACTOR},
    "ask": {"type": "scaled_float", "scaling_factor": PRICE_SCALING_FACTOR},
    "spread": {"type": "scaled_float", "scaling_factor": PRICE_SCALING_FACTOR},
    "volume": {"type": "long"},
    # security
    "security_event": {"type": "keyword"},
    "details.client_ip": {"type": "ip"},
    "details.reason": {"type": "keyword"},
    "details.user": {"type": "keyword"},
    # performance
    "metric": {"type": "keyword"},
    "value": {"type": "double"},
    "unit": {"type": "keyword"},
    # ECS, for de-duplication and error reports
    "event.id": {"type": "keyword"},
    "error.type": {"type": "keyword"},
    "error.message": {"type": "match_only_text"},
    "error.stack_trace": {"type": "wildcard"},
    "process.pid": {"type": "long"},
    "process.thread.name": {"type": "keyword"},
    "host.hostname": {"type": "keyword"},
}

#: ECS names that resolve to the seed's names. Elasticsearch refuses documents that carry a
#: value for an alias ("Cannot write to a field alias"), so the Logstash pipeline moves any
#: ``log.level`` / ``log.logger`` the client sends into ``level`` / ``logger`` and drops them.
ECS_ALIASES: Final[dict[str, str]] = {
    "log.level": "level",
    "log.logger": "logger",
}

#: Fields the Logstash pipeline adds to every event it writes (beyond what the client sent).
PIPELINE_FIELDS: Final[dict[str, dict[str, object]]] = {
    "@version": {"type": "keyword"},
    "event.ingested": {"type": "date"},
    "event.dataset": {"type": "keyword"},
    "event.original": {"type": "keyword", "index": False, "doc_values": False},
    "host.name": {"type": "keyword"},
    "host.ip": {"type": "ip"},
    "agent.name": {"type": "keyword"},
    "agent.type": {"type": "keyword"},
    "agent.version": {"type": "keyword"},
    "agent.id": {"type": "keyword"},
    "agent.ephemeral_id": {"type": "keyword"},
    "ecs.version": {"type": "keyword"},
    "input.type": {"type": "keyword"},
    "log.file.path": {"type": "keyword"},
    "log.offset": {"type": "long"},
}

#: Seed event types routed to the metrics data streams; everything else goes to logs.
METRIC_EVENT_TYPES: Final[frozenset[str]] = frozenset({"performance"})

#: Index patterns of the two families of data streams (seed: ``mt4-logs-*``, ``mt4-metrics-*``).
LOGS_PATTERN: Final = "mt4-logs-*"
METRICS_PATTERN: Final = "mt4-metrics-*"

#: Tag added to events whose JSON or timestamp could not be parsed; they are kept, not dropped.
PARSE_FAILURE_TAG: Final = "_mt4_parse_failure"

#: Dataset of events without an ``event_type`` (plain application logs through the handler).
DEFAULT_DATASET: Final = "generic"


#: Fields the shippers write that must not be typed by their first value: Metricbeat's ``system``
#: and ``docker`` modules (into ``mt4-metrics-system``; the System dashboard charts the ``docker.*``
#: ones) and Filebeat's container parser. A percentage whose first value is ``0`` would be mapped
#: ``long`` and every later ``0.42`` stored as ``0``. Names: Metricbeat 8.19's exported fields.
SHIPPER_FIELDS: Final[dict[str, dict[str, object]]] = {
    "docker.cpu.total.pct": {"type": "double"},
    "docker.memory.usage.pct": {"type": "double"},
    "docker.network.inbound.bytes": {"type": "long"},
    "docker.network.outbound.bytes": {"type": "long"},
    "docker.diskio.read.bytes": {"type": "long"},
    "docker.diskio.write.bytes": {"type": "long"},
    "container.name": {"type": "keyword"},
    "container.id": {"type": "keyword"},
    "system.cpu.total.pct": {"type": "double"},
    "system.cpu.total.norm.pct": {"type": "double"},
    "system.memory.used.pct": {"type": "double"},
    "system.memory.actual.used.pct": {"type": "double"},
    "system.load.1": {"type": "double"},
    "system.load.5": {"type": "double"},
    "system.load.15": {"type": "double"},
    "system.filesystem.used.pct": {"type": "double"},
    "metricset.name": {"type": "keyword"},
    "event.module": {"type": "keyword"},
    "stream": {"type": "keyword"},
}
#: Every other Metricbeat percentage (``*.pct``) that first arrives as a whole number is a double too.
SHIPPER_DYNAMIC_TEMPLATES: Final[tuple[dict[str, object], ...]] = (
    {"percentages_as_double": {"path_match": "*.pct", "match_mapping_type": "long", "mapping": {"type": "double"}}},
)


def all_mapped_fields() -> dict[str, dict[str, object]]:
    """Every concrete (non-alias) field path the templates map, with its mapping body."""
    return {**EVENT_FIELDS, **PIPELINE_FIELDS, **SHIPPER_FIELDS}


#: Event types of the MT4 bridge (the seed guide's three log structures, and what the bridge of
#: ``elk_logger`` reports about itself): each has a data stream of its own.
ROUTED_EVENT_TYPES: Final[tuple[str, ...]] = ("market_tick", "security", "performance", "bridge_error", "publish_failure")
#: Every other event type lands here, keeping its ``event_type``: free-form types from clients
#: must not create one data stream (and its shards) each.
OTHER_DATASET: Final = "other"
#: Streams the pipeline keeps for itself; a stack file may not route an event type into them.
#: Events whose JSON, timestamp or redaction failed (kept, tagged, never dropped).
PARSE_FAILURE_DATASET: Final = "parse_failure"
RESERVED_DATASETS: Final[frozenset[str]] = frozenset({OTHER_DATASET, DEFAULT_DATASET, PARSE_FAILURE_DATASET})


def dataset_for(event_type: object, extra_types: tuple[str, ...] = ()) -> str:
    """The dataset of an event: its own for a routed type (exact, case-sensitive match), ``generic``
    without an ``event_type``, ``other`` for anything else. The pipeline's Ruby does the same;
    tests compare the two."""
    if event_type is None or event_type == "" or event_type is False:
        return DEFAULT_DATASET
    if isinstance(event_type, str) and (event_type in ROUTED_EVENT_TYPES or event_type in extra_types):
        return event_type
    return OTHER_DATASET


def data_stream_for(event_type: object, extra_types: tuple[str, ...] = ()) -> str:
    """The data stream an event with this ``event_type`` is written to."""
    family = "metrics" if isinstance(event_type, str) and event_type in METRIC_EVENT_TYPES else "logs"
    return f"mt4-{family}-{dataset_for(event_type, extra_types)}"
