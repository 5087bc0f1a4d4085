"""Every guardrail with its name and description, and how one run of them is judged.

Mandatory everywhere except the stacks in ``DEV_STACKS``, where the same rules only advise:
a dev stack may run one node without protected volumes, and the pack says so without blocking.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from . import rules_cluster as cluster
from . import rules_containers as services
from .model import Findings, Resource, Violation

Check = Callable[[Sequence[Resource], str], Findings]


@dataclass(frozen=True)
class Rule:
    name: str
    description: str
    check: Check


def _rule(name: str, check: Check) -> Rule:
    doc = (check.__doc__ or name).strip()
    return Rule(name=name, description=" ".join(doc.split()), check=check)


RULES: tuple[Rule, ...] = (
    _rule("pinned-image-versions", services.pinned_image_versions),
    _rule("security-enabled", services.security_enabled),
    _rule("tls-on-every-listener", services.tls_on_every_listener),
    _rule("memory-limit-on-every-container", services.memory_limit_on_every_container),
    _rule("heap-at-most-half-memory", services.heap_at_most_half_memory),
    _rule("ports-on-loopback-in-dev", services.ports_on_loopback_in_dev),
    _rule("no-secret-in-plain-input", services.no_secret_in_plain_input),
    _rule("healthcheck-on-every-service", services.healthcheck_on_every_service),
    _rule("data-volumes-protected", cluster.data_volumes_protected),
    _rule("odd-masters-at-least-three", cluster.odd_masters_at_least_three),
    _rule("snapshots-configured", cluster.snapshots_configured),
    _rule("ilm-on-every-template", cluster.ilm_on_every_template),
    _rule("kibana-encryption-keys-set", cluster.kibana_encryption_keys_set),
    _rule("logstash-persistent-queue", cluster.logstash_persistent_queue),
    _rule("license-fits", cluster.license_fits),
)


def enforcement(stack: str) -> str:
    """``advisory`` for dev stacks, ``mandatory`` for every other (unknown stacks are held to prod)."""
    return "advisory" if stack in services.DEV_STACKS else "mandatory"


@dataclass
class Report:
    stack: str
    level: str
    violations: list[Violation] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    @property
    def blocking(self) -> bool:
        return self.level == "mandatory" and bool(self.violations)

    def lines(self) -> list[str]:
        counts = f"{len(self.violations)} violation(s), {len(self.skipped)} skipped"
        out = [f"policy: {len(RULES)} rules, stack {self.stack}: {self.level}; {counts}"]
        out += [f"  [{self.level}] {v.rule}: {v.message}" + (f"  ({v.urn})" if v.urn else "") for v in self.violations]
        out += [f"  [skipped] {s}" for s in self.skipped]
        return out


def evaluate(resources: Sequence[Resource], stack: str, rules: Sequence[Rule] = RULES) -> Report:
    report = Report(stack=stack, level=enforcement(stack))
    for rule in rules:
        findings = rule.check(resources, stack)
        # Sorted within a rule: resources register in an order async resolution may vary, and
        # two reports of the same stack must diff cleanly.
        report.violations += sorted(findings.violations, key=lambda v: (v.urn, v.message))
        report.skipped += sorted(f"{rule.name}: {s}" for s in findings.skipped)
    return report
