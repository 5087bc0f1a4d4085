"""Turning one record shape's template into a function that makes its line from a record.

Why generated code: the per-call budget of the standard-logging path is a couple of microseconds
(issue 17: at most half of what ``logging`` itself costs per call), and in CPython a loop over the
fields with a type switch per value costs about as much as the whole rest. So for the value
types the shape's first record had, a function without loop or branches is compiled: it unpacks
the extra values straight from the record's ``__dict__``, checks their types in one expression
and joins the template's constant pieces with each value's JSON text. A record whose types
differ takes the looping maker (same template, same output); a value the sanitiser would have
to change (NaN, infinity, a 64-bit overflow, a container) sends the record down the generic path.

The handler's own path goes one step further (:func:`submit_maker`): in the caller's thread it
only checks the values, quotes the strings and takes the event number, and queues the values
with the shape's *render* function; the delivery worker joins the line (number and timestamp
text, the pieces) just before sending. What is queued is immutable (exact ``str``, ``float``,
``int``, ``bool``, ``None`` and quoted text), so later changes to the caller's objects cannot
alter what is sent, and rendering on the worker writes the same bytes as rendering at once.
Its size in the buffer is an upper bound until it is rendered (each number at its longest);
a line whose bound exceeds ``max_event_bytes`` is rendered at once, exactly as before.

Safety of the generated source: it contains only slot indices and fixed names. Key names,
types, template text and helpers are bound as constants in its namespace; no caller-supplied
text is ever compiled.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from operator import itemgetter

from .encoding import quote

_LONG_LIMIT = 2**64  # as the sanitiser: larger integers are sent as text (generic path)
_SCALARS = (str, float, int, bool, type(None))
#: Longest JSON text of each non-string kind: a float's shortest repr ("-2.2250738585072014e-308"), an
#: integer within 64 bits ("-18446744073709551615"), "false", "null".
_LONGEST = {float: 24, int: 21, bool: 5, type(None): 4}
_NUMBER_DIGITS = 16  # the event number in hex: below 2**64 (584 years at 10**9 events/s)
_TIMESTAMP_CHARS = 24  # "2024-01-15T10:30:45.123Z" for every time in [1970, 10000)
_TIMESTAMP_END = 253402300800.0  # 10000-01-01T00:00:00Z: from here on the text is longer; rendered at once

LineMaker = Callable[[logging.LogRecord, dict[str, object]], "bytes | None"]
Submitter = Callable[[logging.LogRecord, dict[str, object]], "bool | None"]
"""Queue a record's event: ``True`` queued, ``False`` dropped (buffer full), ``None``: use the generic path."""
Renderer = Callable[[tuple], bytes]
"""The framed line of one unrendered item of its shape."""


@dataclass(frozen=True)
class Template:
    """A line with ``%s`` slots: timestamp, message, then ``keys`` in order, the event number (``%x``) at ``id_at``."""

    text: str
    keys: tuple[str, ...]
    """Extra fields whose value fills a slot, in slot order (redacted ones are constant text)."""
    id_at: int
    """Index among the field slots where the event number goes."""


@dataclass(frozen=True)
class LineOutput:
    """What every maker of one handler shares: timestamp and message text, size limit, framing."""

    timestamp: Callable[[float], str]
    message: Callable[[logging.LogRecord], str]
    limit: int
    """Longest line text (before framing) sent as made; a longer one must be shrunk (generic path)."""
    frame: Callable[[str], bytes] | None
    """``None``: json_lines (the newline is in the template, the text is ASCII already)."""
    framing: int = 0
    """Bytes the framing adds to a line's text (beats: the length prefix)."""


def line_maker(template: Template, kinds: dict[str, type], output: LineOutput, next_number: Callable[[], int]) -> LineMaker:
    """The fastest maker for a shape whose extra fields have the types ``kinds`` (by name)."""
    looping = _looping_maker(template, output, next_number)
    slot_kinds = [kinds[name] for name in template.keys]
    if not all(kind in _SCALARS for kind in slot_kinds):
        return looping
    return _straight_maker(template, slot_kinds, output, next_number, looping) or looping


