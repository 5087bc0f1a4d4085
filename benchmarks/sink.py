"""Benchmark receiver: a stand-in for Logstash's ``tcp`` (json_lines) and ``beats`` inputs on 127.0.0.1.

Runs as its own process (like Logstash), single-threaded on a selector. It counts events by the
``volume`` number every benchmark event carries (each run uses its own range), so loss and
duplicates can be measured for any client format. A control port takes one JSON command per
line and answers one JSON line:

    {"cmd": "track", "lo": 0, "hi": 1000}  -> start counting events with lo <= volume < hi (one range at a time)
    {"cmd": "count"}                        -> {"unique": ..., "total": ...} of the tracked range so far
    {"cmd": "stall", "seconds": 5}          -> stop reading (and acknowledging) for that long
    {"cmd": "resume"}                       -> end a stall now
    {"cmd": "restart", "seconds": 3}        -> like a killed Logstash: listeners closed, connections reset,
                                               unread data lost; listening again after that long

Usage: ``python benchmarks/sink.py`` prints ``{"lines": port, "beats": port, "control": port}``.
"""

from __future__ import annotations

import json
import re
import selectors
import socket
import struct
import time
import zlib

VOLUME = re.compile(rb'"volume": ?(\d+)')
_U32 = struct.Struct(">I")
MAX_VOLUME = 64_000_000  # one byte per possible event number


