"""The ``alerting`` settings: Watcher and email are refused on Basic with the license they need,
the SMTP password is a secret key that never enters the settings."""

from __future__ import annotations

from typing import Any

from components.settings.model import Email
from components.settings.parse import parse_settings
from components.settings.problems import Problems

EMAIL = {"to": ["ops@example.com"], "from": "elk@example.com", "host": "smtp.example.com", "user": "elk"}


def parse(raw: dict[str, Any], secret_keys: frozenset[str] = frozenset()) -> tuple[Any, list[tuple[str, str]]]:
    problems = Problems("Pulumi.dev.yaml")
    settings = parse_settings(raw, problems, own_ca=False, secret_keys=secret_keys)
    return settings, [(p.key, p.message) for p in problems.errors]


def test_defaults_are_the_basic_rule_only() -> None:
    settings, errors = parse({})
    assert errors == [] and settings.alerting.watcher is False and settings.alerting.email is None


def test_watcher_on_basic_is_refused_naming_the_license_it_needs() -> None:
    _, errors = parse({"alerting": {"watcher": True}})
    [(key, message)] = errors
    assert key == "alerting.watcher" and "needs a license above Basic" in message and "STANDARD" in message
    assert "license: trial" in message


def test_email_on_basic_is_refused_naming_gold() -> None:
    _, errors = parse({"alerting": {"email": EMAIL}, "alerting_email_password": "pw"},
                      secret_keys=frozenset({"alerting_email_password"}))
    assert [k for k, _ in errors] == ["alerting.email.to"]
    assert "needs a Gold license or higher" in errors[0][1] and ".email" in errors[0][1]


def test_email_and_watcher_on_trial_are_read() -> None:
    settings, errors = parse({"license": "trial", "alerting": {"watcher": True, "email": EMAIL},
                              "alerting_email_password": "pw-123"}, secret_keys=frozenset({"alerting_email_password"}))
    assert errors == []
    assert settings.alerting.email == Email(to=("ops@example.com",), sender="elk@example.com", host="smtp.example.com",
                                            port=587, user="elk")
    assert "pw-123" not in repr(settings)


def test_the_smtp_password_in_plain_text_is_refused_without_echoing_it() -> None:
    _, errors = parse({"license": "trial", "alerting": {"email": EMAIL}, "alerting_email_password": "hunter2-plain"})
    assert [k for k, _ in errors] == ["alerting_email_password"]
    assert "--secret" in errors[0][1] and "hunter2-plain" not in errors[0][1]


def test_a_user_without_password_and_a_password_without_user_are_refused() -> None:
    _, errors = parse({"license": "trial", "alerting": {"email": EMAIL}})
    assert [k for k, _ in errors] == ["alerting_email_password"] and "is required" in errors[0][1]
    no_user = {k: v for k, v in EMAIL.items() if k != "user"}
    _, errors = parse({"license": "trial", "alerting": {"email": no_user}, "alerting_email_password": "x"},
                      secret_keys=frozenset({"alerting_email_password"}))
    assert [k for k, _ in errors] == ["alerting_email_password"] and "without a user" in errors[0][1]


def test_recipients_need_a_sender_and_a_server_and_valid_addresses() -> None:
    _, errors = parse({"license": "trial", "alerting": {"email": {"to": ["ops@example.com", "not an address"]}}})
    assert sorted(k for k, _ in errors) == ["alerting.email.from", "alerting.email.host", "alerting.email.to[1]"]


def test_a_misspelt_alerting_key_is_refused() -> None:
    _, errors = parse({"alerting": {"watchr": True}})
    assert [k for k, _ in errors] == ["alerting.watchr"]


def test_watcher_email_on_port_465_is_refused_and_kibana_alone_may_use_it() -> None:
    secret = frozenset({"alerting_email_password"})
    smtps = {**EMAIL, "port": 465}
    _, errors = parse({"license": "trial", "alerting": {"watcher": True, "email": smtps}, "alerting_email_password": "x"}, secret)
    [(key, message)] = errors
    assert key == "alerting.email.port" and "STARTTLS" in message and "587" in message
    _, errors = parse({"license": "trial", "alerting": {"watcher": False, "email": smtps}, "alerting_email_password": "x"}, secret)
    assert errors == []
