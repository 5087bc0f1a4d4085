"""What a real ``up`` of Pki + Credentials hands to tests (the ``real_pki_credentials`` fixture)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from components.settings.model import StackSettings
from engine.harness.stacks import EngineStack


@dataclass(frozen=True)
class IssuedPems:
    """One issued pair. No PEM in the repr: a failed assert prints reprs, and a key must never be printed."""

    cert_pem: str = field(repr=False)
    key_pem: str = field(repr=False)
    """PKCS#1 PEM (RSA), as the tls provider returns ``private_key_pem``."""
    key_pkcs8_pem: str = field(repr=False)
    """PKCS#8 PEM: what Logstash's Beats input reads."""


@dataclass(frozen=True)
class PkiCredentials:
    """The real up's outputs. The repr names the stack and the certificates' owners only (no secret)."""

    stack: str
    settings: StackSettings = field(repr=False)
    ca_cert_pem: str = field(repr=False)
    certificates: dict[str, IssuedPems] = field(repr=False)
    elastic_password: str = field(repr=False)
    passwords: dict[str, str] = field(repr=False)
    kibana_keys: dict[str, str] = field(repr=False)
    stack_handle: EngineStack = field(repr=False)

    def __repr__(self) -> str:
        return f"PkiCredentials(stack={self.stack!r}, certificates for {sorted(self.certificates)}, users {sorted(self.passwords)})"

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
