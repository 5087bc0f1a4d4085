"""The CrossGuard pack: each guardrail of ``guardrails/registry.py`` as a stack validation.

Run by the Pulumi CLI (``pulumi preview --policy-pack policy``) with this folder as the program
directory, so ``guardrails`` imports as a top-level package here. The enforcement level follows
the stack the CLI names in ``PULUMI_STACK``: advisory for dev, mandatory for every other stack.
Values unknown at preview are skipped by the rules themselves, never reported as violations.
"""

from __future__ import annotations

import os
from typing import Any

from guardrails.from_policy import as_resource
from guardrails.registry import RULES, Rule, enforcement
from pulumi_policy import EnforcementLevel, PolicyPack, StackValidationPolicy

LEVELS = {"advisory": EnforcementLevel.ADVISORY, "mandatory": EnforcementLevel.MANDATORY}


def validation(rule: Rule, stack: str) -> Any:
    def validate(args: Any, report_violation: Any) -> None:
        resources = [as_resource(r) for r in args.resources]
        for violation in rule.check(resources, stack).violations:
            report_violation(violation.message, violation.urn or None)

    return validate


def build(stack: str) -> PolicyPack:
    level = LEVELS[enforcement(stack)]
    return PolicyPack(
        name="elk-stack-guardrails",
        enforcement_level=level,
        policies=[StackValidationPolicy(name=r.name, description=r.description, validate=validation(r, stack)) for r in RULES],
    )


build(os.environ.get("PULUMI_STACK", ""))
