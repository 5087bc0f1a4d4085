"""Kibana: one container, its rendered kibana.yml, and a healthcheck that waits for ``available``.

It starts only after ``kibana_system`` has its password: before that, Kibana cannot log in to
Elasticsearch and would restart in a loop.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_docker as docker

from components import containers as c
from components.docker_hosts import DockerHosts
from components.pki import IssuedCertificate
from components.render import kibana_yml
from components.secret_files import SecretFile, install_secret_files
from components.settings.model import Kibana as KibanaSettings

CONFIG_FILE = "/usr/share/kibana/config/kibana.yml"
#: Kibana migrates saved objects on first start; give it time.
WAIT_TIMEOUT_SECONDS = 600


@dataclass(frozen=True, kw_only=True)
class KibanaArgs:
    settings: KibanaSettings
    cluster_name: str
    bind_address: str
    public_url: str
    """``server.publicBaseUrl``: the URL users open (``http(s)://<public_host>:<port>``)."""
    elasticsearch_hosts: tuple[str, ...]
    hosts: DockerHosts
    certificate: IssuedCertificate
    ca_cert_pem: pulumi.Input[str]
    kibana_system_password: pulumi.Input[str]
    encryption_keys: dict[str, pulumi.Output[str]]
    """``encrypted_saved_objects``, ``security``, ``reporting``."""
    depends_on: Sequence[pulumi.Resource]
    """The ``kibana_system`` password resource."""
    labels: dict[str, str]


def yml_options(args: KibanaArgs) -> kibana_yml.KibanaYmlOptions:
    return kibana_yml.KibanaYmlOptions(
        server_name=f"{args.cluster_name}-kibana",
        server_port=args.settings.port,
        public_base_url=args.public_url,
        server_tls=args.settings.tls,
        elasticsearch_hosts=args.elasticsearch_hosts,
    )


#: What an unauthenticated ``GET /api/status`` answers once Kibana is ready: since 8.9 a caller
#: without credentials gets only the redacted overall level (503 while not available).
#: https://www.elastic.co/guide/en/kibana/8.19/access.html#status (elastic/kibana#159768)
AVAILABLE = '"overall":{"level":"available"}'


def healthcheck_command(tls: bool, port: int) -> list[str]:
    """Healthy when the redacted ``/api/status`` says the overall level is ``available``;
    no credentials needed, and no per-plugin ``available`` can match early."""
    scheme = "https" if tls else "http"
    ca = f"--cacert {kibana_yml.DEFAULT_CA_PATH} " if tls else ""
    return ["CMD-SHELL", f"curl -sS {ca}{scheme}://localhost:{port}/api/status | grep -qF '{AVAILABLE}'"]


class Kibana(pulumi.ComponentResource):
    container: docker.Container

    def __init__(self, name: str, args: KibanaArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("elk:components:Kibana", name, None, opts)
        s = args.settings
        placed = args.hosts.host(s.host)
        options = yml_options(args)
        yml = kibana_yml.render_kibana_yml(options)
        uploads = [c.upload(CONFIG_FILE, yml), c.upload(kibana_yml.DEFAULT_CA_PATH, args.ca_cert_pem)]
        container_name = f"{args.cluster_name}-kibana"
        secrets = None
        if s.tls:
            uploads.append(c.upload(kibana_yml.DEFAULT_SERVER_CERTIFICATE_PATH, args.certificate.cert_pem))
            secrets = install_secret_files(
                f"{name}-secret-files",
                placed=placed,
                product="kibana",
                container_name=container_name,
                files=[SecretFile(kibana_yml.DEFAULT_SERVER_KEY_PATH.rsplit("/", 1)[1], args.certificate.key_pem)],
                base_labels=args.labels,
                opts=pulumi.ResourceOptions(parent=self),
            )
        keys = args.encryption_keys
        envs = pulumi.Output.all(
            args.kibana_system_password, keys["encrypted_saved_objects"], keys["security"], keys["reporting"]
        ).apply(lambda v: [
            f"NODE_OPTIONS=--max-old-space-size={s.heap_bytes // c.MIB}",
            f"{options.elasticsearch_password_env}={v[0]}",
            f"{options.encrypted_saved_objects_key_env}={v[1]}",
            f"{options.security_encryption_key_env}={v[2]}",
            f"{options.reporting_encryption_key_env}={v[3]}",
        ])
        self.container = c.service_container(
            f"{name}-container",
            placed=placed,
            product="kibana",
            container_name=container_name,
            alias="kibana",
            envs=pulumi.Output.secret(envs),
            uploads=uploads,
            mounts=[],
            ports=[docker.ContainerPortArgs(internal=s.port, external=s.port, ip=args.bind_address)],
            memory_bytes=s.memory_bytes,
            ulimit_spec=c.SERVICE_ULIMITS,
            check=c.healthcheck(healthcheck_command(s.tls, s.port), start_period="120s"),
            wait_timeout=WAIT_TIMEOUT_SECONDS,
            grace_seconds=30,
            container_labels=c.labels(args.labels, role="kibana", **{"config-hash": c.config_hash({CONFIG_FILE: yml})}),
            opts=pulumi.ResourceOptions(parent=self, depends_on=list(args.depends_on)),
            secrets=secrets,
        )
        self.register_outputs({"container": self.container})
