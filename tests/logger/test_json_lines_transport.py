"""json_lines mode against a real TCP sink on 127.0.0.1: order, failover, restart, stall, overflow, TLS."""

from __future__ import annotations

import json
import time

from elk_logger import ELKLogger


def ticker(handler, attach_logger, name: str = "MarketDataBridge") -> ELKLogger:
    return ELKLogger(attach_logger(handler, name), handler)


def volumes(sink) -> list[int]:
    return [event["volume"] for event in sink.events()]


def test_events_arrive_in_order_over_one_persistent_connection(line_sink, make_handler, attach_logger):
    handler = make_handler(line_sink.port)
    log = ticker(handler, attach_logger)
    for i in range(5000):
        log.log_market_tick("EURUSD", 1.1, 1.1001, i)
    assert line_sink.wait_for_lines(5000)
    assert volumes(line_sink) == list(range(5000))
    assert line_sink.connections_accepted == 1 and handler.stats().connections == 1
    assert handler.stats().delivered == 5000


def test_fails_over_to_the_next_host_when_the_first_refuses(line_sink, closed_port, make_handler, attach_logger):
    handler = make_handler(hosts=(("127.0.0.1", closed_port), ("127.0.0.1", line_sink.port)))
    ticker(handler, attach_logger).log_market_tick("EURUSD", 1.1, 1.1001, 1)
    assert line_sink.wait_for_lines(1)
    assert handler.connector.current == ("127.0.0.1", line_sink.port)


def test_events_logged_while_the_receiver_is_down_arrive_after_it_restarts(line_sink, make_handler, attach_logger):
    handler = make_handler(line_sink.port, backoff_initial=0.01, backoff_max=0.05)
    log = ticker(handler, attach_logger)
    for i in range(10):
        log.log_market_tick("EURUSD", 1.1, 1.1001, i)
    assert line_sink.wait_for_lines(10)
    line_sink.kill()
    for i in range(10, 20):
        log.log_market_tick("EURUSD", 1.1, 1.1001, i)
    line_sink.listen()
    assert line_sink.wait_for_lines(20)
    assert sorted(set(volumes(line_sink))) == list(range(20))
    assert handler.stats().connections == 2


def test_a_stalled_receiver_never_blocks_the_caller(line_sink, make_handler, attach_logger):
    handler = make_handler(line_sink.port)
    log = ELKLogger(attach_logger(handler, "Stall"), handler)
    padding = "p" * 2000
    slowest = 0.0
    with line_sink.stalled():
        for i in range(10_000):  # ~20 MB: far more than the kernel buffers of both sockets hold
            started = time.perf_counter()
            log.info("while stalled", seq=i, padding=padding)
            slowest = max(slowest, time.perf_counter() - started)
        assert handler.stats().queued > 0  # the stall really backed events up into our buffer
    assert slowest < 0.25, f"a call took {slowest * 1000:.1f} ms while the receiver stalled"
    assert line_sink.wait_for_lines(10_000)
    assert [e["seq"] for e in line_sink.events()] == list(range(10_000))


def test_overflow_drops_new_events_counts_them_and_warns_once(closed_port, make_handler, attach_logger, diagnostics):
    handler = make_handler(closed_port, max_buffer_events=50, backoff_initial=0.01, backoff_max=0.02)
    log = ticker(handler, attach_logger)
    for i in range(80):
        log.log_market_tick("EURUSD", 1.1, 1.1001, i)
    assert diagnostics.wait_for("buffer full")
    for i in range(100):
        log.log_market_tick("EURUSD", 1.1, 1.1001, i)
    stats = handler.stats()
    assert stats.queued == 50 and stats.dropped_overflow == 130
    assert handler.close(timeout=0.1) == 50
    assert diagnostics.count("buffer full") == 1
    assert diagnostics.wait_for("50 events undelivered") and diagnostics.count("130 dropped earlier") == 1


