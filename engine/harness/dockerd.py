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
            return
        for container in self.docker("ps", "-aq", check=False).stdout.decode().split():
            self.docker("rm", "-f", container, check=False)
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=STOP_TIMEOUT_SECONDS)


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


def start(base: Path) -> Dockerd:
    """Start a daemon rooted at ``base`` and wait until it answers."""
    ensure_installed()
    base.mkdir(parents=True, exist_ok=True)
    log = (base / "dockerd.log").open("wb")
    process = subprocess.Popen(
        ["dockerd", "--host", f"unix://{base / 'docker.sock'}", "--data-root", str(base / "data"),
         "--exec-root", str(base / "exec"), "--pidfile", str(base / "docker.pid")],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    daemon = Dockerd(base=base, process=process)
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise DockerdError(f"dockerd exited ({process.returncode}); log: {(base / 'dockerd.log').read_text()[-3000:]}")
        if daemon.socket.exists() and daemon.docker("info", check=False).returncode == 0:
            return daemon
        time.sleep(0.5)
    daemon.stop()
    raise DockerdError(f"dockerd did not answer within {START_TIMEOUT_SECONDS} s; log in {base / 'dockerd.log'}")
