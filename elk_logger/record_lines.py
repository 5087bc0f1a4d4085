"""Fast lines for ``logger.info(msg, extra={...})`` records: one template per record *shape*.

Why: most services log through the standard ``logging`` module, where every call builds a
``LogRecord``; the generic encoder then finds the ``extra=`` fields among ~25 standard attributes,
copies and sanitises every value, builds the envelope dicts and sorts and serialises the whole
body. All of that depends only on the record's shape - logger name, level, thread name and the
names of its extra fields - and a service logs a handful of shapes over and over. So the first
record of a shape is rendered by the generic encoder itself with sentinel values (as the
templates of :mod:`elk_logger.templates`), and later ones only fill the slots: ``@timestamp``,
message, the event number and each field's JSON text. Same keys, same order, same bytes as the
generic path (a test compares them field by field).

A record takes this path only when it is a plain ``LogRecord`` without ``exc_info``/``stack_info``
and every extra value is a JSON scalar (``str``, finite ``float``, ``int`` within 64 bits, ``bool``,
``None``); redacted keys are constant in the template. Anything else returns ``None`` and goes
the generic way, as does a line longer than ``max_event_bytes`` (it must be shrunk).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from itertools import islice

from .encoding import EventEncoder, quote
from .events import FIELDS_ATTR, PLAIN_RECORD_SIZE, record_extras, record_message
from .process_info import PROCESS

_SENTINEL = "\x00elk-slot-{}\x00"
_TIMESTAMP = "@@elk-timestamp@@"
#: Shapes remembered per handler (a service logs a few dozen); past this, new shapes go the generic way.
_SHAPE_LIMIT = 1024
_LONG_LIMIT = 2**64  # as the sanitiser: larger integers are sent as text (generic path)
#: Attributes a formatter or Python itself may add after ``LogRecord.__init__``; never event fields.
_NOT_FIELDS = frozenset({"message", "asctime", "taskName"})

ShapeKey = tuple[str, str, str | None, tuple[str, ...]]


@dataclass(frozen=True)
class Shape:
    """A filled-in line with ``%s`` slots: timestamp, message, then ``keys`` in order, the event number at ``id_at``."""

    template: str
    keys: tuple[str, ...]
    """Extra fields whose value fills a slot, in slot order (redacted ones are constant text)."""
    id_at: int
    """Index among the field slots where the event number (``%x``) goes."""


_NO_SHAPE = Shape("", (), 0)  # remembered "this shape cannot be templated"


class RecordLines:
    """Per handler: shape -> template, filled per record; safe to share between threads."""

    def __init__(self, encoder: EventEncoder) -> None:
        self._encoder = encoder
        json_lines = encoder.config.mode == "json_lines"
        self._newline = "\n" if json_lines else ""
        self._limit = encoder.config.max_event_bytes - (0 if json_lines else encoder.framing_overhead)
        self._frame = _ascii if json_lines else encoder.framer
        self._shapes: dict[ShapeKey, Shape] = {}
        self._generation = PROCESS.generation

    def line(self, record: logging.LogRecord) -> bytes | None:
        """The framed line of ``record``, or ``None`` when the generic encoder must handle it."""
        attrs = record.__dict__
        if type(record) is not logging.LogRecord or record.exc_info or record.stack_info:
            return None
        keys = tuple(islice(attrs, PLAIN_RECORD_SIZE, None))
        if self._generation != PROCESS.generation:  # forked: new pid and event-id prefix
            self._shapes = {}
            self._generation = PROCESS.generation
        key = (record.name, record.levelname, record.threadName, keys)
        shape = self._shapes.get(key)
        if shape is None:
            shape = self._learn(key, record)
        if shape is _NO_SHAPE:
            return None
        values: list[object] = []
        append = values.append
        for name in shape.keys:
            value = attrs[name]
            kind = type(value)
            if kind is str:
                append(quote(value))  # type: ignore[arg-type]
            elif kind is float:
                if value - value != 0.0:  # type: ignore[operator]
                    return None  # NaN / infinity: the sanitiser turns it into null
                append(float.__repr__(value))  # type: ignore[arg-type]
            elif kind is int:
                if not -_LONG_LIMIT < value < _LONG_LIMIT:  # type: ignore[operator]
                    return None
                append(int.__repr__(value))  # type: ignore[arg-type]
            elif kind is bool:
                append("true" if value else "false")
            elif value is None:
                append("null")
            else:
                return None
        values.insert(shape.id_at, next(PROCESS.counter))
        msg = record.msg
        message = msg if type(msg) is str and not record.args else record_message(record)
        text = shape.template % (self._encoder.timestamps.from_seconds(record.created), quote(message), *values)
        return self._frame(text) if len(text) <= self._limit else None

    def _learn(self, key: ShapeKey, record: logging.LogRecord) -> Shape:
        shape = self._compile(key, record)
        if len(self._shapes) < _SHAPE_LIMIT:
            self._shapes[key] = shape
        return shape

    def _compile(self, key: ShapeKey, record: logging.LogRecord) -> Shape:
        """Render the shape once through the generic encoder with sentinels; ``_NO_SHAPE`` if it does not fit the mould."""
        name, level, thread, keys = key
        fields = [k for k in keys if k not in _NOT_FIELDS]
        if FIELDS_ATTR in fields or set(fields) != set(record_extras(record)):
            return _NO_SHAPE  # structured fields of ELKLogger, or a record whose standard attributes were altered
        sentinels = {field: _SENTINEL.format(index) for index, field in enumerate(fields)}
        encoder = self._encoder
        try:
            text, body = encoder.compose(timestamp=_TIMESTAMP, level=level, logger=name, message=_SENTINEL.format("message"),
                                         fields=sentinels, thread_name=thread or "")
            event_id = body["event"]["id"]  # type: ignore[index]
        except Exception:
            return _NO_SHAPE
        id_token = f'"id":{quote(event_id)}'  # type: ignore[arg-type]
        text = text.replace("%", "%%")
        tokens = [(f'"@timestamp":"{_TIMESTAMP}"', '"@timestamp":"%s"'), (quote(_SENTINEL.format("message")), "%s")]
        tokens += [(quote(sentinels[field]), "%s") for field in fields]
        tokens.append((id_token, f'"id":"{PROCESS.id_prefix}%x"'))
        if any(text.count(token) > 1 for token, _ in tokens):
            return _NO_SHAPE
        found = sorted((text.find(token), token, filler, index) for index, (token, filler) in enumerate(tokens))
        found = [entry for entry in found if entry[0] >= 0]  # a redacted field's sentinel is gone: constant text
        if [entry[3] for entry in found[:2]] != [0, 1] or not any(entry[1] == id_token for entry in found):
            return _NO_SHAPE  # timestamp and message must lead, the event id must be there
        slots: list[str] = []
        id_at = 0
        for _, token, filler, index in found:
            text = text.replace(token, filler, 1)
            if index >= 2 and token != id_token:
                slots.append(fields[index - 2])
            elif token == id_token:
                id_at = len(slots)
        return Shape(text + self._newline, tuple(slots), id_at)


def _ascii(text: str) -> bytes:
    return text.encode("ascii")
