"""Sending one batch over an open connection, in each of the two modes.

``json_lines`` (Logstash ``tcp`` input, port 5000): the receiver never answers, so "delivered"
means "handed to the kernel". Before each write the connection is checked for a close or reset
by the receiver; a write that fails is retried whole on the next connection. What can still be
lost when the receiver dies: events of earlier batches that sat unread in the receiver's socket
buffer (or its in-memory pipeline) at that moment - this client cannot see that window, which
is why ``beats`` mode exists.

``beats`` (Logstash ``beats`` input, port 5044, Lumberjack v2): a batch is sent as one window
and is delivered only as far as the receiver acknowledged it; the rest is sent again.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Sequence
from typing import Protocol

from . import lumberjack
from .connection import peer_closed


class TransportError(Exception):
    """The batch did not go through; ``delivered`` leading events of it did (acknowledged or written)."""

    def __init__(self, message: str, delivered: int = 0) -> None:
        super().__init__(message)
        self.delivered = delivered


class Sender(Protocol):
    def deliver(self, sock: socket.socket, batch: Sequence[bytes], deadline: float | None) -> None:
        """Deliver every event of ``batch`` or raise :class:`TransportError`."""


def _remaining(limit: float, deadline: float | None) -> float:
    if deadline is None:
        return limit
    return min(limit, deadline - time.monotonic())


def send_all(sock: socket.socket, data: bytes, write_timeout: float, deadline: float | None) -> None:
    """``sendall`` bounded by ``write_timeout`` and the close deadline; ``TransportError`` on any failure."""
    timeout = _remaining(write_timeout, deadline)
    if timeout <= 0:
        raise TransportError("close deadline reached before the write")
    try:
        sock.settimeout(timeout)
        sock.sendall(data)
    except TimeoutError as exc:
        raise TransportError(f"write made no progress for {timeout:.1f} s (receiver stalled)") from exc
    except OSError as exc:
        raise TransportError(f"write failed: {exc}") from exc


class JsonLinesSender:
    """Newline-delimited JSON, unacknowledged."""

    def __init__(self, write_timeout: float) -> None:
        self.write_timeout = write_timeout

    def deliver(self, sock: socket.socket, batch: Sequence[bytes], deadline: float | None) -> None:
        if peer_closed(sock):
            raise TransportError("receiver closed the connection")
        send_all(sock, b"".join(batch), self.write_timeout, deadline)


class BeatsSender:
    """Lumberjack v2: one window per batch, delivered as far as the ACKs go."""

    def __init__(self, write_timeout: float, ack_timeout: float, compression_level: int) -> None:
        self.write_timeout = write_timeout
        self.ack_timeout = ack_timeout
        self.compression_level = compression_level
        self.headers = lumberjack.FrameHeaders()

    def deliver(self, sock: socket.socket, batch: Sequence[bytes], deadline: float | None) -> None:
        count = len(batch)
        send_all(sock, lumberjack.encode_batch(self.headers, batch, self.compression_level), self.write_timeout, deadline)
        reader = lumberjack.AckReader()
        acked = 0
        quiet_since = time.monotonic()
        while acked < count:
            wait = _remaining(quiet_since + self.ack_timeout - time.monotonic(), deadline)
            if wait <= 0:
                raise TransportError(f"no acknowledgement for {self.ack_timeout:.0f} s or close deadline reached", acked)
            try:
                sock.settimeout(wait)
                data = sock.recv(65536)
            except TimeoutError:
                continue
            except OSError as exc:
                raise TransportError(f"reading acknowledgements failed: {exc}", acked) from exc
            if not data:
                raise TransportError("receiver closed the connection before acknowledging the batch", acked)
            try:
                seqs = reader.feed(data)
            except lumberjack.ProtocolError as exc:
                raise TransportError(str(exc), acked) from exc
            if seqs:
                quiet_since = time.monotonic()
            for seq in seqs:
                if seq > count:
                    raise TransportError(f"acknowledgement for event {seq} of a {count}-event window", acked)
                acked = max(acked, seq)  # 0 = keep-alive: the receiver is still working on the batch
