"""logstash.yml / pipelines.yml: parsed YAML, every key documented for 8.19, values from options."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from components.render.logstash_yml import (
    DEFAULT_PIPELINE_PATH,
    LogstashYmlOptions,
    PipelineSpec,
    render_logstash_yml,
    render_pipelines_yml,
)

CONTRACT = json.loads((Path(__file__).parents[1] / "contracts" / "logstash_yml_settings_8.19.json").read_text())

VARIANTS = [
    LogstashYmlOptions(),
    LogstashYmlOptions(queue_type="memory", dead_letter_queue_enable=False, log_format="plain", log_level="debug"),
    LogstashYmlOptions(node_name="ls-2", pipeline_workers=8, pipeline_batch_size=500, pipeline_batch_delay_ms=0),
]


def parsed(options: LogstashYmlOptions) -> dict[str, object]:
    return yaml.safe_load(render_logstash_yml(options))


@pytest.mark.parametrize("options", VARIANTS)
def test_every_key_is_a_documented_8_19_setting_with_an_allowed_value(options: LogstashYmlOptions) -> None:
    settings = parsed(options)
    assert set(settings) <= set(CONTRACT["settings"]), sorted(set(settings) - set(CONTRACT["settings"]))
    assert not set(settings) & set(CONTRACT["deprecated_settings"])
    for key, allowed in CONTRACT["allowed_values"].items():
        if key in settings:
            assert settings[key] in allowed, key


def test_default_settings() -> None:
    assert parsed(LogstashYmlOptions()) == {
        "node.name": "logstash",
        "path.data": "/usr/share/logstash/data",
        "api.enabled": True,
        "api.http.host": "0.0.0.0",
        "api.http.port": 9600,
        "pipeline.ecs_compatibility": "v8",
        "pipeline.workers": 2,
        "pipeline.batch.size": 125,
        "pipeline.batch.delay": 50,
        "queue.type": "persisted",
        "queue.max_bytes": "1gb",
        "dead_letter_queue.enable": True,
        "dead_letter_queue.max_bytes": "1gb",
        "config.reload.automatic": False,
        "log.level": "info",
        "log.format": "json",
        "xpack.monitoring.enabled": False,
    }


def test_options_reach_their_settings() -> None:
    settings = parsed(
        LogstashYmlOptions(
            node_name="ls-2",
            api_http_port=9700,
            pipeline_workers=8,
            pipeline_batch_size=500,
            pipeline_batch_delay_ms=5,
            queue_max_bytes="4gb",
            dead_letter_queue_max_bytes="512mb",
            path_data="/data/logstash",
            log_level="warn",
        )
    )
    assert settings["node.name"] == "ls-2"
    assert settings["api.http.port"] == 9700
    assert (settings["pipeline.workers"], settings["pipeline.batch.size"], settings["pipeline.batch.delay"]) == (8, 500, 5)
    assert (settings["queue.max_bytes"], settings["dead_letter_queue.max_bytes"]) == ("4gb", "512mb")
    assert (settings["path.data"], settings["log.level"]) == ("/data/logstash", "warn")


def test_size_caps_are_written_only_when_their_feature_is_on() -> None:
    settings = parsed(LogstashYmlOptions(queue_type="memory", dead_letter_queue_enable=False))
    assert settings["queue.type"] == "memory"
    assert settings["dead_letter_queue.enable"] is False
    assert "queue.max_bytes" not in settings
    assert "dead_letter_queue.max_bytes" not in settings


def test_text_is_deterministic_and_starts_with_a_header() -> None:
    text = render_logstash_yml(LogstashYmlOptions())
    assert text == render_logstash_yml(LogstashYmlOptions())
    assert text.startswith("# Rendered by elk-stack")
    assert "http.host" not in text.replace("api.http.host", "")


@pytest.mark.parametrize(
    "overrides",
    [
        {"queue_max_bytes": "1 GB"},
        {"queue_max_bytes": "0gb"},
        {"dead_letter_queue_max_bytes": "lots"},
        {"pipeline_workers": 0},
        {"pipeline_batch_size": 0},
        {"pipeline_batch_delay_ms": -1},
        {"api_http_port": 70000},
        {"path_data": "data"},
        {"node_name": "${NODE}"},
    ],
)
def test_invalid_logstash_yml_options_are_rejected(overrides: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        LogstashYmlOptions(**overrides)  # type: ignore[arg-type]


def test_pipelines_yml_lists_pipelines_sorted_with_only_their_set_keys() -> None:
    text = render_pipelines_yml(
        [
            PipelineSpec(pipeline_id="mt4"),
            PipelineSpec(
                pipeline_id="audit",
                path_config="/usr/share/logstash/pipeline/audit.conf",
                workers=1,
                batch_size=50,
                queue_type="memory",
                queue_max_bytes="256mb",
            ),
        ]
    )
    entries = yaml.safe_load(text)
    assert entries == [
        {
            "pipeline.id": "audit",
            "path.config": "/usr/share/logstash/pipeline/audit.conf",
            "pipeline.workers": 1,
            "pipeline.batch.size": 50,
            "queue.type": "memory",
            "queue.max_bytes": "256mb",
        },
        {"pipeline.id": "mt4", "path.config": DEFAULT_PIPELINE_PATH},
    ]
    allowed = set(CONTRACT["pipelines_yml"]["settings"])
    for entry in entries:
        assert set(entry) <= allowed
        assert set(entry) <= set(CONTRACT["settings"])


def test_default_pipeline_points_at_the_mt4_file_not_the_image_directory() -> None:
    (entry,) = yaml.safe_load(render_pipelines_yml([PipelineSpec()]))
    assert entry["path.config"] == "/usr/share/logstash/pipeline/mt4.conf"


@pytest.mark.parametrize(
    "pipelines",
    [
        [],
        [PipelineSpec(), PipelineSpec()],
    ],
)
def test_invalid_pipeline_lists_are_rejected(pipelines: list[PipelineSpec]) -> None:
    with pytest.raises(ValueError):
        render_pipelines_yml(pipelines)


@pytest.mark.parametrize(
    "overrides",
    [{"pipeline_id": "bad id"}, {"pipeline_id": ""}, {"path_config": "pipeline/mt4.conf"}, {"workers": 0}, {"queue_max_bytes": "1"}],
)
def test_invalid_pipeline_specs_are_rejected(overrides: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        PipelineSpec(**overrides)  # type: ignore[arg-type]
