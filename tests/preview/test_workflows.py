"""The workflow files parse, use only official actions, and call only what this repository has."""

from __future__ import annotations

import ast
import re
import shlex
import textwrap
from pathlib import Path

import pytest
import yaml

from components.preview import __main__ as preview_cli
from tests.preview.test_rendered_preview import rendered

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"
OFFICIAL = ("actions/checkout@", "actions/setup-python@", "actions/upload-artifact@", "pulumi/actions@")
#: Files a workflow creates before using them.
CREATED = {"Pulumi.ci.yaml"}


def workflow(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text())


def steps(name: str) -> list[dict]:
    return [step for job in workflow(name)["jobs"].values() for step in job["steps"]]


def shell_of(name: str) -> str:
    return "\n".join(step["run"] for step in steps(name) if "run" in step)


def python_heredocs(name: str) -> list[str]:
    return [m.group(1) for m in re.finditer(r"<<'PY'\n(.*?)\n\s*PY\n", shell_of(name) + "\n", re.S)]


@pytest.mark.parametrize("name", ["preview.yml", "e2e.yml"])
def test_parses_and_uses_only_official_actions(name: str) -> None:
    data = workflow(name)
    assert data["jobs"] and True in data  # YAML 1.1 reads the `on:` key as True
    uses = [step["uses"] for step in steps(name) if "uses" in step]
    assert uses and all(u.startswith(OFFICIAL) for u in uses), uses


@pytest.mark.parametrize("name", ["preview.yml", "e2e.yml"])
def test_every_repository_path_a_workflow_names_exists(name: str) -> None:
    text = shell_of(name)
    paths = set(re.findall(r"\b((?:scripts|policy|components)/[\w./-]+|requirements[\w-]*\.txt|Pulumi\.\w+\.yaml)", text))
    paths |= {step["with"]["policyPacks"] for step in steps(name) if "policyPacks" in step.get("with", {})}
    missing = sorted(p for p in paths if p not in CREATED and not (ROOT / p).exists() and not p.startswith("policy/venv"))
    assert paths and missing == []


@pytest.mark.parametrize("name", ["preview.yml", "e2e.yml"])
def test_every_python_module_a_workflow_runs_exists(name: str) -> None:
    modules = set(re.findall(r"python3? -m ([\w.]+)", shell_of(name)))
    ours = {m for m in modules if m not in {"venv", "pip"}}
    assert all((ROOT / m.replace(".", "/")).is_dir() or (ROOT / f"{m.replace('.', '/')}.py").exists() for m in ours), ours


def test_the_policy_pack_is_a_pack() -> None:
    pack = yaml.safe_load((ROOT / "policy" / "PulumiPolicy.yaml").read_text())
    assert pack["runtime"]["name"] == "python" and (ROOT / "policy" / "__main__.py").exists()
    assert "pulumi-policy==" in (ROOT / "policy" / "requirements.txt").read_text()


def test_rendered_preview_commands_use_only_flags_the_cli_has() -> None:
    text = shell_of("preview.yml")
    calls = [line[line.index("python -m components.preview"):] for line in text.splitlines() if "python -m components.preview" in line]
    assert len(calls) == 2
    known = set(re.findall(r'add_argument\("(--[\w-]+)"', Path(preview_cli.__file__).read_text()))
    for call in calls:
        flags = {t for t in shlex.split(call.split(">")[0]) if t.startswith("--")}
        assert flags <= known, flags - known


def test_pulumi_preview_runs_both_stacks_with_the_pack() -> None:
    job = workflow("preview.yml")["jobs"]["pulumi-preview"]
    assert job["strategy"]["matrix"]["stack"] == ["dev", "prod"]
    action = next(s for s in job["steps"] if s.get("uses", "").startswith("pulumi/actions@"))
    assert action["with"]["command"] == "preview" and action["with"]["policyPacks"] == "policy"
    rendered_job = workflow("preview.yml")["jobs"]["rendered-preview"]
    assert "secrets." not in yaml.safe_dump(rendered_job), "the rendered preview needs no secrets"


def test_the_e2e_checks_name_objects_the_program_creates() -> None:
    (script,) = python_heredocs("e2e.yml")
    ast.parse(textwrap.dedent(script))  # the script as bash hands it to python3
    files = rendered("dev").files
    object_ids = {yaml.safe_load(text)["inputs"].get("object_id") for path, text in files.items() if path.startswith("api/")}
    for dashboard in re.findall(r'"(mt4-dashboard-[\w-]+)"', script):
        assert dashboard in object_ids
    assert re.search(r"alerting/rule/([\w-]+)", script).group(1) in object_ids
    streams = re.findall(r'"(mt4-(?:logs|metrics)-\w+)"', script)
    assert sorted(streams) == ["mt4-logs-market_tick", "mt4-logs-security", "mt4-metrics-performance"]
    steps_text = shell_of("e2e.yml")
    assert steps_text.index("scripts/smoke.py --stack ci") < steps_text.index("python3 - ")
    assert [s["with"]["command"] for s in steps("e2e.yml") if "command" in s.get("with", {})] == ["up", "destroy"]
