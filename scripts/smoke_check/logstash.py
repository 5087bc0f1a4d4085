"""Send events to Logstash's TCP input as newline-delimited JSON (the ``json_lines`` codec)."""

from __future__ import annotations

import contextlib
import json
import socket
import ssl
from collections.abc import Iterable, Mapping

from .errors import TransportError
from .httpclient import describe_transport_error
from .outputs import Endpoint

DRAIN_CHUNK = 4096


def encode_ndjson(documents: Iterable[Mapping[str, object]]) -> bytes:
    """One compact JSON object per line, each ending in ``\\n`` so the codec emits it."""
    lines = (json.dumps(doc, separators=(",", ":"), ensure_ascii=False) for doc in documents)
    return "".join(f"{line}\n" for line in lines).encode("utf-8")


def send_lines(endpoint: Endpoint, payload: bytes, context: ssl.SSLContext | None, timeout: float) -> None:
    """Deliver ``payload`` over TCP, wrapped in verified TLS when the endpoint says so."""
    if endpoint.tls and context is None:
        raise TransportError("endpoint wants TLS but no CA context was given")
    try:
        with socket.create_connection((endpoint.host, endpoint.port), timeout=timeout) as raw:
            if endpoint.tls and context is not None:
                _send_tls(raw, endpoint.host, payload, context, timeout)
            else:
                raw.sendall(payload)
                _half_close_and_drain(raw)
    except OSError as exc:  # ssl.SSLError is an OSError
        where = f"tcp{'+tls' if endpoint.tls else ''}://{endpoint.host}:{endpoint.port}"
        raise TransportError(f"{where}: {describe_transport_error(exc, timeout)}") from exc


def _send_tls(raw: socket.socket, host: str, payload: bytes, context: ssl.SSLContext, timeout: float) -> None:
    """Handshake (verifying CA and host name), send, then end the session cleanly."""
    with context.wrap_socket(raw, server_hostname=host) as tls:
        tls.sendall(payload)
        _send_close_notify(tls)
        tls.settimeout(timeout)
        _half_close_and_drain(tls)


def _send_close_notify(tls: ssl.SSLSocket) -> None:
    """Tell the server the TLS stream ended on purpose, without waiting for its reply.

    Without close_notify Logstash sees a truncated TLS stream and logs an error; waiting for
    the reply could hang, since TLS 1.3 peers (Java's included) need not answer one.
    """
    tls.setblocking(False)
    with contextlib.suppress(ssl.SSLError, OSError):
        tls.unwrap()


def _half_close_and_drain(sock: socket.socket) -> None:
    """Send FIN, then read until the server closes.

    Closing with unread bytes in the receive buffer (such as TLS 1.3 session tickets) makes
    the kernel send a reset, which can throw away events the server has not read yet.
    Waiting for the server's close also means Logstash has consumed every line.
    """
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_WR)
        while sock.recv(DRAIN_CHUNK):
            pass
