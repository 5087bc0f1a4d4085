"""IndexManagement: ILM policies, component/index templates, snapshot repository and SLM policy.

Every body comes from ``components/render/index_bodies.py``; this module only turns those dicts
into pulumi-elasticstack 0.0.11 inputs and wires the order:

- everything talks to the cluster, so everything depends on the healthy node containers;
- each index template also depends on the component templates it is composed of and on its
  ILM policy (``composed_of`` must name existing templates: the provider has no
  ``ignore_missing_component_templates``);
- the SLM policy depends on the repository it writes to.

No data stream resources, on purpose: a Pulumi-managed data stream is deleted -- with all its
backing indices, i.e. the data -- on ``destroy`` or on any replacement. Streams are created on
the first write by the writer's ``auto_configure`` privilege, from the index templates here, and
outlive any change to this component.

Every resource sets the Elasticsearch-side ``name``: left out, the provider invents
``<resource name>-<suffix>`` and the references between objects break (PITFALLS).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_elasticstack as es

from components.render import index_bodies as bodies
from components.render import stream_options
from components.settings.model import IndexManagement as IndexManagementSettings
from components.settings.model import Snapshots

#: Provider input classes per ILM phase and action. A rendered action missing here is a
#: KeyError at construction, never a silently dropped action.
_PHASES: Mapping[str, tuple[type, Mapping[str, type]]] = {
    "hot": (es.IndexLifecycleHotArgs, {
        "rollover": es.IndexLifecycleHotRolloverArgs,
        "set_priority": es.IndexLifecycleHotSetPriorityArgs,
    }),
    "warm": (es.IndexLifecycleWarmArgs, {
        "forcemerge": es.IndexLifecycleWarmForcemergeArgs,
        "set_priority": es.IndexLifecycleWarmSetPriorityArgs,
        "shrink": es.IndexLifecycleWarmShrinkArgs,
    }),
    "delete": (es.IndexLifecycleDeleteArgs, {
        "delete": es.IndexLifecycleDeleteDeleteArgs,
    }),
}


def lifecycle_inputs(policy_body: Mapping[str, object]) -> dict[str, object]:
    """Pure: a rendered ``PUT _ilm/policy`` body -> ``IndexLifecycle`` keyword inputs.

    The provider flattens each phase (actions sit next to ``min_age``, no ``actions`` key).
    """
    policy = policy_body["policy"]
    assert isinstance(policy, Mapping)
    inputs: dict[str, object] = {"metadata": bodies.to_json(policy["_meta"])}
    for phase_name, phase in policy["phases"].items():
        phase_cls, action_classes = _PHASES[phase_name]
        kwargs = {action: action_classes[action](**options) for action, options in phase["actions"].items()}
        if "min_age" in phase:
            kwargs["min_age"] = phase["min_age"]
        inputs[phase_name] = phase_cls(**kwargs)
    return inputs


def slm_inputs(body: Mapping[str, object]) -> dict[str, object]:
    """Pure: a rendered ``PUT _slm/policy`` body -> ``SnapshotLifecycle`` keyword inputs."""
    config, retention = body["config"], body["retention"]
    assert isinstance(config, Mapping) and isinstance(retention, Mapping)
    return {
        "schedule": body["schedule"],
        "snapshot_name": body["name"],
        "repository": body["repository"],
        "indices": list(config["indices"]),
        "expand_wildcards": config["expand_wildcards"],
        "include_global_state": config["include_global_state"],
        "ignore_unavailable": config["ignore_unavailable"],
        "partial": config["partial"],
        "expire_after": retention["expire_after"],
        "min_count": retention["min_count"],
        "max_count": retention["max_count"],
    }


@dataclass(frozen=True, kw_only=True)
class IndexManagementArgs:
    settings: IndexManagementSettings
    """ILM ages and sizes per family, replicas, refresh interval."""
    snapshots: Snapshots
    """Repository name and location (under ``path.repo``), SLM schedule and retention."""
    provider: pulumi.ProviderResource
    """An ``elasticstack.Provider`` pointed at the cluster (created by Access)."""
    depends_on: Sequence[pulumi.Resource]
    """The healthy Elasticsearch node containers: nothing here can talk to a cluster that is not up."""
    cluster_data: pulumi.Resource | None = None
    """The first node's data volume, where these objects really live (see ``deleted_with``)."""


