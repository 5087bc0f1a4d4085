"""IndexManagement under Pulumi's mock runtime: resources, inputs, provider and ordering.

Proof limit: mocks prove what the component registers (types, names, inputs, parent, provider,
depends_on); they do not prove that pulumi-elasticstack or Elasticsearch accept those inputs.
Options are captured with a ``transformations`` resource option on the component: it runs in
the SDK and reaches every child. (New-style ``transforms`` are not run by the 3.272 mock
monitor, per ``pulumi.runtime.mocks.MockResourceArgs``.)
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass

import pulumi
import pulumi_elasticstack as es
import pytest

import components.index_management as im_module
from components.index_management import IndexManagement, IndexManagementArgs, lifecycle_inputs
from components.render import index_bodies as b
from components.settings.model import IndexManagement as IndexManagementSettings
from components.settings.model import Lifecycle, Snapshots

LOGS = Lifecycle(
    rollover_max_age="7d", rollover_max_primary_shard_size="5gb", warm_min_age="7d", warm_shrink_shards=1, delete_min_age="30d",
)
METRICS = Lifecycle(
    rollover_max_age="1d", rollover_max_primary_shard_size="3gb", warm_min_age="2d", warm_shrink_shards=1, delete_min_age="14d",
)
SETTINGS = IndexManagementSettings(logs=LOGS, metrics=METRICS, replicas=1, refresh_interval="10s")
SNAPSHOTS = Snapshots(
    repository="mt4_backup", location="/backup/elasticsearch", schedule="0 30 1 * * ?", expire_after="30d", min_count=5, max_count=50,
)

ILM = "elasticstack:index/indexLifecycle:IndexLifecycle"
COMPONENT = "elasticstack:index/componentTemplate:ComponentTemplate"
TEMPLATE = "elasticstack:index/indexTemplate:IndexTemplate"
REPOSITORY = "elasticstack:index/snapshotRepository:SnapshotRepository"
SLM = "elasticstack:index/snapshotLifecycle:SnapshotLifecycle"
CLUSTER_SETTINGS = "elasticstack:index/clusterSettings:ClusterSettings"

#: Pulumi resource name -> (type, Elasticsearch name)
EXPECTED = {
    "im-ilm-logs": (ILM, "mt4-logs-policy"),
    "im-ilm-metrics": (ILM, "mt4-metrics-policy"),
    "im-component-settings": (COMPONENT, "mt4-settings"),
    "im-component-mappings": (COMPONENT, "mt4-mappings"),
    "im-template-logs": (TEMPLATE, "mt4-logs"),
    "im-template-metrics": (TEMPLATE, "mt4-metrics"),
    "im-repository": (REPOSITORY, "mt4_backup"),
    "im-slm": (SLM, "mt4-nightly-snapshots"),
}
FAMILY_LIFECYCLE = {"logs": LOGS, "metrics": METRICS}


class Recorder(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.registered: list[pulumi.runtime.MockResourceArgs] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs):
        self.registered.append(args)
        return args.name + "_id", args.inputs

    def call(self, args: pulumi.runtime.MockCallArgs):
        return {}, None


class Node(pulumi.CustomResource):
    """Stands in for a healthy Elasticsearch node container."""

    def __init__(self, name: str) -> None:
        super().__init__("test:index:Node", name, {}, None)


@dataclass
class Run:
    registered: dict[str, pulumi.runtime.MockResourceArgs]
    options: dict[str, pulumi.ResourceTransformationArgs]
    component: IndexManagement
    provider: es.Provider
    node: Node

    def inputs(self, name: str) -> dict:
        return self.registered[name].inputs


def run_program(preview: bool) -> Run:
    mocks = Recorder()
    pulumi.runtime.set_mocks(mocks, project="elk-stack", stack="test", preview=preview)
    captured: dict[str, pulumi.ResourceTransformationArgs] = {}
    made: dict[str, object] = {}

    def capture(args: pulumi.ResourceTransformationArgs):
        captured[args.name] = args
        return None

    @pulumi.runtime.test
    def program():
        provider = es.Provider(
            "es", elasticsearch=es.ProviderElasticsearchArgs(endpoints=["https://es01:9200"], username="elastic", password="x")
        )
        node = Node("es01")
        component = IndexManagement(
            "im",
            IndexManagementArgs(settings=SETTINGS, snapshots=SNAPSHOTS, provider=provider, depends_on=[node]),
            pulumi.ResourceOptions(transformations=[capture]),
        )
        made.update(component=component, provider=provider, node=node)
        return component.urn

    program()
    return Run(
        registered={r.name: r for r in mocks.registered},
        options=captured,
        component=made["component"],  # type: ignore[arg-type]
        provider=made["provider"],  # type: ignore[arg-type]
        node=made["node"],  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def run() -> Run:
    return run_program(preview=False)


def _snake(key: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", lambda m: "_" + m.group(1).lower(), key)


def _snake_all(value):
    if isinstance(value, dict):
        return {_snake(k): _snake_all(v) for k, v in value.items()}
    return value


# ---------------------------------------------------------------------------- the resource set
def test_declares_exactly_the_index_management_resources_and_no_data_stream(run):
    ours = {(r.typ, name) for name, r in run.registered.items() if name not in {"es", "es01"}}
    assert ours == {
        ("elk:components:IndexManagement", "im"), (CLUSTER_SETTINGS, "im-failure-store"), *((t, n) for n, (t, _) in EXPECTED.items()),
    }
    assert not any("dataStream:DataStream" in r.typ for r in run.registered.values())


@pytest.mark.parametrize("resource", list(EXPECTED), ids=lambda n: f"{n} sets its Elasticsearch name")
def test_every_elasticsearch_object_sets_its_name_input(run, resource):
    assert run.inputs(resource)["name"] == EXPECTED[resource][1]


def test_module_says_why_data_streams_are_not_resources():
    doc = im_module.__doc__ or ""
    assert "No data stream resources" in doc and "auto_configure" in doc and "deleted" in doc


# ------------------------------------------------------------------------------------- ILM
@pytest.mark.parametrize("family", ["logs", "metrics"], ids=lambda f: f"{f} policy follows settings")
def test_ilm_inputs_equal_the_lifecycle_settings(run, family):
    life = FAMILY_LIFECYCLE[family]
    inputs = run.inputs(f"im-ilm-{family}")
    assert inputs["hot"]["rollover"] == {"maxAge": life.rollover_max_age, "maxPrimaryShardSize": life.rollover_max_primary_shard_size}
    assert inputs["hot"]["setPriority"] == {"priority": 100}
    assert inputs["warm"]["minAge"] == life.warm_min_age
    assert inputs["warm"]["shrink"] == {"numberOfShards": life.warm_shrink_shards}
    assert inputs["warm"]["forcemerge"] == {"maxNumSegments": 1}
    assert inputs["delete"] == {"minAge": life.delete_min_age, "delete": {"deleteSearchableSnapshot": True}}
    assert "allocate" not in inputs["warm"]
    assert set(inputs) == {"name", "metadata", "hot", "warm", "delete"}


@pytest.mark.parametrize("family", ["logs", "metrics"], ids=lambda f: f"{f} inputs are the rendered body")
def test_ilm_inputs_are_the_rendered_policy_body(run, family):
    inputs = _snake_all(run.inputs(f"im-ilm-{family}"))
    body = b.ilm_policy_body(family, FAMILY_LIFECYCLE[family])["policy"]
    phases = {
        phase: {**({"min_age": v["min_age"]} if "min_age" in v else {}), "actions": {k: a for k, a in v.items() if k != "min_age"}}
        for phase, v in inputs.items()
        if phase in b.PHASE_ORDER
    }
    assert phases == body["phases"]
    assert json.loads(inputs["metadata"]) == body["_meta"]


def test_lifecycle_inputs_refuses_an_action_it_cannot_translate():
    body = b.ilm_policy_body("logs", LOGS)
    body["policy"]["phases"]["warm"]["actions"]["allocate"] = {"number_of_replicas": 1}
    with pytest.raises(KeyError, match="allocate"):
        lifecycle_inputs(body)


# ------------------------------------------------------------------------------- templates
def test_component_templates_carry_the_rendered_settings_and_mappings(run):
    settings = run.inputs("im-component-settings")["template"]
    mappings = run.inputs("im-component-mappings")["template"]
    assert set(settings) == {"settings"} and set(mappings) == {"mappings"}
    assert json.loads(settings["settings"]) == {
        "index.mode": "standard", "index.number_of_replicas": 1, "index.number_of_shards": 1, "index.refresh_interval": "10s",
    }
    assert json.loads(mappings["mappings"]) == b.mappings_body()
    assert mappings["mappings"] == b.to_json(b.mappings_body())


@pytest.mark.parametrize(("family", "pattern"), [("logs", "mt4-logs-*"), ("metrics", "mt4-metrics-*")])
def test_index_templates_are_data_stream_templates_composed_of_declared_component_templates(run, family, pattern):
    inputs = run.inputs(f"im-template-{family}")
    declared = [run.inputs(n)["name"] for n in ("im-component-settings", "im-component-mappings")]
    assert inputs["composedOfs"] == declared
    assert inputs["indexPatterns"] == [pattern]
    assert inputs["dataStream"] == {"hidden": False}
    assert inputs["priority"] == 200
    settings = json.loads(inputs["template"]["settings"])
    assert settings["index.lifecycle.name"] == run.inputs(f"im-ilm-{family}")["name"]
    assert json.loads(inputs["metadata"])["managed_by"] == "elk-stack"


# ------------------------------------------------------------------------------- snapshots
def test_repository_is_fs_at_the_configured_location(run):
    assert run.inputs("im-repository") == {
        "name": "mt4_backup",
        "fs": {"compress": True, "location": "/backup/elasticsearch"},
        "verify": True,
    }


def test_slm_policy_follows_snapshot_settings_and_writes_to_the_declared_repository(run):
    inputs = run.inputs("im-slm")
    assert inputs["repository"] == run.inputs("im-repository")["name"]
    assert inputs["schedule"] == "0 30 1 * * ?"
    assert (inputs["expireAfter"], inputs["minCount"], inputs["maxCount"]) == ("30d", 5, 50)
    assert inputs["indices"] == ["mt4-*"]
    assert inputs["snapshotName"] == "<mt4-snap-{now/d}>"
    assert inputs["includeGlobalState"] is True
    assert inputs["expandWildcards"] == "open,hidden"


# ------------------------------------------------------------------------- options and order
@pytest.mark.parametrize("resource", list(EXPECTED), ids=lambda n: f"{n} is parented, uses the provider, waits for nodes")
def test_every_child_is_parented_uses_the_cluster_provider_and_waits_for_the_nodes(run, resource):
    opts = run.options[resource].opts
    assert opts.parent is run.component
    assert opts.provider is run.provider
    assert run.node in (opts.depends_on or [])
    assert "pulumi:providers:elasticstack::es::es_id" in (run.registered[resource].provider or "")


def _depends_on_names(run: Run, resource: str) -> set[str]:
    by_identity = {id(a.resource): name for name, a in run.options.items()}
    return {by_identity.get(id(d), "node" if d is run.node else repr(d)) for d in run.options[resource].opts.depends_on}


@pytest.mark.parametrize("family", ["logs", "metrics"], ids=lambda f: f"{f} template waits for its parts")
def test_index_templates_depend_on_their_component_templates_and_policy(run, family):
    assert _depends_on_names(run, f"im-template-{family}") == {
        "node", "im-component-settings", "im-component-mappings", f"im-ilm-{family}", "im-failure-store",
    }


def test_slm_policy_depends_on_the_repository(run):
    assert _depends_on_names(run, "im-slm") == {"node", "im-repository"}


@pytest.mark.parametrize("resource", ["im-ilm-logs", "im-component-mappings", "im-repository", "im-failure-store"])
def test_independent_children_wait_only_for_the_nodes(run, resource):
    assert _depends_on_names(run, resource) == {"node"}


def test_component_exposes_every_child_it_declared(run):
    c = run.component
    by_name = {name: a.resource for name, a in run.options.items()}
    assert c.policies == {"logs": by_name["im-ilm-logs"], "metrics": by_name["im-ilm-metrics"]}
    assert c.component_templates == {"mt4-settings": by_name["im-component-settings"], "mt4-mappings": by_name["im-component-mappings"]}
    assert c.index_templates == {"logs": by_name["im-template-logs"], "metrics": by_name["im-template-metrics"]}
    assert c.repository is by_name["im-repository"]
    assert c.snapshot_policy is by_name["im-slm"]
    assert c.failure_store is by_name["im-failure-store"]


# ------------------------------------------------------------------------------ failure store
def test_failure_store_is_the_persistent_cluster_setting_over_both_mt4_families(run):
    """One setting, both template patterns (``data_streams.failure_store.enabled`` is a dynamic
    list-of-patterns cluster setting in 8.19); the bridged provider's ``valueLists`` carries lists."""
    assert run.inputs("im-failure-store") == {"persistent": {"settings": [
        {"name": "data_streams.failure_store.enabled", "valueLists": ["mt4-logs-*", "mt4-metrics-*"]},
    ]}}
    opts = run.options["im-failure-store"].opts
    assert opts.parent is run.component and opts.provider is run.provider


