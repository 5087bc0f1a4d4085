"""The dead letter queue path: logstash.yml puts queue and DLQ on their own mounts, pipelines.yml
adds the replay pipeline, and the replay pipeline parses, uses only confirmed 8.19 plugin options
and re-sends each entry to its original stream with its original id.

Proof limit: parsed with the test's config-language parser and checked against the plugin option
lists in tests/contracts; no Logstash runs here, so Logstash accepting the files is not proven.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from components.render import logstash_dlq_replay as replay
from components.render.logstash_pipeline import Mt4PipelineOptions, render_mt4_pipeline
from components.render.logstash_yml import (
    DEFAULT_PATH_DEAD_LETTER_QUEUE,
    DEFAULT_PATH_QUEUE,
    LogstashYmlOptions,
    PipelineSpec,
    render_logstash_yml,
    render_pipelines_yml,
)
from tests.render.logstash_config_parser import Bareword, Branch, Plugin, iter_plugins, parse_config

CONTRACTS = Path(__file__).parents[1] / "contracts"
PLUGINS = json.loads((CONTRACTS / "logstash_plugins_8.19.json").read_text())
YML = json.loads((CONTRACTS / "logstash_yml_settings_8.19.json").read_text())
OPTIONS = Mt4PipelineOptions(elasticsearch_hosts=("https://es01:9200", "https://es02:9200"), writer_user="mt4_logstash_writer",
                             writer_password_env="MT4_WRITER_PASSWORD")


def replay_config():  # type: ignore[no-untyped-def]
    return parse_config(replay.render_dlq_replay_pipeline(OPTIONS, dead_letter_queue_path=DEFAULT_PATH_DEAD_LETTER_QUEUE))


# -------------------------------------------------------------------------------- logstash.yml
def test_queue_and_dlq_paths_are_written_and_are_8_19_settings() -> None:
    settings = yaml.safe_load(render_logstash_yml(LogstashYmlOptions(
        path_queue=DEFAULT_PATH_QUEUE, path_dead_letter_queue=DEFAULT_PATH_DEAD_LETTER_QUEUE)))
    assert settings["path.queue"] == "/var/lib/logstash/queue"
    assert settings["path.dead_letter_queue"] == "/var/lib/logstash/dead_letter_queue"
    assert settings["path.data"] == "/usr/share/logstash/data"
    assert set(settings) <= set(YML["settings"])


def test_paths_are_left_out_when_not_given() -> None:
    settings = yaml.safe_load(render_logstash_yml(LogstashYmlOptions()))
    assert "path.queue" not in settings and "path.dead_letter_queue" not in settings


@pytest.mark.parametrize(("overrides", "message"), [
    ({"queue_type": "memory", "path_queue": DEFAULT_PATH_QUEUE}, "persisted queue only"),
    ({"dead_letter_queue_enable": False, "path_dead_letter_queue": DEFAULT_PATH_DEAD_LETTER_QUEUE}, "dead letter queue on"),
    ({"path_queue": "queue"}, "must be absolute"),
])
def test_a_path_that_would_do_nothing_or_resolve_elsewhere_is_refused(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        LogstashYmlOptions(**overrides)  # type: ignore[arg-type]


def test_pipelines_yml_lists_the_mt4_pipeline_and_the_replay() -> None:
    entries = yaml.safe_load(render_pipelines_yml([
        PipelineSpec(pipeline_id="mt4"),
        PipelineSpec(pipeline_id=replay.REPLAY_PIPELINE_ID, path_config=replay.REPLAY_PIPELINE_PATH),
    ]))
    assert entries == [
        {"pipeline.id": "mt4", "path.config": "/usr/share/logstash/pipeline/mt4.conf"},
        {"pipeline.id": "mt4_dlq_replay", "path.config": "/usr/share/logstash/pipeline/mt4_dlq_replay.conf"},
    ]


# ----------------------------------------------------------------------------- replay pipeline
def test_every_plugin_option_of_the_replay_is_a_current_option_of_the_bundled_plugin() -> None:
    for use in iter_plugins(replay_config()):
        contract = PLUGINS[use.plugin.name]
        assert contract["type"] == use.section, use.plugin.name
        keys = set(use.plugin.options)
        assert keys <= set(contract["options"]), (use.plugin.name, sorted(keys - set(contract["options"])))
        assert not keys & set(contract["deprecated_options"])


def test_the_replay_reads_the_mt4_dead_letter_queue_and_commits_its_position() -> None:
    config = replay_config()
    (only_input,) = [u.plugin for u in iter_plugins(config) if u.section == "input"]
    assert only_input.name == "dead_letter_queue"
    assert only_input.options == {
        "id": "mt4_dlq_input", "path": "/var/lib/logstash/dead_letter_queue", "pipeline_id": "mt4",
        "commit_offsets": Bareword("true"),
    }


def test_the_replay_drops_the_dlq_marker_so_a_second_failure_is_kept_in_its_own_queue() -> None:
    (mark,) = [u.plugin for u in iter_plugins(replay_config()) if u.plugin.options.get("id") == "mt4_dlq_mark"]
    assert mark.options["remove_field"] == ["[@metadata][dead_letter_queue]"]
    assert mark.options["add_tag"] == ["_mt4_dlq_replayed"]
    config = replay_config()
    first = config.sections["filter"][0]
    assert isinstance(first, Plugin) and first.options.get("id") == "mt4_dlq_mark", "the marker goes before anything can fail"


def test_the_replay_writes_to_the_original_stream_with_the_original_id_like_the_mt4_output() -> None:
    replay_output = [u.plugin for u in iter_plugins(replay_config()) if u.section == "output"]
    mt4_output = [u.plugin for u in iter_plugins(parse_config(render_mt4_pipeline(OPTIONS))) if u.section == "output"]
    assert len(replay_output) == len(mt4_output) == 1
    ours, theirs = replay_output[0].options, mt4_output[0].options
    assert ours["id"] == "mt4_dlq_elasticsearch"
    assert {k: v for k, v in ours.items() if k != "id"} == {k: v for k, v in theirs.items() if k != "id"}
    assert (ours["index"], ours["document_id"], ours["action"]) == ("%{[@metadata][target]}", "%{[@metadata][document_id]}", "create")
    assert ours["hosts"] == ["https://es01:9200", "https://es02:9200"]


def test_an_entry_without_a_target_or_id_still_gets_both() -> None:
    branches = [node for node in replay_config().sections["filter"] if isinstance(node, Branch)]
    guarded = {arm[0]: [p.options["id"] for p in arm[1]] for b in branches for arm in b.arms}
    assert guarded == {"![@metadata][target]": ["mt4_dlq_target_fallback"],
                       "![@metadata][document_id]": ["mt4_dlq_document_id_fallback"]}


def test_plugin_ids_of_the_replay_do_not_collide_with_the_mt4_pipeline() -> None:
    ids = lambda text: [u.plugin.options["id"] for u in iter_plugins(parse_config(text))]  # noqa: E731
    replay_ids = ids(replay.render_dlq_replay_pipeline(OPTIONS, dead_letter_queue_path="/q"))
    assert len(replay_ids) == len(set(replay_ids))
    assert not set(replay_ids) & set(ids(render_mt4_pipeline(OPTIONS)))


def test_a_relative_or_unsafe_dlq_path_is_refused() -> None:
    for bad in ("dead_letter_queue", '/q"x'):
        with pytest.raises(ValueError):
            replay.render_dlq_replay_pipeline(OPTIONS, dead_letter_queue_path=bad)
