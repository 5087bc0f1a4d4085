"""Rules across settings, one cohesive module each; ``check_all`` runs every one whose inputs read.

Problems are reported module by module in the order of ``MODULES`` (the nodes, then where things
are placed, then the services, storage and security), each module's rules in the order written.
Each rule registers itself (``registry.rule``): a rule that is written is a rule that runs.
"""

from __future__ import annotations

from components.settings.model import StackSettings
from components.settings.problems import Problems
from components.settings.rules import nodes, security, services, shippers, storage, topology
from components.settings.rules.registry import RULE_INPUTS, RULES, Rule, rule

__all__ = ["MODULES", "RULES", "RULE_INPUTS", "Rule", "check_all", "ordered_rules", "rule"]

#: The modules that define rules, in the order their problems are reported.
MODULES = (nodes, topology, services, shippers, storage, security)


def ordered_rules() -> list[Rule]:
    """Every registered rule, module by module in ``MODULES`` order."""
    return [fn for module in MODULES for fn in RULES if fn.__module__ == module.__name__]


def check_all(s: StackSettings, p: Problems) -> None:
    """Run every rule whose inputs read cleanly, so one run reports every independent mistake.

    Decided before any rule runs: a rule's own finding does not make another rule's input broken."""
    runnable = [fn for fn in ordered_rules() if not p.broken(RULE_INPUTS[fn.__name__])]
    for fn in runnable:
        fn(s, p)
