"""Real-engine preview of the Elasticsearch tier against the mock evaluation of the same components.

Usage (after ``scripts/engine-test.sh`` built the toolchain; it prints the two variables)::

    ELK_ENGINE_ROOT=... ELK_ENGINE_PULUMI_HOME=... .venv-engine/bin/python benchmarks/engine_preview.py \\
        [--nodes 3,10,30] [--runs 2] [--json out.json]

For each cluster size N (prod's stack file, nodes ``es01..esNN``: the first three master+data+
ingest and publishing 9200-9202, the rest data+ingest), in one run:

* ``mock``: ``__main__.py`` under Pulumi's mocks (tests/program.py, preview mode), in a child
  process — the whole program is evaluated there, the tier's resources are counted;
* ``real``: ``pulumi preview`` of the tier (the real ElkStack minus the elasticstack half,
  engine/harness/programs.py) on a fresh stack, real CLI and plugins rebuilt from upstream,
  against a dockerd this script starts and stops;

each the median of ``--runs`` wall times, then the ratios real/mock per size and the growth
N/3 of each. Figures are whole-operation wall seconds on a shared 2-core machine: quote ratios.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from components.docker_hosts import PRODUCTS, image_ref  # noqa: E402
from components.render.elasticsearch_yml import HTTP_PORT, READINESS_PORT, TRANSPORT_PORT  # noqa: E402
from engine.harness import dockerd as dockerd_mod  # noqa: E402
from engine.harness import probe_image  # noqa: E402
from engine.harness.inventory import PreviewRecorder, mock_inventory  # noqa: E402
from engine.harness.programs import ES_TIER_TYPES, es_tier_program  # noqa: E402
from engine.harness.settings_of import load_for  # noqa: E402
from engine.harness.stacks import declared_host_names, docker_host_override, new_stack, remove, stack_file_config  # noqa: E402
from engine.harness.toolchain import from_environment  # noqa: E402

STACK = "prod"


def elasticsearch_block(nodes: int) -> dict:
    """prod's elasticsearch block with ``nodes`` nodes built from its first node, spread over prod's
    Docker hosts in turn (as its three nodes are); on each host the n-th node gets HTTPS and
    transport ports n above the defaults, the first three are the master-eligible ones."""
    base = stack_file_config(STACK)["elk-stack:elasticsearch"]
    hosts = declared_host_names(STACK)
    template = dict(base["nodes"][0])
    out = []
    for i in range(nodes):
        node = {**template, "name": f"es{i + 1:02d}", "host": hosts[i % len(hosts)]}
        node.pop("http_port", None)
        node["roles"] = ["master", "data", "ingest"] if i < 3 else ["data", "ingest"]
        node["http_port"], node["transport_port"] = HTTP_PORT + i // len(hosts), TRANSPORT_PORT + i // len(hosts)
        out.append(node)
    return {**base, "nodes": out}


def time_mock(nodes: int) -> tuple[float, int]:
    overrides = json.dumps({"elasticsearch": elasticsearch_block(nodes)})
    start = time.perf_counter()
    count = len(mock_inventory(STACK, ES_TIER_TYPES, overrides))
    return time.perf_counter() - start, count


def time_real(nodes: int, base: Path, daemon: dockerd_mod.Dockerd) -> tuple[float, int]:
    toolchain = from_environment()
    assert toolchain is not None
    overrides = {**docker_host_override(daemon.host, STACK), "elasticsearch": elasticsearch_block(nodes)}
    handle = new_stack(toolchain, STACK, es_tier_program(), base, overrides=overrides, label=f"bench{nodes}")
    try:
        recorder = PreviewRecorder()
        start = time.perf_counter()
        handle.stack.preview(on_event=recorder, on_output=lambda _line: None)
        elapsed = time.perf_counter() - start
        return elapsed, len(recorder.inventory(ES_TIER_TYPES))
    finally:
        remove(handle)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--nodes", default="3,10,30")
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    toolchain = from_environment()
    if toolchain is None:
        print("run scripts/engine-test.sh first and export ELK_ENGINE_ROOT / ELK_ENGINE_PULUMI_HOME", file=sys.stderr)
        return 2
    sizes = [int(n) for n in args.nodes.split(",")]
    results: dict[int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="elk-bench-") as tmp:
        base = Path(tmp)
        daemon = dockerd_mod.start(base / "dockerd")
        try:
            # The pinned Elastic names point at the probe, so nothing is pulled (no registry here).
            version = load_for(STACK)[0].elastic_version
            probe_image.build(daemon, toolchain.root.parent, user="", ports=(READINESS_PORT,),
                              tags=tuple(image_ref(p, version) for p in PRODUCTS))
            for n in sizes:
                mock = [time_mock(n) for _ in range(args.runs)]
                real = [time_real(n, base, daemon) for _ in range(args.runs)]
                assert mock[0][1] == real[0][1], f"{n} nodes: mock counts {mock[0][1]} resources, real {real[0][1]}"
                results[n] = {"resources": real[0][1], "mock_s": statistics.median(t for t, _ in mock),
                              "real_s": statistics.median(t for t, _ in real)}
                print(f"{n:>3} nodes: {results[n]['resources']:>4} resources  mock {results[n]['mock_s']:6.2f} s  "
                      f"real preview {results[n]['real_s']:6.2f} s  real/mock {results[n]['real_s'] / results[n]['mock_s']:5.1f}x",
                      flush=True)
        finally:
            daemon.stop()
    first = sizes[0]
    for n in sizes[1:]:
        print(f"growth {first}->{n} nodes: resources x{results[n]['resources'] / results[first]['resources']:.1f}, "
              f"mock x{results[n]['mock_s'] / results[first]['mock_s']:.2f}, real x{results[n]['real_s'] / results[first]['real_s']:.2f}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
