"""Every tunable of the client in one frozen, validated object.

Why one object: the handler, the worker and the transports read their limits from here, so a
reader can see every knob (and its default's reason) in one place, and a bad value fails at
``configure()`` time instead of inside the background thread.
"""

from __future__ import annotations

import dataclasses
import difflib
import ipaddress
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Literal

Mode = Literal["json_lines", "beats"]

#: Seed default: Logstash ``tcp`` input with the ``json_lines`` codec.
JSON_LINES_PORT: Final = 5000
#: Logstash ``beats`` input (Lumberjack v2, acknowledged).
BEATS_PORT: Final = 5044

#: Key fragments whose values are replaced before serialising (matched case-insensitively,
#: ``-`` and spaces read as ``_``, anywhere in the key: ``db_password``, ``X-Api-Key``, ``accessToken``).
DEFAULT_REDACT_KEYS: Final = frozenset(
    {"password", "passwd", "secret", "token", "api_key", "apikey", "authorization", "private_key", "credential"}
)


def default_port(mode: Mode) -> int:
    """The Logstash port a mode talks to when none is given."""
    return BEATS_PORT if mode == "beats" else JSON_LINES_PORT


def config_error(problem: str) -> ValueError:
    """The one error type and prefix of every refused setting (so a caller can tell ours from a bug)."""
    return ValueError(f"invalid elk_logger configuration: {problem}")


def parse_port(value: object, setting: str = "port") -> int:
    """A TCP port given as ``5000`` or ``"5000"``; anything else is refused naming ``setting``."""
    port: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        port = value
    elif isinstance(value, str) and value.strip().isdigit():
        port = int(value.strip())
    if port is None or not 0 < port < 65536:
        raise config_error(f"{setting}: {value!r} is not a TCP port (1-65535)")
    return port


def parse_host(value: str | tuple[str, int] | Sequence[object], port: int, setting: str = "hosts") -> tuple[str, int]:
    """``"ls1"``, ``"ls1:5044"``, ``"[::1]:5044"``, ``"::1"`` or ``("ls1", 5044)`` -> ``(host, port)``."""
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):  # [IPv6]:port
            host, _, rest = text[1:].partition("]")
            port_text = rest[1:] if rest.startswith(":") else None
        elif text.count(":") == 1:
            host, _, port_text = text.partition(":")
        else:
            host, port_text = text, None
        if port_text is None:
            return host, port
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise config_error(f"{setting}: {value!r} has no valid port")
        return host, int(port_text)
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise config_error(f"{setting}: each entry must be 'host', 'host:port' or (host, port), got {value!r}")
    host, host_port = value
    return str(host), parse_port(host_port, f"{setting}: port of {host!r}")


@dataclass(frozen=True, kw_only=True)
class ElkConfig:
    """Settings of one :class:`~elk_logger.handler.ElkHandler` (one buffer, one worker, one connection)."""

    hosts: tuple[tuple[str, int], ...] = (("localhost", JSON_LINES_PORT),)
    """Logstash endpoints, tried in order; on failure the worker moves to the next (failover)."""
    mode: Mode = "json_lines"
    """``json_lines``: seed's tcp input, unacknowledged. ``beats``: Lumberjack v2, an event leaves
    the buffer only once Logstash acknowledged it (at-least-once)."""

    tls: bool = False
    """Wrap the connection in TLS (>= 1.2)."""
    tls_ca_file: str | None = None
    """CA bundle that signed Logstash's certificate; ``None`` = the system store."""
    tls_cert_file: str | None = None
    """Client certificate (PEM) for mutual TLS; needs ``tls_key_file`` unless the key is in the same file."""
    tls_key_file: str | None = None
    tls_verify: bool = True
    """Verify Logstash's certificate and host name. Turn off only for throw-away test stacks."""
    tls_server_hostname: str | None = None
    """Name to verify instead of the host we connect to (when connecting by IP)."""

    max_buffer_events: int = 100_000
    """Events held in memory (queued + in flight). ~3 s of a 30k/s tick burst; beyond it new events are dropped."""
    max_buffer_bytes: int = 64 * 1024 * 1024
    """Bytes held in memory (same accounting). Bounds memory when events are large."""
    max_event_bytes: int = 256 * 1024
    """One encoded event above this is shrunk (long strings cut), else replaced by a stub; never split a line."""
    batch_max_events: int = 2048
    """Events per write / per Lumberjack window (Filebeat's default ``bulk_max_size``)."""
    batch_max_bytes: int = 1024 * 1024
    """Bytes per write / window: keeps each copy the worker makes (holding the GIL) short."""
    flush_interval: float = 0.05
    """Longest time an event waits for companions before the batch is sent (latency vs. syscalls)."""

    connect_timeout: float = 3.0
    """One TCP (+TLS) connection attempt."""
    write_timeout: float = 30.0
    """A write that makes no progress for this long counts as a dead receiver (reconnect + resend)."""
    ack_timeout: float = 30.0
    """Beats: silence (no ACK, no keep-alive ACK) for this long counts as a dead receiver (libbeat's default)."""
    backoff_initial: float = 0.05
    """First reconnect delay; doubles per failure, with jitter, up to ``backoff_max``."""
    backoff_max: float = 5.0
    compression_level: int = 0
    """Beats only: zlib level 1-9 for the ``C`` frame; 0 sends plain ``J`` frames (cheapest on a LAN)."""

    close_timeout: float = 1.5
    """``close()`` / exit: how long to keep trying to deliver what is buffered before giving up and reporting
    (1.5 s keeps a whole interpreter exit under 2 s when Logstash is down)."""

    redact_keys: frozenset[str] = DEFAULT_REDACT_KEYS
    """Key fragments whose values become ``redaction_text`` (see ``DEFAULT_REDACT_KEYS``)."""
    redaction_text: str = "[REDACTED]"
    max_depth: int = 8
    """Nesting kept from user objects; deeper values become a short text."""
    max_items: int = 2_000
    """Values kept from one event's user objects (bounds work on huge or self-referencing objects)."""
    max_string_chars: int = 32_768
    """Longest string field sent when an event must be shrunk to fit ``max_event_bytes``."""
    max_stack_trace_chars: int = 16_384
    """``error.stack_trace`` keeps the last this-many characters (the innermost frames)."""

    diagnostics_interval: float = 30.0
    """The client's own stderr messages: at most one per kind per this many seconds."""
    hostname: str | None = None
    """``host.hostname`` of every event; ``None`` = ``socket.gethostname()``."""

    def __post_init__(self) -> None:
        problems = list(_problems(self))
        if problems:
            raise config_error("; ".join(problems))

    def replace(self, **changes: object) -> ElkConfig:
        """A copy with some settings changed (validated again; an unknown name is refused, with a suggestion)."""
        check_setting_names(changes)
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    @classmethod
    def from_hosts(cls, hosts: Iterable[str | tuple[str, int]], *, mode: Mode = "json_lines", **settings: object) -> ElkConfig:
        """Build from ``["ls1:5000", "ls2"]``-style host lists; a missing port is the mode's default."""
        check_setting_names(settings)
        port = default_port(mode)
        parsed = tuple(parse_host(h, port) for h in hosts)
        return cls(hosts=parsed, mode=mode, **settings)  # type: ignore[arg-type]


