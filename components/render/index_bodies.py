"""Index management API bodies (ILM, component/index templates, snapshot repository, SLM) as data.

Pure: typed settings and plain values in, dicts (and compact JSON text) out; no pulumi import.
Each body is what the matching Elasticsearch 8.19 API would receive, so tests and docs read
the real contract, and ``components/index_management.py`` only translates these dicts into
pulumi-elasticstack inputs.

Contracts followed (Elasticsearch 8.19):
- ILM phases/actions: https://www.elastic.co/guide/en/elasticsearch/reference/8.19/ilm-index-lifecycle.html
  (rollover, set_priority, shrink, forcemerge, delete pages under ``ilm-*.html``)
- Component/index templates: https://www.elastic.co/guide/en/elasticsearch/reference/8.19/indices-component-template.html
  and https://www.elastic.co/guide/en/elasticsearch/reference/8.19/indices-put-template.html
- Mappings: https://www.elastic.co/guide/en/elasticsearch/reference/8.19/mapping-types.html,
  https://www.elastic.co/guide/en/elasticsearch/reference/8.19/dynamic-field-mapping.html,
  https://www.elastic.co/guide/en/elasticsearch/reference/8.19/dynamic-templates.html
- fs repository: https://www.elastic.co/guide/en/elasticsearch/reference/8.19/snapshots-filesystem-repository.html
- SLM: https://www.elastic.co/guide/en/elasticsearch/reference/8.19/slm-api-put-policy.html
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Final

from components.render import mt4_fields, stream_options
from components.settings.model import IndexManagement, Lifecycle, Snapshots

# --- Elasticsearch object names (the `name` input of every resource; PITFALLS: always set) ---
LOGS_POLICY: Final = "mt4-logs-policy"
METRICS_POLICY: Final = "mt4-metrics-policy"
SETTINGS_TEMPLATE: Final = "mt4-settings"
MAPPINGS_TEMPLATE: Final = "mt4-mappings"
LOGS_TEMPLATE: Final = "mt4-logs"
METRICS_TEMPLATE: Final = "mt4-metrics"
SLM_POLICY: Final = "mt4-nightly-snapshots"
#: Order matters: later component templates override earlier ones (index template API docs).
COMPOSED_OF: Final = (SETTINGS_TEMPLATE, MAPPINGS_TEMPLATE)

MANAGED_BY: Final = "elk-stack"

# --- ILM ---
#: set_priority docs suggest 100 for hot, 50 for warm: hot indices recover first after a restart.
HOT_PRIORITY: Final = 100
WARM_PRIORITY: Final = 50
#: A rolled-over backing index is read-only from then on, so merging it to one segment once in
#: warm saves heap and disk for the rest of its life (forcemerge docs: "To fully merge, set 1").
FORCEMERGE_SEGMENTS: Final = 1
#: ES execution order of the actions we use per phase (TimeseriesLifecycleType ORDERED_VALID_*
#: in the 8.x sources; the ILM page lists the same order). Rendered bodies follow it.
PHASE_ORDER: Final = ("hot", "warm", "delete")

# --- Templates ---
#: Built-in ``logs-*-*`` / ``metrics-*-*`` templates sit at 100; ours do not overlap them, and
#: sitting above 100 keeps it that way if someone later widens a pattern.
TEMPLATE_PRIORITY: Final = 200
#: One primary shard: MT4 volumes are small, and settings rule ``shrink_fits_shards`` relies on it.
NUMBER_OF_SHARDS: Final = 1
#: Logs are written once and read rarely: DEFLATE-class stored fields (index modules docs report
#: up to ~18 % less storage for ~2 % indexing throughput). Static setting, applies to new indices.
LOGS_CODEC: Final = "best_compression"
#: Unknown strings become ``keyword`` (not text + .keyword); longer values are kept in _source
#: but not indexed.
KEYWORD_IGNORE_ABOVE: Final = 1024
DYNAMIC_STRING_TEMPLATE: Final = "strings_as_keyword"

# --- Snapshots ---
#: Date math in SLM snapshot names; SLM appends a UUID, so one a day or more never collide.
SNAPSHOT_NAME: Final = "<mt4-snap-{now/d}>"
#: A data stream named (or matched by a wildcard) in ``indices`` is snapshotted with its backing
#: indices (create snapshot API: "data streams and indices"; ES #57675 added data streams to
#: snapshots and SLM).
SNAPSHOT_INDICES: Final = ("mt4-*",)
#: The documented SLM/create-snapshot default made explicit: ``open`` matches the (non-hidden)
#: mt4 data streams, which bring their hidden ``.ds-*`` backing indices along; ``hidden`` also
#: matches hidden data streams should a template ever set ``data_stream.hidden``.
SNAPSHOT_EXPAND_WILDCARDS: Final = "open,hidden"

#: Mapping parameters refused or pointless on indices created by 8.x (PITFALLS: ``boost``).
FORBIDDEN_MAPPING_PARAMETERS: Final = frozenset({"boost"})
#: Field types that hold sub-fields (``properties``) instead of a value.
OBJECT_TYPES: Final = frozenset({"object", "nested"})


def to_json(body: object) -> str:
    """Deterministic compact JSON for provider inputs that take JSON text (no spurious diffs)."""
    return json.dumps(body, sort_keys=True, separators=(",", ":"))


def meta(description: str) -> dict[str, str]:
    """The ``_meta`` every object we own carries, so a reader of the cluster knows who owns it."""
    return {"description": description, "managed_by": MANAGED_BY}


# ---------------------------------------------------------------------------------------- ILM
def ilm_phases(life: Lifecycle) -> dict[str, dict[str, object]]:
    """Hot -> warm -> delete, every age and size from settings.

    - hot: ``rollover`` on ``max_primary_shard_size`` (not the deprecated ``max_size``) or
      ``max_age``; ``set_priority`` 100. No ``min_age``: hot starts at 0.
    - warm (``min_age`` counts from rollover): ``set_priority`` 50, ``shrink`` to
      ``warm_shrink_shards`` (ILM skips the shrink when the index already has that many shards,
      as our one-shard indices do; it then costs nothing), ``forcemerge`` to one segment.
      No ``allocate``: the provider sends ``number_of_replicas: 0`` when it is missing
      (PITFALLS), and ILM injects ``migrate`` in warm, which falls back to hot nodes when the
      cluster has no warm tier.
    - delete: ``delete`` with ``delete_searchable_snapshot`` spelled out (its default, true) so
      the action object is never empty on its way through the provider.
    """
    return {
        "hot": {
            "actions": {
                "set_priority": {"priority": HOT_PRIORITY},
                "rollover": {
                    "max_age": life.rollover_max_age,
                    "max_primary_shard_size": life.rollover_max_primary_shard_size,
                },
            },
        },
        "warm": {
            "min_age": life.warm_min_age,
            "actions": {
                "set_priority": {"priority": WARM_PRIORITY},
                "shrink": {"number_of_shards": life.warm_shrink_shards},
                "forcemerge": {"max_num_segments": FORCEMERGE_SEGMENTS},
            },
        },
        "delete": {
            "min_age": life.delete_min_age,
            "actions": {"delete": {"delete_searchable_snapshot": True}},
        },
    }


def ilm_policy_body(family: str, life: Lifecycle) -> dict[str, object]:
    """PUT _ilm/policy/<name> body."""
    return {"policy": {"_meta": meta(f"MT4 {family}: hot -> warm -> delete"), "phases": ilm_phases(life)}}


# -------------------------------------------------------------------------------- mappings
def mapping_properties(
    fields: Mapping[str, Mapping[str, object]], aliases: Mapping[str, str]
) -> dict[str, object]:
    """Dotted field paths -> nested ``properties``; aliases as ``{"type": "alias", "path": ...}``.

    Objects are implied by the dots and carry no ``type`` (that is how Elasticsearch returns
    them, so a read-back compares equal). Raises ``ValueError`` when a path is both a value and
    an object, when an alias target is not one of ``fields`` (an alias must sit in the same
    component template as its target -- PITFALLS), or when a body uses a forbidden parameter.
    """
    root: dict[str, object] = {}
    for path in sorted(fields):
        body = dict(fields[path])
        bad = FORBIDDEN_MAPPING_PARAMETERS & body.keys()
        if bad:
            raise ValueError(f"field {path!r} uses {sorted(bad)}: refused on indices created by 8.x")
        _place(root, path, body)
    for alias in sorted(aliases):
        target = aliases[alias]
        if target not in fields:
            raise ValueError(f"alias {alias!r} points to {target!r}, which is not a field of this mapping")
        _place(root, alias, {"type": "alias", "path": target})
    return root


def _place(root: dict[str, object], path: str, body: dict[str, object]) -> None:
    parts = path.split(".")
    if any(not p for p in parts):
        raise ValueError(f"field path {path!r} has an empty segment")
    node = root
    for i, part in enumerate(parts[:-1]):
        child = node.setdefault(part, {"properties": {}})
        assert isinstance(child, dict)
        if "properties" not in child:
            raise ValueError(f"{'.'.join(parts[: i + 1])!r} is a field, so {path!r} cannot sit under it")
        node = child["properties"]  # type: ignore[assignment]
    if parts[-1] in node:
        raise ValueError(f"{path!r} is mapped twice (or is also an object)")
    node[parts[-1]] = body


def dynamic_templates() -> list[dict[str, object]]:
    """Unknown strings -> keyword (ignore_above 1024) instead of text with a .keyword sub-field."""
    return [
        *(dict(t) for t in mt4_fields.SHIPPER_DYNAMIC_TEMPLATES),
        {
            DYNAMIC_STRING_TEMPLATE: {
                "match_mapping_type": "string",
                "mapping": {"type": "keyword", "ignore_above": KEYWORD_IGNORE_ABOVE},
            }
        }
    ]


def mappings_body() -> dict[str, object]:
    """The ``mt4-mappings`` component template's mappings, generated from ``mt4_fields``.

    ``date_detection: false`` (a root mapping parameter, dynamic-field-mapping docs): a string
    that looks like a date stays a keyword instead of fixing the field as ``date`` for good.
    ``details`` stays an object, not ``flattened``: flattened maps every leaf as a keyword, and
    ``details.client_ip`` must be an ``ip``.
    """
    return {
        "date_detection": False,
        "dynamic_templates": dynamic_templates(),
        "properties": mapping_properties(mt4_fields.all_mapped_fields(), mt4_fields.ECS_ALIASES),
    }


# ---------------------------------------------------------------------------- settings/templates
def settings_body(im: IndexManagement) -> dict[str, object]:
    """``mt4-settings``: what every MT4 backing index shares (flat ``index.*`` keys), the index
    mode included (``stream_options.index_mode_settings``: ``standard`` or ``logsdb``)."""
    return {
        **stream_options.index_mode_settings(im),
        "index.number_of_replicas": im.replicas,
        "index.number_of_shards": NUMBER_OF_SHARDS,
        "index.refresh_interval": im.refresh_interval,
    }


@dataclass(frozen=True, kw_only=True)
class Family:
    """One family of data streams: its index template, pattern and ILM policy."""

    key: str
    """``logs`` or ``metrics``; also the settings attribute holding its Lifecycle."""
    template: str
    pattern: str
    policy: str
    codec: str | None


FAMILIES: Final = (
    Family(key="logs", template=LOGS_TEMPLATE, pattern=mt4_fields.LOGS_PATTERN, policy=LOGS_POLICY, codec=LOGS_CODEC),
    Family(key="metrics", template=METRICS_TEMPLATE, pattern=mt4_fields.METRICS_PATTERN, policy=METRICS_POLICY, codec=None),
)


def lifecycle_of(im: IndexManagement, family: Family) -> Lifecycle:
    life = getattr(im, family.key)
    assert isinstance(life, Lifecycle)
    return life


def family_settings(family: Family) -> dict[str, object]:
    """Settings only this family has: its ILM policy (and the logs codec).

    Kept in the index template's own ``template`` so the policy name sits in the resource that
    depends on the policy; index-template settings override the composed component templates.
    """
    body: dict[str, object] = {"index.lifecycle.name": family.policy}
    if family.codec:
        body["index.codec"] = family.codec
    return body


def component_template_body(template: Mapping[str, object], description: str) -> dict[str, object]:
    """PUT _component_template/<name> body."""
    return {"_meta": meta(description), "template": dict(template)}


def settings_component_body(im: IndexManagement) -> dict[str, object]:
    return component_template_body({"settings": settings_body(im)}, "Index mode, shards, replicas and refresh of every MT4 index")


def mappings_component_body() -> dict[str, object]:
    return component_template_body({"mappings": mappings_body()}, "MT4 event fields (components/render/mt4_fields.py)")


def data_stream_options() -> dict[str, object]:
    """``data_stream`` of both index templates. ``hidden: false`` is the API default spelled out,
    so the object is never empty on its way through the bridged provider."""
    return {"hidden": False}


def index_template_body(family: Family) -> dict[str, object]:
    """PUT _index_template/<name> body of one family."""
    return {
        "_meta": meta(f"MT4 {family.key} data streams"),
        "composed_of": list(COMPOSED_OF),
        "data_stream": data_stream_options(),
        "index_patterns": [family.pattern],
        "priority": TEMPLATE_PRIORITY,
        "template": {"settings": family_settings(family)},
    }


# ------------------------------------------------------------------------------- snapshots
def repository_body(snapshots: Snapshots) -> dict[str, object]:
    """PUT _snapshot/<repository> body: shared file system, metadata compressed.

    ``location`` must be under ``path.repo`` on every master and data node.
    """
    return {"type": "fs", "settings": {"compress": True, "location": snapshots.location}}


def slm_body(snapshots: Snapshots) -> dict[str, object]:
    """PUT _slm/policy/<id> body: nightly snapshot of every MT4 data stream plus cluster state.

    ``include_global_state: true`` keeps templates, ILM policies and (8.x: all feature states,
    e.g. security) in each snapshot, so a restore into an empty cluster is complete.
    """
    return {
        "config": {
            "expand_wildcards": SNAPSHOT_EXPAND_WILDCARDS,
            "ignore_unavailable": False,
            "include_global_state": True,
            "indices": list(SNAPSHOT_INDICES),
            "partial": False,
        },
        "name": SNAPSHOT_NAME,
        "repository": snapshots.repository,
        "retention": {
            "expire_after": snapshots.expire_after,
            "max_count": snapshots.max_count,
            "min_count": snapshots.min_count,
        },
        "schedule": snapshots.schedule,
    }


# -------------------------------------------------------------------- fit with ingest
def leaf_paths(document: Mapping[str, object]) -> list[str]:
    """Every dotted path in ``document`` that carries a value, as Elasticsearch sees it.

    Dots in keys are object paths; arrays hold values of the same field; ``null`` and empty
    arrays add no field (dynamic-field-mapping docs), so they are skipped.
    """
    return sorted(set(_walk(document, "")))


def _walk(value: object, prefix: str) -> Iterator[str]:
    if value is None:
        return
    if isinstance(value, Mapping):
        for key, child in value.items():
            yield from _walk(child, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _walk(item, prefix)
    else:
        yield prefix


def _lookup(mappings: Mapping[str, object], path: str) -> Mapping[str, object] | None:
    props = mappings.get("properties", {})
    parts = path.split(".")
    for i, part in enumerate(parts):
        node = props.get(part) if isinstance(props, Mapping) else None
        if not isinstance(node, Mapping):
            return None
        last = i == len(parts) - 1
        kind = node.get("type")
        if last or kind == "flattened":
            return node
        if kind is not None and kind not in OBJECT_TYPES:
            return None  # a value field with sub-keys in the document: not covered
        props = node.get("properties", {})
    return None


def _is_value_field(node: Mapping[str, object] | None) -> bool:
    return node is not None and node.get("type") not in (None, *OBJECT_TYPES)


def unmapped_fields(document: Mapping[str, object], mappings: Mapping[str, object]) -> list[str]:
    """Leaf paths of ``document`` not covered by explicit properties or aliases.

    Those would fall to dynamic mapping (and so to ``dynamic_templates``). ``mappings`` is a
    mappings body in the nested form ``mapping_properties`` produces. Note that a value sent
    *to an alias* is refused at index time ("Cannot write to a field alias"); ``alias_fields``
    lists those.
    """
    return [p for p in leaf_paths(document) if not _is_value_field(_lookup(mappings, p))]


def alias_fields(document: Mapping[str, object], mappings: Mapping[str, object]) -> list[str]:
    """Leaf paths of ``document`` that land on a field alias (Elasticsearch refuses such writes)."""
    return [p for p in leaf_paths(document) if (node := _lookup(mappings, p)) is not None and node.get("type") == "alias"]


# ------------------------------------------------------------------------- scaled_float
def java_round(value: float) -> int:
    """``Math.round(double)``: nearest long, ties toward positive infinity."""
    floor = math.floor(value)
    return int(floor) + 1 if value - floor >= 0.5 else int(floor)


def scaled_float_stored(value: float, scaling_factor: float) -> int:
    """What a ``scaled_float`` indexes: ``Math.round(value * scaling_factor)`` as a long."""
    return java_round(value * scaling_factor)


def scaled_float_doc_value(value: float, scaling_factor: float) -> float:
    """What aggregations and sorting read back: the stored long times ``1 / scaling_factor``."""
    return scaled_float_stored(value, scaling_factor) * (1.0 / scaling_factor)
