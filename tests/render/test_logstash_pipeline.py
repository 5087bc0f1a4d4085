"""Structure of the rendered MT4 pipeline, parsed with ``logstash_config_parser``.

Every option rendered is checked against ``tests/contracts/logstash_plugins_8.19.json`` (the
option lists of the plugin versions bundled with Logstash 8.19); the rest asserts the shape:
which inputs, which TLS options, the exact output options, failure handling, routing fields.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from components.render import mt4_fields
from components.render.logstash_pipeline import (
    DEFAULT_CA_PATH,
    DEFAULT_TLS_CERTIFICATE_PATH,
    DEFAULT_TLS_KEY_PATH,
    QUARANTINE_FAILURE_TAG,
    REDACTION_FAILURE_TAG,
    Mt4PipelineOptions,
    pipeline_output_fields,
    pipeline_tags,
    render_mt4_pipeline,
)
from tests.render.logstash_config_parser import Bareword, Config, Plugin, PluginUse, iter_plugins, parse_config

CONTRACT = json.loads((Path(__file__).parents[1] / "contracts" / "logstash_plugins_8.19.json").read_text())
TLS_COMBINATIONS = [(False, False), (True, False), (False, True), (True, True)]
SERVER_TLS_OPTIONS = {"ssl_enabled", "ssl_certificate", "ssl_key", "ssl_supported_protocols", "ssl_client_authentication"}


def parsed(**overrides: object) -> Config:
    """Render with ``overrides`` and parse the text back."""
    return parse_config(render_mt4_pipeline(Mt4PipelineOptions(**overrides)))  # type: ignore[arg-type]


def plugins_named(config: Config, name: str, section: str | None = None) -> list[PluginUse]:
    """All uses of plugin ``name`` (optionally only in one section)."""
    return [use for use in iter_plugins(config) if use.plugin.name == name and section in (None, use.section)]


def only(config: Config, name: str, section: str | None = None) -> Plugin:
    """The single plugin ``name``; fails if there are zero or several."""
    uses = plugins_named(config, name, section)
    assert len(uses) == 1, f"expected one {name}, found {len(uses)}"
    return uses[0].plugin


def by_id(config: Config, plugin_id: str) -> PluginUse:
    """The plugin whose ``id`` option is ``plugin_id``."""
    matches = [use for use in iter_plugins(config) if use.plugin.options.get("id") == plugin_id]
    assert len(matches) == 1, f"expected one plugin with id {plugin_id}"
    return matches[0]


def all_plugins_with_codecs(config: Config) -> list[tuple[str, Plugin]]:
    """(contract type, plugin) for every plugin block, codecs (plugin values) included."""
    found: list[tuple[str, Plugin]] = []
    for use in iter_plugins(config):
        found.append((use.section, use.plugin))
        found += [("codec", value) for _, value in use.plugin.attributes if isinstance(value, Plugin)]
    return found


@pytest.mark.parametrize(("tcp_tls", "beats_tls"), TLS_COMBINATIONS)
@pytest.mark.parametrize("client_authentication", ["none", "optional", "required"])
def test_every_rendered_option_is_a_current_option_of_the_bundled_plugin(
    tcp_tls: bool, beats_tls: bool, client_authentication: str
) -> None:
    config = parsed(tcp_tls=tcp_tls, beats_tls=beats_tls, client_authentication=client_authentication)
    for kind, plugin in all_plugins_with_codecs(config):
        assert plugin.name in CONTRACT, f"{plugin.name} has no confirmed option list"
        contract = CONTRACT[plugin.name]
        assert contract["type"] == kind, f"{plugin.name} used as {kind}"
        keys = set(plugin.options)
        assert keys <= set(contract["options"]), f"{plugin.name}: undocumented {sorted(keys - set(contract['options']))}"
        assert not keys & set(contract["deprecated_options"]), f"{plugin.name}: deprecated options used"


def test_contract_lists_are_well_formed() -> None:
    for name, contract in CONTRACT.items():
        assert contract["source"].startswith("https://www.elastic.co/guide/en/logstash/8.19/"), name
        assert contract["options"] == sorted(set(contract["options"])), name
        assert not set(contract["options"]) & set(contract["deprecated_options"]), name
        assert "id" in contract["options"] or contract["type"] == "codec", name


def test_plugin_ids_are_unique() -> None:
    ids = [use.plugin.options.get("id") for use in iter_plugins(parsed())]
    assert None not in ids
    assert len(ids) == len(set(ids))


def test_inputs_are_one_tcp_json_lines_listener_and_one_beats_listener() -> None:
    config = parsed(tcp_port=6000, beats_port=6044, json_line_max_bytes=65536)
    assert sorted(use.plugin.name for use in plugins_named(config, "tcp") + plugins_named(config, "beats")) == [
        "beats",
        "tcp",
    ]
    assert [use.plugin.name for use in iter_plugins(config) if use.section == "input"] == ["tcp", "beats"]
    tcp = only(config, "tcp", "input").options
    beats = only(config, "beats", "input").options
    assert (tcp["port"], tcp["host"], tcp["mode"]) == (6000, "0.0.0.0", "server")
    assert (beats["port"], beats["host"]) == (6044, "0.0.0.0")
    codec = tcp["codec"]
    assert isinstance(codec, Plugin)
    assert codec.name == "json_lines"
    assert codec.options == {"decode_size_limit_bytes": 65536}
    assert "codec" not in beats


@pytest.mark.parametrize(("tcp_tls", "beats_tls"), TLS_COMBINATIONS)
def test_tls_options_appear_only_on_inputs_with_tls(tcp_tls: bool, beats_tls: bool) -> None:
    config = parsed(tcp_tls=tcp_tls, beats_tls=beats_tls)
    for name, enabled in (("tcp", tcp_tls), ("beats", beats_tls)):
        options = only(config, name, "input").options
        ssl_keys = {key for key in options if key.startswith("ssl_")}
        assert ssl_keys == (SERVER_TLS_OPTIONS if enabled else set()), name
        if enabled:
            assert options["ssl_enabled"] == Bareword("true")
            assert options["ssl_certificate"] == DEFAULT_TLS_CERTIFICATE_PATH
            assert options["ssl_key"] == DEFAULT_TLS_KEY_PATH
            assert options["ssl_key"].endswith(".pkcs8.key")  # beats reads PKCS#8 only
            assert options["ssl_supported_protocols"] == ["TLSv1.2", "TLSv1.3"]
            assert options["ssl_client_authentication"] == "none"


@pytest.mark.parametrize("mode", ["optional", "required"])
def test_client_certificates_need_the_client_ca_on_both_inputs(mode: str) -> None:
    config = parsed(client_authentication=mode, beats_client_authentication=mode,
                    client_ca_path="/usr/share/logstash/config/certs/clients-ca.crt")
    for name in ("tcp", "beats"):
        options = only(config, name, "input").options
        assert options["ssl_client_authentication"] == mode
        assert options["ssl_certificate_authorities"] == ["/usr/share/logstash/config/certs/clients-ca.crt"]


def test_the_beats_input_alone_can_require_client_certificates() -> None:
    """Mutual TLS for Filebeat (filebeat.mutual_tls) leaves the TCP input's policy alone."""
    config = parsed(beats_client_authentication="required")
    beats, tcp = only(config, "beats", "input").options, only(config, "tcp", "input").options
    assert beats["ssl_client_authentication"] == "required"
    assert beats["ssl_certificate_authorities"] == [DEFAULT_CA_PATH]
    assert tcp["ssl_client_authentication"] == "none" and "ssl_certificate_authorities" not in tcp


