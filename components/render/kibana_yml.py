"""``kibana.yml`` for the Kibana 8.19 container.

Pure text rendering: plain values in, YAML text out (no Pulumi here). Every key written is
listed, with the reference page it was checked against, in
``tests/contracts/kibana_settings_8.19.json``.

Secrets never appear in the text: the ``kibana_system`` password and the three encryption keys
are ``${NAME}`` references that Kibana resolves from its environment at startup
(https://www.elastic.co/guide/en/kibana/8.19/settings.html: "environment variables can be
injected into configuration using ``${MY_ENV_VAR}`` syntax"). Each encryption key must be at
least 32 characters. Choose env var names that the image's entrypoint does not translate into
settings itself (such as ``ELASTICSEARCH_PASSWORD``), or the value would also be passed on the
command line; the defaults below are safe.

The image's own ``kibana.yml`` (Docker defaults ``server.host: "0.0.0.0"``,
``server.shutdownTimeout: "5s"``, ``elasticsearch.hosts``,
``monitoring.ui.container.elasticsearch.enabled: true``) is replaced entirely, so those defaults
are repeated here (https://www.elastic.co/guide/en/kibana/8.19/docker.html).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final, Literal

from components.render.yaml_text import env_reference, render_yaml_document

LogLevel = Literal["off", "fatal", "error", "warn", "info", "debug", "trace", "all"]
LogLayout = Literal["json", "pattern"]

CERTS_DIR: Final = "/usr/share/kibana/config/certs"
DEFAULT_SERVER_CERTIFICATE_PATH: Final = f"{CERTS_DIR}/kibana.crt"
#: Secret files live in a read-only volume of their own (components/secret_files.py).
SECRETS_DIR: Final = "/usr/share/kibana/config/secrets"
DEFAULT_SERVER_KEY_PATH: Final = f"{SECRETS_DIR}/kibana.key"
DEFAULT_CA_PATH: Final = f"{CERTS_DIR}/ca.crt"
#: Name of the stdout appender defined in ``logging.appenders``.
STDOUT_APPENDER: Final = "stdout"

_URL = re.compile(r"https?://[^\s\"'${}]+")
_HEADER: Final = ("Rendered by elk-stack (components/render/kibana_yml.py); replaced on every deployment.",)


@dataclass(frozen=True, kw_only=True)
class KibanaYmlOptions:
    """Plain values ``kibana.yml`` is rendered from (no secrets: only env var names)."""

    server_name: str = "kibana"
    """``server.name``: display name of this Kibana instance."""

    server_port: int = 5601
    """``server.port``."""

    public_base_url: str = "https://localhost:5601"
    """``server.publicBaseUrl``: the URL users open (scheme, host, port; no trailing slash)."""

    server_tls: bool = True
    """Serve HTTPS (``server.ssl.enabled``) with ``server_certificate_path``/``server_key_path``."""

    server_certificate_path: str = DEFAULT_SERVER_CERTIFICATE_PATH
    """``server.ssl.certificate`` (PEM), path inside the container."""

    server_key_path: str = DEFAULT_SERVER_KEY_PATH
    """``server.ssl.key`` (unencrypted PEM), path inside the container."""

    elasticsearch_hosts: tuple[str, ...] = ("https://elasticsearch:9200",)
    """``elasticsearch.hosts``: HTTPS URLs of the cluster."""

    elasticsearch_username: str = "kibana_system"
    """``elasticsearch.username``: the built-in user Kibana's server runs as."""

    elasticsearch_password_env: str = "KIBANA_SYSTEM_PASSWORD"
    """Env var holding the ``kibana_system`` password; rendered as ``${NAME}``."""

    elasticsearch_ca_path: str = DEFAULT_CA_PATH
    """``elasticsearch.ssl.certificateAuthorities``: CA (PEM) of the Elasticsearch HTTP cert."""

    encrypted_saved_objects_key_env: str = "KIBANA_ENCRYPTED_SAVED_OBJECTS_KEY"
    """Env var for ``xpack.encryptedSavedObjects.encryptionKey`` (32+ chars; never rotate
    without ``keyRotation.decryptionOnlyKeys``, or encrypted saved objects become unreadable)."""

    security_encryption_key_env: str = "KIBANA_SECURITY_ENCRYPTION_KEY"
    """Env var for ``xpack.security.encryptionKey`` (32+ chars; session cookies)."""

    reporting_encryption_key_env: str = "KIBANA_REPORTING_ENCRYPTION_KEY"
    """Env var for ``xpack.reporting.encryptionKey`` (32+ chars; pending report jobs)."""

    shutdown_timeout: str = "5s"
    """``server.shutdownTimeout`` (the Docker image's default)."""

    log_level: LogLevel = "info"
    """``logging.root.level``."""

    log_layout: LogLayout = "json"
    """Layout of the stdout appender: ``json`` (ECS) or ``pattern`` (human-readable)."""

    def __post_init__(self) -> None:
        """Reject values Kibana would refuse or that are unsafe to render."""
        if not 1 <= self.server_port <= 65535:
            raise ValueError(f"server_port out of range: {self.server_port}")
        if not _URL.fullmatch(self.public_base_url) or self.public_base_url.endswith("/"):
            raise ValueError(f"public_base_url must be an http(s) URL without trailing slash: {self.public_base_url!r}")
        if not self.elasticsearch_hosts:
            raise ValueError("at least one Elasticsearch host is required")
        for host in self.elasticsearch_hosts:
            if not host.startswith("https://") or not _URL.fullmatch(host):
                raise ValueError(f"Elasticsearch hosts must be https URLs: {host!r}")
        for path in (self.server_certificate_path, self.server_key_path, self.elasticsearch_ca_path):
            if not path.startswith("/") or any(ch in path for ch in "\n\"'${}"):
                raise ValueError(f"paths must be absolute container paths: {path!r}")
        for name in self.env_var_names():
            env_reference(name)
        if len(set(self.env_var_names())) != len(self.env_var_names()):
            raise ValueError("each secret needs its own environment variable")
        if not re.fullmatch(r"[1-9][0-9]*(ms|s|m)", self.shutdown_timeout):
            raise ValueError(f"shutdown_timeout must look like 5s: {self.shutdown_timeout!r}")
        for text, what in ((self.server_name, "server_name"), (self.elasticsearch_username, "elasticsearch_username")):
            if not text or any(ch in text for ch in "\n\"'${}"):
                raise ValueError(f"unsafe {what}: {text!r}")

    def env_var_names(self) -> tuple[str, ...]:
        """The environment variables the container must receive (all secret), in render order."""
        return (
            self.elasticsearch_password_env,
            self.encrypted_saved_objects_key_env,
            self.security_encryption_key_env,
            self.reporting_encryption_key_env,
        )


