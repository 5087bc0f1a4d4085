"""One benchmark scenario for one client, in a fresh process; prints its result as one JSON line.

A fresh process per (client, scenario) keeps backlogs and class-level workers of one measurement
out of the next. Usage (run by ``run_benchmark.py``)::

    python benchmarks/scenarios.py SCENARIO CLIENT PORT CONTROL_PORT BASE
"""

from __future__ import annotations

import gc
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from sink import Control

ROOT = Path(__file__).resolve().parents[1]

PER_CALL_EVENTS = 50_000
PER_CALL_ROUNDS = 3  # the round with the lowest median is kept (same rule for every client): the host is noisy
WARMUP_EVENTS = 2_000
THROUGHPUT_EVENTS = 100_000
THROUGHPUT_CAP_S = 10.0
PACED_RATE = 5_000  # ticks per second while stalling / restarting the receiver
STALL_S = 5.0
RESTART_DOWN_S = 3.0
DRAIN_CAP_S = 12.0
#: After a restart, wait until everything arrived or nothing new came for this long (python-logstash-async
#: sits in a 30 s close-wait after a refused connect, then still delivers: late is not lost).
RESTART_QUIET_S = 35.0
RESTART_CAP_S = 120.0
EXIT_EVENTS = {"exit_down": 1_000, "exit_stalled": 20_000}


def percentile(sorted_values: list[int], fraction: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * fraction))]


