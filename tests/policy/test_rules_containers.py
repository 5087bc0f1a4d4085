"""Each container guardrail passes the real stacks and fails on one edit of them."""

from __future__ import annotations

from policy.guardrails import rules_containers as rules
from policy.guardrails.model import UNKNOWN
from tests.policy.stacks import edit, messages, replace_in_upload, set_env, set_upload, stack

ES = "elasticsearch.yml"


def test_pinned_images_pass_and_fail() -> None:
    assert messages(rules.pinned_image_versions(stack("prod"), "prod")) == []
    latest = edit(stack("prod"), "elk-docker-elk1-kibana-image", lambda p: p.update(name="docker.elastic.co/kibana/kibana:latest"))
    assert messages(rules.pinned_image_versions(latest, "prod")) == (
        ["image 'docker.elastic.co/kibana/kibana:latest' is not pinned to an exact version"]
    )
    mixed = edit(stack("prod"), "elk-docker-elk1-kibana-image", lambda p: p.update(name="docker.elastic.co/kibana/kibana:8.19.24"))
    assert "Elastic images run different versions" in messages(rules.pinned_image_versions(mixed, "prod"))[0]
    unknown = edit(stack("prod"), "elk-docker-elk1-kibana-image", lambda p: p.update(name=UNKNOWN))
    found = rules.pinned_image_versions(unknown, "prod")
    assert found.violations == [] and len(found.skipped) == 1


def test_security_enabled_pass_and_fail() -> None:
    assert messages(rules.security_enabled(stack("dev"), "dev")) == []
    off = replace_in_upload(stack("prod"), "elk-es-es02", ES, "xpack.security.enabled: true", "xpack.security.enabled: false")
    found = rules.security_enabled(off, "prod")
    assert [v.urn.rsplit("::", 1)[1] for v in found.violations] == ["elk-es-es02"]


def test_tls_on_every_listener_pass_and_fail() -> None:
    assert messages(rules.tls_on_every_listener(stack("prod"), "prod")) == []
    # dev serves Kibana and Logstash without TLS, but only on 127.0.0.1
    assert messages(rules.tls_on_every_listener(stack("dev"), "dev")) == []
    es = replace_in_upload(
        stack("prod"), "elk-es-es01", ES, "xpack.security.http.ssl.enabled: true", "xpack.security.http.ssl.enabled: false"
    )
    assert messages(rules.tls_on_every_listener(es, "prod")) == ["Elasticsearch http layer without TLS"]
    kibana = replace_in_upload(stack("prod"), "elk-kibana-container", "kibana.yml", "server.ssl.enabled: true", "server.ssl.enabled: false")
    assert messages(rules.tls_on_every_listener(kibana, "prod")) == ["Kibana published beyond loopback on 5601 without TLS"]
    logstash = stack("prod")
    text = next(
        u["content"] for r in logstash if r.name == "elk-logstash-container" for u in r.props["uploads"] if u["file"].endswith("mt4.conf")
    )
    first = text.index("ssl_enabled => true")
    plain_tcp = edit(logstash, "elk-logstash-container", set_upload("mt4.conf", text[:first] + "ssl_enabled => false" + text[first + 19:]))
    assert messages(rules.tls_on_every_listener(plain_tcp, "prod")) == ["Logstash tcp input on 5000 published beyond loopback without TLS"]
    exposed_dev = edit(stack("dev"), "elk-kibana-container", lambda p: p["ports"][0].update(ip="0.0.0.0"))
    assert messages(rules.tls_on_every_listener(exposed_dev, "dev")) == ["Kibana published beyond loopback on 5601 without TLS"]


def test_memory_limit_pass_and_fail() -> None:
    # the one-shot backup-permissions container has no limit and need not
    assert messages(rules.memory_limit_on_every_container(stack("prod"), "prod")) == []
    unlimited = edit(stack("prod"), "elk-kibana-container", lambda p: p.pop("memory"))
    assert messages(rules.memory_limit_on_every_container(unlimited, "prod")) == ["long-running container without a memory limit"]
    service = edit(stack("prod"), "elk-es-backup-permissions", lambda p: p.update(mustRun=True))
    assert len(rules.memory_limit_on_every_container(service, "prod").violations) == 1