class Sink:
    def __init__(self) -> None:
        self.selector = selectors.DefaultSelector()
        self.seen = bytearray(MAX_VOLUME)
        self.lo = self.hi = 0
        self.unique = self.total = 0
        self.ports: dict[str, int] = {"lines": 0, "beats": 0}
        self.listeners: dict[str, socket.socket] = {}
        self.conns: dict[socket.socket, dict] = {}
        self.stalled_until = 0.0
        self.down_until = 0.0
        self.control = self._listen(0)
        self.selector.register(self.control, selectors.EVENT_READ, ("control-listener", None))
        self._open_data_listeners()

    # -- sockets -------------------------------------------------------------------------------------

    def _listen(self, port: int) -> socket.socket:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))
        sock.listen(128)
        sock.setblocking(False)
        return sock

    def _open_data_listeners(self) -> None:
        for kind in ("lines", "beats"):
            sock = self._listen(self.ports[kind])
            self.ports[kind] = sock.getsockname()[1]
            self.listeners[kind] = sock
            self.selector.register(sock, selectors.EVENT_READ, ("listener", kind))

    def _kill_data_sockets(self) -> None:
        for sock in list(self.listeners.values()):
            self.selector.unregister(sock)
            sock.close()
        self.listeners.clear()
        for sock, state in list(self.conns.items()):
            if state["kind"] == "control":
                continue
            self._drop(sock, reset=True)

    def _drop(self, sock: socket.socket, reset: bool = False) -> None:
        state = self.conns.pop(sock, None)
        if state is not None and state.get("registered", True):
            try:
                self.selector.unregister(sock)
            except (KeyError, ValueError):
                pass
        if reset:
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            except OSError:
                pass
        sock.close()

    def _set_reading(self, enabled: bool) -> None:
        for sock, state in self.conns.items():
            if state["kind"] == "control" or state["registered"] == enabled:
                continue
            if enabled:
                self.selector.register(sock, selectors.EVENT_READ, ("conn", None))
            else:
                self.selector.unregister(sock)
            state["registered"] = enabled
        for kind, sock in self.listeners.items():
            try:
                if enabled:
                    self.selector.register(sock, selectors.EVENT_READ, ("listener", kind))
                else:
                    self.selector.unregister(sock)
            except (KeyError, ValueError):
                pass  # already in that state

    # -- loop ----------------------------------------------------------------------------------------

    def serve(self) -> None:
        print(json.dumps({**self.ports, "control": self.control.getsockname()[1]}), flush=True)
        while True:
            now = time.monotonic()
            timers = [t for t in (self.stalled_until, self.down_until) if t > now]
            timeout = min(timers) - now if timers else None
            for key, _ in self.selector.select(timeout):
                role, kind = key.data
                sock = key.fileobj
                if role in ("listener", "control-listener"):
                    self._accept(sock, "control" if role == "control-listener" else kind)
                else:
                    self._read(sock)
            now = time.monotonic()
            if self.stalled_until and now >= self.stalled_until:
                self.stalled_until = 0.0
                self._set_reading(True)
            if self.down_until and now >= self.down_until:
                self.down_until = 0.0
                self._open_data_listeners()

    def _accept(self, listener: socket.socket, kind: str) -> None:
        try:
            conn, _ = listener.accept()
        except BlockingIOError:
            return
        conn.setblocking(False)
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.conns[conn] = {"kind": kind, "buffer": b"", "registered": True, "window": 0, "events": 0, "last_seq": 0}
        self.selector.register(conn, selectors.EVENT_READ, ("conn", None))

    def _read(self, sock: socket.socket) -> None:
        state = self.conns.get(sock)
        if state is None:
            return
        try:
            data = sock.recv(1 << 20)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self._drop(sock)
            return
        buffer = state["buffer"] + data
        handler = {"lines": self._lines, "beats": self._beats, "control": self._control}[state["kind"]]
        state["buffer"] = handler(sock, state, buffer)

    # -- protocols -----------------------------------------------------------------------------------

    def _lines(self, sock: socket.socket, state: dict, buffer: bytes) -> bytes:
        end = buffer.rfind(b"\n")
        if end < 0:
            return buffer
        self._record(VOLUME.findall(buffer, 0, end))
        return buffer[end + 1:]

    def _beats(self, sock: socket.socket, state: dict, buffer: bytes) -> bytes:
        offset = 0
        while len(buffer) - offset >= 6:
            kind = buffer[offset:offset + 2]
            if kind == b"2W":
                state["window"] = _U32.unpack_from(buffer, offset + 2)[0]
                state["events"] = 0
                offset += 6
            elif kind == b"2J":
                if len(buffer) - offset < 10:
                    break
                seq, size = struct.unpack_from(">II", buffer, offset + 2)
                if len(buffer) - offset < 10 + size:
                    break
                self._event(sock, state, seq, buffer[offset + 10:offset + 10 + size])
                offset += 10 + size
            elif kind == b"2C":
                size = _U32.unpack_from(buffer, offset + 2)[0]
                if len(buffer) - offset < 6 + size:
                    break
                inner = zlib.decompress(buffer[offset + 6:offset + 6 + size])
                self._beats(sock, state, inner)
                offset += 6 + size
            else:
                self._drop(sock, reset=True)
                return b""
        return buffer[offset:]

    def _event(self, sock: socket.socket, state: dict, seq: int, payload: bytes) -> None:
        self._record(VOLUME.findall(payload))
        state["events"] += 1
        if state["events"] == state["window"]:
            try:
                sock.sendall(b"2A" + _U32.pack(seq))
            except OSError:
                pass

    def _record(self, volumes: list[bytes]) -> None:
        seen, lo, hi = self.seen, self.lo, self.hi
        for text in volumes:
            volume = int(text)
            if lo <= volume < hi:
                self.total += 1
                if not seen[volume]:
                    seen[volume] = 1
                    self.unique += 1

    def _control(self, sock: socket.socket, state: dict, buffer: bytes) -> bytes:
        while b"\n" in buffer:
            line, buffer = buffer.split(b"\n", 1)
            command = json.loads(line)
            reply = self._command(command)
            sock.setblocking(True)
            sock.sendall(json.dumps(reply).encode() + b"\n")
            sock.setblocking(False)
        return buffer

    def _command(self, command: dict) -> dict:
        cmd = command["cmd"]
        now = time.monotonic()
        if cmd == "track":
            self.lo, self.hi = command["lo"], min(command["hi"], MAX_VOLUME)
            self.seen[self.lo:self.hi] = bytes(self.hi - self.lo)
            self.unique = self.total = 0
            return {"ok": True}
        if cmd == "count":
            return {"unique": self.unique, "total": self.total}
        if cmd == "stall":
            self.stalled_until = now + command["seconds"]
            self._set_reading(False)
            return {"ok": True}
        if cmd == "resume":
            if self.stalled_until:
                self.stalled_until = 0.0
                self._set_reading(True)
            return {"ok": True}
        if cmd == "restart":
            self._kill_data_sockets()
            self.down_until = now + command["seconds"]
            return {"ok": True}
        if cmd == "ports":
            return dict(self.ports)
        return {"error": f"unknown command {cmd}"}


class Control:
    """Client side of the control port (used by the benchmark scenarios)."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.file = self.sock.makefile("rwb")

    def ask(self, cmd: str, **args: object) -> dict:
        self.file.write(json.dumps({"cmd": cmd, **args}).encode() + b"\n")
        self.file.flush()
        return json.loads(self.file.readline())

    def track(self, lo: int, hi: int) -> None:
        self.ask("track", lo=lo, hi=hi)

    def count(self) -> tuple[int, int]:
        reply = self.ask("count")
        return reply["unique"], reply["total"]


if __name__ == "__main__":
    Sink().serve()
