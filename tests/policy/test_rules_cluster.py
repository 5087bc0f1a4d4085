"""Each cluster guardrail passes the real stacks and fails on one edit of them."""

from __future__ import annotations

import dataclasses
import json

from policy.guardrails import rules_cluster as rules
from policy.guardrails.model import UNKNOWN, Resource
from tests.policy.stacks import edit, messages, replace_in_upload, set_env, stack

ES = "elasticsearch.yml"


def test_data_volumes_protected_pass_and_fail() -> None:
    assert messages(rules.data_volumes_protected(stack("prod"), "prod")) == []
    # es01 data, backup, Logstash data, queue and dead letter queue, Filebeat's registry
    assert messages(rules.data_volumes_protected(stack("dev"), "dev")) == ["volume not protected"] * 7
    resources = stack("prod")
    not_retained = [dataclasses.replace(r, retain_on_delete=False) if r.name == "elk-es-backup" else r for r in resources]
    assert messages(rules.data_volumes_protected(not_retained, "prod")) == ["volume protected but not retain_on_delete"]
    # a source that does not say (pulumi-policy) is judged on protect alone
    unsaid = [dataclasses.replace(r, retain_on_delete=None) for r in resources]
    assert messages(rules.data_volumes_protected(unsaid, "prod")) == []
    # a secret-file volume is no data: kept on destroy it would leave private keys on the host
    kept = [dataclasses.replace(r, protect=True) if r.name == "elk-kibana-secret-files-volume" else r for r in resources]
    assert messages(rules.data_volumes_protected(kept, "prod")) == ["secret-file volume kept on destroy"]


def test_odd_masters_pass_and_fail() -> None:
    assert messages(rules.odd_masters_at_least_three(stack("prod"), "prod")) == []
    assert messages(rules.odd_masters_at_least_three(stack("dev"), "dev")) == [
        "1 master-eligible node(s) (elk-es-es01): need an odd number >= 3"
    ]
    two = replace_in_upload(stack("prod"), "elk-es-es03", ES, "- ingest\n- master\n", "- ingest\n")
    assert messages(rules.odd_masters_at_least_three(two, "prod")) == [
        "2 master-eligible node(s) (elk-es-es01, elk-es-es02): need an odd number >= 3"
    ]


def test_odd_masters_skipped_when_a_config_is_unknown() -> None:
    unknown = edit(stack("prod"), "elk-es-es02", lambda p: [u.update(content=UNKNOWN) for u in p["uploads"] if u["file"].endswith(ES)])
    found = rules.odd_masters_at_least_three(unknown, "prod")
    assert found.violations == [] and found.skipped


def test_snapshots_configured_pass_and_fail() -> None:
    assert messages(rules.snapshots_configured(stack("prod"), "prod")) == []
    assert messages(rules.snapshots_configured(stack("dev"), "dev")) == []
    no_slm = [r for r in stack("prod") if r.name != "elk-indices-slm"]
    assert messages(rules.snapshots_configured(no_slm, "prod")) == ["no snapshot lifecycle (SLM) policy"]
    no_repo = [r for r in stack("prod") if r.name != "elk-indices-repository"]
    assert messages(rules.snapshots_configured(no_repo, "prod")) == [
        "no snapshot repository", "SLM policy writes to undeclared repository 'mt4_backup'"
    ]
    elsewhere = edit(stack("prod"), "elk-indices-repository", lambda p: p["fs"].update(location="/var/backups"))
    assert messages(rules.snapshots_configured(elsewhere, "prod")) == ["repository 'mt4_backup' at /var/backups is not under path.repo"]


def index_management(name: str) -> list[Resource]:
    """The stack without the Alerting component's template (it has no ILM yet: see test_registry)."""
    return [r for r in stack(name) if "elk:components:Alerting$" not in r.urn]


