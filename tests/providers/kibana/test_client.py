"""KibanaClient against the local fake Kibana (tests/providers/kibana/fake_kibana.py)."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from components.providers.kibana.client import KibanaClient, KibanaError
from tests.providers.kibana.fake_kibana import PASSWORD, USER, FakeKibana, serve
from tests.smoke.smoke_pki import Pki, make_pki


def connection(url: str, **extra: object) -> dict:
    return {"url": url, "username": USER, "password": PASSWORD, "ca_pem": "", "startup_timeout_seconds": 5,
            "first_pause_seconds": 0.05, **extra}


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("kibana-pki"), "kibana-test-ca")


def test_every_request_carries_kbn_xsrf_and_basic_auth() -> None:
    kibana = FakeKibana()
    with serve(kibana) as url:
        status, body = KibanaClient(connection(url)).call("POST", "/api/data_views/default", {"data_view_id": "x", "force": True})
    assert (status, body) == (200, {"acknowledged": True})
    headers = kibana.requests[0].headers
    assert headers["kbn-xsrf"] and headers["content-type"] == "application/json"
    assert headers["authorization"] == "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()


def test_a_space_other_than_default_prefixes_the_path() -> None:
    kibana = FakeKibana()
    with serve(kibana) as url:
        KibanaClient(connection(url, space="trading")).call("GET", "/api/data_views/default")
        KibanaClient(connection(url, space="default")).call("GET", "/api/data_views/default")
    assert [r.path for r in kibana.requests] == ["/s/trading/api/data_views/default", "/api/data_views/default"]


def test_a_kibana_that_answers_503_while_starting_is_waited_for() -> None:
    kibana = FakeKibana(unavailable_requests=3)
    pauses: list[float] = []
    with serve(kibana) as url:
        client = KibanaClient(connection(url), pause=pauses.append)
        status, _ = client.call("GET", "/api/data_views/default")
    assert status == 200 and len(kibana.requests) == 4
    assert pauses == [0.05, 0.1, 0.2]  # backoff doubles


def test_a_kibana_that_stays_unavailable_times_out_with_the_last_answer() -> None:
    kibana = FakeKibana(unavailable_requests=10_000)
    ticks = iter(range(0, 10_000))
    with serve(kibana) as url:
        client = KibanaClient(connection(url, startup_timeout_seconds=4), clock=lambda: next(ticks), pause=lambda _: None)
        with pytest.raises(TimeoutError) as error:
            client.call("GET", "/api/data_views/default")
    message = str(error.value)
    assert f"Kibana at {url} was not ready for GET /api/data_views/default within 4s" in message
    assert "HTTP 503" in message and "not ready yet" in message


def test_no_answer_at_all_is_retried_then_reported() -> None:
    ticks = iter(range(0, 10_000))
    client = KibanaClient(connection("http://127.0.0.1:1", startup_timeout_seconds=3), clock=lambda: next(ticks), pause=lambda _: None)
    with pytest.raises(TimeoutError, match="last answer: GET http://127.0.0.1:1/api/status"):
        client.call("GET", "/api/status")


def test_an_error_names_method_path_status_and_kibanas_message_never_the_password() -> None:
    kibana = FakeKibana()
    with serve(kibana) as url:
        with pytest.raises(KibanaError) as error:
            KibanaClient(connection(url)).call("GET", "/api/data_views/data_view/nope")
        with pytest.raises(KibanaError) as refused:
            KibanaClient(connection(url, password="wrong-secret-77")).call("GET", "/api/data_views/default")
    assert str(error.value) == "Kibana GET /api/data_views/data_view/nope: HTTP 404: Not Found: Saved object [index-pattern/nope] not found"
    assert refused.value.status == 401 and "wrong-secret-77" not in str(refused.value)


def test_https_trusts_the_stacks_ca_and_refuses_another(pki: Pki, tmp_path: Path) -> None:
    kibana = FakeKibana()
    with serve(kibana, pki.server_context()) as url:
        assert KibanaClient(connection(url, ca_pem=pki.ca_pem)).call("GET", "/api/data_views/default")[0] == 200
    other = make_pki(tmp_path / "other", "other-ca")
    pauses: list[float] = []
    kibana = FakeKibana()
    with serve(kibana, other.server_context()) as url:
        client = KibanaClient(connection(url, ca_pem=pki.ca_pem), pause=pauses.append)
        with pytest.raises(RuntimeError, match="Kibana's TLS certificate is not trusted .* issued by the stack's CA"):
            client.call("GET", "/api/data_views/default")
    assert pauses == [] and kibana.requests == []  # refused at once, not retried until the deadline


def test_multipart_file_is_one_file_part() -> None:
    data, content_type = KibanaClient.multipart_file("file", "a.ndjson", b'{"a":1}\n', "application/ndjson")
    boundary = content_type.split("boundary=")[1]
    assert content_type.startswith("multipart/form-data; boundary=")
    assert data.startswith(f"--{boundary}\r\n".encode()) and data.endswith(f"\r\n--{boundary}--\r\n".encode())
    assert b'Content-Disposition: form-data; name="file"; filename="a.ndjson"\r\nContent-Type: application/ndjson\r\n\r\n{"a":1}\n' in data
