"""Process hooks for live handlers: deliver what is buffered at exit, start afresh after ``fork``.

Why one registry: at exit every handler is asked to stop first and waited for afterwards, so
several handlers share one deadline instead of adding theirs up. The registry holds weak
references only; it owns no worker and no buffer.
"""

from __future__ import annotations

import atexit
import os
import threading
import time
import weakref
from typing import Protocol


class Managed(Protocol):
    close_timeout: float

    def begin_close(self, deadline: float) -> None: ...

    def finish_close(self, deadline: float) -> int: ...

    def after_fork_in_child(self) -> None: ...


_live: weakref.WeakSet[Managed] = weakref.WeakSet()
_hooks_lock = threading.Lock()
_hooks_installed = False


def track(handler: Managed) -> None:
    """Include ``handler`` in the exit flush and the fork reset (installs the hooks once)."""
    global _hooks_installed
    with _hooks_lock:
        _live.add(handler)
        if not _hooks_installed:
            atexit.register(close_all)
            if hasattr(os, "register_at_fork"):
                os.register_at_fork(after_in_child=_after_fork_in_child)
            _hooks_installed = True


def untrack(handler: Managed) -> None:
    _live.discard(handler)


def close_all() -> int:
    """Stop every live handler against one shared deadline; the undelivered total."""
    handlers = list(_live)
    if not handlers:
        return 0
    deadline = time.monotonic() + max(h.close_timeout for h in handlers)
    for handler in handlers:
        handler.begin_close(deadline)
    return sum(handler.finish_close(deadline) for handler in handlers)


def _after_fork_in_child() -> None:
    global _hooks_lock
    _hooks_lock = threading.Lock()  # another thread may have held it at the fork
    for handler in list(_live):
        handler.after_fork_in_child()
