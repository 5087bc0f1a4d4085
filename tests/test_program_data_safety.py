"""Data is sacred: volumes never change when anything else does; API objects go with the cluster.

Proof limit: compares the inputs the engine would diff; a volume whose inputs do not change is
never replaced by Pulumi, which is what keeps the data (PITFALLS: container inputs replace).
"""

from __future__ import annotations

import pytest

from tests.conftest import cached_run
from tests.program import Run, run_program, stack_config

VOLUME = "docker:index/volume:Volume"
PROD = stack_config("prod")

CHANGES = {
    "a new Elastic version": {"elastic_version": "8.19.20"},
    "a bigger heap": {"elasticsearch": {
        "allow_mmap": True,
        "nodes": [
            {"name": f"es0{i}", "host": f"elk{i}", "roles": ["master", "data", "ingest"], "heap": "3g", "memory": "8g", "http_port": 9200}
            for i in (1, 2, 3)
        ],
    }},
    "re-issued certificates": {"tls": {"validity_hours": 4380, "early_renewal_hours": 360}},
    # prod's own logstash section (an override replaces the whole section: its instances too) with other pipeline knobs
    "another pipeline": {"logstash": {**PROD["elk-stack:logstash"], "sensitive_keys": ["password", "pin"], "pipeline_workers": 8,
                                      "tcp_tls": False}},
    "the end of bootstrap": {"bootstrap": "false"},
}


def volume_inputs(run: Run) -> dict[str, dict]:
    return {v.name: v.inputs for v in run.of_type(VOLUME)}


@pytest.mark.parametrize("overrides", list(CHANGES.values()), ids=[f"{k} leaves every volume untouched" for k in CHANGES])
def test_volumes_do_not_change_when_other_settings_do(overrides: dict) -> None:
    before = volume_inputs(cached_run("prod"))
    after = volume_inputs(run_program("prod", overrides=overrides))
    assert after == before


def test_the_changes_above_do_change_containers() -> None:
    """Guards the test above: each change must reach some container, or it proves nothing."""
    containers = {r.name: r.inputs for r in cached_run("prod").of_type("docker:index/container:Container")}
    for label, overrides in CHANGES.items():
        changed = {r.name: r.inputs for r in run_program("prod", overrides=overrides).of_type("docker:index/container:Container")}
        assert changed != containers, f"{label} changed no container"


def test_api_objects_are_deleted_with_the_data_not_with_a_container(prod: Run) -> None:
    first_node = prod.named("elk-es-es01-data").urn
    api = [r for r in prod.resources if r.type.startswith("elasticstack:index/")]
    assert len(api) >= 18
    for r in api:
        assert r.deleted_with == first_node, r.urn
