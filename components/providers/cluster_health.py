"""ClusterHealthGate: a rolling replacement moves on only when the cluster is green again.

A node's healthcheck (the readiness port) says it has rejoined, not that its shards have
recovered; replacing the next node before that can leave shards without any copy. This gate
waits on ``GET _cluster/health?wait_for_status=green`` after a node is (re)created, and the next
node depends on the gate. https://www.elastic.co/guide/en/elasticsearch/reference/8.19/cluster-health.html
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, Resource, ResourceProvider, UpdateResult

from components.providers.https_client import HttpError, get_json

#: Each request asks Elasticsearch to hold the answer this long (server-side wait, no polling).
SERVER_WAIT_SECONDS = 30
#: Recovery of a large node can take a while; past this the `up` fails with the last status.
DEFAULT_DEADLINE_SECONDS = 1800
#: Pause between rounds in which no endpoint even answered (no server-side wait happened).
RETRY_PAUSE_SECONDS = 5
#: Inputs whose change means "a node was replaced: wait again".
TRIGGER = "node_id"


def health_url(endpoint: str, status: str) -> str:
    return f"{endpoint.rstrip('/')}/_cluster/health?wait_for_status={status}&timeout={SERVER_WAIT_SECONDS}s"


def wait_for_status(
    endpoints: Sequence[str],
    *,
    status: str,
    username: str,
    password: str,
    ca_pem: str,
    deadline_seconds: float,
    clock: Callable[[], float] = time.monotonic,
    pause: Callable[[float], None] = time.sleep,
) -> dict[str, Any]:
    """Ask each endpoint in turn (a node being replaced may not answer) until one reports the
    status; raise with the last answer once the deadline passes."""
    give_up = clock() + deadline_seconds
    last = "no endpoint answered"
    while True:
        answered = False
        for endpoint in endpoints:
            try:
                code, body = get_json(health_url(endpoint, status), username=username, password=password,
                                      ca_pem=ca_pem, timeout=SERVER_WAIT_SECONDS + 10)
            except HttpError as error:
                last = str(error)
                continue
            answered = True
            if code == 200 and isinstance(body, dict) and not body.get("timed_out", False):
                return body
            status_text = body.get("status") if isinstance(body, dict) else repr(body)
            last = f"{endpoint}: HTTP {code}, status {status_text}"
            if code in (401, 403):
                raise RuntimeError(f"cluster health refused ({last}); check the elastic password")
        if clock() >= give_up:
            raise RuntimeError(
                f"cluster did not reach {status} within {deadline_seconds:.0f}s after a node replacement; last answer: {last}. "
                "Check GET _cluster/allocation/explain, fix the cause, then run `pulumi up` again: the roll resumes here."
            )
        if not answered:
            pause(RETRY_PAUSE_SECONDS)


class ClusterHealthProvider(ResourceProvider):
    """Create and update both wait; nothing to delete. Inputs carry the password: secret."""

    serialize_as_secret_always = True

    def _wait(self, props: dict[str, Any]) -> dict[str, Any]:
        body = wait_for_status(
            props["endpoints"], status=props["status"], username=props["username"], password=props["password"],
            ca_pem=props["ca_pem"], deadline_seconds=float(props["deadline_seconds"]),
        )
        return {**props, "observed_status": body.get("status"), "observed_nodes": body.get("number_of_nodes")}

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(id_=f"health-gate-{props['node_name']}", outs=self._wait(props))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        owned = ("endpoints", "status", "username", "password", "ca_pem", "deadline_seconds", TRIGGER, "node_name")
        return DiffResult(changes=any(olds.get(k) != news.get(k) for k in owned), replaces=[], delete_before_replace=False)

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(outs=self._wait(news))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_=id_, outs=props)

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        return None


class ClusterHealthGate(Resource, module="elasticsearch", name="ClusterHealthGate"):
    """Waits for cluster health after ``node_id`` changes; later nodes depend on it."""

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
            TRIGGER: node_id,
            "endpoints": list(endpoints),
            "ca_pem": ca_pem,
            "username": "elastic",
            "password": pulumi.Output.secret(password),
            "status": status,
            "deadline_seconds": deadline_seconds,
            "observed_status": None,
            "observed_nodes": None,
        }
        super().__init__(ClusterHealthProvider(), name, props, opts)
