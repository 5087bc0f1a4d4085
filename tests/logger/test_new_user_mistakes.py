"""What a new user gets wrong first: a missing TLS file, a port as text, a host with its port,
logging after ``shutdown()``, and a benchmark whose failures would otherwise look like a result.

Each mistake must end in the client's own message at the call that made it (never a raw
``TypeError``, never a failure later in the background thread, never a silent drop).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from elk_logger import ElkConfig, ElkHandler, LoggerFactory

ROOT = Path(__file__).resolve().parents[2]

# -- TLS files ------------------------------------------------------------------------------------------

MISSING_CA_PROGRAM = textwrap.dedent("""
    import sys
    from elk_logger import LoggerFactory
    LoggerFactory.configure(logstash_host="127.0.0.1", tls=True, tls_ca_file=sys.argv[1], console_output=False)
""")


def test_a_missing_ca_file_is_named_and_leaves_no_second_traceback_at_exit(tmp_path):
    missing = tmp_path / "no-such-ca.crt"
    done = subprocess.run([sys.executable, "-c", MISSING_CA_PROGRAM, str(missing)], cwd=ROOT, capture_output=True,
                          text=True, timeout=30)
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("ValueError: invalid elk_logger configuration: tls_ca_file:") and str(missing) in last
    assert done.stderr.count("Traceback") == 1, done.stderr
    assert "Exception ignored" not in done.stderr, done.stderr


@pytest.mark.parametrize("setting", ["tls_ca_file", "tls_cert_file"])
def test_each_missing_tls_file_is_named_by_its_setting(tmp_path, setting):
    missing = str(tmp_path / "missing.pem")
    with pytest.raises(ValueError, match=f"{setting}: {missing!r} does not exist"):
        ElkHandler(hosts=(("127.0.0.1", 5000),), tls=True, **{setting: missing})


def test_a_tls_file_that_is_not_pem_is_named(tmp_path):
    garbage = tmp_path / "ca.crt"
    garbage.write_text("not a certificate\n")
    with pytest.raises(ValueError, match=r"tls_ca_file: .*ca\.crt.* could not be loaded"):
        ElkHandler(hosts=(("127.0.0.1", 5000),), tls=True, tls_ca_file=str(garbage))


def test_tls_files_without_tls_are_refused_rather_than_sent_in_plaintext(pki):
    with pytest.raises(ValueError, match="tls_ca_file: given but tls is off"):
        ElkConfig(tls_ca_file=str(pki.ca))


# -- ports and hosts ------------------------------------------------------------------------------------


def test_a_port_given_as_text_is_accepted_as_meant(line_sink):
    LoggerFactory.configure(logstash_host="127.0.0.1", logstash_port=str(line_sink.port), console_output=False,
                            flush_interval=0.005)
    try:
        assert LoggerFactory.handler().config.hosts == (("127.0.0.1", line_sink.port),)
        LoggerFactory.get_elk_logger("TextPort").info("arrived")
        assert line_sink.wait_for_lines(1)
    finally:
        LoggerFactory.shutdown(timeout=0.5)


def test_a_host_with_its_port_is_accepted_as_meant(line_sink):
    LoggerFactory.configure(logstash_host=f"127.0.0.1:{line_sink.port}", console_output=False, flush_interval=0.005)
    try:
        assert LoggerFactory.handler().config.hosts == (("127.0.0.1", line_sink.port),)
        LoggerFactory.get_elk_logger("HostPort").info("arrived")
        assert line_sink.wait_for_lines(1)
    finally:
        LoggerFactory.shutdown(timeout=0.5)


@pytest.mark.parametrize(("settings", "message"), [
    ({"logstash_port": "50x0"}, "logstash_port: '50x0' is not a TCP port"),
    ({"logstash_port": 70000}, "logstash_port: 70000 is not a TCP port"),
    ({"logstash_port": True}, "logstash_port: True is not a TCP port"),
    ({"logstash_host": "localhost:5000", "logstash_port": 5001}, "logstash_host: 'localhost:5000' names port 5000"),
    ({"logstash_host": "localhost:abc"}, "logstash_host: 'localhost:abc' has no valid port"),
    ({"logstash_hosts": ["ls1:5000", "ls2:x"]}, "hosts: 'ls2:x' has no valid port"),
    ({"flush_interval": "0.05"}, "flush_interval: must be a number, got '0.05'"),
    ({"logstash_prot": 5000}, "unknown setting 'logstash_prot' (did you mean 'logstash_port'?)"),
    ({"level": "CHATTY"}, "unknown log level 'CHATTY'"),
])
def test_bad_host_port_and_setting_values_get_the_clients_own_message(settings, message):
    with pytest.raises(ValueError) as caught:
        LoggerFactory.configure(console_output=False, **settings)
    assert message in str(caught.value)
    assert LoggerFactory.handler() is None  # nothing half-configured stays behind


@pytest.mark.parametrize(("hosts", "message"), [
    ((("localhost", "5000"),), "hosts: port '5000' of 'localhost' is not an integer"),
    ((("localhost:5000", 5000),), "hosts: 'localhost:5000' includes a port"),
    (("localhost:5000",), "hosts: each entry must be a (host, port) pair, got 'localhost:5000'"),
])
def test_malformed_host_entries_in_a_config_are_refused_with_a_message(hosts, message):
    with pytest.raises(ValueError) as caught:
        ElkConfig(hosts=hosts)
    assert message in str(caught.value)


def test_an_ipv6_host_entry_is_still_accepted():
    assert ElkConfig(hosts=(("::1", 5000),)).hosts == (("::1", 5000),)


# -- after shutdown -------------------------------------------------------------------------------------


def test_logging_after_shutdown_says_so_once_and_the_final_counters_stay_readable(line_sink, capsys):
    LoggerFactory.configure(logstash_host="127.0.0.1", logstash_port=line_sink.port, console_output=False,
                            flush_interval=0.005)
    log = LoggerFactory.get_elk_logger("Late")
    log.info("delivered")
    assert LoggerFactory.shutdown(timeout=2.0) == 0
    capsys.readouterr()
    log.info("too late")
    log.log_market_tick("EURUSD", 1.1, 1.1001, 1)
    log.logger.warning("through plain logging")
    err = capsys.readouterr().err
    assert err.count("after shutdown") == 1, err
    final = LoggerFactory.stats()
    assert final is not None
    assert final.delivered == 1 and final.undelivered_at_close == 0 and final.dropped_after_close == 3
    assert LoggerFactory.handler() is None
    assert line_sink.wait_for_lines(1)
    assert [e["message"] for e in line_sink.events()] == ["delivered"]


def test_a_closed_handler_says_once_that_it_drops_what_is_logged(line_sink, make_handler, attach_logger, diagnostics):
    handler = make_handler(line_sink.port)
    logger = attach_logger(handler, "Closed")
    handler.close(timeout=0.5)
    for _ in range(5):
        logger.info("dropped")
    assert diagnostics.count("logged after") == 1
    assert handler.stats().dropped_after_close == 5


def test_configuring_again_after_shutdown_logs_normally(line_sink):
    LoggerFactory.configure(logstash_host="127.0.0.1", logstash_port=line_sink.port, console_output=False,
                            flush_interval=0.005)
    log = LoggerFactory.get_elk_logger("Again")
    LoggerFactory.shutdown(timeout=0.5)
    LoggerFactory.configure(logstash_host="127.0.0.1", logstash_port=line_sink.port, console_output=False,
                            flush_interval=0.005)
    try:
        again = LoggerFactory.get_elk_logger("Again")
        again.info("second life")
        assert line_sink.wait_for_lines(1)
        assert again.logger.handlers == [LoggerFactory.handler()]
        assert log.logger is again.logger
    finally:
        LoggerFactory.shutdown(timeout=0.5)


# -- the benchmark --------------------------------------------------------------------------------------


def test_the_benchmark_exits_non_zero_when_a_client_errors(monkeypatch, capsys):
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    import run_benchmark

    def failing(*args: object) -> dict:
        return {"error": "ModuleNotFoundError: No module named 'logstash'"}

    monkeypatch.setattr(run_benchmark, "run_scenario", failing)
    monkeypatch.setattr(run_benchmark, "run_exit", failing)
    monkeypatch.setattr(sys, "argv", ["run_benchmark.py", "--clients", "python-logstash tcp"])
    with pytest.raises(SystemExit) as caught:
        run_benchmark.main()
    assert caught.value.code not in (0, None)
    captured = capsys.readouterr()
    assert "python-logstash tcp" in captured.err and "No module named 'logstash'" in captured.out