class IndexManagement(pulumi.ComponentResource):
    policies: dict[str, es.IndexLifecycle]
    """ILM policies by family (``logs``, ``metrics``)."""
    component_templates: dict[str, es.ComponentTemplate]
    """Component templates by Elasticsearch name (``mt4-settings``, ``mt4-mappings``)."""
    index_templates: dict[str, es.IndexTemplate]
    """Index templates by family."""
    repository: es.SnapshotRepository
    snapshot_policy: es.SnapshotLifecycle
    failure_store: es.ClusterSettings | None
    """The cluster setting that turns the mt4 data streams' failure store on (None when off)."""

    def __init__(self, name: str, args: IndexManagementArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("elk:components:IndexManagement", name, None, opts)
        nodes = list(args.depends_on)

        def child(*extra: pulumi.Resource) -> pulumi.ResourceOptions:
            # deleted_with the data volume: when the data goes (destroy), deleting templates first
            # would fail (Elasticsearch refuses to drop templates and policies in use by data
            # streams) and gain nothing. A volume is never replaced, so no container replacement
            # cascades into these objects.
            return pulumi.ResourceOptions(parent=self, provider=args.provider, depends_on=[*nodes, *extra], deleted_with=args.cluster_data)

        self.policies = {
            f.key: es.IndexLifecycle(
                f"{name}-ilm-{f.key}",
                name=f.policy,
                **lifecycle_inputs(bodies.ilm_policy_body(f.key, bodies.lifecycle_of(args.settings, f))),  # type: ignore[arg-type]
                opts=child(),
            )
            for f in bodies.FAMILIES
        }
        self.component_templates = {
            bodies.SETTINGS_TEMPLATE: self._component(
                f"{name}-component-settings", bodies.SETTINGS_TEMPLATE, bodies.settings_component_body(args.settings), child()
            ),
            bodies.MAPPINGS_TEMPLATE: self._component(
                f"{name}-component-mappings", bodies.MAPPINGS_TEMPLATE, bodies.mappings_component_body(), child()
            ),
        }
        composed = [self.component_templates[c] for c in bodies.COMPOSED_OF]
        # Before the templates: whatever waits for the templates (Logstash) then also finds the
        # failure store on, so no early rejected document is lost.
        self.failure_store = self._failure_store(f"{name}-failure-store", args.settings, child())
        on_before = [self.failure_store] if self.failure_store else []
        self.index_templates = {
            f.key: self._index_template(
                f"{name}-template-{f.key}", f, child(*composed, self.policies[f.key], *on_before)
            )
            for f in bodies.FAMILIES
        }
        repo = bodies.repository_body(args.snapshots)
        self.repository = es.SnapshotRepository(
            f"{name}-repository",
            name=args.snapshots.repository,
            fs=es.SnapshotRepositoryFsArgs(
                location=repo["settings"]["location"],  # type: ignore[index]
                compress=repo["settings"]["compress"],  # type: ignore[index]
            ),
            verify=True,  # fail the `up`, not the first nightly snapshot, when path.repo is wrong
            opts=child(),
        )
        self.snapshot_policy = es.SnapshotLifecycle(
            f"{name}-slm",
            name=bodies.SLM_POLICY,
            **slm_inputs(bodies.slm_body(args.snapshots)),  # type: ignore[arg-type]
            opts=child(self.repository),
        )
        self.register_outputs({
            "policies": self.policies,
            "component_templates": self.component_templates,
            "index_templates": self.index_templates,
            "repository": self.repository,
            "snapshot_policy": self.snapshot_policy,
            "failure_store": self.failure_store,
        })

    @staticmethod
    def _failure_store(
        resource: str, settings: IndexManagementSettings, opts: pulumi.ResourceOptions
    ) -> es.ClusterSettings | None:
        """``data_streams.failure_store.enabled`` as a persistent cluster setting (why not the
        template's ``data_stream_options``: ``components/render/stream_options.py``). Deleting the
        resource (``failure_store: false``) removes the setting again."""
        body = stream_options.failure_store_cluster_settings(settings)
        persistent = body["persistent"]
        assert isinstance(persistent, dict)
        patterns = persistent[stream_options.FAILURE_STORE_SETTING]
        if not patterns:
            return None
        return es.ClusterSettings(
            resource,
            persistent=es.ClusterSettingsPersistentArgs(settings=[
                es.ClusterSettingsPersistentSettingArgs(name=stream_options.FAILURE_STORE_SETTING, value_lists=list(patterns)),
            ]),
            opts=opts,
        )

    @staticmethod
    def _component(resource: str, es_name: str, body: Mapping[str, object], opts: pulumi.ResourceOptions) -> es.ComponentTemplate:
        template = body["template"]
        assert isinstance(template, Mapping)
        return es.ComponentTemplate(
            resource,
            name=es_name,
            template=es.ComponentTemplateTemplateArgs(
                settings=bodies.to_json(template["settings"]) if "settings" in template else None,
                mappings=bodies.to_json(template["mappings"]) if "mappings" in template else None,
            ),
            metadata=bodies.to_json(body["_meta"]),
            opts=opts,
        )

    @staticmethod
    def _index_template(resource: str, family: bodies.Family, opts: pulumi.ResourceOptions) -> es.IndexTemplate:
        body = bodies.index_template_body(family)
        template = body["template"]
        assert isinstance(template, Mapping)
        return es.IndexTemplate(
            resource,
            name=family.template,
            index_patterns=list(body["index_patterns"]),  # type: ignore[call-overload]
            composed_ofs=list(body["composed_of"]),  # type: ignore[call-overload]
            priority=body["priority"],  # type: ignore[arg-type]
            data_stream=es.IndexTemplateDataStreamArgs(**body["data_stream"]),  # type: ignore[arg-type]
            template=es.IndexTemplateTemplateArgs(settings=bodies.to_json(template["settings"])),
            metadata=bodies.to_json(body["_meta"]),
            opts=opts,
        )
