"""Send the program's elasticstack requests to a real node, in the provider's order.

The only change besides ``substitutions`` is the fs repository's ``location``: it is the rendered
``path.repo`` (the backup volume's mount point) and becomes the node's repo folder, the same path
rewrite ``node_files`` applies to ``path.repo``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path

from engine.realserver.client import EsClient, Response
from engine.realserver.launcher import NodeSpec
from engine.realserver.not_covered import NOT_COVERED
from engine.realserver.program_inputs import ProgramInputs
from engine.realserver.provider_requests import APPLY_ORDER, TRANSLATIONS, ProviderRequest
from engine.realserver.substitutions import Substitution, for_real_server
from tests.program import Registration


@dataclass(frozen=True)
class Applied:
    request: ProviderRequest
    """As the provider builds it."""
    sent: ProviderRequest
    """After the listed substitutions and the repository path rewrite."""
    substitutions: tuple[Substitution, ...]
    response: Response
    seconds: float


def untranslated_types(inputs: ProgramInputs) -> list[str]:
    """elasticstack types the program declares that are neither translated nor listed as not covered."""
    return sorted({r.type for r in inputs.elasticstack_resources()} - set(TRANSLATIONS) - set(NOT_COVERED))


def provider_requests(inputs: ProgramInputs) -> list[ProviderRequest]:
    chosen: list[Registration] = sorted(
        (r for r in inputs.elasticstack_resources() if r.type in TRANSLATIONS),
        key=lambda r: (APPLY_ORDER.index(r.type), r.name),
    )
    return [TRANSLATIONS[r.type](r) for r in chosen]


def _rendered_repo_path(spec: NodeSpec) -> str:
    import yaml

    paths = yaml.safe_load(spec.elasticsearch_yml)["path.repo"]
    return str(paths[0])


def _with_repo_dir(req: ProviderRequest, rendered_repo: str, repo_dir: Path) -> ProviderRequest:
    if req.body.get("type") != "fs":
        return req
    location = req.body["settings"]["location"]
    if location != rendered_repo:
        raise ValueError(f"{req.resource}: location {location!r} is not the rendered path.repo {rendered_repo!r}")
    settings = {**req.body["settings"], "location": str(repo_dir)}
    return replace(req, body={**req.body, "settings": settings})


def apply_all(client: EsClient, inputs: ProgramInputs, spec: NodeSpec, repo_dir: Path) -> list[Applied]:
    rendered_repo = _rendered_repo_path(spec)
    out = []
    for req in provider_requests(inputs):
        sent, subs = for_real_server(req)
        sent = _with_repo_dir(sent, rendered_repo, repo_dir)
        start = time.monotonic()
        answer = client.request(sent.method, sent.path, sent.body)
        out.append(Applied(req, sent, tuple(subs), answer, time.monotonic() - start))
    return out
