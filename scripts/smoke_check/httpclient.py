"""A tiny JSON-over-HTTP(S) client with basic auth, built on urllib.

Why not ``urllib.request.urlopen`` directly: it raises on every non-2xx status (the checks
need the body of 401/404/503 answers), follows redirects with our credentials, and honours
``*_proxy`` variables, which would route a loopback smoke check through a proxy.
"""

from __future__ import annotations

import base64
import http.client
import json
import socket
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import quote

from .errors import TransportError
from .tls import describe_tls_error

#: Characters left as-is in request paths (index names, wildcards, field lists).
PATH_SAFE = "/,*@._-"


@dataclass(frozen=True)
class Response:
    """Status and raw body of an HTTP answer, whatever the status."""

    status: int
    body: bytes
    url: str = ""
    """What was asked (``GET https://localhost:9200/...``), so a failed row names it."""

    def json(self) -> object:
        """The body parsed as JSON; ValueError when it is not JSON."""
        return json.loads(self.body.decode("utf-8"))

    def text(self, limit: int = 160) -> str:
        """The body as one short line, for error details."""
        flat = " ".join(self.body.decode("utf-8", "replace").split())
        return flat[:limit]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Refuse redirects: an API redirect is unexpected and must not carry our credentials."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        """Returning None makes urllib surface the 3xx as an HTTPError."""
        return None


def basic_auth(user: str, password: str) -> str:
    """The ``Authorization`` header value for HTTP basic auth."""
    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return f"Basic {token}"


def quote_path(path: str) -> str:
    """Percent-encode a request path, keeping the characters Elasticsearch paths use."""
    return quote(path, safe=PATH_SAFE)


@dataclass(frozen=True)
class HttpClient:
    """Requests against one base URL; the auth header is kept out of ``repr``."""

    base_url: str
    authorization: str = field(repr=False)
    context: ssl.SSLContext | None
    timeout: float

    def get(self, path: str) -> Response:
        """GET ``path`` (relative to the base URL)."""
        return self._send("GET", path, None)

    def post_json(self, path: str, body: object) -> Response:
        """POST a JSON body to ``path``."""
        return self._send("POST", path, json.dumps(body).encode("utf-8"))

    def _send(self, method: str, path: str, data: bytes | None) -> Response:
        """Send one request; HTTP errors come back as responses, transport errors raise."""
        url = self.base_url + quote_path(path)
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header("Authorization", self.authorization)
        request.add_header("Accept", "application/json")
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with self._opener().open(request, timeout=self.timeout) as answer:
                return Response(answer.status, answer.read(), f"{method} {url}")
        except urllib.error.HTTPError as exc:
            with exc:
                return Response(exc.code, exc.read(), f"{method} {url}")
        except (urllib.error.URLError, OSError, http.client.HTTPException) as exc:
            raise TransportError(f"{method} {url}: {describe_transport_error(exc, self.timeout)}") from exc

    def _opener(self) -> urllib.request.OpenerDirector:
        """An opener with our TLS context, no proxies and no redirects."""
        return urllib.request.build_opener(
            urllib.request.ProxyHandler({}),
            urllib.request.HTTPSHandler(context=self.context),
            _NoRedirect(),
        )


def describe_transport_error(exc: BaseException, timeout: float) -> str:
    """A one-line reason for a failed connection (never includes request headers)."""
    reason: object = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, BaseException):
        tls = describe_tls_error(reason)
        if tls:
            return tls
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return f"timed out after {timeout:g} s"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    if isinstance(reason, http.client.HTTPException):
        return f"bad HTTP response ({type(reason).__name__}); wrong scheme or port?"
    return str(reason) or type(reason).__name__
