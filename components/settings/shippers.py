"""Settings of the shippers: ``filebeat`` (the MT4 bridge's JSON logs and the Docker container logs
to Logstash) and ``metricbeat`` (host and container metrics into ``mt4-metrics-system``, and stack
monitoring).

Kept out of ``model.py``/``parse.py`` so the shippers' keys, defaults and per-value checks sit in
one place; ``parse.py`` calls ``filebeat``/``metricbeat`` and ``model.StackSettings`` holds the
results. Rules across sections live in ``rules/shippers.py``.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from components.settings import defaults as d
from components.settings.reader import Section

#: Where the MT4 bridge writes its JSON-lines logs on a Docker host, unless the stack file says
#: otherwise: one JSON object per line (the same objects ``elk_logger`` sends over TCP).
BRIDGE_LOG_PATHS: Final = ("/var/log/mt4-bridge/*.json",)
#: dockerd's default ``data-root``; the json-file driver writes ``<root>/containers/<id>/<id>-json.log``.
DOCKER_DATA_ROOT: Final = "/var/lib/docker"
#: A glob Filebeat expands (``*``, ``?``, ``[...]``) on an absolute path without ``..``.
_GLOB_PATH: Final = re.compile(r"^/[A-Za-z0-9._/*?\[\]-]+$")
_GLOB_CHARS: Final = re.compile(r"[*?\[]")
#: Beats durations for a module ``period`` (whole seconds or minutes keep it simple to read).
_PERIOD: Final = re.compile(r"^[1-9][0-9]{0,3}(s|m)$")

PATH_HINT = "an absolute path on the Docker host, globs allowed in the file name (e.g. /var/log/mt4-bridge/*.json)"
PATH_NOT_PLAIN = "{value} is not a plain absolute path; write it without '.', '..', '//' or a trailing '/'"
PATH_GLOB_DIR = "{value} has a glob in a directory name; only the file name may hold one (the directory is mounted read-only)"
PATH_UNDER_IMAGE = "{value} is inside {path}, which {what}; keep the bridge's logs in a directory of their own"
PATH_TWICE = "{value} is listed twice"
PERIOD_HINT = "a Beats duration: a whole number of seconds or minutes, e.g. 10s or 1m"
HOST_TWICE = "{value} is listed twice; one {beat} runs per Docker host"
HOSTS_EMPTY = "lists no Docker host; name at least one, or set enabled: false"
DISABLED_BUT_SET = "is set, but {beat} is disabled (enabled: false), so it would have no effect; remove it or enable {beat}"

FILEBEAT_KEYS: Final = ("hosts", "memory", "bridge_log_paths", "container_logs", "docker_data_root", "mutual_tls")
METRICBEAT_KEYS: Final = ("hosts", "memory", "period", "stack_monitoring")

#: Paths a bridge-log directory may not be (or sit inside): the mount would hide image files, or
#: duplicate the container-log input's own mount.
_FORBIDDEN_DIRS: Final = {
    "/usr/share/filebeat": "is Filebeat's home (configuration, registry)",
    "/proc": "is the kernel's process table",
    "/sys": "is the kernel's sysfs",
    "/dev": "holds device nodes",
}


@dataclass(frozen=True, kw_only=True)
class Filebeat:
    enabled: bool
    hosts: tuple[str, ...]
    """Docker hosts that run a Filebeat each (default: every Docker host; at least each one that
    runs MT4 services)."""
    memory_bytes: int
    bridge_log_paths: tuple[str, ...]
    """Globs on each Docker host; their directories are mounted read-only at the same path."""
    container_logs: bool
    """Also ship every container's json-file log from ``<docker_data_root>/containers``."""
    docker_data_root: str
    mutual_tls: bool
    """Each Filebeat presents a client certificate of the stack's CA and Logstash's Beats input
    requires one (``ssl_client_authentication => required``)."""

    @property
    def bridge_log_dirs(self) -> tuple[str, ...]:
        """The directories to mount, once each, in the order first named."""
        return tuple(dict.fromkeys(posixpath.dirname(p) for p in self.bridge_log_paths))

    @property
    def containers_dir(self) -> str:
        return f"{self.docker_data_root}/containers"


