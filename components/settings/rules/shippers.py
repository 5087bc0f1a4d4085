"""Rules about Filebeat and Metricbeat across sections: what the shippers need of Logstash."""

from __future__ import annotations

from components.settings.model import StackSettings
from components.settings.problems import Problems
from components.settings.rules.registry import rule

MUTUAL_TLS_WITHOUT_TLS = (
    "true asks every Filebeat for a client certificate, but logstash.beats_tls is false, so the Beats input "
    "serves no TLS at all; set logstash.beats_tls: true as well"
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
