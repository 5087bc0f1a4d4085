"""filebeat.yml and metricbeat.yml: parsed back, every key and enumerated value checked against the
8.19 references kept in tests/contracts/ (filebeat_8.19.json, metricbeat_8.19.json).

Proof limit: the key names and values are Elastic's (from the stored reference files and docs);
that a real Filebeat/Metricbeat 8.19 starts with them is not run here (no Beat on this machine).
"""

from __future__ import annotations

import pytest
import yaml

from components.render import filebeat_yml as fb
from components.render import metricbeat_yml as mb
from tests.render.beats_keys import bad_values, contract, leaves, unknown_keys

FILEBEAT = contract("filebeat")
METRICBEAT = contract("metricbeat")


def filebeat_options(**overrides: object) -> fb.FilebeatYmlOptions:
    base: dict[str, object] = {
        "name": "mt4-filebeat-local",
        "bridge_log_paths": ("/var/log/mt4-bridge/*.json",),
        "containers_dir": "/var/lib/docker/containers",
        "logstash_hosts": ("logstash:5044",),
        "tls": False,
    }
    return fb.FilebeatYmlOptions(**{**base, **overrides})  # type: ignore[arg-type]


MUTUAL = {"tls": True, "client_certificate_path": fb.DEFAULT_CLIENT_CERT_PATH, "client_key_path": fb.DEFAULT_CLIENT_KEY_PATH}
FILEBEAT_VARIANTS = {
    "plain": {},
    "tls": {"tls": True},
    "mutual-two-logstash": {**MUTUAL, "logstash_hosts": ("logstash:5044", "logstash2:5044")},
    "bridge-only": {"containers_dir": None, "bridge_log_paths": ("/var/log/mt4-bridge/*.json", "/srv/mt4/*.ndjson")},
    "containers-only": {"bridge_log_paths": ()},
}


def monitoring(kibana_tls: bool = True) -> mb.StackMonitoring:
    return mb.StackMonitoring(
        elasticsearch_urls=("https://es01:9200", "https://es02:9200", "https://es03:9200"),
        kibana_url=f"{'https' if kibana_tls else 'http'}://kibana:5601",
        logstash_urls=("http://logstash:9600", "http://logstash2:9600"),
    )


def metricbeat_options(**overrides: object) -> mb.MetricbeatYmlOptions:
    base: dict[str, object] = {
        "name": "mt4-metricbeat-local",
        "period": "10s",
        "elasticsearch_urls": ("https://es01:9200",),
        "writer_user": "mt4_metricbeat_writer",
        "writer_password_env": "MT4_METRICBEAT_WRITER_PASSWORD",
    }
    return mb.MetricbeatYmlOptions(**{**base, **overrides})  # type: ignore[arg-type]


METRICBEAT_VARIANTS = {
    "metrics-only": {},
    "monitoring": {"monitoring": monitoring()},
    "monitoring-plain-kibana": {"monitoring": monitoring(kibana_tls=False), "period": "1m"},
    "monitoring-logstash-host": {"monitoring": mb.StackMonitoring(logstash_urls=("http://logstash2:9600",))},
}


@pytest.mark.parametrize("variant", FILEBEAT_VARIANTS)
def test_filebeat_yml_parses_to_its_data_and_every_key_is_in_the_reference(variant: str) -> None:
    options = filebeat_options(**FILEBEAT_VARIANTS[variant])
    parsed = yaml.safe_load(fb.render_filebeat_yml(options))
    assert parsed == fb.filebeat_config(options)
    assert unknown_keys(parsed, FILEBEAT["keys"]) == []
    assert bad_values(parsed, FILEBEAT["keys"]) == []


@pytest.mark.parametrize("variant", METRICBEAT_VARIANTS)
def test_metricbeat_yml_parses_to_its_data_and_every_key_is_in_the_reference(variant: str) -> None:
    options = metricbeat_options(**METRICBEAT_VARIANTS[variant])
    parsed = yaml.safe_load(mb.render_metricbeat_yml(options))
    assert parsed == mb.metricbeat_config(options)
    assert unknown_keys(parsed, METRICBEAT["keys"]) == []
    assert bad_values(parsed, METRICBEAT["keys"]) == []


