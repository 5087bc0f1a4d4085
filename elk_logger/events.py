"""The seed's event shapes ("Log Structure") as plain field dicts, and where user fields go.

Why builders return dicts and not JSON: the same fields are either encoded by the handler
(generic path) or handed to another ``logging`` handler (console) through a ``LogRecord``.
Field names follow ``components/render/mt4_fields.py``; the contract test checks them.
"""

from __future__ import annotations

import ipaddress
import logging
import math
import traceback
from collections.abc import Mapping
from types import TracebackType
from typing import Final

MARKET_TICK: Final = "market_tick"
SECURITY: Final = "security"
PERFORMANCE: Final = "performance"

MARKET_TICK_TAGS: Final = ("market_data", "tick")
SECURITY_TAGS: Final = ("security", "audit")
PERFORMANCE_TAGS: Final = ("performance", "metrics")

#: Tag added when a numeric argument could not be read as a number (its field is then ``null``).
INVALID_NUMBER_TAG: Final = "_elk_logger_invalid_number"
#: Tag added when an event had to be shrunk to fit ``max_event_bytes``.
TRUNCATED_TAG: Final = "_elk_logger_truncated"

#: Decimals kept of a computed spread: removes binary noise (1.1001 - 1.1 = 0.00009999999999998899)
#: well below the index's 5-decimal ``scaled_float``.
SPREAD_DECIMALS: Final = 10

#: Keys the client writes on every event. A caller's value for one of them is kept under
#: ``extra.<key>`` instead of replacing it (a caller cannot forge ``event.id`` or ``level``).
ENVELOPE_KEYS: Final = frozenset({"@timestamp", "level", "message", "logger", "log", "event", "process", "host", "error"})
#: Where displaced caller values go.
EXTRA_KEY: Final = "extra"

#: ``LogRecord`` attribute holding the structured fields an :class:`ELKLogger` call passes on.
FIELDS_ATTR: Final = "elk_fields"

