"""Program resources a real integ-test node cannot check, and what checks them instead.

Printed by the tests as "not covered by a real server", never silently skipped. Every
elasticstack resource type the program declares must be either translated
(``provider_requests.TRANSLATIONS``) or listed here; a new type fails the tests until it is one or
the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class NotCovered:
    why: str
    covered_by: str


NOT_COVERED: Final[dict[str, NotCovered]] = {
    "elasticstack:index/indexLifecycle:IndexLifecycle": NotCovered(
        "ILM (x-pack/plugin/ilm) is absent: `PUT /_ilm/policy/..` has no handler; `index.lifecycle.name` is an unknown setting",
        "tests/render/test_index_bodies.py (policy bodies against tests/contracts/index_api_contract.json 'ilm'), "
        "tests/test_index_management_component.py (inputs equal the rendered policy, provider options)",
    ),
    "elasticstack:index/snapshotLifecycle:SnapshotLifecycle": NotCovered(
        "SLM (x-pack/plugin/slm) is absent: `PUT /_slm/policy/..` has no handler",
        "tests/render/test_index_bodies.py (SLM body, Elasticsearch cron, contract 'snapshots'), "
        "tests/test_index_management_component.py; the snapshot it takes is made here by hand into the same repository",
    ),
    "elasticstack:index/securityRole:SecurityRole": NotCovered(
        "native roles live in the .security index, which cannot be created without modules/analysis-common "
        "(`Unknown filter type [pattern_capture]`)",
        "tests/test_program_foundation.py, tests/test_ingest_fit.py (writer privileges per data stream), assets/roles/*.json",
    ),
    "elasticstack:index/securityUser:SecurityUser": NotCovered(
        "native users live in the .security index (needs modules/analysis-common)",
        "tests/test_program_foundation.py, tests/test_program_inventory.py; bootstrap.password -> elastic is proven here",
    ),
    "elasticstack:index/securitySystemUser:SecuritySystemUser": NotCovered(
        "changing a reserved user's password writes the .security index (needs modules/analysis-common)",
        "tests/test_program_foundation.py, tests/test_program_inventory.py",
    ),
}

#: Things of the stack no real server here can check at all (no Kibana/Logstash is served here).
ALSO_NOT_COVERED: Final = (
    ("Kibana, Logstash, Beats", "not served by Maven Central; covered by the render, contract and whole-program tests"),
    ("ingest pipelines", "modules/ingest-common is absent; the project has none (Logstash does the processing)"),
    ("mapping types scaled_float, match_only_text, wildcard",
     "absent mappers; substituted by double/text/keyword here (printed); the real types are checked by "
     "tests/render/test_index_bodies.py against tests/contracts/index_api_contract.json 'mapping'"),
)
