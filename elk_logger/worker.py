"""The background thread of one handler: take a batch, (re)connect, deliver, back off on failure.

Why a single thread owns the socket: ordering and retry bookkeeping stay simple, and the
application thread never touches the network. The thread blocks on the buffer's condition
(with the time left until the next batch is due), on the socket, or in a back-off wait; it
never polls. A batch that failed is kept (it still counts against the buffer's limits) and is
sent again, first, once a connection is back.

Events the handler's fast path queued unrendered are joined into lines here, right after they
are taken (``render``, :meth:`elk_logger.record_lines.RecordLines.render`): the caller paid only for
checking and quoting them.
"""

from __future__ import annotations

import itertools
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from .backoff import Backoff
from .buffer import EventBuffer, Item
from .config import ElkConfig
from .connection import Connector
from .diagnostics import Diagnostics
from .transport import BeatsSender, JsonLinesSender, Sender, TransportError

_thread_numbers = itertools.count(1)


@dataclass
class DeliveryStats:
    """Written by the worker thread only; read by anyone (plain ints)."""

    delivered: int = 0
    connections: int = 0
    failed_sends: int = 0
    resent: int = 0
    render_failures: int = 0


def make_sender(config: ElkConfig) -> Sender:
    if config.mode == "beats":
        return BeatsSender(config.write_timeout, config.ack_timeout, config.compression_level)
    return JsonLinesSender(config.write_timeout)


class DeliveryWorker:
    """Drains one :class:`EventBuffer` to Logstash until stopped."""

    def __init__(self, buffer: EventBuffer, connector: Connector, config: ElkConfig, diagnostics: Diagnostics,
                 render: Callable[[list[Item]], tuple[list[bytes], int, list[Exception]]]) -> None:
        self.buffer = buffer
        self._render = render
        self.connector = connector
        self.config = config
        self.diagnostics = diagnostics
        self.stats = DeliveryStats()
        self._sender = make_sender(config)
        self._backoff = Backoff(config.backoff_initial, config.backoff_max)
        self._stop = threading.Event()
        self._interrupt = threading.Event()
        self._deadline: float | None = None
        self._sock: socket.socket | None = None
        self._retry: list[bytes] = []
        self._reported_drops = 0
        self._thread = threading.Thread(target=self._run, name=f"elk-logger-{next(_thread_numbers)}", daemon=True)

    # -- control (any thread) ----------------------------------------------------------------------

    def start(self) -> None:
        self._thread.start()

    def stop(self, deadline: float) -> None:
        """Deliver what is buffered until ``deadline`` (monotonic), then exit."""
        self._deadline = deadline
        self._stop.set()
        self._interrupt.set()
        self.buffer.wake()

    def join(self, timeout: float) -> bool:
        """``True`` when the thread ended within ``timeout``."""
        if self._thread.ident is None:
            return True
        self._thread.join(max(0.0, timeout))
        return not self._thread.is_alive()

    def abandon_after_fork(self) -> None:
        """In a forked child: this thread does not exist here; close our copy of the socket only."""
        sock, self._sock = self._sock, None
        if sock is not None:
            try:
                sock.close()  # closes the child's descriptor; the parent's connection stays open
            except OSError:
                pass

    # -- the thread --------------------------------------------------------------------------------

    def _run(self) -> None:
        try:
            self._loop()
        except BaseException as exc:  # the thread must not die silently
            self.diagnostics.report("worker", f"delivery thread stopped unexpectedly: {exc!r}", force=True)
        finally:
            self._close_socket()

    def _loop(self) -> None:
        while True:
            batch = self._retry or self._take()
            self._retry = []
            if not batch:
                return
            if self._closing() and self._deadline_passed():
                self._retry = batch  # still counted in the buffer: reported as undelivered
                return
            self._deliver(batch)
            self._report_drops()

    def _take(self) -> list[bytes]:
        """The next batch, rendered (the buffer then counts the true sizes); ``[]`` only when stopping."""
        while True:
            items = self.buffer.take(self.config.flush_interval, self._stop)
            if not items:
                return []
            batch, saved, errors = self._render(items)
            self.buffer.rendered(saved, len(errors))
            if errors:
                self.stats.render_failures += len(errors)
                self.diagnostics.report("render", f"{len(errors)} events could not be rendered and were dropped ({errors[0]!r}): "
                                        "a bug in elk_logger, counted in stats().render_failures", force=True)
            if batch:
                return batch

    def _deliver(self, batch: list[bytes]) -> None:
        try:
            sock = self._connection()
        except OSError as exc:
            self._retry = batch
            self.diagnostics.report("connect", f"cannot connect ({exc}); {self.buffer.state().events} events buffered")
            self._pause()
            return
        try:
            self._sender.deliver(sock, batch, self._deadline if self._closing() else None)
        except Exception as exc:  # TransportError, or anything unforeseen: keep the batch, reconnect, retry
            delivered = exc.delivered if isinstance(exc, TransportError) else 0
            done = batch[:delivered]
            self._settle(done)
            self._retry = batch[delivered:]
            self.stats.failed_sends += 1
            self.stats.resent += len(self._retry)
            self._close_socket()
            host, port = self.connector.current
            self.diagnostics.report("send", f"sending to {host}:{port} failed: {exc}; {len(self._retry)} events will be sent again")
            self._pause()
            return
        self._settle(batch)
        self._backoff.reset()

    def _settle(self, events: list[bytes]) -> None:
        if events:
            self.buffer.settle(len(events), sum(map(len, events)))
            self.stats.delivered += len(events)

    def _connection(self) -> socket.socket:
        if self._sock is None:
            timeout = self.config.connect_timeout
            if self._closing() and self._deadline is not None:
                timeout = min(timeout, self._deadline - time.monotonic())
            if timeout <= 0:
                raise OSError("close deadline reached")
            self._sock = self.connector.open(timeout)
            self.stats.connections += 1
        return self._sock

    def _pause(self) -> None:
        delay = self._backoff.next_delay()
        if not self._closing():
            self._interrupt.wait(delay)
            return
        if self._deadline is not None:
            delay = min(delay, self._deadline - time.monotonic())
        if delay > 0:
            time.sleep(delay)  # bounded by the close deadline; nothing else is waited for now

    def _closing(self) -> bool:
        return self._stop.is_set()

    def _deadline_passed(self) -> bool:
        return self._deadline is not None and time.monotonic() >= self._deadline

    def _report_drops(self) -> None:
        dropped = self.buffer.state().dropped
        if dropped > self._reported_drops:
            if self.diagnostics.report(
                "overflow",
                f"buffer full ({self.buffer.max_events} events / {self.buffer.max_bytes} bytes): "
                f"{dropped} new events dropped so far",
            ):
                self._reported_drops = dropped

    def _close_socket(self) -> None:
        sock, self._sock = self._sock, None
        if sock is not None:
            try:
                sock.close()
            except OSError:
                pass
