"""Watcher's email account as elasticsearch.yml settings and one keystore entry (pure).

The guide's watch sends mail through the account ``alerting_bodies.WATCHER_EMAIL_ACCOUNT``;
Elasticsearch knows an account only from node settings ``xpack.notification.email.account.<name>.*``
(Watcher's ``EmailService`` reads no account from the watch). What exists in 8.19, read from
``x-pack/plugin/watcher/.../notification/email/EmailService.java`` and ``Account.java``
(sources in ``tests/contracts/elasticsearch_settings_8.19.json``, ``affix_settings``):

- ``profile``, ``email_defaults.*``, ``smtp.auth``, ``smtp.host``, ``smtp.port``, ``smtp.user``,
  ``smtp.starttls.enable``, ``smtp.starttls.required``, ``smtp.ssl.trust``, timeouts and a few
  more: plain (dynamic) node settings, so they belong in elasticsearch.yml;
- ``smtp.secure_password``: a *secure* setting only (``SecureSetting.secureString``): Elasticsearch
  refuses it in elasticsearch.yml and reads it from the keystore alone (``es_keystore.py`` puts it
  there). There is no plain ``smtp.password`` any more.

There is no setting for TLS from the first byte (SMTPS on 465): ``mail.smtp.ssl.enable`` is not
registered, and an unregistered setting under the affix stops the node at start. So the account
speaks STARTTLS, and requires it whenever it logs in, so the password never crosses in clear;
the settings rules refuse Watcher email on port 465 (``rules/security.py``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

PREFIX: Final = "xpack.notification.email.account"
#: The MIME layout Watcher builds; ``standard`` is the default (also ``gmail``, ``outlook``).
PROFILE: Final = "standard"
#: The one secure (keystore-only) setting of an account, relative to the account prefix.
SECURE_PASSWORD: Final = "smtp.secure_password"
#: The port with TLS from the first byte, which Watcher's account cannot speak (see above).
SMTPS_PORT: Final = 465


@dataclass(frozen=True, kw_only=True)
class EmailAccount:
    """What Watcher's email account needs; built from ``settings.model.Email``."""

    name: str
    sender: str
    host: str
    port: int
    user: str
    """SMTP login; empty for a relay without authentication (then no password is stored)."""

    def __post_init__(self) -> None:
        if self.port == SMTPS_PORT:
            raise ValueError(f"port {SMTPS_PORT} (TLS from the first byte) has no Watcher account setting in 8.19; "
                             "the settings rules refuse it before anything is rendered")


def key(account: EmailAccount, setting: str) -> str:
    return f"{PREFIX}.{account.name}.{setting}"


def password_setting(account: EmailAccount) -> str:
    """The keystore entry of the account's SMTP password."""
    return key(account, SECURE_PASSWORD)


def account_settings(account: EmailAccount) -> dict[str, object]:
    """The account's elasticsearch.yml settings, flat keys in a fixed order.

    - ``email_defaults.from``: the watch's email action names no sender, so the account's is used
      (``Account.Config.EmailDefaults``; without it JavaMail would invent ``user@localhost``).
    - ``smtp.starttls.enable`` always (opportunistic TLS even on an unauthenticated relay);
      ``smtp.starttls.required`` and ``smtp.auth`` when a user logs in: if the server offers no
      STARTTLS the mail fails instead of sending the password in clear.
    """
    out: dict[str, object] = {
        key(account, "profile"): PROFILE,
        key(account, "email_defaults.from"): account.sender,
        key(account, "smtp.host"): account.host,
        key(account, "smtp.port"): account.port,
        key(account, "smtp.starttls.enable"): True,
    }
    if account.user:
        out[key(account, "smtp.auth")] = True
        out[key(account, "smtp.user")] = account.user
        out[key(account, "smtp.starttls.required")] = True
    return out
