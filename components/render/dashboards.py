"""The four dashboards, from the compact definitions in ``assets/dashboards/*.yaml``.

Each panel becomes a Lens visualization (its own saved object, so a dashboard holds panels by
reference) and the dashboard lists them in ``panelsJSON`` with one ``references`` entry each
(``<panelIndex>:panel_<panelIndex>``, as Kibana 8.x extracts them). Every Lens layer references
its data view by id. Unknown keys in a definition are errors: Kibana itself accepts unknown
attributes silently (PITFALLS), so a typo must fail here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import yaml

from components.render import saved_objects as so

ASSETS: Final = Path(__file__).resolve().parents[2] / "assets" / "dashboards"
DASHBOARD_KEYS: Final = frozenset({"id", "title", "description", "data_view", "query", "panels"})
PANEL_KEYS: Final = frozenset({"id", "title", "chart", "x", "metrics", "split", "query", "data_view", "esql"})
CHARTS: Final[dict[str, str]] = {"line": "lnsXY", "bar": "lnsXY", "area": "lnsXY", "table": "lnsDatatable"}
OPERATIONS: Final = frozenset({"average", "sum", "max", "min", "median", "unique_count"})
ESQL_QUERIES: Final[dict[str, tuple[str, tuple[tuple[str, str], ...]]]] = {
    # name -> (query, output columns with their ES|QL types)
    "ticks-by-symbol": (so.TICKS_BY_SYMBOL_ESQL, (("symbol", "string"), ("ticks", "number"))),
}
PANEL_WIDTH, PANEL_HEIGHT = 24, 12
LAYER = "layer1"


def load_definitions(folder: Path = ASSETS) -> list[dict[str, Any]]:
    """Every ``*.yaml`` in ``folder``, checked for unknown keys."""
    definitions = []
    for path in sorted(folder.glob("*.yaml")):
        definition = yaml.safe_load(path.read_text())
        unknown = set(definition) - DASHBOARD_KEYS
        if unknown:
            raise ValueError(f"{path.name}: unknown dashboard key(s) {sorted(unknown)}; known: {sorted(DASHBOARD_KEYS)}")
        for panel in definition["panels"]:
            bad = set(panel) - PANEL_KEYS
            if bad:
                raise ValueError(f"{path.name}: panel {panel.get('id')!r}: unknown key(s) {sorted(bad)}; known: {sorted(PANEL_KEYS)}")
            if panel["chart"] not in CHARTS:
                raise ValueError(f"{path.name}: panel {panel['id']!r}: chart {panel['chart']!r} is not one of {sorted(CHARTS)}")
        definitions.append(definition)
    return definitions


def metric_column(spec: str) -> dict[str, Any]:
    """``count`` | ``<op>:<field>`` | ``percentile:<field>:<n>`` -> a Lens formBased column."""
    parts = spec.split(":")
    if parts == ["count"]:
        return {"label": "Count of records", "dataType": "number", "operationType": "count", "sourceField": "___records___",
                "isBucketed": False, "scale": "ratio", "params": {"emptyAsNull": True}}
    if parts[0] == "percentile" and len(parts) == 3:
        return {"label": f"{parts[2]}th percentile of {parts[1]}", "dataType": "number", "operationType": "percentile",
                "sourceField": parts[1], "isBucketed": False, "scale": "ratio", "params": {"percentile": int(parts[2])}}
    if len(parts) == 2 and parts[0] in OPERATIONS:
        return {"label": f"{parts[0].capitalize()} of {parts[1]}", "dataType": "number", "operationType": parts[0],
                "sourceField": parts[1], "isBucketed": False, "scale": "ratio", "params": {"emptyAsNull": True}}
    raise ValueError(f"metric {spec!r}: use count, <op>:<field> ({', '.join(sorted(OPERATIONS))}) or percentile:<field>:<n>")


def bucket_column(x: Any, order_by: str) -> dict[str, Any]:
    if isinstance(x, str):
        return {"label": x, "dataType": "date", "operationType": "date_histogram", "sourceField": x, "isBucketed": True,
                "scale": "interval", "params": {"interval": "auto", "includeEmptyRows": True, "dropPartials": False}}
    field = x["terms"]
    return {"label": f"Top values of {field}", "dataType": "ip" if field.endswith("_ip") else "string",
            "operationType": "terms", "sourceField": field, "isBucketed": True, "scale": "ordinal",
            "params": {"size": 10, "orderBy": {"type": "column", "columnId": order_by}, "orderDirection": "desc",
                       "otherBucket": True, "missingBucket": False}}


def lens_id(dashboard: Mapping[str, Any], panel: Mapping[str, Any]) -> str:
    return f"mt4-lens-{dashboard['id'].removeprefix('mt4-dashboard-')}-{panel['id']}"


def form_based_lens(dashboard: Mapping[str, Any], panel: Mapping[str, Any]) -> dict[str, Any]:
    metrics = [metric_column(m) for m in panel["metrics"]]
    metric_ids = [f"m{n}" for n in range(len(metrics))]
    columns: dict[str, Any] = {"x": bucket_column(panel["x"], metric_ids[0]), **dict(zip(metric_ids, metrics, strict=True))}
    order = ["x"]
    if "split" in panel:
        columns["split"] = bucket_column({"terms": panel["split"]}, metric_ids[0])
        columns["split"]["params"]["size"] = 5
        order.append("split")
    order += metric_ids
    if panel["chart"] == "table":
        visualization: dict[str, Any] = {"layerId": LAYER, "layerType": "data", "columns": [{"columnId": c} for c in order]}
    else:
        layer = {"layerId": LAYER, "layerType": "data", "seriesType": panel["chart"], "xAccessor": "x", "accessors": metric_ids}
        if "split" in panel:
            layer["splitAccessor"] = "split"
        visualization = {"legend": {"isVisible": True, "position": "right"}, "preferredSeriesType": panel["chart"],
                         "layers": [layer]}
    view = panel.get("data_view", dashboard["data_view"])
    query = panel.get("query", dashboard["query"])
    return {
        "type": "lens", "id": lens_id(dashboard, panel),
        "attributes": {
            "title": panel["title"], "description": "", "visualizationType": CHARTS[panel["chart"]],
            "state": {
                "datasourceStates": {"formBased": {"layers": {LAYER: {"columns": columns, "columnOrder": order, "incompleteColumns": {}}}}},
                "visualization": visualization, "query": {"query": query, "language": "kuery"}, "filters": [],
                "internalReferences": [], "adHocDataViews": {},
            },
        },
        "references": [{"type": "index-pattern", "id": view, "name": f"indexpattern-datasource-layer-{LAYER}"}],
        "typeMigrationVersion": so.TYPE_MIGRATION_VERSIONS["lens"],
    }


def esql_lens(dashboard: Mapping[str, Any], panel: Mapping[str, Any]) -> dict[str, Any]:
    """An ES|QL (``textBased``) Lens. The query names its indices itself; the layer's ``index``
    is still the dashboard's data view, referenced like every other panel's (as Lens persists a
    text-based layer: ``textBasedLanguages-datasource-layer-<layer>``), for the time field."""
    query, outputs = ESQL_QUERIES[panel["esql"]]
    view = panel.get("data_view", dashboard["data_view"])
    (x_name, _), *metric_outputs = outputs
    return {
        "type": "lens", "id": lens_id(dashboard, panel),
        "attributes": {
            "title": panel["title"], "description": "", "visualizationType": "lnsXY",
            "state": {
                "datasourceStates": {"textBased": {"layers": {LAYER: {
                    "index": view, "query": {"esql": query}, "timeField": "@timestamp",
                    "columns": [{"columnId": name, "fieldName": name, "meta": {"type": kind}} for name, kind in outputs],
                }}}},
                "visualization": {"legend": {"isVisible": True, "position": "right"}, "preferredSeriesType": panel["chart"],
                                  "layers": [{"layerId": LAYER, "layerType": "data", "seriesType": panel["chart"],
                                              "xAccessor": x_name, "accessors": [m for m, _ in metric_outputs]}]},
                "query": {"esql": query}, "filters": [], "internalReferences": [], "adHocDataViews": {},
            },
        },
        "references": [{"type": "index-pattern", "id": view, "name": f"textBasedLanguages-datasource-layer-{LAYER}"}],
        "typeMigrationVersion": so.TYPE_MIGRATION_VERSIONS["lens"],
    }


def dashboard_objects(definition: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The Lens objects of one definition, then the dashboard that places them."""
    lenses = [esql_lens(definition, p) if "esql" in p else form_based_lens(definition, p) for p in definition["panels"]]
    panels, references = [], []
    for n, lens in enumerate(lenses):
        index = f"p{n}"
        panels.append({"type": "lens", "panelIndex": index, "embeddableConfig": {"enhancements": {}},
                       "gridData": {"x": (n % 2) * PANEL_WIDTH, "y": (n // 2) * PANEL_HEIGHT, "w": PANEL_WIDTH,
                                    "h": PANEL_HEIGHT, "i": index},
                       "panelRefName": f"panel_{index}"})
        references.append({"name": f"{index}:panel_{index}", "type": "lens", "id": lens["id"]})
    dashboard = {
        "type": "dashboard", "id": definition["id"],
        "attributes": {
            "title": definition["title"], "description": definition["description"], "timeRestore": True,
            "timeFrom": "now-24h", "timeTo": "now", "refreshInterval": {"pause": False, "value": 30_000},
            "panelsJSON": json.dumps(panels, sort_keys=True),
            "optionsJSON": json.dumps({"useMargins": True, "syncColors": False, "syncCursor": True,
                                       "syncTooltips": False, "hidePanelTitles": False}, sort_keys=True),
            "kibanaSavedObjectMeta": {"searchSourceJSON": json.dumps(
                {"query": {"query": "", "language": "kuery"}, "filter": []}, sort_keys=True)},
        },
        "references": references,
        "typeMigrationVersion": so.TYPE_MIGRATION_VERSIONS["dashboard"],
    }
    return [*lenses, dashboard]


def all_dashboard_objects(folder: Path = ASSETS) -> list[dict[str, Any]]:
    return [obj for definition in load_definitions(folder) for obj in dashboard_objects(definition)]
