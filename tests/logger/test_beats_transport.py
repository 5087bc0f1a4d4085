"""Acknowledged mode (Lumberjack v2) against the protocol peer in conftest: windows, ACKs, restarts, no loss."""

from __future__ import annotations

import time

from elk_logger import ELKLogger


def ticker(handler, attach_logger) -> ELKLogger:
    return ELKLogger(attach_logger(handler, "MarketDataBridge"), handler)


def log_ticks(log: ELKLogger, numbers: range) -> None:
    for i in numbers:
        log.log_market_tick("EURUSD", 1.1, 1.1001, i)


def acked_volumes(peer) -> set[int]:
    with peer.changed:
        return {event["volume"] for event in peer.acked}


def test_batches_are_windows_of_json_frames_and_leave_the_buffer_when_acknowledged(beats_peer, make_handler, attach_logger):
    handler = make_handler(beats_peer.port, mode="beats", batch_max_events=100)
    log_ticks(ticker(handler, attach_logger), range(1000))
    assert beats_peer.wait_for_acked(1000)
    assert handler.flush(timeout=5.0)
    assert [e["volume"] for e in beats_peer.received] == list(range(1000))
    assert all(w <= 100 for w in beats_peer.windows) and sum(beats_peer.windows) == 1000
    assert beats_peer.protocol_errors == []
    stats = handler.stats()
    assert stats.delivered == 1000 and stats.queued == 0 and stats.connections == 1


def test_compressed_frames(beats_peer, make_handler, attach_logger):
    handler = make_handler(beats_peer.port, mode="beats", compression_level=6)
    log_ticks(ticker(handler, attach_logger), range(300))
    assert beats_peer.wait_for_acked(300)
    assert beats_peer.compressed_frames >= 1 and beats_peer.protocol_errors == []
    assert acked_volumes(beats_peer) == set(range(300))


def test_keepalive_and_partial_acknowledgements_are_understood(new_beats_peer, make_handler, attach_logger):
    peer = new_beats_peer(keepalive_first=True, partial_first=True)
    handler = make_handler(peer.port, mode="beats", batch_max_events=50)
    log_ticks(ticker(handler, attach_logger), range(500))
    assert peer.wait_for_acked(500)
    assert handler.flush(timeout=5.0)
    assert len(peer.received) == 500  # nothing was sent twice: partial and keep-alive ACKs were read right
    assert handler.stats().failed_sends == 0


def test_a_window_the_receiver_never_acknowledged_is_sent_again(new_beats_peer, make_handler, attach_logger):
    peer = new_beats_peer(reset_after_events=1)
    handler = make_handler(peer.port, mode="beats", backoff_initial=0.01, backoff_max=0.05)
    log = ticker(handler, attach_logger)
    log_ticks(log, range(10))
    assert peer.wait_for_acked(10)
    assert acked_volumes(peer) == set(range(10))
    assert len(peer.received) > len(peer.acked)  # the reset window arrived twice: at-least-once
    stats = handler.stats()
    assert stats.failed_sends >= 1 and stats.resent >= 1 and stats.connections == 2


def test_nothing_is_lost_across_a_receiver_restart(beats_peer, make_handler, attach_logger):
    handler = make_handler(beats_peer.port, mode="beats", backoff_initial=0.01, backoff_max=0.05)
    log = ticker(handler, attach_logger)
    log_ticks(log, range(0, 200))
    assert beats_peer.wait_for_acked(200)
    beats_peer.kill()
    log_ticks(log, range(200, 400))  # receiver down: held in the buffer
    assert handler.stats().queued > 0
    beats_peer.listen()
    log_ticks(log, range(400, 600))
    assert beats_peer.wait_until(lambda: acked_volumes(beats_peer) == set(range(600)))
    assert handler.flush(timeout=5.0)
    assert handler.stats().dropped_overflow == 0


def test_silence_past_the_ack_timeout_counts_as_a_dead_receiver(new_beats_peer, make_handler, attach_logger):
    peer = new_beats_peer(ack=False)
    handler = make_handler(peer.port, mode="beats", ack_timeout=0.2, backoff_initial=0.01, backoff_max=0.02)
    log_ticks(ticker(handler, attach_logger), range(5))
    assert peer.wait_until(lambda: len(peer.received) >= 10)  # the unacknowledged window came again
    peer.behaviour.ack = True
    assert peer.wait_until(lambda: acked_volumes(peer) == set(range(5)))
    assert handler.flush(timeout=5.0)


def test_close_reports_unacknowledged_events_as_undelivered(new_beats_peer, make_handler, attach_logger, diagnostics):
    peer = new_beats_peer(ack=False)
    handler = make_handler(peer.port, mode="beats")
    log_ticks(ticker(handler, attach_logger), range(25))
    assert peer.wait_until(lambda: len(peer.received) == 25)
    started = time.monotonic()
    assert handler.close(timeout=0.3) == 25
    assert time.monotonic() - started < 1.0
    assert diagnostics.wait_for("25 events undelivered")


def test_acknowledged_mode_over_tls(pki, new_beats_peer, make_handler, attach_logger):
    peer = new_beats_peer(tls=pki.server_context(require_client_cert=True))
    handler = make_handler(peer.port, mode="beats", tls=True, tls_ca_file=str(pki.ca), tls_cert_file=str(pki.client_cert),
                           tls_key_file=str(pki.client_key))
    log_ticks(ticker(handler, attach_logger), range(50))
    assert peer.wait_for_acked(50)
