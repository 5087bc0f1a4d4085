"""The keystore wrapper: what it says, and what it does when bash runs it.

The run uses stand-ins for ``elasticsearch-keystore`` and the image's ``docker-entrypoint.sh``
(paths rewritten into a temporary folder; the script text is otherwise the rendered one) that
record their arguments and standard input. The real 8.19 keystore CLI runs the same script in
``tests_engine/elasticsearch/test_keystore_wrapper.py``.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from components.render import elasticsearch_yml as es_yml
from components.render import es_keystore as ks

SETTING = "xpack.notification.email.account.mt4.smtp.secure_password"
SECRET_FILE = f"{es_yml.SECRETS_DIR}/smtp-password"
PASSWORD = "pa ss'w$rd\"`x`"  # spaces, quotes, $ and backticks: nothing of it may be interpreted


def test_the_command_is_the_wrapper_alone_and_the_wrapper_ends_in_the_image_start() -> None:
    assert ks.command() == ["/bin/bash", ks.WRAPPER_PATH]
    assert os.path.basename(ks.command()[0]) not in ("eswrapper", "elasticsearch"), "the entrypoint must exec it as is"
    lines = ks.render_wrapper({SETTING: SECRET_FILE}).splitlines()
    assert lines[0] == "#!/bin/bash" and "set -euo pipefail" in lines
    assert lines[-1] == "exec /usr/local/bin/docker-entrypoint.sh eswrapper"
    assert lines[-2] == f"{ks.KEYSTORE_CLI} add --stdin --force {SETTING} < {SECRET_FILE}"


def test_settings_are_written_in_a_fixed_order() -> None:
    a, b = "b.secure_password", "a.secure_password"
    one = ks.render_wrapper({a: f"{es_yml.SECRETS_DIR}/a", b: f"{es_yml.SECRETS_DIR}/b"})
    two = ks.render_wrapper({b: f"{es_yml.SECRETS_DIR}/b", a: f"{es_yml.SECRETS_DIR}/a"})
    assert one == two and one.index(b) < one.index(a)


@pytest.mark.parametrize("mapping, problem", [
    ({}, "no secure settings"),
    ({"Bad Name": SECRET_FILE}, "not a keystore setting name"),
    ({SETTING: "/tmp/password"}, "not a file in"),
    ({SETTING: f"{es_yml.SECRETS_DIR}/sub/password"}, "not a file in"),
], ids=["nothing to add", "refused name", "outside the secrets dir", "below the secrets dir"])
def test_refuses_what_the_keystore_or_the_secret_files_cannot_honour(mapping: dict[str, str], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        ks.render_wrapper(mapping)


def run_wrapper(tmp: Path, secret_exists: bool = True) -> tuple[subprocess.CompletedProcess[str], Path]:
    """Run the rendered wrapper with recording stand-ins; return the result and the record folder."""
    record = tmp / "record"
    record.mkdir()
    cli, entrypoint, secrets = tmp / "keystore", tmp / "entrypoint", tmp / "secrets"
    secrets.mkdir()
    cli.write_text(f'#!/bin/bash\nprintf "%s\\n" "$@" > {record}/cli-args\ncat > {record}/cli-stdin\n')
    entrypoint.write_text(f'#!/bin/bash\nprintf "%s\\n" "$@" > {record}/entrypoint-args\n')
    for exe in (cli, entrypoint):
        exe.chmod(0o755)
    if secret_exists:
        (secrets / "smtp-password").write_text(PASSWORD)
        (secrets / "smtp-password").chmod(0o400)
    script = (ks.render_wrapper({SETTING: SECRET_FILE})
              .replace(ks.KEYSTORE_CLI, str(cli)).replace(ks.ENTRYPOINT, str(entrypoint)).replace(es_yml.SECRETS_DIR, str(secrets)))
    wrapper = tmp / "wrapper"
    wrapper.write_text(script)
    done = subprocess.run(["bash", str(wrapper)], capture_output=True, text=True, env={"PATH": os.environ["PATH"]}, timeout=30)
    return done, record


def test_the_value_reaches_the_keystore_on_stdin_only_then_the_image_starts(tmp_path: Path) -> None:
    done, record = run_wrapper(tmp_path)
    assert done.returncode == 0, done.stderr
    assert (record / "cli-args").read_text().splitlines() == ["add", "--stdin", "--force", SETTING]
    assert (record / "cli-stdin").read_text() == PASSWORD
    assert (record / "entrypoint-args").read_text().splitlines() == ["eswrapper"]
    assert PASSWORD not in done.stdout + done.stderr


def test_a_missing_secret_file_stops_the_container_before_the_image_starts(tmp_path: Path) -> None:
    done, record = run_wrapper(tmp_path, secret_exists=False)
    assert done.returncode != 0
    assert not (record / "cli-args").exists() and not (record / "entrypoint-args").exists()
