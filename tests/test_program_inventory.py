"""The exact inventory of each stack: a resource added or lost shows up here by name.

Proof limit: names and types as registered under mocks; the other program tests check inputs.
"""

from __future__ import annotations

from collections import Counter

import pytest

from components.render import dashboards, saved_objects
from tests.conftest import cached_run
from tests.program import run_program

#: Resources every stack has, whatever its node count.
COMMON = {
    "elk:components:ElkStack": ["elk"],
    "elk:components:Credentials": ["elk-credentials"],
    "elk:components:Pki": ["elk-pki"],
    "elk:components:DockerHosts": ["elk-docker"],
    "elk:components:HostPreflight": ["elk-preflight"],
    "elk:components:ElasticsearchCluster": ["elk-es"],
    "elk:components:Access": ["elk-access"],
    "elk:components:IndexManagement": ["elk-indices"],
    "elk:components:Logstash": ["elk-logstash"],
    "elk:components:Kibana": ["elk-kibana"],
    "pulumi:providers:elasticstack": ["elk-access-provider"],
    "random:index/randomPassword:RandomPassword": [
        f"elk-credentials-{n}" for n in (
            "elastic", "kibana-system", "logstash-system", "beats-system", "remote-monitoring-user",
            "mt4-logstash-writer", "mt4-analyst", "mt4-admin", "mt4-metricbeat-writer",
            "kibana-encrypted-saved-objects-key", "kibana-security-key", "kibana-reporting-key",
        )
    ],
    "elasticstack:index/securitySystemUser:SecuritySystemUser": [
        f"elk-access-{u}" for u in ("kibana-system", "logstash-system", "beats-system", "remote-monitoring-user")
    ],
    "elasticstack:index/securityRole:SecurityRole": [
        f"elk-access-role-{r}" for r in ("mt4-admin", "mt4-analyst", "mt4-logstash-writer", "mt4-metricbeat-writer")],
    "elasticstack:index/securityUser:SecurityUser": [
        f"elk-access-user-{r}" for r in ("mt4-admin", "mt4-analyst", "mt4-logstash-writer", "mt4-metricbeat-writer")],
    "elasticstack:index/indexLifecycle:IndexLifecycle": ["elk-indices-ilm-logs", "elk-indices-ilm-metrics", "elk-alerting-alerts-ilm"],
    "elasticstack:index/componentTemplate:ComponentTemplate": ["elk-indices-component-mappings", "elk-indices-component-settings"],
    "elasticstack:index/snapshotRepository:SnapshotRepository": ["elk-indices-repository"],
    "elasticstack:index/snapshotLifecycle:SnapshotLifecycle": ["elk-indices-slm"],
    "elasticstack:index/clusterSettings:ClusterSettings": ["elk-indices-failure-store"],
    "tls:index/selfSignedCert:SelfSignedCert": ["elk-pki-ca"],
    # Kibana as code (issue 11): three data views, the default, 8 searches, 17 Lens panels, 4 dashboards.
    "elk:components:KibanaObjects": ["elk-kibana-objects"],
    "pulumi-python:dynamic/kibana:DataView": [
        f"elk-kibana-objects-view-{v}" for v in ("mt4-logs", "mt4-metrics", "mt4-failures", "mt4-system")],
    "pulumi-python:dynamic/kibana:DefaultDataView": ["elk-kibana-objects-default-view"],
    "pulumi-python:dynamic/kibana:SavedObject": [
        f"elk-kibana-objects-{o['id']}" for o in [*saved_objects.saved_searches(), *dashboards.all_dashboard_objects()]
    ],
    "elk:components:Alerting": ["elk-alerting"],
    "elasticstack:index/indexTemplate:IndexTemplate": [
        "elk-indices-template-logs", "elk-indices-template-metrics", "elk-alerting-alerts-template"],
    "pulumi-python:dynamic/kibana:Connector": ["elk-alerting-mt4-alerts-index", "elk-alerting-mt4-alerts-server-log"],
    "pulumi-python:dynamic/kibana:Rule": ["elk-alerting-mt4-error-rate", "elk-alerting-mt4-rejected-documents"],
}
assert len(COMMON["pulumi-python:dynamic/kibana:SavedObject"]) == 8 + 17 + 4


#: The images each host pulls: the products placed there (and Elasticsearch's, for the probe).
BEATS = ("filebeat", "metricbeat")
HOST_PRODUCTS = {
    "local": ("elasticsearch", "kibana", "logstash", *BEATS),
    "elk1": ("elasticsearch", "kibana", *BEATS),
    "elk2": ("elasticsearch", "logstash", *BEATS),
    "elk3": ("elasticsearch", "logstash", *BEATS),
}


