"""The HTTP request pulumi-elasticstack 0.0.11 sends for a resource's inputs.

pulumi-elasticstack 0.0.11 bridges terraform-provider-elasticstack v0.5.0; its plugin cannot be had
on this machine, so the request is rebuilt here from the provider's Go source at tag v0.5.0
(github.com/elastic/terraform-provider-elasticstack). Each translation names the files it follows.
Pulumi hands the bridged provider camelCase inputs with max-one blocks flattened to objects; the
Terraform schema's defaults apply to inputs the program leaves out, and are written here where
the provider sends them. Numbers arrive from the engine as floats; the schema types them ``int``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from tests.program import Registration

TAG: Final = "v0.5.0"
SOURCE: Final = "github.com/elastic/terraform-provider-elasticstack"


@dataclass(frozen=True)
class ProviderRequest:
    resource: str
    type: str
    method: str
    path: str
    body: dict[str, Any]
    source: tuple[str, ...]
    """Provider files (at TAG) this translation follows."""


def _json_input(value: object) -> dict[str, Any]:
    """The provider json-decodes ``metadata``/``mappings``/``settings`` string inputs (empty -> left out)."""
    if value in (None, ""):
        return {}
    return json.loads(str(value))


def _template_block(inputs: dict[str, Any]) -> dict[str, Any] | None:
    """models.Template: aliases/mappings/settings, each ``omitempty`` (an empty alias set is left out)."""
    block = inputs.get("template")
    if block is None:
        return None
    out: dict[str, Any] = {}
    aliases = block.get("aliases") or []
    if aliases:
        raise NotImplementedError("template aliases: the program sets none; translate ExpandIndexAliases before using them")
    mappings = _json_input(block.get("mappings"))
    settings = _json_input(block.get("settings"))
    if mappings:
        out["mappings"] = mappings
    if settings:
        out["settings"] = settings
    return out


def component_template(r: Registration) -> ProviderRequest:
    """resourceComponentTemplatePut -> elasticsearch.PutComponentTemplate:
    ``PUT /_component_template/{name}`` with models.ComponentTemplate (``_meta``, ``template``, ``version``)."""
    i = r.inputs
    body: dict[str, Any] = {}
    meta = _json_input(i.get("metadata"))
    if meta:
        body["_meta"] = meta
    template = _template_block(i)
    if template is not None:
        body["template"] = template
    if i.get("version"):
        body["version"] = int(i["version"])
    return ProviderRequest(r.name, r.type, "PUT", f"/_component_template/{i['name']}", body, (
        "internal/elasticsearch/index/component_template.go (resourceComponentTemplatePut)",
        "internal/models/models.go (ComponentTemplate, Template)",
        "internal/clients/elasticsearch/index.go (PutComponentTemplate)",
    ))


def index_template(r: Registration) -> ProviderRequest:
    """resourceIndexTemplatePut -> elasticsearch.PutIndexTemplate: ``PUT /_index_template/{name}`` with
    models.IndexTemplate. ``composed_of`` and ``index_patterns`` are always sent; ``data_stream`` carries
    ``hidden`` (``allow_custom_routing`` only when true now or before); priority/version when set."""
    i = r.inputs
    body: dict[str, Any] = {"composed_of": list(i.get("composedOfs") or []), "index_patterns": list(i.get("indexPatterns") or [])}
    stream = i.get("dataStream")
    if stream is not None:
        ds: dict[str, Any] = {"hidden": bool(stream.get("hidden", False))}
        if stream.get("allowCustomRouting"):
            ds["allow_custom_routing"] = True
        body["data_stream"] = ds
    meta = _json_input(i.get("metadata"))
    if meta:
        body["_meta"] = meta
    if i.get("priority"):
        body["priority"] = int(i["priority"])
    template = _template_block(i)
    if template is not None:
        body["template"] = template
    if i.get("version"):
        body["version"] = int(i["version"])
    return ProviderRequest(r.name, r.type, "PUT", f"/_index_template/{i['name']}", body, (
        "internal/elasticsearch/index/template.go (resourceIndexTemplatePut)",
        "internal/models/models.go (IndexTemplate, DataStreamSettings, Template)",
        "internal/clients/elasticsearch/index.go (PutIndexTemplate)",
    ))


#: Schema defaults of the ``fs`` block (commonSettings + commonStdSettings + fsSettings) that the
#: provider sends when the program leaves them out; expandFsSettings drops only empty strings/zeros,
#: so ``readonly: false`` is sent. chunk_size and max_restore_bytes_per_sec have no default.
FS_DEFAULTS: Final[dict[str, object]] = {
    "compress": True,
    "max_snapshot_bytes_per_sec": "40mb",
    "readonly": False,
    "max_number_of_snapshots": 500,
}
_FS_INPUTS: Final = {"location": "location", "compress": "compress", "chunkSize": "chunk_size", "readonly": "readonly",
                     "maxSnapshotBytesPerSec": "max_snapshot_bytes_per_sec", "maxRestoreBytesPerSec": "max_restore_bytes_per_sec",
                     "maxNumberOfSnapshots": "max_number_of_snapshots"}


def _is_empty(value: object) -> bool:
    """utils.IsEmpty: zero numbers, blank strings, empty lists and nil are empty; booleans never are."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return value == 0
    if isinstance(value, str):
        return value.strip() == ""
    return value is None or value == []


