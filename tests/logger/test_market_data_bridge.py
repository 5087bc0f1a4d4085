"""The seed's ``ELKMarketDataBridge(publisher, data_source, config)``: ticks, latency metrics, failures."""

from __future__ import annotations

from collections import namedtuple

import pytest

from elk_logger import ELKMarketDataBridge, LoggerFactory

Quote = namedtuple("Quote", "symbol bid ask volume")


class RecordingPublisher:
    def __init__(self, fail_on: str | None = None) -> None:
        self.published: list[object] = []
        self.fail_on = fail_on

    def publish(self, tick: object) -> None:
        symbol = tick["symbol"] if isinstance(tick, dict) else getattr(tick, "symbol", tick[0])
        if self.fail_on is not None and symbol == self.fail_on:
            raise ConnectionError("zmq socket closed")
        self.published.append(tick)


@pytest.fixture
def elk_config(line_sink):
    config = {"elk": {"host": "127.0.0.1", "port": line_sink.port, "console": False}}
    yield config
    LoggerFactory.shutdown(timeout=0.5)


def by_kind(events: list[dict]) -> dict[str, list[dict]]:
    kinds: dict[str, list[dict]] = {}
    for event in events:
        kinds.setdefault(event.get("event_type", "log"), []).append(event)
    return kinds


def test_every_published_tick_is_logged_with_its_publish_latency(line_sink, elk_config):
    ticks = [{"symbol": "EURUSD", "bid": 1.1, "ask": 1.1001, "volume": 1000}, ("GBPUSD", 1.27, 1.2702, 5),
             Quote("USDJPY", 151.0, 151.013, 7)]
    publisher = RecordingPublisher()
    bridge = ELKMarketDataBridge(publisher, ticks, elk_config)
    assert bridge.run() == 3
    assert publisher.published == ticks
    assert line_sink.wait_for_lines(6)
    kinds = by_kind(line_sink.events())
    assert [t["symbol"] for t in kinds["market_tick"]] == ["EURUSD", "GBPUSD", "USDJPY"]
    assert {t["logger"] for t in kinds["market_tick"]} == {"MarketDataBridge"}
    metrics = kinds["performance"]
    assert len(metrics) == 3
    assert all(m["metric"] == "publish_latency" and m["unit"] == "ms" and m["value"] >= 0 for m in metrics)
    assert {m["logger"] for m in metrics} == {"PerformanceLogger"}


def test_a_failing_publish_is_logged_and_the_bridge_carries_on(line_sink, elk_config):
    ticks = [("EURUSD", 1.1, 1.1001, 1), ("BROKEN", 1.0, 1.1, 1), ("GBPUSD", 1.27, 1.2702, 1), ("bad tick",)]
    bridge = ELKMarketDataBridge(RecordingPublisher(fail_on="BROKEN"), ticks, elk_config)
    assert bridge.run() == 4
    assert bridge.published == 2 and bridge.failed == 2
    assert line_sink.wait_for_lines(6)
    kinds = by_kind(line_sink.events())
    (failure,) = kinds["publish_failure"]
    assert failure["level"] == "ERROR" and failure["symbol"] == "BROKEN"
    assert failure["error"]["type"] == "ConnectionError" and failure["error"]["message"] == "zmq socket closed"
    (rejected,) = kinds["bridge_error"]
    assert "4 items" in rejected["message"] and rejected["raw_tick"] == ["bad tick"]


def test_a_callable_source_is_read_until_it_returns_none(line_sink, elk_config):
    feed = iter([("EURUSD", 1.1, 1.1001, 1), ("EURUSD", 1.1, 1.1002, 2)])
    bridge = ELKMarketDataBridge(RecordingPublisher(), lambda: next(feed, None), elk_config)
    assert bridge.run() == 2
    assert line_sink.wait_for_lines(4)


def test_close_delivers_and_reports(line_sink, elk_config):
    bridge = ELKMarketDataBridge(RecordingPublisher(), [("EURUSD", 1.1, 1.1001, 1)], elk_config)
    bridge.run()
    assert bridge.close() == 0
    assert line_sink.wait_for_lines(2)


def test_console_setting_is_read_from_the_seed_config(line_sink, elk_config, capsys):
    elk_config["elk"]["console"] = True
    bridge = ELKMarketDataBridge(RecordingPublisher(), [("EURUSD", 1.1, 1.1001, 1)], elk_config)
    bridge.run()
    assert line_sink.wait_for_lines(2)
    assert "market_tick EURUSD" in capsys.readouterr().err


def test_a_publisher_without_publish_is_refused():
    with pytest.raises(TypeError):
        ELKMarketDataBridge(object(), [], {"elk": {}})
