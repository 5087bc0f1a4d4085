"""The real __main__.py under mocks: Elasticsearch, PKI, credentials, access, for both stacks.

Proof limit: these prove the resource graph, inputs and options the engine would receive,
not that Docker or Elasticsearch accept them (PITFALLS.md lists what only a real up shows).
"""

from __future__ import annotations

import json

import pytest
import yaml

from tests.conftest import cached_run
from tests.program import SECRET_SIG, Registration, Run, is_secret, run_program
from tests.secrets_scan import leaks

CONTAINER = "docker:index/container:Container"
VOLUME = "docker:index/volume:Volume"
ES_PROVIDER = "pulumi:providers:elasticstack"


def es_nodes(run: Run) -> list[Registration]:
    return sorted((r for r in run.of_type(CONTAINER) if role_of(r) == "elasticsearch"), key=lambda r: r.name)


def role_of(r: Registration) -> str | None:
    return next((lbl["value"] for lbl in r.inputs.get("labels", []) if lbl["label"] == "role"), None)


def upload(r: Registration, path: str) -> dict:
    found = [u for u in r.inputs["uploads"] if u["file"] == path]
    assert len(found) == 1, f"{r.urn}: expected one upload of {path}"
    return found[0]


def yml_of(r: Registration) -> dict:
    return yaml.safe_load(upload(r, "/usr/share/elasticsearch/config/elasticsearch.yml")["content"])


def test_every_resource_but_the_root_component_has_a_parent(prod: Run) -> None:
    orphans = [r.urn for r in prod.resources if not r.parent and r.type != "elk:components:ElkStack"]
    assert orphans == []


def test_dev_has_one_node_with_single_node_discovery(dev: Run) -> None:
    [node] = es_nodes(dev)
    settings = yml_of(node)
    assert node.inputs["name"] == "mt4-dev-es01"
    assert settings["discovery.type"] == "single-node"
    assert "cluster.initial_master_nodes" not in settings
    assert settings["node.store.allow_mmap"] is False


def test_prod_bootstrap_creates_three_masters_together(prod: Run) -> None:
    nodes = es_nodes(prod)
    assert [n.name for n in nodes] == ["elk-es-es01", "elk-es-es02", "elk-es-es03"]
    node_urns = {n.urn for n in nodes}
    for n in nodes:
        assert yml_of(n)["cluster.initial_master_nodes"] == ["es01", "es02", "es03"]
        assert not node_urns & set(n.dependencies), f"{n.urn} waits for another node during bootstrap"
    assert prod.of_type("pulumi-python:dynamic/elasticsearch:ClusterHealthGate") == []


def test_after_bootstrap_prod_nodes_replace_one_at_a_time() -> None:
    run = run_program("prod", overrides={"bootstrap": "false"})
    nodes = es_nodes(run)
    gates = sorted(run.of_type("pulumi-python:dynamic/elasticsearch:ClusterHealthGate"), key=lambda r: r.name)
    assert [g.name for g in gates] == ["elk-es-es01-health", "elk-es-es02-health", "elk-es-es03-health"]
    last = gates[-1]
    assert nodes[-1].urn in last.dependencies, "up ends only once the cluster is green after the last node too"
    for previous, gate, node in zip(nodes[:-1], gates[:-1], nodes[1:], strict=True):
        assert previous.urn in gate.dependencies, f"{gate.urn} must wait for {previous.urn}"
        assert gate.urn in node.dependencies, f"{node.urn} must wait for {gate.urn} (cluster green again)"
        assert gate.inputs["node_id"] == f"{previous.name}-id" and gate.inputs["status"] == "green"
        assert is_secret(gate.raw["password"])
    assert all("cluster.initial_master_nodes" not in yml_of(n) for n in nodes)
    assert all(n.delete_before_replace for n in nodes)


