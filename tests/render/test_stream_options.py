"""Render tests for components/render/stream_options.py: failure store body, failures pattern,
index mode, and whether the mt4 mappings can back a logsdb index.

Proof limit: checked against the 8.19 docs and specification as quoted in the module; no real
8.19 cluster with the data-streams and logsdb modules runs here (the integ-test build lacks them,
engine/realserver/absent_modules.py), so Elasticsearch accepting them is not proven here.
"""

from __future__ import annotations

import dataclasses

import pytest

from components.render import index_bodies, stream_options
from components.settings.model import IndexManagement, Lifecycle

LIFE = Lifecycle(rollover_max_age="1d", rollover_max_primary_shard_size="1gb", warm_min_age="1d", warm_shrink_shards=1,
                 delete_min_age="7d")
IM = IndexManagement(logs=LIFE, metrics=LIFE, replicas=0, refresh_interval="5s")


def test_failure_store_covers_exactly_the_two_template_families() -> None:
    patterns = {pattern for family in index_bodies.FAMILIES for pattern in index_bodies.index_template_body(family)["index_patterns"]}
    assert set(stream_options.failure_store_patterns(IM)) == patterns == {"mt4-logs-*", "mt4-metrics-*"}


def test_failure_store_cluster_settings_body() -> None:
    assert stream_options.failure_store_cluster_settings(IM) == {
        "persistent": {"data_streams.failure_store.enabled": ["mt4-logs-*", "mt4-metrics-*"]},
    }


def test_failure_store_off_lists_no_pattern() -> None:
    off = dataclasses.replace(IM, failure_store=False)
    assert stream_options.failure_store_cluster_settings(off) == {"persistent": {"data_streams.failure_store.enabled": []}}


def test_the_template_body_carries_no_data_stream_options_the_provider_would_drop() -> None:
    """The provider's IndexTemplate has no data_stream_options input: the rendered body must not
    claim what never reaches the cluster."""
    for family in index_bodies.FAMILIES:
        body = index_bodies.index_template_body(family)
        assert "data_stream_options" not in body["template"] and "failure_store" not in body["data_stream"]


def test_failures_pattern_puts_the_selector_on_each_expression() -> None:
    assert stream_options.failures_pattern() == "mt4-logs-*::failures,mt4-metrics-*::failures"


@pytest.mark.parametrize("mode", ["standard", "logsdb"])
def test_index_mode_goes_into_the_shared_settings(mode: str) -> None:
    settings = index_bodies.settings_body(dataclasses.replace(IM, index_mode=mode))  # type: ignore[arg-type]
    assert settings["index.mode"] == mode


def test_the_mt4_mappings_can_back_a_logsdb_index() -> None:
    """host.name is a keyword and @timestamp a date, both with doc values: logsdb's default sort
    (host.name, @timestamp) works on the templates as they are."""
    assert stream_options.logsdb_mapping_problems(index_bodies.mappings_body()) == []


def test_the_mt4_templates_set_no_sort_of_their_own_that_logsdb_would_have_to_merge() -> None:
    keys = set(index_bodies.settings_body(IM)) | {
        k for f in index_bodies.FAMILIES for k in index_bodies.index_template_body(f)["template"]["settings"]
    }
    assert not any(k.startswith("index.sort") for k in keys)


def test_logsdb_check_names_a_wrong_sort_field() -> None:
    mappings = {"properties": {"@timestamp": {"type": "keyword"},
                               "host": {"properties": {"name": {"type": "text"}}}}}
    assert stream_options.logsdb_mapping_problems(mappings) == [
        "host.name is mapped as 'text'; logsdb sorts on it and needs keyword",
        "@timestamp is mapped as 'keyword'; logsdb sorts on it and needs date or date_nanos",
    ]


def test_logsdb_check_names_missing_doc_values_and_a_missing_timestamp() -> None:
    mappings = {"properties": {"host": {"properties": {"name": {"type": "keyword", "doc_values": False}}}}}
    assert stream_options.logsdb_mapping_problems(mappings) == [
        "host.name has doc_values: false; logsdb sorts on it and needs doc values",
        "@timestamp is not mapped; a data stream needs it as a date",
    ]