def render_kibana_yml(options: KibanaYmlOptions) -> str:
    """``kibana.yml`` text (flat keys, fixed order).

    Reference: https://www.elastic.co/guide/en/kibana/8.19/settings.html and the pages named
    per key in ``tests/contracts/kibana_settings_8.19.json``.
    """
    settings = {
        **_server_settings(options),
        **_elasticsearch_settings(options),
        **_encryption_settings(options),
        **_product_settings(),
        **_logging_settings(options),
    }
    return render_yaml_document(settings, header=_HEADER)


def _server_settings(options: KibanaYmlOptions) -> dict[str, object]:
    """``server.*``: bind, name, public URL and (optionally) HTTPS.

    https://www.elastic.co/guide/en/kibana/8.19/settings.html (server.host, server.ssl.*).
    """
    settings: dict[str, object] = {
        "server.host": "0.0.0.0",
        "server.port": options.server_port,
        "server.name": options.server_name,
        "server.publicBaseUrl": options.public_base_url,
        "server.shutdownTimeout": options.shutdown_timeout,
        "server.ssl.enabled": options.server_tls,
    }
    if options.server_tls:
        settings["server.ssl.certificate"] = options.server_certificate_path
        settings["server.ssl.key"] = options.server_key_path
    return settings


def _elasticsearch_settings(options: KibanaYmlOptions) -> dict[str, object]:
    """``elasticsearch.*``: hosts, ``kibana_system`` credentials, CA and full verification.

    https://www.elastic.co/guide/en/kibana/8.19/settings.html (elasticsearch.ssl.verificationMode:
    ``full`` checks the chain and the hostname).
    """
    return {
        "elasticsearch.hosts": list(options.elasticsearch_hosts),
        "elasticsearch.username": options.elasticsearch_username,
        "elasticsearch.password": env_reference(options.elasticsearch_password_env),
        "elasticsearch.ssl.certificateAuthorities": [options.elasticsearch_ca_path],
        "elasticsearch.ssl.verificationMode": "full",
    }


