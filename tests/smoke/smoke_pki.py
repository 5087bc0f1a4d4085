"""A throwaway CA and a 127.0.0.1 server certificate, made with the openssl CLI.

Own config files (not the system openssl.cnf) keep the extensions deterministic: a proper CA
(basicConstraints critical, keyCertSign, key identifiers) and a server certificate whose SAN
holds IP:127.0.0.1, so the smoke check's strict hostname verification has something real to
verify.
"""

from __future__ import annotations

import secrets
import ssl
import subprocess
from dataclasses import dataclass
from pathlib import Path

CA_CONFIG = """\
[req]
distinguished_name = dn
prompt = no
x509_extensions = v3_ca
[dn]
CN = {name}
[v3_ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
"""

SERVER_CONFIG = """\
[req]
distinguished_name = dn
prompt = no
[dn]
CN = localhost
[v3_server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
"""

EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]


@dataclass(frozen=True)
class Pki:
    """CA certificate (PEM text) and the server key pair it signed."""

    ca_pem: str
    server_cert: Path
    server_key: Path

    def server_context(self) -> ssl.SSLContext:
        """A TLS server context presenting the server certificate."""
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.server_cert, self.server_key)
        return context


def _openssl(directory: Path, *args: str) -> None:
    """Run openssl in ``directory``; fail loudly with its stderr."""
    subprocess.run(["openssl", *args], cwd=directory, check=True, capture_output=True, text=True, timeout=30)


def make_pki(directory: Path, name: str) -> Pki:
    """Create ``ca.pem`` and ``server.pem``/``server.key`` under ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "ca.cnf").write_text(CA_CONFIG.format(name=name))
    (directory / "server.cnf").write_text(SERVER_CONFIG)
    _openssl(directory, "req", "-x509", "-config", "ca.cnf", *EC_KEY, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2")
    _openssl(directory, "req", "-new", "-config", "server.cnf", *EC_KEY, "-keyout", "server.key", "-out", "server.csr")
    _openssl(
        directory, "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-set_serial", f"0x{secrets.token_hex(8)}", "-days", "2",
        "-extfile", "server.cnf", "-extensions", "v3_server", "-out", "server.pem",
    )  # fmt: skip
    return Pki((directory / "ca.pem").read_text(), directory / "server.pem", directory / "server.key")
