"""Pki: one CA and one certificate per node and per service (pulumi-tls).

``early_renewal_hours`` makes an ``up`` inside the renewal window re-issue a certificate; the
containers that upload it are then replaced, Elasticsearch nodes one at a time (see
ElasticsearchCluster). Private keys are secret Outputs from birth.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_tls as tls

from components.settings.load import OwnCa

#: RSA 2048: accepted by every Elastic component and by the Beats input's PKCS#8 reader.
KEY_ALGORITHM = "RSA"
KEY_BITS = 2048
SERVER_USES = ["digital_signature", "key_encipherment", "server_auth", "client_auth"]
CA_USES = ["cert_signing", "crl_signing", "digital_signature"]


@dataclass(frozen=True, kw_only=True)
class Identity:
    """Who a certificate is for and every name clients may use to reach it."""

    name: str
    dns_names: tuple[str, ...]
    ip_addresses: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class PkiArgs:
    organization: str
    """Subject organisation (the cluster name), so certificates say which stack they belong to."""
    identities: tuple[Identity, ...]
    validity_hours: int
    early_renewal_hours: int
    ca_validity_hours: int
    own_ca: OwnCa | None
    """A CA the operator brings; otherwise the stack makes its own."""


@dataclass(frozen=True)
class IssuedCertificate:
    cert_pem: pulumi.Output[str]
    key_pem: pulumi.Output[str]
    """PKCS#1/SEC1 PEM, secret."""
    key_pkcs8_pem: pulumi.Output[str]
    """PKCS#8 PEM, secret: what Logstash's Beats input requires."""


class Pki(pulumi.ComponentResource):
    """The stack's CA and its issued certificates, keyed by identity name."""

    ca_cert_pem: pulumi.Output[str]
    certificates: dict[str, IssuedCertificate]

    def __init__(self, name: str, args: PkiArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("elk:components:Pki", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        ca_cert, ca_key = self._ca(name, args, child)
        self.ca_cert_pem = ca_cert
        self.certificates = {
            ident.name: self._issue(f"{name}-{ident.name}", ident, args, ca_cert, ca_key, child)
            for ident in args.identities
        }
        self.register_outputs({"ca_cert_pem": self.ca_cert_pem})

    @staticmethod
    def _ca(name: str, args: PkiArgs, child: pulumi.ResourceOptions) -> tuple[pulumi.Output[str], pulumi.Output[str]]:
        if args.own_ca is not None:
            return args.own_ca.cert_pem, pulumi.Output.secret(args.own_ca.key_pem)
        key = tls.PrivateKey(f"{name}-ca-key", algorithm=KEY_ALGORITHM, rsa_bits=4096, opts=child)
        cert = tls.SelfSignedCert(
            f"{name}-ca",
            private_key_pem=key.private_key_pem,
            is_ca_certificate=True,
            subject=tls.SelfSignedCertSubjectArgs(common_name=f"{args.organization} CA", organization=args.organization),
            validity_period_hours=args.ca_validity_hours,
            early_renewal_hours=args.early_renewal_hours,
            allowed_uses=CA_USES,
            opts=child,
        )
        return cert.cert_pem, key.private_key_pem

    @staticmethod
    def _issue(
        name: str,
        ident: Identity,
        args: PkiArgs,
        ca_cert: pulumi.Output[str],
        ca_key: pulumi.Output[str],
        child: pulumi.ResourceOptions,
    ) -> IssuedCertificate:
        key = tls.PrivateKey(f"{name}-key", algorithm=KEY_ALGORITHM, rsa_bits=KEY_BITS, opts=child)
        request = tls.CertRequest(
            f"{name}-csr",
            private_key_pem=key.private_key_pem,
            subject=tls.CertRequestSubjectArgs(common_name=ident.name, organization=args.organization),
            dns_names=list(ident.dns_names),
            ip_addresses=list(ident.ip_addresses),
            opts=child,
        )
        cert = tls.LocallySignedCert(
            f"{name}-cert",
            cert_request_pem=request.cert_request_pem,
            ca_cert_pem=ca_cert,
            ca_private_key_pem=ca_key,
            validity_period_hours=args.validity_hours,
            early_renewal_hours=args.early_renewal_hours,
            allowed_uses=SERVER_USES,
            opts=child,
        )
        return IssuedCertificate(
            cert_pem=cert.cert_pem,
            key_pem=pulumi.Output.secret(key.private_key_pem),
            key_pkcs8_pem=pulumi.Output.secret(key.private_key_pem_pkcs8),
        )
