"""Precompiled lines for the two high-rate seed events: market ticks and performance metrics.

Why: a tick is logged per quote, and the bridge adds a latency metric per publish. Sorting and
encoding a 12-field dict costs ~7 us here; filling a ready-made text costs ~2 us. The templates
are derived from the generic encoder itself (rendered once with sentinel values), so the two
paths cannot drift: same keys, same order, same bytes (a test compares them).

A call only takes this path when its arguments are plain, finite numbers and text and the line
fits ``max_event_bytes``; anything else returns ``None`` and goes the generic way.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from .encoding import EventEncoder, quote
from .events import MARKET_TICK, PERFORMANCE, SPREAD_DECIMALS, market_tick_fields, performance_fields
from .process_info import PROCESS

_SENTINEL = "\x00{}\x00"
#: Quoted symbol / metric names remembered (a bridge sees a few dozen instruments); bounded.
_QUOTE_CACHE_LIMIT = 1024
_TIMESTAMP = "@@elk-timestamp@@"
_EVENT_ID = "@@elk-event-id@@"
_LONG_LIMIT = 2**64  # as the sanitiser: larger volumes take the generic path (sent as text)

#: Slots in the order they appear in a rendered line (head first, then sorted keys).
_TICK_SLOTS = ("timestamp", "message", "ask", "bid", "event_id", "thread", "spread", "symbol", "volume")
_METRIC_SLOTS = ("timestamp", "message", "event_id", "metric", "thread", "unit", "value")


class FastEvents:
    """Fills precompiled templates for one logger name; rebuilt after ``fork`` (pid is baked in)."""

    def __init__(self, encoder: EventEncoder, logger: str, level: str = "INFO") -> None:
        self._encoder = encoder
        self._logger = logger
        self._level = level
        lines = encoder.config.mode == "json_lines"  # the newline is part of a json_lines template
        self._limit = encoder.config.max_event_bytes - (0 if lines else encoder.framing_overhead)
        self._generation = -1
        self._tick: str | None = None
        self._metric: str | None = None
        self._quoted: dict[str, dict[str, tuple[str, str]]] = {MARKET_TICK: {}, PERFORMANCE: {}}
        self._finish = _finisher(encoder)

    def _build(self) -> None:
        tick = market_tick_fields(_slot("symbol"), 1.0, 2.0, 3)
        tick.update(ask=_slot("ask"), bid=_slot("bid"), spread=_slot("spread"), volume=_slot("volume"))
        metric = performance_fields(_slot("metric"), 1.0, _slot("unit"))
        metric["value"] = _slot("value")
        self._tick = self._template(tick, _TICK_SLOTS)
        self._metric = self._template(metric, _METRIC_SLOTS)
        self._generation = PROCESS.generation

    def _template(self, fields: dict[str, object], slots: tuple[str, ...]) -> str | None:
        """``%s`` text with one slot per dynamic value, or ``None`` if the layout is not as expected."""
        encoder = self._encoder
        body = dict(fields)
        body.update(encoder.envelope(self._level, self._logger, _slot("thread")))
        body["event"] = {"id": _EVENT_ID}
        text = encoder.render(_TIMESTAMP, self._level, _slot("message"), body).replace("%", "%%")
        tokens = {name: quote(_slot(name)) for name in slots}
        tokens["timestamp"] = _TIMESTAMP
        tokens["event_id"] = _EVENT_ID
        positions = [text.find(tokens[name]) for name in slots]
        if -1 in positions or positions != sorted(positions) or any(text.count(tokens[n]) != 1 for n in slots):
            return None
        for name in slots:
            text = text.replace(tokens[name], "%s")
        return text + ("\n" if self._encoder.config.mode == "json_lines" else "")

    def _names(self, kind: str, name: str) -> tuple[str, str]:
        """``(quote(kind + " " + name), quote(name))``: the message and the name, cached per name."""
        cache = self._quoted[kind]
        quoted = cache.get(name)
        if quoted is None:
            quoted = (quote(f"{kind} {name}"), quote(name))
            if len(cache) < _QUOTE_CACHE_LIMIT:
                cache[name] = quoted
        return quoted

    def market_tick(self, symbol: object, bid: object, ask: object, volume: object) -> bytes | None:
        """Framed line of a tick, or ``None`` when the generic path must handle these arguments."""
        if self._generation != PROCESS.generation:
            self._build()
        template = self._tick
        if (template is None or type(symbol) is not str or type(volume) is not int
                or not -_LONG_LIMIT < volume < _LONG_LIMIT):  # type: ignore[operator]
            return None
        kind_bid, kind_ask = type(bid), type(ask)
        if (kind_bid is not float and kind_bid is not int) or (kind_ask is not float and kind_ask is not int):
            return None
        bid_f, ask_f = float(bid), float(ask)  # type: ignore[arg-type]
        spread = round(ask_f - bid_f, SPREAD_DECIMALS)
        if not (math.isfinite(bid_f) and math.isfinite(ask_f) and math.isfinite(spread)):
            return None
        message, quoted_symbol = self._names(MARKET_TICK, symbol)
        text = template % (
            self._encoder.timestamps.from_ns(time.time_ns()), message, repr(ask_f), repr(bid_f),
            PROCESS.next_event_id(), quote(threading.current_thread().name), repr(spread), quoted_symbol, volume,
        )
        return self._finish(text) if len(text) <= self._limit else None

    def performance(self, metric: object, value: object, unit: object) -> bytes | None:
        """Framed line of a performance metric, or ``None`` (generic path)."""
        if self._generation != PROCESS.generation:
            self._build()
        template = self._metric
        kind = type(value)
        if template is None or type(metric) is not str or type(unit) is not str or (kind is not float and kind is not int):
            return None
        number = float(value)  # type: ignore[arg-type]
        if not math.isfinite(number):
            return None
        message, quoted_metric = self._names(PERFORMANCE, metric)
        text = template % (
            self._encoder.timestamps.from_ns(time.time_ns()), message, PROCESS.next_event_id(),
            quoted_metric, quote(threading.current_thread().name), quote(unit), repr(number),
        )
        return self._finish(text) if len(text) <= self._limit else None


def _slot(name: str) -> str:
    return _SENTINEL.format(name)


def _finisher(encoder: EventEncoder) -> Callable[[str], bytes]:
    """Filled template -> framed bytes (json_lines templates already end in a newline)."""
    if encoder.config.mode == "json_lines":
        return _ascii
    return lambda text: encoder.framer(text)


def _ascii(text: str) -> bytes:
    return text.encode("ascii")
