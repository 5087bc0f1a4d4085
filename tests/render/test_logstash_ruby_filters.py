"""Behaviour of the Ruby embedded in the rendered pipeline, run by a real Ruby interpreter.

The ``init``/``code`` strings are taken from the *parsed rendered text* (what Logstash would
load), then evaluated the way ``logstash-filter-ruby`` 3.1 does (``init`` evaluated in the
filter's binding, ``code`` wrapped in a singleton ``filter_method``; an exception tags the event
with ``tag_on_exception``), against a small stand-in for ``LogStash::Event`` (field references
``[a][b]``, copies on ``get``, ``to_hash`` without ``@metadata``). Logstash 8.19 runs JRuby 9.4
(Ruby 3.1 semantics); MRI 3.1 is close enough for this plain Ruby.
Reference: https://www.elastic.co/guide/en/logstash/8.19/plugins-filters-ruby.html

Needs a ``ruby`` executable (Debian: ``apt-get install ruby``); skipped without one.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from functools import cache
from typing import Any

import pytest

from components.render import mt4_fields
from components.render.logstash_pipeline import REDACTED, REDACTION_FAILURE_TAG, Mt4PipelineOptions, render_mt4_pipeline
from tests.render.logstash_config_parser import iter_plugins, parse_config

RUBY = shutil.which("ruby")
pytestmark = pytest.mark.skipif(RUBY is None, reason="needs a ruby executable (apt-get install ruby)")

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
NOW = "<LogStash::Timestamp.now>"
DEFAULTS = Mt4PipelineOptions()

HARNESS = r"""
require 'json'

module LogStash
  class Timestamp
    def self.now
      new
    end

    def to_json(*_args)
      '"<LogStash::Timestamp.now>"'
    end
  end
end

class FakeEvent
  REFERENCE = /\A(\[[^\[\]]+\])+\z/

  attr_reader :data

  def initialize(data)
    @data = data
  end

  def get(ref)
    copy(path(ref).reduce(@data) { |node, key| node.is_a?(Hash) ? node[key] : nil })
  end

  def set(ref, value)
    keys = path(ref)
    parent = keys[0..-2].reduce(@data) do |node, key|
      node[key] = {} unless node[key].is_a?(Hash)
      node[key]
    end
    parent[keys.last] = copy(value)
  end

  def to_hash
    copy(@data.reject { |key, _| key == '@metadata' })
  end

  def remove(ref)
    keys = path(ref)
    parent = keys[0..-2].reduce(@data) { |node, key| node.is_a?(Hash) ? node[key] : nil }
    parent.is_a?(Hash) ? parent.delete(keys.last) : nil
  end

  def cancel
    @cancelled = true
  end

  def cancelled?
    @cancelled == true
  end

  def tag(name)
    tags = Array(@data['tags'])
    @data['tags'] = tags.include?(name) ? tags : tags + [name]
  end

  private

  def path(ref)
    return [ref] unless ref.include?('[') || ref.include?(']')
    raise ArgumentError, "invalid field reference: #{ref}" unless REFERENCE.match?(ref)
    ref.scan(/\[([^\[\]]+)\]/).flatten
  end

  def copy(value)
    Marshal.load(Marshal.dump(value))
  end
end

class FakeRubyFilter
  def initialize(init, code, tag_on_exception)
    @tag_on_exception = tag_on_exception
    eval(init, binding, '(ruby filter init)') if init
    eval("define_singleton_method :filter_method do |event, &new_event_block|\n #{code} \nend", binding, '(ruby filter code)')
  end

  def filter(event, &new_event_block)
    filter_method(event, &new_event_block)
  rescue Exception
    event.tag(@tag_on_exception)
  end
end

module LogStash
  Event = FakeEvent
end

spec = JSON.parse($stdin.read)
filter = FakeRubyFilter.new(spec['init'], spec['code'], spec['tag_on_exception'])
results = spec['events'].map do |data|
  event = FakeEvent.new(data)
  generated = []
  filter.filter(event) { |new_event| generated << new_event.data }
  { 'data' => event.data, 'cancelled' => event.cancelled?, 'generated' => generated }
