"""Raw stack-file values -> ``StackSettings``; pure, so tests need no Pulumi engine.

Rules that look at one value live next to the read; rules across values live in ``rules/``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping

from components.render import mt4_fields
from components.settings import defaults as d
from components.settings import parse_hosts as hosts
from components.settings import shippers
from components.settings.model import (
    Alerting,
    Elasticsearch,
    ElasticsearchNode,
    Email,
    IndexManagement,
    Kibana,
    Lifecycle,
    Logstash,
    LogstashInstance,
    Network,
    Snapshots,
    StackSettings,
    Tls,
    is_ip_address,
)
from components.settings.problems import Problems
from components.settings.reader import Section
from components.settings.rules import check_all

#: The stack file's top-level keys (under the ``elk-stack:`` namespace).
TOP_LEVEL_KEYS = (
    "elastic_version", "cluster_name", "bootstrap", "license", "volume_policy", "docker_hosts",
    "network", "elasticsearch", "kibana", "logstash", "tls", "index_management", "snapshots",
    "tls_ca_cert", "tls_ca_key", "alerting", "alerting_email_password", "filebeat", "metricbeat",
)


#: Top-level keys that may hold a secret (``pulumi config set --secret``); ``tls_ca_key`` must
#: (the loader refuses it in plain text). Every other value becomes part of container names,
#: labels, rendered files or stack outputs, none of which is secret, so a secret there would
#: leak: it is refused instead.
SECRET_KEYS_ALLOWED = ("tls_ca_cert", "tls_ca_key", "alerting_email_password")
SECRET_NOT_ALLOWED = (
    "is set as a secret, but its values become container names, labels, rendered files and stack outputs, "
    "which are not secret; set it in plain text (`pulumi config set` without --secret). Only {allowed} may be secret"
)

_ONE_DOCKER_HOST = "Docker host, e.g. {name: local, url: unix:///var/run/docker.sock}"


def parse_settings(
    raw: Mapping[str, object], problems: Problems, *, own_ca: bool, secret_keys: frozenset[str] = frozenset()
) -> StackSettings:
    """Read every section, apply every rule whose inputs read cleanly; the caller raises
    ``problems`` if any. ``secret_keys``: the top-level keys set with ``--secret``."""
    for key in sorted(secret_keys - set(SECRET_KEYS_ALLOWED)):
        allowed = ", ".join(SECRET_KEYS_ALLOWED[:-1]) + " and " + SECRET_KEYS_ALLOWED[-1]
        problems.error(key, SECRET_NOT_ALLOWED.format(allowed=allowed))
    top = Section(dict(raw), "", problems, secret_keys=secret_keys)
    first_host = hosts.first_host_name(raw)
    host_names = hosts.host_names(raw)
    settings = StackSettings(
        stack_file=problems.stack_file,
        elastic_version=top.str("elastic_version", d.ELASTIC_VERSION, pattern=d.VERSION, what="MAJOR.MINOR.PATCH, e.g. 8.19.25"),
        cluster_name=top.str("cluster_name", "mt4", pattern=d.CLUSTER_NAME, what="lowercase letters, digits, - and _ (max 63)"),
        bootstrap=top.bool("bootstrap", True),
        license=top.str("license", "basic", allowed=("basic", "trial")),  # type: ignore[arg-type]
        volume_policy=top.str("volume_policy", "delete", allowed=("retain", "delete")),  # type: ignore[arg-type]
        docker_hosts=tuple(
            hosts.docker_host(s, several=len(host_names) > 1)
            for s in top.sections("docker_hosts", [dict(d.LOCAL_DOCKER)], at_least_one=_ONE_DOCKER_HOST)
        ),
        network=top.section("network").parse(_network),
        elasticsearch=top.section("elasticsearch").parse(lambda s: _elasticsearch(s, first_host, host_names)),
        kibana=top.section("kibana").parse(lambda s: _kibana(s, first_host)),
        logstash=top.section("logstash").parse(lambda s: _logstash(s, first_host)),
        tls=top.section("tls").parse(lambda s: _tls(s, own_ca)),
        index_management=top.section("index_management").parse(_index_management),
        snapshots=top.section("snapshots").parse(_snapshots),
        alerting=top.section("alerting").parse(_alerting),
        filebeat=top.section("filebeat").parse(lambda s: shippers.filebeat(s, shippers.host_names(raw))),
        metricbeat=top.section("metricbeat").parse(lambda s: shippers.metricbeat(s, shippers.host_names(raw))),
    )
    for name in ("tls_ca_cert", "tls_ca_key"):
        top._get(name)  # read by the loader as secrets; known here so they are not "unknown"
    _email_password(top, settings.alerting, secret_keys)
    top.finish()
    check_all(settings, problems)
    return settings


def _network(s: Section) -> Network:
    bind = s.str("bind_address", "127.0.0.1")
    try:
        ipaddress.ip_address(bind)
    except ValueError:
        s.error("bind_address", f"{s.show(bind)} is not an IP address; use 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)")
        bind = "127.0.0.1"
    public = s.str("public_host", "localhost")
    if not (d.HOST_NAME.fullmatch(public) or is_ip_address(public)):
        s.error("public_host", f"{s.show(public, 'public_host')} is neither a DNS host name nor an IP address")
        public = "localhost"
    sans = s.str_list("extra_sans", ())
    for i, san in enumerate(sans):
        if not (d.HOST_NAME.match(san) or is_ip_address(san)):
            s.problems.error(f"{s.key('extra_sans')}[{i}]", f"{s.show(san)} is neither a DNS name nor an IP address")
    return Network(bind_address=bind, public_host=public, extra_sans=sans)


def _elasticsearch(s: Section, first_host: str, host_names: tuple[str, ...]) -> Elasticsearch:
    sections = s.sections("nodes", [dict(d.DEFAULT_NODE)], at_least_one="node")
    nodes = tuple(n.parse(lambda n, i=i: _node(n, i, first_host, host_names)) for i, n in enumerate(sections))
    return Elasticsearch(
        nodes=nodes,
        allow_mmap=s.bool("allow_mmap", True),
        jvm_options=s.str_list("jvm_options", ()),
    )


def _node(s: Section, index: int, first_host: str, host_names: tuple[str, ...]) -> ElasticsearchNode:
    roles = s.str_list("roles", ("master", "data", "ingest"))
    for role in roles:
        if role not in d.NODE_ROLES:
            s.error("roles", f"{s.show(role)} is not a node role; allowed: {', '.join(d.NODE_ROLES)}")
    hosts.require_node_host(s, host_names)
    http_port = s.int("http_port", 9200 if index == 0 else 0, low=0, high=65535)
    transport_port = hosts.transport_port(s, host_names)
    return ElasticsearchNode(
        name=s.str("name", f"es{index + 1:02d}", pattern=d.DNS_LABEL, what="a lowercase DNS label (a-z, 0-9, -)"),
        roles=tuple(sorted(set(roles))),
        heap_bytes=s.memory("heap", "1g"),
        memory_bytes=s.memory("memory", "2g"),
        host=s.str("host", first_host),
        http_port=http_port or None,
        transport_port=transport_port or None,
    )


def _kibana(s: Section, first_host: str) -> Kibana:
    return Kibana(
        heap_bytes=s.memory("heap", "1g"),
        memory_bytes=s.memory("memory", "2g"),
        port=s.int("port", 5601, low=1, high=65535),
        host=s.str("host", first_host),
        tls=s.bool("tls", False),
    )


PERSISTED_ONLY = "applies only to a persisted queue, but queue_type is memory; remove it or use queue_type: persisted"
ACCEPT_WITHOUT_LOSS = (
    "accepts losing queued events, but queue_type is persisted and the dead letter queue is on, which lose none; remove it"
)
OWN_CA_VALIDITY = "sets the lifetime of the CA the stack makes, but tls_ca_cert brings your own CA; remove it"
EVENT_TYPE_NAME = "{value} is not a routable event type; use lowercase letters, digits and '_' (at most 64, starting with a letter)"
EVENT_TYPE_BUILT_IN = "{value} is {why}; list only event types of your own"
EVENT_TYPE_TWICE = "{value} is listed twice"


def _logstash(s: Section, first_host: str) -> Logstash:
    queue_type = s.str("queue_type", "persisted", allowed=("memory", "persisted"))
    if queue_type == "memory" and s.given("queue_max_bytes"):
        s.error("queue_max_bytes", PERSISTED_ONLY)
    accept_loss = s.bool("accept_losing_queued_events", False)
    dead_letter_queue = s.bool("dead_letter_queue", True)
    if accept_loss and queue_type == "persisted" and dead_letter_queue:
        s.error("accept_losing_queued_events", ACCEPT_WITHOUT_LOSS)
    host = s.str("host", first_host)
    tcp_port = s.int("tcp_port", 5000, low=1, high=65535)
    beats_port = s.int("beats_port", 5044, low=1, high=65535)
    default_instance = {"name": LOGSTASH_FIRST_INSTANCE}
    instances = tuple(
        item.parse(lambda x, i=i: _logstash_instance(x, i, host, tcp_port, beats_port))
        for i, item in enumerate(s.sections("instances", [default_instance], at_least_one="Logstash instance"))
    )
    return Logstash(
        heap_bytes=s.memory("heap", "1g"),
        memory_bytes=s.memory("memory", "2g"),
        host=host,
        tcp_port=tcp_port,
        beats_port=beats_port,
        instances=instances,
        tcp_tls=s.bool("tcp_tls", False),
        beats_tls=s.bool("beats_tls", False),
        pipeline_workers=s.int("pipeline_workers", 2, low=1, high=256),
        batch_size=s.int("batch_size", 125, low=1, high=100_000),
        batch_delay_ms=s.int("batch_delay_ms", 50, low=1, high=60_000),
        queue_type=queue_type,  # type: ignore[arg-type]
        queue_max_bytes=s.byte_size("queue_max_bytes", "1gb"),
        dead_letter_queue=dead_letter_queue,
        sensitive_keys=s.str_list("sensitive_keys", d.SENSITIVE_KEYS),
        event_types=_event_types(s),
        accept_losing_queued_events=accept_loss,
        dead_letter_queue_replay=_dlq_replay(s, dead_letter_queue),
    )


DLQ_REPLAY_WITHOUT_DLQ = "replays the dead letter queue, but dead_letter_queue is false, so there is none; remove it"


def _dlq_replay(s: Section, dead_letter_queue: bool) -> bool:
    replay = s.bool("dead_letter_queue_replay", False)
    if replay and not dead_letter_queue:
        s.error("dead_letter_queue_replay", DLQ_REPLAY_WITHOUT_DLQ)
    return replay


#: The first instance keeps the name of the single Logstash of earlier versions, so its
#: container, alias and volumes keep their names (``<cluster>-logstash``).
LOGSTASH_FIRST_INSTANCE = "logstash"


def _logstash_instance(s: Section, index: int, host: str, tcp_port: int, beats_port: int) -> LogstashInstance:
    """One instance; host and ports default to the section-wide ``logstash.host``/``*_port``."""
    default_name = LOGSTASH_FIRST_INSTANCE if index == 0 else f"{LOGSTASH_FIRST_INSTANCE}{index + 1}"
    return LogstashInstance(
        name=s.str("name", default_name, pattern=d.DNS_LABEL, what="a lowercase DNS label (a-z, 0-9, -)"),
        host=s.str("host", host),
        tcp_port=s.int("tcp_port", tcp_port, low=1, high=65535),
        beats_port=s.int("beats_port", beats_port, low=1, high=65535),
        given=frozenset(k for k in ("host", "tcp_port", "beats_port") if s.given(k)),
    )


def _event_types(s: Section) -> tuple[str, ...]:
    values = s.str_list("event_types", ())
    seen: set[str] = set()
    for i, value in enumerate(values):
        key = f"{s.key('event_types')}[{i}]"
        if not d.EVENT_TYPE.fullmatch(value):
            s.problems.error(key, EVENT_TYPE_NAME.format(value=s.show(value)))
        elif value in mt4_fields.ROUTED_EVENT_TYPES:
            s.problems.error(key, EVENT_TYPE_BUILT_IN.format(value=s.show(value), why="an MT4 event type, routed already"))
        elif value in mt4_fields.RESERVED_DATASETS:
            s.problems.error(key, EVENT_TYPE_BUILT_IN.format(value=s.show(value), why="the name of a stream the pipeline keeps for itself"))
        elif value in seen:
            s.problems.error(key, EVENT_TYPE_TWICE.format(value=s.show(value)))
        seen.add(value)
    return values


def _tls(s: Section, own_ca: bool) -> Tls:
    if own_ca and s.given("ca_validity_hours"):
        s.error("ca_validity_hours", OWN_CA_VALIDITY)
    return Tls(
        validity_hours=s.int("validity_hours", 8760, low=24, high=87600),
        early_renewal_hours=s.int("early_renewal_hours", 720, low=0, high=87600),
        ca_validity_hours=s.int("ca_validity_hours", 87600, low=24, high=876000),
        own_ca=own_ca,
    )


def _lifecycle(s: Section, defaults: Mapping[str, str | int]) -> Lifecycle:
    return Lifecycle(
        rollover_max_age=s.time_value("rollover_max_age", str(defaults["rollover_max_age"])),
        rollover_max_primary_shard_size=s.byte_size("rollover_max_primary_shard_size", str(defaults["rollover_max_primary_shard_size"])),
        warm_min_age=s.time_value("warm_min_age", str(defaults["warm_min_age"])),
        warm_shrink_shards=s.int("warm_shrink_shards", int(defaults["warm_shrink_shards"]), low=1, high=1024),
        delete_min_age=s.time_value("delete_min_age", str(defaults["delete_min_age"])),
    )


#: The seed guide's mt4-logs-policy: rollover at 5 GB or 7 days, warm at 7d (shrink to 1), delete at 30d.
LOGS_LIFECYCLE = {
    "rollover_max_age": "7d", "rollover_max_primary_shard_size": "5gb",
    "warm_min_age": "7d", "warm_shrink_shards": 1, "delete_min_age": "30d",
}
#: Metrics are smaller and older metrics matter less: daily rollover, kept 14 days.
METRICS_LIFECYCLE = {
    "rollover_max_age": "1d", "rollover_max_primary_shard_size": "5gb",
    "warm_min_age": "2d", "warm_shrink_shards": 1, "delete_min_age": "14d",
}


def _index_management(s: Section) -> IndexManagement:
    return IndexManagement(
        logs=s.section("logs").parse(lambda x: _lifecycle(x, LOGS_LIFECYCLE)),
        metrics=s.section("metrics").parse(lambda x: _lifecycle(x, METRICS_LIFECYCLE)),
        replicas=s.int("replicas", 0, low=0, high=32),
        refresh_interval=s.time_value("refresh_interval", "5s"),
        index_mode=s.str("index_mode", "standard", allowed=("standard", "logsdb")),  # type: ignore[arg-type]
        failure_store=s.bool("failure_store", True),
    )


def _snapshots(s: Section) -> Snapshots:
    return Snapshots(
        repository=s.str("repository", "mt4_backup", pattern=d.ES_NAME, what="lowercase letters, digits, - and _"),
        location=s.str("location", "/backup/elasticsearch", pattern=d.ABSOLUTE_PATH, what="an absolute path inside the container"),
        schedule=s.str("schedule", "0 30 1 * * ?"),
        expire_after=s.time_value("expire_after", "30d"),
        # SLM refuses a min_count below 1 (SnapshotRetentionConfiguration).
        min_count=s.int("min_count", 5, low=1, high=10_000),
        max_count=s.int("max_count", 50, low=1, high=10_000),
        nfs=s.section("nfs").parse(hosts.nfs),
    )


EMAIL_ADDRESS_HINT = "an email address such as alerts@example.com"
EMAIL_NEEDS = "is required when alerting.email.to lists a recipient; {hint}"
EMAIL_PASSWORD_PLAIN = (
    "is stored in plain text; set it with `pulumi config set --secret alerting_email_password` (it goes only into "
    "Kibana's encrypted connector secrets and, with Watcher, the nodes' keystores)"
)
EMAIL_PASSWORD_MISSING = "is required when alerting.email.user is set; set it with `pulumi config set --secret alerting_email_password`"
EMAIL_PASSWORD_UNUSED = "is set, but alerting.email.user is not (a password without a user is never sent); set both or neither"


def _alerting(s: Section) -> Alerting:
    return Alerting(watcher=s.bool("watcher", False), email=s.section("email").parse(_email))


def _email(s: Section) -> Email | None:
    to = s.str_list("to", ())
    for i, address in enumerate(to):
        if not d.EMAIL_ADDRESS.fullmatch(address):
            s.problems.error(f"{s.key('to')}[{i}]", f"{s.show(address)} is not {EMAIL_ADDRESS_HINT}")
    sender = s.str("from", "", pattern=d.EMAIL_ADDRESS, what=EMAIL_ADDRESS_HINT)
    host = s.str("host", "", pattern=d.HOST_NAME, what="the SMTP server's host name")
    port = s.int("port", d.SMTP_PORT, low=1, high=65535)
    user = s.str("user", "")
    if not to:
        return None
    for name, value, hint in (("from", sender, EMAIL_ADDRESS_HINT), ("host", host, "the SMTP server's host name")):
        if not value and not s.given(name):
            s.error(name, EMAIL_NEEDS.format(hint=hint))
    return Email(to=to, sender=sender, host=host, port=port, user=user)


def _email_password(top: Section, alerting: Alerting, secret_keys: frozenset[str]) -> None:
    """The SMTP password: a secret top-level key, checked here for presence only (its value
    never enters the settings; like tls_ca_key, it must be set with --secret)."""
    # The loader may keep a secret's value out of ``raw`` (as it does for tls_ca_key): a key set
    # with --secret counts as given either way.
    given = top._get("alerting_email_password") is not None or "alerting_email_password" in secret_keys
    user = alerting.email.user if alerting.email else ""
    if given and "alerting_email_password" not in secret_keys:
        top.error("alerting_email_password", EMAIL_PASSWORD_PLAIN)
    if user and not given:
        top.error("alerting_email_password", EMAIL_PASSWORD_MISSING)
    if given and not user:
        top.error("alerting_email_password", EMAIL_PASSWORD_UNUSED)
