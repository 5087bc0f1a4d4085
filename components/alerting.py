"""Alerting: the guide's error alert on the Basic license (rule, connectors, alerts data stream).

The rule waits for its connectors (an action naming a missing connector is refused), the
connectors for the healthy Kibana, and the ``.index`` connector for the index template that maps
the alert documents (a first alert must not create ``mt4-alerts-errors`` with dynamic mappings),
the template for its ILM policy ``mt4-alerts-policy`` (a template naming a missing policy would
leave every new backing index with an ILM error).
Bodies come from ``components/render/alerting_bodies.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_elasticstack as es

from components.index_management import lifecycle_inputs
from components.providers.kibana.base import connection
from components.providers.kibana.connector import Connector
from components.providers.kibana.rule import Rule
from components.providers.kibana.watch import Watch
from components.render import alerting_bodies as bodies
from components.render import failure_alert, index_bodies
from components.settings.model import Alerting as AlertingSettings


@dataclass(frozen=True, kw_only=True)
class AlertingArgs:
    kibana_url: str
    ca_cert_pem: pulumi.Input[str]
    password: pulumi.Output[str]
    """The ``elastic`` password (a secret Output); the rule's API key is made for this user."""
    kibana: Sequence[pulumi.Resource]
    es_provider: pulumi.ProviderResource
    es_nodes: Sequence[pulumi.Resource]
    replicas: int
    settings: AlertingSettings
    cluster_data: pulumi.Resource | None = None
    """The first node's data volume: the alerts template goes with the data (as IndexManagement's
    templates do: Elasticsearch refuses to drop a template its data streams use)."""
    """Above Basic: the guide's watch and the email action (the settings refuse them on basic)."""
    es_url: str = ""
    """An Elasticsearch endpoint, for the watch."""
    email_password: pulumi.Output[str] | None = None
    """The SMTP password (secret), when ``settings.email.user`` is set."""
    space: str | None = None


class Alerting(pulumi.ComponentResource):
    alerts_policy: es.IndexLifecycle
    alerts_template: es.IndexTemplate
    connectors: dict[str, Connector]
    rule: Rule
    failure_rule: Rule
    watch: Watch | None

    def __init__(self, name: str, args: AlertingArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("elk:components:Alerting", name, None, opts)
        conn = connection(args.kibana_url, pulumi.Output.secret(args.password), args.ca_cert_pem)

        def es_opts(*extra: pulumi.Resource) -> pulumi.ResourceOptions:
            return pulumi.ResourceOptions(parent=self, provider=args.es_provider, depends_on=[*args.es_nodes, *extra],
                                          deleted_with=args.cluster_data)

        self.alerts_policy = es.IndexLifecycle(
            f"{name}-alerts-ilm",
            name=bodies.ALERTS_POLICY,
            **lifecycle_inputs(bodies.alerts_ilm_policy_body()),  # type: ignore[arg-type]
            opts=es_opts(),
        )
        self.alerts_template = es.IndexTemplate(
            f"{name}-alerts-template",
            name=bodies.ALERTS_TEMPLATE,
            index_patterns=[bodies.ALERTS_PATTERN],
            priority=200,
            data_stream=es.IndexTemplateDataStreamArgs(),
            template=es.IndexTemplateTemplateArgs(
                mappings=index_bodies.to_json(bodies.alerts_mappings()),
                settings=index_bodies.to_json(bodies.alerts_template_settings(args.replicas)),
            ),
            opts=es_opts(self.alerts_policy),
        )
        self.connectors = {}
        for connector_id, spec in bodies.connectors().items():
            extra = [self.alerts_template] if spec["connector_type_id"] == ".index" else []
            self.connectors[connector_id] = Connector(
                f"{name}-{connector_id}", object_id=connector_id, connector_type_id=spec["connector_type_id"],
                display_name=spec["name"], config=spec["config"], connection=conn, space=args.space,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[*args.kibana, *extra], deleted_with=args.cluster_data),
            )
        actions = bodies.rule_actions()
        email = args.settings.email
        if email is not None:
            if email.user and args.email_password is None:
                raise ValueError("alerting.email.user is set but no SMTP password reached the Alerting component "
                                 "(alerting_email_password must be read as a secret and passed in)")
            spec = bodies.email_connector(email.sender, email.host, email.port, email.user)
            secrets = {"user": email.user, "password": args.email_password} if email.user else {}
            self.connectors[bodies.EMAIL_CONNECTOR_ID] = Connector(
                f"{name}-{bodies.EMAIL_CONNECTOR_ID}", object_id=bodies.EMAIL_CONNECTOR_ID,
                connector_type_id=spec["connector_type_id"], display_name=spec["name"], config=spec["config"],
                secrets=secrets, connection=conn, space=args.space,
                opts=pulumi.ResourceOptions(parent=self, depends_on=list(args.kibana), deleted_with=args.cluster_data),
            )
            actions.append(bodies.email_action(email.to))
        self.rule = Rule(
            f"{name}-{bodies.RULE_ID}", object_id=bodies.RULE_ID, rule_type_id=".es-query", consumer="stackAlerts",
            display_name=f"MT4: {bodies.THRESHOLD}+ errors in {bodies.WINDOW_MINUTES} minutes",
            schedule={"interval": "1m"}, params=bodies.rule_params(), actions=actions,
            tags=["mt4", "errors"], connection=conn, space=args.space,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[*args.kibana, *self.connectors.values()],
                                        deleted_with=args.cluster_data),
        )
        # New rejected documents in the failure stores (components/render/failure_alert.py); the
        # same two Basic connectors, so it waits for them like the error rule.
        self.failure_rule = Rule(
            f"{name}-{failure_alert.FAILURE_RULE_ID}", object_id=failure_alert.FAILURE_RULE_ID, rule_type_id=".es-query",
            consumer="stackAlerts", display_name="MT4: new documents rejected by Elasticsearch (failure store)",
            schedule={"interval": "1m"}, params=failure_alert.failure_rule_params(), actions=failure_alert.failure_rule_actions(),
            tags=["mt4", "failure-store"], connection=conn, space=args.space,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[*args.kibana, *self.connectors.values()],
                                        deleted_with=args.cluster_data),
        )
        self.watch = None
        if args.settings.watcher:
            self.watch = Watch(
                f"{name}-{bodies.WATCH_ID}", object_id=bodies.WATCH_ID,
                watch=bodies.watch_body(email.to if email else ()),
                connection=connection(args.es_url, pulumi.Output.secret(args.password), args.ca_cert_pem),
                opts=pulumi.ResourceOptions(parent=self, depends_on=list(args.es_nodes), deleted_with=args.cluster_data),
            )
        self.register_outputs({"rule": self.rule.id, "failure_rule": self.failure_rule.id, "connectors": sorted(self.connectors)})
