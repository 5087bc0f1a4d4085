"""The Watcher email action in the whole program (under mocks): every node carries the account in
elasticsearch.yml; with a login, the SMTP password reaches each node's keystore through the secret
-file installer and the keystore wrapper only, never in plain text anywhere else.

Proof limit: what the engine would be handed; that the wrapper works with the real keystore CLI
is tests_engine/elasticsearch/test_keystore_wrapper.py, that the image runs it as written is
tests/test_image_contracts.py."""

from __future__ import annotations

import json

import pytest
import yaml

from components.render import elasticsearch_yml as es_yml
from components.render import es_keystore as ks
from components.secret_files import STAGING_DIR
from components.watcher_email_node import SMTP_PASSWORD_FILE
from tests.program import Registration, Run, is_secret, run_program
from tests.secrets_scan import leaks

PASSWORD = "smtp-pw-secret-91"
SETTING = "xpack.notification.email.account.mt4.smtp.secure_password"
EMAIL = {"to": ["ops@example.com"], "from": "elk@example.com", "host": "smtp.example.com", "port": 587, "user": "elk"}
CONTAINER = "docker:index/container:Container"


def with_email(stack: str, email: dict, watcher: bool = True) -> Run:
    overrides: dict = {"license": "trial", "alerting": {"watcher": watcher, "email": email}}
    secret_keys = []
    if email.get("user"):
        overrides["alerting_email_password"] = PASSWORD
        secret_keys = ["elk-stack:alerting_email_password"]
    run = run_program(stack, overrides=overrides, secret_keys=secret_keys)
    # A config secret, not one the mocks made: known to the scans as a secret value all the same.
    run.secret_values.add(PASSWORD)
    return run


def nodes(run: Run) -> list[Registration]:
    found = [r for r in run.of_type(CONTAINER) if any(lbl == {"label": "role", "value": "elasticsearch"} for lbl in r.inputs["labels"])]
    assert found
    return found


def upload(node: Registration, path: str) -> str | None:
    return next((u["content"] for u in node.inputs["uploads"] if u["file"] == path), None)


def installer(run: Run, node: Registration) -> Registration:
    return run.named(f"{node.name}-secret-files")


@pytest.fixture(scope="module")
def prod_login() -> Run:
    return with_email("prod", EMAIL)


def test_every_node_carries_the_account_and_starts_through_the_keystore_wrapper(prod_login: Run) -> None:
    for node in nodes(prod_login):
        settings = yaml.safe_load(upload(node, es_yml.CONFIG_DIR + "/elasticsearch.yml"))
        prefix = "xpack.notification.email.account.mt4."
        assert settings[prefix + "smtp.host"] == "smtp.example.com" and settings[prefix + "smtp.user"] == "elk"
        assert settings[prefix + "smtp.starttls.required"] is True and settings[prefix + "email_defaults.from"] == "elk@example.com"
        assert not any("password" in k for k in settings), "the password is keystore-only"
        assert node.inputs["command"] == ["/bin/bash", ks.WRAPPER_PATH]
        wrapper = upload(node, ks.WRAPPER_PATH)
        assert wrapper is not None and f"add --stdin --force {SETTING} < {es_yml.SECRETS_DIR}/{SMTP_PASSWORD_FILE}" in wrapper
        assert wrapper.rstrip().endswith("exec /usr/local/bin/docker-entrypoint.sh eswrapper")


def test_the_password_goes_to_each_nodes_installer_as_a_secret_and_nowhere_else(prod_login: Run) -> None:
    holders = []
    for node in nodes(prod_login):
        inst = installer(prod_login, node)
        [staged] = [i for i, u in enumerate(inst.inputs["uploads"]) if u["file"] == f"{STAGING_DIR}/{SMTP_PASSWORD_FILE}"]
        assert inst.inputs["uploads"][staged]["content"] == PASSWORD
        assert is_secret(inst.raw["uploads"]) or is_secret(inst.raw["uploads"][staged]["content"])
        [script] = inst.inputs["command"]
        assert f"-m 0400 {STAGING_DIR}/{SMTP_PASSWORD_FILE} {es_yml.SECRETS_DIR}/{SMTP_PASSWORD_FILE}" in script
        assert PASSWORD not in script
        holders.append(inst.name)
    connector = "elk-alerting-mt4-alerts-email"
    elsewhere = [r.name for r in prod_login.resources
                 if r.name not in (*holders, connector) and PASSWORD in json.dumps(r.inputs)]
    assert elsewhere == []
    assert PASSWORD not in json.dumps(prod_login.stack_outputs_raw)
    assert leaks(prod_login) == []


def test_a_relay_without_login_gets_the_account_but_no_keystore_step() -> None:
    run = with_email("dev", {**EMAIL, "user": ""})
    [node] = nodes(run)
    settings = yaml.safe_load(upload(node, es_yml.CONFIG_DIR + "/elasticsearch.yml"))
    assert settings["xpack.notification.email.account.mt4.smtp.host"] == "smtp.example.com"
    assert not node.inputs.get("command") and upload(node, ks.WRAPPER_PATH) is None
    assert not any(SMTP_PASSWORD_FILE in u["file"] for u in installer(run, node).inputs["uploads"])


def test_email_through_kibana_alone_leaves_the_nodes_as_they_are() -> None:
    run = with_email("dev", EMAIL, watcher=False)
    [node] = nodes(run)
    [plain] = nodes(run_program("dev", overrides={"license": "trial"}))
    assert upload(node, es_yml.CONFIG_DIR + "/elasticsearch.yml") == upload(plain, es_yml.CONFIG_DIR + "/elasticsearch.yml")
    assert not node.inputs.get("command")
    assert not any(SMTP_PASSWORD_FILE in u["file"] for u in installer(run, node).inputs["uploads"])
