"""``@timestamp`` text: UTC, milliseconds, ``Z`` (``2024-01-15T10:30:45.123Z``), as the seed shows.

Why a cache: ``strftime`` is most of the cost and its output changes once a second, so the
second's prefix is kept and only the milliseconds are formatted per event; at high rates many
records share one millisecond, so the last text is kept too.
"""

from __future__ import annotations

import time


class UtcMillis:
    """Formats epoch times; safe to share between threads (the cache is one tuple, swapped whole)."""

    def __init__(self) -> None:
        self._cache: tuple[int, str] = (-1, "")
        self._last: tuple[int, str] = (-1, "")  # (epoch milliseconds, text): records of one millisecond share it

    def _prefix(self, second: int) -> str:
        cache = self._cache
        if cache[0] != second:
            cache = (second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second)))
            self._cache = cache
        return cache[1]

    def from_ns(self, epoch_ns: int) -> str:
        """Exact formatting of ``time.time_ns()`` (no float rounding)."""
        second, rest = divmod(epoch_ns, 1_000_000_000)
        return f"{self._prefix(second)}.{rest // 1_000_000:03d}Z"

    def from_seconds(self, epoch: float) -> str:
        """Formatting of a ``LogRecord.created``; milliseconds as the stdlib's ``record.msecs``."""
        second = int(epoch)
        millis = int((epoch - second) * 1000)
        if millis > 999:
            millis = 999
        key = second * 1000 + millis
        last = self._last
        if last[0] == key:
            return last[1]
        text = f"{self._prefix(second)}.{millis:03d}Z"
        self._last = (key, text)
        return text
