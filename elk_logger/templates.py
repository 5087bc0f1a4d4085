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

from .encoding import EventEncoder, quote
from .events import MARKET_TICK, PERFORMANCE, SPREAD_DECIMALS, market_tick_fields, performance_fields
from .process_info import PROCESS

_SENTINEL = "\x00{}\x00"
_TIMESTAMP = "@@elk-timestamp@@"
_EVENT_ID = "@@elk-event-id@@"
_MAX_LONG_BITS = 64

#: Slots in the order they appear in a rendered line (head first, then sorted keys).
_TICK_SLOTS = ("timestamp", "message", "ask", "bid", "event_id", "thread", "spread", "symbol", "volume")
_METRIC_SLOTS = ("timestamp", "message", "event_id", "metric", "thread", "unit", "value")


class FastEvents:
    """Fills precompiled templates for one logger name; rebuilt after ``fork`` (pid is baked in)."""

    def __init__(self, encoder: EventEncoder, logger: str, level: str = "INFO") -> None:
        self._encoder = encoder
        self._logger = logger
        self._level = level
        self._limit = encoder.config.max_event_bytes - encoder.framing_overhead
        self._generation = -1
        self._tick: str | None = None
        self._metric: str | None = None

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
        return text

    def market_tick(self, symbol: object, bid: object, ask: object, volume: object) -> bytes | None:
        """Framed line of a tick, or ``None`` when the generic path must handle these arguments."""
        if self._generation != PROCESS.generation:
            self._build()
        template = self._tick
        if (template is None or type(symbol) is not str or type(volume) is not int
                or volume.bit_length() > _MAX_LONG_BITS):  # type: ignore[attr-defined]
            return None
        kind_bid, kind_ask = type(bid), type(ask)
        if (kind_bid is not float and kind_bid is not int) or (kind_ask is not float and kind_ask is not int):
            return None
        bid_f, ask_f = float(bid), float(ask)  # type: ignore[arg-type]
        spread = round(ask_f - bid_f, SPREAD_DECIMALS)
        if not (math.isfinite(bid_f) and math.isfinite(ask_f) and math.isfinite(spread)):
            return None
        encoder = self._encoder
        text = template % (
            encoder.timestamps.from_ns(time.time_ns()), quote(MARKET_TICK + " " + symbol), repr(ask_f), repr(bid_f),
            PROCESS.next_event_id(), quote(threading.current_thread().name), repr(spread), quote(symbol), volume,
        )
        return encoder.framer(text) if len(text) <= self._limit else None

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
        encoder = self._encoder
        text = template % (
            encoder.timestamps.from_ns(time.time_ns()), quote(PERFORMANCE + " " + metric), PROCESS.next_event_id(),
            quote(metric), quote(threading.current_thread().name), quote(unit), repr(number),
        )
        return encoder.framer(text) if len(text) <= self._limit else None


def _slot(name: str) -> str:
    return _SENTINEL.format(name)
