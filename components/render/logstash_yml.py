"""``logstash.yml`` and ``pipelines.yml`` for the Logstash 8.19 container.

Pure text rendering: plain values in, YAML text out (no Pulumi here). Every key written is
listed, with its source page, in ``tests/contracts/logstash_yml_settings_8.19.json``.

The official image ships ``/usr/share/logstash/config/logstash.yml`` containing only
``http.host: "0.0.0.0"`` (the deprecated name of ``api.http.host``) and
``xpack.monitoring.elasticsearch.hosts: [ "http://elasticsearch:9200" ]``. The file rendered
here replaces that file entirely: nothing of it survives, so every setting we rely on is written
explicitly. The image's entrypoint (``env2yaml``) rewrites ``logstash.yml`` in place when an
environment variable's name matches a setting once lower-cased with ``.``/``_`` removed (e.g.
``PIPELINE_WORKERS``, ``LOG_LEVEL``); give the container no such variables, or the uploaded file
is modified (and a read-only mount makes the entrypoint fail).
Reference: https://www.elastic.co/guide/en/logstash/8.19/docker-config.html

The image's ``pipelines.yml`` points at the *directory* ``/usr/share/logstash/pipeline``, which
also holds the image's sample ``logstash.conf`` (a Beats input on 5044 printing to stdout);
ours names the pipeline file itself, so that sample is never loaded.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

from components.render.yaml_text import render_yaml_document

QueueType = Literal["memory", "persisted"]
LogLevel = Literal["fatal", "error", "warn", "info", "debug", "trace"]
LogFormat = Literal["plain", "json"]

#: Data directory of the official image (persisted queue and DLQ live below it).
DEFAULT_PATH_DATA: Final = "/usr/share/logstash/data"
#: Where the component uploads the rendered MT4 pipeline.
DEFAULT_PIPELINE_PATH: Final = "/usr/share/logstash/pipeline/mt4.conf"
#: Mount points of the persistent-queue and dead-letter-queue volumes (``path.queue``,
#: ``path.dead_letter_queue``): each on a volume of its own, apart from ``path.data``, so one can be
#: sized, backed up or inspected without the other. Logstash keeps one subdirectory per pipeline id
#: under each (logstash.yml reference: "Each pipeline will group its PQ files in a subdirectory
#: matching its pipeline.id"). Outside the image's home: no image directory is there, so a fresh
#: volume is root-owned and a root helper hands it to the image user (images_8.19.json).
DEFAULT_PATH_QUEUE: Final = "/var/lib/logstash/queue"
DEFAULT_PATH_DEAD_LETTER_QUEUE: Final = "/var/lib/logstash/dead_letter_queue"
#: Port of the Logstash monitoring API (the container healthcheck queries it).
API_HTTP_PORT: Final = 9600

_BYTE_SIZE = re.compile(r"[1-9][0-9]*(b|kb|mb|gb|tb|pb)")
_PIPELINE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
_HEADER: Final = ("Rendered by elk-stack (components/render/logstash_yml.py); replaced on every deployment.",)


@dataclass(frozen=True, kw_only=True)
class LogstashYmlOptions:
    """Plain values ``logstash.yml`` is rendered from."""

    node_name: str = "logstash"
    """``node.name``: shown by the monitoring API and in Stack Monitoring."""

    api_http_host: str = "0.0.0.0"
    """``api.http.host``: bind address of the monitoring API. ``0.0.0.0`` so the API also answers
    on the container network (the healthcheck runs inside the container and would be served by
    ``127.0.0.1`` too; Metricbeat in another container needs the network address). The API has no
    authentication here: do not publish port 9600 on the host."""

    api_http_port: int = API_HTTP_PORT
    """``api.http.port``: a single port (the default is the range 9600-9700)."""

    pipeline_workers: int = 2
    """``pipeline.workers``: filter+output threads per pipeline (default: CPU cores)."""

    pipeline_batch_size: int = 125
    """``pipeline.batch.size``: events per worker batch (and per bulk request)."""

    pipeline_batch_delay_ms: int = 50
    """``pipeline.batch.delay``: milliseconds to wait for a batch to fill."""

    queue_type: QueueType = "persisted"
    """``queue.type``: ``persisted`` keeps accepted events across restarts (needs ``path.data`` on
    a volume); ``memory`` loses in-flight events on a crash."""

    queue_max_bytes: str = "1gb"
    """``queue.max_bytes``: disk cap of the persisted queue (written only when persisted)."""

    dead_letter_queue_enable: bool = True
    """``dead_letter_queue.enable``: keep events Elasticsearch rejected with 400/404."""

    dead_letter_queue_max_bytes: str = "1gb"
    """``dead_letter_queue.max_bytes``: disk cap of the DLQ (written only when enabled)."""

    path_data: str = DEFAULT_PATH_DATA
    """``path.data``: the image's data directory; mount a volume here (it also keeps the replay
    input's committed DLQ position, ``plugins/inputs/dead_letter_queue``)."""

    path_queue: str | None = None
    """``path.queue`` (persisted queue only); None: Logstash's default ``<path.data>/queue``."""

    path_dead_letter_queue: str | None = None
    """``path.dead_letter_queue`` (DLQ on only); None: ``<path.data>/dead_letter_queue``."""

    log_level: LogLevel = "info"
    """``log.level`` of Logstash's own log."""

    log_format: LogFormat = "json"
    """``log.format`` of Logstash's own log on stdout (JSON is easier to ship later)."""

    def __post_init__(self) -> None:
        """Reject values Logstash would refuse at startup."""
        _check_name(self.node_name, "node_name")
        _check_name(self.api_http_host, "api_http_host")
        if not 1 <= self.api_http_port <= 65535:
            raise ValueError(f"api_http_port out of range: {self.api_http_port}")
        _check_positive(self.pipeline_workers, "pipeline_workers")
        _check_positive(self.pipeline_batch_size, "pipeline_batch_size")
        if self.pipeline_batch_delay_ms < 0:
            raise ValueError("pipeline_batch_delay_ms must be >= 0")
        _check_byte_size(self.queue_max_bytes, "queue_max_bytes")
        _check_byte_size(self.dead_letter_queue_max_bytes, "dead_letter_queue_max_bytes")
        for path, what in ((self.path_data, "path_data"), (self.path_queue, "path_queue"),
                           (self.path_dead_letter_queue, "path_dead_letter_queue")):
            if path is not None and not path.startswith("/"):
                raise ValueError(f"{what} must be absolute: {path!r}")
        if self.path_queue is not None and self.queue_type != "persisted":
            raise ValueError("path_queue applies to a persisted queue only")
        if self.path_dead_letter_queue is not None and not self.dead_letter_queue_enable:
            raise ValueError("path_dead_letter_queue applies only with the dead letter queue on")


