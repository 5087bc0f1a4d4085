"""Every generated saved object against the 8.19 saved-object contract (tests/contracts/), with
every reference resolving, and the dashboard definitions' own checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from components.render import dashboards
from components.render import saved_objects as so

CONTRACT = json.loads((Path(__file__).parent / "contracts" / "kibana_saved_objects_8.19.json").read_text())


def imported_objects() -> list[dict]:
    return [*so.saved_searches(), *dashboards.all_dashboard_objects()]


def export_objects() -> list[dict]:
    return [*(so.data_view_saved_object(i, v) for i, v in so.data_views().items()), *imported_objects()]


def problems(obj: dict) -> list[str]:
    """What is wrong with one saved object under the contract ([] when nothing)."""
    found = []
    kind = CONTRACT["types"].get(obj.get("type"))
    if kind is None:
        return [f"type {obj.get('type')!r} not in the contract"]
    found += [f"unknown key {k!r}" for k in set(obj) - set(CONTRACT["saved_object_keys"])]
    if not isinstance(obj.get("id"), str) or not obj["id"]:
        found.append("no id")
    if obj.get("typeMigrationVersion") != kind["typeMigrationVersion"]:
        found.append(f"typeMigrationVersion {obj.get('typeMigrationVersion')!r} != {kind['typeMigrationVersion']!r}")
    attributes = obj.get("attributes", {})
    found += [f"unknown attribute {a!r}" for a in set(attributes) - set(kind["attributes"])]
    found += [f"missing attribute {a!r}" for a in kind["required_attributes"] if a not in attributes]
    for ref in obj.get("references", []):
        if set(ref) != set(CONTRACT["reference_keys"]):
            found.append(f"reference keys {sorted(ref)}")
        if ref.get("type") not in kind["reference_types"]:
            found.append(f"reference type {ref.get('type')!r} not allowed for {obj['type']}")
    for key, value in attributes.items():
        if key.endswith("JSON") and isinstance(value, str):
            json.loads(value)
    if obj["type"] == "lens":
        found += [f"unknown lens state key {k!r}" for k in set(attributes.get("state", {})) - set(kind["state_keys"])]
    if obj["type"] == "dashboard":
        for panel in json.loads(attributes.get("panelsJSON", "[]")):
            found += [f"unknown panel key {k!r}" for k in set(panel) - set(kind["panel_keys"])]
    return found


@pytest.mark.parametrize("obj", export_objects(), ids=lambda o: f"{o['type']}/{o['id']}")
def test_every_saved_object_matches_the_819_contract(obj: dict) -> None:
    assert problems(obj) == []


def test_type_migration_versions_are_the_contracts() -> None:
    assert so.TYPE_MIGRATION_VERSIONS == {t: v["typeMigrationVersion"] for t, v in CONTRACT["types"].items()}


def test_a_misspelt_dashboard_attribute_is_caught() -> None:
    dashboard = next(o for o in imported_objects() if o["type"] == "dashboard")
    broken = {**dashboard, "attributes": {**{k: v for k, v in dashboard["attributes"].items() if k != "panelsJSON"},
                                           "panelJSON": dashboard["attributes"]["panelsJSON"]}}
    assert set(problems(broken)) == {"unknown attribute 'panelJSON'", "missing attribute 'panelsJSON'"}


def test_every_reference_resolves_to_an_object_of_the_stack() -> None:
    known = {(o["type"], o["id"]) for o in export_objects()}
    dangling = [(o["id"], r) for o in export_objects() for r in o["references"] if (r["type"], r["id"]) not in known]
    assert dangling == []


def test_every_dashboard_panel_has_its_reference_and_every_lens_layer_its_data_view() -> None:
    for obj in imported_objects():
        if obj["type"] == "dashboard":
            names = {r["name"] for r in obj["references"]}
            assert {f"{p['panelIndex']}:{p['panelRefName']}" for p in json.loads(obj["attributes"]["panelsJSON"])} == names
        if obj["type"] == "lens":
            [(datasource, state)] = obj["attributes"]["state"]["datasourceStates"].items()
            prefix = {"formBased": "indexpattern", "textBased": "textBasedLanguages"}[datasource]
            assert {r["name"] for r in obj["references"]} == {f"{prefix}-datasource-layer-{layer}" for layer in state["layers"]}
            assert all(r["type"] == "index-pattern" for r in obj["references"]), obj["id"]


def test_the_four_dashboards_and_their_panels() -> None:
    titles = {o["attributes"]["title"]: len(json.loads(o["attributes"]["panelsJSON"]))
              for o in imported_objects() if o["type"] == "dashboard"}
    assert titles == {"MT4 Market Data": 5, "MT4 Security": 4, "MT4 Performance": 4, "MT4 System": 4}


def test_no_type_and_id_twice_in_the_export() -> None:
    text = so.ndjson(export_objects())
    keys = [(json.loads(line)["type"], json.loads(line)["id"]) for line in text.splitlines()]
    assert len(keys) == len(set(keys)) == 33
    with pytest.raises(ValueError, match="appears twice"):
        so.ndjson([*export_objects(), export_objects()[0]])


def test_every_guide_query_is_a_saved_search_in_kql_and_the_group_by_in_esql() -> None:
    searches = {o["attributes"]["title"]: o for o in so.saved_searches()}
    queries = {t: json.loads(o["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])["query"] for t, o in searches.items()}
    assert queries["High latency events"] == {"query": "event_type:performance AND value > 10", "language": "kuery"}
    assert queries["Errors in last hour"] == {"query": 'level:ERROR AND @timestamp >= "now-1h"', "language": "kuery"}
    assert queries["Ticks by symbol (ES|QL)"]["esql"].startswith('FROM mt4-logs-* | WHERE event_type == "market_tick" | STATS')
    assert searches["Ticks by symbol (ES|QL)"]["attributes"]["isTextBasedQuery"] is True
    assert searches["High latency events"]["references"][0]["id"] == so.METRICS_VIEW
    assert len(searches) == 8


def test_a_definition_with_an_unknown_key_is_refused(tmp_path: Path) -> None:
    (tmp_path / "x.yaml").write_text("id: d\ntitle: t\ndescription: ''\ndata_view: mt4-logs\nquery: ''\n"
                                     "panels:\n  - {id: a, title: A, chart: line, x: '@timestamp', metric: [count]}\n")
    with pytest.raises(ValueError, match=r"panel 'a': unknown key\(s\) \['metric'\]"):
        dashboards.load_definitions(tmp_path)


def test_data_views_have_time_field_and_field_formats() -> None:
    views = so.data_views()
    assert {v["title"] for v in views.values()} == {
        "mt4-logs-*", "mt4-metrics-*", "mt4-metrics-system", "mt4-logs-*::failures,mt4-metrics-*::failures",
    }
    assert all(v["timeFieldName"] == "@timestamp" for v in views.values())
    assert views["mt4-logs"]["fieldFormats"]["bid"] == {"id": "number", "params": {"pattern": "0.00000"}}
    assert views["mt4-metrics"]["fieldFormats"]["value"]["params"]["inputFormat"] == "milliseconds"