def per_host(hosts: list[str]) -> dict[str, list[str]]:
    """One provider, network, set of images, preflight probe and check per Docker host; every host
    that runs a node has the backup volume (the first host's keeps the one-host name)."""
    return {
        "pulumi:providers:docker": [f"elk-docker-{h}" for h in hosts],
        "docker:index/network:Network": [f"elk-docker-{h}-network" for h in hosts],
        "docker:index/remoteImage:RemoteImage": [f"elk-docker-{h}-{p}-image" for h in hosts for p in HOST_PRODUCTS[h]],
        "pulumi-python:dynamic/docker:HostPreflightCheck": [f"elk-preflight-{h}" for h in hosts],
    }


def per_node(nodes: list[str], gates: list[str], kibana_tls: bool, hosts: list[str]) -> dict[str, list[str]]:
    identities = [*nodes, "kibana", "logstash"]
    # components/secret_files.py: a volume and a one-shot installer per service holding a key.
    # Logstash: the first instance keeps the single Logstash's names; prod runs a second one.
    logstash = ["elk-logstash", *(["elk-logstash-logstash2"] if len(hosts) > 1 else [])]
    with_secrets = [*(f"elk-es-{n}" for n in nodes), *logstash, *(["elk-kibana"] if kibana_tls else [])]
    return {
        "tls:index/privateKey:PrivateKey": ["elk-pki-ca-key", *(f"elk-pki-{i}-key" for i in identities)],
        "tls:index/certRequest:CertRequest": [f"elk-pki-{i}-csr" for i in identities],
        "tls:index/locallySignedCert:LocallySignedCert": [f"elk-pki-{i}-cert" for i in identities],
        "docker:index/volume:Volume": [
            "elk-es-backup", *(f"elk-es-{h}-backup" for h in hosts[1:]),
            *(f"{ls}-{v}" for ls in logstash for v in ("data", "queue", "dlq")),
            *(f"elk-es-{n}-data" for n in nodes), *(f"{s}-secret-files-volume" for s in with_secrets),
        ],
        "docker:index/container:Container": [
            "elk-es-backup-permissions", "elk-kibana-container", *(f"elk-preflight-{h}-probe" for h in hosts),
            *(f"{ls}-{c}" for ls in logstash for c in ("container", "queue-permissions", "dlq-permissions")),
            *(f"elk-es-{n}" for n in nodes), *(f"{s}-secret-files" for s in with_secrets),
        ],
        "pulumi-python:dynamic/elasticsearch:ClusterHealthGate": [f"elk-es-{g}-health" for g in gates],
    }


def per_beat_host(hosts: list[str], mutual_tls: bool) -> dict[str, list[str]]:
    """A Filebeat (registry volume; with mutual TLS a client certificate and its installer) and a
    Metricbeat on every host (components/shippers.py)."""
    clients = [f"filebeat-{h}" for h in hosts] if mutual_tls else []
    return {
        "elk:components:Filebeat": [f"elk-filebeat-{h}" for h in hosts],
        "elk:components:Metricbeat": [f"elk-metricbeat-{h}" for h in hosts],
        "docker:index/volume:Volume": [
            *(f"elk-{b}-{h}-data" for h in hosts for b in ("filebeat", "metricbeat")),
            *(f"elk-{c}-secret-files-volume" for c in clients)],
        "docker:index/container:Container": [
            *(f"elk-{b}-{h}-container" for h in hosts for b in ("filebeat", "metricbeat")), *(f"elk-{c}-secret-files" for c in clients)],
        "tls:index/privateKey:PrivateKey": [f"elk-pki-{c}-key" for c in clients],
        "tls:index/certRequest:CertRequest": [f"elk-pki-{c}-csr" for c in clients],
        "tls:index/locallySignedCert:LocallySignedCert": [f"elk-pki-{c}-cert" for c in clients],
    }


def inventory(run_resources: list) -> Counter:
    return Counter((r.type, r.name) for r in run_resources)


def expected(nodes: list[str], gates: list[str], kibana_tls: bool, hosts: list[str]) -> Counter:
    merged = {**COMMON, **per_host(hosts), **per_node(nodes, gates, kibana_tls, hosts)}
    for kind, names in per_beat_host(hosts, mutual_tls=kibana_tls).items():  # prod: TLS everywhere, mutual for Filebeat
        merged[kind] = [*merged.get(kind, []), *names]
    return Counter((t, n) for t, names in merged.items() for n in names)


@pytest.mark.parametrize(
    ("stack", "overrides", "nodes", "gates"),
    [
        ("dev", None, ["es01"], []),
        ("prod", None, ["es01", "es02", "es03"], []),
        ("prod", {"bootstrap": "false"}, ["es01", "es02", "es03"], ["es01", "es02", "es03"]),
    ],
    ids=["dev is one node", "prod bootstraps three nodes", "prod after bootstrap adds a health gate per node"],
)
def test_each_stack_declares_exactly_its_inventory(stack: str, overrides: dict | None, nodes: list[str], gates: list[str]) -> None:
    run = run_program(stack, overrides=overrides) if overrides else cached_run(stack)
    hosts = ["elk1", "elk2", "elk3"] if stack == "prod" else ["local"]
    assert inventory(run.resources) == expected(nodes, gates, kibana_tls=stack == "prod", hosts=hosts)
