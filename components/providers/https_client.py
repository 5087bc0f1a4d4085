"""A tiny HTTPS JSON client that trusts only the stack's CA (standard library only).

Dynamic providers run in Pulumi's provider process, so this stays dependency-free.
"""

from __future__ import annotations

import base64
import json
import ssl
import urllib.error
import urllib.request
from typing import Any


class HttpError(Exception):
    """A request failed; carries method, URL, status and body (never credentials)."""

    def __init__(self, method: str, url: str, status: int | None, body: str) -> None:
        self.status = status
        super().__init__(f"{method} {url} -> {status if status is not None else 'no answer'}: {body[:300]}")


def ssl_context(ca_pem: str) -> ssl.SSLContext:
    """Verify the server against the stack's CA only, host names included."""
    context = ssl.create_default_context(cadata=ca_pem) if ca_pem else ssl.create_default_context()
    context.check_hostname = True
    return context


def get_json(url: str, *, username: str, password: str, ca_pem: str, timeout: float) -> tuple[int, Any]:
    """GET a JSON body; HTTP errors with a JSON body are returned, not raised (health answers 408)."""
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    request = urllib.request.Request(url, headers={"Authorization": f"Basic {token}", "Accept": "application/json"})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), urllib.request.HTTPSHandler(context=ssl_context(ca_pem)))
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        body = error.read().decode(errors="replace")
        try:
            return error.code, json.loads(body)
        except ValueError:
            raise HttpError("GET", url, error.code, body) from None
    except (urllib.error.URLError, OSError) as error:
        raise HttpError("GET", url, None, str(error)) from None