@dataclass(frozen=True, kw_only=True)
class PipelineSpec:
    """One entry of ``pipelines.yml``; ``None`` settings fall back to ``logstash.yml``."""

    pipeline_id: str = "mt4"
    """``pipeline.id``: also names the pipeline's queue and DLQ directories."""

    path_config: str = DEFAULT_PIPELINE_PATH
    """``path.config``: the pipeline file inside the container."""

    workers: int | None = None
    """``pipeline.workers`` for this pipeline only."""

    batch_size: int | None = None
    """``pipeline.batch.size`` for this pipeline only."""

    queue_type: QueueType | None = None
    """``queue.type`` for this pipeline only."""

    queue_max_bytes: str | None = None
    """``queue.max_bytes`` for this pipeline only."""

    def __post_init__(self) -> None:
        """Reject values Logstash would refuse at startup."""
        if not _PIPELINE_ID.fullmatch(self.pipeline_id):
            raise ValueError(f"pipeline ids must match {_PIPELINE_ID.pattern}: {self.pipeline_id!r}")
        if not self.path_config.startswith("/"):
            raise ValueError(f"path_config must be absolute: {self.path_config!r}")
        for value, what in ((self.workers, "workers"), (self.batch_size, "batch_size")):
            if value is not None:
                _check_positive(value, what)
        if self.queue_max_bytes is not None:
            _check_byte_size(self.queue_max_bytes, "queue_max_bytes")


