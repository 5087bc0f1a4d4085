"""Who reaches whom across Docker hosts (components/topology.py) and the names in certificates
(components/identities.py), for the two stack files and the dedicated-roles three-host variant.

Proof limit: pure functions over parsed settings; that Docker forwards a published port and that
Elasticsearch forms the cluster over these addresses is not shown here (README: what each kind of
test proves).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from components import topology
from components.identities import identities
from components.settings.model import StackSettings
from components.settings.parse import parse_settings
from components.settings.problems import Problems
from tests.topologies import DEDICATED

ROOT = Path(__file__).resolve().parent.parent


def settings_of(stack: str, changes: dict[str, Any] | None = None) -> StackSettings:
    raw = {k.removeprefix("elk-stack:"): v for k, v in yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"].items()}
    raw.update(copy.deepcopy(changes or {}))
    problems = Problems(f"Pulumi.{stack}.yaml")
    settings = parse_settings(raw, problems, own_ca=False)
    assert problems.errors == []
    return settings


@pytest.fixture(scope="module")
def prod() -> StackSettings:
    return settings_of("prod")


@pytest.fixture(scope="module")
def dev() -> StackSettings:
    return settings_of("dev")


@pytest.fixture(scope="module")
def dedicated() -> StackSettings:
    return settings_of("prod", DEDICATED)


def test_dev_keeps_names_on_the_docker_network_and_publishes_nothing_more(dev: StackSettings) -> None:
    node = dev.elasticsearch.nodes[0]
    net = topology.node_network(dev, node)
    assert (net.seed_hosts, net.publish_host, net.transport_publish_port) == ((), "", None)
    assert topology.endpoints(dev) == ("https://localhost:9200",)
    assert topology.elasticsearch_urls(dev, "local") == ("https://es01:9200",)
    assert topology.public_url(dev, "local", 5601, False) == "http://localhost:5601"


def test_prod_seeds_every_other_master_at_its_hosts_address_and_published_transport(prod: StackSettings) -> None:
    by_name = {n.name: topology.node_network(prod, n) for n in prod.elasticsearch.nodes}
    assert by_name["es01"].seed_hosts == ("10.0.1.12:9300", "10.0.1.13:9300")
    assert by_name["es02"].seed_hosts == ("10.0.1.11:9300", "10.0.1.13:9300")
    assert [(n.publish_host, n.transport_publish_port, n.http_publish_port) for n in by_name.values()] == [
        ("10.0.1.11", 9300, 9200), ("10.0.1.12", 9300, 9200), ("10.0.1.13", 9300, 9200)]


def test_prod_endpoints_are_each_hosts_address(prod: StackSettings) -> None:
    assert topology.endpoints(prod) == ("https://10.0.1.11:9200", "https://10.0.1.12:9200", "https://10.0.1.13:9200")
    assert topology.public_url(prod, "elk1", 5601, True) == "https://10.0.1.11:5601"


def test_a_service_reaches_its_own_hosts_node_by_name_and_the_others_by_address(prod: StackSettings) -> None:
    assert topology.elasticsearch_urls(prod, "elk2") == ("https://es02:9200", "https://10.0.1.11:9200", "https://10.0.1.13:9200")


def test_an_unpublished_port_on_another_host_is_unreachable(dedicated: StackSettings) -> None:
    assert topology.reach(dedicated, "elk1", "elk2", "master2", 9200, None) is None
    assert topology.reach(dedicated, "elk2", "elk2", "master2", 9200, None) == "master2:9200"
    # Kibana on elk1 lists only the data nodes (the masters publish no HTTP), its own host's first.
    assert topology.elasticsearch_urls(dedicated, "elk1") == (
        "https://data1:9200", "https://elk2.mt4.internal:9200", "https://elk3.mt4.internal:9200")


def test_dedicated_masters_seed_each_other_and_data_nodes_seed_every_master(dedicated: StackSettings) -> None:
    nodes = {n.name: n for n in dedicated.elasticsearch.nodes}
    assert topology.node_network(dedicated, nodes["master1"]).seed_hosts == ("elk2.mt4.internal:9300", "elk3.mt4.internal:9300")
    data1 = topology.node_network(dedicated, nodes["data1"])
    assert data1.seed_hosts == ("elk1.mt4.internal:9300", "elk2.mt4.internal:9300", "elk3.mt4.internal:9300")
    assert (data1.publish_host, data1.transport_publish_port, data1.http_publish_port) == ("elk1.mt4.internal", 9301, 9200)
    assert topology.node_network(dedicated, nodes["master1"]).http_publish_port is None


def test_an_ipv6_host_address_is_bracketed_in_urls_and_seeds(prod: StackSettings) -> None:
    hosts = [{"name": f"elk{i}", "url": f"ssh://ops@elk{i}", "address": f"fd00::{i}"} for i in (1, 2, 3)]
    v6 = settings_of("prod", {"docker_hosts": hosts})
    assert topology.node_network(v6, v6.elasticsearch.nodes[0]).seed_hosts == ("[fd00::2]:9300", "[fd00::3]:9300")
    assert topology.node_network(v6, v6.elasticsearch.nodes[0]).publish_host == "fd00::1"
    assert topology.endpoints(v6)[0] == "https://[fd00::1]:9200"


def test_prod_certificates_carry_their_hosts_ip_as_an_ip_san(prod: StackSettings) -> None:
    by_name = {i.name: i for i in identities(prod)}
    assert "10.0.1.11" in by_name["es01"].ip_addresses and "10.0.1.11" not in by_name["es01"].dns_names
    assert "10.0.1.12" not in by_name["es01"].ip_addresses  # only the host it runs on
    assert "10.0.1.11" in by_name["kibana"].ip_addresses
    assert {"10.0.1.12", "10.0.1.13"} <= set(by_name["logstash"].ip_addresses)
    assert {"logstash", "logstash2", "mt4-prod-logstash2"} <= set(by_name["logstash"].dns_names)
    assert "elk.mt4.internal" in by_name["es02"].dns_names  # public_host stays in every certificate


def test_dns_host_addresses_go_into_dns_sans(dedicated: StackSettings) -> None:
    by_name = {i.name: i for i in identities(dedicated)}
    assert "elk2.mt4.internal" in by_name["data2"].dns_names
    assert "elk2.mt4.internal" not in by_name["data1"].dns_names


def test_a_one_host_stack_puts_no_host_address_in_certificates(dev: StackSettings) -> None:
    es01 = next(i for i in identities(dev) if i.name == "es01")
    assert es01.dns_names == ("es01", "localhost", "mt4-dev-es01") and es01.ip_addresses == ("127.0.0.1", "::1")


def test_prod_folds_onto_one_host_for_a_test_daemon() -> None:
    from tests.topologies import prod_on_one_host

    one = settings_of("prod", prod_on_one_host("unix:///tmp/test.sock"))
    assert not one.several_hosts and one.docker_hosts[0].url == "unix:///tmp/test.sock"
    assert [(n.host, n.http_port, n.transport_port) for n in one.elasticsearch.nodes] == [
        ("local", 9200, None), ("local", 9201, None), ("local", 9202, None)]
    assert one.snapshots.nfs is None and one.protect_volumes
    assert topology.node_network(one, one.elasticsearch.nodes[0]).seed_hosts == ("es02:9300", "es03:9300")


def test_five_masters_on_three_hosts_two_two_one_keep_a_quorum_when_any_host_goes() -> None:
    nodes = [{"name": f"es0{i}", "host": host, "heap": "1g", "memory": "2g", "http_port": 9200 if i < 4 else 9201,
              "transport_port": 9300 if i < 4 else 9301}
             for i, host in enumerate(["elk1", "elk2", "elk3", "elk1", "elk2"], start=1)]
    five = settings_of("prod", {"elasticsearch": {"nodes": nodes}})
    assert len(five.elasticsearch.masters) == 5  # settings_of asserts no problem: 2/2/1 leaves 3 of 5 whatever host goes
    seeds = topology.node_network(five, five.elasticsearch.nodes[3]).seed_hosts
    assert seeds == ("10.0.1.11:9300", "10.0.1.12:9300", "10.0.1.13:9300", "10.0.1.12:9301"), "es04 seeds the four others"


def test_a_host_pulls_the_products_placed_on_it_and_an_idle_host_nothing() -> None:
    from components.settings.placement import products_by_host

    idle = settings_of("prod", {"docker_hosts": [*copy.deepcopy(DEDICATED["docker_hosts"]),
                                                 {"name": "spare", "url": "ssh://ops@spare", "address": "10.0.1.99"}]})
    products = products_by_host(idle)
    assert products["spare"] == frozenset()
    assert {"elasticsearch", "kibana"} <= products["elk1"] and "logstash" not in products["elk1"]
