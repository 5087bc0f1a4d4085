"""``ElkHandler``: a ``logging.Handler`` that ships events to Logstash without blocking the caller.

``emit()`` encodes the record in the caller's thread (so later changes to the caller's objects
cannot alter what is sent, and a bad value is dealt with where it was logged) and appends the
bytes to a bounded buffer (a record of plain scalars: its checked, immutable values, joined into
the line by the worker; see :mod:`elk_logger.line_makers`); the handler's own worker thread does all network I/O. Usable on its
own with any ``logging.Logger``; :class:`~elk_logger.structured.ELKLogger` adds the seed's
structured calls on top.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import TextIO

from . import lifecycle
from .buffer import EventBuffer
from .config import ElkConfig
from .connection import Connector
from .diagnostics import Diagnostics
from .encoding import EventEncoder
from .events import FIELDS_ATTR, PLAIN_RECORD_SIZE, error_fields, keep_tail, merge_user_fields, record_extras, record_message
from .record_lines import RecordLines
from .stats import HandlerStats
from .worker import DeliveryWorker

#: Grace beyond the close deadline for the worker to notice it (its own waits honour the deadline).
_JOIN_GRACE = 0.1


class ElkHandler(logging.Handler):
    """Bounded buffer + one delivery thread + one connection, per instance."""

    def __init__(self, config: ElkConfig | None = None, *, level: int | str = logging.NOTSET,
                 diagnostics_stream: TextIO | None = None, **settings: object) -> None:
        # Everything that can fail (settings, TLS files) is built before ``Handler.__init__``
        # registers this handler with ``logging``: a refused setting leaves no half-built handler
        # behind for ``logging.shutdown`` to trip over at exit.
        config = config or ElkConfig()
        self.config = config.replace(**settings) if settings else config
        self.close_timeout = self.config.close_timeout
        self.encoder = EventEncoder(self.config)
        self.diagnostics = Diagnostics(self.config.diagnostics_interval, diagnostics_stream)
        self.connector = Connector(self.config)  # reads TLS files now: a bad path fails here, not in the thread
        self.buffer = EventBuffer(self.config.max_buffer_events, self.config.max_buffer_bytes,
                                  self.config.batch_max_events, self.config.batch_max_bytes)
        put = self.buffer.put
        self.record_lines = RecordLines(self.encoder, lambda line: put(line, len(line)), put)
        super().__init__(level)
        self._worker: DeliveryWorker | None = None
        self._worker_lock = threading.Lock()
        self._closed = False
        self._dropped_after_close = 0
        self._undelivered_at_close: int | None = None
        self._emit_overridden = type(self).emit is not ElkHandler.emit  # a subclass's emit() must still be called
        lifecycle.track(self)

    # -- logging.Handler -----------------------------------------------------------------------------

    def handle(self, record: logging.LogRecord) -> bool:  # type: ignore[override]
        """As ``Handler.handle`` minus the handler-wide lock: ``emit`` is thread-safe on its own,
        so callers in different threads never wait for each other's encoding."""
        if self.filters:
            result = self.filter(record)
            if isinstance(result, logging.LogRecord):
                record = result
            if not result:
                return False
        if self._closed:
            self._refuse_after_close()
            return True
        if self._emit_overridden:
            self.emit(record)
            return True
        try:  # emit()'s body, inlined: one call less on the path every logging call takes
            if self._worker is None:
                self._start_worker()
            if self.record_lines.submit(record) is None:  # queued, unless the generic encoder must do it
                line = self.encode_generic(record)
                if line is not None:
                    self.buffer.put(line, len(line))
        except Exception:
            self.handleError(record)
        return True

    def emit(self, record: logging.LogRecord) -> None:
        if self._closed:
            self._refuse_after_close()
            return
        try:
            if self._worker is None:
                self._start_worker()
            if self.record_lines.submit(record) is None:
                line = self.encode_generic(record)
                if line is not None:
                    self.buffer.put(line, len(line))
        except Exception:
            self.handleError(record)

    def flush(self, timeout: float | None = None) -> bool:  # type: ignore[override]
        """Send what is buffered now; with ``timeout``, wait until delivered (``True``) or not."""
        self.buffer.wake(urgent=True)
        if timeout is None:
            return self.buffer.state().events == 0
        return self.buffer.wait_empty(timeout)

    def close(self, timeout: float | None = None) -> int:  # type: ignore[override]
        """Deliver what is buffered within ``timeout`` (default ``close_timeout``), then stop.

        Returns the number of events that could not be delivered (also reported on stderr).
        """
        deadline = time.monotonic() + (self.close_timeout if timeout is None else timeout)
        self.begin_close(deadline)
        return self.finish_close(deadline)

    # -- encoding ------------------------------------------------------------------------------------

    def encode_record(self, record: logging.LogRecord) -> bytes | None:
        """The framed bytes of one ``LogRecord`` (``None`` when refused as oversized)."""
        line = self.record_lines.line(record)  # a known shape of plain scalars: fill its template
        if line is not None:
            return line
        return self.encode_generic(record)

    def encode_generic(self, record: logging.LogRecord) -> bytes | None:
        """Any record, through the sanitiser and the generic encoder (what the templates are made from)."""
        attrs = record.__dict__
        structured = attrs.get(FIELDS_ATTR)
        fields: dict[str, object] = dict(structured) if isinstance(structured, dict) else {}
        if len(attrs) > PLAIN_RECORD_SIZE:  # only then can the record carry extras
            extras = record_extras(record)
            if extras:
                fields = merge_user_fields(fields, extras) if fields else extras
        error = None
        exc_info = record.exc_info
        if exc_info and exc_info[0] is not None:
            error = error_fields(exc_info, self.config.max_stack_trace_chars)  # type: ignore[arg-type]
        elif record.stack_info:
            error = {"stack_trace": keep_tail(record.stack_info, self.config.max_stack_trace_chars)}
        encoder = self.encoder
        return encoder.encode(
            timestamp=encoder.timestamps.from_seconds(record.created), level=record.levelname, logger=record.name,
            message=record_message(record), fields=fields, thread_name=record.threadName or "", error=error,
        )

    # -- buffering -----------------------------------------------------------------------------------

    def submit(self, line: bytes) -> bool:
        """Queue one framed event for delivery; ``False`` when it was dropped (full, or closed)."""
        if self._closed:
            return self._refuse_after_close()
        if self._worker is None:
            self._start_worker()
        return self.buffer.put(line, len(line))

    def _refuse_after_close(self) -> bool:
        """Count an event logged after ``close()``; the first one is reported (never silently dropped)."""
        self._dropped_after_close += 1
        if self._dropped_after_close == 1:
            self.diagnostics.report(
                "after-close",
                "an event was logged after shutdown of this handler (LoggerFactory.shutdown() or ElkHandler.close()): "
                "it and every later one are dropped, counted in stats().dropped_after_close; configure again to log",
                force=True,
            )
        return False

    def _start_worker(self) -> None:
        with self._worker_lock:
            if self._worker is None and not self._closed:
                worker = DeliveryWorker(self.buffer, self.connector, self.config, self.diagnostics, self.record_lines.render)
                worker.start()
                self._worker = worker

    # -- lifecycle -----------------------------------------------------------------------------------

    def begin_close(self, deadline: float) -> None:
        """Refuse new events and tell the worker to deliver the rest by ``deadline``."""
        with self._worker_lock:
            if self._closed:
                return
            self._closed = True
            worker = self._worker
        if worker is not None:
            worker.stop(deadline)

    def finish_close(self, deadline: float) -> int:
        """Wait for the worker until ``deadline``; report and return what stayed undelivered."""
        if self._undelivered_at_close is not None:
            return self._undelivered_at_close
        worker = self._worker
        if worker is not None:
            worker.join(deadline - time.monotonic() + _JOIN_GRACE)
        state = self.buffer.state()
        self._undelivered_at_close = state.events
        if state.events or state.dropped:
            host, port = self.connector.current
            self.diagnostics.report(
                "close",
                f"closed with {state.events} events undelivered to {host}:{port} "
                f"({state.dropped} dropped earlier because the buffer was full)",
                force=True,
            )
        lifecycle.untrack(self)
        super().close()
        return state.events

    def after_fork_in_child(self) -> None:
        """The parent's worker thread does not exist in the child: start clean on the next event."""
        worker, self._worker = self._worker, None
        if worker is not None:
            worker.abandon_after_fork()
        self._worker_lock = threading.Lock()
        self.buffer.reset_after_fork()
        self.record_lines.reset_after_fork()

    # -- introspection -------------------------------------------------------------------------------

    def stats(self) -> HandlerStats:
        state = self.buffer.state()
        worker = self._worker
        delivery = worker.stats if worker is not None else None
        counters = self.encoder.counters
        return HandlerStats(
            queued=state.events, queued_bytes=state.bytes,
            delivered=delivery.delivered if delivery else 0,
            dropped_overflow=state.dropped, dropped_after_close=self._dropped_after_close,
            truncated=counters.truncated, rejected_oversize=counters.rejected, encode_fallbacks=counters.fallbacks,
            connections=delivery.connections if delivery else 0,
            failed_sends=delivery.failed_sends if delivery else 0,
            resent=delivery.resent if delivery else 0,
            render_failures=delivery.render_failures if delivery else 0,
            undelivered_at_close=self._undelivered_at_close,
        )

    def __repr__(self) -> str:
        host, port = self.connector.current
        return f"<ElkHandler {self.config.mode} {host}:{port} ({logging.getLevelName(self.level)})>"
