"""``ElkHandler.handle``'s fast path queues a record's checked values and the delivery worker joins
the line: what the worker makes must be, byte for byte, what the generic encoder makes from the same
record, whatever happens to the record after the call; the buffer's byte count must end up exact;
and a backlog of queued items must not weigh on the garbage collector.
"""

from __future__ import annotations

import gc
import json
import logging
import sys
import threading

import pytest
from test_logging_path_equivalence import TEMPLATED, make_record, same_but_id

from elk_logger import ElkHandler
from elk_logger.buffer import item_size


def queued(handler: ElkHandler) -> list:
    """Everything waiting in the handler's buffer, taken out as the worker takes it (no worker runs here)."""
    done = threading.Event()
    done.set()  # "closing": take returns whatever is pending at once
    return handler.buffer.take(0.0, done)


def unstarted(mode: str = "json_lines", **settings: object) -> ElkHandler:
    """A handler whose buffer is filled by ``record_lines.submit`` directly: no worker, nothing sent."""
    return ElkHandler(hosts=(("127.0.0.1", 9),), mode=mode, **settings)  # type: ignore[arg-type]


@pytest.mark.parametrize("mode", ["json_lines", "beats"])
@pytest.mark.parametrize("extra", TEMPLATED)
def test_a_line_the_worker_renders_is_the_generic_encoders_line(mode, extra, attach_logger):
    handler = unstarted(mode)
    logger = attach_logger(handler, "Deferred")
    try:
        records = []
        for round_ in range(3):
            values = {key: (value + str(round_) if isinstance(value, str) and key != "event" else value)
                      for key, value in (extra or {}).items()}
            record = make_record(logger, values if extra is not None else None, msg=f"m{round_} %s", args=("arg",))
            assert handler.record_lines.submit(record) is True
            records.append(record)
        items = queued(handler)
        assert all(type(item) is tuple for item in items)  # really queued unrendered: the worker joins them
        counted = handler.buffer.state().bytes
        lines, saved, errors = handler.record_lines.render(items)
        assert errors == []
        for item, line in zip(items, lines, strict=True):
            assert item_size(item) >= len(line)  # the bound it was counted with holds
        for record, line in zip(records, lines, strict=True):
            assert same_but_id(line, handler.encode_generic(record), mode)
        handler.buffer.rendered(saved)
        assert handler.buffer.state().bytes == counted - saved == sum(map(len, lines))
    finally:
        handler.close(timeout=0.1)


def test_what_is_sent_is_the_record_as_it_was_when_logged(attach_logger):
    handler = unstarted()
    logger = attach_logger(handler, "Later")
    try:
        record = make_record(logger, {"symbol": "EURUSD", "bid": 1.1, "volume": 7}, msg="tick %s", args=("one",))
        expected = handler.encode_generic(record)
        assert handler.record_lines.submit(record) is True
        record.msg, record.args, record.created = "changed %s", ("two",), record.created + 3600
        record.symbol, record.bid, record.volume = "GBPUSD", 2.2, 8  # type: ignore[attr-defined]
        [line], _, _ = handler.record_lines.render(queued(handler))
        assert same_but_id(line, expected, "json_lines")
        assert json.loads(line)["message"] == "tick one" and json.loads(line)["symbol"] == "EURUSD"
    finally:
        handler.close(timeout=0.1)


def test_records_with_an_error_or_a_stack_are_left_to_the_generic_encoder(attach_logger):
    handler = unstarted()
    logger = attach_logger(handler, "Errors")
    try:
        assert handler.record_lines.submit(make_record(logger, {"n": 1})) is True  # the shape, queued
        try:
            raise KeyError("boom")
        except KeyError:
            with_error = make_record(logger, {"n": 2}, exc_info=sys.exc_info())
        with_stack = make_record(logger, {"n": 3})
        with_stack.stack_info = "Stack (most recent call last):\n  here"
        assert handler.record_lines.submit(with_error) is None and handler.record_lines.submit(with_stack) is None
        assert len(queued(handler)) == 1
    finally:
        handler.close(timeout=0.1)


def test_past_the_shape_limit_records_are_rendered_at_once_and_errors_still_go_generic(attach_logger, monkeypatch):
    monkeypatch.setattr("elk_logger.record_lines._SHAPE_LIMIT", 0)  # no shape is kept: none gets a renderer
    handler = unstarted()
    logger = attach_logger(handler, "NoRoom")
    try:
        record = make_record(logger, {"n": 1, "s": "x"})
        assert handler.record_lines.submit(record) is True
        [item] = queued(handler)
        assert type(item) is bytes and same_but_id(item, handler.encode_generic(record), "json_lines")
        try:
            raise KeyError("boom")
        except KeyError:
            assert handler.record_lines.submit(make_record(logger, {"n": 2, "s": "y"}, exc_info=sys.exc_info())) is None
        assert handler.record_lines._renderers == []
    finally:
        handler.close(timeout=0.1)


class Text(str):
    """A ``str`` subclass could change what it renders as: never queued as a plain value."""


