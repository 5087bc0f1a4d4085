"""Real receivers on 127.0.0.1 for the logger tests: a json_lines sink and a Lumberjack v2 peer.

The Lumberjack peer is written here from the protocol description (go-lumber's server reader and
logstash-input-beats' ``BeatsParser``), not from the client's own module, so a shared mistake in
framing would show up as a failing test rather than cancel out.

Nothing here sleeps to wait: receivers signal a condition whenever they receive something, and
tests wait on it with a timeout.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import socket
import ssl
import struct
import subprocess
import threading
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from elk_logger import ElkHandler

WAIT = 10.0  # generous upper bound for any wait in a test; passing tests never reach it


class _Receiver:
    """Accept loop + one reader thread per connection; stall, restart and stop on demand."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.tls = tls
        self.changed = threading.Condition()
        self.connections_accepted = 0
        self._conns: set[socket.socket] = set()
        self._resume = threading.Event()
        self._resume.set()
        self._listener: socket.socket | None = None
        self.port = 0
        self.listen()

    # -- control -----------------------------------------------------------------------------------

    def listen(self) -> None:
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self.port = listener.getsockname()[1]
        self._listener = listener
        threading.Thread(target=self._accept_loop, args=(listener,), daemon=True).start()

    def kill(self) -> None:
        """Like a killed process: the listener closes, connections are reset, unread data is lost."""
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        for conn in list(self._conns):
            with contextlib.suppress(OSError):
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            with contextlib.suppress(OSError):
                conn.close()
        self._conns.clear()
        self._resume.set()

    @contextlib.contextmanager
    def stalled(self) -> Iterator[None]:
        """Stop reading (the client's writes back up) until the block ends."""
        self._resume.clear()
        try:
            yield
        finally:
            self._resume.set()

    def wait_until(self, predicate: Callable[[], bool], timeout: float = WAIT) -> bool:
        with self.changed:
            return self.changed.wait_for(predicate, timeout)

    # -- threads -----------------------------------------------------------------------------------

    def _accept_loop(self, listener: socket.socket) -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # as Logstash (netty) does
            if self.tls is not None:
                conn = self.tls.wrap_socket(conn, server_side=True)
            self._conns.add(conn)
            with self.changed:
                self.connections_accepted += 1
                self.changed.notify_all()
            self.handle(conn)
        except (OSError, ssl.SSLError):
            pass
        finally:
            self._conns.discard(conn)
            with contextlib.suppress(OSError):
                conn.close()

    def recv(self, conn: socket.socket, size: int = 65536) -> bytes:
        self._resume.wait()
        return conn.recv(size)

    def handle(self, conn: socket.socket) -> None:
        raise NotImplementedError


class LineSink(_Receiver):
    """Logstash ``tcp`` input with ``json_lines``: keeps every complete line."""

    def __init__(self, tls: ssl.SSLContext | None = None) -> None:
        self.lines: list[bytes] = []
        super().__init__(tls)

    def handle(self, conn: socket.socket) -> None:
        pending = b""
        while True:
            data = self.recv(conn)
            if not data:
                return
            *complete, pending = (pending + data).split(b"\n")
            if complete:
                with self.changed:
                    self.lines.extend(complete)
                    self.changed.notify_all()

    def events(self) -> list[dict]:
        with self.changed:
            return [json.loads(line) for line in self.lines]

    def wait_for_lines(self, count: int, timeout: float = WAIT) -> bool:
        return self.wait_until(lambda: len(self.lines) >= count, timeout)


@dataclass
class BeatsBehaviour:
    """How the Lumberjack peer answers (each test picks its own)."""

    ack: bool = True
    keepalive_first: bool = False  # send a seq-0 keep-alive ACK before the real one
    partial_first: bool = False  # acknowledge half the window, then the rest
    reset_after_events: int | None = None  # after receiving this many events in total, reset the connection without ACK (once)


