"""Lumberjack v2 (the Beats protocol) framing, client side.

Wire format, as Logstash's ``beats`` input (logstash-input-beats ``BeatsParser``) and Elastic's
go-lumber read it; every integer is an unsigned 32-bit big-endian number:

* window   ``'2' 'W' count``                  - announces how many events the next batch holds
* JSON     ``'2' 'J' seq length payload``     - one event; ``seq`` counts 1..count within the batch
* compress ``'2' 'C' length zlib(frames)``    - the batch's ``J`` frames, deflated as one block
* ACK      ``'2' 'A' seq``  (server -> client) - every event up to ``seq`` of the batch is taken;
  ``seq = 0`` while the batch is still being processed is a keep-alive, not an acknowledgement.

Why bodies are prepared apart from sequence numbers: the app thread prefixes each event's length
once (``encode_body``); the worker then joins precomputed ``'2' 'J' seq`` headers with the bodies
in a single C-level ``bytes.join``, so building a batch costs the GIL almost nothing.
"""

from __future__ import annotations

import itertools
import struct
import zlib
from collections.abc import Sequence
from typing import Final

VERSION: Final = b"2"
WINDOW: Final = b"2W"
JSON_FRAME: Final = b"2J"
COMPRESSED: Final = b"2C"
ACK: Final = b"2A"
ACK_FRAME_SIZE: Final = 6

_U32 = struct.Struct(">I")


class ProtocolError(Exception):
    """The peer sent something that is not a Lumberjack v2 ACK."""


def encode_body(payload: bytes) -> bytes:
    """``length payload``: the sequence-independent tail of a ``J`` frame."""
    return _U32.pack(len(payload)) + payload


class FrameHeaders:
    """``'2' 'J' seq`` for seq 1..n, built once and grown on demand (one worker uses it)."""

    def __init__(self) -> None:
        self._headers: list[bytes] = []

    def first(self, count: int) -> list[bytes]:
        if len(self._headers) < count:
            start = len(self._headers) + 1
            self._headers.extend(JSON_FRAME + _U32.pack(seq) for seq in range(start, count + 1))
        return self._headers[:count]


def encode_batch(headers: FrameHeaders, bodies: Sequence[bytes], compression_level: int = 0) -> bytes:
    """Window frame plus the events as ``J`` frames (or one ``C`` frame when compressing)."""
    frames = b"".join(itertools.chain.from_iterable(zip(headers.first(len(bodies)), bodies, strict=True)))
    window = WINDOW + _U32.pack(len(bodies))
    if compression_level <= 0:
        return window + frames
    packed = zlib.compress(frames, compression_level)
    return b"".join((window, COMPRESSED, _U32.pack(len(packed)), packed))


class AckReader:
    """Splits the bytes a server sends into ACK sequence numbers (frames may arrive in pieces)."""

    def __init__(self) -> None:
        self._pending = b""

    def feed(self, data: bytes) -> list[int]:
        """Sequence numbers of the complete ACK frames in ``data`` (keep-alives included as 0)."""
        buffer = self._pending + data
        seqs: list[int] = []
        offset = 0
        while len(buffer) - offset >= ACK_FRAME_SIZE:
            if buffer[offset:offset + 2] != ACK:
                raise ProtocolError(f"expected an ACK frame, got {buffer[offset:offset + 2]!r}")
            seqs.append(_U32.unpack_from(buffer, offset + 2)[0])
            offset += ACK_FRAME_SIZE
        self._pending = buffer[offset:]
        return seqs
