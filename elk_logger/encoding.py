"""One event -> one line of bytes, in the transport's framing; never raises, never splits a line.

Line format: ``@timestamp``, ``level``, ``message`` first (what a human scans), then every other
field as sorted, compact JSON (deterministic output, like ecs-logging). ``ensure_ascii`` keeps
the text pure ASCII, so a newline inside any value is always escaped and the ``json_lines``
framing cannot break.

Why the JSON encoder is built once: ``json.dumps`` with options builds a new encoder per call
(about half its cost). Values reaching it were already made JSON-safe by the sanitiser, so
circular checks and NaN handling are not needed in the encoder.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from json.encoder import encode_basestring_ascii

from . import lumberjack
from .config import ElkConfig, Mode
from .events import ENVELOPE_KEYS, EXTRA_KEY, TRUNCATED_TAG
from .process_info import PROCESS
from .redact import Redactor
from .sanitize import Sanitizer
from .timestamps import UtcMillis

quote: Callable[[str], str] = encode_basestring_ascii
"""JSON string literal of a str (C implementation when available)."""


def _refuse(value: object) -> object:
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def make_dumps() -> Callable[[object], str]:
    """Sorted, compact, ASCII JSON; the C encoder made once when the interpreter has it."""
    fallback = json.JSONEncoder(ensure_ascii=True, allow_nan=False, sort_keys=True, separators=(",", ":"), default=_refuse).encode
    try:
        from json.encoder import c_make_encoder  # type: ignore[attr-defined]

        encoder = c_make_encoder(None, _refuse, encode_basestring_ascii, None, ":", ",", True, False, False)

        def dumps(value: object) -> str:
            return "".join(encoder(value, 0))

        probe = {"b": [1, 2.5, None, True, "x\n\u00e9"], "a": {"z": -3, "y": "\u2028"}}
        if dumps(probe) == fallback(probe):
            return dumps
    except Exception:
        pass
    return fallback


def make_framer(mode: Mode) -> Callable[[str], bytes]:
    """Text of one event -> its bytes on the wire (``\\n``-terminated, or a Lumberjack body)."""
    if mode == "beats":
        def frame_body(text: str) -> bytes:
            return lumberjack.encode_body(text.encode("ascii"))
        return frame_body

    def frame_line(text: str) -> bytes:
        return (text + "\n").encode("ascii")
    return frame_line


@dataclass
class EncodeCounters:
    """Events changed or refused by the encoder (read through the handler's stats)."""

    truncated: int = 0
    rejected: int = 0
    fallbacks: int = 0


class EventEncoder:
    """Builds the envelope (ids, process, host), sanitises caller fields and renders the line."""

    def __init__(self, config: ElkConfig) -> None:
        self.config = config
        self.framer = make_framer(config.mode)
        self.framing_overhead = len(self.framer(""))
        self.dumps = make_dumps()
        self.timestamps = UtcMillis()
        self.sanitizer = Sanitizer(Redactor(config.redact_keys, config.redaction_text),
                                   max_depth=config.max_depth, max_items=config.max_items)
        self.hostname = config.hostname or PROCESS.hostname
        self.counters = EncodeCounters()
        self._count_lock = threading.Lock()

    # -- rendering -------------------------------------------------------------------------------

    def render(self, timestamp: str, level: str, message: str, body: Mapping[str, object]) -> str:
        """The JSON text: the three head fields, then ``body`` sorted (body must be JSON-safe)."""
        rest = self.dumps(body)
        head = f'{{"@timestamp":"{timestamp}","level":{quote(level)},"message":{quote(message)}'
        return head + ("," + rest[1:] if len(rest) > 2 else "}")

    def envelope(self, level: str, logger: str, thread_name: str) -> dict[str, object]:
        """Fields the client adds to every event (ECS names next to the seed's)."""
        return {
            "logger": logger,
            "log": {"level": level, "logger": logger},
            "event": {"id": PROCESS.next_event_id()},
            "process": {"pid": PROCESS.pid, "thread": {"name": thread_name}},
            "host": {"hostname": self.hostname},
        }

    # -- the generic path --------------------------------------------------------------------------

    def encode(self, *, timestamp: str, level: str, logger: str, message: str, fields: Mapping[str, object],
               thread_name: str, error: Mapping[str, object] | None = None) -> bytes | None:
        """Framed bytes of one event, or ``None`` when it cannot be made to fit (counted)."""
        try:
            text, body = self.compose(timestamp=timestamp, level=level, logger=logger, message=message, fields=fields,
                                      thread_name=thread_name, error=error)
        except Exception:
            self._count("fallbacks")
            body = self.envelope(level, logger, thread_name)
            text = self.render(timestamp, level, _safe_text(message), body)
        return self.fit(text, timestamp, level, message, body)

    def compose(self, *, timestamp: str, level: str, logger: str, message: str, fields: Mapping[str, object],
                thread_name: str, error: Mapping[str, object] | None = None) -> tuple[str, dict[str, object]]:
        """The JSON text of one event and its cleaned body (may raise: ``encode`` falls back)."""
        body = self.sanitizer.clean_fields(fields)
        clashes = ENVELOPE_KEYS.intersection(body)
        if clashes:
            moved = {key: body.pop(key) for key in clashes}
            existing = body.get(EXTRA_KEY)
            if isinstance(existing, dict):
                moved = {**existing, **moved}
            elif existing is not None:
                moved[EXTRA_KEY] = existing
            body[EXTRA_KEY] = moved
        body.update(self.envelope(level, logger, thread_name))
        if error:
            body["error"] = self.sanitizer.clean_value(dict(error))
        return self.render(timestamp, level, message, body), body

    def fit(self, text: str, timestamp: str, level: str, message: str, body: dict[str, object]) -> bytes | None:
        """Frame ``text``; shrink the event first when it exceeds ``max_event_bytes``."""
        limit = self.config.max_event_bytes - self.framing_overhead
        if len(text) <= limit:
            return self.framer(text)
        self._count("truncated")
        cut = self.config.max_string_chars
        while cut >= 64:
            shrunk = _cut_strings(body, cut)
            _add_tag(shrunk, TRUNCATED_TAG)
            text = self.render(timestamp, level, _cut(message, cut), shrunk)
            if len(text) <= limit:
                return self.framer(text)
            cut //= 4
        stub = {key: body[key] for key in ("logger", "log", "event", "process", "host", "event_type") if key in body}
        stub = _cut_strings(stub, 256)
        stub["tags"] = [TRUNCATED_TAG]
        text = self.render(timestamp, level, _cut(message, 256), stub)
        if len(text) <= limit:
            return self.framer(text)
        self._count("rejected")
        return None

    def _count(self, name: str) -> None:
        with self._count_lock:
            setattr(self.counters, name, getattr(self.counters, name) + 1)


def _safe_text(value: object) -> str:
    try:
        return str(value)
    except Exception:
        return "<unprintable>"


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + "...[truncated]"


def _cut_strings(value: object, limit: int) -> object:
    """A copy with every string longer than ``limit`` cut (structure kept)."""
    if isinstance(value, str):
        return _cut(value, limit)
    if isinstance(value, dict):
        return {k: _cut_strings(v, limit) for k, v in value.items()}
    if isinstance(value, list):
        return [_cut_strings(v, limit) for v in value[:limit]]
    return value


def _add_tag(body: object, tag: str) -> None:
    if not isinstance(body, dict):
        return
    tags = body.get("tags")
    body["tags"] = [*tags, tag] if isinstance(tags, list) else [tag]