class LumberjackPeer(_Receiver):
    """Lumberjack v2 server: window ``2W``, data ``2J``, compressed ``2C``; answers ``2A`` ACKs."""

    def __init__(self, behaviour: BeatsBehaviour | None = None, tls: ssl.SSLContext | None = None) -> None:
        self.behaviour = behaviour or BeatsBehaviour()
        self.received: list[dict] = []  # every event read, duplicates included
        self.acked: list[dict] = []  # events covered by an ACK sent
        self.windows: list[int] = []
        self.compressed_frames = 0
        self.protocol_errors: list[str] = []
        super().__init__(tls)

    def handle(self, conn: socket.socket) -> None:
        reader = _ExactReader(lambda: self.recv(conn))
        while True:
            try:
                header = reader.read(2)
            except EOFError:
                return
            if header != b"2W":
                self.protocol_errors.append(f"expected a window frame, got {header!r}")
                return
            window = struct.unpack(">I", reader.read(4))[0]
            batch: list[tuple[int, dict]] = []
            while len(batch) < window:
                batch.extend(self._frames(reader, window - len(batch)))
            with self.changed:
                self.windows.append(window)
                self.received.extend(event for _, event in batch)
                self.changed.notify_all()
            reset_at = self.behaviour.reset_after_events
            if reset_at is not None and len(self.received) >= reset_at:
                self.behaviour.reset_after_events = None
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                return
            if not self.behaviour.ack:
                continue
            if self.behaviour.keepalive_first:
                conn.sendall(b"2A" + struct.pack(">I", 0))
            last = batch[-1][0]
            if self.behaviour.partial_first and len(batch) > 1:
                half = batch[len(batch) // 2 - 1][0]
                conn.sendall(b"2A" + struct.pack(">I", half))
            conn.sendall(b"2A" + struct.pack(">I", last))
            with self.changed:
                self.acked.extend(event for _, event in batch)
                self.changed.notify_all()

    def _frames(self, reader: _ExactReader, wanted: int) -> list[tuple[int, dict]]:
        kind = reader.read(2)
        if kind == b"2J":
            seq, size = struct.unpack(">II", reader.read(8))
            return [(seq, json.loads(reader.read(size)))]
        if kind == b"2C":
            size = struct.unpack(">I", reader.read(4))[0]
            inner = io.BytesIO(zlib.decompress(reader.read(size)))
            with self.changed:
                self.compressed_frames += 1
            inner_reader = _ExactReader(lambda: inner.read(65536))
            frames: list[tuple[int, dict]] = []
            while len(frames) < wanted:
                frames.extend(self._frames(inner_reader, wanted - len(frames)))
            return frames
        self.protocol_errors.append(f"unknown frame {kind!r}")
        raise EOFError

    def wait_for_acked(self, count: int, timeout: float = WAIT) -> bool:
        return self.wait_until(lambda: len(self.acked) >= count, timeout)


class _ExactReader:
    def __init__(self, source: Callable[[], bytes]) -> None:
        self._source = source
        self._buffer = b""

    def read(self, size: int) -> bytes:
        while len(self._buffer) < size:
            data = self._source()
            if not data:
                raise EOFError
            self._buffer += data
        out, self._buffer = self._buffer[:size], self._buffer[size:]
        return out


# -- fixtures ----------------------------------------------------------------------------------------


@pytest.fixture
def line_sink() -> Iterator[LineSink]:
    sink = LineSink()
    yield sink
    sink.kill()


@pytest.fixture
def beats_peer() -> Iterator[LumberjackPeer]:
    peer = LumberjackPeer()
    yield peer
    peer.kill()


@pytest.fixture
def closed_port() -> int:
    """A port on 127.0.0.1 where nothing listens (connections are refused)."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


@dataclass(frozen=True)
class Pki:
    ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path

    def server_context(self, require_client_cert: bool = False) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.server_cert, self.server_key)
        if require_client_cert:
            context.verify_mode = ssl.CERT_REQUIRED
            context.load_verify_locations(self.ca)
        return context


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    """A throw-away CA, a server certificate for localhost/127.0.0.1 and a client certificate (openssl CLI)."""
    root = tmp_path_factory.mktemp("pki")

    def run(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=root, check=True, capture_output=True)

    curve = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")
    run("req", "-x509", *curve, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=elk-logger test CA",
        "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    for name, usage, san in (("server", "serverAuth", "DNS:localhost,IP:127.0.0.1"), ("client", "clientAuth", "DNS:mt4-bridge")):
        (root / f"{name}.ext").write_text(
            "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
            f"extendedKeyUsage={usage}\nsubjectAltName={san}\n"
            "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n"
        )
        run("req", *curve, "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN={name}")
        run("x509", "-req", "-in", f"{name}.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", f"{name}.crt", "-days", "2", "-extfile", f"{name}.ext")
    return Pki(root / "ca.crt", root / "server.crt", root / "server.key", root / "client.crt", root / "client.key")


class DiagnosticsStream:
    """A text stream for the client's stderr diagnostics that tests can wait on."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.changed = threading.Condition()

    def write(self, text: str) -> int:
        with self.changed:
            self.lines.extend(line for line in text.splitlines() if line)
            self.changed.notify_all()
        return len(text)

    def flush(self) -> None:
        pass

    def wait_for(self, fragment: str, timeout: float = WAIT) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: any(fragment in line for line in self.lines), timeout)

    def count(self, fragment: str) -> int:
        with self.changed:
            return sum(fragment in line for line in self.lines)


@pytest.fixture
def diagnostics() -> DiagnosticsStream:
    return DiagnosticsStream()


@pytest.fixture
def make_handler(diagnostics: DiagnosticsStream) -> Iterator[Callable[..., ElkHandler]]:
    """``make_handler(port, **settings)`` -> an ElkHandler sending to 127.0.0.1:port; closed after the test."""
    made: list[ElkHandler] = []

    def make(port: int | None = None, **settings: object) -> ElkHandler:
        if port is not None:
            settings.setdefault("hosts", (("127.0.0.1", port),))
        settings.setdefault("flush_interval", 0.005)
        handler = ElkHandler(diagnostics_stream=diagnostics, **settings)
        made.append(handler)
        return handler

    yield make
    for handler in made:
        handler.close(timeout=0.2)


def attach(handler: ElkHandler, name: str = "test.component", level: int = logging.DEBUG) -> logging.Logger:
    """A private stdlib logger (not in the global registry) whose only handler is ``handler``."""
    logger = logging.Logger(name, level)
    logger.propagate = False
    logger.addHandler(handler)
    return logger


@pytest.fixture
def attach_logger() -> Callable[..., logging.Logger]:
    return attach


@pytest.fixture
def new_line_sink() -> Iterator[Callable[..., LineSink]]:
    """``new_line_sink(tls=None)`` -> another LineSink, killed after the test."""
    made: list[LineSink] = []

    def make(tls: ssl.SSLContext | None = None) -> LineSink:
        sink = LineSink(tls)
        made.append(sink)
        return sink

    yield make
    for sink in made:
        sink.kill()


@pytest.fixture
def new_beats_peer() -> Iterator[Callable[..., LumberjackPeer]]:
    """``new_beats_peer(tls=None, **behaviour)`` -> a LumberjackPeer (see BeatsBehaviour), killed after the test."""
    made: list[LumberjackPeer] = []

    def make(tls: ssl.SSLContext | None = None, **behaviour: object) -> LumberjackPeer:
        peer = LumberjackPeer(BeatsBehaviour(**behaviour), tls)  # type: ignore[arg-type]
        made.append(peer)
        return peer

    yield make
    for peer in made:
        peer.kill()
