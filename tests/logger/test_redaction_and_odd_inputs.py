"""Secrets are redacted before serialising; odd values never raise in the caller and never break JSON."""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import json
import logging
import math

import pytest

from elk_logger import ELKLogger


class Side(enum.Enum):
    BUY = "buy"


class Unprintable:
    def __str__(self) -> str:
        raise RuntimeError("no str for you")


@pytest.fixture
def capture(line_sink, make_handler, attach_logger, monkeypatch):
    """``capture(**settings)`` -> (ELKLogger, fetch) where fetch(n) returns the first n events received."""
    handler_errors: list[logging.LogRecord] = []
    monkeypatch.setattr(logging.Handler, "handleError", lambda self, record: handler_errors.append(record))

    def make(**settings):
        handler = make_handler(line_sink.port, **settings)
        log = ELKLogger(attach_logger(handler, "Odd"), handler)

        def fetch(count: int) -> list[dict]:
            assert line_sink.wait_for_lines(count)
            assert handler_errors == []
            return line_sink.events()[:count]

        return log, fetch

    return make


def test_sensitive_keys_are_redacted_at_any_depth(capture):
    log, fetch = capture()
    log.info("login", password="hunter2", api_key="k-1", user="trader1",
             request={"headers": {"Authorization": "Bearer abc", "X-Api-Key": "k-2"}, "body": [{"db_password": "p"}]},
             accessToken="t", token_count=3)
    log.log_security_event("login_attempt", {"user": "trader1", "password": "hunter2", "client_ip": "10.1.2.3"})
    info, security = fetch(2)
    assert info["password"] == info["api_key"] == info["accessToken"] == "[REDACTED]"
    assert info["request"]["headers"] == {"Authorization": "[REDACTED]", "X-Api-Key": "[REDACTED]"}
    assert info["request"]["body"] == [{"db_password": "[REDACTED]"}]
    assert info["token_count"] == "[REDACTED]"  # fragment match: a false positive costs a field, never a secret
    assert info["user"] == "trader1"
    assert security["details"] == {"user": "trader1", "password": "[REDACTED]", "client_ip": "10.1.2.3"}
    assert "hunter2" not in json.dumps([info, security])


def test_the_redacted_key_list_and_text_are_configurable(capture):
    log, fetch = capture(redact_keys=frozenset({"pin"}), redaction_text="***")
    log.info("card", card_pin="1234", password="visible-by-choice")
    (event,) = fetch(1)
    assert event["card_pin"] == "***" and event["password"] == "visible-by-choice"


def test_nan_infinity_and_non_numbers_become_null(capture):
    log, fetch = capture()
    log.log_market_tick("EURUSD", math.nan, 1.1001, 1000)
    log.log_market_tick("EURUSD", "1.1", "oops", "12")
    log.log_performance_metric("latency", math.inf, "ms")
    log.info("numbers", ratio=math.nan, big=-math.inf, price=decimal.Decimal("1.10005"), huge=10**5000)
    nan_tick, text_tick, metric, info = fetch(4)
    assert nan_tick["bid"] is None and nan_tick["spread"] is None and "_elk_logger_invalid_number" in nan_tick["tags"]
    assert text_tick["bid"] == 1.1 and text_tick["ask"] is None and text_tick["volume"] == 12
    assert metric["value"] is None and "_elk_logger_invalid_number" in metric["tags"]
    assert info["ratio"] is None and info["big"] is None and info["price"] == 1.10005
    assert isinstance(info["huge"], str)


def test_bytes_dates_enums_sets_and_odd_keys(capture):
    log, fetch = capture()
    log.info("odd", raw=b"\xff\x00ok", when=dt.datetime(2024, 1, 15, 10, 30, tzinfo=dt.UTC), side=Side.BUY,
             symbols={"EURUSD"}, pair=("EUR", "USD"), mapping={1: "one", (2, 3): "tuple", None: "none"})
    (event,) = fetch(1)
    assert event["raw"] == "\\xff\x00ok"
    assert event["when"] == "2024-01-15T10:30:00+00:00" and event["side"] == "buy"
    assert event["symbols"] == ["EURUSD"] and event["pair"] == ["EUR", "USD"]
    assert event["mapping"] == {"1": "one", "(2, 3)": "tuple", "None": "none"}


def test_deep_circular_and_unprintable_objects(capture):
    log, fetch = capture(max_depth=5)
    deep: dict = {}
    cursor = deep
    for _ in range(200):
        cursor["next"] = {}
        cursor = cursor["next"]
    loop: dict = {"name": "loop"}
    loop["self"] = loop
    many = [[1] * 100] * 100  # shared rows: 10,000 values, bounded by max_items
    log.info("odd", deep=deep, loop=loop, thing=Unprintable(), obj=object(), exc=ValueError("inside"), many=many, after="kept",
             later={"x": 1})
    (event,) = fetch(1)
    assert "<max depth>" in json.dumps(event["deep"])
    assert event["loop"] == {"name": "loop", "self": "<circular>"}
    assert event["thing"] == "<Unprintable>" and event["obj"].startswith("<object object")
    assert event["exc"] == "inside"
    assert "<truncated>" in json.dumps(event["many"])
    assert event["after"] == "kept" and event["later"] == "<truncated>"  # over budget: top-level keys stay, containers as markers


def test_messages_whose_arguments_do_not_fit_are_still_logged(capture, attach_logger):
    log, fetch = capture()
    log.info("%s and %s", "only one")
    log.logger.info("%d", "not a number")  # the plain logging path too
    first, second = fetch(2)
    assert "unformattable arguments" in first["message"] and "only one" in first["message"]
    assert "unformattable arguments" in second["message"]


def test_strange_text_stays_one_valid_json_line(capture, line_sink):
    log, fetch = capture()
    log.info("line\nbreak \u2028 \ud800 lone surrogate \x00 nul", symbol="\u00e9\u20ac")
    log.info("after")
    first, second = fetch(2)
    assert first["message"].startswith("line\nbreak") and first["symbol"] == "\u00e9\u20ac"
    assert all(line.isascii() for line in line_sink.lines)
    assert second["message"] == "after"


def test_a_failure_inside_the_client_is_reported_not_raised(capture, diagnostics, monkeypatch):
    log, _ = capture()
    monkeypatch.setattr(log, "_emit", lambda *args, **kwargs: 1 / 0)
    log.info("boom")
    log.log_security_event("x", {"a": 1})
    assert diagnostics.wait_for("could not log an event: ZeroDivisionError")
