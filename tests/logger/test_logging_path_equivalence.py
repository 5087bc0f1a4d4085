"""The standard-logging path (``logger.info(msg, extra=...)`` into ``ElkHandler``) writes what the
``ELKLogger`` path writes, and its per-shape templates write what the generic encoder writes.

Two levels: documents received by a real sink, compared field by field between the two APIs;
and bytes, compared between a template-filled line and the generic encoder for the same record
(every value kind, redaction, clashes, and each case that must fall back to the generic path).
"""

from __future__ import annotations

import json
import logging
import math
import struct
import sys
import threading

import pytest

from elk_logger import ElkHandler, ELKLogger
from elk_logger.events import market_tick_fields

ORDER = {"order_id": 42, "account": "ACC-1", "price": 1.2345, "filled": True, "note": None, "venue": "caf\u00e9\n\u2028"}


def without_volatile(event: dict) -> dict:
    """The document minus what differs between any two events: its id and its timestamp."""
    copy = json.loads(json.dumps(event))
    del copy["event"]["id"], copy["@timestamp"]
    return copy


def test_the_same_event_logged_both_ways_is_the_same_document_field_by_field(line_sink, make_handler, attach_logger):
    handler = make_handler(line_sink.port)
    logger = attach_logger(handler, "OrderService")
    elk = ELKLogger(logger, handler)
    assert elk._direct(logging.INFO) is handler  # the ELKLogger call below takes its direct path

    elk.info("order placed", **ORDER)
    logger.info("order placed", extra=ORDER)
    elk.warning("retrying %s after %d ms", "ls1", 50, attempt=2)
    logger.warning("retrying %s after %d ms", "ls1", 50, extra={"attempt": 2})
    elk.log_market_tick("EURUSD", 1.1, 1.1001, 1000)
    logger.info("market_tick EURUSD", extra=market_tick_fields("EURUSD", 1.1, 1.1001, 1000))
    elk.info("login", user="trader1", password="hunter2", level="FAKE")
    logger.info("login", extra={"user": "trader1", "password": "hunter2", "level": "FAKE"})

    assert line_sink.wait_for_lines(8)
    events = line_sink.events()
    for via_elk, via_logging in zip(events[::2], events[1::2], strict=True):
        assert without_volatile(via_elk) == without_volatile(via_logging)
        assert via_elk["@timestamp"][:16] == via_logging["@timestamp"][:16]
    assert events[1]["venue"] == "caf\u00e9\n\u2028" and events[1]["note"] is None and events[1]["filled"] is True
    assert events[3]["message"] == "retrying ls1 after 50 ms"
    assert events[7]["password"] == "[REDACTED]" and events[7]["extra"] == {"level": "FAKE"} and events[7]["level"] == "INFO"


def make_record(logger: logging.Logger, extra: dict | None, msg: str = "m", args: tuple = (), level: int = logging.INFO,
                exc_info: object = None) -> logging.LogRecord:
    return logger.makeRecord(logger.name, level, __file__, 1, msg, args, exc_info, "fn", extra)


def same_but_id(fast: bytes, generic: bytes, mode: str) -> bool:
    def payload(framed: bytes) -> bytes:
        if mode == "json_lines":
            assert framed.endswith(b"\n") and framed.count(b"\n") == 1
            return framed[:-1]
        assert struct.unpack(">I", framed[:4])[0] == len(framed) - 4
        return framed[4:]

    fast_text, generic_text = payload(fast), payload(generic)
    fast_id, generic_id = (json.loads(text)["event"]["id"] for text in (fast_text, generic_text))
    assert fast_id != generic_id
    return fast_text == generic_text.replace(generic_id.encode(), fast_id.encode())


TEMPLATED = [
    pytest.param({"event_type": "market_tick", "symbol": "EURUSD", "bid": 1.1, "ask": 1.1001, "spread": 0.0001, "volume": 7},
                 id="tick"),
    pytest.param({"a": -0.0, "b": 1e300, "c": -(2**63), "d": False, "e": None, "f": "", "g": "\u00e9\"\\\n\t\x00"}, id="scalars"),
    pytest.param({"api_token": "secret-1", "Password": "p", "user": "u"}, id="redacted"),
    pytest.param({"level": "FAKE", "logger": "other", "event": "forged", "extra": 5, "z": 1}, id="clashes"),
    pytest.param({"percent": "100%", "fmt": "%s %d %%", "rate%": 1.5, "%(name)s": "x"}, id="percent-signs"),
    pytest.param({}, id="no-extras"),
    pytest.param(None, id="extra-None"),
]


