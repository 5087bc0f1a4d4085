"""Filebeat and Metricbeat in the whole program (dev: one host; prod: three), under Pulumi mocks:
placement, files (every key against the 8.19 references), mounts, user, secrets, outputs, order.

Proof limit: what the engine would be asked to create; that a Beat 8.19 accepts it is argued from
the contracts in tests/contracts (filebeat_8.19.json, metricbeat_8.19.json, images_8.19.json).
"""

from __future__ import annotations

import pytest
import yaml

from components import metricbeat as mbc
from components.docker_hosts import image_ref
from components.render import filebeat_yml as fb
from components.render import metricbeat_yml as mb
from components.settings.defaults import ELASTIC_VERSION
from tests.conftest import cached_run
from tests.program import Registration, Run, is_secret
from tests.render.beats_keys import bad_values, contract, unknown_keys
from tests.render.logstash_config_parser import iter_plugins, parse_config

CONTAINER = "docker:index/container:Container"
HOSTS = {"dev": ["local"], "prod": ["elk1", "elk2", "elk3"]}


def beats(run: Run, role: str) -> dict[str, Registration]:
    found = [r for r in run.of_type(CONTAINER) if {"label": "role", "value": role} in r.inputs["labels"]]
    return {next(lbl["value"] for lbl in r.inputs["labels"] if lbl["label"] == "host"): r for r in found}


def uploaded(r: Registration, path: str) -> str:
    [u] = [u for u in r.inputs["uploads"] if u["file"] == path]
    return u["content"]


@pytest.fixture(params=["dev", "prod"])
def stack(request: pytest.FixtureRequest) -> str:
    return request.param


def test_a_filebeat_and_a_metricbeat_run_on_every_host_from_the_pinned_images(stack: str) -> None:
    run = cached_run(stack)
    for role, product in (("filebeat", "filebeat"), ("metricbeat", "metricbeat")):
        placed = beats(run, role)
        assert sorted(placed) == HOSTS[stack], role
        for host, r in placed.items():
            assert r.inputs["image"] == f"sha256:mock-{image_ref(product, ELASTIC_VERSION)}"
            assert r.provider.startswith(run.named(f"elk-docker-{host}").urn), "placed through its host's provider"
            assert r.inputs["user"] == "0:0", "root: container logs, the socket, the host's /proc"
            assert r.inputs["wait"] is True and r.inputs["healthcheck"]["tests"] == ["CMD", product, "test", "config"]
            assert r.inputs["name"] == f"mt4-{stack}-{product}-{host}"


def test_every_rendered_beats_key_is_in_the_8_19_reference(stack: str) -> None:
    run = cached_run(stack)
    for role, path, name in (("filebeat", fb.CONFIG_FILE, "filebeat"), ("metricbeat", mb.CONFIG_FILE, "metricbeat")):
        keys = contract(name)["keys"]
        for r in beats(run, role).values():
            config = yaml.safe_load(uploaded(r, path))
            assert unknown_keys(config, keys) == [] and bad_values(config, keys) == [], r.name


def test_filebeat_reads_the_bridge_and_container_logs_read_only_and_keeps_its_registry(stack: str) -> None:
    run = cached_run(stack)
    protected = stack == "prod"
    for host, r in beats(run, "filebeat").items():
        mounts = {m["target"]: m for m in r.inputs["mounts"]}
        registry = mounts[fb.DATA_DIR]
        assert registry["type"] == "volume" and not registry.get("readOnly")
        volume = run.named(f"elk-filebeat-{host}-data")
        assert registry["source"] == volume.inputs["name"]
        assert (volume.protect, volume.retain_on_delete) == (protected, protected), "a restart neither re-ships nor loses lines"
        logs = mounts["/var/lib/docker/containers"]
        assert (logs["type"], logs["source"], logs.get("readOnly")) == ("bind", "/var/lib/docker/containers", True)
        assert r.inputs["volumes"] == [{"hostPath": "/var/log/mt4-bridge", "containerPath": "/var/log/mt4-bridge", "readOnly": True}]
        config = yaml.safe_load(uploaded(r, fb.CONFIG_FILE))
        assert [i["id"] for i in config["filebeat.inputs"]] == [fb.BRIDGE_INPUT_ID, fb.CONTAINERS_INPUT_ID]
        assert config["filebeat.inputs"][0]["paths"] == ["/var/log/mt4-bridge/*.json"]


