"""``ELKMarketDataBridge``: the seed's second snippet - publish ticks, log each one, its latency and failures.

Why the logging happens after ``publish`` returns: the latency measured is the publisher's
alone, and the publish path pays only the logger's own cost (a few microseconds, no I/O),
never the network to Logstash.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Protocol

from .factory import LoggerFactory
from .structured import ELKLogger

#: Logger names used by the bridge (the seed's "Log Structure" examples).
TICK_LOGGER = "MarketDataBridge"
METRIC_LOGGER = "PerformanceLogger"
#: Keys of ``config['elk']`` besides the seed's ``host``/``port``/``console`` that are passed on.
_PASS_THROUGH = ("level", "mode", "hosts", "tls", "tls_ca_file", "tls_cert_file", "tls_key_file", "tls_verify",
                 "tls_server_hostname", "max_buffer_events", "max_buffer_bytes", "close_timeout", "compression_level")


class Publisher(Protocol):
    def publish(self, tick: Any) -> Any: ...


Tick = tuple[str, float, float, int]


class ELKMarketDataBridge:
    """Reads ticks from ``data_source`` (an iterable, or a callable returning a tick or ``None`` at the end)
    and publishes each with ``publisher.publish(tick)``, logging to ELK as configured by ``config['elk']``.

    A tick is a mapping with ``symbol``, ``bid``, ``ask`` and ``volume``, a ``(symbol, bid, ask, volume)``
    sequence, or an object with those attributes. The bridge configures the process-wide
    :class:`LoggerFactory` (like the seed); build one bridge per process.
    """

    def __init__(self, publisher: Publisher, data_source: Iterable[Any] | Callable[[], Any],
                 config: Mapping[str, Any] | None = None) -> None:
        if not callable(getattr(publisher, "publish", None)):
            raise TypeError("publisher needs a publish(tick) method")
        self.publisher = publisher
        self.data_source = data_source
        elk = dict((config or {}).get("elk") or {})
        settings = {key: elk[key] for key in _PASS_THROUGH if key in elk and key not in ("hosts", "level", "mode")}
        LoggerFactory.configure(
            logstash_host=elk.get("host", "localhost"), logstash_port=elk.get("port"),
            console_output=bool(elk.get("console", True)), level=elk.get("level", "INFO"),
            logstash_hosts=elk.get("hosts"), mode=elk.get("mode", "json_lines"), **settings,
        )
        self.ticks: ELKLogger = LoggerFactory.get_elk_logger(TICK_LOGGER)
        self.metrics: ELKLogger = LoggerFactory.get_elk_logger(METRIC_LOGGER)
        self.published = 0
        self.failed = 0
        self._stop = threading.Event()

    def publish(self, tick: Any) -> bool:
        """Publish one tick and log it, its latency (``publish_latency`` in ms) or its failure."""
        try:
            symbol, bid, ask, volume = read_tick(tick)
        except (TypeError, ValueError, KeyError) as exc:
            self.failed += 1
            self.ticks.error("tick rejected: %s", exc, event_type="bridge_error", raw_tick=tick)
            return False
        started = time.perf_counter()
        try:
            self.publisher.publish(tick)
        except Exception as exc:
            self.failed += 1
            self.ticks.exception("publish failed for %s", symbol, event_type="publish_failure", symbol=symbol, exc_info=exc)
            return False
        latency_ms = (time.perf_counter() - started) * 1000.0
        self.published += 1
        self.ticks.log_market_tick(symbol, bid, ask, volume)
        self.metrics.log_performance_metric("publish_latency", latency_ms, "ms")
        return True

    def run(self, max_ticks: int | None = None) -> int:
        """Publish until the source ends, ``stop()`` is called or ``max_ticks`` were read; ticks read."""
        count = 0
        for tick in self._ticks():
            if self._stop.is_set():
                break
            self.publish(tick)
            count += 1
            if max_ticks is not None and count >= max_ticks:
                break
        return count

    def stop(self) -> None:
        """Make ``run`` return after the tick in hand."""
        self._stop.set()

    def close(self, timeout: float | None = None) -> int:
        """Stop and deliver what is buffered; the number of events that could not be delivered."""
        self.stop()
        return LoggerFactory.shutdown(timeout)

    def _ticks(self) -> Iterator[Any]:
        source = self.data_source
        if callable(source) and not isinstance(source, Iterable):
            while not self._stop.is_set():
                tick = source()
                if tick is None:
                    return
                yield tick
        else:
            yield from source  # type: ignore[misc]


def read_tick(tick: Any) -> Tick:
    """``(symbol, bid, ask, volume)`` from a mapping, a 4-sequence or an object with those attributes."""
    if isinstance(tick, Mapping):
        return tick["symbol"], tick["bid"], tick["ask"], tick["volume"]
    if isinstance(tick, (tuple, list)):
        if len(tick) != 4:
            raise ValueError(f"a tick sequence needs 4 items (symbol, bid, ask, volume), got {len(tick)}")
        symbol, bid, ask, volume = tick
        return symbol, bid, ask, volume
    try:
        return tick.symbol, tick.bid, tick.ask, tick.volume
    except AttributeError as exc:
        raise TypeError(f"cannot read a tick from {type(tick).__name__}") from exc
