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
import weakref
from collections.abc import Sequence
from typing import ClassVar

from .config import ElkConfig, Mode, check_setting_names, default_port, parse_host, parse_port
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
    _retired: ClassVar[ElkHandler | None] = None
    """The handler closed by the last ``shutdown()``: its final counters stay readable through ``stats()``."""
    _owned: ClassVar[weakref.WeakSet[logging.Handler]] = weakref.WeakSet()
    """Every handler the factory attached (current or not), so reconfiguring removes exactly those."""

    @classmethod
    def configure(cls, logstash_host: str | None = None, logstash_port: int | str | None = None, console_output: bool = True,
                  level: int | str = "INFO", *, logstash_hosts: Sequence[str | tuple[str, int]] | None = None,
                  mode: Mode | None = None, config: ElkConfig | None = None, **settings: object) -> ElkHandler:
        """Set where and how every ELK logger sends; returns the (new) handler.

        ``logstash_hosts`` (``["ls1:5000", "ls2:5000"]``) replaces ``logstash_host``/``logstash_port``
        and enables failover. ``mode="beats"`` sends acknowledged (port 5044 by default). Any
        other :class:`ElkConfig` setting can be passed by name (``tls=True``, ``tls_ca_file=...``),
        or a whole ``config`` (whose hosts and mode apply unless given here). Default: localhost:5000.
        """
        check_setting_names(settings, _CONFIGURE_ARGUMENTS)
        if "hosts" in settings:  # ElkConfig's own name for logstash_hosts
            given = settings.pop("hosts")
            logstash_hosts = logstash_hosts or given  # type: ignore[assignment]
        levelno = _level_number(level)
        base = config or ElkConfig()
        mode = mode or base.mode
        hosts = _hosts(logstash_host, logstash_port, logstash_hosts, mode, base if config is not None else None)
        handler = ElkHandler(base.replace(hosts=hosts, mode=mode, **settings))
        cls._owned.add(handler)
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
        """Counters of the current handler; after ``shutdown()``, the final ones of the closed handler."""
        handler = cls._handler or cls._retired
        return handler.stats() if handler is not None else None

    @classmethod
    def shutdown(cls, timeout: float | None = None) -> int:
        """Deliver what is buffered (within ``timeout``), close; the undelivered count.

        The closed handler stays on the factory's loggers so that anything logged later is not
        silently lost: the first such event is reported on stderr and all are counted in
        ``stats().dropped_after_close``. ``configure()`` again replaces it.
        """
        with cls._lock:
            handler, console = cls._handler, cls._console
            for elk_logger in cls._loggers.values():
                if console is not None:
                    elk_logger.logger.removeHandler(console)
                elk_logger.bind(None)
            cls._handler, cls._console = None, None
            cls._retired = handler
            cls._loggers.clear()
        if console is not None:
            console.close()
        return handler.close(timeout) if handler is not None else 0

    @classmethod
    def _attach(cls, elk_logger: ELKLogger, old: ElkHandler | None) -> None:
        """Point ``elk_logger``'s stdlib logger at the current handlers (replacing the factory's previous ones)."""
        logger = elk_logger.logger
        for existing in list(logger.handlers):
            if existing is old or existing in cls._owned or getattr(existing, "_elk_console", False):
                logger.removeHandler(existing)
        handler = cls._handler
        if handler is not None:
            logger.addHandler(handler)
        if cls._console is not None:
            logger.addHandler(cls._console)
        logger.setLevel(cls._level)
        logger.propagate = False
        elk_logger.bind(handler)


_CONFIGURE_ARGUMENTS = ("logstash_host", "logstash_port", "logstash_hosts", "console_output", "level", "mode", "config")


def _level_number(level: int | str) -> int:
    levelno = logging.getLevelName(str(level).upper()) if isinstance(level, str) else level
    if not isinstance(levelno, int) or isinstance(levelno, bool):
        raise ValueError(f"invalid elk_logger configuration: level: unknown log level {level!r}")
    return levelno


def _hosts(logstash_host: str | None, logstash_port: int | str | None, logstash_hosts: Sequence[str | tuple[str, int]] | None,
           mode: Mode, config: ElkConfig | None) -> tuple[tuple[str, int], ...]:
    """Where to send: ``logstash_hosts``, else ``logstash_host``/``logstash_port`` (either may be omitted,
    ``"host:port"`` is read as meant), else the given config's hosts, else localhost and the mode's port."""
    port = parse_port(logstash_port, "logstash_port") if logstash_port is not None else None
    if logstash_hosts:
        if isinstance(logstash_hosts, str):
            logstash_hosts = [logstash_hosts]
        return tuple(parse_host(h, port or default_port(mode)) for h in logstash_hosts)
    if logstash_host is None and port is None and config is not None:
        return config.hosts
    if logstash_host is not None and not isinstance(logstash_host, str):
        raise ValueError(f"invalid elk_logger configuration: logstash_host: must be text, got {logstash_host!r}")
    host, named_port = parse_host(logstash_host or "localhost", 0, "logstash_host")
    if named_port and port is not None and named_port != port:
        raise ValueError(f"invalid elk_logger configuration: logstash_host: {logstash_host!r} names port {named_port} "
                         f"but logstash_port is {port}")
    return ((host, named_port or port or default_port(mode)),)


def _console_handler() -> logging.Handler:
    console = logging.StreamHandler(sys.stderr)
    console.setFormatter(logging.Formatter(CONSOLE_FORMAT))
    console._elk_console = True  # type: ignore[attr-defined]
    return console
