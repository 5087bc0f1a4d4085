"""One rendered preview: run the program under mocks, write the tree, files and policy report."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from components.preview.files import rendered_files
from components.preview.mock_run import run_program
from components.preview.redact import Redactor
from components.preview.resources import as_resources
from components.preview.tree import render_tree
from policy.guardrails.registry import Report, evaluate


@dataclass
class Rendered:
    tree: str
    files: dict[str, str]
    """Relative output path -> redacted text (tree.txt and policy.txt included)."""
    report: Report


def render(stack: str, stack_file: Path | None = None) -> Rendered:
    """Raises what the program raises (a settings error names the key and the stack file)."""
    run = run_program(stack, stack_file=stack_file)
    resources = as_resources(run)
    redactor = Redactor(run.secret_values)
    tree = render_tree(resources, redactor)
    report = evaluate(resources, stack)
    files = {"tree.txt": tree, "policy.txt": "\n".join(report.lines()) + "\n", **rendered_files(resources, redactor)}
    return Rendered(tree=tree, files=files, report=report)


def write(rendered: Rendered, out: Path) -> None:
    """Replace ``out`` with exactly these files (stale files of an earlier run would diff as noise)."""
    if out.exists():
        shutil.rmtree(out)
    for path, text in rendered.files.items():
        target = out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
