"""Issue 13: the CrossGuard pack (``policy/``) judged by the REAL CLI in a real ``pulumi preview``.

The Automation API runs ``preview(policy_packs=[policy/serve])`` on the project's Elasticsearch
tier (``es_tier_program``: the real ElkStack with PKI, credentials, Docker hosts, host preflight
and the cluster; the elasticstack half omitted, engine/README.md), fed from the committed stack
files with every Docker host pointed at a test daemon (hosts, addresses and placement kept).
``policy/serve`` is the pack as an executable: the CLI 3.274 launches a policy-pack path that is
a file directly (``pkg/resource/plugin/analyzer_plugin.go`` ``NewPolicyAnalyzer``), while a folder
(``--policy-pack policy``) needs the Python language host, which is not built here (the CLI then
stops with "no language plugin 'pulumi-language-python' found in the workspace or on your
$PATH"). Both load the same ``policy/__main__.py`` with pulumi-policy: what runs is the users' pack.

Proves, through the engine's own policy events and exit status: the CLI loads the pack (its name
and version in the summary), tells it the stack (mandatory in prod, advisory in dev, from the
ConfigureStack call the CLI makes), reads the pack config file (a rule disabled), judges the
resources the engine planned (wire properties, ``protect``), and a mandatory violation fails the
preview with the guardrail's name and the resource it names. Cannot prove: the rules on the
omitted half (snapshots, ILM, Kibana, Logstash, license: the rendered preview and
tests/policy cover those), nor the Python language host's own launch of ``policy/``.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pulumi.automation import EngineEvent, PolicyEvent
from pulumi.automation import errors as auto_errors

from engine.harness.dockerd import Dockerd
from engine.harness.programs import es_tier_program
from engine.harness.settings_of import load_for
from engine.harness.stacks import ROOT, new_stack, remove
from engine.harness.toolchain import Toolchain

PACK = ROOT / "policy" / "serve"
PACK_NAME = "elk-stack-guardrails"
PACK_VERSION = "0.1.0"  # policy/PulumiPolicy.yaml
VOLUME = "docker:index/volume:Volume"
#: The rule the tier cannot satisfy: the snapshot repository and SLM policy are declared by
#: IndexManagement, which needs the elasticstack provider (omitted here).
OMITTED_HALF_RULE = "snapshots-configured"


@dataclass
class PolicyPreview:
    """One real preview with the pack: what the engine reported."""

    error: str
    """Empty when the preview succeeded, else the CommandError's text."""
    violations: list[PolicyEvent] = field(default_factory=list)
    packs: dict[str, str] = field(default_factory=dict)
    """The summary's policy packs (name -> version): proof the pack was loaded at all."""
    planned: dict[str, str] = field(default_factory=dict)
    """URN -> type of every step the engine planned."""
    volumes: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Resource name -> planned inputs of every Docker volume."""

    def __call__(self, event: EngineEvent) -> None:
        if event.policy_event is not None:
            self.violations.append(event.policy_event)
        if event.summary_event is not None:
            self.packs = dict(event.summary_event.policy_packs)
        if event.resource_pre_event is not None:
            meta = event.resource_pre_event.metadata
            self.planned[meta.urn] = meta.type
            if meta.type == VOLUME and meta.new is not None:
                self.volumes[meta.urn.rsplit("::", 1)[-1]] = dict(meta.new.inputs or {})

    def found(self) -> set[tuple[str, str, str]]:
        """(policy, enforcement level, resource name) of every violation reported; the engine
        files a violation that names no resource under the stack (``elk-stack-<stack>``)."""
        return {(v.policy_name, v.enforcement_level, (v.resource_urn or "").rsplit("::", 1)[-1]) for v in self.violations}

    def data_volumes(self, stack: str) -> set[str]:
        """Resource names of the planned volumes holding each node's data or the snapshots (one
        backup volume per Docker host), found by the Docker names the settings give them; the
        per-service secret-file volumes are not among them (the next ``up`` installs them again)."""
        settings = load_for(stack)[0]
        names = {f"{settings.cluster_name}-{n.name}-data" for n in settings.elasticsearch.nodes} | {f"{settings.cluster_name}-backup"}
        found = {resource for resource, inputs in self.volumes.items() if inputs.get("name") in names}
        assert len(found) > len(settings.elasticsearch.nodes), (sorted(self.volumes), names)
        return found


def on_test_daemon(stack: str, url: str) -> dict[str, Any]:
    """Every Docker host of the stack file, each pointed at the test daemon: names and addresses
    stay, so the nodes stay placed as committed (prod spans three hosts)."""
    hosts = load_for(stack)[0].docker_hosts
    return {"docker_hosts": [{"name": h.name, "url": url, **({"address": h.address} if h.address else {})} for h in hosts]}


def _preview(engine: Toolchain, base: Path, daemon: Dockerd, stack: str, *, overrides: dict[str, Any] | None = None,
             disabled: tuple[str, ...] = (), **preview_args: Any) -> PolicyPreview:
    """A fresh stack of the tier, previewed with ``policy/serve``; ``disabled`` rules are turned off
    by a pack config file (``--policy-pack-config``), as a user would for a rule that does not apply."""
    load_for(stack, overrides)  # a changed stack file must still pass the settings rules
    handle = new_stack(engine, stack, es_tier_program(), base,
                       overrides={**on_test_daemon(stack, daemon.host), **(overrides or {})}, label="policy")
    # The pack runs under this interpreter: it has policy/requirements.txt's pulumi-policy and protobuf.
    handle.stack.workspace.env_vars["PULUMI_POLICY_PYTHON"] = sys.executable
    configs = []
    if disabled:
        config = handle.work_dir / "policy-config.json"
        config.write_text(json.dumps(dict.fromkeys(disabled, "disabled")))
        configs.append(str(config))
    result = PolicyPreview(error="")
    try:
        handle.stack.preview(policy_packs=[str(PACK)], policy_pack_configs=configs or None,
                             on_event=result, on_output=lambda _line: None, **preview_args)
    except auto_errors.CommandError as err:
        result.error = str(err)
    finally:
        remove(handle)
    return result


def _loaded(run: PolicyPreview) -> None:
    # The summary names a local pack "<name>|local|<abbreviated path>" (engine LocalPolicyPack.NameForEvents).
    assert {key.split("|")[0]: version for key, version in run.packs.items()} == {PACK_NAME: PACK_VERSION}, run.packs
    assert all(key.split("|")[1:2] == ["local"] for key in run.packs), run.packs
    assert run.planned, "the preview planned nothing"


def test_dev_passes_with_advisories_only(engine: Toolchain, engine_base: Path, dockerd: Dockerd) -> None:
    """dev runs one node on unprotected volumes on purpose: the pack says so and does not block."""
    run = _preview(engine, engine_base, dockerd, "dev")
    assert run.error == "", run.error[-3000:]
    _loaded(run)
    assert {level for _p, level, _r in run.found()} == {"advisory"}
    unprotected = {(p, r) for p, _l, r in run.found() if p == "data-volumes-protected"}
    assert unprotected == {("data-volumes-protected", v) for v in run.data_volumes("dev")}
    assert unprotected, "dev's volumes are unprotected: the advisory is expected"


def test_prod_tier_is_blocked_only_by_the_omitted_snapshot_objects(engine: Toolchain, engine_base: Path, dockerd: Dockerd) -> None:
    """Every rule mandatory in prod; the tier lacks only what IndexManagement would declare."""
    run = _preview(engine, engine_base, dockerd, "prod")
    _loaded(run)
    assert run.found() == {(OMITTED_HALF_RULE, "mandatory", "elk-stack-prod")}
    messages = [v.message for v in run.violations]
    assert len(messages) == 2, messages
    for expected in ("no snapshot repository", "no snapshot lifecycle (SLM) policy"):
        assert sum(expected in m for m in messages) == 1, messages
    assert run.error, "a mandatory violation must fail the preview"
    assert OMITTED_HALF_RULE in run.error and "mandatory" in run.error


def test_compliant_prod_tier_passes(engine: Toolchain, engine_base: Path, dockerd: Dockerd) -> None:
    """Every other rule, mandatory, passes on prod's committed stack file."""
    run = _preview(engine, engine_base, dockerd, "prod", disabled=(OMITTED_HALF_RULE,))
    assert run.error == "", run.error[-3000:]
    _loaded(run)
    assert run.violations == [], [(v.policy_name, v.message) for v in run.violations]