def check_setting_names(names: Iterable[str], also_known: Iterable[str] = ()) -> None:
    """Refuse a setting name that is not one of ``ElkConfig``'s, suggesting the nearest one."""
    fields = {f.name for f in dataclasses.fields(ElkConfig)}
    known = fields | set(also_known)
    unknown = [name for name in names if name not in fields]
    problems = []
    for name in unknown:
        if name in known:
            continue
        close = difflib.get_close_matches(name, sorted(known), n=1)
        problems.append(f"unknown setting {name!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
    if problems:
        raise config_error("; ".join(problems))


_POSITIVE: Final = ("max_buffer_events", "max_buffer_bytes", "max_event_bytes", "batch_max_events", "batch_max_bytes",
                    "connect_timeout", "write_timeout", "ack_timeout", "backoff_initial", "backoff_max", "max_depth",
                    "max_items", "max_string_chars", "max_stack_trace_chars")
_NON_NEGATIVE: Final = ("flush_interval", "close_timeout", "diagnostics_interval", "compression_level")
_TLS_FILES: Final = ("tls_ca_file", "tls_cert_file", "tls_key_file")


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _problems(cfg: ElkConfig) -> Iterable[str]:
    """Each rule broken by ``cfg``, as ``name: what is wrong`` (never raises: every problem at once)."""
    if cfg.mode not in ("json_lines", "beats"):
        yield f"mode: {cfg.mode!r} is not 'json_lines' or 'beats'"
    yield from _host_problems(cfg.hosts)
    numbers_ok = True
    for name in (*_POSITIVE, *_NON_NEGATIVE):
        value = getattr(cfg, name)
        if not _is_number(value):
            numbers_ok = False
            yield f"{name}: must be a number, got {value!r}"
        elif name in _POSITIVE and not value > 0:
            yield f"{name}: must be > 0"
        elif name in _NON_NEGATIVE and not value >= 0:
            yield f"{name}: must be >= 0"
    if numbers_ok:
        if cfg.max_event_bytes > cfg.max_buffer_bytes:
            yield "max_event_bytes: larger than max_buffer_bytes, such an event could never be buffered"
        if cfg.max_event_bytes < 1024:
            yield "max_event_bytes: below 1024 bytes even a minimal event does not fit"
        if cfg.compression_level > 9:
            yield "compression_level: must be 0 (off) to 9"
        if cfg.batch_max_events > 1_000_000:
            yield "batch_max_events: above 1,000,000 (the window size Logstash accepts is far lower)"
    for name in _TLS_FILES:
        value = getattr(cfg, name)
        if value is not None and not isinstance(value, (str, os.PathLike)):
            yield f"{name}: must be a file path, got {value!r}"
        elif value is not None and not cfg.tls:
            yield f"{name}: given but tls is off (set tls=True, or the connection would be plaintext)"
    if (cfg.tls_key_file is not None) and cfg.tls_cert_file is None:
        yield "tls_key_file: given without tls_cert_file"


def _host_problems(hosts: object) -> Iterable[str]:
    if not isinstance(hosts, tuple) or not hosts:
        yield "hosts: at least one Logstash host is needed, as a tuple of (host, port) pairs"
        return
    for entry in hosts:
        if not isinstance(entry, (tuple, list)) or len(entry) != 2:
            yield f"hosts: each entry must be a (host, port) pair, got {entry!r}"
            continue
        host, port = entry
        if not isinstance(host, str) or not host:
            yield f"hosts: {host!r} is not a host name or address"
        elif ":" in host and not _is_ipv6(host):
            yield f"hosts: {host!r} includes a port; give it as ({host.rpartition(':')[0]!r}, {host.rpartition(':')[2]})"
        if not isinstance(port, int) or isinstance(port, bool):
            yield f"hosts: port {port!r} of {host!r} is not an integer"
        elif not 0 < port < 65536:
            yield f"hosts: {host!r}:{port} is not a TCP port (1-65535)"


def _is_ipv6(text: str) -> bool:
    try:
        ipaddress.IPv6Address(text.split("%", 1)[0])
    except ValueError:
        return False
    return True
