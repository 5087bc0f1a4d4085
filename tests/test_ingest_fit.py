"""Ingest fits the templates and the writer's privileges: what Logstash routes, it may write,
into a data stream whose template maps every field the pipeline writes."""

from __future__ import annotations

from fnmatch import fnmatch

import pytest

from components.access import load_role
from components.render import index_bodies, mt4_fields
from components.render.logstash_pipeline import PARSE_FAILURE_DATASET, pipeline_output_fields

EVENT_TYPES = ["market_tick", "security", "performance", None, "Odd Type!", "x" * 300, PARSE_FAILURE_DATASET]


def writer_patterns() -> list[str]:
    role = load_role("mt4_logstash_writer")
    return [name for entry in role["indices"] for name in entry["names"] if {"create_doc", "auto_configure"} <= set(entry["privileges"])]


@pytest.mark.parametrize("event_type", EVENT_TYPES, ids=lambda e: f"event_type {str(e)[:20]!r}")
def test_every_routed_stream_is_writable_and_has_a_data_stream_template(event_type: object) -> None:
    stream = mt4_fields.data_stream_for(event_type)
    assert any(fnmatch(stream, p) for p in writer_patterns()), stream
    matching = [f for f in index_bodies.FAMILIES if any(fnmatch(stream, p) for p in index_bodies.index_template_body(f)["index_patterns"])]
    assert len(matching) == 1, stream
    assert index_bodies.index_template_body(matching[0])["data_stream"] is not None
    assert len(stream) <= 255 and stream == stream.lower()


def test_every_field_the_pipeline_adds_is_mapped_explicitly() -> None:
    mapped = set(mt4_fields.all_mapped_fields())
    assert pipeline_output_fields() <= mapped


def test_writer_cannot_read_or_delete() -> None:
    role = load_role("mt4_logstash_writer")
    privileges = {p for entry in role["indices"] for p in entry["privileges"]}
    assert privileges == {"create_doc", "auto_configure"}
    assert role["cluster"] == ["monitor"]