def _looping_maker(template: Template, output: LineOutput, next_number: Callable[[], int]) -> LineMaker:
    keys, id_at, text_template = template.keys, template.id_at, template.text
    timestamp, message_of, limit, frame = output.timestamp, output.message, output.limit, output.frame

    def make(record: logging.LogRecord, attrs: dict[str, object]) -> bytes | None:
        values: list[object] = []
        append = values.append
        for name in keys:
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
        values.insert(id_at, next_number())
        msg = record.msg
        if type(msg) is not str or record.args:
            msg = message_of(record)
        text = text_template % (timestamp(record.created), quote(msg), *values)
        if len(text) > limit:
            return None  # must be shrunk: the generic path does that
        return text.encode("ascii") if frame is None else frame(text)

    return make


_CONVERT = {str: "q({})", float: "r({})", int: "r({})", bool: "('true' if {} else 'false')", type(None): "'null'"}


#: Record attributes every maker reads, fetched with the extra values by the same ``itemgetter``.
_RECORD_ATTRS = ("exc_info", "stack_info", "msg", "args", "created")


def _checks(template: Template, slot_kinds: list[type], otherwise: str) -> tuple[list[str], list[str]]:
    """Source lines that fetch what a maker reads of a record (``G``: one ``itemgetter`` for the record's
    own attributes and the extra values) and vet it (no error or stack, types, finiteness, range), and
    the variable of each slot; a type unlike the shape's first record goes to ``otherwise``."""
    names = [f"v{index}" for index in range(len(template.keys))]
    lines = [f"    x, si, msg, args, c, {''.join(name + ', ' for name in names)}= G(attrs)",
             "    if x or si: return None"]  # exc_info / stack_info: the generic encoder adds the error fields
    if names:
        checks = " or ".join(f"type({name}) is not T{i}" for i, name in enumerate(names))
        lines.append(f"    if {checks}: return {otherwise}(record, attrs)")
    floats = [name for name, kind in zip(names, slot_kinds, strict=True) if kind is float]
    if floats:  # one test for all: a NaN or infinity makes the sum NaN or infinite (an overflowing sum only costs the fast path)
        total = " + ".join(floats)
        lines.append(f"    s = {total}" if len(floats) > 1 else f"    s = {total} + 0.0")
        lines.append("    if s - s != 0.0: return None")
    ints = [name for name, kind in zip(names, slot_kinds, strict=True) if kind is int]
    if ints:
        lines.append("    if " + " or ".join(f"not -L < {name} < L" for name in ints) + ": return None")
    lines.append("    if type(msg) is not str or args: msg = MESSAGE(record)")
    return lines, names


def _pieces(template: Template) -> list[str] | None:
    pieces = [piece.replace("%%", "%") for piece in split_slots(template.text)]
    if len(pieces) != len(template.keys) + 4:  # around: timestamp, message, number, one slot per key
        return None
    return pieces


def _compiled(source: str, name: str, namespace: dict[str, object], template: Template, pieces: list[str],
              slot_kinds: list[type]) -> Callable:
    namespace.update((f"P{i}", piece) for i, piece in enumerate(pieces))  # constants by name: one lookup each
    namespace.update((f"T{i}", kind) for i, kind in enumerate(slot_kinds))
    namespace.update(J="".join, L=_LONG_LIMIT, q=quote, r=repr, h=format, G=itemgetter(*_RECORD_ATTRS, *template.keys))
    exec(compile(source, "<elk_logger record shape>", "exec"), namespace)  # indices only: see the module docstring
    return namespace[name]  # type: ignore[return-value]


def _straight_maker(template: Template, slot_kinds: list[type], output: LineOutput,
                    next_number: Callable[[], int], looping: LineMaker) -> LineMaker | None:
    pieces = _pieces(template)
    if pieces is None:
        return None
    lines, names = _checks(template, slot_kinds, "LOOPING")
    slots = [_CONVERT[kind].format(name) for name, kind in zip(names, slot_kinds, strict=True)]
    slots.insert(template.id_at, "h(NEXT(), 'x')")
    slots[:0] = ["TS(c)", "q(msg)"]
    joined = "".join(f"P{i}, {slot}, " for i, slot in enumerate(slots)) + f"P{len(slots)}"
    lines += [
        f"    text = J(({joined}))",
        "    if len(text) > LIMIT: return None",
        "    return text.encode('ascii')" if output.frame is None else "    return FRAME(text)",
    ]
    source = "def make(record, attrs):\n" + "\n".join(lines) + "\n"
    namespace: dict[str, object] = {
        "NEXT": next_number, "TS": output.timestamp, "MESSAGE": output.message, "LIMIT": output.limit,
        "FRAME": output.frame, "LOOPING": looping,
    }
    return _compiled(source, "make", namespace, template, pieces, slot_kinds)  # type: ignore[return-value]