def test_tcp_server_never_gets_the_client_mode_verification_option() -> None:
    forbidden = set(CONTRACT["tcp"]["notes"]["server_mode_forbidden"])
    for mode in ("none", "optional", "required"):
        assert not set(only(parsed(client_authentication=mode), "tcp").options) & forbidden


def test_elasticsearch_output_options_are_exactly_these() -> None:
    config = parsed(
        elasticsearch_hosts=("https://es01:9200", "https://es02:9200"),
        writer_user="mt4_writer",
        writer_password_env="MT4_WRITER_PASSWORD",
    )
    assert [use.plugin.name for use in iter_plugins(config) if use.section == "output"] == ["elasticsearch"]
    assert only(config, "elasticsearch", "output").options == {
        "id": "mt4_elasticsearch",
        "hosts": ["https://es01:9200", "https://es02:9200"],
        "ssl_enabled": Bareword("true"),
        "ssl_certificate_authorities": [DEFAULT_CA_PATH],
        "ssl_verification_mode": "full",
        "user": "mt4_writer",
        "password": "${MT4_WRITER_PASSWORD}",
        "action": "create",
        "index": "%{[@metadata][target]}",
        "document_id": "%{[@metadata][document_id]}",
        "data_stream": "false",
        "manage_template": Bareword("false"),
        "ilm_enabled": "false",
        "silence_errors_in_log": ["version_conflict_engine_exception"],
    }


