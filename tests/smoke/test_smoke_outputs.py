"""Reading the stack outputs: the Pulumi CLI call, the file, and every way they can be wrong (exit 2)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FAST, PASSWORD, SCRIPTS, Main, Stack
from smoke_check.outputs import REQUIRED_OUTPUTS

FAKE_PULUMI = """#!/bin/sh
printf '%s\\n' "$@" > "$FAKE_PULUMI_ARGS"
if [ -n "$FAKE_PULUMI_FAIL" ]; then echo "$FAKE_PULUMI_FAIL" >&2; exit 255; fi
cat "$FAKE_PULUMI_OUTPUTS"
"""


def install_fake_pulumi(directory: Path, monkeypatch: pytest.MonkeyPatch, outputs_file: Path) -> Path:
    """Put a ``pulumi`` on PATH that records its arguments and prints ``outputs_file``."""
    bin_dir = directory / "bin"
    bin_dir.mkdir()
    script = bin_dir / "pulumi"
    script.write_text(FAKE_PULUMI)
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    args_file = directory / "pulumi-args.txt"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    monkeypatch.setenv("FAKE_PULUMI_ARGS", str(args_file))
    monkeypatch.setenv("FAKE_PULUMI_OUTPUTS", str(outputs_file))
    return args_file


@pytest.mark.parametrize("name", REQUIRED_OUTPUTS)
def test_missing_output_is_named_and_exits_2(stack: Stack, name: str) -> None:
    outputs = dict(stack.outputs)
    del outputs[name]

    run = stack.run(outputs=outputs)

    assert run.code == 2
    assert f"missing stack output(s): {name}" in run.err
    assert run.out == ""
    assert stack.cluster.received == [] and stack.cluster.requests == []


def test_all_missing_outputs_are_named_at_once(stack: Stack) -> None:
    run = stack.run(outputs={"elasticsearch_url": stack.outputs["elasticsearch_url"]})

    assert run.code == 2
    for name in REQUIRED_OUTPUTS[1:]:
        assert name in run.err


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("logstash_tcp_endpoint", {"host": "127.0.0.1", "port": "5000", "tls": True}, "logstash_tcp_endpoint.port must be an integer"),
        ("logstash_tcp_endpoint", {"host": "127.0.0.1", "port": 0, "tls": True}, "logstash_tcp_endpoint.port must be an integer"),
        ("logstash_tcp_endpoint", {"host": "127.0.0.1", "port": True, "tls": True}, "logstash_tcp_endpoint.port must be an integer"),
        ("logstash_tcp_endpoint", {"host": "127.0.0.1", "port": 5000, "tls": "yes"}, "logstash_tcp_endpoint.tls must be true or false"),
        ("logstash_tcp_endpoint", {"host": "", "port": 5000, "tls": True}, "logstash_tcp_endpoint.host must be a non-empty string"),
        ("logstash_tcp_endpoint", "127.0.0.1:5000", "must be an object with host, port and tls"),
        ("elasticsearch_url", "ftp://127.0.0.1:9200", "elasticsearch_url must be an http(s) URL"),
        ("kibana_url", "127.0.0.1:5601", "kibana_url must be an http(s) URL"),
        ("ca_certificate", "not a certificate", "ca_certificate is not a PEM certificate"),
        ("ca_certificate", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "ca_certificate could not be loaded"),
        ("elastic_password", "[secret]", "export it with --show-secrets"),
        ("elastic_password", 12345, "elastic_password must be a non-empty string"),
    ],
)
def test_malformed_output_exits_2_with_a_clear_message(stack: Stack, name: str, value: object, message: str) -> None:
    run = stack.run(outputs={**stack.outputs, name: value})

    assert run.code == 2
    assert message in run.err
    assert run.out == ""


def test_outputs_that_are_not_an_object_exit_2(stack: Stack) -> None:
    run = stack.run(outputs=["elasticsearch_url"])

    assert run.code == 2
    assert "must be a JSON object" in run.err


def test_unreadable_or_invalid_outputs_file_exits_2(smoke_main: Main, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"elastic_password": "' + PASSWORD)

    assert smoke_main(["--outputs-file", str(broken)]) == 2
    err = capsys.readouterr().err
    assert "is not valid JSON" in err
    assert PASSWORD not in err

    assert smoke_main(["--outputs-file", str(tmp_path / "absent.json")]) == 2
    assert "cannot read outputs file" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [
        ["--stack", "dev", "--outputs-file", "x.json"],
        ["--timeout", "0"],
        ["--interval", "soon"],
        ["--no-such-option"],
    ],
)
def test_usage_errors_exit_2(smoke_main: Main, argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert smoke_main(argv) == 2
    assert "usage:" in capsys.readouterr().err


def test_help_exits_0(smoke_main: Main, capsys: pytest.CaptureFixture[str]) -> None:
    assert smoke_main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "--outputs-file" in out and "--stack" in out and "Exit status" in out


def test_reads_outputs_from_the_pulumi_cli_for_the_named_stack(
    stack: Stack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    args_file = install_fake_pulumi(tmp_path, monkeypatch, stack.write_outputs())

    code = stack.main(["--stack", "dev", *FAST])

    captured = capsys.readouterr()
    assert code == 0, captured.out + captured.err
    assert args_file.read_text().split() == ["stack", "output", "--json", "--show-secrets", "--stack", "dev"]
    assert PASSWORD not in captured.out + captured.err


def test_without_stack_the_pulumi_cli_picks_the_current_stack(stack: Stack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    args_file = install_fake_pulumi(tmp_path, monkeypatch, stack.write_outputs())

    assert stack.main(FAST) == 0
    assert args_file.read_text().split() == ["stack", "output", "--json", "--show-secrets"]


def test_pulumi_cli_failure_exits_2_with_its_message(
    stack: Stack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    install_fake_pulumi(tmp_path, monkeypatch, stack.write_outputs())
    monkeypatch.setenv("FAKE_PULUMI_FAIL", "error: no stack named 'nope' found")

    assert stack.main(["--stack", "nope"]) == 2
    err = capsys.readouterr().err
    assert "failed (exit 255)" in err
    assert "no stack named 'nope' found" in err


def test_pulumi_cli_printing_non_json_exits_2(
    stack: Stack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    not_json = tmp_path / "not.json"
    not_json.write_text("Current stack outputs (0):\n    No output values currently in this stack\n")
    install_fake_pulumi(tmp_path, monkeypatch, not_json)

    assert stack.main([]) == 2
    assert "pulumi stack output is not valid JSON" in capsys.readouterr().err


def test_missing_pulumi_cli_exits_2(
    smoke_main: Main, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))

    assert smoke_main([]) == 2
    assert "pulumi CLI not found on PATH" in capsys.readouterr().err


def test_runs_as_a_script_with_the_documented_exit_codes(stack: Stack) -> None:
    """``python scripts/smoke.py`` works from any directory, not only when imported by tests."""
    script = str(SCRIPTS / "smoke.py")
    ok = subprocess.run(
        [sys.executable, script, "--outputs-file", str(stack.write_outputs()), *FAST], capture_output=True, text=True, cwd="/", timeout=60
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "smoke check: PASS" in ok.stdout
    assert PASSWORD not in ok.stdout + ok.stderr

    missing = {k: v for k, v in stack.outputs.items() if k != "elastic_password"}
    usage = subprocess.run(
        [sys.executable, script, "--outputs-file", str(stack.write_outputs(missing))], capture_output=True, text=True, timeout=60
    )
    assert usage.returncode == 2
    assert "elastic_password" in usage.stderr
