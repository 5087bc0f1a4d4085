"""Logstash instances in the whole program under mocks: where each runs, its three volumes and
their protection, the files that point Logstash at them, the helpers that hand them over, the
ports, and the replay pipeline.

Proof limit: what the engine would be asked to create (types, inputs, options, order); not that
Docker or Logstash accept it (no Docker, no Logstash here).
"""

from __future__ import annotations

import pytest
import yaml

from components.render import logstash_dlq_replay as replay
from components.render.logstash_yml import DEFAULT_PATH_DATA, DEFAULT_PATH_DEAD_LETTER_QUEUE, DEFAULT_PATH_QUEUE
from tests.conftest import cached_run
from tests.program import Registration, Run, run_program
from tests.render.logstash_config_parser import iter_plugins, parse_config

CONTAINER = "docker:index/container:Container"
VOLUME = "docker:index/volume:Volume"
#: Component resource prefix per instance (the first keeps the single Logstash's names).
PREFIX = {"logstash": "elk-logstash", "logstash2": "elk-logstash-logstash2"}


def role(r: Registration) -> str | None:
    return next((lbl["value"] for lbl in r.inputs.get("labels", []) if lbl["label"] == "role"), None)


def instances(run: Run) -> dict[str, Registration]:
    return {r.inputs["hostname"]: r for r in run.of_type(CONTAINER) if role(r) == "logstash"}


def uploaded(r: Registration, path: str) -> str:
    [u] = [u for u in r.inputs["uploads"] if u["file"] == path]
    return u["content"]


def volume_mounts(r: Registration) -> dict[str, str]:
    return {m["target"]: m["source"] for m in r.inputs["mounts"] if m["type"] == "volume" and not m.get("readOnly")}


def test_prod_runs_two_instances_on_the_two_hosts_the_stack_file_names() -> None:
    run = cached_run("prod")
    found = instances(run)
    assert sorted(found) == ["logstash", "logstash2"]
    assert found["logstash"].inputs["name"] == "mt4-prod-logstash" and found["logstash2"].inputs["name"] == "mt4-prod-logstash2"
    assert found["logstash"].provider.split("::")[-1].startswith("elk-docker-elk2")
    assert found["logstash2"].provider.split("::")[-1].startswith("elk-docker-elk3")


def test_dev_keeps_one_instance_with_the_names_it_always_had() -> None:
    found = instances(cached_run("dev"))
    assert list(found) == ["logstash"]
    assert found["logstash"].inputs["name"] == "mt4-dev-logstash"


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_each_instance_has_data_queue_and_dlq_volumes_of_its_own_where_logstash_yml_points(stack: str) -> None:
    run = cached_run(stack)
    seen: set[str] = set()
    for name, container in instances(run).items():
        mounts = volume_mounts(container)
        cluster = container.inputs["name"]
        assert mounts == {DEFAULT_PATH_DATA: f"{cluster}-data", DEFAULT_PATH_QUEUE: f"{cluster}-queue",
                          DEFAULT_PATH_DEAD_LETTER_QUEUE: f"{cluster}-dlq"}, name
        assert not seen & set(mounts.values()), "no volume is shared between instances"
        seen |= set(mounts.values())
        settings = yaml.safe_load(uploaded(container, "/usr/share/logstash/config/logstash.yml"))
        assert (settings["path.data"], settings["path.queue"], settings["path.dead_letter_queue"]) == (
            DEFAULT_PATH_DATA, DEFAULT_PATH_QUEUE, DEFAULT_PATH_DEAD_LETTER_QUEUE)
        assert settings["queue.type"] == "persisted" and settings["dead_letter_queue.enable"] is True
        assert settings["node.name"] == cluster


def test_prod_protects_and_retains_every_logstash_volume_and_dev_does_not() -> None:
    for stack, kept in (("prod", True), ("dev", False)):
        run = cached_run(stack)
        volumes = [v for v in run.of_type(VOLUME) if v.name.startswith("elk-logstash") and "secret-files" not in v.name]
        assert len(volumes) == 3 * len(instances(run))
        for v in volumes:
            assert (v.protect, v.retain_on_delete) == (kept, kept), (stack, v.name)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_a_root_helper_hands_each_queue_volume_to_logstash_before_it_starts(stack: str) -> None:
    run = cached_run(stack)
    for name, container in instances(run).items():
        prefix = PREFIX[name]
        for key, target in (("queue", DEFAULT_PATH_QUEUE), ("dlq", DEFAULT_PATH_DEAD_LETTER_QUEUE)):
            helper = run.named(f"{prefix}-{key}-permissions")
            assert helper.inputs["user"] == "0:0" and role(helper) == "volume-permissions"
            assert helper.inputs["command"] == [f"chown 1000:1000 {target} && chmod 0750 {target}"]
            assert [(m["source"], m["target"]) for m in helper.inputs["mounts"]] == [(volume_mounts(container)[target], target)]
            assert helper.provider == container.provider, "on the instance's own host"
            assert helper.urn in container.dependencies