def test_nodes_wait_for_readiness_port_healthcheck(prod: Run) -> None:
    for n in es_nodes(prod):
        assert n.inputs["wait"] is True and n.inputs["waitTimeout"] >= 300
        check = n.inputs["healthcheck"]
        assert check["tests"] == ["CMD", "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/9399"]
        assert yml_of(n)["readiness.port"] == 9399


def test_elastic_password_arrives_as_a_secret_file_never_an_env_value(prod: Run) -> None:
    for n in es_nodes(prod):
        envs = n.inputs["envs"]
        assert "ELASTIC_PASSWORD_FILE=/usr/share/elasticsearch/config/secrets/elastic-password" in envs
        assert not any(e.startswith("ELASTIC_PASSWORD=") for e in envs)
        assert not any(u["file"].endswith("elastic-password") for u in n.inputs["uploads"]), "never an upload of the node"
        installer = prod.named(f"{n.name}-secret-files")
        pw = next(u for u in installer.raw["uploads"] if u["file"] == "/run/elk-secret-staging/elastic-password")
        assert is_secret(pw["content"]), installer.urn
        [script] = installer.inputs["command"]
        assert ("install -o 1000 -g 0 -m 0400 /run/elk-secret-staging/elastic-password "
                "/usr/share/elasticsearch/config/secrets/elastic-password") in script.splitlines()


def test_node_uploads_are_root_owned_readable_and_hold_no_secret(prod: Run) -> None:
    """No owner or group: naming one makes the daemon look the image USER up on the host (engine/README.md)."""
    n = es_nodes(prod)[0]
    assert {u["file"] for u in n.inputs["uploads"]} == {
        "/usr/share/elasticsearch/config/elasticsearch.yml", "/usr/share/elasticsearch/config/jvm.options.d/heap.options",
        "/usr/share/elasticsearch/config/certs/ca.crt", "/usr/share/elasticsearch/config/certs/node.crt",
    }
    for u in n.inputs["uploads"]:
        assert "owner" not in u and "group" not in u and u["permissions"] == "0644", u["file"]
        assert not any(secret in u["content"] for secret in prod.secret_values), u["file"]
    [secrets] = [m for m in n.inputs["mounts"] if m["target"] == "/usr/share/elasticsearch/config/secrets"]
    assert secrets["readOnly"] is True and secrets["source"] == f"{n.inputs['name']}-secrets"


def test_node_container_limits_and_logging(prod: Run) -> None:
    n = es_nodes(prod)[0]
    assert n.inputs["memory"] == 8192
    assert n.inputs["memorySwap"] == 8192, "unset, the engine reports 2x memory and every up shows a diff"
    assert {u["name"]: (u["soft"], u["hard"]) for u in n.inputs["ulimits"]} == {"memlock": (-1, -1), "nofile": (65535, 65535)}
    assert n.inputs["restart"] == "unless-stopped"
    assert n.inputs["logOpts"] == {"max-size": "50m", "max-file": "5"}
    heap = upload(n, "/usr/share/elasticsearch/config/jvm.options.d/heap.options")["content"]
    assert heap.split() == ["-Xms4096m", "-Xmx4096m"]
    assert [(p["internal"], p["external"], p["ip"]) for p in n.inputs["ports"]] == [(9200, 9200, "0.0.0.0"), (9300, 9300, "0.0.0.0")]


def test_dev_ports_bind_to_loopback_only(dev: Run) -> None:
    for r in dev.of_type(CONTAINER):
        for p in r.inputs.get("ports", []):
            assert p["ip"] == "127.0.0.1", r.urn


def test_every_node_has_its_own_data_volume_and_the_shared_backup_volume(prod: Run) -> None:
    for n in es_nodes(prod):
        mounts = {m["target"]: m["source"] for m in n.inputs["mounts"]}
        node = n.name.rsplit("-", 1)[-1]
        assert mounts["/usr/share/elasticsearch/data"] == f"mt4-prod-{node}-data"
        assert mounts["/backup/elasticsearch"] == "mt4-prod-backup"
        assert yml_of(n)["path.repo"] == ["/backup/elasticsearch"]


