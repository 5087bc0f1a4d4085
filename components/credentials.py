"""Credentials: every password and Kibana encryption key, generated and secret (pulumi-random).

Alphanumeric only: the values are substituted into YAML and shell-free env vars, where
punctuation would need quoting. 32 characters of [A-Za-z0-9] is ~190 bits.
"""

from __future__ import annotations

import pulumi
import pulumi_random as random

#: Built-in users whose passwords the program sets (security-api-put-user / built-in-users).
SYSTEM_USERS = ("kibana_system", "logstash_system", "beats_system", "remote_monitoring_user")
#: Users the program creates, with the roles in assets/roles.
APP_USERS = ("mt4_logstash_writer", "mt4_analyst", "mt4_admin", "mt4_metricbeat_writer")
#: Kibana's three keys; each must be at least 32 characters (Kibana security settings).
KIBANA_KEYS = ("encrypted_saved_objects", "security", "reporting")
PASSWORD_LENGTH = 32
KIBANA_KEY_LENGTH = 48


class Credentials(pulumi.ComponentResource):
    """Secret Outputs: ``passwords[user]`` (incl. ``elastic``) and ``kibana_keys[key]``."""

    passwords: dict[str, pulumi.Output[str]]
    kibana_keys: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("elk:components:Credentials", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        users = ("elastic", *SYSTEM_USERS, *APP_USERS)
        self.passwords = {u: self._secret(f"{name}-{u.replace('_', '-')}", PASSWORD_LENGTH, child) for u in users}
        self.kibana_keys = {k: self._secret(f"{name}-kibana-{k.replace('_', '-')}-key", KIBANA_KEY_LENGTH, child) for k in KIBANA_KEYS}
        self.register_outputs({"users": list(users)})

    @staticmethod
    def _secret(name: str, length: int, child: pulumi.ResourceOptions) -> pulumi.Output[str]:
        value = random.RandomPassword(name, length=length, special=False, min_lower=1, min_upper=1, min_numeric=1, opts=child)
        return pulumi.Output.secret(value.result)
