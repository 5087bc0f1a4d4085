"""The seed's API (LoggerFactory, ELKLogger, the three "Log Structure" shapes) and stdlib integration."""

from __future__ import annotations

import json
import logging
import struct
import time
from datetime import UTC, datetime

import pytest

from elk_logger import ElkConfig, ElkHandler, ELKLogger, LoggerFactory
from elk_logger.events import market_tick_fields, performance_fields
from elk_logger.templates import FastEvents

SEED_TICK = {"level": "INFO", "logger": "MarketDataBridge", "event_type": "market_tick", "symbol": "EURUSD", "bid": 1.1,
             "ask": 1.1001, "spread": 0.0001, "volume": 1000, "tags": ["market_data", "tick"]}
SEED_SECURITY = {"level": "WARNING", "logger": "SecurityLogger", "event_type": "security", "security_event": "unauthorized_access",
                 "details": {"client_ip": "192.168.1.100", "reason": "invalid_key"}, "tags": ["security", "audit"]}
SEED_METRIC = {"level": "INFO", "logger": "PerformanceLogger", "event_type": "performance", "metric": "publish_latency",
               "value": 0.5, "unit": "ms", "tags": ["performance", "metrics"]}


@pytest.fixture
def factory(line_sink):
    LoggerFactory.configure(logstash_host="127.0.0.1", logstash_port=line_sink.port, console_output=False, level="INFO",
                            flush_interval=0.005)
    yield LoggerFactory
    LoggerFactory.shutdown(timeout=0.5)


def subset(event: dict, expected: dict) -> dict:
    return {key: event.get(key) for key in expected}