def test_heap_at_most_half_memory_pass_and_fail() -> None:
    assert messages(rules.heap_at_most_half_memory(stack("prod"), "prod")) == []
    assert messages(rules.heap_at_most_half_memory(stack("dev"), "dev")) == []
    es = edit(stack("prod"), "elk-es-es01", set_upload("heap.options", "-Xms6g\n-Xmx6g\n"))
    assert messages(rules.heap_at_most_half_memory(es, "prod")) == ["elasticsearch: heap 6144 MiB is more than half of 8192 MiB"]
    ls = edit(stack("prod"), "elk-logstash-container", set_env("LS_JAVA_OPTS", "-Xms3g -Xmx3g"))
    assert messages(rules.heap_at_most_half_memory(ls, "prod")) == ["logstash: heap 3072 MiB is more than half of 4096 MiB"]
    kibana = edit(stack("prod"), "elk-kibana-container", set_env("NODE_OPTIONS", "--max-old-space-size=1500"))
    assert messages(rules.heap_at_most_half_memory(kibana, "prod")) == ["kibana: heap 1500 MiB is more than half of 2048 MiB"]
    unset = edit(stack("prod"), "elk-kibana-container", set_env("NODE_OPTIONS", "--no-warnings"))
    assert messages(rules.heap_at_most_half_memory(unset, "prod")) == ["kibana: no explicit heap size"]


def test_heap_unknown_at_preview_is_skipped_not_failed() -> None:
    """In a preview the Kibana and Logstash env lists wait on generated passwords: unknown."""
    found = rules.heap_at_most_half_memory(stack("prod", preview=True), "prod")
    assert found.violations == []
    assert sorted(s.rsplit("::", 1)[1].split(":")[0] for s in found.skipped) == [
        "elk-kibana-container", "elk-logstash-container", "elk-logstash-logstash2-container",
    ]


def test_ports_on_loopback_in_dev_pass_and_fail() -> None:
    assert messages(rules.ports_on_loopback_in_dev(stack("dev"), "dev")) == []
    # prod publishes on 0.0.0.0 on purpose; the rule is about dev
    assert messages(rules.ports_on_loopback_in_dev(stack("prod"), "prod")) == []
    exposed = edit(stack("dev"), "elk-es-es01", lambda p: p["ports"][0].update(ip="0.0.0.0"))
    assert messages(rules.ports_on_loopback_in_dev(exposed, "dev")) == ["port 9200 published on 0.0.0.0"]
    every = edit(stack("dev"), "elk-es-es01", lambda p: p["ports"][0].pop("ip"))
    assert messages(rules.ports_on_loopback_in_dev(every, "dev")) == ["port 9200 published on every interface"]


def test_no_secret_in_plain_input_pass_and_fail() -> None:
    assert messages(rules.no_secret_in_plain_input(stack("prod"), "prod")) == []
    resources = stack("prod")
    kibana = next(r for r in resources if r.name == "elk-kibana-container")
    plain_envs = edit(resources, kibana.name, lambda p: None, secret_paths=kibana.secret_paths - {"envs"})
    assert messages(rules.no_secret_in_plain_input(plain_envs, "prod")) == [
        f"envs[{i}] holds a secret but is not a secret input" for i in (1, 2, 3, 4)
    ]
    es = next(r for r in resources if r.name == "elk-es-es01-secret-files")
    key = next(p for p in es.secret_paths if p.startswith("uploads["))
    plain_key = edit(resources, es.name, lambda p: None, secret_paths=es.secret_paths - {key})
    assert messages(rules.no_secret_in_plain_input(plain_key, "prod")) == [f"{key} holds a secret but is not a secret input"]
    user = next(r for r in resources if r.name == "elk-access-user-mt4-analyst")
    plain_password = edit(resources, user.name, lambda p: None, secret_paths=frozenset())
    assert messages(rules.no_secret_in_plain_input(plain_password, "prod")) == ["password holds a secret but is not a secret input"]


def test_no_secret_rule_skips_when_the_source_cannot_tell() -> None:
    resources = [r.__class__(**{**r.__dict__, "secret_paths": None}) for r in stack("prod")]
    found = rules.no_secret_in_plain_input(resources, "prod")
    assert found.violations == [] and len(found.skipped) == len(resources)


def test_healthcheck_on_every_service_pass_and_fail() -> None:
    assert messages(rules.healthcheck_on_every_service(stack("prod"), "prod")) == []
    none = edit(stack("prod"), "elk-logstash-container", lambda p: p.pop("healthcheck"))
    assert messages(rules.healthcheck_on_every_service(none, "prod")) == ["long-running container without a healthcheck"]
    nowait = edit(stack("prod"), "elk-logstash-container", lambda p: p.update(wait=False))
    assert messages(rules.healthcheck_on_every_service(nowait, "prod")) == ["healthcheck not waited for (wait is not true)"]
