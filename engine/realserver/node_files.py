"""The ONE rewrite from the project's rendered elasticsearch.yml to a node on this machine.

The rendered file is written for a container: paths under /usr/share/elasticsearch, ports 9200/9300/
9399 inside its own network namespace, peers by container alias. Several real nodes share one
loopback here, so exactly these keys change, and nothing else (``REWRITTEN_KEYS``):

- paths: the certificate paths, ``path.data``, ``path.repo``, plus ``path.logs`` (the image logs
  to the console; here each node needs its own log folder instead of the shared distribution's);
- ports: ``http.port``, ``transport.port``, ``readiness.port``, the published ``transport.publish_port``
  and ``http.publish_port`` (across Docker hosts), and each ``discovery.seed_hosts`` entry, which
  names a peer by the address it publishes (its host's address across hosts, its container alias on
  one host: ``transport_address``) and becomes that peer's 127.0.0.1 port here;
- addresses: ``network.host`` 0.0.0.0 and ``network.publish_host`` (the Docker host's address)
  become 127.0.0.1: the address is the port's other half, and a node bound to a non-loopback
  address enforces the production bootstrap checks against this shared machine's kernel settings
  (vm.max_map_count, memlock), which says nothing about the project's file.

Outside elasticsearch.yml the project's jvm.options.d files are used unchanged; the launcher may add
one file of its own (``launcher.MACHINE_JVM_FILE``: heap pre-touch off, see ``launcher.PRETOUCH``).

Settings of modules absent from this build are removed and reported (``absent_modules``); every
other rendered setting reaches the real node unchanged, which checks it at start.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Final

import yaml

from components.render import elasticsearch_yml as es_yml
from engine.realserver.absent_modules import AbsentSetting, absent_setting

REWRITTEN_KEYS: Final = (
    "network.host",
    "network.publish_host",
    "http.port",
    "http.publish_port",
    "transport.port",
    "transport.publish_port",
    "readiness.port",
    "discovery.seed_hosts",
    "path.data",
    "path.repo",
    "path.logs",
    "xpack.security.http.ssl.key",
    "xpack.security.http.ssl.certificate",
    "xpack.security.http.ssl.certificate_authorities",
    "xpack.security.transport.ssl.key",
    "xpack.security.transport.ssl.certificate",
    "xpack.security.transport.ssl.certificate_authorities",
)
LOOPBACK: Final = "127.0.0.1"


@dataclass(frozen=True)
class NodePorts:
    http: int
    transport: int
    readiness: int


@dataclass(frozen=True)
class NodeLayout:
    """Where one real node keeps what the container keeps under /usr/share/elasticsearch."""

    conf_dir: Path
    data_dir: Path
    logs_dir: Path
    repo_dir: Path
    """Shared by every node of a cluster, as the backup volume is."""


@dataclass(frozen=True)
class Rewritten:
    settings: dict[str, object]
    changed: dict[str, tuple[object, object]]
    """key -> (rendered value, value used here), for the report."""
    dropped: tuple[AbsentSetting, ...]


def _container_path(value: str, layout: NodeLayout) -> str:
    if not value.startswith(es_yml.CONFIG_DIR + "/"):
        raise ValueError(f"{value!r} is not under {es_yml.CONFIG_DIR}: the rewrite does not know it")
    return str(layout.conf_dir / value[len(es_yml.CONFIG_DIR) + 1:])


def transport_address(rendered_yml: str) -> str:
    """Where a node tells its peers to reach its transport, as its rendered file says: the published
    host (``network.publish_host``, across Docker hosts) or else its name (the container alias on one
    host), at ``transport.publish_port`` or else ``transport.port``."""
    settings = yaml.safe_load(rendered_yml)
    host = settings.get("network.publish_host") or settings["node.name"]
    port = settings.get("transport.publish_port") or settings.get("transport.port", es_yml.TRANSPORT_PORT)
    return f"{host}:{port}"


def peer_addresses(rendered_ymls: list[str]) -> dict[str, str]:
    """transport address -> node name for every node of one cluster (``rewrite``'s ``peers``)."""
    return {transport_address(text): str(yaml.safe_load(text)["node.name"]) for text in rendered_ymls}


def _seed_host(entry: str, ports: dict[str, NodePorts], peers: dict[str, str]) -> str:
    name = peers.get(entry)
    if name is None or name not in ports:
        raise ValueError(f"seed host {entry!r} names no node of this cluster at its transport address")
    return f"{LOOPBACK}:{ports[name].transport}"


def rewrite(rendered_yml: str, node_name: str, layout: NodeLayout, ports: dict[str, NodePorts],
            peers: dict[str, str]) -> Rewritten:
    """The rendered settings with only ``REWRITTEN_KEYS`` changed and absent-module settings removed
    (``peers``: ``peer_addresses`` of the cluster's rendered files, for the seed hosts)."""
    rendered = yaml.safe_load(rendered_yml)
    if rendered.get("node.name") != node_name:
        raise ValueError(f"rendered file is for {rendered.get('node.name')!r}, not {node_name!r}")
    mine = ports[node_name]
    out: dict[str, object] = {}
    dropped: list[AbsentSetting] = []
    for key, value in rendered.items():
        absent = absent_setting(key)
        if absent is not None:
            dropped.append(absent)
            continue
        out[key] = value
    new: dict[str, object] = {
        "network.host": LOOPBACK,
        "http.port": mine.http,
        "transport.port": mine.transport,
        "readiness.port": mine.readiness,
        "path.data": str(layout.data_dir),
        "path.repo": [str(layout.repo_dir)],
        "path.logs": str(layout.logs_dir),
    }
    published = {"network.publish_host": LOOPBACK, "transport.publish_port": mine.transport, "http.publish_port": mine.http}
    new.update({key: value for key, value in published.items() if key in out})
    if "discovery.seed_hosts" in out:
        new["discovery.seed_hosts"] = [_seed_host(str(h), ports, peers) for h in out["discovery.seed_hosts"]]  # type: ignore[union-attr]
    for key in REWRITTEN_KEYS:
        if key.startswith("xpack.security.") and key in out:
            value = out[key]
            new[key] = [_container_path(v, layout) for v in value] if isinstance(value, list) else _container_path(str(value), layout)
    unknown = set(new) - set(REWRITTEN_KEYS)
    assert not unknown, f"rewrite outside its list: {unknown}"
    changed = {k: (out.get(k), v) for k, v in new.items() if out.get(k) != v}
    out.update(new)
    return Rewritten(settings=out, changed=changed, dropped=tuple(dropped))


def container_file(path: str, layout: NodeLayout) -> Path:
    """Where a file the program uploads under the config folder lands for this node."""
    return Path(_container_path(path, layout))


def to_yaml(settings: dict[str, object]) -> str:
    return "# elk-stack rendered elasticsearch.yml after engine/realserver/node_files.py's listed rewrite\n" + yaml.safe_dump(
        settings, sort_keys=False, default_flow_style=False
    )