def _encryption_settings(options: KibanaYmlOptions) -> dict[str, object]:
    """The three encryption keys, as env references.

    https://www.elastic.co/guide/en/kibana/8.19/security-settings-kb.html (xpack.security.encryptionKey,
    xpack.encryptedSavedObjects.encryptionKey) and
    https://www.elastic.co/guide/en/kibana/8.19/reporting-settings-kb.html (xpack.reporting.encryptionKey).
    """
    return {
        "xpack.encryptedSavedObjects.encryptionKey": env_reference(options.encrypted_saved_objects_key_env),
        "xpack.security.encryptionKey": env_reference(options.security_encryption_key_env),
        "xpack.reporting.encryptionKey": env_reference(options.reporting_encryption_key_env),
    }


def _product_settings() -> dict[str, object]:
    """Telemetry off (and locked), reporting access by feature privileges, container-aware monitoring UI.

    - telemetry: https://www.elastic.co/guide/en/kibana/8.19/telemetry-settings-kbn.html
      ``optIn: false`` together with ``allowChangingOptInStatus: false`` is valid since 8.4 (Kibana
      itself rewrites the removed ``telemetry.enabled: false`` into exactly this pair,
      elastic/kibana#133205); Kibana 7.x refused it at startup (elastic/kibana#175108).
    - ``xpack.reporting.roles.enabled: false``: grant reporting through Kibana feature privileges
      instead of the legacy ``reporting_user`` role (valid through 8.x; ignored from 9.0):
      https://www.elastic.co/guide/en/kibana/8.19/secure-reporting.html
    - ``monitoring.ui.container.elasticsearch.enabled``: Docker default, cgroup-aware CPU figures:
      https://www.elastic.co/guide/en/kibana/8.19/monitoring-settings-kb.html
    - ``monitoring.kibana.collection.enabled: false``: Kibana's own (legacy) collection off; Stack
      Monitoring data comes from Metricbeat (``metricbeat.stack_monitoring``), and Elastic's
      "Collect Kibana monitoring data with Metricbeat" makes turning it off the first step.
    """
    return {
        "telemetry.optIn": False,
        "telemetry.allowChangingOptInStatus": False,
        "xpack.reporting.roles.enabled": False,
        "monitoring.ui.container.elasticsearch.enabled": True,
        "monitoring.kibana.collection.enabled": False,
    }


def _logging_settings(options: KibanaYmlOptions) -> dict[str, object]:
    """One console appender (stdout) used by the root logger.

    https://www.elastic.co/guide/en/kibana/8.19/logging-settings.html
    """
    appender = f"logging.appenders.{STDOUT_APPENDER}"
    return {
        f"{appender}.type": "console",
        f"{appender}.layout.type": options.log_layout,
        "logging.root.appenders": [STDOUT_APPENDER],
        "logging.root.level": options.log_level,
    }
