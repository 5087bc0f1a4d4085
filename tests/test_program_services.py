"""Kibana and Logstash in the whole program (dev and prod): files, secrets, order and waits.

Proof limit: proves what the engine would be asked to create and in which order, not that the
images accept the files; the render tests check each file against Elastic's documented keys.
"""

from __future__ import annotations

import pytest
import yaml

from tests.conftest import cached_run
from tests.program import Registration, Run, is_secret
from tests.render.logstash_config_parser import Bareword, iter_plugins, parse_config
from tests.test_program_foundation import es_nodes

CONTAINER = "docker:index/container:Container"


def containers(run: Run, role: str) -> list[Registration]:
    return [r for r in run.of_type(CONTAINER) if any(lbl["label"] == "role" and lbl["value"] == role for lbl in r.inputs["labels"])]


def container(run: Run, role: str) -> Registration:
    """The one container of ``role``; for Logstash (one or more instances) the first instance's."""
    found = containers(run, role)
    if role == "logstash":
        found = [r for r in found if r.name == "elk-logstash-container"]
    assert len(found) == 1, role
    return found[0]


def uploaded(r: Registration, path: str) -> str:
    [u] = [u for u in r.inputs["uploads"] if u["file"] == path]
    return u["content"]


def plugins(conf: str, section: str, name: str) -> list[dict]:
    return [use.plugin.options for use in iter_plugins(parse_config(conf)) if use.section == section and use.plugin.name == name]


@pytest.fixture(params=["dev", "prod"])
def run(request: pytest.FixtureRequest) -> Run:
    return cached_run(request.param)


def test_logstash_waits_for_its_writer_user_and_the_index_templates_only(run: Run) -> None:
    ls = container(run, "logstash")
    needed = {run.named("elk-access-user-mt4-logstash-writer").urn, run.named("elk-indices-template-logs").urn,
              run.named("elk-indices-template-metrics").urn}
    assert needed <= set(ls.dependencies)
    assert run.named("elk-access-kibana-system").urn not in ls.dependencies
    assert ls.inputs["wait"] is True


def test_kibana_waits_for_kibana_system_password_and_not_for_ingest(run: Run) -> None:
    kb = container(run, "kibana")
    assert run.named("elk-access-kibana-system").urn in kb.dependencies
    for unneeded in ("elk-access-user-mt4-logstash-writer", "elk-indices-template-logs", "elk-logstash-container"):
        assert run.named(unneeded).urn not in kb.dependencies, unneeded
    assert kb.inputs["wait"] is True
    assert kb.inputs["healthcheck"]["tests"][0] == "CMD-SHELL"
    command = kb.inputs["healthcheck"]["tests"][1]
    assert "/api/status" in command and "grep -qF '\"overall\":{\"level\":\"available\"}'" in command


def test_secrets_reach_services_only_as_secret_env_values(run: Run) -> None:
    for role, names in (("logstash", ["MT4_WRITER_PASSWORD"]), ("kibana", ["KIBANA_SYSTEM_PASSWORD", "KIBANA_SECURITY_ENCRYPTION_KEY"])):
        r = container(run, role)
        assert is_secret(r.raw["envs"]), role
        for name in names:
            assert any(e.startswith(f"{name}=") and len(e) > len(name) + 20 for e in r.inputs["envs"]), name


def test_logstash_pipeline_writes_to_every_node_as_the_writer(run: Run) -> None:
    ls = container(run, "logstash")
    conf = uploaded(ls, "/usr/share/logstash/pipeline/mt4.conf")
    [out] = plugins(conf, "output", "elasticsearch")
    if run is cached_run("prod"):  # one pipeline for instances on two hosts: every node at its host's address
        assert out["hosts"] == ["https://10.0.1.11:9200", "https://10.0.1.12:9200", "https://10.0.1.13:9200"]
    else:
        nodes = sorted(n.inputs["hostname"] for n in es_nodes(run))
        assert out["hosts"] == [f"https://{n}:9200" for n in nodes]
    assert out["user"] == "mt4_logstash_writer" and out["password"] == "${MT4_WRITER_PASSWORD}"
    assert out["action"] == "create" and out["manage_template"] == Bareword("false")