def test_prod_volumes_are_protected_and_retained(prod: Run) -> None:
    volumes = prod.of_type(VOLUME)
    assert volumes, "no volumes"
    for v in volumes:
        if role_of(v) == "secret-files":
            assert not v.protect and not v.retain_on_delete, f"{v.urn}: kept on destroy it would leave keys on the host"
        else:
            assert v.protect and v.retain_on_delete, v.urn


def test_dev_volumes_are_neither_protected_nor_retained(dev: Run) -> None:
    for v in dev.of_type(VOLUME):
        assert not v.protect and not v.retain_on_delete, v.urn


def test_backup_volume_is_made_writable_for_elasticsearch_before_nodes_start(prod: Run) -> None:
    init = prod.named("elk-es-backup-permissions")
    assert init.inputs["user"] == "0:0" and init.inputs["mustRun"] is False and init.inputs["attach"] is True
    assert init.delete_before_replace, "fixed container name: a new image must remove the old one first"
    # prod's backup volume is an NFS export: owned on the server already, changed only when not right
    assert init.inputs["command"] == [
        '[ "$(stat -c %u:%g /backup/elasticsearch)" = "1000:0" ] || { chown 1000:0 /backup/elasticsearch && chmod 2770 '
        '/backup/elasticsearch; }']
    dev_init = cached_run("dev").named("elk-es-backup-permissions")
    assert dev_init.inputs["command"] == ["chown 1000:0 /backup/elasticsearch && chmod 2770 /backup/elasticsearch"]
    for n in es_nodes(prod):
        assert init.urn in n.dependencies


def test_certificates_name_every_way_in(prod: Run) -> None:
    csr = prod.named("elk-pki-es02-csr")
    assert set(csr.inputs["dnsNames"]) == {"es02", "mt4-prod-es02", "localhost", "elk.mt4.internal"}
    assert set(csr.inputs["ipAddresses"]) == {"127.0.0.1", "::1", "10.0.1.12"}, "the address of its Docker host, elk2"
    cert = prod.named("elk-pki-es02-cert")
    assert cert.inputs["earlyRenewalHours"] == 720 and cert.inputs["validityPeriodHours"] == 8760


@pytest.mark.parametrize("public_host", ["10.20.30.40", "fd00::7"])
def test_an_ip_public_host_and_ip_extra_sans_go_into_the_ip_sans(public_host: str) -> None:
    """A client dialling https://<ip> checks the certificate's IP addresses, never its DNS names."""
    network = {"bind_address": "0.0.0.0", "public_host": public_host, "extra_sans": ["lb.mt4.internal", "192.0.2.9"]}
    run = run_program("prod", overrides={"network": network})
    for name in ("elk-pki-es01-csr", "elk-pki-kibana-csr", "elk-pki-logstash-csr"):
        csr = run.named(name)
        assert public_host not in csr.inputs["dnsNames"] and "192.0.2.9" not in csr.inputs["dnsNames"], name
        assert {public_host, "192.0.2.9"} <= set(csr.inputs["ipAddresses"]), name
        assert "lb.mt4.internal" in csr.inputs["dnsNames"], name
    # On one host public_host is the way in: it is in the URLs (across hosts the hosts' addresses are).
    one_host = run_program("dev", overrides={"network": {**network, "bind_address": "127.0.0.1"}})
    url_host = f"[{public_host}]" if ":" in public_host else public_host
    outputs = json.dumps(one_host.stack_outputs_raw)
    assert f"https://{url_host}:9200" in outputs and f"http://{url_host}:5601" in outputs


