"""Rules about certificates and licenses: renewal window, CA lifetime, what Basic allows."""

from __future__ import annotations

from components.render.watcher_email import SMTPS_PORT
from components.settings.model import StackSettings
from components.settings.problems import Problems
from components.settings.rules.registry import rule

RENEWAL_NOT_SHORTER = (
    "{early} is not shorter than tls.validity_hours ({validity}); every up would rotate every certificate: set it below {validity}"
)
OUTLIVES_CA = (
    "{validity} outlives the CA (tls.ca_validity_hours {ca}); a certificate cannot be valid longer than its CA: "
    "set it to at most {ca} or raise tls.ca_validity_hours"
)
TRIAL = "trial expires after 30 days and then falls back to basic; Watcher and email alerts stop"
WATCHER_LICENSE = (
    "needs a license above Basic: Elasticsearch's watcher feature requires the STANDARD operation mode or higher "
    "(Gold, Platinum, Enterprise; license: trial for 30 days). On basic, leave it false: the error alert runs as a "
    "Kibana Elasticsearch-query rule"
)
EMAIL_LICENSE = (
    "needs a Gold license or higher: Kibana's email connector (.email) has minimumLicenseRequired 'gold' "
    "(license: trial for 30 days). On basic, the error alert writes to the mt4-alerts-errors data stream and the Kibana log"
)
WATCHER_EMAIL_SMTPS = (
    "is 465 (TLS from the first byte), which Watcher's email account cannot speak: Elasticsearch 8.19 registers "
    "smtp.starttls.* but no smtp.ssl.enable, and a node with an unregistered setting does not start. Use the server's "
    "STARTTLS port (587), or set alerting.watcher: false (Kibana's email connector speaks 465)"
)


@rule("tls.early_renewal_hours", "tls.validity_hours")
def tls_renewal_window(s: StackSettings, p: Problems) -> None:
    if s.tls.early_renewal_hours >= s.tls.validity_hours:
        p.error("tls.early_renewal_hours", RENEWAL_NOT_SHORTER.format(early=s.tls.early_renewal_hours, validity=s.tls.validity_hours))


@rule("tls", "tls_ca_cert", "tls_ca_key")
def certificates_within_ca(s: StackSettings, p: Problems) -> None:
    """Only for the CA the stack makes; a brought CA's lifetime is not known here."""
    if s.tls.validity_hours > s.tls.ca_validity_hours and not s.tls.own_ca:
        p.error("tls.validity_hours", OUTLIVES_CA.format(validity=s.tls.validity_hours, ca=s.tls.ca_validity_hours))


@rule("license")
def trial_needs_care(s: StackSettings, p: Problems) -> None:
    if s.license == "trial":
        p.warn("license", TRIAL)


@rule("license", "alerting.watcher")
def watcher_needs_its_license(s: StackSettings, p: Problems) -> None:
    if s.alerting.watcher and s.license == "basic":
        p.error("alerting.watcher", WATCHER_LICENSE)


@rule("license", "alerting.email.to")
def email_needs_its_license(s: StackSettings, p: Problems) -> None:
    if s.alerting.email is not None and s.license == "basic":
        p.error("alerting.email.to", EMAIL_LICENSE)


@rule("alerting.watcher", "alerting.email.port")
def watcher_email_uses_starttls(s: StackSettings, p: Problems) -> None:
    """The watch mails through Elasticsearch's own account (components/render/watcher_email.py)."""
    if s.alerting.watcher and s.alerting.email is not None and s.alerting.email.port == SMTPS_PORT:
        p.error("alerting.email.port", WATCHER_EMAIL_SMTPS)
