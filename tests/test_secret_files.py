"""components/secret_files.py: the installer's script, its failure, and how services use it.

Proof limit: the script and the graph are checked here; that Docker lands the files as the
script says is the real-dockerd test tests_engine/engine/test_image_user_uploads.py.
"""

from __future__ import annotations

import pytest

from components import secret_files as sf
from components.render import elasticsearch_yml as es_yml
from components.render import kibana_yml, logstash_pipeline
from tests.conftest import cached_run
from tests.program import Registration, Run, run_program

CONTAINER = "docker:index/container:Container"


def test_the_script_empties_installs_for_the_image_user_and_closes_the_directory() -> None:
    lines = sf.install_script("logstash", ["logstash.pkcs8.key"]).splitlines()
    assert lines == [
        "set -euo pipefail",
        "find /usr/share/logstash/config/secrets -mindepth 1 -delete",
        "install -o 1000 -g 1000 -m 0400 /run/elk-secret-staging/logstash.pkcs8.key /usr/share/logstash/config/secrets/logstash.pkcs8.key",
        "chown 1000:1000 /usr/share/logstash/config/secrets && chmod 0500 /usr/share/logstash/config/secrets",
        "echo installed logstash.pkcs8.key",
    ]
    assert "-o 1000 -g 0 " in sf.install_script("elasticsearch", ["node.key"]), "Elasticsearch is USER 1000:0"


def test_the_rendered_configs_read_keys_where_the_installer_puts_them() -> None:
    assert es_yml.NODE_KEY == sf.secret_path("elasticsearch", "node.key")
    assert kibana_yml.DEFAULT_SERVER_KEY_PATH == sf.secret_path("kibana", "kibana.key")
    assert logstash_pipeline.DEFAULT_TLS_KEY_PATH == sf.secret_path("logstash", "logstash.pkcs8.key")


def test_a_failed_install_stops_up_and_names_the_installer_not_the_secret() -> None:
    assert sf._ready(["abc123", 0, "installed node.key"], container_name="mt4-es01-secret-files") == "abc123"
    with pytest.raises(sf.InstallerFailedError) as failed:
        sf._ready(["abc123", 1, "install: cannot stat '/run/elk-secret-staging/node.key'"], container_name="mt4-es01-secret-files")
    assert "mt4-es01-secret-files" in str(failed.value) and "exited with 1" in str(failed.value)
    with pytest.raises(sf.InstallerFailedError):
        sf._ready(["abc123", None, ""], container_name="x")  # no exit code reported is no success


def installers(run: Run) -> list[Registration]:
    return [r for r in run.of_type(CONTAINER) if any(lbl["value"] == sf.ROLE and lbl["label"] == "role" for lbl in r.inputs["labels"])]


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_each_service_waits_for_its_installer_and_is_replaced_with_it(stack: str) -> None:
    """The installer's id is in the service's labels (labels force a new container), so new
    secret content, which replaces the installer, replaces the service too."""
    run = cached_run(stack)
    found = installers(run)
    assert found
    for installer in found:
        service_name = next(lbl["value"] for lbl in installer.inputs["labels"] if lbl["label"] == "service")
        [service] = [r for r in run.of_type(CONTAINER) if r.inputs["name"] == service_name]
        assert installer.urn in service.dependencies
        assert {"label": "secret-files", "value": f"{installer.name}-id"} in service.inputs["labels"]
        assert installer.inputs["user"] == "0:0" and installer.inputs["attach"] is True and installer.inputs["mustRun"] is False
        assert installer.delete_before_replace, "fixed name: the old, exited installer goes first"
        assert not installer.inputs.get("ports") and not installer.inputs.get("envs")


def test_a_rolling_node_installs_only_when_its_turn_comes() -> None:
    run = run_program("prod", overrides={"bootstrap": "false"})
    second = run.named("elk-es-es02-secret-files")
    gate = run.named("elk-es-es01-health")
    assert gate.urn in second.dependencies, "es02's key and password change only once es01 is back and the cluster green"
