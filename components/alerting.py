"""Alerting: the guide's error alert on the Basic license (rule, connectors, alerts data stream).

The rule waits for its connectors (an action naming a missing connector is refused), the
connectors for the healthy Kibana, and the ``.index`` connector for the index template that maps
the alert documents (a first alert must not create ``mt4-alerts-errors`` with dynamic mappings).
Bodies come from ``components/render/alerting_bodies.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_elasticstack as es

from components.providers.kibana.base import connection
from components.providers.kibana.connector import Connector
from components.providers.kibana.rule import Rule
from components.render import alerting_bodies as bodies
from components.render import index_bodies


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
    space: str | None = None


class Alerting(pulumi.ComponentResource):
    alerts_template: es.IndexTemplate
    connectors: dict[str, Connector]
    rule: Rule

    def __init__(self, name: str, args: AlertingArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("elk:components:Alerting", name, None, opts)
        conn = connection(args.kibana_url, pulumi.Output.secret(args.password), args.ca_cert_pem)
        self.alerts_template = es.IndexTemplate(
            f"{name}-alerts-template",
            name=bodies.ALERTS_TEMPLATE,
            index_patterns=[bodies.ALERTS_PATTERN],
            priority=200,
            data_stream=es.IndexTemplateDataStreamArgs(),
            template=es.IndexTemplateTemplateArgs(
                mappings=index_bodies.to_json(bodies.alerts_mappings()),
                settings=index_bodies.to_json({"index": {"number_of_replicas": args.replicas}}),
            ),
            opts=pulumi.ResourceOptions(parent=self, provider=args.es_provider, depends_on=list(args.es_nodes)),
        )
        self.connectors = {}
        for connector_id, spec in bodies.connectors().items():
            extra = [self.alerts_template] if spec["connector_type_id"] == ".index" else []
            self.connectors[connector_id] = Connector(
                f"{name}-{connector_id}", object_id=connector_id, connector_type_id=spec["connector_type_id"],
                display_name=spec["name"], config=spec["config"], connection=conn, space=args.space,
                opts=pulumi.ResourceOptions(parent=self, depends_on=[*args.kibana, *extra]),
            )
        self.rule = Rule(
            f"{name}-{bodies.RULE_ID}", object_id=bodies.RULE_ID, rule_type_id=".es-query", consumer="stackAlerts",
            display_name=f"MT4: {bodies.THRESHOLD}+ errors in {bodies.WINDOW_MINUTES} minutes",
            schedule={"interval": "1m"}, params=bodies.rule_params(), actions=bodies.rule_actions(),
            tags=["mt4", "errors"], connection=conn, space=args.space,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[*args.kibana, *self.connectors.values()]),
        )
        self.register_outputs({"rule": self.rule.id, "connectors": sorted(self.connectors)})
