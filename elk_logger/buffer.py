"""The bounded in-memory buffer between application threads and the delivery worker.

Why not ``queue.Queue``: it bounds only the count, and its ``put`` takes a condition and
notifies on every call. Here the app thread appends under one short lock and wakes the worker
only when a batch starts or fills; the worker takes a whole batch with one list swap. Count and
bytes include events already handed to the worker but not yet delivered (or acknowledged), so
the limits bound all memory the client holds.

An event is either its framed bytes or, from ``ElkHandler.handle``'s fast path, an *unrendered*
item: a tuple whose first element says which renderer makes its line and whose second is an upper
bound of its size (see :mod:`elk_logger.line_makers`). It counts with that bound until the worker renders it
(:meth:`EventBuffer.rendered` then puts the true size in its place), so the byte limit holds either way.

Overflow policy: when full, the *new* event is dropped and counted (``dropped``). Older events
keep their place, so what is delivered is always an unbroken prefix of what was logged, and in
acknowledged mode no event that was accepted is ever lost.
"""

from __future__ import annotations

import bisect
import itertools
import threading
import time
from dataclasses import dataclass

Item = bytes | tuple
"""Framed bytes, or an unrendered ``(shape, size bound, ...)`` tuple."""


def item_size(item: Item) -> int:
    """Bytes an item counts for in the limits (an unrendered one: its bound)."""
    return len(item) if type(item) is bytes else item[1]  # type: ignore[return-value]


@dataclass(frozen=True)
class BufferState:
    """A consistent snapshot of the counters."""

    events: int
    bytes: int
    pending: int
    dropped: int


class EventBuffer:
    """Bounded FIFO of framed events; many producers, one consumer (the worker)."""

    def __init__(self, max_events: int, max_bytes: int, batch_events: int, batch_bytes: int) -> None:
        self.max_events = max_events
        self.max_bytes = max_bytes
        self.batch_events = batch_events
        self.batch_bytes = batch_bytes
        self._init_state()

    def _init_state(self) -> None:
        self._lock = threading.Lock()
        self._ready = threading.Condition(self._lock)  # worker waits: data, full batch or close
        self._empty = threading.Condition(self._lock)  # flush waits: everything delivered
        self._pending: list[Item] = []
        self._pending_bytes = 0
        self._pending_since = 0.0
        self._events = 0  # pending + taken-but-undelivered
        self._bytes = 0
        self._dropped = 0
        self._urgent = False

    def reset_after_fork(self) -> None:
        """Fresh locks and an empty buffer: the parent still owns and sends what it had."""
        self._init_state()

    # -- producers ---------------------------------------------------------------------------------

    def put(self, item: Item, size: int) -> bool:
        """Append one event of ``size`` bytes (for an unrendered one, its bound); ``False`` (and counted) when full."""
        lock = self._lock
        lock.acquire()  # not ``with``: this runs on every logging call, and every counter is read and written once
        try:
            events, total = self._events, self._bytes + size
            if events >= self.max_events or total > self.max_bytes:
                self._dropped += 1
                return False
            self._events, self._bytes = events + 1, total
            pending = self._pending
            pending.append(item)
            pending_bytes = self._pending_bytes + size
            self._pending_bytes = pending_bytes
            count = len(pending)
            if count == 1:
                self._pending_since = time.monotonic()
                self._ready.notify()
            elif count == self.batch_events or pending_bytes - size < self.batch_bytes <= pending_bytes:
                self._ready.notify()
        finally:
            lock.release()
        return True

    # -- the worker --------------------------------------------------------------------------------

    def take(self, linger: float, stop: threading.Event) -> list[Item]:
        """Block until a batch is due, then remove and return it (``[]`` once ``stop`` is set and nothing is due).

        A batch is due when it is full (events or bytes), when its oldest event waited ``linger``
        seconds, when a flush was requested, or when ``stop`` is set (closing: send all now).
        """
        with self._lock:
            while True:
                count = len(self._pending)
                if count and (stop.is_set() or self._urgent or count >= self.batch_events
                              or self._pending_bytes >= self.batch_bytes):
                    break
                if stop.is_set():
                    return []
                if count:
                    remaining = self._pending_since + linger - time.monotonic()
                    if remaining <= 0:
                        break
                    self._ready.wait(remaining)
                else:
                    self._urgent = False
                    self._ready.wait()
            return self._cut_batch()

    def _cut_batch(self) -> list[Item]:
        pending = self._pending
        if len(pending) <= self.batch_events and self._pending_bytes <= self.batch_bytes:
            batch, self._pending, self._pending_bytes = pending, [], 0
        else:
            ends = list(itertools.accumulate(map(item_size, pending[:self.batch_events])))
            size = max(1, bisect.bisect_right(ends, self.batch_bytes))
            batch, self._pending = pending[:size], pending[size:]
            self._pending_bytes -= ends[size - 1]
            self._pending_since = time.monotonic()
        if not self._pending:
            self._urgent = False
        return batch

    def rendered(self, saved: int, failed: int = 0) -> None:
        """Taken items were rendered: they count ``saved`` bytes fewer now (their true size, not their bound);
        ``failed`` of them could not be and are gone (their bytes are in ``saved``)."""
        if saved or failed:
            with self._lock:
                self._bytes -= saved
                self._events -= failed
                if failed and self._events == 0:
                    self._empty.notify_all()

    def settle(self, events: int, size: int) -> None:
        """``events`` taken earlier were delivered (or given up): free their room."""
        with self._lock:
            self._events -= events
            self._bytes -= size
            if self._events == 0:
                self._empty.notify_all()

    # -- control -----------------------------------------------------------------------------------

    def wake(self, urgent: bool = True) -> None:
        """Make the worker look now (close, flush); ``urgent`` sends a partial batch at once."""
        with self._lock:
            if urgent and self._pending:
                self._urgent = True
            self._ready.notify()

    def wait_empty(self, timeout: float) -> bool:
        """Block until every buffered event was delivered, or ``timeout``; ``True`` when empty."""
        with self._lock:
            return self._empty.wait_for(lambda: self._events == 0, timeout)

    def state(self) -> BufferState:
        with self._lock:
            return BufferState(self._events, self._bytes, len(self._pending), self._dropped)