def snapshot_repository(r: Registration) -> ProviderRequest:
    """resourceSnapRepoPut -> elasticsearch.PutSnapshotRepository: ``PUT /_snapshot/{name}`` with
    models.SnapshotRepository: ``type`` (the one repository block set), ``settings`` (that block's
    non-empty values) and ``verify`` (schema default true) in the body."""
    i = r.inputs
    kinds = [k for k in ("fs", "url", "gcs", "azure", "s3", "hdfs") if i.get(k)]
    if kinds != ["fs"]:
        raise NotImplementedError(f"{r.name}: only the fs repository is translated, inputs have {kinds}")
    given = {_FS_INPUTS[k]: v for k, v in i["fs"].items()}
    settings = {k: v for k, v in {**FS_DEFAULTS, **given}.items() if not _is_empty(v)}
    if "max_number_of_snapshots" in settings:
        settings["max_number_of_snapshots"] = int(settings["max_number_of_snapshots"])  # type: ignore[call-overload]
    body = {"type": "fs", "settings": settings, "verify": bool(i.get("verify", True))}
    return ProviderRequest(r.name, r.type, "PUT", f"/_snapshot/{i['name']}", body, (
        "internal/elasticsearch/cluster/snapshot_repository.go (ResourceSnapshotRepository schema, resourceSnapRepoPut, expandFsSettings)",
        "internal/utils/utils.go (IsEmpty)",
        "internal/models/models.go (SnapshotRepository)",
        "internal/clients/elasticsearch/cluster.go (PutSnapshotRepository)",
    ))


def _expand_settings(block: dict[str, Any], resource: str) -> dict[str, object]:
    """expandSettings: each ``setting`` by name, ``value`` when non-empty else ``value_list``; one of
    the two exactly, and no name twice (the provider's own errors, raised here too)."""
    out: dict[str, object] = {}
    for setting in block.get("settings") or []:
        name, value, values = setting["name"], setting.get("value") or "", list(setting.get("valueLists") or [])
        if name in out:
            raise ValueError(f"{resource}: setting {name!r} configured twice")
        if bool(value) == bool(values):
            raise ValueError(f"{resource}: {name!r} needs exactly one of value and value_list")
        out[name] = value or values
    return out


def cluster_settings(r: Registration) -> ProviderRequest:
    """resourceClusterSettingsPut -> elasticsearch.PutSettings: ``PUT /_cluster/settings`` with the
    JSON of ``{"persistent": {...}, "transient": {...}}``, each block only when configured. On a first
    create there is no old state, so updateRemovedSettings adds no ``null`` for removed names."""
    body = {kind: _expand_settings(r.inputs[kind], r.name) for kind in ("persistent", "transient") if r.inputs.get(kind)}
    return ProviderRequest(r.name, r.type, "PUT", "/_cluster/settings", body, (
        "internal/elasticsearch/cluster/settings.go (resourceClusterSettingsPut, getConfiguredSettings, expandSettings)",
        "internal/clients/elasticsearch/cluster.go (PutSettings)",
    ))


TRANSLATIONS: Final[dict[str, Callable[[Registration], ProviderRequest]]] = {
    "elasticstack:index/componentTemplate:ComponentTemplate": component_template,
    "elasticstack:index/indexTemplate:IndexTemplate": index_template,
    "elasticstack:index/snapshotRepository:SnapshotRepository": snapshot_repository,
    "elasticstack:index/clusterSettings:ClusterSettings": cluster_settings,
}

#: Apply order: what the program's depends_on gives (component templates before index templates).
APPLY_ORDER: Final = tuple(TRANSLATIONS)
