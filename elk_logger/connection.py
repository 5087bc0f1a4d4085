"""Opening the one persistent connection: host list with failover, optional TLS.

Why the worker keeps one connection: a connection per batch (python-logstash-async's way) pays
a handshake per batch, and with TLS that dominates. Why the list rotates only on failure: all
clients stick to a healthy node, and move on when it stops answering.
"""

from __future__ import annotations

import os
import select
import socket
import ssl

from .config import ElkConfig, config_error


def make_tls_context(config: ElkConfig) -> ssl.SSLContext:
    """Client context: TLS >= 1.2, server verified against ``tls_ca_file`` (or the system store).

    Every file is read here, when the handler is built: a wrong path fails at ``configure()``
    with the setting and the path named, not later in the delivery thread.
    """
    for setting in ("tls_ca_file", "tls_cert_file", "tls_key_file"):
        path = getattr(config, setting)
        if path is not None and not os.path.isfile(path):
            reason = "is not a file" if os.path.exists(path) else "does not exist"
            raise config_error(f"{setting}: {os.fspath(path)!r} {reason}")
    try:
        context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=config.tls_ca_file)
    except (OSError, ssl.SSLError) as exc:
        source = f"tls_ca_file: {config.tls_ca_file!r}" if config.tls_ca_file else "the system CA store"
        raise config_error(f"{source} could not be loaded ({exc})") from None
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    if not config.tls_verify:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if config.tls_cert_file:
        try:
            context.load_cert_chain(config.tls_cert_file, config.tls_key_file)
        except (OSError, ssl.SSLError) as exc:
            files = f"tls_cert_file: {config.tls_cert_file!r}"
            if config.tls_key_file:
                files += f" / tls_key_file: {config.tls_key_file!r}"
            raise config_error(f"{files} could not be loaded as a certificate and its key ({exc})") from None
    return context


class Connector:
    """Opens a connection to the first host that answers, starting from the last good one."""

    def __init__(self, config: ElkConfig) -> None:
        self.hosts = list(config.hosts)
        self.connect_timeout = config.connect_timeout
        self.server_hostname = config.tls_server_hostname
        self.tls = make_tls_context(config) if config.tls else None
        self._index = 0

    @property
    def current(self) -> tuple[str, int]:
        return self.hosts[self._index]

    def open(self, timeout: float) -> socket.socket:
        """A connected (and TLS-wrapped) socket; ``OSError`` naming each host's failure when none answers."""
        errors: list[str] = []
        for attempt in range(len(self.hosts)):
            index = (self._index + attempt) % len(self.hosts)
            host, port = self.hosts[index]
            try:
                sock = self._connect(host, port, max(0.05, min(timeout, self.connect_timeout)))
            except (OSError, ssl.SSLError) as exc:
                errors.append(f"{host}:{port}: {exc}")
                continue
            self._index = index
            return sock
        self._index = (self._index + 1) % len(self.hosts)
        raise OSError("no Logstash host reachable (" + "; ".join(errors) + ")")

    def _connect(self, host: str, port: int, timeout: float) -> socket.socket:
        raw = socket.create_connection((host, port), timeout=timeout)
        try:
            raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            raw.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
            if self.tls is None:
                return raw
            return self.tls.wrap_socket(raw, server_hostname=self.server_hostname or host)
        except BaseException:
            raw.close()
            raise


def peer_closed(sock: socket.socket) -> bool:
    """``True`` when the receiver closed or reset the connection (it never sends data otherwise).

    Checked before each write: a write into a connection the peer already closed "succeeds"
    locally and the data is lost, so this narrows the json_lines loss window to a race.
    """
    try:
        if not _readable(sock):
            return False
    except (OSError, ValueError):
        return True
    previous = sock.gettimeout()
    try:
        sock.settimeout(0)
        data = sock.recv(4096)
    except (BlockingIOError, ssl.SSLWantReadError, ssl.SSLWantWriteError, InterruptedError):
        return False  # e.g. a TLS 1.3 session ticket: handled inside ssl, connection alive
    except OSError:
        return True
    finally:
        try:
            sock.settimeout(previous)
        except OSError:
            pass
    return data == b""


def _readable(sock: socket.socket) -> bool:
    """Non-blocking readability (``poll``: no ``FD_SETSIZE`` limit like ``select``)."""
    if hasattr(select, "poll"):
        poller = select.poll()
        poller.register(sock, select.POLLIN | select.POLLERR | select.POLLHUP)
        return bool(poller.poll(0))
    readable, _, _ = select.select([sock], [], [], 0)
    return bool(readable)
