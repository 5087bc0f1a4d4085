"""Real Elasticsearch (Maven Central's integ-test 8.19 build): start -> green for 1 and 3 nodes, and
the time to apply every API body the program declares, measured in one run.

Usage::

    .venv-test/bin/python benchmarks/realserver_start.py [--rounds 1] [--json out.json]

Each round starts the dev stack (1 node) from the program's own rendered files, applies every
translated elasticstack request (engine/realserver/provider_requests.py) and stops it; then the same
for the prod stack (3 nodes bootstrapped together). "start -> green" runs from the first node's
process start to ``_cluster/health`` green with every node joined; keystores are made before and
are not counted. Certificates are generated locally with openssl (the benchmark needs no Pulumi
engine); the Maven fetch is cached and reported separately (cold only on the first run of a machine).
Prints each figure, the ratio of 3-node to 1-node start, and the machine's load (2 shared cores:
figures vary with what else runs).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from engine.realserver.api_apply import apply_all  # noqa: E402
from engine.realserver.fetch import fetch  # noqa: E402
from engine.realserver.java import find_java, missing_prerequisites  # noqa: E402
from engine.realserver.launcher import PRETOUCH, NodeSpec, RunFolder, start_cluster  # noqa: E402
from engine.realserver.pki_openssl import make_pki  # noqa: E402
from engine.realserver.program_inputs import ProgramInputs, program_inputs  # noqa: E402


def _specs(inputs: ProgramInputs) -> list[NodeSpec]:
    organization = inputs.nodes[0].elasticsearch_yml.split("cluster.name:", 1)[1].split()[0]
    pki = make_pki(organization, inputs.nodes)
    return [NodeSpec(n.node_name, n.elasticsearch_yml, n.jvm_options, n.password, pki.ca_cert_pem,
                     pki.nodes[n.node_name].cert_pem, pki.nodes[n.node_name].key_pem, n.node_name) for n in inputs.nodes]


def measure(folder: RunFolder, inputs: ProgramInputs, round_no: int) -> dict[str, float]:
    specs = _specs(inputs)
    cluster = start_cluster(folder, specs, name=f"{inputs.stack}-{round_no}", say=lambda _line: None)
    try:
        applied = apply_all(cluster.nodes[0].client(), inputs, specs[0], cluster.repo_dir)
        bad = [a.sent.path for a in applied if not 200 <= a.response.status < 300]
        if bad:
            raise SystemExit(f"{inputs.stack}: refused by the real node: {bad}")
        return {"start_to_green_s": cluster.seconds_to_green, "apply_all_bodies_s": sum(a.seconds for a in applied),
                "bodies": float(len(applied))}
    finally:
        cluster.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    missing = missing_prerequisites()
    if missing:
        print("SKIPPED: " + "; ".join(missing), file=sys.stderr)
        return 3
    dist = fetch(say=lambda line: print(line, file=sys.stderr))
    java = find_java()
    assert java is not None
    folder = RunFolder(dist.home, java)
    stacks = {"dev": program_inputs("dev"), "prod": program_inputs("prod")}
    rows: dict[str, list[dict[str, float]]] = {s: [] for s in stacks}
    load_before = os.getloadavg()[0]
    try:
        for r in range(args.rounds):
            for stack, inputs in stacks.items():
                rows[stack].append(measure(folder, inputs, r))
                print(f"round {r + 1} {stack}: {rows[stack][-1]}", file=sys.stderr)
    finally:
        folder.remove()
    med = {s: {k: statistics.median(row[k] for row in rs) for k in rs[0]} for s, rs in rows.items()}
    result = {
        "elasticsearch": dist.version, "java": java.major, "rounds": args.rounds, "heap_pretouch": PRETOUCH,
        "fetch": {"cold": dist.cold, "seconds": round(dist.times.total, 1)},
        "one_node": {k: round(v, 2) for k, v in med["dev"].items()},
        "three_nodes": {k: round(v, 2) for k, v in med["prod"].items()},
        "ratio_3_to_1_start": round(med["prod"]["start_to_green_s"] / med["dev"]["start_to_green_s"], 2),
        "load_1m": [round(load_before, 1), round(os.getloadavg()[0], 1)],
    }
    print(f"Elasticsearch {dist.version} (integ-test build), Java {java.major}, {args.rounds} round(s), median, "
          f"heap pre-touch {'on' if PRETOUCH else 'off (ELK_REALSERVER_PRETOUCH=1 for the JVM default)'}")
    print(f"  fetch ({'cold' if dist.cold else 'warm'}):            {dist.times.total:7.1f} s")
    print(f"  1 node  start -> green:    {med['dev']['start_to_green_s']:7.1f} s   apply {int(med['dev']['bodies'])} bodies: "
          f"{med['dev']['apply_all_bodies_s']:.2f} s")
    print(f"  3 nodes start -> green:    {med['prod']['start_to_green_s']:7.1f} s   apply {int(med['prod']['bodies'])} bodies: "
          f"{med['prod']['apply_all_bodies_s']:.2f} s")
    print(f"  ratio 3-node / 1-node start: {result['ratio_3_to_1_start']:.2f}   (load 1m before/after: {result['load_1m']})")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
