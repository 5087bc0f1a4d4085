"""The alert on new rejected documents in the mt4 failure stores, and their data view (pure data).

A document Elasticsearch rejects for its mappings is kept in ``<stream>::failures``
(``stream_options``) instead of being lost; nobody sees it unless told. This rule tells: an
Elasticsearch-query rule (``.es-query``, available on Basic like the guide's error alert) over the
failure stores with the component selector in ``index`` -- the 8.19 failure-store recipes, "Alerting
on failed ingestion": "For Query DSL queries, use the ``::failures`` suffix on your data stream
name" -- every minute, at least one failure in the last 5 minutes.

``excludeHitsFromPreviousRun`` is true here (unlike the error-rate rule): each run then counts
only failures newer than the latest one the previous run saw (Kibana
``stack_alerts/.../es_query/lib/fetch_es_query.ts``), so the rule fires on *new* failures and goes
quiet once none arrive, instead of firing for five minutes on one old failure. The executor
remembers that timestamp from the *returned* hits (``getValidTimefieldSort(hit.sort)`` in
``es_query/executor``), hence ``size: 1``.

The data view (KQL in Discover) uses the same pattern: the recipes' step 1 "Set the index pattern
to your failure store using the selector syntax". Kibana passes a data view's pattern to field caps
as it is (kibana#153350, 8.8) and its Discover profiles know selector patterns from 8.18
(kibana#206937, "Create data views with various selectors"). Not run against a Kibana here.
"""

from __future__ import annotations

import json
from typing import Any, Final

from components.render import alerting_bodies, stream_options

FAILURE_RULE_ID: Final = "mt4-rejected-documents"
FAILURE_THRESHOLD: Final = 1
FAILURE_WINDOW_MINUTES: Final = 5
FAILURES_VIEW: Final = "mt4-failures"
#: Every failure document carries these (8.19 failure-store page, "Failure document structure").
FAILURE_FIELDS: Final = ("@timestamp", "document.id", "document.index", "error.type", "error.message")


def failure_indices() -> list[str]:
    """One expression per mt4 family, each with the ``::failures`` selector."""
    return stream_options.failures_pattern().split(",")


def failure_rule_params() -> dict[str, Any]:
    return {
        "searchType": "esQuery",
        "index": failure_indices(),
        "timeField": "@timestamp",
        "esQuery": json.dumps({"query": {"match_all": {}}}, sort_keys=True),
        # One hit, so the run has a latest timestamp to remember: the executor takes it from the
        # returned hits' sort values, and with size 0 there are none and nothing is excluded.
        "size": 1,
        "aggType": "count",
        "groupBy": "all",
        "threshold": [FAILURE_THRESHOLD],
        "thresholdComparator": ">=",
        "timeWindowSize": FAILURE_WINDOW_MINUTES,
        "timeWindowUnit": "m",
        "excludeHitsFromPreviousRun": True,
    }


def failure_rule_actions() -> list[dict[str, Any]]:
    """The error alert's two Basic connectors: a document in ``mt4-alerts-errors`` (same fields as
    the error alert's, ``errors`` holding the count of new failures) and a Kibana log line."""
    document = {"rule_id": "{{rule.id}}", "rule_name": "{{rule.name}}", "errors": "{{context.value}}",
                "message": "{{context.message}}", "window_start": "{{context.dateStart}}"}
    pattern = stream_options.failures_pattern()
    return [
        {"group": alerting_bodies.MATCHED, "id": alerting_bodies.INDEX_CONNECTOR_ID, "params": {"documents": [document]},
         "frequency": {"summary": False, "notify_when": "onActiveAlert"}},
        {"group": alerting_bodies.MATCHED, "id": alerting_bodies.LOG_CONNECTOR_ID,
         "params": {"level": "warn",
                    "message": f"MT4: {{{{context.value}}}} new rejected documents in {pattern} (rule {{{{rule.name}}}})"},
         "frequency": {"summary": False, "notify_when": "onActionGroupChange"}},
    ]


def failures_data_view() -> dict[str, Any]:
    """The ``data_view`` body (Kibana's spelling, as ``saved_objects.data_views``)."""
    return {"title": stream_options.failures_pattern(), "name": "MT4 rejected documents (failure store)",
            "timeFieldName": "@timestamp", "allowNoIndex": True, "fieldFormats": {}}
