"""Turning one record shape's template into a function that makes its line from a record.

Why generated code: the per-call budget of the standard-logging path is a couple of microseconds
(issue 17: at most half of what ``logging`` itself costs per call), and in CPython a loop over the
fields with a type switch per value costs about as much as the whole rest. So for the value
types the shape's first record had, a function without loop or branches is compiled: it unpacks
the extra values straight from the record's ``__dict__``, checks their types in one expression
and joins the template's constant pieces with each value's JSON text. A record whose types
differ takes the looping maker (same template, same output); a value the sanitiser would have
to change (NaN, infinity, a 64-bit overflow, a container) sends the record down the generic path.

Safety of the generated source: it contains only slot indices and fixed names. Key names,
types, template text and helpers are bound as constants in its namespace; no caller-supplied
text is ever compiled.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice

from .encoding import quote

_LONG_LIMIT = 2**64  # as the sanitiser: larger integers are sent as text (generic path)
_SCALARS = (str, float, int, bool, type(None))

LineMaker = Callable[[logging.LogRecord, dict[str, object]], "bytes | None"]


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


def line_maker(template: Template, tail: tuple[str, ...], kinds: dict[str, type], output: LineOutput,
               next_number: Callable[[], int]) -> LineMaker:
    """The fastest maker for a shape whose record attributes after the standard ones are ``tail`` (last first)."""
    looping = _looping_maker(template, output, next_number)
    slot_kinds = [kinds[name] for name in template.keys]
    if not all(kind in _SCALARS for kind in slot_kinds):
        return looping
    return _straight_maker(template, tail, slot_kinds, output, next_number, looping) or looping


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


def _straight_maker(template: Template, tail: tuple[str, ...], slot_kinds: list[type], output: LineOutput,
                    next_number: Callable[[], int], looping: LineMaker) -> LineMaker | None:
    pieces = [piece.replace("%%", "%") for piece in split_slots(template.text)]
    if len(pieces) != len(template.keys) + 4:  # around: timestamp, message, number, one slot per key
        return None
    position = {name: index for index, name in enumerate(tail)}
    names = [f"v{position[name]}" for name in template.keys]
    unpack = "".join(f"v{index}, " for index in range(len(tail)))
    lines = [f"    {unpack}= islice(reversed(attrs.values()), {len(tail)})"] if tail else []  # tail is last-first
    if names:
        checks = " or ".join(f"type({name}) is not T{i}" for i, name in enumerate(names))
        lines.append(f"    if {checks}: return LOOPING(record, attrs)")
    floats = [name for name, kind in zip(names, slot_kinds, strict=True) if kind is float]
    if floats:  # one test for all: a NaN or infinity makes the sum NaN or infinite (an overflowing sum only costs the fast path)
        total = " + ".join(floats)
        lines.append(f"    s = {total}" if len(floats) > 1 else f"    s = {total} + 0.0")
        lines.append("    if s - s != 0.0: return None")
    ints = [name for name, kind in zip(names, slot_kinds, strict=True) if kind is int]
    if ints:
        lines.append("    if " + " or ".join(f"not -L < {name} < L" for name in ints) + ": return None")
    convert = {str: "q({})", float: "r({})", int: "r({})", bool: "('true' if {} else 'false')", type(None): "'null'"}
    slots = [convert[kind].format(name) for name, kind in zip(names, slot_kinds, strict=True)]
    slots.insert(template.id_at, "h(NEXT(), 'x')")
    slots[:0] = ["TS(record.created)", "q(msg)"]
    joined = "".join(f"P{i}, {slot}, " for i, slot in enumerate(slots)) + f"P{len(slots)}"
    lines += [
        "    msg = record.msg",
        "    if type(msg) is not str or record.args: msg = MESSAGE(record)",
        f"    text = J(({joined}))",
        "    if len(text) > LIMIT: return None",
        "    return text.encode('ascii')" if output.frame is None else "    return FRAME(text)",
    ]
    source = "def make(record, attrs):\n" + "\n".join(lines) + "\n"
    namespace: dict[str, object] = {
        "islice": islice, "J": "".join, "L": _LONG_LIMIT, "q": quote, "r": repr, "h": format, "NEXT": next_number,
        "TS": output.timestamp, "MESSAGE": output.message, "LIMIT": output.limit, "FRAME": output.frame, "LOOPING": looping,
    }
    namespace.update((f"P{i}", piece) for i, piece in enumerate(pieces))  # constants by name: one lookup each
    namespace.update((f"T{i}", kind) for i, kind in enumerate(slot_kinds))
    exec(compile(source, "<elk_logger record shape>", "exec"), namespace)  # indices only: see the module docstring
    return namespace["make"]  # type: ignore[return-value]


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