def test_string_enum_options_use_documented_values() -> None:
    output = only(parsed(), "elasticsearch", "output").options
    for option, allowed in CONTRACT["elasticsearch"]["notes"]["string_enum_options"].items():
        assert output[option] in allowed


def test_the_only_substitution_is_the_writer_password_env_var() -> None:
    text = render_mt4_pipeline(Mt4PipelineOptions(writer_password_env="LS_WRITER_PW"))
    assert re.findall(r"\$\{([^}]*)\}", text) == ["LS_WRITER_PW"]


def test_routing_fields_feed_the_output() -> None:
    config = parsed()
    route = by_id(config, "mt4_route")
    assert route.guards == ()
    code = route.plugin.options["code"]
    assert "'[@metadata][target]'" in code and "'[@metadata][document_id]'" in code
    fallback = by_id(config, "mt4_route_fallback")
    assert fallback.guards == ("![@metadata][target]",)
    assert fallback.plugin.options["replace"]["[@metadata][target]"] == "mt4-logs-parse_failure"
    uuid = by_id(config, "mt4_document_id_fallback")
    assert uuid.guards == ("![@metadata][document_id]",)
    assert uuid.plugin.options["target"] == "[@metadata][document_id]"


def test_ecs_alias_fields_are_moved_when_free_and_always_removed() -> None:
    config = parsed()
    cleanup = by_id(config, "mt4_ecs_alias_cleanup")
    assert cleanup.guards == ()
    removed = set(cleanup.plugin.options["remove_field"])
    for ecs_path, seed_field in mt4_fields.ECS_ALIASES.items():
        nested = "".join(f"[{part}]" for part in ecs_path.split("."))
        dotted = f"[{ecs_path}]"
        assert {nested, dotted} <= removed
        for source in (nested, dotted):
            renames = [use for use in plugins_named(config, "mutate") if use.plugin.options.get("rename") == {source: f"[{seed_field}]"}]
            assert len(renames) == 1, source
            assert renames[0].guards == (f"{source} and ![{seed_field}]",)
    ids = [use.plugin.options["id"] for use in iter_plugins(config)]
    assert ids.index("mt4_ecs_alias_cleanup") > max(
        ids.index(f"mt4_ecs_{seed}_{shape}") for seed in mt4_fields.ECS_ALIASES.values() for shape in ("nested", "dotted")
    )


def test_unparseable_timestamps_are_retried_then_tagged_not_dropped() -> None:
    config = parsed()
    retry = only(config, "date")
    use = plugins_named(config, "date")[0]
    assert use.guards == ('"_timestampparsefailure" in [tags]',)
    options = retry.options
    assert options["match"][0] == "[_@timestamp]"
    assert "ISO8601" in options["match"]
    assert options["target"] == "@timestamp"
    assert options["timezone"] == "UTC"
    assert options["tag_on_failure"] == [mt4_fields.PARSE_FAILURE_TAG]
    assert options["remove_tag"] == ["_timestampparsefailure"]
    keep = by_id(config, "mt4_bad_timestamp_keep")
    assert keep.plugin.options["add_field"] == {"[error][message]": "unparseable @timestamp: %{[_@timestamp]}"}
    assert keep.guards[-1] == "[_@timestamp] and ![error][message]"
    assert by_id(config, "mt4_bad_timestamp_remove").plugin.options["remove_field"] == ["[_@timestamp]"]


