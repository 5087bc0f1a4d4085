"""What the mt4 data streams do with a document Elasticsearch rejects, and how they store the rest.

Pure: settings in, API bodies and checks out (no pulumi import).

**Failure store.** Elasticsearch 8.19 redirects a document that fails its data stream's mappings
(or an ingest pipeline) into the stream's failure store, ``<stream>::failures``, and answers the
client ``201`` with ``"failure_store": "used"``; without it the client gets the ``400``. Sources:
the 8.19 failure-store page (``docs/reference/data-streams/failure-store.asciidoc`` on the 8.x
docs: no subscription named) and the 8.19 specification (``data_stream_options``:
``@availability stack since=8.19.0 stability=stable``). Failures from backpressure and version
conflicts (``409``) are never redirected; failure indices (``.fs-<stream>-*``) are created on the
first failure and kept 30 days by default (``data_streams.lifecycle.retention.failures_default``).

The documented template switch is ``template.data_stream_options.failure_store.enabled``, but
pulumi-elasticstack 0.0.11's ``IndexTemplate`` has no ``data_stream_options`` input (open
terraform-provider-elasticstack issue #1401), so a template body carrying it would not be what
reaches the cluster. The program uses the other documented switch instead: the dynamic cluster
setting ``data_streams.failure_store.enabled``, a list of patterns (``DataStreamFailureStoreSettings``,
``Setting.Property.Dynamic``); every data stream matching one has its failure store on unless its own
options turn it off. Unlike template options (applied once, when a stream is created) it also covers
streams that already exist.

**Index mode.** ``index.mode: logsdb`` (GA since 8.17) sorts each index by ``host.name`` then
``@timestamp`` and uses denser doc-values codecs; its synthetic ``_source`` needs the Enterprise
subscription, so on Basic the original ``_source`` stays stored (8.19 logs-data-stream page: "If you
don't have the required subscription, logsdb mode uses the original _source field"). The mode is a
static index setting: it applies to backing indices created after the change (the next rollover).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from components.render import mt4_fields
from components.settings.model import IndexManagement

FAILURE_STORE_SETTING: Final = "data_streams.failure_store.enabled"
#: The component selector that addresses a data stream's failure store (search, ES|QL, data views).
FAILURES_SELECTOR: Final = "::failures"
#: Every mt4 data stream the Logstash pipeline writes (the two index-template families).
MT4_STREAM_PATTERNS: Final = (mt4_fields.LOGS_PATTERN, mt4_fields.METRICS_PATTERN)

#: logsdb's default ``index.sort.field`` (8.19 logs-data-stream page, "Index sort settings").
LOGSDB_SORT_FIELDS: Final = ("host.name", "@timestamp")
#: Types logsdb accepts for its sort fields: ``host.name`` a keyword, ``@timestamp`` a date.
_LOGSDB_SORT_TYPES: Final = {"host.name": ("keyword",), "@timestamp": ("date", "date_nanos")}


def failure_store_patterns(im: IndexManagement) -> tuple[str, ...]:
    """Index patterns whose data streams keep rejected documents; empty when the setting is off."""
    return MT4_STREAM_PATTERNS if im.failure_store else ()


def failure_store_cluster_settings(im: IndexManagement) -> dict[str, object]:
    """``PUT _cluster/settings`` body that turns the failure store on for every mt4 data stream."""
    return {"persistent": {FAILURE_STORE_SETTING: list(failure_store_patterns(im))}}


def failures_pattern() -> str:
    """The data-view / search pattern of every mt4 failure store (selector on each expression)."""
    return ",".join(f"{pattern}{FAILURES_SELECTOR}" for pattern in MT4_STREAM_PATTERNS)


def index_mode_settings(im: IndexManagement) -> dict[str, object]:
    """``index.mode`` for the shared ``mt4-settings`` component template, always written so a
    switch back to ``standard`` is a change of the template, not a key that silently stays."""
    return {"index.mode": im.index_mode}


def logsdb_mapping_problems(mappings: Mapping[str, object]) -> list[str]:
    """Why ``mappings`` (a ``mappings`` body, nested ``properties``) cannot back a logsdb index.

    logsdb sorts on ``host.name`` and ``@timestamp``: each must be absent (logsdb maps
    ``host.name`` itself) or of the sortable type, with doc values (sorting reads them).
    """
    problems = []
    for path in LOGSDB_SORT_FIELDS:
        node = _field(mappings, path)
        if node is None:
            if path == "@timestamp":
                problems.append("@timestamp is not mapped; a data stream needs it as a date")
            continue
        kind = node.get("type")
        if kind not in _LOGSDB_SORT_TYPES[path]:
            problems.append(f"{path} is mapped as {kind!r}; logsdb sorts on it and needs {' or '.join(_LOGSDB_SORT_TYPES[path])}")
        if node.get("doc_values") is False:
            problems.append(f"{path} has doc_values: false; logsdb sorts on it and needs doc values")
    return problems


def _field(mappings: Mapping[str, object], path: str) -> Mapping[str, object] | None:
    node: object = mappings
    for part in path.split("."):
        props = node.get("properties") if isinstance(node, Mapping) else None
        node = props.get(part) if isinstance(props, Mapping) else None
        if node is None:
            return None
    return node if isinstance(node, Mapping) else None
