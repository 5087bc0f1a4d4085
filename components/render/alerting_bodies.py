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

That data stream has an ILM policy of its own, ``mt4-alerts-policy`` (``alerts_ilm_policy_body``):
without one its only backing index would grow for ever (policy pack rule ``ilm-on-every-template``).
"""

from __future__ import annotations

import json
from typing import Any, Final

from components.render import index_bodies, mt4_fields

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

# --- ILM of the alerts data stream ----------------------------------------------------------
ALERTS_POLICY: Final = "mt4-alerts-policy"
#: At most one alert document a minute while the rule is active (a few hundred bytes each), so
#: size never triggers a rollover in practice; a monthly backing index keeps deletion granular.
ALERTS_ROLLOVER_MAX_AGE: Final = "30d"
ALERTS_ROLLOVER_MAX_PRIMARY_SHARD_SIZE: Final = "1gb"
#: Alerts are the incident history: kept a year (counted from rollover), long after the 30 days
#: of the logs they summarise; a year is ~13 one-shard backing indices of a few MB.
ALERTS_DELETE_MIN_AGE: Final = "365d"
#: The same hot priority as the MT4 families (index_bodies.HOT_PRIORITY): recovered first.
ALERTS_HOT_PRIORITY: Final = index_bodies.HOT_PRIORITY


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


def alerts_ilm_policy_body() -> dict[str, Any]:
    """``PUT _ilm/policy/mt4-alerts-policy`` body: hot (rollover, set_priority) -> delete.

    No warm phase: shrink and force-merge buy nothing on one-shard indices of a few MB. Actions
    and phases as Elasticsearch 8.19 accepts them (``TimeseriesLifecycleType``: hot allows
    ``set_priority`` and ``rollover``, delete allows ``delete``; rollover docs
    https://www.elastic.co/guide/en/elasticsearch/reference/8.19/ilm-rollover.html, delete docs
    .../ilm-delete.html). ``delete_searchable_snapshot`` is its default spelled out, so the action
    object is never empty on its way through the provider (as in ``index_bodies.ilm_phases``).
    Time values are Elasticsearch's (``30d``), which the provider does not check (PITFALLS)."""
    return {"policy": {
        "_meta": index_bodies.meta("MT4 alerts data stream: hot -> delete after a year"),
        "phases": {
            "hot": {"actions": {
                "set_priority": {"priority": ALERTS_HOT_PRIORITY},
                "rollover": {"max_age": ALERTS_ROLLOVER_MAX_AGE,
                             "max_primary_shard_size": ALERTS_ROLLOVER_MAX_PRIMARY_SHARD_SIZE},
            }},
            "delete": {"min_age": ALERTS_DELETE_MIN_AGE, "actions": {"delete": {"delete_searchable_snapshot": True}}},
        },
    }}


def alerts_template_settings(replicas: int) -> dict[str, Any]:
    """The alerts index template's own settings: its ILM policy, replicas as for every mt4 index,
    one primary shard (a handful of documents a day). Flat ``index.*`` keys, as the MT4 templates
    write them (``index_bodies.settings_body``)."""
    return {"index.lifecycle.name": ALERTS_POLICY, "index.number_of_replicas": replicas,
            "index.number_of_shards": index_bodies.NUMBER_OF_SHARDS}


def alerts_mappings() -> dict[str, Any]:
    """The alert documents the ``.index`` action writes."""
    return {"dynamic": False, "properties": {
        "@timestamp": {"type": "date"}, "rule_id": {"type": "keyword"}, "rule_name": {"type": "keyword"},
        "errors": {"type": "long"}, "message": {"type": "match_only_text"}, "window_start": {"type": "date"},
    }}


# --- above Basic: the guide's watch and an email action ---------------------------------------

WATCH_ID: Final = "mt4-error-alert"
EMAIL_CONNECTOR_ID: Final = "mt4-alerts-email"
#: The Watcher email account Elasticsearch must define (``xpack.notification.email.account.<name>``).
WATCHER_EMAIL_ACCOUNT: Final = "mt4"
SUBJECT: Final = "MT4 Error Alert"


def watch_body(email_to: tuple[str, ...] = ()) -> dict[str, Any]:
    """The guide's watch. Its condition compares ``ctx.payload.hits.total`` with 10 as the guide
    does: inside a watch that is a number, because the search input sets
    ``rest_total_hits_as_int`` by default (PITFALLS, Kibana 8.19), so it is kept unchanged."""
    actions: dict[str, Any] = {"log_errors": {"logging": {
        "level": "warn", "text": f"{{{{ctx.payload.hits.total}}}} errors in last {WINDOW_MINUTES} minutes"}}}
    if email_to:
        actions["send_email"] = {"email": {
            "account": WATCHER_EMAIL_ACCOUNT, "to": list(email_to), "subject": SUBJECT,
            "body": {"text": f"{{{{ctx.payload.hits.total}}}} errors in last {WINDOW_MINUTES} minutes"}}}
    return {
        "trigger": {"schedule": {"interval": "1m"}},
        "input": {"search": {"request": {"indices": [mt4_fields.LOGS_PATTERN], "body": {"query": {"bool": {"filter": [
            {"term": {"level": "ERROR"}}, {"range": {"@timestamp": {"gte": f"now-{WINDOW_MINUTES}m"}}}]}}}}}},
        "condition": {"compare": {"ctx.payload.hits.total": {"gte": THRESHOLD}}},
        "actions": actions,
    }


def email_connector(sender: str, host: str, port: int, user: str) -> dict[str, Any]:
    """Kibana's ``.email`` connector (Gold): ``service: other`` takes host and port; TLS from the
    start on 465, STARTTLS otherwise (the connector's own rule when ``secure`` is not set)."""
    return {"connector_type_id": ".email", "name": "MT4 alerts by email",
            "config": {"service": "other", "from": sender, "host": host, "port": port, "secure": port == 465,
                       "hasAuth": bool(user)}}


def email_action(to: tuple[str, ...]) -> dict[str, Any]:
    return {"group": MATCHED, "id": EMAIL_CONNECTOR_ID,
            "params": {"to": list(to), "subject": SUBJECT,
                       "message": f"{{{{context.value}}}} errors in last {WINDOW_MINUTES} minutes (rule {{{{rule.name}}}})"},
            "frequency": {"summary": False, "notify_when": "onActionGroupChange"}}