def test_decode_failures_are_tagged_for_the_parse_failure_dataset() -> None:
    flag = by_id(parsed(), "mt4_flag_decode_failure")
    assert flag.guards == ('"_jsonparsefailure" in [tags] or "_tagsparsefailure" in [tags]',)
    assert flag.plugin.options["add_tag"] == [mt4_fields.PARSE_FAILURE_TAG]


def test_failed_redaction_is_quarantined_and_only_a_failed_quarantine_drops() -> None:
    config = parsed()
    assert by_id(config, "mt4_redact_sensitive").plugin.options["tag_on_exception"] == REDACTION_FAILURE_TAG
    quarantine = by_id(config, "mt4_quarantine_unredactable")
    assert quarantine.guards == (f'"{REDACTION_FAILURE_TAG}" in [tags]',)
    assert quarantine.plugin.options["tag_on_exception"] == QUARANTINE_FAILURE_TAG
    drops = plugins_named(config, "drop")
    assert [use.guards for use in drops] == [(f'"{QUARANTINE_FAILURE_TAG}" in [tags]',)]


def test_sensitive_keys_are_lowercased_sorted_and_deduplicated() -> None:
    first = render_mt4_pipeline(Mt4PipelineOptions(sensitive_keys=("Token", "password", "PASSWORD")))
    second = render_mt4_pipeline(Mt4PipelineOptions(sensitive_keys=("password", "token")))
    assert first == second
    assert "@sensitive = ['password', 'token'].freeze" in first


def test_rendering_is_deterministic() -> None:
    assert render_mt4_pipeline(Mt4PipelineOptions()) == render_mt4_pipeline(Mt4PipelineOptions())


def test_pipeline_output_fields_are_in_the_field_catalogue() -> None:
    catalogue = set(mt4_fields.EVENT_FIELDS) | set(mt4_fields.PIPELINE_FIELDS)
    assert pipeline_output_fields() - catalogue == set()
    assert pipeline_tags() == {mt4_fields.PARSE_FAILURE_TAG, REDACTION_FAILURE_TAG}


def _dotted(reference: str) -> str:
    """``[event][dataset]`` -> ``event.dataset``; ``spread`` -> ``spread``."""
    parts = re.findall(r"\[([^\]]+)\]", reference)
    return ".".join(parts) if parts else reference


def written_fields(config: Config) -> set[str]:
    """Indexed fields the config writes: add_field/replace/rename/copy targets, date targets,
    tags, and every ``event.set('<literal path>', ...)`` in the embedded Ruby (``@metadata``
    excluded; redaction's ``event.set('[' + key + ']', ...)`` only rewrites fields the client sent)."""
    fields: set[str] = set()
    for use in iter_plugins(config):
        options = use.plugin.options
        for option in ("add_field", "replace", "copy"):
            fields |= {_dotted(key) for key in options.get(option, {})}
        fields |= {_dotted(target) for target in options.get("rename", {}).values()}
        if use.plugin.name == "date":
            fields.add(_dotted(options.get("target", "@timestamp")))
        if "add_tag" in options or "tag_on_failure" in options:
            fields.add("tags")
        for key in ("init", "code"):
            fields |= {_dotted(ref) for ref in re.findall(r"event\.set\('([^']+)',", str(options.get(key, "")))}
    return {field for field in fields if not field.startswith("@metadata")}


def test_pipeline_output_fields_cover_everything_the_config_writes() -> None:
    written = written_fields(parsed())
    assert {"event.dataset", "event.ingested", "spread", "level", "logger", "error.message"} <= written
    assert written <= pipeline_output_fields()


@pytest.mark.parametrize(
    "overrides",
    [
        {"elasticsearch_hosts": ("http://elasticsearch:9200",)},
        {"elasticsearch_hosts": ()},
        {"tcp_port": 5044, "beats_port": 5044},
        {"tcp_port": 0},
        {"writer_password_env": "lower_case"},
        {"writer_password_env": "X:default"},
        {"writer_user": 'a"b'},
        {"tls_key_path": "relative/key.pem"},
        {"tls_certificate_path": "/certs/${HOME}/x.crt"},
        {"sensitive_keys": ()},
        {"sensitive_keys": ("pass'word",)},
        {"json_line_max_bytes": 10},
    ],
)
def test_invalid_options_are_rejected(overrides: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        Mt4PipelineOptions(**overrides)  # type: ignore[arg-type]
