"""Deterministic YAML text for the settings files the stack reads (``logstash.yml``, ``kibana.yml``).

Both products read YAML 1.1/1.2 and accept flat dotted keys (``server.host: ...``) as well as
nested maps; we always write flat keys, in the order the caller gives, so one setting is one
line and a ``pulumi preview`` diff shows exactly the setting that changed.

Reference: PyYAML ``safe_dump`` (https://pyyaml.org/wiki/PyYAMLDocumentation); flat-key form:
https://www.elastic.co/guide/en/logstash/8.19/logstash-settings-file.html and
https://www.elastic.co/guide/en/kibana/8.19/settings.html
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import yaml

#: Conventional environment variable names; nothing that could carry a value or a default.
_ENV_NAME = re.compile(r"[A-Z_][A-Z0-9_]*")

#: Width past which PyYAML would fold long scalars; far beyond any path or URL we write.
_NO_WRAP_WIDTH = 4096


def render_yaml_document(data: Mapping[str, object] | Sequence[object], *, header: Sequence[str]) -> str:
    """YAML text for ``data`` with ``header`` lines as ``#`` comments on top.

    Keys keep the caller's order (no sorting), lists are written in block style and long
    strings are never folded, so the same input always yields byte-identical text.
    """
    comments = "".join(f"# {line}".rstrip() + "\n" for line in header)
    body = yaml.safe_dump(
        data,
        sort_keys=False,
        default_flow_style=False,
        allow_unicode=True,
        width=_NO_WRAP_WIDTH,
    )
    return comments + body


def env_reference(name: str) -> str:
    """``${NAME}``: the placeholder Logstash and Kibana replace with an environment variable.

    Only conventional upper-case names are accepted, so a value can never smuggle a literal
    secret (or a ``${VAR:default}`` fallback) into a rendered file.
    """
    if not _ENV_NAME.fullmatch(name):
        raise ValueError(f"environment variable names must match [A-Z_][A-Z0-9_]*: {name!r}")
    return "${" + name + "}"