end
$stdout.write(JSON.generate(results))
"""


@cache
def ruby_filter(plugin_id: str, options: Mt4PipelineOptions = DEFAULTS) -> dict[str, str]:
    """``init``/``code``/``tag_on_exception`` of the rendered ruby filter with this id."""
    config = parse_config(render_mt4_pipeline(options))
    for use in iter_plugins(config):
        settings = use.plugin.options
        if use.plugin.name == "ruby" and settings.get("id") == plugin_id:
            return {
                "init": str(settings.get("init", "")),
                "code": str(settings["code"]),
                "tag_on_exception": str(settings.get("tag_on_exception", "_rubyexception")),
            }
    raise AssertionError(f"no ruby filter {plugin_id}")


def run_filter_full(plugin_id: str, events: list[dict[str, Any]], options: Mt4PipelineOptions = DEFAULTS) -> list[dict[str, Any]]:
    """Run the rendered ruby filter over ``events``: per event its data, whether it was
    cancelled, and the events it emitted through ``new_event_block``."""
    spec = {**ruby_filter(plugin_id, options), "events": events}
    result = subprocess.run([str(RUBY), "-e", HARNESS], input=json.dumps(spec), capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def run_filter(plugin_id: str, events: list[dict[str, Any]], options: Mt4PipelineOptions = DEFAULTS) -> list[dict[str, Any]]:
    """Run the rendered ruby filter ``plugin_id`` over ``events`` and return them."""
    results = run_filter_full(plugin_id, events, options)
    assert not any(r["cancelled"] or r["generated"] for r in results), "use run_filter_full for filters that emit or cancel"
    return [r["data"] for r in results]


# --- routing: dataset, target data stream, event.ingested, document id ------------------------

EVENT_TYPES: list[Any] = [
    "performance",
    "Performance",
    "market_tick",
    "security",
    "Market Tick!",
    "order/fill:partial",
    "__wrapped__",
    "   ",
    "",
    None,
    0,
    0.0,
    False,
    True,
    42,
    1.5,
    "é-ü",
    "İstanbul",
    "\u212a-kelvin",
    "a" * 100,
    "_" * 70 + "b",
    "x" * 63 + "_y",
    "tab\tand\nnewline",
]


def test_routing_matches_mt4_fields_for_every_event_type() -> None:
    values = [*EVENT_TYPES, *mt4_fields.ROUTED_EVENT_TYPES, "Market_Tick", "market_tick ", "other", "generic"]
    events = [{"event_type": value} for value in values]
    for value, event in zip(values, run_filter("mt4_route", events), strict=True):
        assert event["event"]["dataset"] == mt4_fields.dataset_for(value), value
        assert event["@metadata"]["target"] == mt4_fields.data_stream_for(value), value
        assert event.get("event_type") == value, "the event type stays in the document"


def test_only_known_event_types_get_a_stream_of_their_own() -> None:
    routed = run_filter("mt4_route", [{"event_type": t} for t in mt4_fields.ROUTED_EVENT_TYPES])
    assert [e["@metadata"]["target"] for e in routed] == [
        "mt4-logs-market_tick", "mt4-logs-security", "mt4-metrics-performance", "mt4-logs-bridge_error", "mt4-logs-publish_failure",
    ]
    free_form = run_filter("mt4_route", [{"event_type": f"client_type_{i}"} for i in range(50)])
    assert {e["@metadata"]["target"] for e in free_form} == {"mt4-logs-other"}


def test_event_types_from_the_stack_file_get_their_own_stream() -> None:
    options = Mt4PipelineOptions(event_types=("order_fill",))
    fill, other = run_filter("mt4_route", [{"event_type": "order_fill"}, {"event_type": "order_cancel"}], options=options)
    assert fill["@metadata"]["target"] == "mt4-logs-order_fill" == mt4_fields.data_stream_for("order_fill", ("order_fill",))
    assert other["@metadata"]["target"] == "mt4-logs-other"


def test_routing_of_a_missing_or_structured_event_type() -> None:
    missing, listed, mapped = run_filter("mt4_route", [{}, {"event_type": ["a", "b"]}, {"event_type": {"k": 1}}])
    assert missing["@metadata"]["target"] == f"mt4-logs-{mt4_fields.DEFAULT_DATASET}"
    assert listed["event"]["dataset"] == mt4_fields.OTHER_DATASET == mt4_fields.dataset_for(["a", "b"])
    assert mapped["event"]["dataset"] == mt4_fields.OTHER_DATASET == mt4_fields.dataset_for({"k": 1})


def test_parse_failures_go_to_the_parse_failure_stream_whatever_the_event_type() -> None:
    events = [
        {"event_type": "performance", "tags": ["x", mt4_fields.PARSE_FAILURE_TAG]},
        {"tags": mt4_fields.PARSE_FAILURE_TAG},
    ]
    for event in run_filter("mt4_route", events):
        assert event["@metadata"]["target"] == "mt4-logs-parse_failure"
        assert event["event"]["dataset"] == "parse_failure"


def test_event_ingested_is_set_and_client_event_fields_are_kept() -> None:
    (event,) = run_filter("mt4_route", [{"event_type": "security", "event": {"id": "e-1", "ingested": "old"}}])
    assert event["event"] == {"id": "e-1", "ingested": NOW, "dataset": "security"}


def test_document_id_is_the_event_id_or_a_fresh_uuid() -> None:
    events = [{"event": {"id": "abc-1"}}, {"event": {"id": 42}}, {"event": {"id": ""}}, {}, {}]
    with_id, numeric, empty, first, second = run_filter("mt4_route", events)
    assert with_id["@metadata"]["document_id"] == "abc-1"
    assert numeric["@metadata"]["document_id"] == "42"
    for event in (empty, first, second):
        assert UUID.fullmatch(event["@metadata"]["document_id"])
    assert first["@metadata"]["document_id"] != second["@metadata"]["document_id"]
    assert "id" not in first.get("event", {})


# --- redaction -------------------------------------------------------------------------------


def test_sensitive_values_are_redacted_at_any_depth_case_insensitively() -> None:
    event = {
        "message": "login",
        "Password": "hunter2",
        "details": {
            "user": "alice",
            "API_KEY": "k-123",
            "headers": [{"Authorization": "Bearer x"}, {"accept": "json"}],
            "nested": {"deeper": [[{"token": "t"}]], "secret": {"anything": "here"}},
        },
        "tags": ["password"],
    }
    (clean,) = run_filter("mt4_redact_sensitive", [event])
    assert clean == {
        "message": "login",
        "Password": REDACTED,
        "details": {
            "user": "alice",
            "API_KEY": REDACTED,
            "headers": [{"Authorization": REDACTED}, {"accept": "json"}],
            "nested": {"deeper": [[{"token": REDACTED}]], "secret": REDACTED},
        },
        "tags": ["password"],
    }


def test_events_without_sensitive_keys_are_untouched() -> None:
    event = {"symbol": "EURUSD", "bid": 1.1, "ask": 1.10012, "details": {"password_hint": "x", "tokens": 3}}
    assert run_filter("mt4_redact_sensitive", [event]) == [event]


def test_the_sensitive_key_list_is_configurable() -> None:
    options = Mt4PipelineOptions(sensitive_keys=("pin", "Account-Number"))
    (clean,) = run_filter("mt4_redact_sensitive", [{"pin": 1234, "password": "kept", "x": {"account-number": 9}}], options)
    assert clean == {"pin": REDACTED, "password": "kept", "x": {"account-number": REDACTED}}


def test_an_unreferenceable_field_holding_a_secret_is_tagged_for_quarantine() -> None:
    (event,) = run_filter("mt4_redact_sensitive", [{"odd[key]": {"password": "p"}}])
    assert REDACTION_FAILURE_TAG in event["tags"]


def test_quarantine_re_emits_a_clean_copy_and_cancels_the_original() -> None:
    original = {"odd[key]": {"Password": "p", "n": 1}, "token": "t", "symbol": "EURUSD", "tags": ["x", REDACTION_FAILURE_TAG]}
    (result,) = run_filter_full("mt4_quarantine_unredactable", [original])
    assert result["cancelled"] is True
    assert result["generated"] == [{
        "odd_key_": {"Password": REDACTED, "n": 1},
        "token": REDACTED,
        "symbol": "EURUSD",
        "tags": ["x", REDACTION_FAILURE_TAG, mt4_fields.PARSE_FAILURE_TAG],
    }]


# --- host ------------------------------------------------------------------------------------


def test_a_plain_string_host_becomes_host_name_and_objects_are_kept() -> None:
    plain, nested, missing = run_filter("mt4_host_object", [{"host": "bridge-1"}, {"host": {"hostname": "b"}}, {"x": 1}])
    assert plain == {"host": {"name": "bridge-1"}}
    assert nested == {"host": {"hostname": "b"}}
    assert missing == {"x": 1}


# --- spread ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bid", "ask"),
    [(1.1, 1.10012), (1.23456, 1.23461), (150.123, 150.135), (0.0, 0.00001), ("1.10000", "1.10020"), (1, 2)],
)
def test_spread_is_ask_minus_bid_rounded_to_five_decimals(bid: Any, ask: Any) -> None:
    (event,) = run_filter("mt4_compute_spread", [{"bid": bid, "ask": ask}])
    assert event["spread"] == pytest.approx(round(float(ask) - float(bid), 5), abs=1e-12)
    assert event["spread"] == round(event["spread"], 5)


@pytest.mark.parametrize(
    "event",
    [
        {"bid": 1.1, "ask": 1.2, "spread": 0.5},
        {"bid": 1.1},
        {"ask": 1.1},
        {"bid": "n/a", "ask": 1.1},
        {"bid": True, "ask": 1.1},
        {"bid": None, "ask": 1.1},
        {"bid": [1.0], "ask": 1.1},
        {"message": "no prices"},
    ],
)
def test_spread_is_left_alone_when_present_or_not_computable(event: dict[str, Any]) -> None:
    assert run_filter("mt4_compute_spread", [event]) == [event]