class SlowestCall:
    """Where the slowest timed call's time went, so a long one can be told apart: on a CPU (the call itself,
    a garbage collection, or the hypervisor taking the vCPU away; ``time.thread_time``), runnable but
    waiting for a CPU (the kernel's run queue: other processes, or this process's other thread;
    ``/proc/thread-self/schedstat``), or neither - asleep, which in a call that never touches the network
    is waiting for the GIL or a lock. Both clocks are read before every call (outside the timed part) and
    again after the slowest one so far; garbage collections (in any thread, CPU time) from ``gc.callbacks``."""

    def __init__(self) -> None:
        try:
            self._fd: int | None = os.open("/proc/thread-self/schedstat", os.O_RDONLY)  # this (the calling) thread
        except OSError:
            self._fd = None
        self.took_ns = 0
        self._slowest: tuple[int, int, tuple[int, int], tuple[int, int]] | None = None
        self._collections: list[tuple[int, int, int]] = []  # wall start, wall end, CPU ns
        self._gc_started = (0, 0)
        gc.callbacks.append(self._gc)

    def _gc(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._gc_started = (time.perf_counter_ns(), time.thread_time_ns())
        else:
            wall, cpu = self._gc_started
            self._collections.append((wall, time.perf_counter_ns(), time.thread_time_ns() - cpu))

    def mark(self) -> tuple[int, int]:
        """(CPU ns of this thread, ns it waited in the run queue)."""
        waited = int(os.pread(self._fd, 128, 0).split()[1]) if self._fd is not None else -1
        return time.thread_time_ns(), waited

    def slower(self, started_ns: int, took_ns: int, mark: tuple[int, int]) -> None:
        self.took_ns = took_ns
        self._slowest = (started_ns, took_ns, mark, self.mark())

    def summary(self) -> dict:
        gc.callbacks.remove(self._gc)
        result: dict = {"gc_collections": len(self._collections),
                        "gc_longest_cpu_ms": max((cpu for _, _, cpu in self._collections), default=0) / 1e6}
        if self._slowest is None:
            return result
        started, took, (cpu0, wait0), (cpu1, wait1) = self._slowest
        result["worst_gc_ms"] = sum(max(0, min(end, started + took) - max(start, started))
                                    for start, end, _ in self._collections) / 1e6
        result["worst_on_cpu_ms"] = (cpu1 - cpu0) / 1e6
        if wait0 >= 0:
            result["worst_runqueue_ms"] = (wait1 - wait0) / 1e6
            result["worst_asleep_ms"] = max(0, took - (cpu1 - cpu0) - (wait1 - wait0)) / 1e6
        return result


def paced(call: Callable[[int], None], start: int, seconds: float, times: list[int] | None = None,
          probe: SlowestCall | None = None) -> int:
    """Log ``PACED_RATE`` events/s for ``seconds`` in 10 ms bursts (no catch-up after a blocking call)."""
    tick = 0.01
    burst = max(1, int(PACED_RATE * tick))
    number = start
    clock, clock_ns = time.perf_counter, time.perf_counter_ns
    next_at = clock()
    end = next_at + seconds
    while clock() < end:
        for _ in range(burst):
            mark = probe.mark() if probe is not None else (0, 0)  # outside the timed part
            started = clock_ns()
            call(number)
            took = clock_ns() - started
            if times is not None:
                times.append(took)
            if probe is not None and took > probe.took_ns:
                probe.slower(started, took, mark)
            number += 1
        next_at += tick
        delay = next_at - clock()
        if delay > 0:
            time.sleep(delay)
        elif delay < -0.1:
            next_at = clock()
    return number


def wait_delivery(control: Control, expected: int, started: float, cap: float) -> tuple[int, int, float]:
    """Poll the sink until ``expected`` distinct events arrived or ``cap`` seconds passed since ``started``."""
    while True:
        unique, total = control.count()
        elapsed = time.perf_counter() - started
        if unique >= expected or elapsed >= cap:
            return unique, total, elapsed
        time.sleep(0.02)


def wait_quiet(control: Control, expected: int) -> tuple[int, int, float]:
    """Poll until ``expected`` distinct events arrived or none arrived for ``RESTART_QUIET_S``;
    also returns when the last one arrived (seconds from now)."""
    started = last_change = time.perf_counter()
    seen = -1
    while True:
        unique, total = control.count()
        now = time.perf_counter()
        if unique != seen:
            seen, last_change = unique, now
        if unique >= expected or now - last_change >= RESTART_QUIET_S or now - started >= RESTART_CAP_S:
            return unique, total, last_change - started
        time.sleep(0.05)


def per_call(call: Callable[[int], None], control: Control, base: int) -> dict:
    for i in range(WARMUP_EVENTS):
        call(base + i)
    clock_ns = time.perf_counter_ns
    rounds = []
    number = base + WARMUP_EVENTS
    for _ in range(PER_CALL_ROUNDS):
        times = []
        for i in range(number, number + PER_CALL_EVENTS):
            started = clock_ns()
            call(i)
            times.append(clock_ns() - started)
        number += PER_CALL_EVENTS
        times.sort()
        rounds.append(times)
    medians = [percentile(times, 0.5) / 1e3 for times in rounds]
    best = rounds[medians.index(min(medians))]
    return {"median_us": percentile(best, 0.5) / 1e3, "p99_us": percentile(best, 0.99) / 1e3,
            "p999_us": percentile(best, 0.999) / 1e3, "max_us": best[-1] / 1e3, "round_medians_us": medians}


def throughput(call: Callable[[int], None], control: Control, base: int) -> dict:
    control.track(base, base + THROUGHPUT_EVENTS)
    started = time.perf_counter()
    for i in range(base, base + THROUGHPUT_EVENTS):
        call(i)
    produced = time.perf_counter() - started
    unique, total, elapsed = wait_delivery(control, THROUGHPUT_EVENTS, started, THROUGHPUT_CAP_S)
    return {"events_per_s": unique / elapsed, "delivered": unique, "sent": THROUGHPUT_EVENTS, "seconds": elapsed,
            "produce_seconds": produced}


def stall(call: Callable[[int], None], control: Control, base: int) -> dict:
    control.track(base, base + 1_000_000)
    number = paced(call, base, 0.5)
    control.ask("stall", seconds=STALL_S)
    times: list[int] = []
    probe = SlowestCall()
    number = paced(call, number, STALL_S, times, probe)
    slowest = probe.summary()
    number = paced(call, number, 0.5)
    sent = number - base
    unique, total, _ = wait_delivery(control, sent, time.perf_counter(), DRAIN_CAP_S)
    times.sort()
    return {"worst_ms": times[-1] / 1e6, "p99_us": percentile(times, 0.99) / 1e3, "sent": sent, "lost": sent - unique,
            **slowest}


def restart(call: Callable[[int], None], control: Control, base: int) -> dict:
    control.track(base, base + 1_000_000)
    number = paced(call, base, 1.0)
    control.ask("restart", seconds=RESTART_DOWN_S)
    number = paced(call, number, RESTART_DOWN_S + 1.0)
    sent = number - base
    unique, total, last_arrival = wait_quiet(control, sent)
    return {"sent": sent, "lost": sent - unique, "duplicates": total - unique, "last_arrival_s": last_arrival}


def exit_run(call: Callable[[int], None], count: int) -> None:
    """Log ``count`` events, print the time, and leave normally (atexit / logging.shutdown run)."""
    for i in range(count):
        call(i)
    print(json.dumps({"logged_at": time.monotonic()}), flush=True)


SCENARIOS = {"per_call": per_call, "throughput": throughput, "stall": stall, "restart": restart}


def main(argv: list[str]) -> None:
    scenario, client_name, port, control_port, base = argv[0], argv[1], int(argv[2]), int(argv[3]), int(argv[4])
    sys.path.insert(0, str(ROOT))
    from clients import CLIENTS

    client = CLIENTS[client_name][1](port)
    if scenario in EXIT_EVENTS:
        exit_run(client.call, EXIT_EVENTS[scenario])
        return
    result = SCENARIOS[scenario](client.call, Control(control_port), base)
    print(json.dumps(result), flush=True)
    os._exit(0)  # skip the exit flush: a backlog left by a slow client must not delay the next measurement


if __name__ == "__main__":
    main(sys.argv[1:])
