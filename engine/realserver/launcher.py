"""Start real nodes of the integ-test build as an unprivileged user, wait for green, stop them.

Elasticsearch refuses to run as root, so when the tests run as root a system user (``elktest``)
is created once and owns each node's folders. Each node gets its own ES_PATH_CONF (the
distribution's config folder plus the project's rendered files), data, logs and tmp folders under a
run folder; the distribution itself is shared read-only through hard links into that folder.
The image's password hand-over is reproduced: the ELASTIC_PASSWORD_FILE content becomes
``bootstrap.password`` in the node's keystore before its first start, as the 8.19 image's
entrypoint does (``elasticsearch-keystore create``, then ``add -x bootstrap.password``; the rule and
its source lines are in tests/contracts/images_8.19.json).
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from components.render import elasticsearch_yml as es_yml
from engine.realserver.client import EsClient
from engine.realserver.java import Java
from engine.realserver.node_files import NodeLayout, NodePorts, Rewritten, container_file, peer_addresses, rewrite, to_yaml

TEST_USER: Final = os.environ.get("ELK_REALSERVER_USER", "elktest")
#: Elasticsearch's launcher adds -XX:+AlwaysPreTouch: every node commits its whole heap at start
#: (4 GB per prod node, 12 GB for the cluster) on a small machine shared with other tests, where a
#: fourth node is then killed by the kernel's OOM killer. Unless this test setting is 1, each node
#: gets one extra file, jvm.options.d/zz-realserver.options, with -XX:-AlwaysPreTouch (read after
#: the system options, so it wins): the project's heap file is used unchanged, pages are only
#: committed when used. The report prints which mode ran.
PRETOUCH: Final = os.environ.get("ELK_REALSERVER_PRETOUCH", "0") == "1"
MACHINE_JVM_FILE: Final = "zz-realserver.options"
START_TIMEOUT: Final = float(os.environ.get("ELK_REALSERVER_START_TIMEOUT", "240"))


def ensure_user() -> tuple[int, int]:
    """uid/gid the nodes run as: the current user, or ``elktest`` (created if missing) when root."""
    if os.geteuid() != 0:
        return os.getuid(), os.getgid()
    try:
        entry = pwd.getpwnam(TEST_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--user-group", "--no-create-home", "--shell", "/usr/sbin/nologin", TEST_USER], check=True)
        entry = pwd.getpwnam(TEST_USER)
    return entry.pw_uid, entry.pw_gid


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _chown_tree(root: Path, uid: int, gid: int) -> None:
    for dirpath, dirnames, filenames in os.walk(root):
        os.chown(dirpath, uid, gid)
        for name in dirnames + filenames:
            os.chown(os.path.join(dirpath, name), uid, gid, follow_symlinks=False)


@dataclass
class RunFolder:
    """One test run's folder: the linked distribution and every node's folders; removed at the end."""

    dist_home: Path
    java: Java
    root: Path = field(init=False)
    home: Path = field(init=False)
    uid: int = field(init=False)
    gid: int = field(init=False)

    def __post_init__(self) -> None:
        self.uid, self.gid = ensure_user()
        self.root = Path(tempfile.mkdtemp(prefix="elk-realserver-"))
        os.chmod(self.root, 0o755)
        self.home = self.root / "home"
        try:
            subprocess.run(["cp", "-al", str(self.dist_home), str(self.home)], check=True, capture_output=True)
        except subprocess.CalledProcessError:
            shutil.copytree(self.dist_home, self.home, symlinks=True)

    def env(self, conf_dir: Path, tmp_dir: Path) -> dict[str, str]:
        keep = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "TZ")}
        return {**keep, "ES_PATH_CONF": str(conf_dir), "ES_JAVA_HOME": str(self.java.home), "ES_TMPDIR": str(tmp_dir),
                "HOME": str(self.root)}

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


@dataclass(frozen=True)
class NodeSpec:
    """One node as the project renders it, plus the certificate pair the PKI issued for it.
    The repr leaves out the password and every PEM: failed asserts print reprs."""

    node_name: str
    elasticsearch_yml: str = field(repr=False)
    jvm_options: dict[str, str]
    password: str = field(repr=False)
    ca_cert_pem: str = field(repr=False)
    cert_pem: str = field(repr=False)
    key_pem: str = field(repr=False)
    server_name: str
    """A DNS SAN of the node's certificate, used to verify HTTPS."""


