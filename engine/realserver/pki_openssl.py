"""A LOCALLY GENERATED PKI (openssl CLI), for running the real-server layer without the Pulumi engine.

This is *not* the project's Pki component: the certificates the issue asks for come from the
real-engine tests' real ``up`` of that component (``tests_engine/conftest.py``'s fixture). This
module makes the same shape of PKI with openssl so the real-server layer still runs where the engine
is absent, and tests that use it say so in their names and output. It follows components/pki.py's
choices (RSA 4096 CA, RSA 2048 node keys in PKCS#1 like pulumi-tls' ``private_key_pem``, the
SERVER_USES key usages) and issues each node certificate for the SANs the program requests.
It also makes "another CA" for the negative test (a node whose certificate this cluster must refuse).
"""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from engine.realserver.program_inputs import NodeFiles


@dataclass(frozen=True)
class IssuedPair:
    """No PEM in the repr (failed asserts print reprs; the key must never be printed)."""

    cert_pem: str = field(repr=False)
    key_pem: str = field(repr=False)


@dataclass(frozen=True)
class ClusterPki:
    """CA certificate and one certificate per node name: what the node uploads need."""

    ca_cert_pem: str = field(repr=False)
    nodes: dict[str, IssuedPair]
    source: str
    """Where these came from, printed by the tests (``real Pki up`` or ``locally generated``)."""


_CA_CONFIG = """\
[req]
distinguished_name = dn
[dn]
[v3_ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign, digitalSignature
subjectKeyIdentifier = hash
"""


def _openssl(*args: str, cwd: Path) -> None:
    done = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"openssl {args[0]} failed: {done.stderr.strip()}")


def _san_line(dns: tuple[str, ...], ips: tuple[str, ...]) -> str:
    return ", ".join([f"DNS:{d}" for d in dns] + [f"IP:{i}" for i in ips])


LOCAL_LABEL = "locally generated (openssl), not the project's Pki"


def make_pki(organization: str, nodes: tuple[NodeFiles, ...], *, label: str = LOCAL_LABEL) -> ClusterPki:
    with tempfile.TemporaryDirectory(prefix="elk-realserver-pki-") as tmp:
        d = Path(tmp)
        (d / "ca.cnf").write_text(_CA_CONFIG)
        _openssl("genrsa", "-traditional", "-out", "ca.key", "4096", cwd=d)
        _openssl("req", "-x509", "-new", "-key", "ca.key", "-days", "2", "-subj", f"/O={organization}/CN={organization} CA",
                 "-extensions", "v3_ca", "-config", "ca.cnf", "-out", "ca.crt", cwd=d)
        issued = {}
        for n in nodes:
            ext = d / f"{n.node_name}.ext"
            ext.write_text(
                "basicConstraints = critical, CA:FALSE\n"
                "keyUsage = critical, digitalSignature, keyEncipherment\n"
                "extendedKeyUsage = serverAuth, clientAuth\n"
                f"subjectAltName = {_san_line(n.dns_names, n.ip_addresses)}\n"
            )
            _openssl("genrsa", "-traditional", "-out", f"{n.node_name}.key", "2048", cwd=d)
            _openssl("req", "-new", "-key", f"{n.node_name}.key", "-subj", f"/O={organization}/CN={n.node_name}",
                     "-config", "ca.cnf", "-out", f"{n.node_name}.csr", cwd=d)
            _openssl("x509", "-req", "-in", f"{n.node_name}.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                     "-days", "1", "-extfile", str(ext), "-out", f"{n.node_name}.crt", cwd=d)
            issued[n.node_name] = IssuedPair((d / f"{n.node_name}.crt").read_text(), (d / f"{n.node_name}.key").read_text())
        return ClusterPki(ca_cert_pem=(d / "ca.crt").read_text(), nodes=issued, source=label)
