"""The one TLS client context every connection uses, trusting only the stack's CA."""

from __future__ import annotations

import ssl

from .errors import OutputError


def client_context(ca_pem: str) -> ssl.SSLContext:
    """A verifying client context that trusts exactly the stack's CA (no system roots).

    ``cadata`` loads the PEM from memory: same trust as a temp file, but nothing left on disk
    and nothing to clean up if the run is interrupted. Hostname checking and
    ``CERT_REQUIRED`` come from ``create_default_context`` and are never turned off.
    """
    try:
        context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cadata=ca_pem)
    except (ssl.SSLError, ValueError) as exc:
        raise OutputError(f"stack output ca_certificate could not be loaded: {exc}") from exc
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def describe_tls_error(exc: BaseException) -> str | None:
    """A short, user-facing reason for a TLS failure, or None if it is not one."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"TLS certificate not trusted: {exc.verify_message or exc.reason}"
    if isinstance(exc, ssl.SSLError):
        return f"TLS error: {exc.reason or exc}"
    return None
