"""The start wrapper that puts secure settings into a node's keystore, then runs the image's
own start (pure: plain values in, the script text out).

Why a wrapper: a secure setting (``SecureSetting``, e.g. Watcher's
``xpack.notification.email.account.<a>.smtp.secure_password``) is read from
``config/elasticsearch.keystore`` only; the 8.19 image's entrypoint adds nothing but
``bootstrap.password`` to it. The wrapper is the container's command:

1. tini runs ``docker-entrypoint.sh /bin/bash <wrapper>``; ``/bin/bash`` is neither ``eswrapper``
   nor named ``elasticsearch``, so the entrypoint ``exec "$@"``s it untouched
   (docker-entrypoint.sh 10-23). Run by bash, the wrapper needs no execute bit: it is an
   ordinary root-owned 0644 upload like every rendered config (``containers.upload``);
2. for each secure setting, ``elasticsearch-keystore add --stdin --force <setting> < <file>``:
   ``--force`` overwrites an entry from an earlier start and creates the (unencrypted) keystore
   when there is none (``BaseKeyStoreCommand``: keystore missing and ``force`` -> create);
   ``--stdin`` reads the value as one line from standard input (``AddStringKeyStoreCommand``), so
   the value is never an argument, an env var or a line of output. Each file is a secret file
   installed 0400 for uid 1000 (``components/secret_files.py``), readable by this process only;
3. ``exec /usr/local/bin/docker-entrypoint.sh eswrapper``: the image's own start from the top
   (``*_FILE`` loading, ``bootstrap.password`` into the now existing keystore, tini still PID 1).

``set -euo pipefail``: a missing file or a refused entry stops the container (it exits non-zero,
the healthcheck never passes, ``up`` fails there) instead of starting a node without the setting.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from typing import Final

from components.render import elasticsearch_yml as es_yml

#: Where the wrapper is uploaded (root-owned 0644: the image user may read it, not change it).
WRAPPER_PATH: Final = f"{es_yml.CONFIG_DIR}/elk-keystore-start.sh"
SHELL: Final = "/bin/bash"
ENTRYPOINT: Final = "/usr/local/bin/docker-entrypoint.sh"
KEYSTORE_CLI: Final = "/usr/share/elasticsearch/bin/elasticsearch-keystore"
KEYSTORE: Final = f"{es_yml.CONFIG_DIR}/elasticsearch.keystore"
#: Setting names as the keystore accepts them (``KeyStoreWrapper.validateSettingName``:
#: lowercase letters, digits, ``_``, ``-`` and dots).
_SETTING_NAME = re.compile(r"^[a-z0-9_\-.]+$")


def command() -> list[str]:
    """The container's command (the image's entrypoint stays: tini and docker-entrypoint.sh)."""
    return [SHELL, WRAPPER_PATH]


def render_wrapper(secure_files: Mapping[str, str]) -> str:
    """The wrapper script for ``{secure setting: file holding its value}``, in a fixed order.

    Raises ``ValueError`` for an empty mapping (no wrapper is needed then: keep the image's
    command), a setting name the keystore would refuse, or a file outside the node's secrets
    directory (only that directory holds files installed 0400 for the node's user)."""
    if not secure_files:
        raise ValueError("no secure settings: the node keeps the image's command, no wrapper")
    problems = [f"{name!r} is not a keystore setting name" for name in secure_files if not _SETTING_NAME.fullmatch(name)]
    problems += [f"{path!r} is not a file in {es_yml.SECRETS_DIR}" for path in secure_files.values()
                 if not path.startswith(f"{es_yml.SECRETS_DIR}/") or "/" in path.removeprefix(f"{es_yml.SECRETS_DIR}/")]
    if problems:
        raise ValueError("; ".join(problems))
    lines = [
        "#!/bin/bash",
        "# Rendered by elk-stack (components/render/es_keystore.py): secure settings into the keystore,",
        "# then the image's own start. Values are read from files, never echoed.",
        "set -euo pipefail",
        "umask 0002",
    ]
    for name in sorted(secure_files):
        lines.append(f"{KEYSTORE_CLI} add --stdin --force {shlex.quote(name)} < {shlex.quote(secure_files[name])}")
    lines.append(f"exec {ENTRYPOINT} eswrapper")
    return "\n".join(lines) + "\n"
