"""The System dashboard's fields exist where Metricbeat writes them: the data view points at the
stream Metricbeat writes, the mt4-metrics template matches that stream, and every field a System
panel charts is mapped there with a type that fits (not left to its first value)."""

from __future__ import annotations

from fnmatch import fnmatchcase

from components.render import dashboards, index_bodies, mt4_fields, saved_objects
from components.render import metricbeat_yml as mb

KIND_TYPES = {"double": {"double", "scaled_float", "float"}, "long": {"long"}, "keyword": {"keyword"}}


def _mapped(path: str) -> dict[str, object]:
    node: dict[str, object] = {"properties": index_bodies.mappings_body()["properties"]}
    for part in path.split("."):
        node = node["properties"][part]  # type: ignore[index]
    return node


def _panel_fields() -> set[str]:
    """Every field a panel on the system data view reads (metrics, split, terms)."""
    fields: set[str] = set()
    for board in dashboards.load_definitions():
        for panel in board["panels"]:
            if panel.get("data_view", board["data_view"]) != saved_objects.SYSTEM_VIEW:
                continue
            fields |= {m.split(":")[1] for m in panel["metrics"] if ":" in m}
            if panel.get("split"):
                fields.add(panel["split"])
            if isinstance(panel.get("x"), dict):
                fields.add(panel["x"]["terms"])
    return fields


def test_the_system_data_view_reads_the_stream_metricbeat_writes_and_our_template_matches_it() -> None:
    view = saved_objects.data_views()[saved_objects.SYSTEM_VIEW]
    assert view["title"] == mb.INDEX == "mt4-metrics-system"
    metrics = next(f for f in index_bodies.FAMILIES if f.key == "metrics")
    assert fnmatchcase(mb.INDEX, metrics.pattern)
    assert fnmatchcase(mb.INDEX, mb.TEMPLATE_PATTERN) and mb.TEMPLATE_NAME == metrics.template


def test_every_system_panel_field_is_mapped_with_a_type_that_fits_its_runtime_field() -> None:
    fields = _panel_fields()
    assert fields >= {"docker.cpu.total.pct", "docker.memory.usage.pct", "container.name"}
    for field in fields:
        kind = saved_objects.SYSTEM_FIELDS[field]
        assert field in mt4_fields.SHIPPER_FIELDS, field
        assert _mapped(field)["type"] in KIND_TYPES[kind], field
    for field, kind in saved_objects.SYSTEM_FIELDS.items():
        assert _mapped(field)["type"] in KIND_TYPES[kind], field


def test_a_percentage_that_first_arrives_as_zero_is_still_a_double() -> None:
    """A long-typed ``*.pct`` would store every later 0.42 as 0 (coerced); the dynamic template stops that."""
    first, *_ = index_bodies.mappings_body()["dynamic_templates"]
    (rule,) = first.values()
    assert fnmatchcase("system.process.cpu.total.pct", rule["path_match"])
    assert (rule["match_mapping_type"], rule["mapping"]) == ("long", {"type": "double"})
