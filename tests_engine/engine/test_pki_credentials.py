"""Part 3: a real ``up`` of Pki + Credentials (real tls/random plugins, rebuilt from upstream) for
both committed stack files, read through the project's settings loader.

Proves: what the tls and random providers really return for the program's declarations —
certificates that parse, chain to the CA, carry the SANs and validity the settings ask for, keys
in the formats their consumers read, secrets that stay out of the state in plaintext, a second
``up`` with nothing to do, a ``destroy`` that leaves nothing. Cannot prove: the published plugin
binaries (these are rebuilt from upstream modules) or that Elastic's services accept them.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Callable

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID

from components.credentials import APP_USERS, KIBANA_KEY_LENGTH, KIBANA_KEYS, PASSWORD_LENGTH, SYSTEM_USERS
from components.identities import identities
from components.pki import KEY_BITS
from engine.harness.outputs import PkiCredentials
from engine.harness.programs import pki_credentials_program
from engine.harness.settings_of import load_for
from engine.harness.stacks import new_stack, remove
from engine.harness.toolchain import Toolchain

STACKS = ("dev", "prod")
#: The tls provider backdates nothing and issues "now"; allow for the run's own duration.
CLOCK_SLACK = dt.timedelta(minutes=10)


def _cert(pem: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem.encode())


@pytest.fixture(scope="module", params=STACKS)
def issued(request: pytest.FixtureRequest, real_pki_credentials: Callable[[str], PkiCredentials]) -> PkiCredentials:
    return real_pki_credentials(request.param)


def test_one_certificate_per_identity_the_settings_declare(issued: PkiCredentials) -> None:
    expected = {ident.name for ident in identities(issued.settings)}
    assert set(issued.certificates) == expected


def test_every_certificate_chains_to_the_ca(issued: PkiCredentials) -> None:
    ca = _cert(issued.ca_cert_pem)
    ca_key = ca.public_key()
    assert isinstance(ca_key, rsa.RSAPublicKey)
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True
    for name, pems in issued.certificates.items():
        leaf = _cert(pems.cert_pem)
        assert leaf.issuer == ca.subject, name
        ca_key.verify(leaf.signature, leaf.tbs_certificate_bytes, padding.PKCS1v15(), leaf.signature_hash_algorithm)
        assert leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False, name


def test_sans_are_exactly_the_declared_names_and_ips(issued: PkiCredentials) -> None:
    for ident in identities(issued.settings):
        san = _cert(issued.certificates[ident.name].cert_pem).extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        assert sorted(san.get_values_for_type(x509.DNSName)) == sorted(ident.dns_names), ident.name
        assert set(san.get_values_for_type(x509.IPAddress)) == {ipaddress.ip_address(a) for a in ident.ip_addresses}, ident.name
        assert ident.ip_addresses, f"{ident.name}: the settings declare IP SANs; a certificate without any is not what was asked"


def test_validity_is_what_the_settings_ask(issued: PkiCredentials) -> None:
    tls = issued.settings.tls
    ca = _cert(issued.ca_cert_pem)
    assert abs((ca.not_valid_after_utc - ca.not_valid_before_utc) - dt.timedelta(hours=tls.ca_validity_hours)) < CLOCK_SLACK
    for name, pems in issued.certificates.items():
        leaf = _cert(pems.cert_pem)
        assert abs((leaf.not_valid_after_utc - leaf.not_valid_before_utc) - dt.timedelta(hours=tls.validity_hours)) < CLOCK_SLACK, name
        assert abs(leaf.not_valid_before_utc - dt.datetime.now(dt.UTC)) < dt.timedelta(hours=2), name
        usages = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        assert {ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH} <= set(usages), name


def test_keys_match_their_certificates_in_both_formats(issued: PkiCredentials) -> None:
    for name, pems in issued.certificates.items():
        assert pems.key_pem.startswith("-----BEGIN RSA PRIVATE KEY-----"), name  # PKCS#1: Elasticsearch, Kibana
        assert pems.key_pkcs8_pem.startswith("-----BEGIN PRIVATE KEY-----"), name  # PKCS#8: Logstash's Beats input
        pkcs1 = serialization.load_pem_private_key(pems.key_pem.encode(), password=None)
        pkcs8 = serialization.load_pem_private_key(pems.key_pkcs8_pem.encode(), password=None)
        assert isinstance(pkcs1, rsa.RSAPrivateKey) and pkcs1.key_size == KEY_BITS, name
        assert pkcs1.private_numbers() == pkcs8.private_numbers(), name
        assert pkcs1.public_key().public_numbers() == _cert(pems.cert_pem).public_key().public_numbers(), name


def test_passwords_and_kibana_keys_as_declared(issued: PkiCredentials) -> None:
    assert set(issued.passwords) == {"elastic", *SYSTEM_USERS, *APP_USERS}
    assert set(issued.kibana_keys) == set(KIBANA_KEYS)
    for value in issued.passwords.values():
        assert len(value) == PASSWORD_LENGTH and value.isalnum()
    for value in issued.kibana_keys.values():
        assert len(value) == KIBANA_KEY_LENGTH and value.isalnum()
    values = [*issued.passwords.values(), *issued.kibana_keys.values()]
    assert len(set(values)) == len(values), "two credentials came out equal"
    assert issued.elastic_password == issued.passwords["elastic"]


def test_state_holds_no_secret_in_plaintext(issued: PkiCredentials) -> None:
    state = issued.stack_handle.state_text()
    assert "ciphertext" in state, "the state holds no encrypted value at all: secrets were not marked"
    # Control: the scan reads the real state, where the public CA certificate is in plaintext.
    assert issued.ca_cert_pem.strip().splitlines()[1] in state
    for value in issued.secret_values():
        for fragment in {value, *value.strip().splitlines()[1:-1][:1]}:  # whole value and a key's first base64 line
            assert fragment not in state, "a generated secret is in the state in plaintext"


def test_stack_output_shows_secrets_only_when_asked(issued: PkiCredentials) -> None:
    hidden = issued.stack_handle.outputs_hidden()
    assert hidden["elastic_password"] == "[secret]"
    assert issued.elastic_password not in str(hidden)
    shown = issued.stack_handle.outputs_shown()
    assert shown["elastic_password"] == issued.elastic_password


def test_second_up_changes_nothing(issued: PkiCredentials) -> None:
    result = issued.stack_handle.stack.up(on_output=lambda _line: None)
    changes = dict(result.summary.resource_changes or {})
    assert set(changes) == {"same"}, changes


@pytest.mark.parametrize("stack", STACKS)
def test_destroy_leaves_nothing(engine: Toolchain, engine_base: object, stack: str) -> None:
    handle = new_stack(engine, stack, pki_credentials_program(), engine_base, label="destroy")  # type: ignore[arg-type]
    try:
        handle.stack.up(on_output=lambda _line: None)
        declared = len(handle.resources())
        assert declared > 1 + 2 * len(identities(load_for(stack)[0]))
        handle.stack.destroy(on_output=lambda _line: None)
        assert handle.resources() == []
    finally:
        remove(handle)