def test_ilm_on_every_template_pass_and_fail() -> None:
    assert messages(rules.ilm_on_every_template(index_management("prod"), "prod")) == []
    def drop_ilm(props: dict) -> None:
        settings = json.loads(props["template"]["settings"])
        settings.pop("index.lifecycle.name")
        props["template"]["settings"] = json.dumps(settings)
    without = edit(index_management("prod"), "elk-indices-template-logs", drop_ilm)
    assert messages(rules.ilm_on_every_template(without, "prod")) == ["template 'mt4-logs' has no index.lifecycle.name"]
    # the nested spelling in a composed component template counts too
    nested = edit(
        without, "elk-indices-component-settings", lambda p: p["template"].update(settings='{"index": {"lifecycle": {"name": "x"}}}')
    )
    assert messages(rules.ilm_on_every_template(nested, "prod")) == []


def test_kibana_encryption_keys_pass_and_fail() -> None:
    assert messages(rules.kibana_encryption_keys_set(stack("prod"), "prod")) == []
    short = edit(stack("prod"), "elk-kibana-container", set_env("KIBANA_SECURITY_ENCRYPTION_KEY", "too-short"))
    assert messages(rules.kibana_encryption_keys_set(short, "prod")) == (
        ["xpack.security.encryptionKey missing or shorter than 32 characters"]
    )
    missing = replace_in_upload(
        stack("prod"), "elk-kibana-container", "kibana.yml", "xpack.reporting.encryptionKey: ${KIBANA_REPORTING_ENCRYPTION_KEY}\n", ""
    )
    assert messages(rules.kibana_encryption_keys_set(missing, "prod")) == (
        ["xpack.reporting.encryptionKey missing or shorter than 32 characters"]
    )


def test_kibana_keys_unknown_at_preview_are_skipped() -> None:
    found = rules.kibana_encryption_keys_set(stack("prod", preview=True), "prod")
    assert found.violations == [] and len(found.skipped) == 3


def test_logstash_persistent_queue_pass_and_fail() -> None:
    assert messages(rules.logstash_persistent_queue(stack("prod"), "prod")) == []
    memory = replace_in_upload(stack("prod"), "elk-logstash-container", "logstash.yml", "queue.type: persisted", "queue.type: memory")
    assert messages(rules.logstash_persistent_queue(memory, "prod")) == ["queue.type is 'memory'"]


def _extra(type_: str, props: dict) -> Resource:
    return Resource(type=type_, name="extra", urn=f"urn:pulumi:prod::elk-stack::{type_}::extra", props=props, secret_paths=frozenset())


def test_license_fits_pass_and_fail() -> None:
    assert messages(rules.license_fits(stack("prod"), "prod")) == []
    index_connector = _extra("pulumi-python:dynamic:Resource", {"connector_type_id": ".index"})
    assert messages(rules.license_fits([*stack("prod"), index_connector], "prod")) == []
    email = _extra("pulumi-python:dynamic:Resource", {"connector_type_id": ".email"})
    assert messages(rules.license_fits([*stack("prod"), email], "prod")) == ["connector .email needs Gold or better; this stack runs Basic"]
    in_body = _extra("pulumi-python:dynamic:Resource", {"body": json.dumps({"actions": [{"actionTypeId": ".slack"}]})})
    assert messages(rules.license_fits([*stack("prod"), in_body], "prod")) == (
        ["connector .slack needs Gold or better; this stack runs Basic"]
    )
    watch = _extra("elasticstack:index/watch:Watch", {"watchId": "w"})
    assert messages(rules.license_fits([*stack("prod"), watch], "prod")) == (
        ["Watcher needs a Gold license or better; this stack runs Basic"]
    )
    trial = replace_in_upload(stack("prod"), "elk-es-es01", ES, "self_generated.type: basic", "self_generated.type: trial")
    trial = [r for r in trial if not r.name.startswith(("elk-es-es02", "elk-es-es03"))]
    assert messages(rules.license_fits([*trial, email, watch], "prod")) == []
