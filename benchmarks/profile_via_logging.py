"""Run the benchmark's ``elk_logger via logging`` call in a loop, for a profiler to look at.

Usage (profilers are not project dependencies: install them in a scratch venv)::

    PYTHONPATH=. /tmp/profvenv/bin/pyinstrument -i 0.0001 benchmarks/profile_via_logging.py 200000
    PYTHONPATH=. /tmp/profvenv/bin/kernprof -l -v benchmarks/profile_via_logging.py 200000   # with @profile added

Sends to a real ``sink.py`` process, as the benchmark does, so the worker thread's share of the
GIL is part of what is measured. pyinstrument samples only the thread it starts in: the worker's
own work (joining the queued values into lines, sending) is not in its tree. Its per-call overhead
also inflates small calls; ``timeit`` with ``timer=time.thread_time`` around ``handler.handle(record)``
gives the CPU cost per call (see elk_logger/README.md, "Fast paths").
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from clients import CLIENTS, VIA_LOGGING  # noqa: E402


def main(count: int) -> None:
    sink = subprocess.Popen([sys.executable, str(HERE / "sink.py")], stdout=subprocess.PIPE, text=True)
    try:
        ports = json.loads(sink.stdout.readline())
        client = CLIENTS[VIA_LOGGING][1](ports["lines"])
        call = client.call
        started = time.perf_counter()
        for number in range(count):
            call(number)
        elapsed = time.perf_counter() - started
        print(f"{count} calls, {elapsed / count * 1e6:.2f} us per call (mean, profiler overhead included)", file=sys.stderr)
        client.close()
    finally:
        sink.kill()
        sink.wait()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
