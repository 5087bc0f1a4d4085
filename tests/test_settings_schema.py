"""The settings table in README.md, the schema it is generated from, and the parser agree.

Proof: README holds exactly the rendered schema; the parser reads exactly the schema's keys (no
undocumented key, no documented key it ignores); every documented default, written out in a
stack file, parses to the same settings as leaving the key out.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from components.settings.parse import parse_settings
from components.settings.problems import Problems
from components.settings.schema import KEYS
from scripts.settings_table import with_table

ROOT = Path(__file__).resolve().parent.parent
_INDEX = re.compile(r"\[\d+\]")


def test_readme_holds_the_table_the_schema_renders() -> None:
    readme = (ROOT / "README.md").read_text()
    assert with_table(readme) == readme, "README.md's settings table is stale: run python3 scripts/settings_table.py"


def test_the_parser_reads_exactly_the_documented_keys() -> None:
    problems = Problems("Pulumi.dev.yaml")
    parse_settings({}, problems, own_ca=False)
    read = {_INDEX.sub("[]", key) for key in problems.read_keys}
    documented = {k.path for k in KEYS}
    sections = {key for key in read if any(other.startswith((key + ".", key + "[]")) for other in read)}
    read -= sections - documented
    assert read - documented == set(), "keys the parser reads but the README does not list"
    assert documented - read == set(), "keys the README lists but the parser never reads"


def _put(raw: dict[str, Any], path: str, value: Any) -> None:
    node = raw
    steps = path.split(".")
    for step in steps[:-1]:
        if step.endswith("[]"):
            node = node.setdefault(step[:-2], [{}])[0]
        else:
            node = node.setdefault(step, {})
    node[steps[-1]] = value


def test_every_documented_default_is_the_real_default() -> None:
    explicit: dict[str, Any] = {}
    for key in KEYS:
        if key.default is not None:
            _put(explicit, key.path, yaml.safe_load(key.default))
    # The items of a list that has a documented default item carry their positional defaults too.
    _put(explicit, "elasticsearch.nodes[].name", "es01")
    written = Problems("Pulumi.dev.yaml")
    left_out = Problems("Pulumi.dev.yaml")
    assert parse_settings(explicit, written, own_ca=False) == parse_settings({}, left_out, own_ca=False)
    assert written.errors == [] and left_out.errors == []
