"""The rendered preview on both stacks: tree, files, redaction, policy exit, determinism, diff."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from components.preview.__main__ import main
from components.preview.diff import diff_dirs
from components.preview.files import rendered_files
from components.preview.redact import SECRET, Redactor
from components.preview.render import Rendered, render
from components.preview.resources import as_resources
from policy.guardrails.model import Resource
from tests.conftest import cached_run

ROOT = Path(__file__).resolve().parents[2]
_RENDERED: dict[str, Rendered] = {}


def rendered(stack: str) -> Rendered:
    if stack not in _RENDERED:
        _RENDERED[stack] = render(stack)
    return _RENDERED[stack]


def stack_file(tmp_path: Path, stack: str, section: str, **changes: object) -> Path:
    data = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())
    data["config"][f"elk-stack:{section}"].update(changes)
    path = tmp_path / f"Pulumi.{stack}.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.mark.parametrize("stack, nodes", [("dev", ["es01"]), ("prod", ["es01", "es02", "es03"])])
def test_every_rendered_config_is_written(stack: str, nodes: list[str]) -> None:
    files = rendered(stack).files
    for node in nodes:
        yml = yaml.safe_load(files[f"files/elk-es-{node}/usr/share/elasticsearch/config/elasticsearch.yml"])
        assert yml["node.name"] == node
        assert files[f"files/elk-es-{node}/usr/share/elasticsearch/config/jvm.options.d/heap.options"].startswith("-Xms")
    assert yaml.safe_load(files["files/elk-kibana-container/usr/share/kibana/config/kibana.yml"])["server.port"] == 5601
    assert "queue.type" in yaml.safe_load(files["files/elk-logstash-container/usr/share/logstash/config/logstash.yml"])
    assert "input {" in files["files/elk-logstash-container/usr/share/logstash/pipeline/mt4.conf"]
    assert yaml.safe_load(files["files/elk-logstash-container/usr/share/logstash/config/pipelines.yml"])


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_api_resource_has_its_body_written(stack: str) -> None:
    """Found from what is registered: every elasticstack object and dynamic-provider resource."""
    run = cached_run(stack)
    api = [r for r in run.resources if r.custom and r.type.split(":")[0] in ("elasticstack", "pulumi-python")]
    assert api, "the stack has API-level resources"
    files = rendered(stack).files
    assert sorted(f"api/{r.name}.json" for r in api) == sorted(p for p in files if p.startswith("api/") and p.endswith(".json"))
    template = yaml.safe_load(files["api/elk-indices-template-logs.json"])
    assert template["inputs"]["template"]["settings"]["index.lifecycle.name"] == "mt4-logs-policy"  # embedded JSON expanded
    assert all("__provider" not in yaml.safe_load(files[f"api/{r.name}.json"])["inputs"] for r in api)


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_saved_objects_are_written_as_one_ndjson_import_file(stack: str) -> None:
    run = cached_run(stack)
    declared = sorted((r.inputs["object_type"], r.inputs["object_id"]) for r in run.resources if "object_type" in r.inputs)
    assert declared, "the stack declares saved objects"
    lines = [json.loads(line) for line in rendered(stack).files["kibana/saved-objects.ndjson"].splitlines()]
    assert [(o["type"], o["id"]) for o in lines] == declared
    dashboard = next(o for o in lines if o["id"] == "mt4-dashboard-market-data")
    assert isinstance(json.loads(dashboard["attributes"]["panelsJSON"]), list)  # as Kibana stores it: a JSON string
    assert all("attributes" in o and "references" in o for o in lines)


def test_a_component_added_later_is_rendered_without_a_change_here() -> None:
    resources = [
        Resource(
            type="docker:index/container:Container",
            name="filebeat",
            urn="urn:pulumi:dev::p::docker:index/container:Container::filebeat",
            props={"uploads": [{"file": "/usr/share/filebeat/filebeat.yml", "content": "filebeat.inputs: []\n", "permissions": "0640"}]},
            secret_paths=frozenset(),
        ),
        Resource(type="pulumi-python:dynamic/kibana:SavedObjects", name="objects", urn="urn:pulumi:dev::p::x::objects",
                 props={"ndjson": '{"type":"index-pattern","id":"a"}\n{"type":"search","id":"b"}\n'}, secret_paths=frozenset()),
    ]
    files = rendered_files(resources, Redactor([]))
    assert files["files/filebeat/usr/share/filebeat/filebeat.yml"] == "filebeat.inputs: []\n"
    assert files["api/objects.ndjson.ndjson"].splitlines()[1] == '{"type":"search","id":"b"}'


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_tree_shows_type_parent_options_dependencies_and_settings(stack: str) -> None:
    tree = rendered(stack).tree
    lines = tree.splitlines()
    assert lines[0] == "elk  [elk:components:ElkStack]"
    node = lines.index("    elk-es-es01  [docker:index/container:Container]")
    assert lines.index("  elk-es  [elk:components:ElasticsearchCluster]") < node  # under its parent, one level deeper
    block = lines[node + 1: node + 40]
    assert any(line.startswith("        depends on: ") and "elk-es-backup-permissions" in line for line in block)
    assert "        provider: elk-docker-" + ("local" if stack == "dev" else "elk1") in block
    assert "        memory: " + ("2048" if stack == "dev" else "8192") in block
    volume = next(line for line in lines if line.strip().startswith("elk-es-es01-data  [docker:index/volume:Volume]"))
    assert volume.endswith("{protect, retain_on_delete}") == (stack == "prod")


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_no_secret_is_written_and_secret_files_say_they_are_redacted(stack: str) -> None:
    run = cached_run(stack)
    files = rendered(stack).files
    assert run.secret_values
    leaked = [(path, s[:12]) for path, text in files.items() for s in run.secret_values if s in text]
    assert leaked == []
    key = files["files/elk-es-es01-secret-files/run/elk-secret-staging/node.key"]
    assert key.startswith("[secret: redacted") and "0400" in key
    kibana_env = files["files/elk-kibana-container.env"].splitlines()
    assert f"KIBANA_SYSTEM_PASSWORD={SECRET}" in kibana_env
    assert any(line.startswith("NODE_OPTIONS=--max-old-space-size=") for line in kibana_env)


def test_a_secret_that_escaped_into_a_plain_input_is_still_redacted() -> None:
    resources = as_resources(cached_run("dev"))
    secret = sorted(cached_run("dev").secret_values)[0]
    leaky = Resource(type="docker:index/container:Container", name="leaky", urn="urn:pulumi:dev::p::c::leaky",
                     props={"uploads": [{"file": "/etc/app.conf", "content": f"password = {secret}\n"}], "envs": [f"APP_OPTS=-p{secret}"]},
                     secret_paths=frozenset())
    files = rendered_files([*resources, leaky], Redactor(cached_run("dev").secret_values))
    assert files["files/leaky/etc/app.conf"] == f"password = {SECRET}\n"
    assert files["files/leaky.env"] == f"APP_OPTS=-p{SECRET}\n"


def test_exit_codes_for_a_clean_a_violating_and_a_refused_stack_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--stack", "dev", "--out", str(tmp_path / "dev")]) == 0  # advisory only
    assert (tmp_path / "dev" / "tree.txt").read_text() == rendered("dev").tree
    violating = stack_file(tmp_path, "prod", "kibana", tls=False)
    assert main(["--stack", "prod", "--stack-file", str(violating), "--out", str(tmp_path / "bad")]) == 1
    out = capsys.readouterr().out
    assert "[mandatory] tls-on-every-listener: Kibana published beyond loopback on 5601 without TLS" in out
    assert "tls-on-every-listener" in (tmp_path / "bad" / "policy.txt").read_text()
    refused = stack_file(tmp_path, "prod", "kibana", heap="3g")
    assert main(["--stack", "prod", "--stack-file", str(refused), "--out", str(tmp_path / "refused")]) == 2
    assert "kibana" in capsys.readouterr().err
    assert not (tmp_path / "refused").exists()


def test_diff_shows_what_a_change_renders(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = tmp_path / "before"
    main(["--stack", "prod", "--out", str(before)])
    changed = stack_file(tmp_path, "prod", "logstash", batch_size=500)
    main(["--stack", "prod", "--stack-file", str(changed), "--out", str(tmp_path / "after"), "--diff", str(before)])
    changes = (tmp_path / "after.diff").read_text()
    assert changes == diff_dirs(before, tmp_path / "after") and changes in capsys.readouterr().out
    assert "-pipeline.batch.size: 250\n+pipeline.batch.size: 500\n" in changes
    changed_files = sorted(line[4:] for line in changes.splitlines() if line.startswith("+++ "))
    # the file itself in each Logstash instance, and the containers' config-hash labels in the tree
    assert changed_files == ["after/files/elk-logstash-container/usr/share/logstash/config/logstash.yml",
                             "after/files/elk-logstash-logstash2-container/usr/share/logstash/config/logstash.yml", "after/tree.txt"]


def test_two_processes_render_identical_folders(tmp_path: Path) -> None:
    """Deterministic across processes (Python salts ``hash()`` per process; nothing may depend on it)."""
    for name in ("one", "two"):
        subprocess.run([sys.executable, "-m", "components.preview", "--stack", "dev", "--out", str(tmp_path / name)],
                       cwd=ROOT, check=True, capture_output=True)
    assert diff_dirs(tmp_path / "one", tmp_path / "two") == ""
    assert len(list((tmp_path / "one").rglob("*"))) > 20
