"""Small pieces on their own: settings validation, host parsing, back-off, timestamps, framing."""

from __future__ import annotations

import random
import struct
import zlib

import pytest

from elk_logger import ElkConfig
from elk_logger.backoff import Backoff
from elk_logger.config import parse_host
from elk_logger.lumberjack import AckReader, FrameHeaders, ProtocolError, encode_batch, encode_body
from elk_logger.timestamps import UtcMillis


def test_bad_settings_fail_at_configuration_time_naming_each_problem():
    with pytest.raises(ValueError) as caught:
        ElkConfig(mode="udp", hosts=(), max_buffer_events=0, compression_level=12)  # type: ignore[arg-type]
    text = str(caught.value)
    for fragment in ("mode: 'udp'", "hosts: at least one", "max_buffer_events: must be > 0", "compression_level"):
        assert fragment in text


@pytest.mark.parametrize(("text", "expected"), [
    ("ls1", ("ls1", 5044)), ("ls1:5000", ("ls1", 5000)), ("[::1]:6000", ("::1", 6000)), ("[fe80::1]", ("fe80::1", 5044)),
    (("ls2", 5001), ("ls2", 5001)),
])
def test_host_strings_parse_with_the_mode_default_port(text, expected):
    assert parse_host(text, 5044) == expected


def test_from_hosts_uses_the_port_of_the_mode():
    assert ElkConfig.from_hosts(["a", "b:1"], mode="beats").hosts == (("a", 5044), ("b", 1))


def test_backoff_doubles_with_jitter_and_caps():
    backoff = Backoff(0.1, 1.0, random.Random(7))
    delays = [backoff.next_delay() for _ in range(8)]
    ceilings = [0.1, 0.2, 0.4, 0.8, 1.0, 1.0, 1.0, 1.0]
    assert all(c / 2 <= d <= c for d, c in zip(delays, ceilings, strict=True))
    backoff.reset()
    assert backoff.next_delay() <= 0.1


def test_timestamps_are_utc_with_exact_milliseconds():
    stamps = UtcMillis()
    assert stamps.from_ns(1705314645_123_999_999) == "2024-01-15T10:30:45.123Z"
    assert stamps.from_ns(1705314646_000_000_000) == "2024-01-15T10:30:46.000Z"
    assert stamps.from_seconds(1705314645.5) == "2024-01-15T10:30:45.500Z"


def test_lumberjack_batch_layout_matches_the_protocol():
    bodies = [encode_body(b'{"a":1}'), encode_body(b'{"b":22}')]
    plain = encode_batch(FrameHeaders(), bodies)
    assert plain == (b"2W" + struct.pack(">I", 2) + b"2J" + struct.pack(">II", 1, 7) + b'{"a":1}'
                     + b"2J" + struct.pack(">II", 2, 8) + b'{"b":22}')
    packed = encode_batch(FrameHeaders(), bodies, compression_level=3)
    assert packed[:6] == b"2W" + struct.pack(">I", 2) and packed[6:8] == b"2C"
    (size,) = struct.unpack(">I", packed[8:12])
    assert zlib.decompress(packed[12:12 + size]) == plain[6:] and len(packed) == 12 + size


def test_ack_reader_handles_split_frames_and_rejects_garbage():
    reader = AckReader()
    ack = b"2A" + struct.pack(">I", 5)
    assert reader.feed(ack[:3]) == []
    assert reader.feed(ack[3:] + b"2A" + struct.pack(">I", 0)) == [5, 0]
    with pytest.raises(ProtocolError):
        reader.feed(b"HTTP/1")
