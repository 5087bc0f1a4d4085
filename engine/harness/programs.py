"""Inline Automation API programs made of the project's own components.

Each program reads its settings through ``components/settings/load.py`` (the engine hands it the
stack file's config). The Elasticsearch tier is the real ``ElkStack`` itself — its wiring, names
and URNs exactly — with the four components that need the elasticstack provider (Access,
IndexManagement, and Logstash, Kibana and what waits for them) swapped, during construction
only, for ``Omitted``: a stand-in that registers nothing and answers the attributes ElkStack
reads with empty mappings (``Omitted``). No provider or engine is faked: what is declared is declared for real.
If ElkStack starts reading another attribute of them, ``Omitted`` raises and the tests say so.

Pki + Credentials alone (``pki_credentials_program``) is built directly from the same
settings, mirroring ElkStack's two calls (the tier tests compare the tier with the mock run of
the whole program, which would catch a divergence in names or types).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pulumi

from components import elk_stack
from components.credentials import Credentials
from components.identities import identities
from components.pki import Pki, PkiArgs
from components.settings.load import OwnCa, load_settings
from components.settings.model import StackSettings
from components.shippers import Shippers

#: ElkStack's resource type and the name ``__main__`` gives it.
STACK_COMPONENT_TYPE = "elk:components:ElkStack"
STACK_NAME = "elk"
#: The components of ElkStack the engine can run here. Every other component ElkStack builds
#: (Access, IndexManagement, Logstash, Kibana, KibanaObjects, Alerting ... : the elasticstack
#: provider and what waits for it) is omitted — found by type, so a new one is omitted too.
KEPT_COMPONENTS = ("Credentials", "Pki", "DockerHosts", "HostPreflight", "ElasticsearchCluster")
#: The component types the programs really declare (for inventory comparisons).
PKI_CREDENTIALS_TYPES = ("elk:components:Credentials", "elk:components:Pki")
ES_TIER_TYPES = (*PKI_CREDENTIALS_TYPES, "elk:components:DockerHosts", "elk:components:HostPreflight",
                 "elk:components:ElasticsearchCluster")


class _Nothing(dict):
    """An empty mapping whose every key is None (``access.users[WRITER_USER]`` ...)."""

    def __missing__(self, key: str) -> None:
        return None


class Omitted:
    """Stands in for a component the engine cannot run here; registers no resource. Any
    attribute ElkStack reads from it (``users``, ``provider``, ``container`` ...) is an empty
    mapping, which only ever flows into other omitted components or plain outputs."""

    def __init__(self, *_args: Any, **_kwargs: Any) -> None:  # noqa: ANN401 - any component's signature
        pass

    def __getattr__(self, _name: str) -> _Nothing:
        return _Nothing()


def omitted_components() -> list[str]:
    """Names of the component classes ElkStack uses that the engine cannot run here."""
    return sorted(
        name for name, value in vars(elk_stack).items()
        if isinstance(value, type) and issubclass(value, pulumi.ComponentResource)
        and value is not elk_stack.ElkStack and name not in KEPT_COMPONENTS
    )


#: Functions of ElkStack that build components waiting for the omitted half, and what stands in:
#: ``build_shippers`` makes Filebeat (ships to Logstash) and Metricbeat (writes as an Access user
#: into an IndexManagement template), so no shipper is declared here.
OMITTED_BUILDERS: dict[str, Callable[..., Any]] = {
    "build_shippers": lambda *_args, **_kwargs: Shippers(filebeats={}, metricbeats={}),
}


@contextmanager
def _without_elasticstack() -> Iterator[None]:
    names = omitted_components()
    saved = {name: getattr(elk_stack, name) for name in [*names, *OMITTED_BUILDERS]}
    try:
        for name in names:
            setattr(elk_stack, name, Omitted)
        for name, stand_in in OMITTED_BUILDERS.items():
            setattr(elk_stack, name, stand_in)
        yield
    finally:
        for name, value in saved.items():
            setattr(elk_stack, name, value)


class StackRoot(pulumi.ComponentResource):
    """Stands where ElkStack stands (same type and name) so child URNs match the whole program."""

    def __init__(self) -> None:
        super().__init__(STACK_COMPONENT_TYPE, STACK_NAME, None, None)


def _pki(settings: StackSettings, own_ca: OwnCa | None, child: pulumi.ResourceOptions) -> Pki:
    return Pki(f"{STACK_NAME}-pki", PkiArgs(
        organization=settings.cluster_name,
        identities=identities(settings),
        validity_hours=settings.tls.validity_hours,
        early_renewal_hours=settings.tls.early_renewal_hours,
        ca_validity_hours=settings.tls.ca_validity_hours,
        own_ca=own_ca,
    ), opts=child)


def _export_pki_credentials(pki: Pki, credentials: Credentials) -> None:
    pulumi.export("ca_cert_pem", pki.ca_cert_pem)
    pulumi.export("certificates", {
        name: {"cert_pem": cert.cert_pem, "key_pem": cert.key_pem, "key_pkcs8_pem": cert.key_pkcs8_pem}
        for name, cert in pki.certificates.items()
    })
    pulumi.export("passwords", pulumi.Output.secret(credentials.passwords))
    pulumi.export("kibana_keys", pulumi.Output.secret(credentials.kibana_keys))
    pulumi.export("elastic_password", credentials.passwords["elastic"])


def pki_credentials_program() -> Callable[[], None]:
    """Pki + Credentials; exports every PEM, password and key (secrets as secrets)."""

    def program() -> None:
        settings, own_ca = load_settings()
        child = pulumi.ResourceOptions(parent=StackRoot())
        credentials = Credentials(f"{STACK_NAME}-credentials", opts=child)
        pki = _pki(settings, own_ca, child)
        _export_pki_credentials(pki, credentials)

    return program


def es_tier_program(*, export_secrets: bool = False) -> Callable[[], None]:
    """The real ElkStack without the elasticstack half: PKI, credentials, Docker hosts, host
    preflight and the Elasticsearch cluster."""

    def program() -> None:
        settings, own_ca = load_settings()
        with _without_elasticstack():
            stack = elk_stack.ElkStack(STACK_NAME, settings, own_ca)
        cluster = stack.elasticsearch
        pulumi.export("containers", [c.name for c in cluster.containers])
        pulumi.export("volumes", [v.name for v in [*cluster.data_volumes, cluster.backup_volume]])
        pulumi.export("network", stack.docker_hosts.host(settings.docker_hosts[0].name).network.name)
        if export_secrets:
            _export_pki_credentials(stack.pki, stack.credentials)

    return program


#: Name of the probe service container (and its data volume) declared by ``service_container_program``.
PROBE_SERVICE = "probe"


def grantable_ulimits(spec: tuple[tuple[str, int, int], ...]) -> tuple[tuple[str, int, int], ...]:
    """``spec`` lowered to what this machine's engine can grant: without CAP_SYS_RESOURCE a
    container cannot get a hard limit above the daemon's own (here nofile 20000 < 65535)."""
    import resource

    kinds = {"nofile": resource.RLIMIT_NOFILE, "memlock": resource.RLIMIT_MEMLOCK}
    out = []
    for name, soft, hard in spec:
        cap = resource.getrlimit(kinds[name])[1]
        if cap != resource.RLIM_INFINITY and (hard == -1 or hard > cap):
            soft, hard = min(soft, cap) if soft != -1 else cap, cap
        out.append((name, soft, hard))
    return tuple(out)