def test_the_key_check_catches_a_misspelt_key_a_foreign_module_key_and_a_bad_value() -> None:
    parsed = yaml.safe_load(fb.render_filebeat_yml(filebeat_options(tls=True)))
    parsed["output.logstash"]["loadbalancing"] = True
    parsed["filebeat.inputs"][0]["parsers"][0]["ndjson"]["target"] = ""
    parsed["output.logstash"]["ssl.verification_mode"] = "peer"
    assert unknown_keys(parsed, FILEBEAT["keys"]) == [
        "filebeat.inputs[].parsers[].ndjson.target", "output.logstash.loadbalancing"]
    assert bad_values(parsed, FILEBEAT["keys"]) == ["output.logstash.ssl.verification_mode='peer'"]
    mparsed = yaml.safe_load(mb.render_metricbeat_yml(metricbeat_options(monitoring=monitoring())))
    mparsed["metricbeat.modules"][4]["scope"] = "node"  # logstash has no scope; elasticsearch does
    mparsed["metricbeat.modules"][0]["metricsets"].append("network_summary")  # a docker metricset
    assert unknown_keys(mparsed, METRICBEAT["keys"]) == ["metricbeat.modules[logstash].scope"]
    assert bad_values(mparsed, METRICBEAT["keys"]) == ["metricbeat.modules[system].metricsets='network_summary'"]


def test_every_contract_key_names_a_source_it_lists_and_quotes_it() -> None:
    for document in (FILEBEAT, METRICBEAT):
        for key, entry in document["keys"].items():
            assert entry["source"] in document["sources"], key
            assert entry["quote"].strip(), key
        for source in document["sources"].values():
            assert "url" in source or len(source.get("commit", "")) == 40, source


def test_filebeat_inputs_are_filestreams_with_fixed_unique_ids_and_the_documented_parsers() -> None:
    config = fb.filebeat_config(filebeat_options())
    inputs = config["filebeat.inputs"]
    assert [i["type"] for i in inputs] == ["filestream", "filestream"]
    assert [i["id"] for i in inputs] == [fb.BRIDGE_INPUT_ID, fb.CONTAINERS_INPUT_ID]
    bridge, containers = inputs
    assert bridge["paths"] == ["/var/log/mt4-bridge/*.json"]
    assert bridge["parsers"] == [{"ndjson": {"keys_under_root": True, "overwrite_keys": True, "expand_keys": True, "add_error_key": True}}]
    assert containers["paths"] == ["/var/lib/docker/containers/*/*-json.log"]
    assert containers["parsers"] == [{"container": {"stream": "all", "format": "docker"}}]
    assert config["path.data"] == "/usr/share/filebeat/data"
    # The ids do not depend on the paths: changing a path must not re-ship the files already read.
    other = fb.filebeat_config(filebeat_options(bridge_log_paths=("/srv/other/*.json",)))
    assert [i["id"] for i in other["filebeat.inputs"]] == [i["id"] for i in inputs]


def test_filebeat_output_balances_over_every_logstash_and_verifies_it_when_tls() -> None:
    hosts = ("logstash:5044", "logstash2:5044", "10.0.1.12:5044")
    plain = fb.logstash_output(filebeat_options(logstash_hosts=hosts))
    assert plain == {"hosts": list(hosts), "loadbalance": True}
    tls = fb.logstash_output(filebeat_options(logstash_hosts=hosts, tls=True))
    assert tls["ssl.enabled"] is True and tls["ssl.verification_mode"] == "full"
    assert tls["ssl.certificate_authorities"] == [fb.DEFAULT_CA_PATH]
    assert "ssl.certificate" not in tls and "ssl.key" not in tls
    mutual = fb.logstash_output(filebeat_options(**MUTUAL))
    assert (mutual["ssl.certificate"], mutual["ssl.key"]) == (fb.DEFAULT_CLIENT_CERT_PATH, fb.DEFAULT_CLIENT_KEY_PATH)