def test_filebeat_balances_over_every_logstash_instance_as_reached_from_its_host() -> None:
    dev = yaml.safe_load(uploaded(beats(cached_run("dev"), "filebeat")["local"], fb.CONFIG_FILE))["output.logstash"]
    assert dev == {"hosts": ["logstash:5044"], "loadbalance": True}, "dev: one instance, plain like its Beats input"
    expected = {  # logstash on elk2 (10.0.1.12), logstash2 on elk3 (10.0.1.13): by alias on their own host
        "elk1": ["10.0.1.12:5044", "10.0.1.13:5044"],
        "elk2": ["logstash:5044", "10.0.1.13:5044"],
        "elk3": ["10.0.1.12:5044", "logstash2:5044"],
    }
    for host, r in beats(cached_run("prod"), "filebeat").items():
        out = yaml.safe_load(uploaded(r, fb.CONFIG_FILE))["output.logstash"]
        assert out["hosts"] == expected[host] and out["loadbalance"] is True
        assert out["ssl.verification_mode"] == "full" and out["ssl.certificate_authorities"] == [fb.DEFAULT_CA_PATH]
        assert (out["ssl.certificate"], out["ssl.key"]) == (fb.DEFAULT_CLIENT_CERT_PATH, fb.DEFAULT_CLIENT_KEY_PATH)


def test_prod_filebeats_present_their_own_certificate_and_every_beats_input_requires_one() -> None:
    run = cached_run("prod")
    for host, r in beats(run, "filebeat").items():
        assert f"mock-cert-elk-pki-filebeat-{host}-cert-" in uploaded(r, fb.DEFAULT_CLIENT_CERT_PATH), "its own certificate"
        installer = run.named(f"elk-filebeat-{host}-secret-files")
        assert installer.urn in r.dependencies
        [key] = installer.inputs["uploads"]
        assert key["permissions"] == "0400" and key["content"] in run.secret_values
        assert f"mock-key-elk-pki-filebeat-{host}-key" in key["content"], "its own key"
        assert not any(u["file"].endswith(".key") for u in r.inputs["uploads"]), "the key is installed, never uploaded"
        assert f"{fb.SECRETS_DIR}/{fb.CLIENT_KEY_FILE}" in installer.inputs["command"][0]
    certs = run.of_type("tls:index/locallySignedCert:LocallySignedCert")
    identities = {r.name.removeprefix("elk-pki-").removesuffix("-cert") for r in certs}
    assert {"filebeat-elk1", "filebeat-elk2", "filebeat-elk3"} <= identities
    for ls in [r for r in run.of_type(CONTAINER) if {"label": "role", "value": "logstash"} in r.inputs["labels"]]:
        conf = parse_config(uploaded(ls, "/usr/share/logstash/pipeline/mt4.conf"))
        [beats_input] = [u.plugin.options for u in iter_plugins(conf) if u.section == "input" and u.plugin.name == "beats"]
        [tcp_input] = [u.plugin.options for u in iter_plugins(conf) if u.section == "input" and u.plugin.name == "tcp"]
        assert beats_input["ssl_client_authentication"] == "required" and beats_input["ssl_certificate_authorities"]
        assert tcp_input["ssl_client_authentication"] == "none", "elk_logger's TCP clients keep server-only TLS"
    dev = cached_run("dev")
    assert not [r for r in dev.of_type("tls:index/locallySignedCert:LocallySignedCert") if "filebeat" in r.name]


def test_filebeat_waits_for_nothing_but_its_own_files(stack: str) -> None:
    """Until Logstash answers, events wait in Filebeat's queue and the registry does not advance."""
    run = cached_run(stack)
    logstash = {r.urn for r in run.of_type(CONTAINER) if {"label": "role", "value": "logstash"} in r.inputs["labels"]}
    for r in beats(run, "filebeat").values():
        assert not logstash & set(r.dependencies)


