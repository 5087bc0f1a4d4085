"""Rules about Filebeat and Metricbeat across sections: what the shippers need of Logstash."""

from __future__ import annotations

from components.settings.model import StackSettings
from components.settings.problems import Problems
from components.settings.rules.registry import rule

MUTUAL_TLS_WITHOUT_TLS = (
    "true asks every Filebeat for a client certificate, but logstash.beats_tls is false, so the Beats input "
    "serves no TLS at all; set logstash.beats_tls: true as well"
)
UNMONITORED_HOST = (
    "does not list Docker host {host!r}, which runs {what}: with stack_monitoring each Metricbeat monitors the "
    "services on its own host, so these would be missing from Stack Monitoring. Add {host} to metricbeat.hosts, or "
    "set metricbeat.stack_monitoring: false"
)
PLAIN_BEATS_ON_PROTECTED_STACK = (
    "is false while this stack protects its data (volume_policy: retain): Filebeat would ship the MT4 logs in "
    "plain text; set logstash.beats_tls: true (and filebeat.mutual_tls: true) or filebeat.enabled: false"
)


@rule("filebeat.mutual_tls", "logstash.beats_tls")
def mutual_tls_needs_beats_tls(s: StackSettings, p: Problems) -> None:
    if s.filebeat.enabled and s.filebeat.mutual_tls and not s.logstash.beats_tls:
        p.error("filebeat.mutual_tls", MUTUAL_TLS_WITHOUT_TLS)


@rule("filebeat.enabled", "logstash.beats_tls", "volume_policy")
def protected_stack_ships_over_tls(s: StackSettings, p: Problems) -> None:
    """Prod-shaped stacks (protected volumes) should not ship trading logs in clear text; a warning,
    like ``mmap_off_is_for_dev``: a stack behind its own encrypted network may choose it."""
    if s.filebeat.enabled and s.protect_volumes and not s.logstash.beats_tls:
        p.warn("logstash.beats_tls", PLAIN_BEATS_ON_PROTECTED_STACK)


@rule("metricbeat.enabled", "metricbeat.hosts", "metricbeat.stack_monitoring", "elasticsearch.nodes[*].host", "kibana.host",
      "logstash.instances[*].host", "logstash.host")
def every_monitored_host_has_a_metricbeat(s: StackSettings, p: Problems) -> None:
    mb = s.metricbeat
    if not (mb.enabled and mb.stack_monitoring):
        return
    services: dict[str, list[str]] = {}
    for node in s.elasticsearch.nodes:
        services.setdefault(node.host, []).append(node.name)
    services.setdefault(s.kibana.host, []).append("kibana")
    for instance in s.logstash.instances:
        services.setdefault(instance.host, []).append(instance.name)
    for host in (h.name for h in s.docker_hosts):
        if host in services and host not in mb.hosts:
            p.error("metricbeat.hosts", UNMONITORED_HOST.format(host=host, what=", ".join(services[host])))
