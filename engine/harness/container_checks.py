"""Checks of one real container against what the program declared for it (from the state).

``declared`` is the container's inputs as the engine recorded them; ``report`` what the probe
found inside; ``inspect`` the daemon's ``docker inspect``. Each check raises AssertionError
naming the container and the difference.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from engine.harness.declared import Declared
from engine.harness.probe_image import ProbeReport, sha256_text

#: /proc/self/limits names of the ulimits the program sets.
LIMIT_NAMES = {"nofile": "open_files", "memlock": "locked_memory"}
MIB = 1024**2
_DURATION = re.compile(r"^(\d+)(ms|s|m|h)$")
_NS = {"ms": 10**6, "s": 10**9, "m": 60 * 10**9, "h": 3600 * 10**9}


def go_duration_ns(duration: str) -> int:
    match = _DURATION.match(duration)
    assert match, f"not a simple Go duration: {duration!r}"
    return int(match.group(1)) * _NS[match.group(2)]


def check_healthcheck_and_runtime(node: Declared, real: dict[str, Any]) -> None:
    declared = node.inputs["healthcheck"]
    assert real["State"]["Health"]["Status"] == "healthy", node.name
    assert real["Config"]["Healthcheck"]["Test"] == declared["tests"], node.name
    for key, field in (("interval", "Interval"), ("timeout", "Timeout"), ("startPeriod", "StartPeriod")):
        assert real["Config"]["Healthcheck"][field] == go_duration_ns(declared[key]), (node.name, key)
    assert real["Config"]["Healthcheck"]["Retries"] == declared["retries"], node.name
    assert real["Config"]["Hostname"] == node.inputs["hostname"], node.name
    assert real["HostConfig"]["RestartPolicy"]["Name"] == node.inputs["restart"], node.name
    assert real["HostConfig"]["LogConfig"] == {"Type": node.inputs["logDriver"], "Config": node.inputs["logOpts"]}, node.name


def check_uploads(node: Declared, report: ProbeReport) -> None:
    """Each upload is in the container with the declared owner, group, mode and content."""
    assert node.inputs["uploads"], f"{node.name}: nothing uploaded"
    for upload in node.inputs["uploads"]:
        path = upload["file"]
        found = report.files.get(path)
        assert found is not None and found.kind == "FILE", f"{node.name}: {path} is not in the container"
        # No owner named: the tar header's ids (0:0) are kept (components/containers.py upload).
        want = (int(upload.get("owner") or 0), int(upload.get("group") or 0))
        assert (found.uid, found.gid) == want, (node.name, path, found.uid, found.gid)
        assert found.mode == upload["permissions"].lstrip("0"), (node.name, path, found.mode)
        assert found.sha256 == sha256_text(upload["content"]), f"{node.name}: {path} content differs from the declared one"


def check_upload_parents(node: Declared, report: ProbeReport) -> None:
    """Directories Docker makes for uploads (absent from the image) let the files' owner through."""
    for upload in node.inputs["uploads"]:
        uid, gid = int(upload.get("owner") or 0), int(upload.get("group") or 0)
        parent = Path(upload["file"]).parent
        while str(parent) != "/":
            entry = report.files.get(str(parent))
            if entry is not None:
                bits = int(entry.mode, 8)
                reachable = (entry.uid == uid and bits & 0o100) or (entry.gid == gid and bits & 0o010) or bits & 0o001
                assert reachable, f"{node.name}: {parent} ({entry.uid}:{entry.gid} {entry.mode}) blocks uid {uid}"
            parent = parent.parent


def check_env_mounts_limits_memory(node: Declared, report: ProbeReport, real: dict[str, Any]) -> None:
    for pair in node.inputs["envs"]:
        name = pair.split("=", 1)[0]
        assert report.env_sha256.get(name) == sha256_text(pair), f"{node.name}: env {name} not as declared"
    for mount in node.inputs["mounts"]:
        assert mount["target"] in report.mounts, f"{node.name}: nothing mounted at {mount['target']}"
        [m] = [m for m in real["Mounts"] if m["Destination"] == mount["target"]]
        assert (m["Type"], m["Name"]) == (mount["type"], mount["source"]), node.name
    assert node.inputs["ulimits"], f"{node.name}: no ulimits declared"
    for limit in node.inputs["ulimits"]:
        soft, hard = report.limits[LIMIT_NAMES[limit["name"]]]
        want = tuple("unlimited" if v == -1 else str(v) for v in (limit["soft"], limit["hard"]))
        assert (soft, hard) == want, (node.name, limit["name"])
    assert report.memory == str(node.inputs["memory"] * MIB), node.name


def check_installed_secret_files(node: Declared, installer: Declared, report: ProbeReport) -> None:
    """Each file the installer staged is in the service's read-only secrets mount, owned by the
    uid:gid and with the mode its script names, with the staged content; the directory is the
    image user's and closed (components/secret_files.py). ``report`` is the service's probe."""
    [script] = installer.inputs["command"]
    steps = [line.split() for line in script.splitlines() if line.startswith("install ")]
    assert steps, f"{installer.name}: installs nothing"
    staged = {u["file"]: u["content"] for u in installer.inputs["uploads"]}
    [mount] = [m for m in node.inputs["mounts"] if m.get("readOnly")]
    for _install, _o, uid, _g, gid, _m, mode, src, dst in steps:
        found = report.files.get(dst)
        assert found is not None and found.kind == "FILE", f"{node.name}: {dst} is not in the container"
        assert (found.uid, found.gid, found.mode) == (int(uid), int(gid), mode.lstrip("0")), (node.name, dst, found)
        assert found.sha256 == sha256_text(staged[src]), f"{node.name}: {dst} content differs from the staged one"
    directory = report.files.get(mount["target"])
    assert directory is not None and directory.mode == "500" and directory.uid == int(steps[0][2]), (node.name, directory)
