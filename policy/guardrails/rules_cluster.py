"""Guardrails on the cluster and its data: masters, protection, snapshots, ILM, Kibana keys,
Logstash's queue, license.

Each rule is a pure function ``(resources, stack) -> Findings``; unknown values are skipped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import PurePosixPath
from typing import Any

from .model import Findings, Resource, Violation, is_unknown, walk_strings
from .views import (
    COMPONENT_TEMPLATE,
    INDEX_TEMPLATE,
    SNAPSHOT_LIFECYCLE,
    SNAPSHOT_REPOSITORY,
    VOLUME,
    WATCH,
    Container,
    containers,
    of_type,
)

#: Kibana's three keys, each at least 32 characters (Kibana 8.19 security settings).
KIBANA_KEYS = ("xpack.encryptedSavedObjects.encryptionKey", "xpack.security.encryptionKey", "xpack.reporting.encryptionKey")
KIBANA_KEY_MIN = 32
#: Connectors a Basic license runs (PITFALLS "Licenses"); every other one needs Gold or better.
BASIC_CONNECTORS = frozenset({".index", ".server-log"})
_CONNECTOR_KEYS = frozenset({"connector_type_id", "connectorTypeId", "actionTypeId", "action_type_id"})
_ENV_REF = re.compile(r"^\$\{(\w+)\}$")


#: components/secret_files.py labels the volumes that hold a service's installed secret files.
SECRET_FILES_ROLE = "secret-files"


def _volume_role(volume: Resource) -> str | None:
    labels = volume.props.get("labels")
    if not isinstance(labels, list):
        return None
    return next((lbl.get("value") for lbl in labels if isinstance(lbl, dict) and lbl.get("label") == "role"), None)


def data_volumes_protected(resources: Sequence[Resource], stack: str) -> Findings:
    """Volumes hold data: ``protect`` (and ``retain_on_delete`` where the source says) on each."""
    found = Findings()
    for volume in of_type(resources, VOLUME):
        if _volume_role(volume) == SECRET_FILES_ROLE:
            # Holds only what the next ``up`` installs again; left behind it would keep keys.
            if volume.protect or volume.retain_on_delete:
                found.violations.append(Violation("data-volumes-protected", "secret-file volume kept on destroy", volume.urn))
            continue
        if not volume.protect:
            found.violations.append(Violation("data-volumes-protected", "volume not protected", volume.urn))
        elif volume.retain_on_delete is False:
            found.violations.append(Violation("data-volumes-protected", "volume protected but not retain_on_delete", volume.urn))
    return found


def odd_masters_at_least_three(resources: Sequence[Resource], stack: str) -> Findings:
    """An odd number >= 3 of master-eligible nodes survives the loss of one without split votes."""
    found = Findings()
    masters, unknown = [], False
    nodes = [c for c in containers(resources) if c.product == "elasticsearch"]
    for c in nodes:
        config = c.config()
        if is_unknown(config):
            unknown = True
            continue
        roles = config.get("node.roles")
        if roles is None or (isinstance(roles, list) and "master" in roles):
            masters.append(c.resource.name)
    if unknown:
        found.skipped.append("a node's elasticsearch.yml is unknown at preview")
    elif nodes and (len(masters) < 3 or len(masters) % 2 == 0):
        found.violations.append(Violation(
            "odd-masters-at-least-three", f"{len(masters)} master-eligible node(s) ({', '.join(sorted(masters))}): need an odd number >= 3"
        ))
    return found


def snapshots_configured(resources: Sequence[Resource], stack: str) -> Findings:
    """A snapshot repository, an SLM policy writing to it, and the repository under ``path.repo``."""
    found = Findings()
    repositories = {r.props.get("name"): r for r in of_type(resources, SNAPSHOT_REPOSITORY)}
    policies = of_type(resources, SNAPSHOT_LIFECYCLE)
    if not repositories:
        found.violations.append(Violation("snapshots-configured", "no snapshot repository"))
    if not policies:
        found.violations.append(Violation("snapshots-configured", "no snapshot lifecycle (SLM) policy"))
    for policy in policies:
        target = policy.props.get("repository")
        if is_unknown(target):
            found.skipped.append(f"{policy.urn}: repository unknown at preview")
        elif target not in repositories:
            found.violations.append(Violation("snapshots-configured", f"SLM policy writes to undeclared repository {target!r}", policy.urn))
    repo_paths = set()
    for c in containers(resources):
        config = c.config() if c.product == "elasticsearch" else None
        if isinstance(config, Mapping):
            paths = config.get("path.repo") or []
            repo_paths |= set(paths if isinstance(paths, list) else [paths])
    for name, repo in repositories.items():
        location = (repo.props.get("fs") or {}).get("location") if isinstance(repo.props.get("fs"), Mapping) else None
        under = any(location == p or location.startswith(p.rstrip("/") + "/") for p in repo_paths) if isinstance(location, str) else True
        if repo_paths and not under:
            message = f"repository {name!r} at {location} is not under path.repo"
            found.violations.append(Violation("snapshots-configured", message, repo.urn))
    return found


def _flat_settings(text: Any) -> dict[str, Any] | None:
    """A settings JSON string -> flat ``index.x.y`` keys (both spellings Elasticsearch accepts)."""
    if not isinstance(text, str):
        return None
    out: dict[str, Any] = {}

    def flatten(value: Any, prefix: str) -> None:
        if isinstance(value, Mapping):
            for key, item in value.items():
                flatten(item, f"{prefix}.{key}" if prefix else key)
        else:
            out[prefix if prefix.startswith("index.") else f"index.{prefix}"] = value

    flatten(json.loads(text), "")
    return out


def _template_settings(resource: Resource) -> Any:
    template = resource.props.get("template")
    if is_unknown(template):
        return template
    return template.get("settings") if isinstance(template, Mapping) else None


def ilm_on_every_template(resources: Sequence[Resource], stack: str) -> Findings:
    """Every index template gets an ILM policy (its own settings or a composed component's):
    without one, an index grows until the disk is full."""
    found = Findings()
    components = {r.props.get("name"): r for r in of_type(resources, COMPONENT_TEMPLATE)}
    for template in of_type(resources, INDEX_TEMPLATE):
        sources = [_template_settings(template)]
        composed = template.props.get("composedOfs") or []
        sources += [_template_settings(components[n]) for n in composed if n in components] if isinstance(composed, list) else []
        if any(is_unknown(s) for s in sources):
            found.skipped.append(f"{template.urn}: template settings unknown at preview")
            continue
        if not any((_flat_settings(s) or {}).get("index.lifecycle.name") for s in sources):
            message = f"template {template.props.get('name')!r} has no index.lifecycle.name"
            found.violations.append(Violation("ilm-on-every-template", message, template.urn))
    return found


def kibana_encryption_keys_set(resources: Sequence[Resource], stack: str) -> Findings:
    """Without fixed keys Kibana makes new ones each start: sessions drop, saved secrets unreadable."""
    found = Findings()
    for c in containers(resources):
        if c.product != "kibana":
            continue
        config, envs = c.config(), c.envs()
        if is_unknown(config):
            found.skipped.append(f"{c.resource.urn}: kibana.yml unknown at preview")
            continue
        for key in KIBANA_KEYS:
            value = config.get(key)
            ref = _ENV_REF.match(value) if isinstance(value, str) else None
            if ref:
                if is_unknown(envs) or is_unknown(envs.get(ref.group(1))):
                    found.skipped.append(f"{c.resource.urn}: {key} from an env var unknown at preview")
                    continue
                value = envs.get(ref.group(1))
            if not isinstance(value, str) or len(value) < KIBANA_KEY_MIN:
                message = f"{key} missing or shorter than {KIBANA_KEY_MIN} characters"
                found.violations.append(Violation("kibana-encryption-keys-set", message, c.resource.urn))
    return found


def logstash_persistent_queue(resources: Sequence[Resource], stack: str) -> Findings:
    """Events Logstash accepted survive a restart only with the persisted queue on a volume, and
    events Elasticsearch refused (400/404) are kept only by the dead letter queue on a volume:
    without it the elasticsearch output logs them and drops them (11.22 ``handle_dlq_response``)."""
    found = Findings()
    for c in containers(resources):
        if c.product != "logstash":
            continue
        config = c.config()
        if is_unknown(config):
            found.skipped.append(f"{c.resource.urn}: logstash.yml unknown at preview")
            continue
        data = str(config.get("path.data", "/usr/share/logstash/data"))
        if config.get("queue.type") != "persisted":
            message = f"queue.type is {config.get('queue.type', 'memory')!r}"
            found.violations.append(Violation("logstash-persistent-queue", message, c.resource.urn))
        elif not _on_volume(c, str(config.get("path.queue", f"{data}/queue"))):
            message = f"the persisted queue ({config.get('path.queue', f'{data}/queue')}) is on no volume: a new container starts empty"
            found.violations.append(Violation("logstash-persistent-queue", message, c.resource.urn))
        if config.get("dead_letter_queue.enable") is not True:
            found.violations.append(Violation("logstash-persistent-queue", "dead_letter_queue.enable is not true: rejected events are "
                                              "dropped", c.resource.urn))
        elif not _on_volume(c, str(config.get("path.dead_letter_queue", f"{data}/dead_letter_queue"))):
            message = "the dead letter queue is on no volume: a new container starts empty"
            found.violations.append(Violation("logstash-persistent-queue", message, c.resource.urn))
    return found


def _on_volume(c: Container, path: str) -> bool:
    """``path`` is at or below the target of a writable volume mount of ``c``."""
    mounts = c.props.get("mounts")
    if not isinstance(mounts, list):
        return False
    return any(
        isinstance(m, dict) and m.get("type") == "volume" and not m.get("readOnly")
        and PurePosixPath(path).is_relative_to(str(m.get("target", "")) or "/nowhere")
        for m in mounts
    )


def license_fits(resources: Sequence[Resource], stack: str) -> Findings:
    """On Basic: no Watcher, and no connector beyond ``.index`` / ``.server-log`` (those need Gold)."""
    found = Findings()
    licenses = set()
    for c in containers(resources):
        config = c.config() if c.product == "elasticsearch" else None
        if isinstance(config, Mapping):
            licenses.add(config.get("xpack.license.self_generated.type", "basic"))
            if config.get("xpack.watcher.enabled") is True and config.get("xpack.license.self_generated.type", "basic") == "basic":
                found.violations.append(Violation("license-fits", "xpack.watcher.enabled on a Basic license", c.resource.urn))
    if "basic" not in licenses:
        return found
    for watch in of_type(resources, WATCH):
        found.violations.append(Violation("license-fits", "Watcher needs a Gold license or better; this stack runs Basic", watch.urn))
    for r in resources:
        for path, text in walk_strings(r.props):
            if path.rsplit(".", 1)[-1] in _CONNECTOR_KEYS and text not in BASIC_CONNECTORS:
                found.violations.append(Violation("license-fits", f"connector {text} needs Gold or better; this stack runs Basic", r.urn))
            elif text.lstrip().startswith("{") and ("connector_type_id" in text or "actionTypeId" in text):
                found.violations += _connectors_in_json(text, r.urn)
    return found


def _connectors_in_json(text: str, urn: str) -> list[Violation]:
    """Connector types inside a JSON body (a dynamic provider's request, saved objects)."""
    try:
        body = json.loads(text)
    except ValueError:
        return []
    return [
        Violation("license-fits", f"connector {value} needs Gold or better; this stack runs Basic", urn)
        for path, value in walk_strings(body)
        if path.rsplit(".", 1)[-1] in _CONNECTOR_KEYS and value not in BASIC_CONNECTORS
    ]
