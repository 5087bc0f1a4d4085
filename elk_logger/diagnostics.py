"""The client's own messages: to stderr, rate-limited per kind, never through ``logging``.

Why not ``logging``: a message about a failing connection, logged through the handler that
owns that connection, would queue behind the failure it reports (or loop). Why rate-limited:
a receiver that is down for an hour must not print a line per reconnect attempt.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO


class Diagnostics:
    """At most one line per ``key`` per ``interval`` seconds; later ones are counted and mentioned."""

    def __init__(self, interval: float, stream: TextIO | None = None, prefix: str = "elk_logger") -> None:
        self.interval = interval
        self.stream = stream
        self.prefix = prefix
        self._lock = threading.Lock()
        self._last: dict[str, float] = {}
        self._suppressed: dict[str, int] = {}

    def report(self, key: str, message: str, *, force: bool = False) -> bool:
        """Write ``message`` unless one of the same ``key`` was written recently; ``True`` if written."""
        now = time.monotonic()
        with self._lock:
            last = self._last.get(key)
            if not force and last is not None and now - last < self.interval:
                self._suppressed[key] = self._suppressed.get(key, 0) + 1
                return False
            self._last[key] = now
            skipped = self._suppressed.pop(key, 0)
        suffix = f" ({skipped} similar messages suppressed)" if skipped else ""
        try:
            stream = self.stream or sys.stderr
            stream.write(f"{self.prefix}: {message}{suffix}\n")
            stream.flush()
        except Exception:
            return False
        return True
