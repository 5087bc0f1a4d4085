"""``ELKLogger``: the seed's structured calls (ticks, security events, metrics) over a stdlib logger.

Every call honours the wrapped ``logging.Logger``'s level, handlers, filters and propagation.
When the :class:`ElkHandler` is the only place a record would go (the usual production set-up,
console off), the call skips building a ``LogRecord`` and hands the encoded line straight to
the handler; that is what keeps a tick at a few microseconds. Anything else (a console handler,
a filter, a custom record factory, ``stack_info``) takes the ordinary ``logging`` path, with
the structured fields on the record as ``record.elk_fields``.

No method raises: a failure inside the client is reported on stderr (rate-limited) instead.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Mapping
from typing import Any

from .diagnostics import Diagnostics
from .events import (
    FIELDS_ATTR,
    MARKET_TICK,
    PERFORMANCE,
    SECURITY,
    ExcInfo,
    error_fields,
    level_name,
    market_tick_fields,
    merge_user_fields,
    performance_fields,
    security_fields,
)
from .handler import ElkHandler
from .templates import FastEvents

_fallback_diagnostics = Diagnostics(30.0)

#: Frames between the caller and ``Logger.log`` (public method -> ``_emit``), for ``funcName``/``lineno``.
_STACKLEVEL = 3


class ELKLogger:
    """Structured logging for one component; create through ``LoggerFactory.get_elk_logger(name)``."""

    def __init__(self, logger: logging.Logger, handler: ElkHandler | None = None) -> None:
        self.logger = logger
        self.name = logger.name
        self._handler: ElkHandler | None = None
        self._fast: FastEvents | None = None
        self.bind(handler)

    def bind(self, handler: ElkHandler | None) -> None:
        """Use ``handler`` for the direct path (the factory calls this when it is reconfigured)."""
        self._handler = handler
        self._fast = FastEvents(handler.encoder, self.name) if handler is not None else None

    # -- the seed's structured events ------------------------------------------------------------------

    def log_market_tick(self, symbol: str, bid: float, ask: float, volume: int, **fields: Any) -> None:
        """``event_type: market_tick`` with ``spread = ask - bid``; tags ``market_data``, ``tick``."""
        try:
            if not self.logger.isEnabledFor(logging.INFO):
                return
            if not fields:
                handler = self._direct(logging.INFO)
                if handler is not None and self._fast is not None:
                    line = self._fast.market_tick(symbol, bid, ask, volume)
                    if line is not None:
                        handler.submit(line)
                        return
            event = merge_user_fields(market_tick_fields(symbol, bid, ask, volume), fields)
            self._emit(logging.INFO, f"{MARKET_TICK} {symbol}", (), event)
        except Exception as exc:
            self._failed("log_market_tick", exc)

    def log_security_event(self, event: str, details: Mapping[str, Any] | None = None, *,
                           level: int | str = logging.WARNING, **fields: Any) -> None:
        """``event_type: security`` (WARNING by default, as in the seed); tags ``security``, ``audit``."""
        try:
            levelno = _level_number(level)
            if self.logger.isEnabledFor(levelno):
                payload = merge_user_fields(security_fields(event, details), fields)
                self._emit(levelno, f"{SECURITY} {event}", (), payload)
        except Exception as exc:
            self._failed("log_security_event", exc)

    def log_performance_metric(self, metric: str, value: float, unit: str = "ms", **fields: Any) -> None:
        """``event_type: performance`` (routed to the metrics data streams); tags ``performance``, ``metrics``."""
        try:
            if not self.logger.isEnabledFor(logging.INFO):
                return
            if not fields:
                handler = self._direct(logging.INFO)
                if handler is not None and self._fast is not None:
                    line = self._fast.performance(metric, value, unit)
                    if line is not None:
                        handler.submit(line)
                        return
            payload = merge_user_fields(performance_fields(metric, value, unit), fields)
            self._emit(logging.INFO, f"{PERFORMANCE} {metric}", (), payload)
        except Exception as exc:
            self._failed("log_performance_metric", exc)

    # -- ordinary levels, with structured extra fields ---------------------------------------------------

    def debug(self, msg: object, *args: object, exc_info: Any = None, stack_info: bool = False,
              extra: Mapping[str, Any] | None = None, **fields: Any) -> None:
        self._log(logging.DEBUG, msg, args, exc_info, stack_info, extra, fields)

    def info(self, msg: object, *args: object, exc_info: Any = None, stack_info: bool = False,
             extra: Mapping[str, Any] | None = None, **fields: Any) -> None:
        self._log(logging.INFO, msg, args, exc_info, stack_info, extra, fields)

    def warning(self, msg: object, *args: object, exc_info: Any = None, stack_info: bool = False,
                extra: Mapping[str, Any] | None = None, **fields: Any) -> None:
        self._log(logging.WARNING, msg, args, exc_info, stack_info, extra, fields)

    def error(self, msg: object, *args: object, exc_info: Any = None, stack_info: bool = False,
              extra: Mapping[str, Any] | None = None, **fields: Any) -> None:
        self._log(logging.ERROR, msg, args, exc_info, stack_info, extra, fields)

    def critical(self, msg: object, *args: object, exc_info: Any = None, stack_info: bool = False,
                 extra: Mapping[str, Any] | None = None, **fields: Any) -> None:
        self._log(logging.CRITICAL, msg, args, exc_info, stack_info, extra, fields)

    def exception(self, msg: object, *args: object, exc_info: Any = True, stack_info: bool = False,
                  extra: Mapping[str, Any] | None = None, **fields: Any) -> None:
        """ERROR with the current exception as ``error.type`` / ``error.message`` / ``error.stack_trace``."""
        self._log(logging.ERROR, msg, args, exc_info, stack_info, extra, fields)

    def log(self, level: int | str, msg: object, *args: object, exc_info: Any = None, stack_info: bool = False,
            extra: Mapping[str, Any] | None = None, **fields: Any) -> None:
        try:
            levelno = _level_number(level)
        except Exception as exc:
            self._failed("log", exc)
            return
        self._log(levelno, msg, args, exc_info, stack_info, extra, fields)

    # -- plumbing ----------------------------------------------------------------------------------------

    def _log(self, level: int, msg: object, args: tuple[object, ...], exc_info: Any, stack_info: bool,
             extra: Mapping[str, Any] | None, fields: dict[str, Any]) -> None:
        try:
            if not self.logger.isEnabledFor(level):
                return
            if extra:
                fields = {**extra, **fields}
            self._emit(level, msg, args, fields, exc_info, stack_info)
        except Exception as exc:
            self._failed(logging.getLevelName(level).lower(), exc)

    def _emit(self, level: int, msg: object, args: tuple[object, ...], fields: dict[str, Any],
              exc_info: Any = None, stack_info: bool = False) -> None:
        handler = self._direct(level)
        if handler is not None and not stack_info and logging.getLogRecordFactory() is logging.LogRecord:
            encoder = handler.encoder
            exc = _exc_tuple(exc_info)
            line = encoder.encode(
                timestamp=encoder.timestamps.from_ns(time.time_ns()), level=level_name(level), logger=self.name,
                message=_message(msg, args), fields=fields, thread_name=threading.current_thread().name,
                error=error_fields(exc, handler.config.max_stack_trace_chars) if exc else None,
            )
            if line is not None:
                handler.submit(line)
            return
        self.logger.log(level, msg, *args, exc_info=exc_info, stack_info=stack_info, stacklevel=_STACKLEVEL,
                        extra={FIELDS_ATTR: fields})

    def _direct(self, level: int) -> ElkHandler | None:
        """The ELK handler, when it is the only thing a record at ``level`` would reach."""
        handler = self._handler
        logger = self.logger
        if handler is None or logger.propagate or logger.filters or handler.filters or level < handler.level:
            return None
        handlers = logger.handlers
        if len(handlers) != 1 or handlers[0] is not handler:
            return None
        return handler

    def _failed(self, call: str, exc: BaseException) -> None:
        diagnostics = self._handler.diagnostics if self._handler is not None else _fallback_diagnostics
        diagnostics.report(f"call-{call}", f"{self.name}.{call} could not log an event: {exc!r}")

    def __repr__(self) -> str:
        return f"<ELKLogger {self.name} ({logging.getLevelName(self.logger.getEffectiveLevel())})>"


def _level_number(level: int | str) -> int:
    if isinstance(level, int):
        return level
    number = logging.getLevelName(str(level).upper())
    if not isinstance(number, int):
        raise ValueError(f"unknown log level {level!r}")
    return number


def _message(msg: object, args: tuple[object, ...]) -> str:
    """``msg % args`` as ``LogRecord.getMessage`` does it, never raising."""
    try:
        text = str(msg)
        if args:
            if len(args) == 1 and isinstance(args[0], Mapping) and args[0]:
                return text % args[0]
            return text % args
        return text
    except Exception:
        try:
            return f"{msg!s} (unformattable arguments: {args!r})"
        except Exception:
            return "<unformattable log message>"


def _exc_tuple(exc_info: Any) -> ExcInfo | None:
    """``exc_info`` as ``logging`` accepts it (True, an exception, or a triple) -> a triple, or None."""
    if not exc_info:
        return None
    if isinstance(exc_info, BaseException):
        return (type(exc_info), exc_info, exc_info.__traceback__)
    if isinstance(exc_info, tuple) and len(exc_info) == 3:
        return exc_info if exc_info[0] is not None else None  # type: ignore[return-value]
    current = sys.exc_info()
    return current if current[0] is not None else None  # type: ignore[return-value]
