"""The Watcher provider (licenses above Basic) against the fake's Elasticsearch Watcher API."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from components.providers.kibana.client import KibanaError
from components.providers.kibana.watch import WatchProvider
from components.render import alerting_bodies as bodies
from tests.providers.kibana.fake_kibana import PASSWORD, USER, FakeKibana, serve


@pytest.fixture
def es() -> Iterator[tuple[FakeKibana, dict]]:
    fake = FakeKibana()
    with serve(fake) as url:
        yield fake, {"url": url, "username": USER, "password": PASSWORD, "ca_pem": "", "product": "Elasticsearch",
                     "startup_timeout_seconds": 5}


def props(conn: dict, **extra: object) -> dict:
    return {"object_id": bodies.WATCH_ID, "connection": conn, "watch": bodies.watch_body(("ops@example.com",)),
            "active": True, **extra}


def test_the_guides_watch_is_put_read_back_and_a_second_up_is_a_no_op(es: tuple[FakeKibana, dict]) -> None:
    fake, conn = es
    result = WatchProvider().create(props(conn))
    put = fake.writes()[0]
    assert (put.method, put.path, put.query) == ("PUT", "/_watcher/watch/mt4-error-alert", "active=true")
    body = json.loads(put.body)
    assert body["condition"] == {"compare": {"ctx.payload.hits.total": {"gte": 10}}}
    assert body["actions"]["send_email"]["email"]["to"] == ["ops@example.com"]
    assert WatchProvider().diff("mt4-error-alert", result.outs, props(conn)).changes is False


def test_a_watch_changed_or_deleted_by_hand(es: tuple[FakeKibana, dict]) -> None:
    fake, conn = es
    provider = WatchProvider()
    provider.create(props(conn))
    fake.watches["mt4-error-alert"]["watch"]["condition"]["compare"]["ctx.payload.hits.total"]["gte"] = 1
    read = provider.read("mt4-error-alert", props(conn))
    assert provider.diff("mt4-error-alert", read.outs, props(conn)).changes is True
    del fake.watches["mt4-error-alert"]
    assert provider.read("mt4-error-alert", props(conn)).id == ""


def test_errors_name_elasticsearch(es: tuple[FakeKibana, dict]) -> None:
    _, conn = es
    client = WatchProvider().client(props({**conn, "password": "wrong"}))
    with pytest.raises(KibanaError, match=r"^Elasticsearch GET /_watcher/watch/x: HTTP 401"):
        client.call("GET", "/_watcher/watch/x")
