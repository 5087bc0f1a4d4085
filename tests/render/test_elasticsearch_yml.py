"""elasticsearch.yml: parsed structure, every key documented for 8.19, discovery by topology."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from components.render import elasticsearch_yml as es

CONTRACT = json.loads((Path(__file__).parent.parent / "contracts" / "elasticsearch_settings_8.19.json").read_text())


def config(**overrides: object) -> es.NodeConfig:
    base = dict(
        cluster_name="mt4-prod", node_name="es02", roles=("master", "data", "ingest"),
        seed_hosts=("es01:9300", "es03:9300"), initial_master_nodes=("es01", "es02", "es03"),
        single_node=False, repo_path="/backup/elasticsearch", allow_mmap=True, license="basic",
    )
    base.update(overrides)
    return es.NodeConfig(**base)  # type: ignore[arg-type]


def parsed(c: es.NodeConfig) -> dict[str, object]:
    return yaml.safe_load(es.render_elasticsearch_yml(c))


ACROSS_HOSTS = dict(seed_hosts=("10.0.1.11:9300", "10.0.1.13:9300"), publish_host="10.0.1.12", transport_publish_port=9300,
                    http_publish_port=9200, docker_host="elk2")


@pytest.mark.parametrize("c", [config(), config(single_node=True, seed_hosts=(), initial_master_nodes=()), config(initial_master_nodes=()),
                               config(**ACROSS_HOSTS)],
                         ids=["bootstrapping three nodes", "a single node", "three nodes after bootstrap", "three nodes on three hosts"])
def test_every_key_is_a_documented_8_19_setting(c: es.NodeConfig) -> None:
    settings = parsed(c)
    undocumented = sorted(set(settings) - set(CONTRACT["settings"]))
    assert undocumented == []
    for key, allowed in CONTRACT["enumerations"].items():
        if key in settings:
            assert settings[key] in allowed, key


def test_single_node_uses_single_node_discovery_and_no_initial_masters() -> None:
    settings = parsed(config(single_node=True, seed_hosts=(), initial_master_nodes=()))
    assert settings["discovery.type"] == "single-node"
    assert "cluster.initial_master_nodes" not in settings
    assert "discovery.seed_hosts" not in settings


def test_bootstrap_sets_initial_master_nodes_sorted_and_seed_hosts() -> None:
    settings = parsed(config(initial_master_nodes=("es03", "es01", "es02")))
    assert settings["cluster.initial_master_nodes"] == ["es01", "es02", "es03"]
    assert settings["discovery.seed_hosts"] == ["es01:9300", "es03:9300"]
    assert "discovery.type" not in settings


def test_after_bootstrap_initial_master_nodes_is_gone() -> None:
    assert "cluster.initial_master_nodes" not in parsed(config(initial_master_nodes=()))


def test_security_and_tls_on_both_layers_with_uploaded_files() -> None:
    s = parsed(config())
    assert s["xpack.security.enabled"] is True
    for layer in ("http", "transport"):
        assert s[f"xpack.security.{layer}.ssl.enabled"] is True
        assert s[f"xpack.security.{layer}.ssl.key"] == es.NODE_KEY
        assert s[f"xpack.security.{layer}.ssl.certificate"] == es.NODE_CERT
        assert s[f"xpack.security.{layer}.ssl.certificate_authorities"] == [es.CA_CERT]
    assert s["xpack.security.transport.ssl.client_authentication"] == "required"


def test_node_basics_paths_and_readiness() -> None:
    s = parsed(config(allow_mmap=False, license="trial"))
    assert s["cluster.name"] == "mt4-prod" and s["node.name"] == "es02"
    assert s["node.roles"] == ["data", "ingest", "master"]
    assert s["path.repo"] == ["/backup/elasticsearch"] and s["path.data"] == es.DATA_DIR
    assert s["readiness.port"] == es.READINESS_PORT
    assert s["node.store.allow_mmap"] is False
    assert s["xpack.license.self_generated.type"] == "trial"
    assert s["bootstrap.memory_lock"] is True


def test_rendering_is_deterministic() -> None:
    assert es.render_elasticsearch_yml(config()) == es.render_elasticsearch_yml(config(roles=("ingest", "data", "master")))


def test_heap_options_pin_xms_to_xmx() -> None:
    assert es.render_heap_options(3 * 1024**3).splitlines() == ["-Xms3072m", "-Xmx3072m"]


def test_across_hosts_a_node_publishes_its_hosts_address_and_published_ports() -> None:
    s = parsed(config(**ACROSS_HOSTS))
    assert s["network.host"] == "0.0.0.0"  # binds every interface in the container
    assert (s["network.publish_host"], s["transport.publish_port"], s["http.publish_port"]) == ("10.0.1.12", 9300, 9200)
    assert s["transport.port"] == es.TRANSPORT_PORT and s["http.port"] == es.HTTP_PORT  # inside the container, unchanged
    assert s["discovery.seed_hosts"] == ["10.0.1.11:9300", "10.0.1.13:9300"]


def test_on_one_host_nothing_is_published_beyond_the_docker_network() -> None:
    s = parsed(config())
    assert not {"network.publish_host", "transport.publish_port", "http.publish_port"} & set(s)


def test_a_node_whose_http_is_not_published_publishes_only_transport() -> None:
    s = parsed(config(**{**ACROSS_HOSTS, "http_publish_port": None}))
    assert s["transport.publish_port"] == 9300 and "http.publish_port" not in s


def test_watchers_email_account_is_on_every_node_that_has_one_with_registered_keys_and_no_password() -> None:
    from components.render.watcher_email import EmailAccount
    from tests.render.test_watcher_email import affix_match

    account = EmailAccount(name="mt4", sender="alerts@example.com", host="smtp.example.com", port=587, user="mailer")
    with_account = parsed(config(email_account=account))
    email_keys = sorted(k for k in with_account if k.startswith("xpack.notification."))
    assert email_keys and all(affix_match(k, CONTRACT["affix_settings"]) for k in email_keys)
    assert not any(affix_match(k, CONTRACT["secure_settings"]) for k in with_account), "a secure setting in the yml stops the node"
    assert sorted(set(with_account) - set(email_keys)) == sorted(parsed(config())), "nothing else changes"
    assert not any(k.startswith("xpack.notification.") for k in parsed(config()))


def test_across_hosts_shard_copies_are_kept_on_different_docker_hosts() -> None:
    s = parsed(config(**ACROSS_HOSTS))
    assert s["node.attr.docker_host"] == "elk2"
    assert s["cluster.routing.allocation.awareness.attributes"] == ["docker_host"]
    assert not {k for k in parsed(config()) if k.startswith(("node.attr.", "cluster.routing."))}, "one host: no awareness"