def test_logstash_inputs_use_tls_as_the_stack_says() -> None:
    for stack, tls in (("dev", False), ("prod", True)):
        conf = uploaded(container(cached_run(stack), "logstash"), "/usr/share/logstash/pipeline/mt4.conf")
        for name in ("tcp", "beats"):
            [opts] = plugins(conf, "input", name)
            assert opts.get("ssl_enabled", Bareword("false")) == Bareword("true" if tls else "false"), (stack, name)
            assert ("ssl_certificate" in opts) is tls, (stack, name)


def test_logstash_keeps_its_queue_on_a_volume_and_publishes_both_inputs(run: Run) -> None:
    for instance in containers(run, "logstash"):
        [mount] = [m for m in instance.inputs["mounts"] if m["target"] == "/usr/share/logstash/data"]
        assert mount["source"] == f"{instance.inputs['name']}-data"
        settings = yaml.safe_load(uploaded(instance, "/usr/share/logstash/config/logstash.yml"))
        assert settings["queue.type"] == "persisted" and settings["path.data"] == "/usr/share/logstash/data"
        assert sorted(p["internal"] for p in instance.inputs["ports"]) == [5000, 5044]
    ls = container(run, "logstash")
    assert not any(u["file"].endswith(".key") for u in ls.inputs["uploads"]), "keys are installed, never uploaded"
    installer = run.named(f"{ls.name.removesuffix('-container')}-secret-files")
    [key_upload] = installer.inputs["uploads"]
    assert key_upload["permissions"] == "0400" and "BEGIN PRIVATE KEY" in key_upload["content"], "PKCS#8 for the beats input"
    [script] = installer.inputs["command"]
    assert "install -o 1000 -g 1000 -m 0400" in script, "Logstash is not in group 0: owned by its own uid:gid"


def test_kibana_yml_points_at_the_nodes_and_serves_tls_only_in_prod() -> None:
    for stack, tls in (("dev", False), ("prod", True)):
        kb = container(cached_run(stack), "kibana")
        settings = yaml.safe_load(uploaded(kb, "/usr/share/kibana/config/kibana.yml"))
        assert settings["server.ssl.enabled"] is tls
        assert settings["elasticsearch.password"] == "${KIBANA_SYSTEM_PASSWORD}"
        # its own host's node by name on the Docker network, the others (prod: two more hosts) by address
        expected = ["https://es01:9200"] + (["https://10.0.1.12:9200", "https://10.0.1.13:9200"] if stack == "prod" else [])
        assert settings["elasticsearch.hosts"] == expected
        files = {u["file"] for u in kb.inputs["uploads"]}
        assert "/usr/share/kibana/config/secrets/kibana.key" not in files, "installed, never uploaded"
        installers = [r for r in cached_run(stack).of_type(CONTAINER) if r.name == "elk-kibana-secret-files"]
        assert bool(installers) is tls and (not tls or settings["server.ssl.key"] == "/usr/share/kibana/config/secrets/kibana.key")
        assert settings["server.publicBaseUrl"] == cached_run(stack).stack_outputs_raw["kibana_url"]


def test_outputs_give_kibana_logstash_endpoints_and_the_analyst() -> None:
    out = cached_run("dev").stack_outputs_raw
    assert out["kibana_url"] == "http://localhost:5601"
    assert out["logstash_tcp_endpoint"] == {"host": "localhost", "port": 5000, "tls": False}
    assert out["logstash_beats_endpoint"] == {"host": "localhost", "port": 5044, "tls": False}
    assert out["analyst_user"] == "mt4_analyst" and is_secret(out["analyst_password"])
    prod = cached_run("prod").stack_outputs_raw
    assert prod["kibana_url"] == "https://10.0.1.11:5601" and prod["logstash_tcp_endpoint"]["tls"] is True


def test_event_types_from_the_stack_file_reach_the_routing_filter() -> None:
    from tests.program import run_program

    logstash = {"heap": "1g", "memory": "2g", "event_types": ["order_fill"]}
    conf = uploaded(container(run_program("dev", overrides={"logstash": logstash}), "logstash"), "/usr/share/logstash/pipeline/mt4.conf")
    [route] = [p for p in plugins(conf, "filter", "ruby") if p.get("id") == "mt4_route"]
    assert "'order_fill'" in str(route["init"]) and "'market_tick'" in str(route["init"])
    default = uploaded(container(cached_run("dev"), "logstash"), "/usr/share/logstash/pipeline/mt4.conf")
    assert "'order_fill'" not in default
