"""Python logging client for the MT4 ELK stack (the seed's ``LoggerFactory`` / ``ELKLogger``).

Standard library only. See ``elk_logger/README.md`` for the delivery guarantees of each mode.
"""

from __future__ import annotations

from .bridge import ELKMarketDataBridge
from .config import BEATS_PORT, DEFAULT_REDACT_KEYS, JSON_LINES_PORT, ElkConfig
from .factory import LoggerFactory
from .handler import ElkHandler
from .stats import HandlerStats
from .structured import ELKLogger

__all__ = [
    "BEATS_PORT",
    "DEFAULT_REDACT_KEYS",
    "ELKLogger",
    "ELKMarketDataBridge",
    "ElkConfig",
    "ElkHandler",
    "HandlerStats",
    "JSON_LINES_PORT",
    "LoggerFactory",
]
