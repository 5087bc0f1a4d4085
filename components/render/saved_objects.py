"""The stack's Kibana objects as data: data views, saved searches, and the NDJSON export.

Pure (no Pulumi): components turn these dicts into resources, ``scripts/export_saved_objects.py``
writes them as the NDJSON a user can import by hand, and tests validate every object against
``tests/contracts/kibana_saved_objects_8.19.json``.

The guide's queries are Lucene-flavoured in places (``value:>10``, ``@timestamp:[now-1h TO now]``);
KQL spells ranges ``value > 10`` and ``@timestamp >= "now-1h"``, so the saved searches use KQL's
spelling and keep the guide's text in their description. The guide's
``event_type:market_tick | stats count by symbol`` is not KQL at all: it becomes an ES|QL saved
search (ES|QL is GA and free on 8.19).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from components.render import failure_alert, mt4_fields

#: ``typeMigrationVersion`` per type for the pinned Kibana 8.19 (sources in the contract file).
#: Without it Kibana runs every old migration on a modern object (PITFALLS, Kibana 8.19).
TYPE_MIGRATION_VERSIONS: Final[dict[str, str]] = {
    "index-pattern": "8.0.0",
    "search": "10.1.0",
    "lens": "8.9.0",
    "dashboard": "10.2.0",
}

LOGS_VIEW: Final = "mt4-logs"
METRICS_VIEW: Final = "mt4-metrics"
SYSTEM_VIEW: Final = "mt4-system"
#: The data view Kibana opens by default.
DEFAULT_VIEW: Final = LOGS_VIEW

#: The data stream Metricbeat writes (components/render/metricbeat_yml.py ``INDEX``).
SYSTEM_STREAM: Final = "mt4-metrics-system"
#: Metricbeat's Docker module fields the System dashboard charts. They are runtime fields of the
#: system data view (no script: read from ``_source``), so the panels stay valid -- empty, not
#: broken -- until a Metricbeat ships documents.
SYSTEM_FIELDS: Final[dict[str, str]] = {
    "docker.cpu.total.pct": "double",
    "docker.memory.usage.pct": "double",
    "docker.network.inbound.bytes": "long",
    "docker.network.outbound.bytes": "long",
    "docker.diskio.read.bytes": "long",
    "docker.diskio.write.bytes": "long",
    "container.name": "keyword",
}

_PRICE = {"id": "number", "params": {"pattern": "0.00000"}}
_LATENCY_MS = {"id": "duration", "params": {"inputFormat": "milliseconds", "outputFormat": "asMilliseconds", "outputPrecision": 3}}
_PERCENT = {"id": "percent", "params": {"pattern": "0.0%"}}
_BYTES = {"id": "bytes", "params": {"pattern": "0,0.[0] b"}}


def data_views() -> dict[str, dict[str, Any]]:
    """Data view id -> the ``data_view`` body of the data views API (Kibana's spelling)."""
    return {
        LOGS_VIEW: {
            "title": mt4_fields.LOGS_PATTERN, "name": "MT4 logs", "timeFieldName": "@timestamp", "allowNoIndex": True,
            "fieldFormats": {"bid": _PRICE, "ask": _PRICE, "spread": _PRICE},
        },
        METRICS_VIEW: {
            "title": mt4_fields.METRICS_PATTERN, "name": "MT4 metrics", "timeFieldName": "@timestamp", "allowNoIndex": True,
            # The seed's performance events report latency in ms (``unit: ms``).
            "fieldFormats": {"value": _LATENCY_MS},
        },
        # Rejected documents kept by the failure store (components/render/failure_alert.py).
        failure_alert.FAILURES_VIEW: failure_alert.failures_data_view(),
        SYSTEM_VIEW: {
            "title": SYSTEM_STREAM, "name": "Containers (Metricbeat)", "timeFieldName": "@timestamp", "allowNoIndex": True,
            "runtimeFieldMap": {field: {"type": kind} for field, kind in SYSTEM_FIELDS.items()},
            "fieldFormats": {
                "docker.cpu.total.pct": _PERCENT, "docker.memory.usage.pct": _PERCENT,
                **{f: _BYTES for f in SYSTEM_FIELDS if f.endswith(".bytes")},
            },
        },
    }


def data_view_saved_object(view_id: str, view: Mapping[str, Any]) -> dict[str, Any]:
    """The ``index-pattern`` saved object a data view is stored as (for the hand-import NDJSON)."""
    attributes: dict[str, Any] = {"title": view["title"], "name": view["name"], "timeFieldName": view["timeFieldName"],
                                  "allowNoIndex": view["allowNoIndex"], "fieldFormatMap": json.dumps(view["fieldFormats"])}
    if "runtimeFieldMap" in view:
        attributes["runtimeFieldMap"] = json.dumps(view["runtimeFieldMap"])
    return {"type": "index-pattern", "id": view_id, "attributes": attributes, "references": [],
            "typeMigrationVersion": TYPE_MIGRATION_VERSIONS["index-pattern"]}


@dataclass(frozen=True)
class Search:
    id: str
    title: str
    query: str
    view: str
    guide: str
    """The guide's own text for it, when it differs (its Lucene-style ranges are not KQL)."""
    columns: tuple[str, ...] = ("level", "logger", "event_type", "message")


#: Every query of the guide's "Common Searches" and "Advanced Queries", in KQL.
SEARCHES: Final[tuple[Search, ...]] = (
    Search("mt4-search-all-errors", "All errors", "level:ERROR", LOGS_VIEW, "level:ERROR"),
    Search("mt4-search-eurusd-ticks", "Market ticks for EURUSD", "event_type:market_tick AND symbol:EURUSD", LOGS_VIEW,
           "event_type:market_tick AND symbol:EURUSD", ("symbol", "bid", "ask", "spread", "volume")),
    Search("mt4-search-security-events", "Security events", "tags:security", LOGS_VIEW, "tags:security",
           ("security_event", "details.client_ip", "details.reason", "level")),
    # Performance events are routed to the metrics data streams (mt4_fields.METRIC_EVENT_TYPES).
    Search("mt4-search-high-latency", "High latency events", "event_type:performance AND value > 10", METRICS_VIEW,
           "event_type:performance AND value:>10", ("metric", "value", "unit", "logger")),
    Search("mt4-search-failed-auth", "Failed authentication", "security_event:auth_failed", LOGS_VIEW,
           "security_event:auth_failed", ("details.client_ip", "details.user", "details.reason")),
    Search("mt4-search-high-spread", "Ticks with high spread", "event_type:market_tick AND spread > 0.0005", LOGS_VIEW,
           "event_type:market_tick AND spread:>0.0005", ("symbol", "bid", "ask", "spread")),
    Search("mt4-search-errors-last-hour", "Errors in last hour", 'level:ERROR AND @timestamp >= "now-1h"', LOGS_VIEW,
           "level:ERROR AND @timestamp:[now-1h TO now]"),
)

#: The guide's "Group by symbol" (``event_type:market_tick | stats count by symbol``) in ES|QL.
TICKS_BY_SYMBOL_ESQL: Final = (
    f'FROM {mt4_fields.LOGS_PATTERN} | WHERE event_type == "market_tick" | STATS ticks = COUNT(*) BY symbol | SORT ticks DESC'
)
ESQL_SEARCH_ID: Final = "mt4-search-ticks-by-symbol"
INDEX_REF: Final = "kibanaSavedObjectMeta.searchSourceJSON.index"


def kql_search(search: Search) -> dict[str, Any]:
    description = "From the seed guide's Kibana queries."
    if search.guide != search.query:
        description += f" The guide writes it `{search.guide}` (Lucene range syntax); KQL spells it as here."
    source = {"query": {"query": search.query, "language": "kuery"}, "filter": [], "indexRefName": INDEX_REF}
    return {
        "type": "search", "id": search.id,
        "attributes": {
            "title": search.title, "description": description, "columns": list(search.columns),
            "sort": [["@timestamp", "desc"]], "isTextBasedQuery": False,
            "kibanaSavedObjectMeta": {"searchSourceJSON": json.dumps(source, sort_keys=True)},
        },
        "references": [{"name": INDEX_REF, "type": "index-pattern", "id": search.view}],
        "typeMigrationVersion": TYPE_MIGRATION_VERSIONS["search"],
    }


def esql_search() -> dict[str, Any]:
    source = {"query": {"esql": TICKS_BY_SYMBOL_ESQL}, "filter": []}
    return {
        "type": "search", "id": ESQL_SEARCH_ID,
        "attributes": {
            "title": "Ticks by symbol (ES|QL)",
            "description": "The guide's `event_type:market_tick | stats count by symbol`, which is not KQL, in ES|QL.",
            "columns": ["symbol", "ticks"], "sort": [], "isTextBasedQuery": True,
            "kibanaSavedObjectMeta": {"searchSourceJSON": json.dumps(source, sort_keys=True)},
        },
        "references": [],
        "typeMigrationVersion": TYPE_MIGRATION_VERSIONS["search"],
    }


def saved_searches() -> list[dict[str, Any]]:
    return [*(kql_search(s) for s in SEARCHES), esql_search()]


def ndjson(objects: Iterable[Mapping[str, Any]]) -> str:
    """The import file: one object per line, the same type and id never twice (Kibana rejects
    the whole file then)."""
    seen: set[tuple[str, str]] = set()
    lines = []
    for obj in objects:
        key = (str(obj["type"]), str(obj["id"]))
        if key in seen:
            raise ValueError(f"saved object {key[0]}/{key[1]} appears twice in one import")
        seen.add(key)
        lines.append(json.dumps(obj, sort_keys=True, separators=(",", ":")))
    return "\n".join(lines) + "\n"