def test_the_seed_snippet_produces_the_seed_log_structures(factory, line_sink):
    factory.get_elk_logger("MarketDataBridge").log_market_tick("EURUSD", 1.1000, 1.1001, 1000)
    factory.get_elk_logger("SecurityLogger").log_security_event("unauthorized_access",
                                                                {"client_ip": "192.168.1.100", "reason": "invalid_key"})
    factory.get_elk_logger("PerformanceLogger").log_performance_metric("publish_latency", 0.5, "ms")
    assert line_sink.wait_for_lines(3)
    tick, security, metric = line_sink.events()
    assert subset(tick, SEED_TICK) == SEED_TICK
    assert subset(security, SEED_SECURITY) == SEED_SECURITY
    assert subset(metric, SEED_METRIC) == SEED_METRIC
    for event in (tick, security, metric):
        assert event["log"] == {"level": event["level"], "logger": event["logger"]}
        assert event["event"]["id"]
        stamp = datetime.strptime(event["@timestamp"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
        assert abs(stamp.timestamp() - time.time()) < 60


def test_lines_start_with_timestamp_level_message_then_sorted_keys(factory, line_sink):
    factory.get_elk_logger("Ordering").info("hello", zeta=1, alpha=2)
    assert line_sink.wait_for_lines(1)
    keys = list(json.loads(line_sink.lines[0], object_pairs_hook=lambda pairs: [k for k, _ in pairs]))
    assert keys[:3] == ["@timestamp", "level", "message"]
    assert keys[3:] == sorted(keys[3:])


def test_levels_follow_the_configured_threshold_and_stdlib_names(factory, line_sink):
    log = factory.get_elk_logger("Levels")
    log.debug("hidden")
    log.info("i")
    log.warning("w")
    log.error("e")
    log.critical("c")
    log.log("WARNING", "by name")
    assert line_sink.wait_for_lines(5)
    assert [e["level"] for e in line_sink.events()] == ["INFO", "WARNING", "ERROR", "CRITICAL", "WARNING"]


def test_get_elk_logger_returns_the_same_logger_for_a_name(factory):
    assert factory.get_elk_logger("Same") is factory.get_elk_logger("Same")
    assert isinstance(factory.get_elk_logger("Same"), ELKLogger)


def test_reconfiguring_moves_existing_loggers_to_the_new_handler(factory, line_sink, new_line_sink):
    log = factory.get_elk_logger("Moving")
    log.info("before")
    first = factory.handler()
    second_sink = new_line_sink()
    factory.configure(logstash_host="127.0.0.1", logstash_port=second_sink.port, console_output=False, flush_interval=0.005)
    log.info("after")
    assert second_sink.wait_for_lines(1)
    assert line_sink.wait_for_lines(1)
    assert first.stats().undelivered_at_close == 0
    assert log.logger.handlers == [factory.handler()]
    assert [e["message"] for e in line_sink.events()] == ["before"]
    assert [e["message"] for e in second_sink.events()] == ["after"]


def test_console_output_prints_through_logging(line_sink, capsys):
    LoggerFactory.configure(logstash_host="127.0.0.1", logstash_port=line_sink.port, console_output=True, flush_interval=0.005)
    try:
        LoggerFactory.get_elk_logger("Console").log_market_tick("GBPUSD", 1.27, 1.2702, 5)
        assert line_sink.wait_for_lines(1)
    finally:
        LoggerFactory.shutdown(timeout=0.5)
    assert "market_tick GBPUSD" in capsys.readouterr().err
    assert line_sink.events()[0]["symbol"] == "GBPUSD"


def test_exception_carries_ecs_error_fields(factory, line_sink):
    log = factory.get_elk_logger("Errors")
    try:
        {}["missing"]
    except KeyError:
        log.exception("lookup failed", key="missing")
    log.error("explicit", exc_info=RuntimeError("boom"))
    assert line_sink.wait_for_lines(2)
    first, second = line_sink.events()
    assert first["level"] == "ERROR" and first["error"]["type"] == "KeyError" and first["key"] == "missing"
    assert "Traceback" in first["error"]["stack_trace"] and "test_exception_carries_ecs_error_fields" in first["error"]["stack_trace"]
    assert second["error"] == {"type": "RuntimeError", "message": "boom", "stack_trace": "RuntimeError: boom\n"}


def test_the_handler_works_on_its_own_with_any_stdlib_logger(line_sink, make_handler):
    handler = make_handler(line_sink.port)
    logger = logging.getLogger("tests.plain.stdlib.integration")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        logger.info("placed %d lots of %s", 3, "EURUSD", extra={"order_id": 12, "tags": ["orders"]})
        assert line_sink.wait_for_lines(1)
    finally:
        logger.removeHandler(handler)
    event = line_sink.events()[0]
    assert event["message"] == "placed 3 lots of EURUSD"
    assert event["order_id"] == 12 and event["tags"] == ["orders"]
    assert event["logger"] == "tests.plain.stdlib.integration"


def test_caller_fields_cannot_replace_envelope_fields(line_sink, make_handler, attach_logger):
    handler = make_handler(line_sink.port)
    log = ELKLogger(attach_logger(handler, "Clash"), handler)
    log.info("clash", level="FAKE", logger="other", event={"id": "forged"}, symbol="X")
    log.log_market_tick("EURUSD", 1.1, 1.2, 1, spread=99, tags=["mine"])
    assert line_sink.wait_for_lines(2)
    info, tick = line_sink.events()
    assert info["level"] == "INFO" and info["logger"] == "Clash" and info["event"]["id"] != "forged"
    assert info["extra"] == {"level": "FAKE", "logger": "other", "event": {"id": "forged"}} and info["symbol"] == "X"
    assert tick["spread"] == pytest.approx(0.1) and tick["extra"] == {"spread": 99}
    assert tick["tags"] == ["market_data", "tick", "mine"]


@pytest.mark.parametrize("mode", ["json_lines", "beats"])
def test_the_direct_path_writes_the_same_bytes_as_the_generic_encoder(mode):
    handler = ElkHandler(hosts=(("127.0.0.1", 9),), mode=mode)
    fast = FastEvents(handler.encoder, "MarketDataBridge")
    cases = [
        (fast.market_tick("EURUSD", 1.1, 1.1001, 1000), market_tick_fields("EURUSD", 1.1, 1.1001, 1000), "market_tick EURUSD"),
        (fast.market_tick('USD"JPY', 151, 151.013, 7), market_tick_fields('USD"JPY', 151, 151.013, 7), 'market_tick USD"JPY'),
        (fast.performance("publish_latency", 0.25, "ms"), performance_fields("publish_latency", 0.25, "ms"),
         "performance publish_latency"),
    ]
    def payload(framed: bytes) -> bytes:
        if mode == "json_lines":
            assert framed.endswith(b"\n") and framed.count(b"\n") == 1
            return framed[:-1]
        assert struct.unpack(">I", framed[:4])[0] == len(framed) - 4
        return framed[4:]

    try:
        for line, fields, message in cases:
            fast_text = payload(line)
            event = json.loads(fast_text)
            generic = handler.encoder.encode(timestamp=event["@timestamp"], level="INFO", logger="MarketDataBridge",
                                             message=message, fields=fields, thread_name=event["process"]["thread"]["name"])
            generic_text = payload(generic)
            generic_id = json.loads(generic_text)["event"]["id"]
            assert fast_text == generic_text.replace(generic_id.encode(), event["event"]["id"].encode())
    finally:
        handler.close(timeout=0.1)


def test_direct_path_is_skipped_when_other_handlers_or_filters_would_see_the_record(line_sink, make_handler, attach_logger):
    handler = make_handler(line_sink.port)
    logger = attach_logger(handler, "Observed")
    seen: list[logging.LogRecord] = []

    class Recorder(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record)

    logger.addHandler(Recorder())
    log = ELKLogger(logger, handler)
    log.log_market_tick("EURUSD", 1.1, 1.1001, 1000)
    assert line_sink.wait_for_lines(1)
    assert len(seen) == 1 and seen[0].elk_fields["symbol"] == "EURUSD"
    assert seen[0].funcName == "test_direct_path_is_skipped_when_other_handlers_or_filters_would_see_the_record"


def test_configure_accepts_a_whole_config_and_keeps_its_hosts_and_mode(line_sink):
    config = ElkConfig.from_hosts([f"127.0.0.1:{line_sink.port}"], flush_interval=0.005)
    handler = LoggerFactory.configure(config=config, console_output=False)
    try:
        assert handler.config.hosts == (("127.0.0.1", line_sink.port),) and handler.config.mode == "json_lines"
        LoggerFactory.get_elk_logger("FromConfig").info("configured")
        assert line_sink.wait_for_lines(1)
    finally:
        LoggerFactory.shutdown(timeout=0.5)
    assert LoggerFactory.handler() is None
