"""HostPreflightCheck: ``up`` stops before any Elasticsearch node when a Docker host cannot run it.

What a host needs and no container can change: ``vm.max_map_count`` (not namespaced; the 8.19
bootstrap check wants at least 262144 when ``node.store.allow_mmap`` is true and enforces it on a
cluster that is not single-node and binds a non-loopback address), enough memory for the memory
limits the stack puts on it, and a memlock limit the engine can raise for the nodes. A probe
container on the host (components/host_preflight.py) prints what it sees as one line,
``elk-preflight max_map_count=... mem_total_kib=... memlock_soft=... memlock_hard=...``; the
program reads that line through the host's Docker provider on every run and hands it to this
resource, which fails create/update with every problem of the host, the value found and the fix.
The Elasticsearch nodes depend on it.

Self-contained on purpose, like ``cluster_health``: Pulumi pickles the provider class by value and
runs it in a process where this project is not importable. Only the standard library, only the
class's own attributes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, Resource, ResourceProvider, UpdateResult

from components.providers.cluster_health import pickled_by_value


class HostPreflightProvider(ResourceProvider):
    """Create and update check the probe's report against the host's needs; nothing to delete."""

    #: The probe's report line starts with this word.
    REPORT_TAG = "elk-preflight"
    #: Inputs we own; a new report (the host changed) or new needs mean "check again".
    OWNED = ("host", "docker_url", "memory_limits", "min_max_map_count", "memlock", "probe_report")

    @staticmethod
    def parse_report(text: str) -> dict[str, str] | None:
        """The ``key=value`` pairs of the last report line in ``text``; None when there is none."""
        tag = HostPreflightProvider.REPORT_TAG + " "
        for line in reversed((text or "").splitlines()):
            start = line.find(tag)
            if start >= 0:
                pairs = line[start + len(tag):].split()
                return dict(p.split("=", 1) for p in pairs if "=" in p)
        return None

    @staticmethod
    def size_text(size_bytes: float) -> str:
        """GiB with one decimal; MiB below 1 GiB (the probe's 32 MiB would read "0.0 GiB")."""
        if size_bytes < 1024**3:
            return f"{size_bytes / 1024**2:.0f} MiB"
        return f"{size_bytes / 1024**3:.1f} GiB"

    @staticmethod
    def problems(props: dict[str, Any]) -> list[str]:
        """Every way the host falls short, each with the value found and the fix (pure)."""
        cls = HostPreflightProvider
        report = cls.parse_report(props.get("probe_report") or "")
        if report is None:
            return [
                "the preflight probe container printed no report "
                f"(its last log line: {(props.get('probe_report') or '')[-300:]!r}); "
                "check it with `docker logs` on that host, or run `pulumi up --refresh` if it was removed by hand"
            ]
        found: list[str] = []
        need_map = int(props.get("min_max_map_count") or 0)
        if need_map:
            raw = report.get("max_map_count", "")
            if not raw.isdigit():
                found.append(f"vm.max_map_count could not be read (/proc/sys/vm/max_map_count gave {raw!r})")
            elif int(raw) < need_map:
                found.append(
                    f"vm.max_map_count is {raw}; with elasticsearch.allow_mmap: true Elasticsearch needs at least {need_map} "
                    "and a multi-node cluster refuses to start below it (bootstrap check). Fix on the Docker host: "
                    f"`sudo sysctl -w vm.max_map_count={need_map}`, and keep it across reboots: "
                    f"`echo 'vm.max_map_count={need_map}' | sudo tee /etc/sysctl.d/99-elasticsearch.conf`; "
                    "or set elasticsearch.allow_mmap: false"
                )
        limits = [(str(name), int(size)) for name, size in props.get("memory_limits") or []]
        if limits:
            raw = report.get("mem_total_kib", "")
            wanted = sum(size for _, size in limits)
            if not raw.isdigit():
                found.append(f"the host's memory could not be read (MemTotal in /proc/meminfo gave {raw!r})")
            elif wanted > int(raw) * 1024:
                parts = ", ".join(f"{name} {cls.size_text(size)}" for name, size in limits)
                found.append(
                    f"the memory limits of the stack's containers here add up to {cls.size_text(wanted)} ({parts}) but the "
                    f"host has {cls.size_text(int(raw) * 1024)} (MemTotal); give the host (or Docker Desktop's VM) more memory, "
                    "or lower the `memory` settings of these containers"
                )
        if props.get("memlock") == "unlimited":
            soft, hard = report.get("memlock_soft", ""), report.get("memlock_hard", "")
            if soft != "unlimited" or hard != "unlimited":
                found.append(
                    f"the memlock limit inside a container is {soft or '?'} (soft) / {hard or '?'} (hard) KiB, but the "
                    "Elasticsearch nodes lock their memory (bootstrap.memory_lock: true) and ask for unlimited; "
                    "run the stack on a rootful Docker engine, which applies `--ulimit memlock=-1`"
                )
        return found

    @staticmethod
    def verdict(props: dict[str, Any]) -> dict[str, Any]:
        """Raise with every problem of the host; else the observed values, for the outputs."""
        cls = HostPreflightProvider
        problems = cls.problems(props)
        if problems:
            listed = "".join(f"\n  - {p}" for p in problems)
            raise RuntimeError(
                f"Docker host {props.get('host')!r} ({props.get('docker_url')}) does not meet what the stack's "
                f"containers there need; no Elasticsearch node was touched:{listed}\n"
                "The probe reads the host again on every `pulumi up`: fix the host, then run `pulumi up` again."
            )
        return cls.parse_report(props.get("probe_report") or "") or {}

    def create(self, props: dict[str, Any]) -> CreateResult:
        observed = HostPreflightProvider.verdict(props)
        return CreateResult(id_=f"preflight-{props['host']}", outs={**props, "observed": observed})

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = any(olds.get(k) != news.get(k) for k in HostPreflightProvider.OWNED)
        return DiffResult(changes=changed, replaces=[], delete_before_replace=False)

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(outs={**news, "observed": HostPreflightProvider.verdict(news)})

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_=id_, outs=props)

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        return None


class HostPreflightCheck(Resource, module="docker", name="HostPreflightCheck"):
    """Fails ``up`` when the host's probe report does not meet its needs; nodes depend on it."""

    def __init__(
        self,
        name: str,
        *,
        host: str,
        docker_url: str,
        memory_limits: Sequence[tuple[str, int]],
        min_max_map_count: int,
        memlock: str,
        probe_report: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            "host": host,
            "docker_url": docker_url,
            "memory_limits": [[n, s] for n, s in memory_limits],
            "min_max_map_count": min_max_map_count,
            "memlock": memlock,
            "probe_report": probe_report,
            "observed": None,
        }
        with pickled_by_value(HostPreflightProvider):
            super().__init__(HostPreflightProvider(), name, props, opts)
