"""Start and stop a real Docker engine (Debian's ``docker.io``) for the engine tests.

The daemon gets its own socket, data root, exec root and pid file under a temporary folder, so
it never touches a Docker the machine already runs; ``stop`` ends only the process ``start``
started (by its pid), never anything found by name.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

START_TIMEOUT_SECONDS = 60
STOP_TIMEOUT_SECONDS = 30


class DockerdError(RuntimeError):
    pass


@dataclass
class Dockerd:
    """A running daemon this harness started."""

    base: Path
    process: subprocess.Popen[bytes]
    bridge: str = ""
    """The default bridge this harness made for the daemon (extra daemons only); deleted at stop."""

    @property
    def socket(self) -> Path:
        return self.base / "docker.sock"

    @property
    def host(self) -> str:
        """The ``unix://`` URL for ``DOCKER_HOST`` and the program's ``docker_hosts`` setting."""
        return f"unix://{self.socket}"

    def docker(self, *args: str, check: bool = True, input_bytes: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
        """Run the ``docker`` CLI against this daemon."""
        done = subprocess.run(["docker", "--host", self.host, *args], capture_output=True, input=input_bytes,
                              env={**os.environ, "DOCKER_HOST": self.host})
        if check and done.returncode != 0:
            raise DockerdError(f"docker {' '.join(args)} failed: {done.stderr.decode(errors='replace').strip()}")
        return done

    def stop(self) -> None:
        """SIGTERM to the daemon we started, then SIGKILL after a grace period; containers go with it."""
        if self.process.poll() is not None:
            self._delete_bridge()
            return
        for container in self.docker("ps", "-aq", check=False).stdout.decode().split():
            self.docker("rm", "-f", container, check=False)
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
        self._delete_bridge()

    def _delete_bridge(self) -> None:
        if self.bridge:
            subprocess.run(["ip", "link", "delete", self.bridge], capture_output=True)


def ensure_installed() -> None:
    """``dockerd`` present, or installed from Debian's ``docker.io`` when we are root with apt-get."""
    if shutil.which("dockerd") and shutil.which("docker"):
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise DockerdError("dockerd is not installed and this is not root with apt-get: install Debian's docker.io")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "docker.io"]):
        done = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise DockerdError(f"{' '.join(cmd)} failed: {done.stderr.strip()[-2000:]}")


#: A further daemon on the same machine (the second or third "Docker host" of a stack spread over
#: several) gets a default bridge of its own, made here (``elk-br<N>``, 10.231.<N>.1/24), and leaves
#: the iptables chains to the first: two daemons managing ``docker0`` and the same chains undo each
#: other, and ``--bridge=none`` is no way out (dockerd then deletes ``docker0``, the first daemon's).
EXTRA_DAEMON_FLAGS = ("--iptables=false", "--ip6tables=false")


def _ip(*args: str) -> None:
    done = subprocess.run(["ip", *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise DockerdError(f"ip {' '.join(args)} failed: {done.stderr.strip()}")


def start(base: Path, *, extra: int = 0) -> Dockerd:
    """Start a daemon rooted at ``base`` and wait until it answers (``extra`` N > 0: the N-th further
    daemon on this machine, on its own bridge)."""
    ensure_installed()
    base.mkdir(parents=True, exist_ok=True)
    flags: list[str] = []
    bridge = ""
    if extra:
        bridge = f"elk-br{extra}"
        # A bridge of that name can only be one an interrupted earlier run of this harness left.
        subprocess.run(["ip", "link", "delete", bridge], capture_output=True)
        _ip("link", "add", "name", bridge, "type", "bridge")
        _ip("addr", "add", f"10.231.{extra}.1/24", "dev", bridge)
        _ip("link", "set", bridge, "up")
        flags = [f"--bridge={bridge}", *EXTRA_DAEMON_FLAGS]
    log = (base / "dockerd.log").open("wb")
    process = subprocess.Popen(
        ["dockerd", "--host", f"unix://{base / 'docker.sock'}", "--data-root", str(base / "data"),
         "--exec-root", str(base / "exec"), "--pidfile", str(base / "docker.pid"), *flags],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    daemon = Dockerd(base=base, process=process, bridge=bridge)
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise DockerdError(f"dockerd exited ({process.returncode}); log: {(base / 'dockerd.log').read_text()[-3000:]}")
        if daemon.socket.exists() and daemon.docker("info", check=False).returncode == 0:
            return daemon
        time.sleep(0.5)
    daemon.stop()
    raise DockerdError(f"dockerd did not answer within {START_TIMEOUT_SECONDS} s; log in {base / 'dockerd.log'}")


def urls(daemons: dict[str, Dockerd]) -> dict[str, str]:
    """Host name -> ``unix://`` URL, for ``stacks.docker_host_override``."""
    return {name: daemon.host for name, daemon in daemons.items()}