@pytest.mark.parametrize("mode", ["json_lines", "beats"])
@pytest.mark.parametrize("extra", TEMPLATED)
def test_a_template_filled_line_is_the_generic_encoders_line(mode, extra, attach_logger):
    handler = ElkHandler(hosts=(("127.0.0.1", 9),), mode=mode)
    logger = attach_logger(handler, "Shapes")
    try:
        for round_ in range(3):  # the first record makes the template, later ones fill it with other values
            values = {key: (value + str(round_) if isinstance(value, str) and key != "event" else value)
                      for key, value in (extra or {}).items()}
            record = make_record(logger, values if extra is not None else None)
            fast = handler.record_lines.line(record)
            assert fast is not None
            assert same_but_id(fast, handler.encode_generic(record), mode)
        if extra and "api_token" in extra:
            assert json.loads(fast.split(b"\n")[0][0 if mode == "json_lines" else 4:])["api_token"] == "[REDACTED]"
    finally:
        handler.close(timeout=0.1)


def test_messages_with_arguments_and_other_threads_have_their_own_slots(attach_logger):
    handler = ElkHandler(hosts=(("127.0.0.1", 9),))
    logger = attach_logger(handler, "Shapes")
    lines: list[tuple[bytes | None, bytes | None]] = []

    def log_in_thread() -> None:
        record = make_record(logger, {"n": 1}, "from %s", ("a thread",))
        lines.append((handler.record_lines.line(record), handler.encode_generic(record)))

    try:
        record = make_record(logger, {"n": 1}, "from %s", ("main",))
        lines.append((handler.record_lines.line(record), handler.encode_generic(record)))
        worker = threading.Thread(target=log_in_thread, name="other-thread")
        worker.start()
        worker.join()
        for fast, generic in lines:
            assert fast is not None and generic is not None and same_but_id(fast, generic, "json_lines")
        assert json.loads(lines[1][0])["process"]["thread"]["name"] == "other-thread"
        assert json.loads(lines[1][0])["message"] == "from a thread"
    finally:
        handler.close(timeout=0.1)


GENERIC_ONLY = [
    pytest.param({"x": math.nan}, id="nan"),
    pytest.param({"x": math.inf}, id="infinity"),
    pytest.param({"x": 2**64}, id="huge-int"),
    pytest.param({"x": {"nested": 1}}, id="dict"),
    pytest.param({"x": [1, 2]}, id="list"),
    pytest.param({"x": b"bytes"}, id="bytes"),
    pytest.param({"x": "y" * 300_000}, id="oversized"),
]


@pytest.mark.parametrize("extra", GENERIC_ONLY)
def test_values_the_sanitiser_must_change_take_the_generic_path(extra, attach_logger):
    handler = ElkHandler(hosts=(("127.0.0.1", 9),))
    logger = attach_logger(handler, "Shapes")
    try:
        assert handler.record_lines.line(make_record(logger, {"x": "plain"})) is not None  # the shape itself is templated
        record = make_record(logger, extra)
        assert handler.record_lines.line(record) is None
        assert same_but_id(handler.encode_record(record), handler.encode_generic(record), "json_lines")
    finally:
        handler.close(timeout=0.1)


def test_records_with_errors_or_structured_fields_take_the_generic_path(attach_logger):
    handler = ElkHandler(hosts=(("127.0.0.1", 9),))
    logger = attach_logger(handler, "Shapes")
    try:
        try:
            raise KeyError("boom")
        except KeyError:
            with_error = make_record(logger, {"x": 1}, exc_info=sys.exc_info())
        assert handler.record_lines.line(with_error) is None
        assert json.loads(handler.encode_record(with_error)[:-1])["error"]["type"] == "KeyError"
        structured = make_record(logger, {"elk_fields": {"symbol": "X"}})
        assert handler.record_lines.line(structured) is None
        with_stack = make_record(logger, {"x": 1})
        with_stack.stack_info = "Stack (most recent call last):\n  here"
        assert handler.record_lines.line(with_stack) is None
    finally:
        handler.close(timeout=0.1)


def test_a_subclass_that_overrides_emit_still_gets_every_record(line_sink, diagnostics):
    seen: list[str] = []

    class Tapped(ElkHandler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record.getMessage())
            super().emit(record)

    handler = Tapped(hosts=(("127.0.0.1", line_sink.port),), flush_interval=0.005, diagnostics_stream=diagnostics)
    logger = logging.Logger("Tapped")
    logger.addHandler(handler)
    try:
        logger.info("tapped", extra={"n": 1})
        assert line_sink.wait_for_lines(1)
        assert seen == ["tapped"] and line_sink.events()[0]["n"] == 1
    finally:
        handler.close(timeout=0.5)
