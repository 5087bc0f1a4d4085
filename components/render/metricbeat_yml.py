"""``metricbeat.yml`` for the Metricbeat 8.19 container: its Docker host's system and container
metrics into the ``mt4-metrics-system`` data stream, and Stack Monitoring of the Elasticsearch
nodes, Kibana and Logstash instances on the same host (Elastic's layout: a Metricbeat beside what
it monitors, ``scope: node``; nothing has to be published for it).

Pure text rendering: plain values in, YAML text out (no Pulumi here). Every key written is listed,
with the 8.19 reference line or doc page it was checked against, in
``tests/contracts/metricbeat_8.19.json``; the render tests parse the text and check every key.

Why these choices:
- One data stream, ``mt4-metrics-system``, matched by our ``mt4-metrics`` index template (so it
  is a data stream with our ILM policy and mappings, ``mt4_fields.SHIPPER_FIELDS``). Beats' own
  template and ILM setup are off (``setup.template.enabled``/``setup.ilm.enabled: false``): the
  program manages both; ``setup.template.name``/``pattern`` name ours, which Beats asks for as
  soon as ``index`` is changed.
- ``system`` reads the host through ``hostfs`` (``/hostfs``: the host's ``/``, ``/proc`` and
  ``/sys/fs/cgroup``, mounted read-only by the component). No ``network`` metricset: the
  container has its own network namespace, so it would report the container's interfaces; the
  ``docker`` module's ``network`` metricset reports every container's traffic instead.
- ``docker`` talks to the host's engine over the read-only mounted socket.
- Stack Monitoring modules set ``xpack.enabled: true``: their documents go to the
  ``.monitoring-*-8-mb`` data streams the Stack Monitoring UI reads, not to ``index``. They log in
  as the built-in ``remote_monitoring_user``; the output writes as a user of its own that holds
  the built-in ``remote_monitoring_agent`` role (for ``.monitoring-*``) and ``mt4-metrics-*``.
- Passwords are ``${NAME}`` references Beats resolve from the environment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from components.render.yaml_text import env_reference, render_yaml_document

HOME: Final = "/usr/share/metricbeat"
CONFIG_FILE: Final = f"{HOME}/metricbeat.yml"
DATA_DIR: Final = f"{HOME}/data"
CERTS_DIR: Final = f"{HOME}/certs"
DEFAULT_CA_PATH: Final = f"{CERTS_DIR}/ca.crt"
HOSTFS: Final = "/hostfs"
DOCKER_SOCKET: Final = "/var/run/docker.sock"
#: The one data stream Metricbeat writes (besides the monitoring ones): ``mt4-metrics-*`` is ours.
INDEX: Final = "mt4-metrics-system"
TEMPLATE_NAME: Final = "mt4-metrics"
TEMPLATE_PATTERN: Final = "mt4-metrics-*"
SYSTEM_METRICSETS: Final = ("cpu", "load", "memory", "diskio", "filesystem", "fsstat", "process_summary", "uptime")
DOCKER_METRICSETS: Final = ("container", "cpu", "diskio", "healthcheck", "info", "memory", "network")
MONITORING_USER: Final = "remote_monitoring_user"
#: The env var the container gets the monitoring password in; the modules refer to it as ``${...}``.
MONITORING_PASSWORD_ENV: Final = "MT4_REMOTE_MONITORING_PASSWORD"

_HEADER: Final = ("Rendered by elk-stack (components/render/metricbeat_yml.py); replaced on every deployment.",)
_URL = re.compile(r"^https?://[A-Za-z0-9.\-\[\]:]+:\d{1,5}$")
_DURATION = re.compile(r"^[1-9][0-9]*(s|m)$")


@dataclass(frozen=True, kw_only=True)
class StackMonitoring:
    """The services on this Metricbeat's host, as it reaches them on the Docker network."""

    elasticsearch_urls: tuple[str, ...] = ()
    """Every node on the host (``scope: node``: each entry is collected as that node)."""
    kibana_url: str | None = None
    logstash_urls: tuple[str, ...] = ()
    """The Logstash monitoring APIs (``http://<instance>:9600``; plain HTTP, no login)."""
    password_env: str = MONITORING_PASSWORD_ENV

    @property
    def urls(self) -> tuple[str, ...]:
        return (*self.elasticsearch_urls, *((self.kibana_url,) if self.kibana_url else ()), *self.logstash_urls)


