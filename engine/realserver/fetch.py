"""Fetch Elastic's integ-test Elasticsearch zip from Maven Central, check its .sha1, unpack it.

Everything lands in a cache outside the repository, keyed by version, so a warm run costs nothing:
``${ELK_ENGINE_CACHE:-$HOME/.cache/elk-stack-engine}/elasticsearch-<version>/``. Maven gets a
local repository of its own inside that cache, so "cold" means exactly "that folder is absent".
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

GROUP: Final = "org.elasticsearch.distribution.integ-test-zip"
ARTIFACT: Final = "elasticsearch"
#: The newest 8.19 Maven Central serves for this artifact (8.19.0/2/4/21 seen; no 9.x). The images
#: pin a newer patch (components/settings/defaults.py); same minor, same APIs and settings.
DEFAULT_VERSION: Final = "8.19.21"
VERSION_ENV: Final = "ELK_REALSERVER_VERSION"
CACHE_ENV: Final = "ELK_ENGINE_CACHE"
_READY_MARK: Final = ".unpacked"


def cache_root() -> Path:
    return Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "elk-stack-engine")


def server_version() -> str:
    """The test setting: which integ-test build to run (default: the newest 8.19 served)."""
    return os.environ.get(VERSION_ENV) or DEFAULT_VERSION


@dataclass
class StepTimes:
    """Wall time of each step, in order; printed as progress lines as they finish."""

    steps: list[tuple[str, float]] = field(default_factory=list)
    say: Callable[[str], None] = print

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        self.say(f"[realserver] {name} ...")
        start = time.monotonic()
        yield
        took = time.monotonic() - start
        self.steps.append((name, took))
        self.say(f"[realserver] {name}: {took:.1f}s")

    @property
    def total(self) -> float:
        return sum(t for _, t in self.steps)


@dataclass(frozen=True)
class Distribution:
    version: str
    home: Path
    """The unpacked ``elasticsearch-<version>`` folder (bin/, config/, lib/, modules/)."""
    cold: bool
    """True when this call had to download and unpack (no usable cache)."""
    times: StepTimes


def _maven_coordinates(version: str) -> str:
    return f"{GROUP}:{ARTIFACT}:{version}:zip"


def _zip_in_repo(repo: Path, version: str) -> Path:
    return repo.joinpath(*GROUP.split("."), ARTIFACT, version, f"{ARTIFACT}-{version}.zip")


def check_sha1(path: Path, sha1_file: Path) -> str:
    """Maven's .sha1 holds the hex digest, sometimes followed by a file name: compare the first word."""
    expected = sha1_file.read_text().split()[0].strip().lower()
    digest = hashlib.sha1()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    actual = digest.hexdigest()
    if actual != expected:
        raise RuntimeError(f"{path.name}: sha1 {actual} does not match {sha1_file.name} ({expected})")
    return actual


def _unzip_keeping_modes(archive: Path, into: Path) -> None:
    """zipfile drops the executable bits that bin/elasticsearch needs; restore them from the entries."""
    with zipfile.ZipFile(archive) as z:
        for info in z.infolist():
            target = z.extract(info, into)
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                os.chmod(target, mode)


def fetch(version: str | None = None, *, say: Callable[[str], None] = print) -> Distribution:
    """The unpacked distribution for ``version``, downloading and checking it only when not cached."""
    version = version or server_version()
    base = cache_root() / f"elasticsearch-{version}"
    home = base / f"elasticsearch-{version}"
    times = StepTimes(say=say)
    if (base / _READY_MARK).exists() and (home / "bin" / "elasticsearch").exists():
        with times.step(f"cached elasticsearch {version} at {home}"):
            pass
        return Distribution(version, home, cold=False, times=times)
    if shutil.which("mvn") is None:
        raise RuntimeError("mvn is not installed")
    repo = base / "m2"
    with times.step(f"mvn dependency:get {_maven_coordinates(version)}"):
        subprocess.run(
            ["mvn", "-q", "-B", "-Dstyle.color=never", f"-Dmaven.repo.local={repo}", "dependency:get", "-Dtransitive=false",
             f"-Dartifact={_maven_coordinates(version)}"],
            check=True,
        )
    archive = _zip_in_repo(repo, version)
    with times.step(f"sha1 of {archive.name}"):
        digest = check_sha1(archive, archive.with_name(archive.name + ".sha1"))
        say(f"[realserver] sha1 {digest} matches Maven Central's .sha1")
    with times.step(f"unpack into {base}"):
        if home.exists():
            shutil.rmtree(home)
        _unzip_keeping_modes(archive, base)
        (base / _READY_MARK).write_text(f"{digest}\n")
    return Distribution(version, home, cold=True, times=times)
