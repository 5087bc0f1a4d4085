"""What a real ``up`` of Pki + Credentials hands to tests (the ``real_pki_credentials`` fixture)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from components.settings.model import StackSettings
from engine.harness.stacks import EngineStack


@dataclass(frozen=True)
class IssuedPems:
    cert_pem: str
    key_pem: str
    """PKCS#1 PEM (RSA), as the tls provider returns ``private_key_pem``."""
    key_pkcs8_pem: str
    """PKCS#8 PEM: what Logstash's Beats input reads."""


@dataclass(frozen=True)
class PkiCredentials:
    stack: str
    settings: StackSettings
    ca_cert_pem: str
    certificates: dict[str, IssuedPems]
    elastic_password: str
    passwords: dict[str, str]
    kibana_keys: dict[str, str]
    stack_handle: EngineStack

    def secret_values(self) -> list[str]:
        """Every generated secret (passwords, Kibana keys, private keys): none may be in plaintext in state."""
        keys = [pem for c in self.certificates.values() for pem in (c.key_pem, c.key_pkcs8_pem)]
        return [*self.passwords.values(), *self.kibana_keys.values(), *keys]


def from_outputs(stack: str, settings: StackSettings, shown: dict[str, Any], handle: EngineStack) -> PkiCredentials:
    """Build from ``pulumi stack output --show-secrets --json`` of ``pki_credentials_program``."""
    certs = {name: IssuedPems(**pems) for name, pems in shown["certificates"].items()}
    return PkiCredentials(
        stack=stack, settings=settings, ca_cert_pem=shown["ca_cert_pem"], certificates=certs,
        elastic_password=shown["elastic_password"], passwords=dict(shown["passwords"]),
        kibana_keys=dict(shown["kibana_keys"]), stack_handle=handle,
    )
