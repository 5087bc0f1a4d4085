"""What a node needs for the Watcher email action: the account in elasticsearch.yml and, when
the account logs in, its SMTP password in the keystore.

The password is a Pulumi secret from ``load_email_password`` and goes, as a secret, only into
the node's secret-file installer (``components/secret_files.py``: a root-only upload into a
one-shot container that installs it 0400 for uid 1000 into the read-only secrets volume). The
node's command is the keystore wrapper (``render/es_keystore.py``), which feeds the file to
``elasticsearch-keystore add --stdin`` and then runs the image's own start. So the value is never
in an env var, a label, a command line, the wrapper's text or a log line.

Only above Basic with ``alerting.watcher`` and ``alerting.email``: the settings rules refuse
Watcher and email on Basic and Watcher email on port 465 before anything is built.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.render import alerting_bodies
from components.render import es_keystore as ks
from components.render import watcher_email as we
from components.secret_files import SecretFile, secret_path
from components.settings.model import Alerting

#: The password's file name in the node's secrets directory.
SMTP_PASSWORD_FILE = "smtp-password"


@dataclass(frozen=True, kw_only=True)
class NodeEmail:
    account: we.EmailAccount
    password: pulumi.Output[str] | None
    """The SMTP password (a secret Output) when ``account.user`` is set, else None."""

    def __post_init__(self) -> None:
        if bool(self.account.user) != (self.password is not None):
            raise ValueError("the Watcher email account needs a password exactly when it has a user "
                             "(alerting.email.user and alerting_email_password; the settings check both)")

    def secret_files(self) -> list[SecretFile]:
        return [SecretFile(SMTP_PASSWORD_FILE, pulumi.Output.secret(self.password))] if self.password is not None else []

    def plain_files(self) -> dict[str, str]:
        """Container path -> text of the files to upload (the wrapper: it names the file, holds no value)."""
        if self.password is None:
            return {}
        return {ks.WRAPPER_PATH: ks.render_wrapper({we.password_setting(self.account): secret_path("elasticsearch", SMTP_PASSWORD_FILE)})}

    def command(self) -> list[str] | None:
        """The node's command: the wrapper when there is a password to store, else the image's own."""
        return ks.command() if self.password is not None else None


def node_email(settings: Alerting, password: pulumi.Output[str] | None) -> NodeEmail | None:
    """The nodes' email account, or None when no watch sends mail."""
    email = settings.email
    if not settings.watcher or email is None:
        return None
    account = we.EmailAccount(name=alerting_bodies.WATCHER_EMAIL_ACCOUNT, sender=email.sender, host=email.host,
                              port=email.port, user=email.user)
    return NodeEmail(account=account, password=password if email.user else None)
