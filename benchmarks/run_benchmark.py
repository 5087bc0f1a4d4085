"""elk_logger side by side with python-logstash-async and python-logstash, against one local sink.

Usage::

    .venv-test/bin/python benchmarks/run_benchmark.py [--clients "elk_logger json_lines,python-logstash tcp"]
        [--scenarios per_call,throughput] [--json out.json]

``.venv-test`` (made by ``scripts/test.sh`` from requirements-dev.txt) has the two comparison clients;
the run exits with status 1, naming each failure on stderr, when any measurement errors.

Starts ``sink.py`` (a Logstash stand-in on 127.0.0.1, its own process), then runs every scenario
of every client in a fresh process and prints each figure with its ratio to python-logstash-async
(tcp) and, for per-call costs, to the floor: the same ``logger.info(..., extra=...)`` call into a
``logging.Handler`` whose ``emit`` does nothing. A "targets" section ends the run. Figures:

* app-thread cost per call: 3 rounds of 50,000 back-to-back calls after 2,000 warm-up calls, each
  call timed; the round with the lowest median is shown (the same rule for every client);
* delivered events/s: 100,000 calls as fast as possible, until the sink has all (cap 10 s);
* worst call during a 5 s receiver stall (sink stops reading), logging 5,000 ticks/s;
* events lost across a 3 s receiver restart (listener closed, connections reset, unread data
  lost, as when Logstash is killed), logging 5,000 ticks/s; counted once everything arrived or
  nothing new arrived for 35 s (so events a client delivers late are not counted as lost);
* exit time with the receiver down (nothing listening) after 1,000 calls, and with the receiver
  stalled after 20,000 calls: from the last call to the end of the process (normal interpreter exit).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from clients import CLIENTS, FLOOR
from report import EXIT_CAP_S, errors, show, show_targets
from sink import Control

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SCENARIO_TIMEOUT_S = 180
FULL = ("per_call", "throughput", "stall", "restart", "exit_down", "exit_stalled")
#: The floor delivers nothing: only its per-call cost means something.
SCENARIOS = {name: FULL for name in CLIENTS} | {FLOOR: ("per_call",)}


def free_port() -> int:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


def run_scenario(scenario: str, client: str, port: int, control_port: int, base: int) -> dict:
    command = [sys.executable, str(HERE / "scenarios.py"), scenario, client, str(port), str(control_port), str(base)]
    try:
        done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=SCENARIO_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        return {"error": f"no result within {SCENARIO_TIMEOUT_S} s"}
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        return {"error": (done.stderr.strip().splitlines() or ["no output"])[-1]}
    return json.loads(lines[-1])


def run_exit(scenario: str, client: str, port: int, control_port: int) -> dict:
    """Seconds from the last call to the end of the process (``None`` when killed at the cap)."""
    command = [sys.executable, str(HERE / "scenarios.py"), scenario, client, str(port), str(control_port), "0"]
    with tempfile.TemporaryFile("w+") as errors:
        proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=errors, text=True)
        line = proc.stdout.readline()
        try:
            proc.wait(timeout=EXIT_CAP_S)
            ended = time.monotonic()
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            ended = None
        errors.seek(0)
        report = [text for text in errors.read().splitlines() if "undelivered" in text]
    if not line:
        return {"error": "the client did not finish logging"}
    logged_at = json.loads(line)["logged_at"]
    return {"seconds": None if ended is None else ended - logged_at, "report": report[-1] if report else ""}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", default=",".join(CLIENTS), help="comma-separated subset of: " + ", ".join(CLIENTS))
    parser.add_argument("--scenarios", default=",".join(FULL), help="comma-separated subset of: " + ", ".join(FULL))
    parser.add_argument("--json", help="also write the raw results to this file")
    args = parser.parse_args(argv)
    chosen = [name.strip() for name in args.clients.split(",") if name.strip()]
    wanted = [name.strip() for name in args.scenarios.split(",") if name.strip()]
    unknown = [name for name in chosen if name not in CLIENTS] + [name for name in wanted if name not in FULL]
    if unknown:
        parser.error(f"unknown client or scenario: {', '.join(unknown)}")

    sink = subprocess.Popen([sys.executable, str(HERE / "sink.py")], stdout=subprocess.PIPE, text=True)
    try:
        ports = json.loads(sink.stdout.readline())
        control = Control(ports["control"])
        results: dict[str, dict] = {client: {} for client in chosen}
        load_before = os.getloadavg()
        base = 0
        # scenario by scenario (not client by client): the per-call rounds of all clients, the floor
        # included, run within a minute or two of each other, so the VM's drift moves them together
        for scenario in (name for name in FULL if name in wanted):
            for client in (name for name in chosen if scenario in SCENARIOS[name]):
                protocol = CLIENTS[client][0]
                print(f"{client}: {scenario} ...", file=sys.stderr, flush=True)
                if scenario == "exit_down":
                    outcome = run_exit(scenario, client, free_port(), ports["control"])
                elif scenario == "exit_stalled":
                    control.ask("stall", seconds=120)
                    outcome = run_exit(scenario, client, ports[protocol], ports["control"])
                    control.ask("resume")
                else:
                    base += 1_000_000
                    outcome = run_scenario(scenario, client, ports[protocol], ports["control"], base)
                results[client][scenario] = outcome
        load_after = os.getloadavg()
        print(f"python {sys.version.split()[0]}, {time.strftime('%Y-%m-%d %H:%M')}, sink: benchmarks/sink.py on 127.0.0.1, "
              f"{os.cpu_count()} CPUs, load average (1/5/15 min) {_load(load_before)} before, {_load(load_after)} after")
        show(results)
        show_targets(results)
        if args.json:
            Path(args.json).write_text(json.dumps(results, indent=2))
    finally:
        sink.kill()
        sink.wait()
    failed = errors(results)
    if failed:
        print(f"\n{len(failed)} measurement(s) failed:", *failed, sep="\n  ", file=sys.stderr)
        sys.exit(1)


def _load(load: tuple[float, float, float]) -> str:
    return "/".join(f"{figure:.2f}" for figure in load)


if __name__ == "__main__":
    main()
