"""Which Java runs the node, and whether this machine can run the real-server layer at all."""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Final

JAVA_ENV: Final = "ELK_REALSERVER_JAVA_HOME"
#: Elasticsearch 8.19 needs Java 17 or later (it ships no JDK in the integ-test zip).
MIN_JAVA: Final = 17
JVM_ROOT: Final = Path("/usr/lib/jvm")


@dataclass(frozen=True)
class Java:
    home: Path
    major: int


def _major(home: Path) -> int | None:
    release = home / "release"
    if not (home / "bin" / "java").exists() or not release.exists():
        return None
    found = re.search(r'^JAVA_VERSION="(\d+)', release.read_text(), re.MULTILINE)
    return int(found.group(1)) if found else None


def find_java() -> Java | None:
    """The test setting ``ELK_REALSERVER_JAVA_HOME``, else the newest JDK >= 17 under /usr/lib/jvm."""
    explicit = os.environ.get(JAVA_ENV)
    if explicit:
        candidates = [Path(explicit)]
    else:
        candidates = sorted(p.resolve() for p in JVM_ROOT.glob("*") if p.is_dir()) if JVM_ROOT.exists() else []
    found = [Java(h, m) for h in dict.fromkeys(candidates) if (m := _major(h)) is not None and m >= MIN_JAVA]
    return max(found, key=lambda j: j.major) if found else None


def missing_prerequisites() -> list[str]:
    """Why the real-server layer cannot run here (empty when it can)."""
    reasons = []
    if find_java() is None:
        where = os.environ.get(JAVA_ENV) or str(JVM_ROOT)
        reasons.append(f"no Java >= {MIN_JAVA} found (looked in {where}; set {JAVA_ENV})")
    if shutil.which("mvn") is None:
        reasons.append("Maven (mvn) is not installed: it fetches the integ-test zip from Maven Central")
    if shutil.which("openssl") is None:
        reasons.append("openssl is not installed")
    return reasons