def test_failure_store_off_declares_no_cluster_setting_and_templates_do_not_wait_for_one():
    mocks = Recorder()
    pulumi.runtime.set_mocks(mocks, project="elk-stack", stack="test", preview=False)
    made: dict[str, IndexManagement] = {}

    @pulumi.runtime.test
    def program():
        provider = es.Provider("es", elasticsearch=es.ProviderElasticsearchArgs(endpoints=["https://es01:9200"]))
        off = dataclasses.replace(SETTINGS, failure_store=False)
        made["c"] = IndexManagement("im", IndexManagementArgs(settings=off, snapshots=SNAPSHOTS, provider=provider, depends_on=[]))
        return made["c"].urn

    program()
    assert made["c"].failure_store is None
    assert not any(r.typ == CLUSTER_SETTINGS for r in mocks.registered)


def test_logsdb_setting_reaches_the_shared_component_template():
    body = b.settings_component_body(dataclasses.replace(SETTINGS, index_mode="logsdb"))
    assert body["template"]["settings"]["index.mode"] == "logsdb"


# ------------------------------------------------------------------------------------ preview
def test_preview_registers_the_same_resources_with_the_same_inputs(run):
    preview = run_program(preview=True)
    assert {n: (r.typ, r.inputs) for n, r in preview.registered.items() if n in EXPECTED} == {
        n: (r.typ, r.inputs) for n, r in run.registered.items() if n in EXPECTED
    }
    assert set(preview.registered) == set(run.registered)
