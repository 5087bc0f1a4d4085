"""Fast lines for ``logger.info(msg, extra={...})`` records: one template per record *shape*.

Why: most services log through the standard ``logging`` module, where every call builds a
``LogRecord``; the generic encoder then finds the ``extra=`` fields among ~25 standard attributes,
copies and sanitises every value, builds the envelope dicts and sorts and serialises the whole
body. All of that depends only on the record's shape - logger name, level, thread name and the
names of its extra fields - and a service logs a handful of shapes over and over. So the first
record of a shape is rendered by the generic encoder itself with sentinel values (as the
templates of :mod:`elk_logger.templates`), and later ones only fill the slots: ``@timestamp``,
message, the event number and each field's JSON text. Same keys, same order, same bytes as the
generic path (a test compares them field by field). ``ElkHandler.handle`` uses :meth:`RecordLines.submit`,
which queues the checked values and leaves the joining to the delivery worker (:func:`submit_maker`).

A record takes this path only when it is a plain ``LogRecord`` without ``exc_info``/``stack_info``
and every extra value is a JSON scalar (``str``, finite ``float``, ``int`` within 64 bits, ``bool``,
``None``); redacted keys are constant in the template. Anything else returns ``None`` and goes
the generic way, as does a line longer than ``max_event_bytes`` (it must be shrunk).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from itertools import islice
from operator import itemgetter

from .buffer import Item
from .encoding import EventEncoder, quote
from .events import FIELDS_ATTR, PLAIN_RECORD_SIZE, record_extras, record_message
from .line_makers import LineOutput, Renderer, Submitter, Template, line_maker, submit_maker
from .process_info import PROCESS

_SENTINEL = "\x00elk-slot-{}\x00"
_TIMESTAMP = "@@elk-timestamp@@"
#: Shapes remembered per handler (a service logs a few dozen); past this, new shapes go the generic way.
_SHAPE_LIMIT = 1024
#: Attributes a formatter or Python itself may add after ``LogRecord.__init__``; never event fields.
_NOT_FIELDS = frozenset({"message", "asctime", "taskName"})
_LogRecord = logging.LogRecord

ShapeKey = tuple[str | None, ...]
"""Logger name, level name, thread name, then the names of the extras, last first (one flat tuple: cheaper to hash)."""
_HEAD = itemgetter("name", "levelname", "threadName")
LineMaker = Callable[[logging.LogRecord, dict[str, object]], "bytes | None"]


def _not_templated(record: logging.LogRecord, attrs: dict[str, object]) -> None:
    return None  # remembered "this shape cannot be templated": the generic path


class RecordLines:
    """Per handler: shape -> line maker and submitter; safe to share between threads.

    ``put_line(line)`` and ``put_unrendered(item, size)`` queue an event (the handler's buffer).
    """

    def __init__(self, encoder: EventEncoder, put_line: Callable[[bytes], bool],
                 put_unrendered: Callable[[tuple, int], bool]) -> None:
        self._encoder = encoder
        json_lines = encoder.config.mode == "json_lines"
        self._newline = "\n" if json_lines else ""
        self._output = LineOutput(
            timestamp=encoder.timestamps.from_seconds, message=record_message,
            limit=encoder.config.max_event_bytes - (0 if json_lines else encoder.framing_overhead),
            frame=None if json_lines else encoder.framer, framing=0 if json_lines else encoder.framing_overhead,
        )
        self._put_line = put_line
        self._put_unrendered = put_unrendered
        self._shapes: dict[ShapeKey, LineMaker] = {}
        self._submitters: dict[ShapeKey, Submitter] = {}
        self._renderers: list[Renderer] = []  # an unrendered item's first element is its index here
        self._learning = threading.Lock()  # two threads meeting a new shape at once must not share an index

    def reset_after_fork(self) -> None:
        """Templates carry the pid and the event-id prefix: a forked child makes its own."""
        self._shapes = {}
        self._submitters = {}
        self._renderers = []
        self._learning = threading.Lock()

    def render(self, items: list[Item]) -> tuple[list[bytes], int, list[Exception]]:
        """The framed bytes of every item (the worker, before sending), how many bytes fewer they are than
        they were counted for in the buffer, and the error of each item that could not be rendered (left
        out, its whole size in the bytes saved: vetted values cannot fail, so that would be a bug here)."""
        renderers = self._renderers
        lines: list[bytes] = []
        append = lines.append
        saved = 0
        errors: list[Exception] = []
        for item in items:
            if type(item) is bytes:
                append(item)
                continue
            try:
                line = renderers[item[0]](item)  # type: ignore[index]
            except Exception as exc:
                errors.append(exc)
                saved += item[1]  # type: ignore[operator]
                continue
            saved += item[1] - len(line)  # type: ignore[operator]
            append(line)
        return lines, saved, errors

    def line(self, record: logging.LogRecord) -> bytes | None:
        """The framed line of ``record``, or ``None`` when the generic encoder must handle it."""
        if type(record) is not _LogRecord or record.exc_info or record.stack_info:
            return None
        attrs = record.__dict__
        key = _shape(record, attrs)
        make = self._shapes.get(key)
        if make is None:
            make = self._learn(key, record)[0]
        return make(record, attrs)

    def submit(self, record: logging.LogRecord) -> bool | None:
        """Queue ``record``'s event (``True``; ``False`` when the buffer was full), or ``None``: the
        generic encoder must handle it. The line is joined by the delivery worker when it can be
        (``exc_info`` / ``stack_info`` are checked there, fetched with the values)."""
        if type(record) is not _LogRecord:
            return None
        attrs = record.__dict__
        extra = len(attrs) - PLAIN_RECORD_SIZE  # _shape(), inlined: this runs on every logging call
        key = (*_HEAD(attrs), *islice(reversed(attrs), extra)) if extra > 0 else _HEAD(attrs)
        submit = self._submitters.get(key)
        if submit is None:
            submit = self._learn(key, record)[1]
        return submit(record, attrs)

    def _learn(self, key: ShapeKey, record: logging.LogRecord) -> tuple[LineMaker, Submitter]:
        with self._learning:
            return self._learn_locked(key, record)

    def _learn_locked(self, key: ShapeKey, record: logging.LogRecord) -> tuple[LineMaker, Submitter]:
        template = self._compile(key, record)
        if template is None:
            make: LineMaker = _not_templated
            submit: Submitter = _not_templated
        else:
            tail = key[3:]
            kinds = {name: type(record.__dict__[name]) for name in tail}
            next_number = PROCESS.counter.__next__
            make = line_maker(template, kinds, self._output, next_number=next_number)
            shape = len(self._renderers) if len(self._shapes) < _SHAPE_LIMIT else None  # a shape not kept renders at once
            submit, renderer = submit_maker(template, kinds, self._output, next_number, make,
                                            self._put_line, self._put_unrendered, shape)
            if renderer is not None:
                self._renderers.append(renderer)
        if len(self._shapes) < _SHAPE_LIMIT:
            self._shapes[key] = make
            self._submitters[key] = submit
        return make, submit

    def _compile(self, key: ShapeKey, record: logging.LogRecord) -> Template | None:
        """Render the shape once through the generic encoder with sentinels; ``None`` if it does not fit the mould."""
        name, level, thread, keys = key[0], key[1], key[2], key[3:]
        fields = [k for k in keys if k not in _NOT_FIELDS]
        if FIELDS_ATTR in fields or set(fields) != set(record_extras(record)):
            return None  # structured fields of ELKLogger, or a record whose standard attributes were altered
        sentinels = {field: _SENTINEL.format(index) for index, field in enumerate(fields)}
        encoder = self._encoder
        try:
            text, body = encoder.compose(timestamp=_TIMESTAMP, level=level, logger=name, message=_SENTINEL.format("message"),
                                         fields=sentinels, thread_name=thread or "")
            event_id = body["event"]["id"]  # type: ignore[index]
        except Exception:
            return None
        id_token = f'"id":{quote(event_id)}'  # type: ignore[arg-type]
        text = text.replace("%", "%%")
        tokens = [(f'"@timestamp":"{_TIMESTAMP}"', '"@timestamp":"%s"'), (quote(_SENTINEL.format("message")), "%s")]
        tokens += [(quote(sentinels[field]), "%s") for field in fields]
        tokens.append((id_token, f'"id":"{PROCESS.id_prefix}%x"'))
        if any(text.count(token) > 1 for token, _ in tokens):
            return None
        found = sorted((text.find(token), token, filler, index) for index, (token, filler) in enumerate(tokens))
        found = [entry for entry in found if entry[0] >= 0]  # a redacted field's sentinel is gone: constant text
        if [entry[3] for entry in found[:2]] != [0, 1] or not any(entry[1] == id_token for entry in found):
            return None  # timestamp and message must lead, the event id must be there
        slots: list[str] = []
        id_at = 0
        for _, token, filler, index in found:
            text = text.replace(token, filler, 1)
            if index >= 2 and token != id_token:
                slots.append(fields[index - 2])
            elif token == id_token:
                id_at = len(slots)
        return Template(text + self._newline, tuple(slots), id_at)


def _shape(record: logging.LogRecord, attrs: dict[str, object]) -> ShapeKey:
    """Logger, level, thread and the names of the extras: the attributes set after ``LogRecord.__init__``
    are the last ones, so they are read from the end, last first, rather than stepping over the ~20
    standard ones."""
    extra = len(attrs) - PLAIN_RECORD_SIZE
    return (*_HEAD(attrs), *islice(reversed(attrs), extra)) if extra > 0 else _HEAD(attrs)
