"""The pack as a whole: at least 12 rules, the levels per stack, and the real stacks judged."""

from __future__ import annotations

from policy.guardrails.model import Violation
from policy.guardrails.registry import RULES, Report, enforcement, evaluate
from tests.policy.stacks import stack


def test_at_least_twelve_named_rules_with_descriptions() -> None:
    assert len(RULES) >= 12
    assert len({r.name for r in RULES}) == len(RULES)
    assert all(r.description and r.description != r.name for r in RULES)


def test_mandatory_everywhere_but_dev() -> None:
    assert enforcement("dev") == "advisory"
    assert enforcement("prod") == "mandatory"
    assert enforcement("staging") == "mandatory"


def test_only_mandatory_violations_block() -> None:
    violation = Violation("x", "y")
    assert Report("prod", "mandatory", [violation]).blocking
    assert not Report("dev", "advisory", [violation]).blocking
    assert not Report("prod", "mandatory", []).blocking


def test_dev_gets_advice_for_what_dev_skips_on_purpose() -> None:
    report = evaluate(stack("dev"), "dev")
    assert not report.blocking
    rules = sorted({v.rule for v in report.violations})
    assert rules == ["data-volumes-protected", "odd-masters-at-least-three"]


def test_a_preview_of_either_stack_is_never_failed_by_unknown_values() -> None:
    for name in ("dev", "prod"):
        resolved = {(v.rule, v.urn) for v in evaluate(stack(name), name).violations}
        previewed = evaluate(stack(name, preview=True), name)
        assert {(v.rule, v.urn) for v in previewed.violations} <= resolved
        assert previewed.skipped, "a preview has unknown values (generated passwords) to skip"


def test_the_real_prod_stack_passes_every_guardrail() -> None:
    assert [f"{v.rule}: {v.message}" for v in evaluate(stack("prod"), "prod").violations] == []


def test_the_report_does_not_depend_on_registration_order() -> None:
    """Resources register in an order async resolution may vary (seen across two processes)."""
    resources = stack("dev")
    assert evaluate(list(reversed(resources)), "dev").lines() == evaluate(resources, "dev").lines()
