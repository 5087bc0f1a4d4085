"""Resource inventories to compare: the mock run of ``__main__.py`` and a real engine preview.

The mock run happens in a child process (``python -m engine.harness.inventory STACK``) so Pulumi's
mock runtime never shares globals with the Automation API programs of the test process.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass

from pulumi.automation import EngineEvent

from engine.harness.stacks import ROOT


@dataclass(frozen=True, order=True)
class Item:
    type: str
    name: str


def _subtree(resources: list[dict[str, str]], root_types: Iterable[str]) -> set[Item]:
    """The resources of the given component types and everything under them."""
    by_urn = {r["urn"]: r for r in resources}
    roots = {r["urn"] for r in resources if r["type"] in set(root_types)}

    def inside(urn: str) -> bool:
        while urn:
            if urn in roots:
                return True
            urn = by_urn.get(urn, {}).get("parent", "")
        return False

    return {Item(r["type"], r["name"]) for r in resources if inside(r["urn"])}


def mock_inventory(stack: str, root_types: Iterable[str], overrides_json: str = "{}") -> set[Item]:
    """What the whole program declares under those components, under Pulumi's mocks (preview)."""
    done = subprocess.run([sys.executable, "-m", "engine.harness.inventory", stack, overrides_json],
                          cwd=ROOT, capture_output=True, text=True, check=True)
    return _subtree(json.loads(done.stdout), root_types)


class PreviewRecorder:
    """``on_event`` callback: every step the real engine plans (op per URN)."""

    def __init__(self) -> None:
        self.steps: list[tuple[str, str, str]] = []
        self.parents: dict[str, str] = {}
        self.inputs: dict[str, dict] = {}
        """Planned inputs per URN (unknowns as the engine's sentinel string)."""

    def __call__(self, event: EngineEvent) -> None:
        pre = event.resource_pre_event
        if pre is not None:
            meta = pre.metadata
            self.steps.append((meta.op.value, meta.type, meta.urn))
            state = meta.new or meta.old
            if state is not None:
                self.parents[meta.urn] = state.parent or ""
            if meta.new is not None:
                self.inputs[meta.urn] = dict(meta.new.inputs or {})

    def inventory(self, root_types: Iterable[str]) -> set[Item]:
        """Planned resources under those components (default providers and the stack excluded)."""
        resources = [{"urn": urn, "type": type_, "name": urn.rsplit("::", 1)[-1], "parent": self.parents.get(urn, "")}
                     for _op, type_, urn in self.steps]
        return _subtree(resources, root_types)

    def changes(self) -> list[tuple[str, str, str]]:
        return [s for s in self.steps if s[0] != "same"]


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT))
    from tests.program import run_program  # the fast suite's mock runner: one source of truth

    overrides = json.loads(argv[1]) if len(argv) > 1 else {}
    run = run_program(argv[0], preview=True, overrides=overrides or None)
    print(json.dumps([{"urn": r.urn, "type": r.type, "name": r.name, "parent": r.parent} for r in run.resources]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
