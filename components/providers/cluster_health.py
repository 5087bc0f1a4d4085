"""ClusterHealthGate: a rolling replacement moves on only when the cluster has recovered.

A node's healthcheck (the readiness port) says it has rejoined, not that its shards have
recovered; replacing the next node before that can leave shards without any copy. This gate
waits on ``GET _cluster/health?wait_for_status=green`` after a node is (re)created, and the next
node depends on the gate. https://www.elastic.co/guide/en/elasticsearch/reference/8.19/cluster-health.html

One exception, from Elastic's rolling upgrade guide ("Wait for the node to recover"): during a
version upgrade a primary on an upgraded node cannot put its replica on an older node, so the
cluster may stay yellow until more nodes are upgraded; proceed once no shard is initializing or
relocating. So yellow passes the gate only while ``GET _nodes`` reports more than one version and
the health answer has ``initializing_shards`` and ``relocating_shards`` both 0; otherwise green.

Self-contained on purpose: Pulumi pickles a dynamic provider's class by value and runs it in a
separate provider process, where this project's modules may not be importable. So the provider
uses only the standard library, imported inside its methods, and its own class attributes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, Resource, ResourceProvider, UpdateResult


class ClusterHealthProvider(ResourceProvider):
    """Create and update both wait; nothing to delete. Inputs carry the password: secret."""

    serialize_as_secret_always = True
    #: Only the versions of the nodes info answer: ``nodes.<node id>.version``.
    NODES_PATH = "/_nodes?filter_path=nodes.*.version"
    #: Each request asks Elasticsearch to hold the answer this long (server-side wait, no polling).
    SERVER_WAIT_SECONDS = 30
    #: Pause between rounds in which no endpoint even answered (no server-side wait happened).
    RETRY_PAUSE_SECONDS = 5
    #: Inputs we own; a change of ``node_id`` means "a node was replaced: wait again".
    OWNED = ("endpoints", "status", "username", "password", "ca_pem", "deadline_seconds", "node_id", "node_name")

    @staticmethod
    def health_url(endpoint: str, status: str) -> str:
        wait = ClusterHealthProvider.SERVER_WAIT_SECONDS
        return f"{endpoint.rstrip('/')}/_cluster/health?wait_for_status={status}&timeout={wait}s"

    @staticmethod
    def nothing_moving_in_yellow(body: Any) -> bool:
        """A yellow answer with no shard initializing or relocating (both fields present)."""
        return (
            isinstance(body, dict)
            and body.get("status") == "yellow"
            and body.get("initializing_shards") == 0
            and body.get("relocating_shards") == 0
        )

    @staticmethod
    def node_versions(body: Any) -> list[str]:
        """The distinct versions in a ``GET _nodes`` answer, sorted; [] for any other shape."""
        nodes = body.get("nodes") if isinstance(body, dict) else None
        if not isinstance(nodes, dict):
            return []
        return sorted({str(n["version"]) for n in nodes.values() if isinstance(n, dict) and "version" in n})

    @staticmethod
    def describe(endpoint: str, code: int, body: Any) -> str:
        """One health answer for the deadline message: status and moving shards, never credentials."""
        if not isinstance(body, dict):
            return f"{endpoint}: HTTP {code}, body {body!r}"
        text = f"{endpoint}: HTTP {code}, status {body.get('status')}"
        if "initializing_shards" in body or "relocating_shards" in body:
            text += f", initializing {body.get('initializing_shards')}, relocating {body.get('relocating_shards')}"
        return text

    @staticmethod
    def get_json(url: str, *, username: str, password: str, ca_pem: str, timeout: float) -> tuple[int, Any]:
        """GET with basic auth, trusting only the stack's CA (host names checked). An HTTP error
        with a JSON body is returned (health answers 408 on timeout); no answer raises OSError."""
        import base64
        import json
        import ssl
        import urllib.error
        import urllib.request

        context = ssl.create_default_context(cadata=ca_pem)
        token = base64.b64encode(f"{username}:{password}".encode()).decode()
        request = urllib.request.Request(url, headers={"Authorization": f"Basic {token}", "Accept": "application/json"})
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=context))
        try:
            with opener.open(request, timeout=timeout) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            body = error.read().decode(errors="replace")
            try:
                return error.code, json.loads(body)
            except ValueError:
                return error.code, body[:300]
        except (urllib.error.URLError, ssl.SSLError) as error:
            raise OSError(f"GET {url}: {error}") from None

    @staticmethod
    def wait_for_status(
        endpoints: Sequence[str],
        *,
        status: str,
        username: str,
        password: str,
        ca_pem: str,
        deadline_seconds: float,
        clock: Callable[[], float] | None = None,
        pause: Callable[[float], None] | None = None,
    ) -> dict[str, Any]:
        """Ask each endpoint in turn (a node being replaced may not answer) until one reports the
        status, or, for green, yellow with nothing moving while the nodes' versions differ (a
        rolling upgrade); raise with the last answer once the deadline passes."""
        import time

        cls = ClusterHealthProvider
        clock = clock or time.monotonic
        pause = pause or time.sleep
        give_up = clock() + deadline_seconds
        last = "no endpoint answered"
        auth = {"username": username, "password": password, "ca_pem": ca_pem, "timeout": cls.SERVER_WAIT_SECONDS + 10}
        while True:
            answered = False
            for endpoint in endpoints:
                try:
                    code, body = cls.get_json(cls.health_url(endpoint, status), **auth)
                except OSError as error:
                    last = str(error)
                    continue
                answered = True
                if code == 200 and isinstance(body, dict) and not body.get("timed_out", False):
                    return body
                last = cls.describe(endpoint, code, body)
                if code in (401, 403):
                    raise RuntimeError(f"cluster health refused ({last}); check the elastic password")
                if status != "green" or not cls.nothing_moving_in_yellow(body):
                    continue
                try:
                    nodes_code, nodes_body = cls.get_json(endpoint.rstrip("/") + cls.NODES_PATH, **auth)
                except OSError as error:
                    last = f"{last}; {error}"
                    continue
                if nodes_code in (401, 403):
                    raise RuntimeError(f"nodes info refused ({endpoint}: HTTP {nodes_code}); check the elastic password")
                versions = cls.node_versions(nodes_body) if nodes_code == 200 else []
                if len(versions) > 1:
                    return {**body, "node_versions": versions}
                last = f"{last}, node versions {', '.join(versions) or f'unknown (HTTP {nodes_code})'}"
            if clock() >= give_up:
                raise RuntimeError(
                    f"cluster did not reach {status} within {deadline_seconds:.0f}s after a node replacement "
                    "(during a version upgrade, yellow with no shard initializing or relocating is enough); "
                    f"last answer: {last}. Check GET _cluster/allocation/explain, fix the cause, then run "
                    "`pulumi up` again: the roll resumes here."
                )
            if not answered:
                pause(cls.RETRY_PAUSE_SECONDS)

    def _wait(self, props: dict[str, Any]) -> dict[str, Any]:
        body = ClusterHealthProvider.wait_for_status(
            props["endpoints"], status=props["status"], username=props["username"], password=props["password"],
            ca_pem=props["ca_pem"], deadline_seconds=float(props["deadline_seconds"]),
        )
        return {
            **props,
            "observed_status": body.get("status"),
            "observed_nodes": body.get("number_of_nodes"),
            "observed_versions": body.get("node_versions"),
        }

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(id_=f"health-gate-{props['node_name']}", outs=self._wait(props))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = any(olds.get(k) != news.get(k) for k in ClusterHealthProvider.OWNED)
        return DiffResult(changes=changed, replaces=[], delete_before_replace=False)

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(outs=self._wait(news))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_=id_, outs=props)

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        return None


@contextmanager
def pickled_by_value(cls: type) -> Iterator[None]:
    """While active, dill pickles ``cls`` by value (as it does classes of ``__main__``), so the
    provider process needs no import of this project. Pulumi serializes synchronously inside
    ``Resource.__init__``, so the window is exactly that call."""
    members = [cls] + [getattr(v, "__func__", v) for v in vars(cls).values() if callable(getattr(v, "__func__", v))]
    originals = [m.__module__ for m in members]
    for member in members:
        member.__module__ = "__main__"
    try:
        yield
    finally:
        for member, original in zip(members, originals, strict=True):
            member.__module__ = original


#: Recovery of a large node can take a while; past this the `up` fails with the last status.
DEFAULT_DEADLINE_SECONDS = 1800
wait_for_status = ClusterHealthProvider.wait_for_status


class ClusterHealthGate(Resource, module="elasticsearch", name="ClusterHealthGate"):
    """Waits for cluster health after ``node_id`` changes; later nodes depend on it.
    ``observed_versions`` is set when yellow was accepted because the nodes' versions differed."""

    def __init__(
        self,
        name: str,
        *,
        node_name: str,
        node_id: pulumi.Input[str],
        endpoints: Sequence[str],
        ca_pem: pulumi.Input[str],
        password: pulumi.Input[str],
        status: str = "green",
        deadline_seconds: int = DEFAULT_DEADLINE_SECONDS,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = {
            "node_name": node_name,
            "node_id": node_id,
            "endpoints": list(endpoints),
            "ca_pem": ca_pem,
            "username": "elastic",
            "password": pulumi.Output.secret(password),
            "status": status,
            "deadline_seconds": deadline_seconds,
            "observed_status": None,
            "observed_nodes": None,
            "observed_versions": None,
        }
        with pickled_by_value(ClusterHealthProvider):
            super().__init__(ClusterHealthProvider(), name, props, opts)