def test_inputs_listen_on_the_shared_ports_and_each_instance_publishes_its_own() -> None:
    run = run_program("dev", overrides={"logstash": {
        "heap": "512m", "memory": "1g", "instances": [{}, {"tcp_port": 5001, "beats_port": 5045}]}})
    found = instances(run)
    published = {name: sorted((p["internal"], p["external"]) for p in r.inputs["ports"]) for name, r in found.items()}
    assert published == {"logstash": [(5000, 5000), (5044, 5044)], "logstash2": [(5000, 5001), (5044, 5045)]}
    conf = {name: uploaded(r, "/usr/share/logstash/pipeline/mt4.conf") for name, r in found.items()}
    assert conf["logstash"] == conf["logstash2"], "one pipeline for every instance"


def test_the_replay_pipeline_runs_only_when_asked_and_reads_the_instance_dlq_volume() -> None:
    default = instances(cached_run("dev"))["logstash"]
    assert [e["pipeline.id"] for e in yaml.safe_load(uploaded(default, "/usr/share/logstash/config/pipelines.yml"))] == ["mt4"]
    assert not any(u["file"] == replay.REPLAY_PIPELINE_PATH for u in default.inputs["uploads"])
    run = run_program("dev", overrides={"logstash": {"heap": "512m", "memory": "1g", "dead_letter_queue_replay": True}})
    ls = instances(run)["logstash"]
    pipelines = yaml.safe_load(uploaded(ls, "/usr/share/logstash/config/pipelines.yml"))
    assert pipelines == [
        {"pipeline.id": "mt4", "path.config": "/usr/share/logstash/pipeline/mt4.conf"},
        {"pipeline.id": "mt4_dlq_replay", "path.config": "/usr/share/logstash/pipeline/mt4_dlq_replay.conf"},
    ]
    conf = parse_config(uploaded(ls, replay.REPLAY_PIPELINE_PATH))
    [dlq] = [u.plugin for u in iter_plugins(conf) if u.section == "input"]
    assert dlq.options["path"] == DEFAULT_PATH_DEAD_LETTER_QUEUE in volume_mounts(ls)
    [out] = [u.plugin for u in iter_plugins(conf) if u.section == "output"]
    assert out.options["password"] == "${MT4_WRITER_PASSWORD}", "the same writer, from the same env value"
    assert default.inputs["labels"] != ls.inputs["labels"], "the config hash changes, so the container is replaced"


@pytest.mark.parametrize("change", [
    {"dead_letter_queue": False},
    {"queue_type": "memory", "queue_max_bytes": None},
], ids=["no dead letter queue", "memory queue"])
def test_a_prod_stack_that_would_lose_events_is_refused_before_any_resource(change: dict[str, object]) -> None:
    import copy

    from components.settings.problems import SettingsError
    from tests.program import stack_config

    logstash = copy.deepcopy(stack_config("prod")["elk-stack:logstash"])
    logstash.update(change)
    logstash = {k: v for k, v in logstash.items() if v is not None}
    with pytest.raises(SettingsError, match="accept_losing_queued_events: true to accept that loss explicitly"):
        run_program("prod", overrides={"logstash": logstash})


def test_the_endpoint_outputs_name_the_first_instance_on_its_host_and_published_ports() -> None:
    prod = cached_run("prod").stack_outputs_raw
    assert prod["logstash_tcp_endpoint"] == {"host": "10.0.1.12", "port": 5000, "tls": True}, "logstash runs on elk2"
    assert prod["logstash_beats_endpoint"] == {"host": "10.0.1.12", "port": 5044, "tls": True}
    dev = run_program("dev", overrides={"logstash": {"heap": "512m", "memory": "1g", "instances": [{"tcp_port": 6000}]}})
    assert dev.stack_outputs_raw["logstash_tcp_endpoint"] == {"host": "localhost", "port": 6000, "tls": False}
