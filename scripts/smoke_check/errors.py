"""Error types, split by what the user must do about them."""

from __future__ import annotations


class SmokeError(Exception):
    """Base class so the CLI can catch every expected failure in one place."""


class OutputError(SmokeError):
    """Stack outputs are missing or malformed: a usage problem (exit 2), not a stack failure."""


class TransportError(SmokeError):
    """A service could not be reached at all (refused, TLS failure, timeout)."""
