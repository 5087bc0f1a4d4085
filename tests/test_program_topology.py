"""The whole program across Docker hosts, under mocks: Pulumi.prod.yaml (three hosts, one master
each) and the dedicated-roles three-host variant (tests/topologies.py), and dev unchanged.

Proof limit: the resource graph, inputs and options the engine would receive (providers,
placement, published ports, rendered elasticsearch.yml, volumes, certificates, the replacement
chain); not that Docker forwards the ports, that NFS mounts or that the nodes form a cluster.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from components.settings.problems import SettingsError
from tests.conftest import cached_run
from tests.program import Registration, Run, run_program
from tests.topologies import DEDICATED

CONTAINER = "docker:index/container:Container"
VOLUME = "docker:index/volume:Volume"
PROVIDER = "pulumi:providers:docker"
GATE = "pulumi-python:dynamic/elasticsearch:ClusterHealthGate"
YML = "/usr/share/elasticsearch/config/elasticsearch.yml"
ADDRESSES = {"elk1": "10.0.1.11", "elk2": "10.0.1.12", "elk3": "10.0.1.13"}
_RUNS: dict[str, Run] = {}


def dedicated_run() -> Run:
    if "dedicated" not in _RUNS:
        _RUNS["dedicated"] = run_program("prod", overrides=DEDICATED)
    return _RUNS["dedicated"]


def label(r: Registration, name: str) -> str | None:
    return next((lbl["value"] for lbl in r.inputs.get("labels", []) if lbl["label"] == name), None)


def es_nodes(run: Run) -> dict[str, Registration]:
    return {label(r, "node") or "": r for r in run.of_type(CONTAINER) if label(r, "role") == "elasticsearch"}


def yml_of(r: Registration) -> dict[str, Any]:
    [content] = [u["content"] for u in r.inputs["uploads"] if u["file"] == YML]
    return yaml.safe_load(content)


def provider_of(run: Run, r: Registration) -> str:
    """The name of the docker provider a resource is created through."""
    urn = r.provider.rsplit("::", 1)[0]
    return run.by_urn(urn).name


def ports(r: Registration) -> set[tuple[int, int, str]]:
    return {(p["internal"], p["external"], p["ip"]) for p in r.inputs.get("ports", [])}


# ------------------------------------------------------------------- prod: three hosts, one master each


def test_prod_has_one_docker_provider_per_host_with_its_url(prod: Run) -> None:
    providers = {p.name: p.inputs["host"] for p in prod.of_type(PROVIDER)}
    assert providers == {
        "elk-docker-elk1": "ssh://ops@elk1.mt4.internal",
        "elk-docker-elk2": "ssh://ops@elk2.mt4.internal",
        "elk-docker-elk3": "ssh://ops@elk3.mt4.internal",
    }
    networks = {provider_of(prod, n): n.inputs["name"] for n in prod.of_type("docker:index/network:Network")}
    assert networks == {f"elk-docker-{h}": "mt4-prod-net" for h in ADDRESSES}, "one bridge network per host"


def test_prod_places_each_node_on_its_host_and_publishes_http_and_transport_there(prod: Run) -> None:
    nodes = es_nodes(prod)
    assert {name: provider_of(prod, r) for name, r in nodes.items()} == {
        "es01": "elk-docker-elk1", "es02": "elk-docker-elk2", "es03": "elk-docker-elk3"}
    for r in nodes.values():
        assert ports(r) == {(9200, 9200, "0.0.0.0"), (9300, 9300, "0.0.0.0")}, r.urn


def test_prod_nodes_publish_their_hosts_address_and_seed_the_other_masters_there(prod: Run) -> None:
    for name, host in (("es01", "elk1"), ("es02", "elk2"), ("es03", "elk3")):
        settings = yml_of(es_nodes(prod)[name])
        assert settings["network.host"] == "0.0.0.0"
        assert settings["network.publish_host"] == ADDRESSES[host]
        assert (settings["transport.publish_port"], settings["http.publish_port"]) == (9300, 9200)
        others = sorted(f"{a}:9300" for h, a in ADDRESSES.items() if h != host)
        assert settings["discovery.seed_hosts"] == others
        assert settings["cluster.initial_master_nodes"] == ["es01", "es02", "es03"], "the bootstrap rule holds across hosts"
        assert settings["node.attr.docker_host"] == host, "allocation awareness keeps a shard's copies on different hosts"
        assert settings["cluster.routing.allocation.awareness.attributes"] == ["docker_host"]


def test_prod_bootstrap_creates_the_three_masters_together_across_hosts(prod: Run) -> None:
    urns = {r.urn for r in es_nodes(prod).values()}
    for r in es_nodes(prod).values():
        assert not urns & set(r.dependencies), f"{r.urn} must not wait for another node while bootstrapping"
    assert prod.of_type(GATE) == []


def test_after_bootstrap_nodes_on_three_hosts_roll_one_at_a_time_never_two_masters() -> None:
    run = run_program("prod", overrides={"bootstrap": "false"})
    nodes = es_nodes(run)
    gates = {g.name: g for g in run.of_type(GATE)}
    assert sorted(gates) == ["elk-es-es01-health", "elk-es-es02-health", "elk-es-es03-health"]
    chain = [nodes["es01"], gates["elk-es-es01-health"], nodes["es02"], gates["elk-es-es02-health"], nodes["es03"],
             gates["elk-es-es03-health"]]
    for before, after in zip(chain, chain[1:], strict=False):
        assert before.urn in after.dependencies, f"{after.urn} must wait for {before.urn}"
    assert all("cluster.initial_master_nodes" not in yml_of(r) for r in nodes.values())
    for gate in gates.values():
        assert gate.inputs["endpoints"] == [f"https://{a}:9200" for a in ADDRESSES.values()]


def test_prod_backup_volume_is_the_same_nfs_export_on_every_host_protected_and_retained(prod: Run) -> None:
    backups = [v for v in prod.of_type(VOLUME) if v.inputs["name"] == "mt4-prod-backup"]
    assert sorted(provider_of(prod, v) for v in backups) == [f"elk-docker-{h}" for h in ADDRESSES]
    for v in backups:
        assert v.inputs["driver"] == "local"
        assert v.inputs["driverOpts"] == {"type": "nfs", "o": "addr=10.0.1.5,rw,nfsvers=4.1,hard", "device": ":/export/elk-snapshots"}
        assert v.protect and v.retain_on_delete, v.urn
    for r in es_nodes(prod).values():
        [mount] = [m for m in r.inputs["mounts"] if m["target"] == "/backup/elasticsearch"]
        assert mount["source"] == "mt4-prod-backup"
        [volume] = [v for v in backups if provider_of(prod, v) == provider_of(prod, r)]
        assert volume.urn in r.dependencies, f"{r.urn} must mount the backup volume of its own host"


def test_prod_data_volumes_live_on_their_nodes_hosts(prod: Run) -> None:
    for name, r in es_nodes(prod).items():
        [volume] = [v for v in prod.of_type(VOLUME) if v.inputs["name"] == f"mt4-prod-{name}-data"]
        assert provider_of(prod, volume) == provider_of(prod, r)
        assert volume.protect and volume.retain_on_delete


def test_prod_certificates_carry_their_hosts_ip_address(prod: Run) -> None:
    for name, host in (("es01", "elk1"), ("es02", "elk2"), ("es03", "elk3")):
        csr = prod.named(f"elk-pki-{name}-csr")
        assert ADDRESSES[host] in csr.inputs["ipAddresses"] and ADDRESSES[host] not in csr.inputs["dnsNames"]
        assert "elk.mt4.internal" in csr.inputs["dnsNames"]
    assert ADDRESSES["elk1"] in prod.named("elk-pki-kibana-csr").inputs["ipAddresses"]


def test_prod_program_endpoints_are_each_hosts_address(prod: Run) -> None:
    out = prod.stack_outputs_raw
    assert out["elasticsearch_endpoints"] == [f"https://{a}:9200" for a in ADDRESSES.values()]
    assert out["elasticsearch_url"] == "https://10.0.1.11:9200"
    assert out["kibana_url"] == "https://10.0.1.11:5601"
    [provider] = prod.of_type("pulumi:providers:elasticstack")
    assert f"https://{ADDRESSES['elk1']}:9200" in str(provider.inputs)


def test_kibana_reaches_its_hosts_node_by_name_and_the_others_by_address(prod: Run) -> None:
    [kibana] = [r for r in prod.of_type(CONTAINER) if label(r, "role") == "kibana"]
    [content] = [u["content"] for u in kibana.inputs["uploads"] if u["file"] == "/usr/share/kibana/config/kibana.yml"]
    assert yaml.safe_load(content)["elasticsearch.hosts"] == ["https://es01:9200", "https://10.0.1.12:9200", "https://10.0.1.13:9200"]
    assert provider_of(prod, kibana) == "elk-docker-elk1"


# ------------------------------------------------------------------- the dedicated-roles variant


def test_dedicated_variant_places_two_nodes_per_host_with_distinct_transport_ports() -> None:
    run = dedicated_run()
    nodes = es_nodes(run)
    assert sorted(nodes) == ["data1", "data2", "data3", "master1", "master2", "master3"]
    for i in (1, 2, 3):
        master, data = nodes[f"master{i}"], nodes[f"data{i}"]
        assert provider_of(run, master) == provider_of(run, data) == f"elk-docker-elk{i}"
        assert ports(master) == {(9300, 9300, "0.0.0.0")}, "a dedicated master publishes no HTTP"
        assert ports(data) == {(9200, 9200, "0.0.0.0"), (9300, 9301, "0.0.0.0")}
        assert yml_of(master)["node.roles"] == ["master"] and yml_of(data)["node.roles"] == ["data", "ingest"]
        assert yml_of(data)["transport.publish_port"] == 9301
        assert yml_of(data)["network.publish_host"] == f"elk{i}.mt4.internal"
        assert yml_of(data)["node.attr.docker_host"] == yml_of(master)["node.attr.docker_host"] == f"elk{i}"


def test_dedicated_variant_seeds_only_the_masters_and_bootstraps_only_them() -> None:
    nodes = es_nodes(dedicated_run())
    masters = ["elk1.mt4.internal:9300", "elk2.mt4.internal:9300", "elk3.mt4.internal:9300"]
    assert yml_of(nodes["data2"])["discovery.seed_hosts"] == masters
    assert yml_of(nodes["master2"])["discovery.seed_hosts"] == [m for m in masters if not m.startswith("elk2")]
    assert yml_of(nodes["data2"])["cluster.initial_master_nodes"] == ["master1", "master2", "master3"]


def test_dedicated_variant_rolls_six_nodes_one_at_a_time() -> None:
    run = run_program("prod", overrides={**DEDICATED, "bootstrap": "false"})
    gates = sorted(g.name for g in run.of_type(GATE))
    assert len(gates) == 6, "one after every node, the last too"
    nodes = es_nodes(run)
    order = ["master1", "master2", "master3", "data1", "data2", "data3"]
    for before, after in zip(order, order[1:], strict=False):
        gate = run.named(f"elk-es-{before}-health")
        assert nodes[before].urn in gate.dependencies and gate.urn in nodes[after].dependencies


def test_dedicated_variant_dns_host_addresses_are_dns_sans() -> None:
    csr = dedicated_run().named("elk-pki-data2-csr")
    assert "elk2.mt4.internal" in csr.inputs["dnsNames"]


# ------------------------------------------------------------------- one host stays the default


def test_dev_stays_one_host_with_names_on_the_docker_network(dev: Run) -> None:
    [provider] = dev.of_type(PROVIDER)
    assert provider.inputs["host"] == "unix:///var/run/docker.sock"
    [node] = es_nodes(dev).values()
    assert ports(node) == {(9200, 9200, "127.0.0.1")}, "transport stays on the Docker network"
    settings = yml_of(node)
    assert not {"network.publish_host", "transport.publish_port", "http.publish_port", "discovery.seed_hosts"} & set(settings)
    [backup] = [v for v in dev.of_type(VOLUME) if v.inputs["name"] == "mt4-dev-backup"]
    assert "driverOpts" not in backup.inputs or not backup.inputs["driverOpts"]
    assert backup.name == "elk-es-backup", "the one-host backup volume keeps its resource name (no replacement)"


# ------------------------------------------------------------------- refused before any resource

INVALID: list[tuple[str, dict[str, Any], str]] = [
    ("an even number of masters", {"elasticsearch": {"nodes": [
        {"name": f"es0{i}", "host": f"elk{i}", "heap": "1g", "memory": "2g", "http_port": 9200} for i in (1, 2)]}},
     "elasticsearch.nodes: 2 master-eligible nodes"),
    ("a node on an unknown host", {"elasticsearch": {"nodes": [
        {"name": "es01", "host": "elk9", "heap": "1g", "memory": "2g", "http_port": 9200}]}},
     "elasticsearch.nodes[0].host: 'elk9' is not one of docker_hosts"),
    ("two published ports colliding on one host", {"kibana": {"host": "elk2", "port": 9200, "tls": True}},
     "kibana.port: port 9200 on Docker host 'elk2' is already published by elasticsearch.nodes[1].http_port"),
    ("masters one host failure takes below quorum", {"elasticsearch": {"nodes": [
        {"name": "es01", "host": "elk1", "heap": "1g", "memory": "2g", "http_port": 9200, "transport_port": 9300},
        {"name": "es02", "host": "elk1", "heap": "1g", "memory": "2g", "http_port": 9201, "transport_port": 9301},
        {"name": "es03", "host": "elk2", "heap": "1g", "memory": "2g", "http_port": 9200, "transport_port": 9300}]}},
     "elasticsearch.nodes: losing Docker host 'elk1' would take 2 of the 3 master-eligible nodes (es01, es02)"),
    ("nodes on several hosts without a shared backup", {"snapshots": {"schedule": "0 30 1 * * ?"}},
     "snapshots.nfs: is not set, but Elasticsearch nodes run on 3 Docker hosts"),
]


@pytest.mark.parametrize(("what", "overrides", "line"), INVALID, ids=[case[0] for case in INVALID])
def test_an_invalid_topology_is_refused_before_any_resource(what: str, overrides: dict[str, Any], line: str) -> None:
    from tests import program

    registered: list[str] = []
    original = program.RecordingMonitor.RegisterResource

    def record(self: program.RecordingMonitor, request: Any) -> Any:
        registered.append(request.type)
        return original(self, request)

    program.RecordingMonitor.RegisterResource = record  # type: ignore[method-assign]
    try:
        with pytest.raises(SettingsError) as caught:
            run_program("prod", overrides=overrides)
    finally:
        program.RecordingMonitor.RegisterResource = original  # type: ignore[method-assign]
    assert f"Pulumi.prod.yaml: {line}" in str(caught.value), what
    assert [t for t in registered if t != "pulumi:pulumi:Stack"] == [], f"{what}: resources were declared before the refusal"


def test_the_prod_file_itself_runs_cached(prod: Run) -> None:
    assert prod is cached_run("prod") and es_nodes(prod)


def test_each_prod_host_pulls_only_the_images_of_what_runs_there(prod: Run) -> None:
    pulled: dict[str, set[str]] = {}
    for image in prod.of_type("docker:index/remoteImage:RemoteImage"):
        pulled.setdefault(provider_of(prod, image), set()).add(image.inputs["name"].split("/")[-1].split(":")[0])
    assert "logstash" not in pulled["elk-docker-elk1"] and "kibana" in pulled["elk-docker-elk1"]
    for host in ("elk2", "elk3"):
        assert "kibana" not in pulled[f"elk-docker-{host}"] and "logstash" in pulled[f"elk-docker-{host}"]
    assert all("elasticsearch" in products for products in pulled.values()), "the preflight probe runs from it"
