"""The test-side Logstash config parser accepts the language's constructs and rejects broken text."""

from __future__ import annotations

import pytest

from tests.render.logstash_config_parser import Bareword, ConfigSyntaxError, Plugin, iter_plugins, parse_config

SAMPLE = """
# a comment
input {
  tcp { port => 5000 codec => json_lines { decode_size_limit_bytes => 1024 } }  # trailing comment
}
filter {
  if [a][b] == "x" and ![c] {
    mutate { add_field => { "[d]" => "%{[a][b]}" 'e' => "f" } remove_field => ["[g]", "h"] }
  } else if "t" in [tags] or [n] >= 3 {
    date { match => ['ts', "ISO8601"] }
  } else if [m] =~ /^a\\/b$/ and [k] not in ["x", "y"] {
    drop { }
  } else {
    ruby { code => "event.set('x', 1)" }
  }
}
output { elasticsearch { hosts => ["https://es:9200"] manage_template => false ratio => -1.5 } }
"""


def test_sample_parses_into_sections_plugins_values_and_guards() -> None:
    config = parse_config(SAMPLE)
    uses = list(iter_plugins(config))
    assert [(use.section, use.plugin.name) for use in uses] == [
        ("input", "tcp"),
        ("filter", "mutate"),
        ("filter", "date"),
        ("filter", "drop"),
        ("filter", "ruby"),
        ("output", "elasticsearch"),
    ]
    tcp = uses[0].plugin.options
    assert tcp["port"] == 5000
    assert tcp["codec"] == Plugin("json_lines", [("decode_size_limit_bytes", 1024)])
    mutate = uses[1]
    assert mutate.guards == ('[a][b] == "x" and ![c]',)
    assert mutate.plugin.options == {"add_field": {"[d]": "%{[a][b]}", "e": "f"}, "remove_field": ["[g]", "h"]}
    assert uses[2].guards == ('"t" in [tags] or [n] >= 3',)
    assert uses[2].plugin.options["match"] == ["ts", "ISO8601"]
    assert uses[3].guards == ('[m] =~ /^a\\/b$/ and [k] not in ["x", "y"]',)
    assert uses[4].guards == ("else",)
    assert uses[5].plugin.options == {
        "hosts": ["https://es:9200"],
        "manage_template": Bareword("false"),
        "ratio": -1.5,
    }


@pytest.mark.parametrize(
    "text",
    [
        'input { tcp { port => "5000 } }',
        "input { tcp { port => 5000 host => } }",
        'input { tcp { port => 5000host => "x" } }',
        "input { tcp { port => 5000 }",
        "inputs { tcp { port => 5000 } }",
        "filter { if [a] == { mutate { } } }",
        "filter { if [a] and { mutate { } } }",
        "filter { if ![a] garbage { mutate { } } }",
        'filter { mutate { add_field => { "a" => "b" "a" => "c" } } }',
        'filter { mutate { add_tag => ["a" "b"] } }',
    ],
)
def test_broken_configs_are_rejected(text: str) -> None:
    with pytest.raises(ConfigSyntaxError):
        parse_config(text)


def test_repeated_attributes_are_reported_by_options() -> None:
    plugin = list(iter_plugins(parse_config('filter { mutate { id => "a" id => "b" } }')))[0].plugin
    with pytest.raises(ConfigSyntaxError):
        _ = plugin.options