def service_container_program(image: str, ulimit_spec: tuple[tuple[str, int, int], ...] | None = None) -> Callable[[], None]:
    """One container through ``components/containers.py`` ``service_container``, as the
    Elasticsearch nodes declare theirs (the same helpers, paths, modes, env and healthcheck),
    on the stack's real DockerHosts network, with the image overridden to ``image`` (the probe).

    ``ulimit_spec`` defaults to the services' ``SERVICE_ULIMITS``; on a machine whose engine
    cannot grant them (no CAP_SYS_RESOURCE, a lower hard limit) pass ``grantable_ulimits(...)``:
    the test then checks that the provider applies ulimits as declared, with a value it can get."""
    import dataclasses

    import pulumi_docker as docker

    from components import containers as c
    from components.elasticsearch_cluster import NODE_KEY_NAME, PASSWORD_FILE, PASSWORD_FILE_NAME
    from components.render import elasticsearch_yml as es_yml
    from components.secret_files import SecretFile, install_secret_files

    def program() -> None:
        settings, own_ca = load_settings()
        root = StackRoot()
        child = pulumi.ResourceOptions(parent=root)
        labels = elk_stack.stack_labels(settings)
        credentials = Credentials(f"{STACK_NAME}-credentials", opts=child)
        pki = _pki(settings, own_ca, child)
        hosts = elk_stack.DockerHosts(f"{STACK_NAME}-docker", elk_stack.DockerHostsArgs(
            hosts=settings.docker_hosts, network_name=f"{settings.cluster_name}-net",
            elastic_version=settings.elastic_version, labels=labels,
        ), opts=child)
        placed = hosts.host(settings.docker_hosts[0].name)
        on_host = pulumi.ResourceOptions(parent=root, provider=placed.provider)
        probe = docker.RemoteImage(f"{PROBE_SERVICE}-image", name=image, keep_locally=True, opts=on_host)
        probe_host = dataclasses.replace(placed, images={**placed.images, "elasticsearch": probe})
        node = settings.elasticsearch.nodes[0]
        cert = pki.certificates[node.name]
        data = docker.Volume(f"{PROBE_SERVICE}-data", name=f"{settings.cluster_name}-{PROBE_SERVICE}-data", opts=on_host)
        uploads = [
            c.upload(es_yml.HEAP_OPTIONS, es_yml.render_heap_options(node.heap_bytes)),
            c.upload(es_yml.CA_CERT, pki.ca_cert_pem),
            c.upload(es_yml.NODE_CERT, cert.cert_pem),
        ]
        container_name = f"{settings.cluster_name}-{PROBE_SERVICE}"
        secrets = install_secret_files(
            f"{PROBE_SERVICE}-secret-files", placed=probe_host, product="elasticsearch", container_name=container_name,
            files=[SecretFile(NODE_KEY_NAME, cert.key_pem), SecretFile(PASSWORD_FILE_NAME, credentials.passwords["elastic"])],
            base_labels=labels, opts=child,
        )
        container = c.service_container(
            PROBE_SERVICE, placed=probe_host, product="elasticsearch",
            container_name=container_name, alias=PROBE_SERVICE,
            envs=[f"ELASTIC_PASSWORD_FILE={PASSWORD_FILE}"], uploads=uploads, ports=[],
            mounts=[docker.ContainerMountArgs(type="volume", source=data.name, target=es_yml.DATA_DIR)],
            memory_bytes=node.memory_bytes, ulimit_spec=ulimit_spec or c.SERVICE_ULIMITS,
            check=c.healthcheck(["CMD", "bash", "-c", f"exec 3<>/dev/tcp/127.0.0.1/{es_yml.READINESS_PORT}"], start_period="60s",
                                interval="2s"),
            wait_timeout=120, grace_seconds=5,
            container_labels=c.labels(labels, role=PROBE_SERVICE), opts=child, secrets=secrets,
        )
        pulumi.export("container", container.name)

    return program