@dataclass(frozen=True, kw_only=True)
class MetricbeatYmlOptions:
    name: str
    period: str
    elasticsearch_urls: tuple[str, ...]
    """HTTPS URLs of the cluster the output writes to."""
    writer_user: str
    writer_password_env: str
    ca_path: str = DEFAULT_CA_PATH
    monitoring: StackMonitoring | None = None

    def __post_init__(self) -> None:
        if not _DURATION.fullmatch(self.period):
            raise ValueError(f"period must be a Beats duration like 10s: {self.period!r}")
        if not self.elasticsearch_urls:
            raise ValueError("metricbeat needs at least one Elasticsearch URL")
        urls = list(self.elasticsearch_urls)
        if self.monitoring is not None:
            if not self.monitoring.urls:
                raise ValueError("stack monitoring needs at least one service to monitor")
            urls += self.monitoring.urls
        for url in urls:
            if not _URL.fullmatch(url):
                raise ValueError(f"not a scheme://host:port URL: {url!r}")


def _tls(url: str, ca_path: str) -> dict[str, object]:
    """CA and full verification for an HTTPS endpoint; nothing for plain HTTP."""
    if not url.startswith("https://"):
        return {}
    return {"ssl.certificate_authorities": [ca_path], "ssl.verification_mode": "full"}


def modules(options: MetricbeatYmlOptions) -> list[dict[str, object]]:
    """``metricbeat.modules``: this host's system and containers, then (optionally) the stack."""
    out: list[dict[str, object]] = [
        {"module": "system", "metricsets": list(SYSTEM_METRICSETS), "enabled": True, "period": options.period,
         "hostfs": HOSTFS, "cpu.metrics": ["percentages", "normalized_percentages"]},
        {"module": "docker", "metricsets": list(DOCKER_METRICSETS), "enabled": True, "period": options.period,
         "hosts": [f"unix://{DOCKER_SOCKET}"]},
    ]
    m = options.monitoring
    if m is None:
        return out
    login = {"username": MONITORING_USER, "password": env_reference(m.password_env)}
    if m.elasticsearch_urls:
        out.append({"module": "elasticsearch", "xpack.enabled": True, "enabled": True, "period": options.period,
                    "scope": "node", "hosts": list(m.elasticsearch_urls), **login, **_tls(m.elasticsearch_urls[0], options.ca_path)})
    if m.kibana_url:
        out.append({"module": "kibana", "xpack.enabled": True, "enabled": True, "period": options.period,
                    "hosts": [m.kibana_url], **login, **_tls(m.kibana_url, options.ca_path)})
    if m.logstash_urls:
        out.append({"module": "logstash", "xpack.enabled": True, "enabled": True, "period": options.period,
                    "hosts": list(m.logstash_urls)})
    return out


def metricbeat_config(options: MetricbeatYmlOptions) -> dict[str, object]:
    """The document as data (tests parse the text back and compare with this)."""
    return {
        "name": options.name,
        "path.data": DATA_DIR,
        "metricbeat.modules": modules(options),
        "output.elasticsearch": {
            "hosts": list(options.elasticsearch_urls),
            "username": options.writer_user,
            "password": env_reference(options.writer_password_env),
            "index": INDEX,
            **_tls(options.elasticsearch_urls[0], options.ca_path),
        },
        "setup.template.enabled": False,
        "setup.template.name": TEMPLATE_NAME,
        "setup.template.pattern": TEMPLATE_PATTERN,
        "setup.ilm.enabled": False,
    }


def render_metricbeat_yml(options: MetricbeatYmlOptions) -> str:
    return render_yaml_document(metricbeat_config(options), header=_HEADER)