def test_a_value_of_a_subclass_of_a_plain_type_goes_the_generic_way(attach_logger):
    handler = unstarted()
    logger = attach_logger(handler, "Subclass")
    try:
        assert handler.record_lines.submit(make_record(logger, {"note": "plain"})) is True  # the shape, queued
        assert handler.record_lines.submit(make_record(logger, {"note": Text("sub")})) is None
    finally:
        handler.close(timeout=0.1)


@pytest.mark.parametrize("case", ["after-year-9999", "long-line"])
def test_records_whose_bound_does_not_hold_are_rendered_at_once(case, attach_logger):
    handler = unstarted(max_event_bytes=4096)
    logger = attach_logger(handler, "AtOnce")
    try:
        assert handler.record_lines.submit(make_record(logger, {"note": "plain", "n": 1})) is True  # the shape, queued
        record = make_record(logger, {"note": "", "n": 1})
        if case == "after-year-9999":
            record.created = 253402300800.5  # from here on the timestamp text is longer than 24 characters
        else:  # a line that fits max_event_bytes, though not with every number at its longest
            record.note = "x" * (4086 - len(handler.encode_generic(record)))  # type: ignore[attr-defined]
        assert handler.record_lines.submit(record) is True
        item = queued(handler)[-1]
        assert type(item) is bytes
        assert same_but_id(item, handler.encode_generic(record), "json_lines")
        assert case != "long-line" or len(item) == 4086
    finally:
        handler.close(timeout=0.1)


def test_a_backlog_of_queued_items_is_not_tracked_by_the_garbage_collector(attach_logger):
    handler = unstarted()
    logger = attach_logger(handler, "Backlog")
    try:
        for number in range(100):
            assert handler.record_lines.submit(make_record(logger, {"symbol": "EURUSD", "bid": 1.1, "volume": number})) is True
        pending = list(handler.buffer._pending)  # the items as they wait in the buffer
        gc.collect(0)
        assert pending and not any(gc.is_tracked(item) for item in pending)
    finally:
        handler.close(timeout=0.1)


def test_threads_meeting_new_shapes_at_once_each_get_their_own_renderer(attach_logger):
    handler = unstarted()
    logger = attach_logger(handler, "Race")
    start = threading.Barrier(8)
    records: list[logging.LogRecord] = []

    def log(index: int) -> None:
        record = make_record(logger, {f"field_{index}": index, "text": f"t{index}"})
        records.append(record)
        start.wait()
        assert handler.record_lines.submit(record) is True

    try:
        threads = [threading.Thread(target=log, args=(index,)) for index in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        lines, _, errors = handler.record_lines.render(queued(handler))
        assert errors == [] and len(lines) == 8
        by_text = {json.loads(line)["text"]: line for line in lines}
        for record in records:
            assert same_but_id(by_text[record.text], handler.encode_generic(record), "json_lines")  # type: ignore[attr-defined]
    finally:
        handler.close(timeout=0.1)


def test_an_item_that_cannot_be_rendered_is_dropped_counted_and_reported(line_sink, make_handler, attach_logger, diagnostics):
    handler = make_handler(line_sink.port)
    logger = attach_logger(handler, "Broken")
    logger.info("first", extra={"n": 1})
    assert line_sink.wait_for_lines(1)
    renderers = handler.record_lines._renderers
    working = renderers[0]

    def broken(item: tuple) -> bytes:
        raise RuntimeError("renderer bug")

    renderers[0] = broken
    logger.info("second", extra={"n": 2})
    assert diagnostics.wait_for("could not be rendered")
    renderers[0] = working
    logger.info("third", extra={"n": 3})
    assert line_sink.wait_for_lines(2)
    assert [event["n"] for event in line_sink.events()] == [1, 3]
    assert handler.flush(timeout=2.0)
    stats = handler.stats()
    assert stats.render_failures == 1 and stats.queued == 0 and stats.queued_bytes == 0
    assert diagnostics.count("RuntimeError('renderer bug')") == 1


def test_batches_cut_from_a_backlog_of_queued_items_keep_the_counts_exact(attach_logger):
    handler = unstarted(batch_max_events=3, batch_max_bytes=10**6)
    logger = attach_logger(handler, "Backlog")
    try:
        for number in range(10):
            assert handler.record_lines.submit(make_record(logger, {"symbol": "EURUSD", "bid": 1.1, "volume": number})) is True
        bound = handler.buffer.state().bytes
        stop = threading.Event()
        stop.set()
        delivered: list[bytes] = []
        while handler.buffer.state().pending:
            items = handler.buffer.take(0.0, stop)
            assert 1 <= len(items) <= 3
            lines, saved, errors = handler.record_lines.render(items)
            assert errors == [] and saved == sum(map(item_size, items)) - sum(map(len, lines))
            handler.buffer.rendered(saved)
            handler.buffer.settle(len(lines), sum(map(len, lines)))
            delivered += lines
        assert [json.loads(line)["volume"] for line in delivered] == list(range(10))
        assert bound >= sum(map(len, delivered))
        state = handler.buffer.state()
        assert (state.events, state.bytes, state.pending) == (0, 0, 0)
    finally:
        handler.close(timeout=0.1)