def render_logstash_yml(options: LogstashYmlOptions) -> str:
    """``logstash.yml`` text (flat keys, fixed order).

    Settings reference: https://www.elastic.co/guide/en/logstash/8.19/logstash-settings-file.html
    ``xpack.monitoring.enabled``: https://www.elastic.co/guide/en/logstash/8.19/monitoring-settings-legacy.html
    (legacy internal collection stays off; Metricbeat will collect from the API).
    ``api.http.host``/``api.http.port`` replace the deprecated ``http.host``/``http.port``.
    """
    settings: dict[str, object] = {
        "node.name": options.node_name,
        "path.data": options.path_data,
        "api.enabled": True,
        "api.http.host": options.api_http_host,
        "api.http.port": options.api_http_port,
        "pipeline.ecs_compatibility": "v8",
        "pipeline.workers": options.pipeline_workers,
        "pipeline.batch.size": options.pipeline_batch_size,
        "pipeline.batch.delay": options.pipeline_batch_delay_ms,
        "queue.type": options.queue_type,
    }
    if options.queue_type == "persisted":
        settings["queue.max_bytes"] = options.queue_max_bytes
        if options.path_queue is not None:
            settings["path.queue"] = options.path_queue
    settings["dead_letter_queue.enable"] = options.dead_letter_queue_enable
    if options.dead_letter_queue_enable:
        settings["dead_letter_queue.max_bytes"] = options.dead_letter_queue_max_bytes
        if options.path_dead_letter_queue is not None:
            settings["path.dead_letter_queue"] = options.path_dead_letter_queue
    settings |= {
        "config.reload.automatic": False,
        "log.level": options.log_level,
        "log.format": options.log_format,
        "xpack.monitoring.enabled": False,
    }
    return render_yaml_document(settings, header=_HEADER)


def render_pipelines_yml(pipelines: Sequence[PipelineSpec]) -> str:
    """``pipelines.yml`` text: one entry per pipeline, sorted by id.

    Reference: https://www.elastic.co/guide/en/logstash/8.19/multiple-pipelines.html
    """
    if not pipelines:
        raise ValueError("at least one pipeline is required")
    ids = [spec.pipeline_id for spec in pipelines]
    if len(set(ids)) != len(ids):
        raise ValueError(f"pipeline ids must be unique: {sorted(ids)}")
    entries = [_pipeline_entry(spec) for spec in sorted(pipelines, key=lambda spec: spec.pipeline_id)]
    return render_yaml_document(entries, header=_HEADER)


def _pipeline_entry(spec: PipelineSpec) -> dict[str, object]:
    """The settings of one pipeline, optional ones only when set."""
    entry: dict[str, object] = {"pipeline.id": spec.pipeline_id, "path.config": spec.path_config}
    optional = (
        ("pipeline.workers", spec.workers),
        ("pipeline.batch.size", spec.batch_size),
        ("queue.type", spec.queue_type),
        ("queue.max_bytes", spec.queue_max_bytes),
    )
    entry |= {key: value for key, value in optional if value is not None}
    return entry


def _check_positive(value: int, what: str) -> None:
    """A count that must be at least 1."""
    if value < 1:
        raise ValueError(f"{what} must be >= 1, got {value}")


def _check_byte_size(value: str, what: str) -> None:
    """A Logstash byte size such as ``1024mb`` or ``1gb``."""
    if not _BYTE_SIZE.fullmatch(value):
        raise ValueError(f"{what} must look like 1024mb or 1gb, got {value!r}")


def _check_name(value: str, what: str) -> None:
    """A non-empty single-line value."""
    if not value or any(ch in value for ch in "\n\r\"'${}"):
        raise ValueError(f"unsafe {what}: {value!r}")
