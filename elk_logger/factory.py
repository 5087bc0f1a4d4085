"""``LoggerFactory``: the seed's process-wide entry point (``configure`` once, ``get_elk_logger`` anywhere).

The factory owns one :class:`ElkHandler` (so one buffer, one worker thread, one connection for
the whole process) and an optional console handler, and attaches both to every named logger
it hands out. Reconfiguring swaps the handlers on those loggers first and closes the old ELK
handler afterwards, so no event falls between the two.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Sequence
from typing import ClassVar

from .config import ElkConfig, Mode, default_port, parse_host
from .handler import ElkHandler
from .stats import HandlerStats
from .structured import ELKLogger

CONSOLE_FORMAT = "%(asctime)s %(levelname)-8s %(name)s: %(message)s"


class LoggerFactory:
    """Process-wide configuration of ELK logging, as in the seed's "Python Logging Integration"."""

    _lock: ClassVar[threading.RLock] = threading.RLock()
    _handler: ClassVar[ElkHandler | None] = None
    _console: ClassVar[logging.Handler | None] = None
    _level: ClassVar[int] = logging.INFO
    _loggers: ClassVar[dict[str, ELKLogger]] = {}

    @classmethod
    def configure(cls, logstash_host: str | None = None, logstash_port: int | None = None, console_output: bool = True,
                  level: int | str = "INFO", *, logstash_hosts: Sequence[str | tuple[str, int]] | None = None,
                  mode: Mode | None = None, config: ElkConfig | None = None, **settings: object) -> ElkHandler:
        """Set where and how every ELK logger sends; returns the (new) handler.

        ``logstash_hosts`` (``["ls1:5000", "ls2:5000"]``) replaces ``logstash_host``/``logstash_port``
        and enables failover. ``mode="beats"`` sends acknowledged (port 5044 by default). Any
        other :class:`ElkConfig` setting can be passed by name (``tls=True``, ``tls_ca_file=...``),
        or a whole ``config`` (whose hosts and mode apply unless given here). Default: localhost:5000.
        """
        base = config or ElkConfig()
        mode = mode or base.mode
        port = logstash_port or default_port(mode)
        if logstash_hosts:
            hosts = tuple(parse_host(h, port) for h in logstash_hosts)
        elif logstash_host is not None or logstash_port is not None or config is None:
            hosts = ((logstash_host or "localhost", port),)
        else:
            hosts = base.hosts
        handler = ElkHandler(base.replace(hosts=hosts, mode=mode, **settings))
        levelno = logging.getLevelName(str(level).upper()) if isinstance(level, str) else level
        if not isinstance(levelno, int):
            raise ValueError(f"unknown log level {level!r}")
        console = _console_handler() if console_output else None
        with cls._lock:
            old, old_console = cls._handler, cls._console
            cls._handler, cls._console, cls._level = handler, console, levelno
            for elk_logger in cls._loggers.values():
                cls._attach(elk_logger, old)
        if old_console is not None:
            old_console.close()
        if old is not None:
            old.close()
        return handler

    @classmethod
    def get_elk_logger(cls, name: str) -> ELKLogger:
        """The structured logger for ``name`` (also the ``logger`` field of its events)."""
        with cls._lock:
            found = cls._loggers.get(name)
            if found is not None:
                return found
            if cls._handler is None:
                cls.configure()
            elk_logger = ELKLogger(logging.getLogger(name))
            cls._attach(elk_logger, None)
            cls._loggers[name] = elk_logger
            return elk_logger

    @classmethod
    def handler(cls) -> ElkHandler | None:
        """The current ELK handler (``None`` before ``configure``)."""
        return cls._handler

    @classmethod
    def stats(cls) -> HandlerStats | None:
        handler = cls._handler
        return handler.stats() if handler is not None else None

    @classmethod
    def shutdown(cls, timeout: float | None = None) -> int:
        """Deliver what is buffered (within ``timeout``), detach everything; the undelivered count."""
        with cls._lock:
            handler, console = cls._handler, cls._console
            for elk_logger in cls._loggers.values():
                for attached in (handler, console):
                    if attached is not None:
                        elk_logger.logger.removeHandler(attached)
                elk_logger.bind(None)
            cls._handler, cls._console = None, None
            cls._loggers.clear()
        if console is not None:
            console.close()
        return handler.close(timeout) if handler is not None else 0

    @classmethod
    def _attach(cls, elk_logger: ELKLogger, old: ElkHandler | None) -> None:
        """Point ``elk_logger``'s stdlib logger at the current handlers (replacing the factory's previous ones)."""
        logger = elk_logger.logger
        for existing in list(logger.handlers):
            if existing is old or getattr(existing, "_elk_console", False):
                logger.removeHandler(existing)
        handler = cls._handler
        if handler is not None:
            logger.addHandler(handler)
        if cls._console is not None:
            logger.addHandler(cls._console)
        logger.setLevel(cls._level)
        logger.propagate = False
        elk_logger.bind(handler)


def _console_handler() -> logging.Handler:
    console = logging.StreamHandler(sys.stderr)
    console.setFormatter(logging.Formatter(CONSOLE_FORMAT))
    console._elk_console = True  # type: ignore[attr-defined]
    return console
