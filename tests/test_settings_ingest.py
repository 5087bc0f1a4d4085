"""Settings of the ingest path that must lose nothing: Logstash instances, the dead letter queue
on a protected stack, the failure store and the index mode of the mt4 data streams.

Each bad stack file is refused before any resource, with the exact line an operator reads.
"""

from __future__ import annotations

import pytest

from components.settings.model import LogstashInstance
from tests.test_settings_invalid import problems_for


def lines(stack: str, changes: dict[str, object]) -> list[str]:
    return [f"{p.key}: {p.message}" for p in problems_for(stack, changes).errors]


def settings_of(stack: str, changes: dict[str, object]):  # type: ignore[no-untyped-def]
    from components.settings.parse import parse_settings
    from components.settings.problems import Problems
    from tests.test_settings_invalid import put, stack_raw

    raw = stack_raw(stack)
    for path, value in changes.items():
        put(raw, path, value)
    problems = Problems(f"Pulumi.{stack}.yaml")
    settings = parse_settings(raw, problems, own_ca=False)
    assert problems.errors == []
    return settings


def test_a_stack_file_without_instances_runs_one_logstash_named_as_before() -> None:
    ls = settings_of("dev", {}).logstash
    assert ls.instances == (LogstashInstance(name="logstash", host="local", tcp_port=5000, beats_port=5044),)


def test_instances_take_host_and_ports_from_the_section_unless_they_set_their_own() -> None:
    ls = settings_of("dev", {"logstash.instances": [{}, {"tcp_port": 5001, "beats_port": 5045}]}).logstash
    assert [(i.name, i.host, i.tcp_port, i.beats_port) for i in ls.instances] == [
        ("logstash", "local", 5000, 5044),
        ("logstash2", "local", 5001, 5045),
    ]
    assert ls.instances[1].given == frozenset({"tcp_port", "beats_port"})


def test_two_instances_on_one_host_with_the_same_ports_are_refused() -> None:
    assert lines("dev", {"logstash.instances": [{}, {}]}) == [
        "logstash.instances[1].tcp_port: port 5000 on Docker host 'local' is already published by "
        "logstash.instances[0].tcp_port; each published port must be unique on a host",
        "logstash.instances[1].beats_port: port 5044 on Docker host 'local' is already published by "
        "logstash.instances[0].beats_port; each published port must be unique on a host",
    ]


def test_instance_names_must_be_unique_and_not_taken() -> None:
    changes = {"logstash.instances": [{"name": "ingest"}, {"name": "ingest", "tcp_port": 5001, "beats_port": 5045},
                                      {"name": "es01", "tcp_port": 5002, "beats_port": 5046}]}
    assert lines("dev", changes) == [
        "logstash.instances[1].name: 'ingest' names two Logstash instances; give each its own name",
        "logstash.instances[2].name: 'es01' is already the name of Elasticsearch node es01; containers are named "
        "<cluster_name>-<name>, so pick another",
    ]


def test_an_empty_instance_list_and_an_unknown_instance_key_are_refused() -> None:
    assert lines("dev", {"logstash.instances": []}) == ["logstash.instances: must list at least one Logstash instance"]
    found = lines("dev", {"logstash.instances": [{"nmae": "x"}]})
    assert len(found) == 1 and found[0].startswith("logstash.instances[0].nmae: unknown key (did you mean 'name'?)")


def test_the_api_port_is_refused_as_an_input_port() -> None:
    assert lines("dev", {"logstash.beats_port": 9600}) == [
        "logstash.beats_port: 9600 is used inside the container by the Logstash API; choose another port",
    ]


def test_a_protected_stack_without_the_dead_letter_queue_is_refused() -> None:
    assert lines("prod", {"logstash.dead_letter_queue": False}) == [
        "logstash.dead_letter_queue: false drops every event Elasticsearch rejects with 400 or 404 (logged, then gone), "
        "while this stack protects its data (volume_policy: retain). Keep dead_letter_queue: true, or set "
        "logstash.accept_losing_queued_events: true to accept that loss explicitly",
    ]


def test_the_loss_can_be_accepted_by_name() -> None:
    settings = settings_of("prod", {"logstash.dead_letter_queue": False, "logstash.accept_losing_queued_events": True})
    assert not settings.logstash.dead_letter_queue and settings.logstash.accept_losing_queued_events


def test_dev_may_run_without_the_dead_letter_queue() -> None:
    assert not settings_of("dev", {"logstash.dead_letter_queue": False}).logstash.dead_letter_queue


@pytest.mark.parametrize("mode", ["standard", "logsdb"])
def test_index_mode_reads(mode: str) -> None:
    assert settings_of("dev", {"index_management.index_mode": mode}).index_management.index_mode == mode


def test_index_mode_defaults_to_standard_and_failure_store_to_on() -> None:
    im = settings_of("dev", {}).index_management
    assert (im.index_mode, im.failure_store) == ("standard", True)


def test_a_bad_index_mode_and_a_non_boolean_failure_store_are_refused() -> None:
    found = lines("dev", {"index_management.index_mode": "time_series", "index_management.failure_store": "yes"})
    assert found[0] == "index_management.index_mode: 'time_series' is not allowed; use one of: standard, logsdb"
    assert found[1].startswith("index_management.failure_store: ")
    assert len(found) == 2


def test_instances_publish_their_own_ports_but_listen_on_the_shared_ones_which_must_differ() -> None:
    changes = {"logstash.beats_port": 5000,
               "logstash.instances": [{"tcp_port": 6000, "beats_port": 6044}, {"tcp_port": 6001, "beats_port": 6045}]}
    assert lines("dev", changes) == [
        "logstash.beats_port: 5000 is also logstash.tcp_port; both inputs listen in the same container, so give them "
        "different ports",
    ]


def test_an_instance_may_publish_the_api_port_number_on_its_host() -> None:
    """9600 is reserved inside the container only; the published host port is free to choose."""
    assert settings_of("dev", {"logstash.instances": [{"beats_port": 9600}]}).logstash.instances[0].beats_port == 9600


def test_the_replay_needs_a_dead_letter_queue() -> None:
    assert lines("dev", {"logstash.dead_letter_queue": False, "logstash.dead_letter_queue_replay": True}) == [
        "logstash.dead_letter_queue_replay: replays the dead letter queue, but dead_letter_queue is false, so there is none; "
        "remove it",
    ]
    assert settings_of("dev", {"logstash.dead_letter_queue_replay": True}).logstash.dead_letter_queue_replay
