"""The rendered keystore wrapper with the real 8.19 ``elasticsearch-keystore`` (Maven Central build).

What runs for real: the wrapper script as rendered (``components/render/es_keystore.py``; only its
absolute image paths are rewritten into a temporary folder) and the real keystore CLI, as the
image would run them before its own start; then the image entrypoint's own keystore step
(``bootstrap.password``, its lines 42-48 as quoted in tests/contracts/images_8.19.json), and a
second start of the same container. The image's ``docker-entrypoint.sh`` is a recording stand-in
(it would start a server). Cannot prove: the Docker image's paths and user (the contract tests do),
or that Watcher uses the entry (this build has no Watcher module).

No JVM server is started: these are CLI runs only (a few seconds each).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from components.render import elasticsearch_yml as es_yml
from components.render import es_keystore as ks
from components.render import watcher_email as we
from engine.realserver import fetch as fetch_mod
from engine.realserver.java import find_java

ACCOUNT = we.EmailAccount(name="mt4", sender="alerts@example.com", host="smtp.example.com", port=587, user="mailer")
SETTING = we.password_setting(ACCOUNT)
#: A test-only value with what a shell could misread; compared by digest, never printed.
VALUE = "not a real pw: $HOME `id` 'q' \"dq\""


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class Node:
    """One node's config folder, secrets folder and the rewritten wrapper, with the real CLI."""

    def __init__(self, home: Path, java_home: Path, tmp: Path) -> None:
        self.cli = home / "bin" / "elasticsearch-keystore"
        self.config = tmp / "config"
        shutil.copytree(home / "config", self.config)
        self.secrets = tmp / "secrets"
        self.secrets.mkdir()
        self.record = tmp / "entrypoint-args"
        entrypoint = tmp / "docker-entrypoint.sh"
        entrypoint.write_text(f'#!/bin/bash\nprintf "%s\\n" "$@" > {self.record}\n')
        entrypoint.chmod(0o755)
        script = ks.render_wrapper({SETTING: f"{es_yml.SECRETS_DIR}/smtp-password"})
        self.wrapper = tmp / "wrapper"
        self.wrapper.write_text(script.replace(ks.KEYSTORE_CLI, str(self.cli)).replace(ks.ENTRYPOINT, str(entrypoint))
                                .replace(es_yml.SECRETS_DIR, str(self.secrets)))
        self.env = {"PATH": os.environ["PATH"], "ES_JAVA_HOME": str(java_home), "ES_PATH_CONF": str(self.config),
                    "HOME": str(tmp)}

    def put_secret(self, value: str) -> None:
        path = self.secrets / "smtp-password"
        if path.exists():
            path.chmod(0o600)
        path.write_text(value)
        path.chmod(0o400)

    def start(self) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["bash", str(self.wrapper)], env=self.env, capture_output=True, text=True, timeout=300)

    def keystore(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(self.cli), *args], env=self.env, input=stdin, capture_output=True, text=True, timeout=300)

    def entrypoint_bootstrap_step(self, password: str) -> None:
        """docker-entrypoint.sh 42-48 with an unencrypted keystore: create only if missing, add
        bootstrap.password only if not listed."""
        assert (self.config / "elasticsearch.keystore").is_file(), "the wrapper left a keystore for the entrypoint"
        if "bootstrap.password" not in self.keystore("list").stdout.splitlines():
            added = self.keystore("add", "-x", "bootstrap.password", stdin=password + "\n")
            assert added.returncode == 0, added.stderr


@pytest.fixture
def node(distribution: fetch_mod.Distribution, tmp_path: Path) -> Node:
    java = find_java()
    assert java is not None
    return Node(distribution.home, java.home, tmp_path)


def test_the_wrapper_puts_the_password_in_a_new_keystore_and_the_entrypoint_adds_its_own(node: Node) -> None:
    node.put_secret(VALUE)
    started = node.start()
    assert started.returncode == 0, started.stderr
    assert node.record.read_text().splitlines() == ["eswrapper"], "then the image's own start, with its default command"
    assert VALUE not in started.stdout + started.stderr
    node.entrypoint_bootstrap_step("bootstrap-test-only")
    assert sorted(node.keystore("list").stdout.split()) == ["bootstrap.password", "keystore.seed", SETTING]
    assert digest(node.keystore("show", SETTING).stdout.rstrip("\n")) == digest(VALUE)


def test_a_restart_overwrites_the_entry_without_a_prompt_and_keeps_the_bootstrap_password(node: Node) -> None:
    node.put_secret("first-test-only")
    assert node.start().returncode == 0
    node.entrypoint_bootstrap_step("bootstrap-test-only")
    node.put_secret(VALUE)
    again = node.start()
    assert again.returncode == 0, again.stderr
    assert digest(node.keystore("show", SETTING).stdout.rstrip("\n")) == digest(VALUE)
    assert digest(node.keystore("show", "bootstrap.password").stdout.rstrip("\n")) == digest("bootstrap-test-only")
