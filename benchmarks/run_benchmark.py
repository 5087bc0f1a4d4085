"""elk_logger side by side with python-logstash-async and python-logstash, against one local sink.

Usage::

    .venv/bin/python benchmarks/run_benchmark.py [--clients "elk_logger json_lines,python-logstash tcp"] [--json out.json]

Starts ``sink.py`` (a Logstash stand-in on 127.0.0.1, its own process), then runs every scenario
of every client in a fresh process and prints each figure with its ratio to python-logstash-async
(tcp). Figures:

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
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from clients import CLIENTS
from sink import Control

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BASELINE = "python-logstash-async tcp"
SCENARIO_TIMEOUT_S = 180
EXIT_CAP_S = 10.0
FULL = ("per_call", "throughput", "stall", "restart", "exit_down", "exit_stalled")
SCENARIOS = {name: FULL for name in CLIENTS} | {"elk_logger via logging": ("per_call",)}

#: (title, target, scenario, key, format)
FIGURES = [
    ("app-thread cost per call, median (us)", "<= 10", "per_call", "median_us", "{:.1f}"),
    ("app-thread cost per call, p99 (us)", "<= 25", "per_call", "p99_us", "{:.1f}"),
    ("delivered events/s", ">= 50,000", "throughput", "events_per_s", "{:,.0f}"),
    ("worst call during a 5 s receiver stall (ms)", "<= 5", "stall", "worst_ms", "{:.2f}"),
    ("events lost across a 3 s receiver restart", "0 in acknowledged mode", "restart", "lost", "{:,.0f}"),
    ("exit time with the receiver down (s)", "<= 2", "exit_down", "seconds", "{:.2f}"),
    ("exit time with the receiver stalled (s)", "(not a target)", "exit_stalled", "seconds", "{:.2f}"),
]


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


def show(results: dict[str, dict]) -> None:
    for title, target, scenario, key, fmt in FIGURES:
        print(f"\n{title}   [target {target}]")
        baseline = results.get(BASELINE, {}).get(scenario, {}).get(key)
        for client, scenarios in results.items():
            if scenario not in scenarios:
                continue
            result = scenarios[scenario]
            value = result.get(key)
            if "error" in result:
                text = f"error: {result['error']}"
            elif value is None:
                text = f"> {EXIT_CAP_S:.0f} (killed)"
            else:
                text = fmt.format(value)
            ratio = f"{value / baseline:.2f}x" if isinstance(value, (int, float)) and baseline else "-"
            print(f"  {client:30s} {text:>16s}   ratio to {BASELINE}: {ratio}{details(scenario, result)}")


def details(scenario: str, result: dict) -> str:
    if "error" in result:
        return ""
    if scenario == "per_call":
        rounds = "/".join(f"{m:.1f}" for m in result["round_medians_us"])
        return f"   (p99.9 {result['p999_us']:.1f} us, max {result['max_us'] / 1000:.2f} ms; round medians {rounds} us)"
    if scenario == "throughput":
        return f"   ({result['delivered']:,} of {result['sent']:,} delivered in {result['seconds']:.2f} s)"
    if scenario == "stall":
        return (f"   (p99 {result['p99_us']:.1f} us during the stall; "
                f"{result['lost']:,} of {result['sent']:,} not delivered 12 s after the last call)")
    if scenario == "restart":
        return (f"   (of {result['sent']:,} sent; {result['duplicates']:,} duplicates; "
                f"last event arrived {result['last_arrival_s']:.1f} s after the last call)")
    if scenario.startswith("exit") and result.get("report"):
        return f"   [{result['report'].strip()}]"
    return ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", default=",".join(CLIENTS), help="comma-separated subset of: " + ", ".join(CLIENTS))
    parser.add_argument("--json", help="also write the raw results to this file")
    args = parser.parse_args()
    chosen = [name.strip() for name in args.clients.split(",") if name.strip()]

    sink = subprocess.Popen([sys.executable, str(HERE / "sink.py")], stdout=subprocess.PIPE, text=True)
    try:
        ports = json.loads(sink.stdout.readline())
        control = Control(ports["control"])
        results: dict[str, dict] = {}
        base = 0
        for client in chosen:
            protocol = CLIENTS[client][0]
            results[client] = {}
            for scenario in SCENARIOS[client]:
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
        print(f"python {sys.version.split()[0]}, {time.strftime('%Y-%m-%d %H:%M')}, sink: benchmarks/sink.py on 127.0.0.1")
        show(results)
        if args.json:
            Path(args.json).write_text(json.dumps(results, indent=2))
    finally:
        sink.kill()
        sink.wait()


if __name__ == "__main__":
    main()