def test_the_byte_limit_bounds_the_buffer_too(closed_port, make_handler, attach_logger):
    handler = make_handler(closed_port, max_buffer_bytes=8192, max_event_bytes=4096)
    log = ELKLogger(attach_logger(handler, "Bytes"), handler)
    for i in range(100):
        log.info("sized", seq=i, padding="x" * 400)
    stats = handler.stats()
    assert 0 < stats.queued_bytes <= 8192 and stats.dropped_overflow == 100 - stats.queued


def test_an_oversized_event_is_truncated_and_never_breaks_the_line_framing(line_sink, make_handler, attach_logger):
    handler = make_handler(line_sink.port, max_event_bytes=2048)
    log = ELKLogger(attach_logger(handler, "Big"), handler)
    log.info("m" * 100_000, blob="b" * 50_000, note="multi\nline")
    log.info("next\nevent")
    assert line_sink.wait_for_lines(2)
    big, following = line_sink.lines
    assert len(big) + 1 <= 2048
    event = json.loads(big)
    assert "_elk_logger_truncated" in event["tags"] and event["message"].startswith("mmm")
    assert json.loads(following)["message"] == "next\nevent"
    assert handler.stats().truncated == 1 and handler.stats().rejected_oversize == 0


def test_close_with_the_receiver_down_returns_within_the_deadline_and_reports(closed_port, make_handler, attach_logger, diagnostics):
    handler = make_handler(closed_port)  # default close_timeout
    log = ticker(handler, attach_logger)
    for i in range(100):
        log.log_market_tick("EURUSD", 1.1, 1.1001, i)
    started = time.monotonic()
    undelivered = handler.close()
    elapsed = time.monotonic() - started
    assert undelivered == 100 and handler.stats().undelivered_at_close == 100
    assert elapsed <= 2.0
    assert diagnostics.wait_for("closed with 100 events undelivered")
    log.log_market_tick("EURUSD", 1.1, 1.1001, 101)
    assert handler.stats().dropped_after_close == 1


def test_close_delivers_what_is_buffered_when_the_receiver_is_up(line_sink, make_handler, attach_logger):
    handler = make_handler(line_sink.port, flush_interval=10.0)  # nothing would go out before close
    log = ticker(handler, attach_logger)
    for i in range(10):
        log.log_market_tick("EURUSD", 1.1, 1.1001, i)
    assert handler.close() == 0
    assert line_sink.wait_for_lines(10)


def test_tls_with_a_certificate_made_in_the_test(pki, new_line_sink, make_handler, attach_logger):
    sink = new_line_sink(tls=pki.server_context())
    handler = make_handler(sink.port, tls=True, tls_ca_file=str(pki.ca))
    ticker(handler, attach_logger).log_market_tick("EURUSD", 1.1, 1.1001, 7)
    assert sink.wait_for_lines(1)
    assert sink.events()[0]["volume"] == 7


def test_mutual_tls_presents_the_client_certificate(pki, new_line_sink, make_handler, attach_logger):
    sink = new_line_sink(tls=pki.server_context(require_client_cert=True))
    handler = make_handler(sink.port, tls=True, tls_ca_file=str(pki.ca), tls_cert_file=str(pki.client_cert),
                           tls_key_file=str(pki.client_key), tls_server_hostname="localhost")
    ticker(handler, attach_logger).log_market_tick("EURUSD", 1.1, 1.1001, 8)
    assert sink.wait_for_lines(1)


def test_an_untrusted_server_certificate_is_refused(pki, new_line_sink, make_handler, attach_logger, diagnostics):
    sink = new_line_sink(tls=pki.server_context())
    handler = make_handler(sink.port, tls=True)  # system CA store: the test CA is not in it
    ticker(handler, attach_logger).log_market_tick("EURUSD", 1.1, 1.1001, 9)
    assert diagnostics.wait_for("CERTIFICATE_VERIFY_FAILED")
    assert sink.lines == [] and handler.stats().queued == 1
