"""Reconnect delays: exponential with jitter.

Why jitter: after a Logstash restart every client of the fleet retries; without jitter they
retry in lock-step and hit the fresh node together. "Equal jitter" keeps at least half of each
delay, so a client never hammers a receiver that just refused it.
"""

from __future__ import annotations

import random


class Backoff:
    """``next_delay()`` grows ``initial * 2**n`` up to ``maximum``, each drawn in ``[d/2, d]``."""

    def __init__(self, initial: float, maximum: float, rng: random.Random | None = None) -> None:
        self.initial = initial
        self.maximum = maximum
        self._rng = rng or random.Random()
        self._failures = 0

    def next_delay(self) -> float:
        ceiling = min(self.maximum, self.initial * (2 ** min(self._failures, 32)))
        self._failures += 1
        return ceiling / 2 + self._rng.uniform(0, ceiling / 2)

    def reset(self) -> None:
        self._failures = 0
