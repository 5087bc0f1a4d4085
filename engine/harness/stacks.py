"""Automation API stacks for inline programs, fed from a copy of the real stack file.

Each stack gets its own project folder holding copies of the repository's ``Pulumi.yaml`` and
``Pulumi.<stack>.yaml`` (the engine reads config from there and writes ``encryptionsalt`` into
the copy, never into the repository), its own file backend and passphrase, and the toolchain's
``PULUMI_HOME``. The folder is passed as ``LocalWorkspaceOptions(work_dir=...)``: for inline
programs that is what makes the CLI read the stack file at all.

``overrides`` change the copy only where the test must (the Docker host of the test daemon, the
one heap of the diff test): everything else is the stack file as committed.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pulumi import automation as auto

from engine.harness.toolchain import Toolchain

ROOT = Path(__file__).resolve().parents[2]
PROJECT = "elk-stack"


def stack_file_config(stack: str, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The committed ``config:`` block of ``Pulumi.<stack>.yaml`` with ``overrides`` applied
    (keys without a namespace are the project's; a value of ``None`` removes the key)."""
    config = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]
    for key, value in (overrides or {}).items():
        full = key if ":" in key else f"{PROJECT}:{key}"
        if value is None:
            config.pop(full, None)
        else:
            config[full] = value
    return config


def declared_host_names(stack: str) -> list[str]:
    """The Docker hosts ``Pulumi.<stack>.yaml`` declares, in order (the default ``local`` when none)."""
    declared = stack_file_config(stack).get(f"{PROJECT}:docker_hosts") or [{"name": "local"}]
    return [str(h["name"]) for h in declared]


def docker_host_override(url: str | Mapping[str, str], stack: str | None = None) -> dict[str, Any]:
    """Point the stack at test daemons (the settings key ``docker_hosts``). With ``stack``, every
    Docker host its stack file declares keeps its name and address and gets a test daemon's URL
    (``url``: one for all, or one per host name), so the nodes stay placed as committed (prod spans
    three hosts); without, or where the file declares none, the one default host ``local``."""
    declared = stack_file_config(stack).get(f"{PROJECT}:docker_hosts") if stack else None
    hosts = declared or [{"name": "local"}]
    urls = url if isinstance(url, Mapping) else {h["name"]: url for h in hosts}
    return {"docker_hosts": [{"name": h["name"], "url": urls[h["name"]], **({"address": h["address"]} if h.get("address") else {})}
                             for h in hosts]}


@dataclass
class EngineStack:
    """One real stack: the Automation API handle plus what the tests inspect."""

    stack: auto.Stack
    work_dir: Path
    state_dir: Path
    env: dict[str, str] = field(repr=False)
    """Holds the stack's PULUMI_CONFIG_PASSPHRASE: not in the repr."""
    toolchain: Toolchain

    @property
    def name(self) -> str:
        return self.stack.name

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """The real CLI on this stack (for what the Automation API does not wrap)."""
        done = subprocess.run([str(self.toolchain.pulumi), *args, "--stack", self.name, "--non-interactive"],
                              cwd=self.work_dir, env={**os.environ, **self.env}, capture_output=True, text=True)
        if check and done.returncode != 0:
            raise RuntimeError(f"pulumi {' '.join(args)} failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        return done

    def state_text(self) -> str:
        """Every byte the backend keeps for this stack (checkpoint + history + backups)."""
        parts = []
        for path in sorted(self.state_dir.rglob("*")):
            if path.is_file():
                parts.append(path.read_bytes().decode("utf-8", errors="replace"))
        return "\n".join(parts)

    def outputs_shown(self) -> dict[str, Any]:
        """``pulumi stack output --show-secrets --json``."""
        return json.loads(self.cli("stack", "output", "--show-secrets", "--json").stdout)

    def outputs_hidden(self) -> dict[str, Any]:
        """``pulumi stack output --json`` (secrets masked)."""
        return json.loads(self.cli("stack", "output", "--json").stdout)

    def resources(self) -> list[dict[str, Any]]:
        """The resources in the stack's state (``pulumi stack export``)."""
        exported = self.stack.export_stack().deployment
        return list(exported.get("resources", []))


def new_stack(
    toolchain: Toolchain,
    stack: str,
    program: Callable[[], None],
    base: Path,
    *,
    overrides: Mapping[str, Any] | None = None,
    label: str = "",
) -> EngineStack:
    """A fresh stack named ``stack`` (``dev``/``prod``) in its own folder and backend under ``base``."""
    folder = base / f"{label or 'stack'}-{stack}-{secrets.token_hex(3)}"
    work_dir, state_dir = folder / "project", folder / "state"
    work_dir.mkdir(parents=True)
    state_dir.mkdir(parents=True)
    project = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())
    project["backend"] = {"url": state_dir.as_uri()}
    (work_dir / "Pulumi.yaml").write_text(yaml.safe_dump(project, sort_keys=False))
    (work_dir / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump({"config": stack_file_config(stack, overrides)}, sort_keys=False))
    env = {
        **toolchain.env(),
        "PULUMI_BACKEND_URL": state_dir.as_uri(),
        "PULUMI_CONFIG_PASSPHRASE": secrets.token_urlsafe(24),
    }
    workspace = auto.LocalWorkspaceOptions(
        work_dir=str(work_dir),
        pulumi_home=str(toolchain.pulumi_home),
        pulumi_command=auto.PulumiCommand(root=str(toolchain.root)),
        env_vars=env,
        secrets_provider="passphrase",
    )
    handle = auto.create_stack(stack, PROJECT, program, opts=workspace)
    return EngineStack(stack=handle, work_dir=work_dir, state_dir=state_dir, env=env, toolchain=toolchain)


def remove(engine_stack: EngineStack) -> None:
    """Delete the stack's folder (after ``destroy``); the backend goes with it."""
    shutil.rmtree(engine_stack.work_dir.parent, ignore_errors=True)