@pytest.mark.parametrize("overrides, message", [
    ({"logstash_hosts": ()}, "at least one Logstash"),
    ({"logstash_hosts": ("logstash",)}, "host:port"),
    ({"bridge_log_paths": (), "containers_dir": None}, "at least one input"),
    ({"tls": True, "client_certificate_path": "/c.crt"}, "go together"),
    ({"client_certificate_path": "/c.crt", "client_key_path": "/c.key"}, "needs tls"),
    ({"bridge_log_paths": ("relative/*.json",)}, "absolute"),
])
def test_filebeat_options_refuse_what_filebeat_could_not_run(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        filebeat_options(**overrides)


def test_metricbeat_writes_one_mt4_metrics_stream_and_leaves_templates_and_ilm_to_the_program() -> None:
    config = mb.metricbeat_config(metricbeat_options())
    output = config["output.elasticsearch"]
    assert output["index"] == "mt4-metrics-system"
    assert output["password"] == "${MT4_METRICBEAT_WRITER_PASSWORD}"
    assert output["ssl.certificate_authorities"] == [mb.DEFAULT_CA_PATH] and output["ssl.verification_mode"] == "full"
    assert (config["setup.template.enabled"], config["setup.ilm.enabled"]) == (False, False)
    assert config["setup.template.pattern"] == "mt4-metrics-*"
    modules = {m["module"]: m for m in config["metricbeat.modules"]}
    assert set(modules) == {"system", "docker"}
    assert modules["system"]["hostfs"] == "/hostfs" and "network" not in modules["system"]["metricsets"]
    assert modules["docker"]["hosts"] == ["unix:///var/run/docker.sock"]


def test_stack_monitoring_modules_log_in_as_remote_monitoring_user_and_send_no_metricsets() -> None:
    config = mb.metricbeat_config(metricbeat_options(monitoring=monitoring()))
    modules = {m["module"]: m for m in config["metricbeat.modules"]}
    for name in ("elasticsearch", "kibana", "logstash"):
        assert modules[name]["xpack.enabled"] is True and "metricsets" not in modules[name], name
    for name in ("elasticsearch", "kibana"):
        assert modules[name]["username"] == "remote_monitoring_user"
        assert modules[name]["password"] == "${MT4_REMOTE_MONITORING_PASSWORD}"
        assert modules[name]["ssl.certificate_authorities"] == [mb.DEFAULT_CA_PATH]
    assert modules["elasticsearch"]["hosts"] == ["https://es01:9200", "https://es02:9200", "https://es03:9200"]
    assert modules["elasticsearch"]["scope"] == "node"
    assert modules["logstash"]["hosts"] == ["http://logstash:9600", "http://logstash2:9600"]
    assert "username" not in modules["logstash"]  # Logstash's API has no login here
    plain = {m["module"]: m for m in mb.modules(metricbeat_options(monitoring=monitoring(kibana_tls=False)))}
    assert not any(k.startswith("ssl.") for k in plain["kibana"])
    only_logstash = mb.modules(metricbeat_options(monitoring=mb.StackMonitoring(logstash_urls=("http://logstash2:9600",))))
    assert [m["module"] for m in only_logstash] == ["system", "docker", "logstash"], "a module only for what runs on the host"


@pytest.mark.parametrize("overrides, message", [
    ({"period": "10"}, "Beats duration"),
    ({"elasticsearch_urls": ()}, "at least one"),
    ({"elasticsearch_urls": ("es01:9200",)}, "URL"),
    ({"monitoring": mb.StackMonitoring()}, "at least one service"),
])
def test_metricbeat_options_refuse_what_metricbeat_could_not_run(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        metricbeat_options(**overrides)


def test_no_rendered_beats_file_holds_anything_but_env_references_for_passwords() -> None:
    for variant in METRICBEAT_VARIANTS.values():
        parsed = yaml.safe_load(mb.render_metricbeat_yml(metricbeat_options(**variant)))
        for path, value in leaves(parsed):
            if path.endswith("password"):
                assert isinstance(value, str) and value.startswith("${") and value.endswith("}"), path
    for variant in FILEBEAT_VARIANTS.values():
        assert not [p for p, _ in leaves(yaml.safe_load(fb.render_filebeat_yml(filebeat_options(**variant)))) if "password" in p]


def test_rendering_is_deterministic_and_keeps_the_documented_key_order() -> None:
    """Byte-identical text for the same options (no spurious container replacement)."""
    assert fb.render_filebeat_yml(filebeat_options(**MUTUAL)) == fb.render_filebeat_yml(filebeat_options(**MUTUAL))
    text = mb.render_metricbeat_yml(metricbeat_options(monitoring=monitoring()))
    assert text == mb.render_metricbeat_yml(metricbeat_options(monitoring=monitoring()))
    assert list(yaml.safe_load(text)) == list(mb.metricbeat_config(metricbeat_options()))