@dataclass
class RunningNode:
    spec: NodeSpec
    layout: NodeLayout
    ports: NodePorts
    rewritten: Rewritten
    process: subprocess.Popen[bytes]
    console: Path
    started_at: float

    def client(self, password: str | None = None) -> EsClient:
        return EsClient(self.ports.http, self.spec.server_name, self.spec.ca_cert_pem, "elastic", password or self.spec.password)

    def log_text(self) -> str:
        parts = [self.console.read_text(errors="replace")] if self.console.exists() else []
        parts += [p.read_text(errors="replace") for p in sorted(self.layout.logs_dir.glob("*.log"))]
        return "\n".join(parts)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=30)


def _run_as(folder: RunFolder, argv: list[str], env: dict[str, str], stdin: str | None = None) -> None:
    done = subprocess.run(argv, env=env, input=stdin, text=True, capture_output=True, user=folder.uid, group=folder.gid)
    if done.returncode != 0:
        raise RuntimeError(f"{Path(argv[0]).name} {' '.join(argv[1:])} failed: {done.stdout}{done.stderr}")


def _write_certificates(layout: NodeLayout, ca_pem: str, cert_pem: str, key_pem: str) -> list[Path]:
    """Each file where the rendered elasticsearch.yml names it (components/render/elasticsearch_yml.py's
    paths, mapped into the node's config folder); the key 0600, as the image's *_FILE rule wants."""
    written = []
    for container_path, text, mode in ((es_yml.CA_CERT, ca_pem, 0o644), (es_yml.NODE_CERT, cert_pem, 0o644),
                                       (es_yml.NODE_KEY, key_pem, 0o600)):
        path = container_file(container_path, layout)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        os.chmod(path, mode)
        written.append(path)
    return written


def prepare_node(
    folder: RunFolder, spec: NodeSpec, cluster_dir: Path, repo_dir: Path, ports: dict[str, NodePorts], peers: dict[str, str]
) -> tuple[NodeLayout, Rewritten]:
    """The node's folders, its rewritten elasticsearch.yml, jvm.options.d files, certificates and keystore."""
    base = cluster_dir / spec.node_name
    layout = NodeLayout(conf_dir=base / "config", data_dir=base / "data", logs_dir=base / "logs", repo_dir=repo_dir)
    shutil.copytree(folder.home / "config", layout.conf_dir)
    for d in (layout.data_dir, layout.logs_dir, base / "tmp", repo_dir):
        d.mkdir(parents=True, exist_ok=True)
    done = rewrite(spec.elasticsearch_yml, spec.node_name, layout, ports, peers)
    (layout.conf_dir / "elasticsearch.yml").write_text(to_yaml(done.settings))
    for name, text in spec.jvm_options.items():
        (layout.conf_dir / "jvm.options.d" / name).write_text(text)
    if not PRETOUCH:
        (layout.conf_dir / "jvm.options.d" / MACHINE_JVM_FILE).write_text("-XX:-AlwaysPreTouch\n")
    _write_certificates(layout, spec.ca_cert_pem, spec.cert_pem, spec.key_pem)
    _chown_tree(base, folder.uid, folder.gid)
    _chown_tree(repo_dir, folder.uid, folder.gid)
    env = folder.env(layout.conf_dir, base / "tmp")
    keystore = str(folder.home / "bin" / "elasticsearch-keystore")
    _run_as(folder, [keystore, "create"], env)
    # The image's entrypoint: ELASTIC_PASSWORD(_FILE) -> `elasticsearch-keystore add -x bootstrap.password`.
    _run_as(folder, [keystore, "add", "-x", "bootstrap.password"], env, stdin=spec.password)
    return layout, done


