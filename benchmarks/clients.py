"""The clients compared, each set up the way its documentation shows, logging the same market tick.

Every call logs the seed's market-tick fields; ``volume`` carries the event's number so the sink
can count what arrived. elk_logger uses its ``log_market_tick`` API; the other two libraries are
``logging`` handlers, so they get ``logger.info(..., extra=fields)``, and so do ``elk_logger via logging``
(``ElkHandler`` under a plain stdlib logger) and the floor (the same call into a handler that does nothing).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

FLOOR = "logging floor (do-nothing handler)"
VIA_LOGGING = "elk_logger via logging"

TICK = {"event_type": "market_tick", "symbol": "EURUSD", "bid": 1.1, "ask": 1.1001, "spread": 0.0001}


@dataclass
class Client:
    name: str
    call: Callable[[int], None]
    """Log one tick whose ``volume`` is the given number."""
    close: Callable[[], object]


def _stdlib_logger(name: str, handler: logging.Handler) -> logging.Logger:
    logger = logging.getLogger(f"bench.{name}")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return logger


def _via_logging(name: str, handler: logging.Handler) -> Client:
    logger = _stdlib_logger(name, handler)
    info = logger.info

    def call(number: int) -> None:
        info("market_tick EURUSD", extra={**TICK, "volume": number})

    return Client(name, call, handler.close)


class DoNothingHandler(logging.Handler):
    """The floor: what ``logger.info(..., extra=...)`` costs before any handler does work (``Handler.handle``
    with its lock and filters runs as for every other handler; ``emit`` returns at once)."""

    def emit(self, record: logging.LogRecord) -> None:
        pass


def floor(port: int) -> Client:
    return _via_logging(FLOOR, DoNothingHandler())


def elk(mode: str, port: int) -> Client:
    from elk_logger import ElkHandler, ELKLogger

    handler = ElkHandler(hosts=(("127.0.0.1", port),), mode=mode)  # type: ignore[arg-type]
    log = ELKLogger(_stdlib_logger("MarketDataBridge", handler), handler)
    tick = log.log_market_tick

    def call(number: int) -> None:
        tick("EURUSD", 1.1, 1.1001, number)

    return Client(f"elk_logger {mode}", call, handler.close)


def elk_via_logging(port: int) -> Client:
    from elk_logger import ElkHandler

    return _via_logging(VIA_LOGGING, ElkHandler(hosts=(("127.0.0.1", port),)))


def logstash_async(transport: str, port: int) -> Client:
    from logstash_async.handler import AsynchronousLogstashHandler

    path = {"tcp": "logstash_async.transport.TcpTransport", "beats": "logstash_async.transport.BeatsTransport"}[transport]
    handler = AsynchronousLogstashHandler("127.0.0.1", port, database_path=None, transport=path)
    return _via_logging(f"python-logstash-async {transport}", handler)


def python_logstash(port: int) -> Client:
    from logstash import TCPLogstashHandler

    return _via_logging("python-logstash tcp", TCPLogstashHandler("127.0.0.1", port, version=1))


#: name -> (protocol of the sink port it needs, builder)
CLIENTS: dict[str, tuple[str, Callable[[int], Client]]] = {
    "elk_logger json_lines": ("lines", lambda port: elk("json_lines", port)),
    "elk_logger beats": ("beats", lambda port: elk("beats", port)),
    VIA_LOGGING: ("lines", elk_via_logging),
    FLOOR: ("lines", floor),
    "python-logstash-async tcp": ("lines", lambda port: logstash_async("tcp", port)),
    "python-logstash-async beats": ("beats", lambda port: logstash_async("beats", port)),
    "python-logstash tcp": ("lines", python_logstash),
}
