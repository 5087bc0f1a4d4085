"""A small image built here with debootstrap (Debian bookworm, minbase + socat) that reports what
its container was given: new files with owner/group/mode/sha256, env (names + sha256), mounts,
open-file/memlock limits, memory limit. It then answers TCP on the baked ports, so a healthcheck
that dials them (Elasticsearch's readiness port) passes.

The rootfs tarball is cached next to the toolchain (``<cache>/probe-<hash>.tar``); importing it
into a fresh dockerd takes seconds. It is also tagged with the Elastic image names the stack pins,
so ``DockerHosts``' ``RemoteImage`` finds it locally and never pulls (there is no registry here):
what runs is the probe, not Elasticsearch, and the tests say so.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from engine.harness.dockerd import Dockerd

PROBE_DIR = Path(__file__).resolve().parent / "probe"
REPORT_SCRIPT = PROBE_DIR / "report.sh"
SUITE = "bookworm"
MIRROR = "http://deb.debian.org/debian"
PACKAGES = ("socat",)


class ProbeImageError(RuntimeError):
    pass


@dataclass(frozen=True)
class FileEntry:
    path: str
    kind: str
    uid: int
    gid: int
    mode: str
    sha256: str


@dataclass
class ProbeReport:
    """What the probe saw inside one container (parsed from its log)."""

    uid: int = -1
    gid: int = -1
    hostname: str = ""
    files: dict[str, FileEntry] = field(default_factory=dict)
    env_sha256: dict[str, str] = field(default_factory=dict)
    mounts: dict[str, str] = field(default_factory=dict)
    limits: dict[str, tuple[str, str]] = field(default_factory=dict)
    memory: str = ""


def parse_report(log: str) -> ProbeReport:
    if "PROBE-BEGIN" not in log or "PROBE-END" not in log:
        raise ProbeImageError(f"no complete probe report in the container log:\n{log[-2000:]}")
    body = log.split("PROBE-BEGIN", 1)[1].split("PROBE-END", 1)[0]
    report = ProbeReport()
    for line in body.strip().splitlines():
        kind, *cols = line.split("\t")
        if kind == "ID":
            report.uid, report.gid = int(cols[0]), int(cols[1])
        elif kind == "HOSTNAME":
            report.hostname = cols[0]
        elif kind in ("FILE", "DIR"):
            report.files[cols[0]] = FileEntry(path=cols[0], kind=kind, uid=int(cols[1]), gid=int(cols[2]), mode=cols[3], sha256=cols[4])
        elif kind == "ENV":
            report.env_sha256[cols[0]] = cols[1]
        elif kind == "MOUNT":
            report.mounts[cols[0]] = cols[1]
        elif kind == "LIMIT":
            report.limits[cols[0]] = (cols[1], cols[2])
        elif kind == "MEMORY":
            report.memory = cols[0]
    return report


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class ProbeImage:
    """The probe as imported into one daemon."""

    tag: str
    user: str
    ports: tuple[int, ...]


def _recipe_hash(ports: tuple[int, ...], user: str | None = None) -> str:
    """The rootfs depends on the script, suite, packages and ports; the image tag also on the user."""
    digest = hashlib.sha256(REPORT_SCRIPT.read_bytes())
    digest.update(f"{SUITE} {MIRROR} {PACKAGES} {ports}".encode())
    if user is not None:
        digest.update(f" user={user}".encode())
    return digest.hexdigest()[:12]


def _unmount_below(root: Path) -> None:
    """Unmount every mount point inside ``root`` (deepest first); the mount table says which."""
    inside = [line.split()[1] for line in Path("/proc/mounts").read_text().splitlines()
              if line.split()[1].startswith(f"{root.resolve()}/")]
    for point in sorted(inside, key=len, reverse=True):
        done = subprocess.run(["umount", point], capture_output=True, text=True)
        if done.returncode != 0:
            raise ProbeImageError(f"umount {point} (left by debootstrap) failed: {done.stderr.strip()}")


def _rootfs_tar(cache: Path, ports: tuple[int, ...]) -> Path:
    tar = cache / f"probe-{_recipe_hash(ports)}.tar"
    if tar.exists():
        return tar
    if shutil.which("debootstrap") is None:
        done = subprocess.run(["apt-get", "install", "-y", "-qq", "debootstrap"], capture_output=True, text=True)
        if done.returncode != 0:
            raise ProbeImageError(f"debootstrap missing and apt-get install failed: {done.stderr[-1500:]}")
    work = cache / f"probe-build-{_recipe_hash(ports)}"
    shutil.rmtree(work, ignore_errors=True)
    rootfs = work / "rootfs"
    done = subprocess.run(["debootstrap", "--variant=minbase", f"--include={','.join(PACKAGES)}", SUITE, str(rootfs), MIRROR],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise ProbeImageError(f"debootstrap failed: {done.stdout[-1500:]}{done.stderr[-1500:]}")
    # debootstrap can leave its /proc mount in the target (seen with Debian 12's debootstrap here);
    # archived, that is the build host's live process table, which tar cannot read consistently.
    _unmount_below(rootfs)
    probe = rootfs / "probe"
    probe.mkdir()
    shutil.copyfile(REPORT_SCRIPT, probe / "report")
    (probe / "report").chmod(0o755)
    (probe / "ports").write_text(" ".join(str(p) for p in ports) + "\n")
    # The baseline: every path in the image now, so the report lists only what the container was given.
    paths = subprocess.run(
        ["chroot", str(rootfs), "find", "/", "-xdev", "(", "-path", "/proc", "-o", "-path", "/sys", "-o", "-path", "/dev", ")",
         "-prune", "-o", "(", "-type", "f", "-o", "-type", "d", ")", "-print"],
        check=True, capture_output=True, text=True,
    ).stdout.splitlines()
    (probe / "baseline").write_text("\n".join(sorted([*paths, "/probe/baseline"], key=lambda s: s.encode())) + "\n")
    partial = tar.with_suffix(".partial")
    subprocess.run(["tar", "-C", str(rootfs), "-cf", str(partial), "."], check=True)
    partial.replace(tar)
    shutil.rmtree(work, ignore_errors=True)
    return tar


def build(daemon: Dockerd, cache: Path, *, user: str, ports: tuple[int, ...], tags: tuple[str, ...] = ()) -> ProbeImage:
    """Import the probe into ``daemon`` as ``elk-probe:<hash>`` and under every name in ``tags``.

    ``user`` becomes the image's ``USER`` ("" for none: the container then runs as root)."""
    cache.mkdir(parents=True, exist_ok=True)
    tar = _rootfs_tar(cache, ports)
    tag = f"elk-probe:{_recipe_hash(ports, user)}"
    changes = ["--change", 'ENTRYPOINT ["/probe/report"]'] + (["--change", f"USER {user}"] if user else [])
    with tar.open("rb") as stream:
        done = subprocess.run(["docker", "--host", daemon.host, "import", *changes, "-", tag], stdin=stream, capture_output=True, text=True)
    if done.returncode != 0:
        raise ProbeImageError(f"docker import failed: {done.stderr}")
    for extra in tags:
        daemon.docker("tag", tag, extra)
    return ProbeImage(tag=tag, user=user, ports=ports)
