"""A tiny HTTPS client for a real node on loopback that verifies the certificate under a DNS SAN.

The nodes listen on 127.0.0.1 but the project's clients reach them by name (``es01``, the
container name, the public host): the TCP connection goes to loopback while TLS verifies the
certificate chain against the CA *and* the host name ``server_name``, as those clients would.
"""

from __future__ import annotations

import base64
import http.client
import json
import socket
import ssl
from dataclasses import dataclass, field
from typing import Any


class _LoopbackHttps(http.client.HTTPSConnection):
    def __init__(self, address: str, port: int, server_name: str, context: ssl.SSLContext, timeout: float) -> None:
        super().__init__(server_name, port, context=context, timeout=timeout)
        self._address = address
        self._ctx = context

    def connect(self) -> None:
        raw = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._ctx.wrap_socket(raw, server_hostname=self.host)


@dataclass(frozen=True)
class Response:
    status: int
    body: Any
    """Parsed JSON when the answer is JSON, else the text."""


@dataclass(frozen=True)
class EsClient:
    """HTTPS to one node as one user; the repr leaves out the password (and the CA PEM)."""

    port: int
    server_name: str
    ca_pem: str = field(repr=False)
    username: str
    password: str = field(repr=False)
    address: str = "127.0.0.1"
    timeout: float = 30.0

    def context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(cadata=self.ca_pem)
        ctx.check_hostname = True
        ctx.verify_mode = ssl.CERT_REQUIRED
        return ctx

    def with_password(self, password: str) -> EsClient:
        return EsClient(self.port, self.server_name, self.ca_pem, self.username, password, self.address, self.timeout)

    def request(self, method: str, path: str, body: object = None, *, ndjson: str | None = None) -> Response:
        conn = _LoopbackHttps(self.address, self.port, self.server_name, self.context(), self.timeout)
        token = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        headers = {"Authorization": f"Basic {token}", "Accept": "application/json"}
        payload: bytes | None = None
        if ndjson is not None:
            payload, headers["Content-Type"] = ndjson.encode(), "application/x-ndjson"
        elif body is not None:
            payload, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        try:
            conn.request(method, path, body=payload, headers=headers)
            answer = conn.getresponse()
            text = answer.read().decode()
        finally:
            conn.close()
        try:
            parsed: Any = json.loads(text) if text else None
        except json.JSONDecodeError:
            parsed = text
        return Response(answer.status, parsed)
