"""Every file the stack renders, found from what is registered, by relative output path.

- each container upload -> ``files/<resource>/<path in the container>`` (any component's
  containers, present or added later), and its environment -> ``files/<resource>.env``;
- each API-level resource (pulumi-elasticstack objects, dynamic providers such as Kibana saved
  objects) -> ``api/<resource>.json``: its inputs as the provider receives them, with embedded
  JSON strings (settings, mappings, metadata) expanded, and NDJSON strings (saved objects)
  written beside it as ``api/<resource>.<input>.ndjson``;
- every saved-object-shaped resource (Kibana objects) together -> ``kibana/saved-objects.ndjson``.

Secret inputs and secret values are redacted; content not known yet says so.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from components.preview.redact import SECRET, UNKNOWN_TEXT, Redactor
from policy.guardrails.model import Resource
from policy.guardrails.views import CONTAINER

#: Resource kinds whose inputs are not a body sent to an API: Docker objects (their files are
#: the uploads), generators (random, tls), providers. Components are skipped as non-custom.
_NOT_API = ("docker:", "random:", "tls:", "pulumi:providers:")
#: A dynamic provider's pickled code: not an input anybody reviews.
_INTERNAL_KEYS = frozenset({"__provider"})


def rendered_files(resources: list[Resource], redactor: Redactor) -> dict[str, str]:
    out: dict[str, str] = {}
    for r in resources:
        if r.type == CONTAINER:
            out.update(_uploads(r, redactor))
        elif r.custom and not r.type.startswith(_NOT_API):
            out.update(_api_files(r, redactor))
    saved = saved_objects_ndjson(resources, redactor)
    if saved:
        out[SAVED_OBJECTS] = saved
    return dict(sorted(out.items()))


#: Every Kibana saved object the stack declares, as one import file (Kibana's _import format).
SAVED_OBJECTS = "kibana/saved-objects.ndjson"
#: The inputs that make a resource a saved object, whichever component declares it.
_SAVED_OBJECT_KEYS = {"object_type": "type", "object_id": "id", "attributes": "attributes", "references": "references",
                      "type_migration_version": "typeMigrationVersion"}


def saved_objects_ndjson(resources: list[Resource], redactor: Redactor) -> str:
    """One line per saved-object-shaped resource (``object_type``, ``object_id``, ``attributes``),
    sorted by type and id: what an export of these objects from Kibana would hold."""
    lines = []
    for r in resources:
        if not r.custom or not {"object_type", "object_id", "attributes"} <= set(r.props):
            continue
        props = redactor.props(r)
        line = {field: props[key] for key, field in _SAVED_OBJECT_KEYS.items() if key in props}
        lines.append((str(line["type"]), str(line["id"]), json.dumps(line, sort_keys=True, separators=(",", ":"))))
    return "".join(f"{text}\n" for _t, _i, text in sorted(lines))


def _uploads(r: Resource, redactor: Redactor) -> dict[str, str]:
    out = {}
    uploads = redactor.props(r).get("uploads")
    for upload in uploads if isinstance(uploads, list) else []:
        if not isinstance(upload, Mapping) or not isinstance(upload.get("file"), str):
            continue
        content = upload.get("content")
        if content == SECRET:
            text = f"[secret: redacted by the rendered preview; mode {upload.get('permissions')}]\n"
        elif content == UNKNOWN_TEXT or not isinstance(content, str):
            text = f"{UNKNOWN_TEXT}\n"
        else:
            text = content
        out[f"files/{r.name}/{upload['file'].lstrip('/')}"] = text
    envs = redactor.envs(r)
    if envs:
        out[f"files/{r.name}.env"] = "\n".join(envs) + "\n"
    return out


def _api_files(r: Resource, redactor: Redactor) -> dict[str, str]:
    props = {k: v for k, v in redactor.props(r).items() if k not in _INTERNAL_KEYS}
    out = {}
    body: dict[str, Any] = {}
    for key, value in sorted(props.items()):
        if isinstance(value, str) and _is_ndjson(value):
            out[f"api/{r.name}.{key}.ndjson"] = value if value.endswith("\n") else value + "\n"
            body[key] = f"(see {r.name}.{key}.ndjson)"
        else:
            body[key] = _expand_json(value)
    out[f"api/{r.name}.json"] = json.dumps({"type": r.type, "inputs": body}, indent=2, sort_keys=True) + "\n"
    return out


def _expand_json(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return json.loads(value)
        except ValueError:
            return value
    if isinstance(value, Mapping):
        return {k: _expand_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand_json(v) for v in value]
    return value


def _is_ndjson(text: str) -> bool:
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) < 2:
        return False
    try:
        return all(isinstance(json.loads(line), dict) for line in lines)
    except ValueError:
        return False
