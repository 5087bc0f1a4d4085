"""logstash-persistent-queue: the persisted queue and the dead letter queue, each on a volume.

Each check passes the real stacks and fails on one edit of them (the pack's own input model).
"""

from __future__ import annotations

from policy.guardrails import rules_cluster as rules
from tests.policy.stacks import edit, messages, replace_in_upload, stack

YML = "logstash.yml"
FIRST = "elk-logstash-container"


def _unmount(target: str):  # type: ignore[no-untyped-def]
    def change(props: dict) -> None:
        props["mounts"] = [m for m in props["mounts"] if m["target"] != target]
    return change


def test_both_stacks_pass() -> None:
    assert messages(rules.logstash_persistent_queue(stack("prod"), "prod")) == []
    assert messages(rules.logstash_persistent_queue(stack("dev"), "dev")) == []


def test_a_queue_without_its_volume_is_caught() -> None:
    unmounted = edit(stack("prod"), FIRST, _unmount("/var/lib/logstash/queue"))
    assert messages(rules.logstash_persistent_queue(unmounted, "prod")) == [
        "the persisted queue (/var/lib/logstash/queue) is on no volume: a new container starts empty",
    ]


def test_a_dead_letter_queue_off_or_without_its_volume_is_caught() -> None:
    off = replace_in_upload(stack("prod"), FIRST, YML, "dead_letter_queue.enable: true", "dead_letter_queue.enable: false")
    assert messages(rules.logstash_persistent_queue(off, "prod")) == ["dead_letter_queue.enable is not true: rejected events are dropped"]
    unmounted = edit(stack("prod"), FIRST, _unmount("/var/lib/logstash/dead_letter_queue"))
    assert messages(rules.logstash_persistent_queue(unmounted, "prod")) == [
        "the dead letter queue is on no volume: a new container starts empty",
    ]


def test_default_paths_count_as_under_the_data_volume() -> None:
    """Without path.queue / path.dead_letter_queue, Logstash uses <path.data>/queue and
    <path.data>/dead_letter_queue (logstash-core environment.rb), which the data volume holds."""
    resources = stack("prod")
    for old in ("path.queue: /var/lib/logstash/queue\n", "path.dead_letter_queue: /var/lib/logstash/dead_letter_queue\n"):
        resources = replace_in_upload(resources, FIRST, YML, old, "")
    assert messages(rules.logstash_persistent_queue(resources, "prod")) == []
