"""Wait, with a deadline, until each sent event is searchable, and notice where it went.

Polling all events in one loop keeps the total wait bounded by one deadline; looking for a
missing event across all data streams turns a mis-routed event into an immediate, precise
failure instead of a timeout.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from .elasticsearch import first_hit_index, http_problem, search_event_id, stream_of
from .errors import TransportError
from .events import SmokeEvent
from .httpclient import HttpClient
from .model import Settings

#: found: in its stream; misrouted: in another one; pending: not yet; error: give up now.
ProbeState = Literal["found", "misrouted", "pending", "error", "timeout"]


@dataclass(frozen=True)
class Probe:
    """Where one event stands, and where it was found."""

    state: ProbeState
    index: str = ""
    note: str = ""
    elapsed: float = 0.0

    @property
    def stream(self) -> str:
        """The data stream of the index the event was found in."""
        return stream_of(self.index)


def probe_event(es: HttpClient, event: SmokeEvent) -> Probe:
    """Look for the event in its expected stream, then anywhere else."""
    try:
        response = search_event_id(es, event.stream, event.event_id)
    except TransportError as exc:
        return Probe("pending", note=str(exc))
    if response.status in (401, 403):
        return Probe("error", note=http_problem(response))
    if response.status == 200:
        try:
            index = first_hit_index(response)
        except ValueError:
            return Probe("pending", note="search answer is not JSON")
        if index:
            return Probe("found", index=index)
        note = "stream exists, event not found"
    elif response.status == 404:
        note = f"{event.stream} does not exist"
    else:
        note = http_problem(response)
    return search_elsewhere(es, event) or Probe("pending", note=note)


def search_elsewhere(es: HttpClient, event: SmokeEvent) -> Probe | None:
    """Find the event in any data stream or index; None when it is nowhere (yet)."""
    try:
        response = search_event_id(es, "*", event.event_id)
        index = first_hit_index(response) if response.status == 200 else None
    except (TransportError, ValueError):
        return None
    if index is None:
        return None
    state: ProbeState = "found" if stream_of(index) == event.stream else "misrouted"
    return Probe(state, index=index)


def wait_for_events(
    es: HttpClient,
    events: Sequence[SmokeEvent],
    settings: Settings,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, Probe]:
    """Poll until every event is settled or the deadline passes; keyed by event kind."""
    started = clock()
    deadline = started + settings.deadline
    pending = list(events)
    settled: dict[str, Probe] = {}
    notes: dict[str, str] = {}
    while True:
        for event in list(pending):
            probe = probe_event(es, event)
            if probe.state == "pending":
                notes[event.kind] = probe.note
                continue
            settled[event.kind] = replace(probe, elapsed=clock() - started)
            pending.remove(event)
        remaining = deadline - clock()
        if not pending or remaining <= 0:
            break
        sleep(min(settings.interval, remaining))
    for event in pending:
        settled[event.kind] = Probe("timeout", note=notes.get(event.kind, "no answer"))
    return settled
