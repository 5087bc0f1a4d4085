"""The three seed log structures the smoke check sends, and what Elasticsearch must make of them.

Each event copies a seed shape (market tick, security, performance) so a pass proves the real
client's events are routed and mapped correctly, plus a unique ``event.id`` to find it again
and a ``smoke`` tag so smoke traffic can be filtered out in Kibana.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

SMOKE_TAG = "smoke"

#: Mapping types every smoke event's stream must have (index templates, Elasticsearch 8.19).
COMMON_TYPES: Mapping[str, str] = {
    "@timestamp": "date",
    "level": "keyword",
    "logger": "keyword",
    "event_type": "keyword",
    "tags": "keyword",
    # The smoke check finds its events with a ``term`` query on event.id: needs keyword.
    "event.id": "keyword",
}


@dataclass(frozen=True)
class SmokeEvent:
    """One event to send, the data stream it must land in and the field types to verify."""

    kind: str
    stream: str
    event_id: str
    document: Mapping[str, object]
    expected_types: Mapping[str, str]


def utc_timestamp(now: datetime | None = None) -> str:
    """ISO 8601 UTC with milliseconds and ``Z``, as the seed's logger writes it."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _market_tick(timestamp: str) -> dict[str, object]:
    """Seed market tick shape."""
    return {
        "@timestamp": timestamp,
        "level": "INFO",
        "logger": "MarketDataBridge",
        "event_type": "market_tick",
        "symbol": "EURUSD",
        "bid": 1.1,
        "ask": 1.1001,
        "spread": 0.0001,
        "volume": 1000,
        "tags": ["market_data", "tick"],
    }


def _security(timestamp: str) -> dict[str, object]:
    """Seed security event shape."""
    return {
        "@timestamp": timestamp,
        "level": "WARNING",
        "logger": "SecurityLogger",
        "event_type": "security",
        "security_event": "unauthorized_access",
        "details": {"client_ip": "192.168.1.100", "reason": "invalid_key"},
        "tags": ["security", "audit"],
    }


def _performance(timestamp: str) -> dict[str, object]:
    """Seed performance metric shape."""
    return {
        "@timestamp": timestamp,
        "level": "INFO",
        "logger": "PerformanceLogger",
        "event_type": "performance",
        "metric": "publish_latency",
        "value": 0.5,
        "unit": "ms",
        "tags": ["performance", "metrics"],
    }


@dataclass(frozen=True)
class _Spec:
    """How to build one kind of smoke event and what to expect of it."""

    kind: str
    stream: str
    build: Callable[[str], dict[str, object]]
    types: Mapping[str, str]


SPECS: tuple[_Spec, ...] = (
    _Spec(
        "market_tick",
        "mt4-logs-market_tick",
        _market_tick,
        {
            "symbol": "keyword",
            "bid": "scaled_float",
            "ask": "scaled_float",
            "spread": "scaled_float",
            "volume": "long",
        },
    ),
    _Spec(
        "security",
        "mt4-logs-security",
        _security,
        {"security_event": "keyword", "details.client_ip": "ip"},
    ),
    _Spec(
        "performance",
        "mt4-metrics-performance",
        _performance,
        {"metric": "keyword", "value": "double", "unit": "keyword"},
    ),
)


def _tagged(document: dict[str, object], event_id: str) -> dict[str, object]:
    """Add the unique ``event.id`` (as an ECS object) and the ``smoke`` tag."""
    tags = document.get("tags")
    seed_tags = list(tags) if isinstance(tags, list) else []
    return {**document, "event": {"id": event_id}, "tags": [*seed_tags, SMOKE_TAG]}


def build_events(now: datetime | None = None, new_id: Callable[[], uuid.UUID] = uuid.uuid4) -> list[SmokeEvent]:
    """One fresh event per seed structure, all stamped with the same current time."""
    timestamp = utc_timestamp(now)
    return [_event(spec, timestamp, str(new_id())) for spec in SPECS]


def _event(spec: _Spec, timestamp: str, event_id: str) -> SmokeEvent:
    """Build one smoke event from its spec."""
    return SmokeEvent(
        kind=spec.kind,
        stream=spec.stream,
        event_id=event_id,
        document=_tagged(spec.build(timestamp), event_id),
        expected_types={**COMMON_TYPES, **spec.types},
    )
