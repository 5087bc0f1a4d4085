"""What a handler did with the events it was given, for dashboards and for tests."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HandlerStats:
    """A snapshot; every "dropped"/"rejected" counter is an event that will never reach Logstash."""

    queued: int
    """Buffered now: not yet delivered (json_lines: not yet written; beats: not yet acknowledged)."""
    queued_bytes: int
    delivered: int
    """Written to the socket (json_lines) or acknowledged by Logstash (beats)."""
    dropped_overflow: int
    """Refused because the buffer was full (count or bytes)."""
    dropped_after_close: int
    """Logged after ``close()``."""
    truncated: int
    """Shrunk to fit ``max_event_bytes`` (long strings cut, tagged ``_elk_logger_truncated``)."""
    rejected_oversize: int
    """Could not be shrunk below ``max_event_bytes`` (not sent)."""
    encode_fallbacks: int
    """Events whose fields could not be encoded; sent with the envelope and message only."""
    connections: int
    """Connections opened (1 + reconnects)."""
    failed_sends: int
    """Batches whose write (or acknowledgement) failed; their events were sent again."""
    resent: int
    """Events sent again after a failed batch (json_lines: possible duplicates, de-duplicate on ``event.id``)."""
    render_failures: int
    """Events queued by the standard-logging fast path whose line could not be made on the worker (a bug; dropped)."""
    undelivered_at_close: int | None
    """Events still buffered when ``close()`` gave up (``None`` before close)."""