def test_metricbeat_reads_the_host_read_only_and_waits_for_its_user_and_the_metrics_template(stack: str) -> None:
    run = cached_run(stack)
    for r in beats(run, "metricbeat").values():
        mounts = sorted((m["source"], m["target"], m["type"], m.get("readOnly")) for m in r.inputs["mounts"])
        data = f"{r.inputs['name']}-data"
        assert mounts == sorted([*((s, t, "bind", True) for s, t in mbc.HOST_MOUNTS), (data, mb.DATA_DIR, "volume", None)]), (
            "the host read-only; path.data (the Beat's UUID) on a volume of its own")
        [volume] = [v for v in run.of_type("docker:index/volume:Volume") if v.inputs["name"] == data]
        assert volume.protect is (stack == "prod") and volume.retain_on_delete is (stack == "prod")
        for needed in ("elk-access-user-mt4-metricbeat-writer", "elk-indices-template-metrics", "elk-access-remote-monitoring-user"):
            assert run.named(needed).urn in r.dependencies, needed
        assert is_secret(r.raw["envs"])
        names = sorted(e.split("=", 1)[0] for e in r.inputs["envs"])
        assert names == ["MT4_METRICBEAT_WRITER_PASSWORD", "MT4_REMOTE_MONITORING_PASSWORD"]
        assert not any(s in u["content"] for u in r.inputs["uploads"] for s in run.secret_values), "no secret in a file"


def test_metricbeat_writes_mt4_metrics_system_and_monitors_what_runs_on_its_own_host() -> None:
    dev = yaml.safe_load(uploaded(beats(cached_run("dev"), "metricbeat")["local"], mb.CONFIG_FILE))
    assert dev["output.elasticsearch"]["hosts"] == ["https://es01:9200"] and dev["output.elasticsearch"]["index"] == "mt4-metrics-system"
    assert dev["output.elasticsearch"]["username"] == "mt4_metricbeat_writer"
    modules = {m["module"]: m.get("hosts") for m in dev["metricbeat.modules"]}
    assert modules == {"system": None, "docker": ["unix:///var/run/docker.sock"], "elasticsearch": ["https://es01:9200"],
                       "kibana": ["http://kibana:5601"], "logstash": ["http://logstash:9600"]}, "dev: one host runs everything"
    expected = {
        "elk1": {"elasticsearch": ["https://es01:9200"], "kibana": ["https://kibana:5601"]},
        "elk2": {"elasticsearch": ["https://es02:9200"], "logstash": ["http://logstash:9600"]},
        "elk3": {"elasticsearch": ["https://es03:9200"], "logstash": ["http://logstash2:9600"]},
    }
    for host, r in beats(cached_run("prod"), "metricbeat").items():
        config = yaml.safe_load(uploaded(r, mb.CONFIG_FILE))
        monitored = {m["module"]: m["hosts"] for m in config["metricbeat.modules"] if m.get("xpack.enabled")}
        assert monitored == expected[host], host
        assert config["output.elasticsearch"]["hosts"][0] == f"https://es0{host[-1]}:9200", "its own host's node first"


def test_the_metricbeat_writer_holds_its_stream_and_the_monitoring_indices_only(stack: str) -> None:
    run = cached_run(stack)
    user = run.named("elk-access-user-mt4-metricbeat-writer")
    assert sorted(user.inputs["roles"]) == ["mt4_metricbeat_writer", "remote_monitoring_agent"]
    role = run.named("elk-access-role-mt4-metricbeat-writer")
    assert role.urn in user.dependencies
    [indices] = role.inputs["indices"]
    assert indices["names"] == ["mt4-metrics-*"] and sorted(indices["privileges"]) == ["auto_configure", "create_doc"]


def test_beats_config_files_pass_strict_perms(stack: str) -> None:
    """libbeat's LoadFile refuses a config not owned by root or the running uid, or writable by
    group/others (images_8.19.json: config_permissions); uploads naming no owner land root's."""
    run = cached_run(stack)
    for role, path in (("filebeat", fb.CONFIG_FILE), ("metricbeat", mb.CONFIG_FILE)):
        for r in beats(run, role).values():
            [u] = [u for u in r.inputs["uploads"] if u["file"] == path]
            assert not u.get("owner") and not u.get("group"), "root-owned: the tar header's 0:0"
            assert int(u["permissions"], 8) & 0o022 == 0, u["permissions"]
