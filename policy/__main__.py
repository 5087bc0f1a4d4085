"""The CrossGuard pack: each guardrail of ``guardrails/registry.py`` as a stack validation.

Run by the Pulumi CLI (``pulumi preview --policy-pack policy``, or ``policy/serve``) with this
folder as the program directory, so ``guardrails`` imports as a top-level package here.

The enforcement level follows the stack: advisory for dev, mandatory for every other stack. The
CLI (3.274) names the stack in its ``ConfigureStack`` call, which pulumi-policy 1.21 keeps only
the tags of, and does not set ``PULUMI_STACK`` for a pack; so the levels are set from that call
(before the CLI asks for the pack's policies), starting from ``PULUMI_STACK`` or, without it,
mandatory. Values unknown at preview are skipped by the rules, never reported as violations.
Every policy is a stack validation: pulumi-policy's per-resource path is not used.
"""

from __future__ import annotations

import os
from typing import Any

from guardrails.from_policy import as_resource
from guardrails.registry import RULES, Rule, enforcement
from pulumi_policy import EnforcementLevel, PolicyPack, StackValidationPolicy
from pulumi_policy import policy as policy_impl

LEVELS = {"advisory": EnforcementLevel.ADVISORY, "mandatory": EnforcementLevel.MANDATORY}


class StackAware:
    """The policies, re-levelled and re-scoped once the CLI says which stack they judge."""

    def __init__(self, stack: str) -> None:
        self.stack = stack
        self.policies = [StackValidationPolicy(name=r.name, description=r.description, validate=self._validation(r)) for r in RULES]
        self.set_stack(stack)

    def _validation(self, rule: Rule) -> Any:
        def validate(args: Any, report_violation: Any) -> None:
            resources = [as_resource(r, wire_props=True) for r in args.resources]
            for violation in rule.check(resources, self.stack).violations:
                report_violation(violation.message, violation.urn or None)

        return validate

    def set_stack(self, stack: str) -> None:
        self.stack = stack
        level = LEVELS[enforcement(stack)] if stack else EnforcementLevel.MANDATORY
        for policy in self.policies:
            policy.enforcement_level = level


def hook_configure_stack(aware: StackAware) -> None:
    """Take the stack name from the CLI's ConfigureStack request, then let pulumi-policy handle it."""
    servicer = policy_impl._PolicyAnalyzerServicer
    original = servicer.ConfigureStack

    def configure_stack(self: Any, request: Any, context: Any) -> Any:
        aware.set_stack(request.stack)
        return original(self, request, context)

    servicer.ConfigureStack = configure_stack


def keep_wire_props() -> None:
    """Hand stack validations the properties as the engine sent them (it keeps secret wrappers
    for analyzers). pulumi-policy's own deserializing drops the wrappers, and with them the only
    way to tell a secret input from a plain one; the guardrails read the wire form themselves
    (``guardrails.model.from_wire``), exactly as the rendered preview does."""
    policy_impl.deserialize_properties = lambda props, *_args: props


def serve(stack: str) -> None:
    aware = StackAware(stack)
    hook_configure_stack(aware)
    keep_wire_props()
    PolicyPack(name="elk-stack-guardrails", policies=aware.policies)  # serves until the CLI stops it


serve(os.environ.get("PULUMI_STACK", ""))
