"""Interpreter exit (atexit flush with a deadline) and ``fork`` (a fresh worker in the child)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from elk_logger import ELKLogger

ROOT = Path(__file__).resolve().parents[2]

EXITING_PROGRAM = textwrap.dedent("""
    import sys, time
    from elk_logger import LoggerFactory
    LoggerFactory.configure(logstash_host="127.0.0.1", logstash_port=int(sys.argv[1]), console_output=False)
    log = LoggerFactory.get_elk_logger("Exit")
    for i in range(100):
        log.log_market_tick("EURUSD", 1.1, 1.1001, i)
    print(time.monotonic(), flush=True)
""")


def run_and_time_exit(port: int) -> tuple[float, str]:
    """Run the program; seconds from its last log call to the end of the process, and its stderr."""
    proc = subprocess.Popen([sys.executable, "-c", EXITING_PROGRAM, str(port)], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    out, err = proc.communicate(timeout=30)
    ended = time.monotonic()
    assert proc.returncode == 0, err
    return ended - float(out.strip()), err


def test_exit_with_the_receiver_down_takes_at_most_two_seconds_and_reports_the_loss(closed_port):
    duration, err = run_and_time_exit(closed_port)
    assert duration <= 2.0, f"exit took {duration:.2f} s"
    assert "closed with 100 events undelivered" in err


def test_exit_delivers_what_is_buffered_when_the_receiver_is_up(line_sink):
    duration, err = run_and_time_exit(line_sink.port)
    assert line_sink.wait_for_lines(100)
    assert err == "" and duration < 2.0


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_a_forked_child_gets_its_own_worker_connection_and_event_ids(line_sink, make_handler, attach_logger):
    handler = make_handler(line_sink.port)
    log = ELKLogger(attach_logger(handler, "Forky"), handler)
    log.info("parent before fork")
    log.logger.info("parent via logging", extra={"n": 1})  # the parent's template for this record shape
    assert line_sink.wait_for_lines(2)
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        code = 1
        try:
            log.info("from the child")
            log.logger.info("child via logging", extra={"n": 2})
            code = 0 if handler.close(timeout=5.0) == 0 else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    log.info("parent after fork")
    assert line_sink.wait_for_lines(5)
    before, *rest = line_sink.events()
    from_child = next(e for e in rest if e["message"] == "from the child")
    child_via_logging = next(e for e in rest if e["message"] == "child via logging")
    after = next(e for e in rest if e["message"] == "parent after fork")
    assert from_child["process"]["pid"] == child and after["process"]["pid"] == before["process"]["pid"] == os.getpid()
    assert child_via_logging["process"]["pid"] == child and child_via_logging["n"] == 2
    prefix = before["event"]["id"].rsplit("-", 1)[0]
    assert after["event"]["id"].startswith(prefix) and not from_child["event"]["id"].startswith(prefix)
    assert child_via_logging["event"]["id"].startswith(from_child["event"]["id"].rsplit("-", 1)[0])
    assert handler.stats().connections == 1 and line_sink.connections_accepted == 2
