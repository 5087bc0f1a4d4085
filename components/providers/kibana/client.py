"""KibanaClient: the one HTTP client every Kibana provider uses (standard library only).

Why its own client: the providers run in Pulumi's dynamic-provider process, pickled by value,
so they cannot lean on this project's modules or third-party packages. What it does for them:

- ``kbn-xsrf`` on every request (Kibana refuses writes without it) and basic auth;
- TLS trusting only the stack's CA when Kibana serves HTTPS (host names checked);
- the space prefix ``/s/<space>`` when a space other than ``default`` is asked for;
- retries with backoff while Kibana is still starting (HTTP 503, or no answer at all), up to a
  deadline, then a clear timeout naming the URL and the last answer;
- errors that name method, path, status and Kibana's error body -- never the credentials.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any


class KibanaError(RuntimeError):
    """Kibana answered with a status the caller did not expect."""

    def __init__(self, method: str, path: str, status: int, body: Any, product: str = "Kibana") -> None:
        self.method, self.path, self.status, self.body = method, path, status, body
        super().__init__(f"{product} {method} {path}: HTTP {status}: {KibanaClient.describe_body(body)}")


class KibanaClient:
    """Talks to one Kibana as one user in one space. ``connection`` is the ``connection`` input
    every Kibana resource carries: url, username, password, ca_pem (may be empty for http),
    space (None or "" = default), startup_timeout_seconds."""

    #: Statuses that mean "Kibana is still starting": retried until the deadline.
    RETRY_STATUSES = (502, 503, 504)
    #: First pause between retries; doubles up to ``MAX_PAUSE_SECONDS``.
    FIRST_PAUSE_SECONDS = 1.0
    MAX_PAUSE_SECONDS = 10.0
    #: Seconds one request may take.
    REQUEST_TIMEOUT_SECONDS = 60.0
    DEFAULT_STARTUP_TIMEOUT_SECONDS = 300.0

    def __init__(
        self,
        connection: dict[str, Any],
        *,
        clock: Callable[[], float] | None = None,
        pause: Callable[[float], None] | None = None,
    ) -> None:
        import time

        self.url = str(connection["url"]).rstrip("/")
        self.username = str(connection["username"])
        self.password = str(connection["password"])
        self.ca_pem = str(connection.get("ca_pem") or "")
        self.space = str(connection.get("space") or "")
        #: Named in messages; the Watcher provider uses this client against Elasticsearch.
        self.product = str(connection.get("product") or "Kibana")
        self.startup_timeout = float(connection.get("startup_timeout_seconds") or KibanaClient.DEFAULT_STARTUP_TIMEOUT_SECONDS)
        self.first_pause = float(connection.get("first_pause_seconds") or KibanaClient.FIRST_PAUSE_SECONDS)
        self.clock = clock or time.monotonic
        self.pause = pause or time.sleep

    @staticmethod
    def describe_body(body: Any) -> str:
        """Kibana's error answer ``{statusCode, error, message}`` in one line, else the body cut short."""
        import json

        if isinstance(body, dict) and ("message" in body or "error" in body):
            return f"{body.get('error', '')}: {body.get('message', '')}".strip(": ")
        text = body if isinstance(body, str) else json.dumps(body)
        return text[:500]

    def space_path(self, api_path: str) -> str:
        """``/api/...`` in the client's space: ``/s/<space>/api/...`` unless default."""
        if self.space and self.space != "default":
            return f"/s/{self.space}{api_path}"
        return api_path

    def _open(self, method: str, path: str, data: bytes | None, content_type: str | None) -> tuple[int, Any]:
        """One request; an HTTP error status is returned, no answer at all raises OSError."""
        import base64
        import json
        import ssl
        import urllib.error
        import urllib.request

        token = base64.b64encode(f"{self.username}:{self.password}".encode()).decode()
        headers = {"Authorization": f"Basic {token}", "kbn-xsrf": "elk-stack", "Accept": "application/json"}
        if content_type:
            headers["Content-Type"] = content_type
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        handlers: list[Any] = [urllib.request.ProxyHandler({})]
        if self.url.startswith("https://"):
            context = ssl.create_default_context(cadata=self.ca_pem) if self.ca_pem else ssl.create_default_context()
            handlers.append(urllib.request.HTTPSHandler(context=context))
        opener = urllib.request.build_opener(*handlers)
        try:
            with opener.open(request, timeout=KibanaClient.REQUEST_TIMEOUT_SECONDS) as response:
                raw, status = response.read(), response.status
        except urllib.error.HTTPError as error:
            raw, status = error.read(), error.code
        except (urllib.error.URLError, ssl.SSLError, ConnectionError, TimeoutError) as error:
            reason = getattr(error, "reason", error)
            if isinstance(reason, ssl.SSLCertVerificationError):
                # Not "still starting": waiting would not make the certificate trusted.
                raise RuntimeError(
                    f"{method} {self.url}{path}: {self.product}'s TLS certificate is not trusted ({reason.verify_message}); "
                    "it must be issued by the stack's CA for this host name"
                ) from None
            raise OSError(f"{method} {self.url}{path}: {reason}") from None
        text = raw.decode(errors="replace")
        try:
            return status, json.loads(text) if text.strip() else None
        except ValueError:
            return status, text[:500]

    def call(
        self,
        method: str,
        api_path: str,
        body: Any = None,
        *,
        ok: Sequence[int] = (200,),
        data: bytes | None = None,
        content_type: str | None = None,
    ) -> tuple[int, Any]:
        """Send ``body`` as JSON (or ``data`` as is) to ``api_path`` in the client's space.
        Returns (status, parsed body) for a status in ``ok``; retries while Kibana starts;
        raises KibanaError for any other status."""
        import json

        path = self.space_path(api_path)
        if body is not None:
            data, content_type = json.dumps(body).encode(), "application/json"
        give_up = self.clock() + self.startup_timeout
        wait = self.first_pause
        while True:
            try:
                status, answer = self._open(method, path, data, content_type)
            except OSError as error:
                status, answer, last = 0, None, str(error)
            else:
                if status in ok:
                    return status, answer
                if status not in KibanaClient.RETRY_STATUSES:
                    raise KibanaError(method, path, status, answer, self.product)
                last = f"HTTP {status}: {KibanaClient.describe_body(answer)}"
            if self.clock() + wait > give_up:
                raise TimeoutError(
                    f"{self.product} at {self.url} was not ready for {method} {path} within {self.startup_timeout:.0f}s; "
                    f"last answer: {last}"
                )
            self.pause(wait)
            wait = min(wait * 2, KibanaClient.MAX_PAUSE_SECONDS)

    @staticmethod
    def multipart_file(field: str, filename: str, content: bytes, content_type: str) -> tuple[bytes, str]:
        """A ``multipart/form-data`` body with one file part (what ``_import`` reads)."""
        import uuid

        boundary = f"elk-stack-{uuid.uuid4().hex}"
        head = (
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
            f"Content-Type: {content_type}\r\n\r\n"
        ).encode()
        return head + content + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"
