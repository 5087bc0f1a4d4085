"""Access: the explicit Elasticsearch provider, system-user passwords, MT4 roles and users.

Roles are data in ``assets/roles/<name>.json`` (the role API body), so a reviewer reads the
privileges without reading code (habit from docker-elk's setup/roles).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pulumi
import pulumi_elasticstack as es

from components.credentials import APP_USERS, SYSTEM_USERS

ROLES_DIR = Path(__file__).resolve().parent.parent / "assets" / "roles"
#: Which role each application user gets. Kibana access for the analyst comes from the role's
#: ``kibana-.kibana`` application privileges.
USER_ROLES = {
    "mt4_logstash_writer": ("mt4_logstash_writer",),
    "mt4_analyst": ("mt4_analyst",),
    "mt4_admin": ("mt4_admin",),
    # remote_monitoring_agent is built in (ReservedRolesStore: all on .monitoring-*): Metricbeat's
    # Stack Monitoring documents go there through the same output as its metrics.
    "mt4_metricbeat_writer": ("mt4_metricbeat_writer", "remote_monitoring_agent"),
}


def load_role(name: str) -> dict[str, object]:
    """One role body from assets/roles."""
    return json.loads((ROLES_DIR / f"{name}.json").read_text())


def role_names() -> list[str]:
    return sorted(p.stem for p in ROLES_DIR.glob("*.json"))


@dataclass(frozen=True, kw_only=True)
class AccessArgs:
    endpoints: Sequence[str]
    ca_cert_pem: pulumi.Input[str]
    elastic_password: pulumi.Input[str]
    passwords: dict[str, pulumi.Output[str]]
    nodes: Sequence[pulumi.Resource]
    """Healthy node containers: nothing here can talk to a cluster that is not up."""
    cluster_data: pulumi.Resource
    """The first node's data volume, where users and roles really live (see ``deleted_with``)."""


class Access(pulumi.ComponentResource):
    provider: es.Provider
    system_users: dict[str, es.SecuritySystemUser]
    roles: dict[str, es.SecurityRole]
    users: dict[str, es.SecurityUser]

    def __init__(self, name: str, args: AccessArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("elk:components:Access", name, None, opts)
        self.provider = es.Provider(
            f"{name}-provider",
            elasticsearch=es.ProviderElasticsearchArgs(
                endpoints=list(args.endpoints),
                username="elastic",
                password=args.elastic_password,
                ca_data=args.ca_cert_pem,
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(args.nodes)),
        )
        # deleted_with the data volume, not a container: users and roles live in the security
        # index on that volume. When the data goes, there is nothing to delete them from; a
        # container replacement (which deleted_with would cascade) must not touch them.
        api = pulumi.ResourceOptions(parent=self, provider=self.provider, depends_on=list(args.nodes), deleted_with=args.cluster_data)
        self.system_users = {
            user: es.SecuritySystemUser(f"{name}-{user.replace('_', '-')}", username=user, password=args.passwords[user], opts=api)
            for user in SYSTEM_USERS
        }
        self.roles = {role: self._role(f"{name}-role-{role.replace('_', '-')}", role, api) for role in role_names()}
        self.users = {
            user: es.SecurityUser(
                f"{name}-user-{user.replace('_', '-')}",
                username=user,
                password=args.passwords[user],
                roles=list(USER_ROLES[user]),
                # Built-in roles (remote_monitoring_agent) exist already: wait for ours only.
                opts=pulumi.ResourceOptions.merge(api, pulumi.ResourceOptions(
                    depends_on=[self.roles[r] for r in USER_ROLES[user] if r in self.roles])),
            )
            for user in APP_USERS
        }
        self.register_outputs({
            "system_users": list(self.system_users),
            "roles": list(self.roles),
            "users": list(self.users),
        })

    def _role(self, resource: str, role: str, opts: pulumi.ResourceOptions) -> es.SecurityRole:
        body = load_role(role)
        return es.SecurityRole(
            resource,
            name=role,
            clusters=list(body.get("cluster", [])),  # type: ignore[arg-type]
            indices=[es.SecurityRoleIndexArgs(names=i["names"], privileges=i["privileges"]) for i in body.get("indices", [])],  # type: ignore[union-attr]
            applications=[
                es.SecurityRoleApplicationArgs(application=a["application"], privileges=a["privileges"], resources=a["resources"])
                for a in body.get("applications", [])  # type: ignore[union-attr]
            ] or None,
            metadata=json.dumps(body.get("metadata", {}), sort_keys=True, separators=(",", ":")),
            opts=opts,
        )
