"""Every stack-file key with its default and meaning: the source of README's settings table.

``scripts/settings_table.py`` renders the table from this list; tests check that README.md holds
exactly that table, that the parser reads exactly these keys, and that writing every documented
default into a stack file yields the same settings as leaving it out. So the table, the parser
and the defaults cannot drift apart.

``default`` is YAML as an operator would write it; ``None`` when the default is not one value
(it depends on position or on another key) and ``doc_default`` says it in words.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Key:
    path: str
    """Key path under ``elk-stack:``; ``[]`` marks a list item's key."""
    default: str | None
    meaning: str
    doc_default: str = ""

    @property
    def shown_default(self) -> str:
        return self.doc_default or (f"`{self.default}`" if self.default is not None else "none")


_LOGS = "logs ILM (the seed's mt4-logs-policy)"
_METRICS = "metrics ILM (daily rollover, 14 days)"

KEYS: tuple[Key, ...] = (
    Key("elastic_version", "8.19.25", "one version for every image; 8.19.x only"),
    Key("cluster_name", "mt4", "`cluster.name`, prefix of container, volume and network names"),
    Key("bootstrap", "true", "first up of a multi-node cluster: masters are created together (see above)"),
    Key("license", "basic", "`basic` or `trial`"),
    Key("volume_policy", "delete", "`retain`: data and backup volumes protected and retained on destroy"),
    Key("docker_hosts", None, "the Docker engines", doc_default="`[{name: local, url: unix:///var/run/docker.sock}]`"),
    Key("docker_hosts[].name", None, "a lowercase DNS label that `host` keys refer to", doc_default="required"),
    Key("docker_hosts[].url", None, "Docker API address: `unix://`, `ssh://` or `tcp://`", doc_default="required"),
    Key("docker_hosts[].address", None, "IP or DNS name other hosts and this program reach the host on",
        doc_default="required with several hosts"),
    Key("network.bind_address", "127.0.0.1",
        "address every published port listens on (`0.0.0.0`: every interface; required with several hosts)"),
    Key("network.public_host", "localhost",
        "one host: the name or IP in URLs and certificates, resolving to the Docker host; several hosts: one more certificate name"),
    Key("network.extra_sans", "[]", "more DNS names or IPs the certificates carry (IPs go into IP SANs)"),
    Key("elasticsearch.nodes", None, "the nodes", doc_default="one `es01`"),
    Key("elasticsearch.nodes[].name", None, "node and container name (a DNS label)", doc_default="`es01`, `es02`, ... by position"),
    Key("elasticsearch.nodes[].roles", "[master, data, ingest]", "node roles (8.19 names)"),
    Key("elasticsearch.nodes[].heap", "1g", "JVM heap (Xms = Xmx), at most 50% of `memory`"),
    Key("elasticsearch.nodes[].memory", "2g", "container memory limit"),
    Key("elasticsearch.nodes[].host", None, "Docker host the node runs on",
        doc_default="the first Docker host; required with several hosts"),
    Key("elasticsearch.nodes[].http_port", None, "published HTTPS port, 0 = not published",
        doc_default="`9200` for the first node, else `0`"),
    Key("elasticsearch.nodes[].transport_port", None, "published transport port on the host's address (several hosts only)",
        doc_default="`9300` with several hosts, else unpublished"),
    Key("elasticsearch.allow_mmap", "true", "`false` avoids the `vm.max_map_count` sysctl (dev)"),
    Key("elasticsearch.jvm_options", "[]", "extra JVM flags, one per line (heap flags refused)"),
    Key("kibana.heap", "1g", "Node.js heap, at most 75% of `memory`"),
    Key("kibana.memory", "2g", "container memory limit"),
    Key("kibana.port", "5601", "published port"),
    Key("kibana.host", None, "Docker host", doc_default="the first Docker host"),
    Key("kibana.tls", "false", "serve Kibana over HTTPS"),
    Key("logstash.heap", "1g", "JVM heap, at most 75% of `memory`"),
    Key("logstash.memory", "2g", "container memory limit"),
    Key("logstash.host", None, "Docker host of every instance that names none", doc_default="the first Docker host"),
    Key("logstash.tcp_port", "5000", "published `json_lines` TCP input of every instance that names none"),
    Key("logstash.beats_port", "5044", "published Beats (Lumberjack v2) input of every instance that names none"),
    Key("logstash.instances", None, "the Logstash containers (same pipeline; each its own queue and DLQ volumes)",
        doc_default="one `logstash`"),
    Key("logstash.instances[].name", None, "container name suffix and network alias (a DNS label)",
        doc_default="`logstash`, `logstash2`, ... by position"),
    Key("logstash.instances[].host", None, "Docker host", doc_default="`logstash.host`"),
    Key("logstash.instances[].tcp_port", None, "published TCP port", doc_default="`logstash.tcp_port`"),
    Key("logstash.instances[].beats_port", None, "published Beats port", doc_default="`logstash.beats_port`"),
    Key("logstash.tcp_tls", "false", "TLS on the TCP input"),
    Key("logstash.beats_tls", "false", "TLS on the Beats input"),
    Key("logstash.pipeline_workers", "2", "`pipeline.workers`"),
    Key("logstash.batch_size", "125", "`pipeline.batch.size`"),
    Key("logstash.batch_delay_ms", "50", "`pipeline.batch.delay`"),
    Key("logstash.queue_type", "persisted", "`persisted` (on its volume) or `memory`"),
    Key("logstash.queue_max_bytes", "1gb", "persisted queue size (persisted queue only)"),
    Key("logstash.dead_letter_queue", "true", "keep events Elasticsearch rejected"),
    Key("logstash.sensitive_keys", "[password, secret, token, api_key, authorization]", "field names redacted at any depth"),
    Key("logstash.event_types", "[]", "your event types with a stream of their own (others go to `mt4-logs-other`)"),
    Key("logstash.accept_losing_queued_events", "false",
        "required to run a memory queue, or no dead letter queue, with `volume_policy: retain`"),
    Key("logstash.dead_letter_queue_replay", "false", "run the replay pipeline that re-sends the dead letter queue (see Nothing lost)"),
    Key("tls.validity_hours", "8760", "leaf certificate lifetime"),
    Key("tls.early_renewal_hours", "720", "re-issue certificates this long before they expire"),
    Key("tls.ca_validity_hours", "87600", "lifetime of the CA the stack makes (not with your own CA)"),
    Key("tls_ca_cert", None, "your CA certificate (PEM); with `tls_ca_key`"),
    Key("tls_ca_key", None, "your CA key (PEM), set with `--secret`"),
    Key("index_management.logs.rollover_max_age", "7d", f"{_LOGS}: rollover age"),
    Key("index_management.logs.rollover_max_primary_shard_size", "5gb", f"{_LOGS}: rollover size"),
    Key("index_management.logs.warm_min_age", "7d", f"{_LOGS}: warm phase (shrink, force-merge)"),
    Key("index_management.logs.warm_shrink_shards", "1", f"{_LOGS}: shards after shrink"),
    Key("index_management.logs.delete_min_age", "30d", f"{_LOGS}: delete"),
    Key("index_management.metrics.rollover_max_age", "1d", f"{_METRICS}: rollover age"),
    Key("index_management.metrics.rollover_max_primary_shard_size", "5gb", f"{_METRICS}: rollover size"),
    Key("index_management.metrics.warm_min_age", "2d", f"{_METRICS}: warm phase"),
    Key("index_management.metrics.warm_shrink_shards", "1", f"{_METRICS}: shards after shrink"),
    Key("index_management.metrics.delete_min_age", "14d", f"{_METRICS}: delete"),
    Key("index_management.replicas", "0", "replicas of every mt4 index"),
    Key("index_management.refresh_interval", "5s", "`index.refresh_interval`"),
    Key("index_management.index_mode", "standard", "`index.mode` of the mt4 data streams: `standard` or `logsdb` (see Storage)"),
    Key("index_management.failure_store", "true", "rejected documents go to `<stream>::failures` (see Nothing lost)"),
    Key("snapshots.repository", "mt4_backup", "fs snapshot repository name"),
    Key("snapshots.location", "/backup/elasticsearch", "backup volume mount and `path.repo` (not an image path)"),
    Key("snapshots.schedule", "'0 30 1 * * ?'", "SLM schedule, Elasticsearch cron (seconds first)"),
    Key("snapshots.expire_after", "30d", "SLM retention"),
    Key("snapshots.min_count", "5", "SLM keeps at least this many"),
    Key("snapshots.max_count", "50", "SLM keeps at most this many"),
    Key("snapshots.nfs.server", None, "NFS server of the shared backup volume (required when nodes run on several hosts)",
        doc_default="none: a local volume"),
    Key("snapshots.nfs.export", None, "exported path on that server", doc_default="required with `server`"),
    Key("snapshots.nfs.options", None, "more NFS mount options after `addr=<server>,rw`", doc_default="`[]`"),
    Key("alerting.watcher", "false", "also install the guide's watch in Watcher (needs more than `basic`: `trial`)"),
    Key("alerting.email.to", "[]", "recipients of the error alert's email (needs Gold: `trial`)"),
    Key("alerting.email.from", None, "sender address", doc_default="required with `to`"),
    Key("alerting.email.host", None, "SMTP server", doc_default="required with `to`"),
    Key("alerting.email.port", "587", "SMTP port"),
    Key("alerting.email.user", "''", "SMTP user; empty: no authentication"),
    Key("alerting_email_password", None, "SMTP password, set with `--secret` (required with `alerting.email.user`)"),
    Key("filebeat.enabled", "true", "run Filebeat: the bridge's JSON logs and container logs to Logstash's Beats input"),
    Key("filebeat.hosts", None, "Docker hosts that run a Filebeat each (at least every host with MT4 services)",
        doc_default="every Docker host"),
    Key("filebeat.memory", "256m", "container memory limit of each Filebeat"),
    Key("filebeat.bridge_log_paths", "[/var/log/mt4-bridge/*.json]",
        "the bridge's JSON-lines logs on each host (globs in the file name; directories mounted read-only)"),
    Key("filebeat.container_logs", "true", "also ship every container's json-file log (read-only mount)"),
    Key("filebeat.docker_data_root", "/var/lib/docker", "dockerd's `data-root` on the hosts (container logs are under `containers/`)"),
    Key("filebeat.mutual_tls", "false", "a client certificate per Filebeat; the Beats input requires one (needs `logstash.beats_tls`)"),
    Key("metricbeat.enabled", "true", "run Metricbeat: host and container metrics into `mt4-metrics-system`"),
    Key("metricbeat.hosts", None, "Docker hosts that run a Metricbeat each", doc_default="every Docker host"),
    Key("metricbeat.memory", "256m", "container memory limit of each Metricbeat"),
    Key("metricbeat.period", "10s", "how often every module is sampled"),
    Key("metricbeat.stack_monitoring", "true", "each Metricbeat feeds Stack Monitoring with the nodes, Kibana and Logstash on its host"),
)


def render_table() -> str:
    """The Markdown table README.md shows between its settings markers."""
    lines = ["| key | default | meaning |", "|---|---|---|"]
    lines += [f"| `{k.path}` | {k.shown_default} | {k.meaning} |" for k in KEYS]
    return "\n".join(lines) + "\n"