_PLAIN_RECORD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None)))
#: How many attributes a record without ``extra=`` has (a record with more may carry extras).
PLAIN_RECORD_SIZE: Final = len(_PLAIN_RECORD_ATTRS)
#: Attributes every ``LogRecord`` has (or a formatter adds); anything else came from ``extra=`` and is sent.
STANDARD_RECORD_ATTRS: Final = _PLAIN_RECORD_ATTRS | {"message", "asctime", "taskName", FIELDS_ATTR}

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def as_number(value: object) -> float | None:
    """A finite float, or ``None`` when ``value`` is not a finite number."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def as_count(value: object) -> int | None:
    """An integer volume, or ``None``; a float volume is truncated (MT4 reports lots as numbers)."""
    try:
        if isinstance(value, float) and not math.isfinite(value):
            return None
        return int(value)  # type: ignore[call-overload, no-any-return]
    except (TypeError, ValueError, OverflowError):
        return None


def market_tick_fields(symbol: object, bid: object, ask: object, volume: object) -> dict[str, object]:
    """Seed "Market Data Logs" shape; ``spread = ask - bid``."""
    bid_n, ask_n, volume_n = as_number(bid), as_number(ask), as_count(volume)
    spread = round(ask_n - bid_n, SPREAD_DECIMALS) if bid_n is not None and ask_n is not None else None
    tags = list(MARKET_TICK_TAGS)
    if bid_n is None or ask_n is None or volume_n is None:
        tags.append(INVALID_NUMBER_TAG)
    return {
        "event_type": MARKET_TICK, "symbol": str(symbol), "bid": bid_n, "ask": ask_n,
        "spread": spread, "volume": volume_n, "tags": tags,
    }


def security_fields(event: object, details: Mapping[object, object] | None) -> dict[str, object]:
    """Seed "Security Logs" shape; ``details.client_ip`` is kept only when it is an IP address."""
    fields: dict[str, object] = {"event_type": SECURITY, "security_event": str(event), "tags": list(SECURITY_TAGS)}
    if details is not None:
        fields["details"] = details_with_valid_ip(details)
    return fields


def performance_fields(metric: object, value: object, unit: object) -> dict[str, object]:
    """Seed "Performance Metrics" shape."""
    number = as_number(value)
    tags = list(PERFORMANCE_TAGS)
    if number is None:
        tags.append(INVALID_NUMBER_TAG)
    return {"event_type": PERFORMANCE, "metric": str(metric), "value": number, "unit": str(unit), "tags": tags}


def details_with_valid_ip(details: Mapping[object, object]) -> Mapping[object, object]:
    """``details`` with ``client_ip`` normalised (``"1.2.3.4:5555"`` -> ``"1.2.3.4"``).

    The index maps ``details.client_ip`` as ``ip``: one unparsable value would make Elasticsearch
    reject the whole document, so such a value moves to ``details.client_ip_raw`` instead.
    """
    raw = details.get("client_ip") if isinstance(details, Mapping) else None
    if raw is None:
        return details
    ip = normalise_ip(raw)
    copy = dict(details)
    if ip is None:
        del copy["client_ip"]
        copy["client_ip_raw"] = str(raw)
    else:
        copy["client_ip"] = ip
    return copy


def normalise_ip(value: object) -> str | None:
    """The IP address in ``value`` (bare, ``ip:port`` or ``[v6]:port``), or ``None``."""
    text = str(value).strip()
    candidates = [text]
    if text.startswith("[") and "]" in text:
        candidates.append(text[1:text.index("]")])
    elif text.count(":") == 1:
        candidates.append(text.partition(":")[0])
    for candidate in candidates:
        try:
            return str(ipaddress.ip_address(candidate))
        except ValueError:
            continue
    return None


def merge_user_fields(base: dict[str, object], user: Mapping[str, object]) -> dict[str, object]:
    """``base`` plus the caller's fields; the builder's fields win, a clashing caller value goes to ``extra``.

    ``tags`` are combined instead (the seed tags first).
    """
    if not user:
        return base
    merged = dict(base)
    extra: dict[str, object] = {}
    for key, value in user.items():
        if key == "tags" and "tags" in base:
            merged["tags"] = list(base["tags"]) + _as_list(value)  # type: ignore[call-overload]
        elif key in base or key in ENVELOPE_KEYS or key == EXTRA_KEY:
            extra[key] = value
        else:
            merged[key] = value
    if extra:
        merged[EXTRA_KEY] = extra
    return merged


def _as_list(value: object) -> list[object]:
    if isinstance(value, (list, tuple, set, frozenset)):
        return list(value)
    return [value]


def record_extras(record: logging.LogRecord) -> dict[str, object]:
    """Fields passed through ``extra=`` on a plain ``logging`` call (non-standard record attributes)."""
    attrs = record.__dict__
    return {key: attrs[key] for key in attrs.keys() - STANDARD_RECORD_ATTRS}


def record_message(record: logging.LogRecord) -> str:
    """``record.getMessage()``, or a readable stand-in when its ``%`` arguments do not fit."""
    try:
        return record.getMessage()
    except Exception:
        try:
            return f"{record.msg!s} (unformattable arguments: {record.args!r})"
        except Exception:
            return "<unformattable log message>"


def error_fields(exc_info: ExcInfo, max_stack_chars: int) -> dict[str, object]:
    """ECS ``error.type`` / ``error.message`` / ``error.stack_trace`` of an exception."""
    exc_type, exc, tb = exc_info
    try:
        message = str(exc)
    except Exception:
        message = f"<{exc_type.__name__}>"
    try:
        stack = "".join(traceback.format_exception(exc_type, exc, tb))
    except Exception:
        stack = ""
    return {
        "type": f"{exc_type.__module__}.{exc_type.__qualname__}" if exc_type.__module__ != "builtins" else exc_type.__qualname__,
        "message": message,
        "stack_trace": keep_tail(stack, max_stack_chars),
    }


def keep_tail(text: str, limit: int) -> str:
    """The last ``limit`` characters, marked as cut (the innermost frames matter most)."""
    if len(text) <= limit:
        return text
    return "...[truncated]" + text[len(text) - limit:]


def level_name(levelno: int) -> str:
    """Stdlib level names (INFO, WARNING, ...); custom levels by their registered name."""
    return logging.getLevelName(levelno)