def submit_maker(template: Template, kinds: dict[str, type], output: LineOutput,
                 next_number: Callable[[], int], line: LineMaker, put_line: Callable[[bytes], bool],
                 put_unrendered: Callable[[tuple, int], bool], shape: int | None) -> tuple[Submitter, Renderer | None]:
    """The handler's path for one shape, and its renderer: vet and queue the values now, render on the worker.

    ``line`` is the shape's maker (renders at once); ``put_line`` queues rendered bytes, ``put_unrendered``
    an item ``(shape, size bound, created, quoted message, slot values...)``, made of numbers and text only:
    such a tuple stops being tracked by the garbage collector at its first collection, so a backlog of
    them costs the collector nothing (a function in it would keep every one tracked, and a long backlog
    would make each full collection a long pause). ``shape`` is the renderer's number (``None``: render
    at once). The event number is taken when the line is rendered (unique all the same; the worker
    renders in queue order).
    """
    def render_now(record: logging.LogRecord, attrs: dict[str, object]) -> bool | None:
        if record.exc_info or record.stack_info:
            return None  # the generic encoder adds the error fields (``RecordLines.submit`` leaves this check to us)
        made = line(record, attrs)
        return None if made is None else put_line(made)

    slot_kinds = [kinds[name] for name in template.keys]
    pieces = _pieces(template)
    if shape is None or pieces is None or not all(kind in _SCALARS for kind in slot_kinds):
        return render_now, None
    lines, names = _checks(template, slot_kinds, "NOW")
    values = [f"s{i}" if kind is str else name for i, (name, kind) in enumerate(zip(names, slot_kinds, strict=True))]
    lines += [f"    s{i} = q({name})" for i, (name, kind) in enumerate(zip(names, slot_kinds, strict=True)) if kind is str]
    lines += [
        "    m = q(msg)",
        "    size = " + " + ".join(["BASE", "len(m)", *(f"len({value})" for value in values if value.startswith("s"))]),
        "    if size > ROOM or not 0.0 <= c < TS_END: return NOW(record, attrs)",
        f"    return PUT(({', '.join(['SHAPE', 'size', 'c', 'm', *values])}), size)",
    ]
    kept = ", ".join(["_", "_", "c", "m", *values]) + ","
    slots = [_CONVERT[kind].format(value) if kind is not str else value
             for value, kind in zip(values, slot_kinds, strict=True)]
    slots.insert(template.id_at, "h(NEXT(), 'x')")
    slots[:0] = ["TS(c)", "m"]
    joined = "".join(f"P{i}, {slot}, " for i, slot in enumerate(slots)) + f"P{len(slots)}"
    render = [f"    {kept} = item", f"    text = J(({joined}))",
              "    return text.encode('ascii')" if output.frame is None else "    return FRAME(text)"]
    source = "def submit(record, attrs):\n" + "\n".join(lines) + "\n\ndef render(item):\n" + "\n".join(render) + "\n"
    fixed = sum(map(len, pieces)) + _TIMESTAMP_CHARS + _NUMBER_DIGITS + sum(_LONGEST.get(kind, 0) for kind in slot_kinds)
    namespace: dict[str, object] = {
        "NEXT": next_number, "TS": output.timestamp, "MESSAGE": output.message, "FRAME": output.frame,
        "NOW": render_now, "PUT": put_unrendered, "BASE": fixed + output.framing, "ROOM": output.limit + output.framing,
        "TS_END": _TIMESTAMP_END, "SHAPE": shape,
    }
    submit = _compiled(source, "submit", namespace, template, pieces, slot_kinds)
    return submit, namespace["render"]  # type: ignore[return-value]


def split_slots(template: str) -> list[str]:
    """The constant text around the ``%s`` / ``%x`` slots of a template (``%%`` left escaped)."""
    pieces, start, index = [], 0, 0
    while True:
        index = template.find("%", index)
        if index < 0:
            pieces.append(template[start:])
            return pieces
        if template[index + 1] == "%":
            index += 2
            continue
        pieces.append(template[start:index])
        index += 2
        start = index
