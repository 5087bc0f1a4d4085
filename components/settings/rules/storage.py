"""Rules about where data lives and for how long: ILM phases, snapshot schedule, location, retention."""

from __future__ import annotations

import posixpath

from components.render import elasticsearch_yml as es_yml
from components.settings import es_cron
from components.settings.model import Lifecycle, StackSettings
from components.settings.problems import Problems
from components.settings.rules.registry import rule, seconds

WARM_BEFORE_ROLLOVER = "{warm} is before the hot phase's rollover_max_age ({rollover}); warm must start at or after rollover"
DELETE_NOT_AFTER_WARM = "{delete} is not after warm_min_age ({warm}); delete must come after warm"
SHRINK_NOT_ONE = "{shards} is more than the 1 primary shard the templates create; shrink can only reduce, use 1"
CRON = "{schedule!r} {problem}"
MIN_OVER_MAX = (
    "{min} is more than snapshots.max_count ({max}); SLM keeps at least min_count and at most max_count snapshots, "
    "so min_count may be at most {max}"
)
LOCATION_NOT_NORMAL = (
    "{location!r} is not a plain absolute path; write it without '.', '..', '//' or a trailing '/', e.g. /backup/elasticsearch"
)
LOCATION_COLLIDES = (
    "{location!r} {how} {path}, which the Elasticsearch image uses ({what}); the backup volume mounted there would "
    "{effect}. Use a path of its own, e.g. /backup/elasticsearch"
)

#: Paths of the Elasticsearch image (8.19 Dockerfile: ES_HOME /usr/share/elasticsearch) that a
#: mount must neither cover nor sit inside, and the system directories of the image.
ES_HOME = posixpath.dirname(es_yml.DATA_DIR)
IMAGE_PATHS = {
    es_yml.DATA_DIR: "the node's data volume",
    es_yml.CONFIG_DIR: "configuration, certificates and the keystore",
    f"{ES_HOME}/logs": "logs",
    f"{ES_HOME}/plugins": "plugins",
    f"{ES_HOME}/modules": "modules",
    f"{ES_HOME}/lib": "the server's jars",
    f"{ES_HOME}/jdk": "the bundled JDK",
    f"{ES_HOME}/bin": "the start scripts",
}
SYSTEM_PATHS = ("/bin", "/boot", "/dev", "/etc", "/home", "/lib", "/lib64", "/opt", "/proc", "/root", "/run", "/sbin", "/sys",
                "/tmp", "/usr", "/var")


@rule("index_management.logs", "index_management.metrics")
def lifecycle_phases_in_order(s: StackSettings, p: Problems) -> None:
    for name, life in (("logs", s.index_management.logs), ("metrics", s.index_management.metrics)):
        _phases_in_order(f"index_management.{name}", life, p)


def _phases_in_order(key: str, life: Lifecycle, p: Problems) -> None:
    if seconds(life.warm_min_age) < seconds(life.rollover_max_age):
        p.error(f"{key}.warm_min_age", WARM_BEFORE_ROLLOVER.format(warm=life.warm_min_age, rollover=life.rollover_max_age))
    if seconds(life.delete_min_age) <= seconds(life.warm_min_age):
        p.error(f"{key}.delete_min_age", DELETE_NOT_AFTER_WARM.format(delete=life.delete_min_age, warm=life.warm_min_age))


@rule("index_management.logs", "index_management.metrics")
def shrink_fits_shards(s: StackSettings, p: Problems) -> None:
    """Our templates create one primary shard; shrink may only reduce the shard count."""
    for name, life in (("logs", s.index_management.logs), ("metrics", s.index_management.metrics)):
        if life.warm_shrink_shards != 1:
            p.error(f"index_management.{name}.warm_shrink_shards", SHRINK_NOT_ONE.format(shards=life.warm_shrink_shards))


@rule("snapshots.schedule")
def snapshot_schedule_is_es_cron(s: StackSettings, p: Problems) -> None:
    """The full Elasticsearch cron grammar (fields, ranges, specials), as the SLM PUT checks it."""
    try:
        es_cron.check(s.snapshots.schedule)
    except es_cron.CronError as error:
        p.error("snapshots.schedule", CRON.format(schedule=s.snapshots.schedule, problem=error))


def _inside(path: str, parent: str) -> bool:
    return path == parent or path.startswith(parent.rstrip("/") + "/")


@rule("snapshots.location")
def snapshot_location_is_its_own(s: StackSettings, p: Problems) -> None:
    """The backup volume is mounted at ``location`` on every node: over an image path it would
    hide the image's files (or the data volume); inside one it would sit in a path Elasticsearch
    manages. A system directory is refused for the same reason."""
    location = s.snapshots.location
    if posixpath.normpath(location) != location or location.startswith("//"):
        p.error("snapshots.location", LOCATION_NOT_NORMAL.format(location=location))
        return
    for path, what in {ES_HOME: "its home", **IMAGE_PATHS}.items():
        if _inside(path, location):
            how = "is" if path == location else "contains"
            p.error("snapshots.location", LOCATION_COLLIDES.format(location=location, how=how, path=path, what=what, effect="hide it"))
            return
    for path, what in IMAGE_PATHS.items():
        if _inside(location, path):
            effect = "sit inside a path Elasticsearch manages"
            p.error("snapshots.location", LOCATION_COLLIDES.format(location=location, how="is inside", path=path, what=what, effect=effect))
            return
    for path in SYSTEM_PATHS:
        if _inside(location, path) and not _inside(location, ES_HOME):
            effect = "hide or shadow files the image needs"
            message = LOCATION_COLLIDES.format(location=location, how="is inside", path=path, what="system files", effect=effect)
            p.error("snapshots.location", message)
            return


@rule("snapshots.min_count", "snapshots.max_count")
def snapshot_counts(s: StackSettings, p: Problems) -> None:
    if s.snapshots.min_count > s.snapshots.max_count:
        p.error("snapshots.min_count", MIN_OVER_MAX.format(min=s.snapshots.min_count, max=s.snapshots.max_count))
