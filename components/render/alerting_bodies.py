"""The guide's error alert on the Basic license, as data (pure: no Pulumi).

The guide's watch: at least 10 ``level:ERROR`` events in ``mt4-logs-*`` in the last 5 minutes,
checked every minute. Watcher needs more than Basic, so on Basic it is a Kibana
Elasticsearch-query rule (``.es-query``, consumer ``stackAlerts``) with the connectors Basic
allows, ``.index`` and ``.server-log``.

``excludeHitsFromPreviousRun`` is false on purpose: when true (the default), each run adds
``must_not: @timestamp <= <latest hit of the previous run>`` to the query (Kibana
``stack_alerts/.../es_query/lib/fetch_es_query.ts``), so a run every minute would count only the
errors since the last hit, not the last 5 minutes as the guide asks.

Each action sets ``frequency`` (the rule sets no ``notify_when``: Kibana refuses mixing both).
The ``.index`` connector writes with ``op_type: create`` (``es_index/index.ts``), which is what a
data stream accepts, so alerts go to the ``mt4-alerts-errors`` data stream of our template.
"""

from __future__ import annotations

import json
from typing import Any, Final

from components.render import mt4_fields

RULE_ID: Final = "mt4-error-rate"
INDEX_CONNECTOR_ID: Final = "mt4-alerts-index"
LOG_CONNECTOR_ID: Final = "mt4-alerts-server-log"
ALERTS_PATTERN: Final = "mt4-alerts-*"
ALERTS_STREAM: Final = "mt4-alerts-errors"
ALERTS_TEMPLATE: Final = "mt4-alerts"
#: The es-query rule's action group when the condition is met.
MATCHED: Final = "query matched"
THRESHOLD: Final = 10
WINDOW_MINUTES: Final = 5

ERROR_QUERY: Final = {"query": {"bool": {"filter": [{"term": {"level": "ERROR"}}]}}}


def rule_params() -> dict[str, Any]:
    return {
        "searchType": "esQuery",
        "index": [mt4_fields.LOGS_PATTERN],
        "timeField": "@timestamp",
        "esQuery": json.dumps(ERROR_QUERY, sort_keys=True),
        "size": 0,
        "aggType": "count",
        "groupBy": "all",
        "threshold": [THRESHOLD],
        "thresholdComparator": ">=",
        "timeWindowSize": WINDOW_MINUTES,
        "timeWindowUnit": "m",
        "excludeHitsFromPreviousRun": False,
    }


def rule_actions() -> list[dict[str, Any]]:
    document = {"rule_id": "{{rule.id}}", "rule_name": "{{rule.name}}", "errors": "{{context.value}}",
                "message": "{{context.message}}", "window_start": "{{context.dateStart}}"}
    return [
        {"group": MATCHED, "id": INDEX_CONNECTOR_ID, "params": {"documents": [document]},
         "frequency": {"summary": False, "notify_when": "onActiveAlert"}},
        {"group": MATCHED, "id": LOG_CONNECTOR_ID,
         "params": {"level": "warn",
                    "message": f"MT4: {{{{context.value}}}} ERROR events in the last {WINDOW_MINUTES} minutes (rule {{{{rule.name}}}})"},
         "frequency": {"summary": False, "notify_when": "onActionGroupChange"}},
    ]


def connectors() -> dict[str, dict[str, Any]]:
    """Connector id -> type, display name and config (no secrets: none of them has any)."""
    return {
        INDEX_CONNECTOR_ID: {"connector_type_id": ".index", "name": "MT4 alerts data stream",
                             "config": {"index": ALERTS_STREAM, "executionTimeField": "@timestamp", "refresh": False}},
        LOG_CONNECTOR_ID: {"connector_type_id": ".server-log", "name": "MT4 alerts in the Kibana log", "config": {}},
    }


def alerts_mappings() -> dict[str, Any]:
    """The alert documents the ``.index`` action writes."""
    return {"dynamic": False, "properties": {
        "@timestamp": {"type": "date"}, "rule_id": {"type": "keyword"}, "rule_name": {"type": "keyword"},
        "errors": {"type": "long"}, "message": {"type": "match_only_text"}, "window_start": {"type": "date"},
    }}