def start_node(folder: RunFolder, spec: NodeSpec, layout: NodeLayout, rewritten: Rewritten, ports: NodePorts) -> RunningNode:
    console = layout.logs_dir / "console.out"
    env = folder.env(layout.conf_dir, layout.conf_dir.parent / "tmp")
    out = console.open("wb")
    started = time.monotonic()
    process = subprocess.Popen([str(folder.home / "bin" / "elasticsearch")], env=env, stdout=out, stderr=subprocess.STDOUT,
                               stdin=subprocess.DEVNULL, user=folder.uid, group=folder.gid, start_new_session=True)
    out.close()
    return RunningNode(spec, layout, ports, rewritten, process, console, started)


class NodeFailedError(RuntimeError):
    pass


def wait_until(check: Callable[[], bool], nodes: list[RunningNode], what: str, timeout: float = START_TIMEOUT) -> float:
    """Poll ``check`` until true; fail early with the node's own words when a node exits."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        for n in nodes:
            if n.process.poll() is not None:
                tail = "\n".join(n.log_text().splitlines()[-40:])
                raise NodeFailedError(f"{n.spec.node_name} exited with {n.process.returncode} while waiting for {what}:\n{tail}")
        try:
            if check():
                return time.monotonic() - start
        except (OSError, ValueError):
            pass
        time.sleep(0.5)
    raise NodeFailedError(f"timed out after {timeout:.0f}s waiting for {what}")


def cluster_status(client: EsClient, expect_nodes: int) -> bool:
    answer = client.request("GET", f"/_cluster/health?wait_for_nodes={expect_nodes}&timeout=1s")
    return answer.status == 200 and answer.body.get("status") == "green" and answer.body.get("number_of_nodes") == expect_nodes


@dataclass
class RealCluster:
    """Nodes of one rendered cluster started together (the bootstrap ``up``), green when returned."""

    folder: RunFolder
    nodes: list[RunningNode]
    seconds_to_green: float
    repo_dir: Path

    def stop(self) -> None:
        for n in self.nodes:
            n.stop()


def restart_with_certificates(folder: RunFolder, node: RunningNode, *, ca_pem: str, cert_pem: str, key_pem: str) -> RunningNode:
    """Stop ``node`` and start it again from the same folders with other certificate files."""
    node.stop()
    for path in _write_certificates(node.layout, ca_pem, cert_pem, key_pem):
        _chown_tree(path.parent, folder.uid, folder.gid)
    return start_node(folder, node.spec, node.layout, node.rewritten, node.ports)


def start_cluster(folder: RunFolder, specs: list[NodeSpec], *, name: str, say: Callable[[str], None] = print) -> RealCluster:
    """Prepare every node, then start them together (the bootstrap ``up``) and wait for green."""
    ports = {s.node_name: NodePorts(free_port(), free_port(), free_port()) for s in specs}
    cluster_dir = folder.root / name
    repo_dir = cluster_dir / "backup"
    cluster_dir.mkdir(parents=True)
    repo_dir.mkdir()
    # Keystore tools start a JVM each: prepare the nodes side by side (not counted in start -> green).
    with ThreadPoolExecutor(max_workers=len(specs)) as pool:
        peers = peer_addresses([s.elasticsearch_yml for s in specs])
        prepared = list(pool.map(lambda s: prepare_node(folder, s, cluster_dir, repo_dir, ports, peers), specs))
    for s, (_, rw) in zip(specs, prepared, strict=True):
        for absent in rw.dropped:
            say(f"[realserver] {s.node_name}: not sent, module absent from this build: {absent.name} ({absent.module})")
    started = time.monotonic()
    nodes = [start_node(folder, s, layout, rw, ports[s.node_name]) for s, (layout, rw) in zip(specs, prepared, strict=True)]
    cluster = RealCluster(folder, nodes, 0.0, repo_dir)
    try:
        wait_until(lambda: cluster_status(nodes[0].client(), len(nodes)), nodes, f"{len(nodes)} node(s) green")
    except BaseException:
        cluster.stop()
        raise
    cluster.seconds_to_green = time.monotonic() - started
    say(f"[realserver] {len(nodes)} node(s) green {cluster.seconds_to_green:.1f}s after start")
    return cluster