@dataclass(frozen=True, kw_only=True)
class Metricbeat:
    enabled: bool
    hosts: tuple[str, ...]
    """Docker hosts that run a Metricbeat each (their system and container metrics; default: every
    Docker host)."""
    memory_bytes: int
    period: str
    stack_monitoring: bool
    """Each Metricbeat also collects the Elasticsearch nodes, Kibana and Logstash instances on its
    own host for Stack Monitoring (``xpack.enabled``), as ``remote_monitoring_user``."""


def host_names(raw: Mapping[str, object]) -> tuple[str, ...]:
    """The Docker host names the stack file lists (the default: the one local host), as written."""
    hosts = raw.get("docker_hosts")
    if not isinstance(hosts, list) or not hosts:
        return (str(d.LOCAL_DOCKER["name"]),)
    return tuple(h["name"] for h in hosts if isinstance(h, Mapping) and isinstance(h.get("name"), str))


def _host_list(s: Section, all_hosts: tuple[str, ...], beat: str, enabled: bool) -> tuple[str, ...]:
    hosts = s.str_list("hosts", all_hosts)
    seen: set[str] = set()
    for i, host in enumerate(hosts):
        if host in seen:
            s.problems.error(f"{s.key('hosts')}[{i}]", HOST_TWICE.format(value=s.show(host), beat=beat))
        seen.add(host)
    if not hosts and enabled:
        s.error("hosts", HOSTS_EMPTY)
    return hosts


def _refuse_when_disabled(s: Section, enabled: bool, beat: str, keys: tuple[str, ...]) -> None:
    """A key of a disabled shipper would be ignored without a word: refuse it instead."""
    if not enabled:
        for key in keys:
            if s.given(key):
                s.error(key, DISABLED_BUT_SET.format(beat=beat))


def _bridge_paths(s: Section) -> tuple[str, ...]:
    paths = s.str_list("bridge_log_paths", BRIDGE_LOG_PATHS)
    seen: set[str] = set()
    for i, path in enumerate(paths):
        key = f"{s.key('bridge_log_paths')}[{i}]"
        problem = _path_problem(path, s)
        if problem is None and path in seen:
            problem = PATH_TWICE.format(value=s.show(path))
        if problem:
            s.problems.error(key, problem)
        seen.add(path)
    return paths


def _path_problem(path: str, s: Section) -> str | None:
    shown = s.show(path)
    if not _GLOB_PATH.fullmatch(path):
        return f"{shown} is not {PATH_HINT}"
    if posixpath.normpath(path) != path or path.startswith("//"):
        return PATH_NOT_PLAIN.format(value=shown)
    directory = posixpath.dirname(path)
    if _GLOB_CHARS.search(directory):
        return PATH_GLOB_DIR.format(value=shown)
    if directory == "/":
        return PATH_UNDER_IMAGE.format(value=shown, path="/", what="is the whole file system")
    for forbidden, what in _FORBIDDEN_DIRS.items():
        if directory == forbidden or directory.startswith(forbidden + "/"):
            return PATH_UNDER_IMAGE.format(value=shown, path=forbidden, what=what)
    return None


def filebeat(s: Section, all_hosts: tuple[str, ...]) -> Filebeat:
    enabled = s.bool("enabled", True)
    root = s.str("docker_data_root", DOCKER_DATA_ROOT, pattern=d.ABSOLUTE_PATH, what="an absolute path on the Docker host")
    if posixpath.normpath(root) != root:
        s.error("docker_data_root", PATH_NOT_PLAIN.format(value=s.show(root)))
    _refuse_when_disabled(s, enabled, "filebeat", FILEBEAT_KEYS)
    return Filebeat(
        enabled=enabled,
        hosts=_host_list(s, all_hosts, "Filebeat", enabled),
        memory_bytes=s.memory("memory", "256m"),
        bridge_log_paths=_bridge_paths(s),
        container_logs=s.bool("container_logs", True),
        docker_data_root=root,
        mutual_tls=s.bool("mutual_tls", False),
    )


def metricbeat(s: Section, all_hosts: tuple[str, ...]) -> Metricbeat:
    enabled = s.bool("enabled", True)
    _refuse_when_disabled(s, enabled, "metricbeat", METRICBEAT_KEYS)
    return Metricbeat(
        enabled=enabled,
        hosts=_host_list(s, all_hosts, "Metricbeat", enabled),
        memory_bytes=s.memory("memory", "256m"),
        period=s.str("period", "10s", pattern=_PERIOD, what=PERIOD_HINT),
        stack_monitoring=s.bool("stack_monitoring", True),
    )