def test_access_resources_use_the_explicit_provider_and_wait_for_nodes(prod: Run) -> None:
    provider = prod.of_type(ES_PROVIDER)
    assert len(provider) == 1
    node_urns = {n.urn for n in es_nodes(prod)}
    assert node_urns <= set(provider[0].dependencies)
    api = [r for r in prod.resources if r.type.startswith("elasticstack:index/security")]
    assert len(api) == 4 + 4 + 4  # system users, roles, users (incl. Metricbeat's writer and its role)
    for r in api:
        assert r.provider.startswith(provider[0].urn), r.urn
        assert node_urns <= set(r.dependencies), r.urn


def test_provider_points_at_published_https_endpoints_with_the_ca(prod: Run) -> None:
    inputs = prod.of_type(ES_PROVIDER)[0].inputs
    es = inputs["elasticsearch"]
    es = json.loads(es) if isinstance(es, str) else es
    assert es["endpoints"] == ["https://10.0.1.11:9200", "https://10.0.1.12:9200", "https://10.0.1.13:9200"], "each host's address"
    assert es["username"] == "elastic"
    assert es["caData"].startswith("-----BEGIN CERTIFICATE-----")
    assert is_secret(prod.of_type(ES_PROVIDER)[0].raw["elasticsearch"]), "provider config carries the password: must be secret"


def test_writer_role_is_least_privilege(prod: Run) -> None:
    role = prod.named("elk-access-role-mt4-logstash-writer").inputs
    assert role["name"] == "mt4_logstash_writer"
    assert role["clusters"] == ["monitor"]
    assert role["indices"] == [{"names": ["mt4-*"], "privileges": ["create_doc", "auto_configure"]}]


def test_system_users_get_generated_passwords(prod: Run) -> None:
    users = sorted(r.inputs["username"] for r in prod.of_type("elasticstack:index/securitySystemUser:SecuritySystemUser"))
    assert users == ["beats_system", "kibana_system", "logstash_system", "remote_monitoring_user"]


def test_outputs_name_every_user_and_keep_the_password_secret(prod: Run) -> None:
    out = prod.stack_outputs_raw
    assert out["elasticsearch_url"] == "https://10.0.1.11:9200"
    assert SECRET_SIG in out["elastic_password"]
    assert "elastic" in out["users"] and "mt4_analyst" in out["users"] and "mt4_logstash_writer" in out["users"]


def test_no_secret_value_appears_outside_a_secret_output() -> None:
    for stack in ("dev", "prod"):
        run = cached_run(stack)
        assert run.secret_values, "the mocks produced no secrets to look for"
        assert leaks(run) == [], stack


def test_the_leak_scan_finds_a_planted_plaintext_secret(prod: Run) -> None:
    planted = Run(resources=[], stack_outputs_raw={"oops": "x" + next(iter(prod.secret_values))}, secret_values=prod.secret_values)
    assert leaks(planted) == ["stack outputs.oops"]


def test_preview_with_unknown_outputs_succeeds_for_both_stacks() -> None:
    for stack in ("dev", "prod"):
        run = cached_run(stack, preview=True)
        assert len(run.resources) == len(cached_run(stack).resources)


def test_every_docker_resource_uses_a_host_provider_and_containers_replace_delete_first(prod: Run) -> None:
    providers = [p.urn for p in prod.of_type("pulumi:providers:docker")]
    assert len(providers) == 3, "one per Docker host"
    docker_resources = [r for r in prod.resources if r.type.startswith("docker:index/")]
    assert len(docker_resources) >= 13
    for r in docker_resources:
        assert any(r.provider.startswith(p + "::") for p in providers), r.urn
    for r in prod.of_type(CONTAINER):
        assert r.delete_before_replace, r.urn
        if not r.inputs.get("attach"):  # one-shot root containers run to their exit instead
            assert r.inputs["wait"] is True, r.urn


def test_after_bootstrap_preview_works_and_no_secret_leaks() -> None:
    preview = run_program("prod", preview=True, overrides={"bootstrap": "false"})
    assert preview.of_type("pulumi-python:dynamic/elasticsearch:ClusterHealthGate")
    run = run_program("prod", overrides={"bootstrap": "false"})
    assert leaks(run) == []