def test_unprotected_prod_data_volume_fails_the_preview(engine: Toolchain, engine_base: Path, dockerd: Dockerd) -> None:
    """dev's ``volume_policy: delete`` promoted into prod by mistake: every data and backup volume
    is reported by ``data-volumes-protected`` and the preview fails (mandatory)."""
    run = _preview(engine, engine_base, dockerd, "prod", overrides={"volume_policy": "delete"}, disabled=(OMITTED_HALF_RULE,))
    _loaded(run)
    volumes = run.data_volumes("prod")
    assert run.found() == {("data-volumes-protected", "mandatory", v) for v in volumes}
    assert all("volume not protected" in v.message for v in run.violations), [v.message for v in run.violations]
    assert run.error, "a mandatory violation must fail the preview"
    assert "data-volumes-protected" in run.error and "mandatory" in run.error


def test_the_launcher_takes_the_flags_the_cli_puts_before_the_engine_address(engine: Toolchain, engine_base: Path,
                                                                             dockerd: Dockerd) -> None:
    """``pulumi preview --logflow -v=1 --logtostderr`` hands the pack ``--logtostderr -v=1 <engine>``:
    ``policy/serve`` must still serve (a launcher that took ``$1`` as the engine address did not)."""
    run = _preview(engine, engine_base, dockerd, "dev", log_flow=True, log_verbosity=1, log_to_std_err=True)
    assert "failed to start" not in run.error, run.error[-3000:]
    assert run.error == "", run.error[-3000:]
    _loaded(run)
    assert ("data-volumes-protected", "advisory", "elk-es-es01-data") in run.found()
