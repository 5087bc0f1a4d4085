"""Watcher's email account settings: every key one 8.19 registers, none of them secure, and the
password never among them (it goes to the keystore)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from components.render import watcher_email as we

CONTRACT = json.loads((Path(__file__).parent.parent / "contracts" / "elasticsearch_settings_8.19.json").read_text())


def affix_match(key: str, patterns: dict[str, str]) -> str | None:
    """The contract pattern (``*`` = one account name) that ``key`` instantiates, or None."""
    for pattern in patterns:
        if re.fullmatch(re.escape(pattern).replace(r"\*", r"[a-z0-9_\-]+"), key):
            return pattern
    return None


def account(**overrides: object) -> we.EmailAccount:
    base = dict(name="mt4", sender="alerts@example.com", host="smtp.example.com", port=587, user="mailer")
    base.update(overrides)
    return we.EmailAccount(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize("a", [account(), account(user=""), account(port=25, user="")], ids=["login", "relay", "relay on 25"])
def test_every_key_is_a_registered_plain_setting_of_8_19(a: we.EmailAccount) -> None:
    settings = we.account_settings(a)
    assert [k for k in settings if affix_match(k, CONTRACT["affix_settings"]) is None] == []
    assert [k for k in settings if affix_match(k, CONTRACT["secure_settings"]) is not None] == []


def test_the_password_setting_is_secure_only_and_the_contract_has_no_plain_password() -> None:
    assert affix_match(we.password_setting(account()), CONTRACT["secure_settings"]) is not None
    assert affix_match("xpack.notification.email.account.mt4.smtp.password", CONTRACT["affix_settings"]) is None
    assert affix_match("xpack.notification.email.account.mt4.smtp.ssl.enable", CONTRACT["affix_settings"]) is None


def test_a_login_requires_starttls_and_auth() -> None:
    s = we.account_settings(account())
    prefix = "xpack.notification.email.account.mt4."
    assert s == {
        prefix + "profile": "standard",
        prefix + "email_defaults.from": "alerts@example.com",
        prefix + "smtp.host": "smtp.example.com",
        prefix + "smtp.port": 587,
        prefix + "smtp.starttls.enable": True,
        prefix + "smtp.auth": True,
        prefix + "smtp.user": "mailer",
        prefix + "smtp.starttls.required": True,
    }


def test_a_relay_without_login_gets_opportunistic_tls_and_no_auth() -> None:
    s = we.account_settings(account(user=""))
    assert s["xpack.notification.email.account.mt4.smtp.starttls.enable"] is True
    assert not any(k.endswith((".smtp.auth", ".smtp.user", ".smtp.starttls.required")) for k in s)


def test_port_465_has_no_account_setting() -> None:
    with pytest.raises(ValueError, match="465"):
        account(port=465)


def test_the_watch_sends_through_this_account() -> None:
    from components.render import alerting_bodies

    watch = alerting_bodies.watch_body(("ops@example.com",))
    assert watch["actions"]["send_email"]["email"]["account"] == alerting_bodies.WATCHER_EMAIL_ACCOUNT
    assert "from" not in watch["actions"]["send_email"]["email"], "the account's email_defaults.from is the sender"
