"""Per-process facts every event carries (pid, host name) and its unique ``event.id``.

Why ids are made here and not with ``uuid4``: an id is needed on every call and ``uuid4`` costs
about 2 us; a random 96-bit per-process prefix plus a counter is as unique for de-duplication
and costs a tenth. After ``fork`` the child gets a new prefix and pid, or parent and child would
emit the same ids.
"""

from __future__ import annotations

import itertools
import os
import socket


class ProcessInfo:
    """Pid, host name and event-id source of the current process; renewed in a forked child."""

    def __init__(self) -> None:
        self.generation = 0
        self.hostname = _hostname()
        self._renew()

    def _renew(self) -> None:
        self.pid = os.getpid()
        self.id_prefix = os.urandom(12).hex() + "-"
        self.counter = itertools.count(1)
        """Numbers of this process's events (``next`` on a count is atomic under the GIL)."""
        self.generation += 1

    def next_event_id(self) -> str:
        """A process-unique id: ``<24 hex random>-<hex counter>`` (``next`` on a count is atomic)."""
        return f"{self.id_prefix}{next(self.counter):x}"

    def after_fork_in_child(self) -> None:
        """Called in a forked child: new pid, new id prefix, bumped generation (templates rebuild)."""
        self._renew()


def _hostname() -> str:
    try:
        return socket.gethostname()
    except OSError:
        return "unknown"


#: The one instance for this interpreter.
PROCESS = ProcessInfo()

if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=PROCESS.after_fork_in_child)
