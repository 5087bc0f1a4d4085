"""HostPreflightCheck: the probe's report against a host's needs, and the probe script itself.

The script is run for real with this machine's bash, ``/proc`` and ulimits, and its line is fed
to the provider's parser. Proof limit: inside a container on the Docker host ``/proc/sys/vm`` and
``/proc/meminfo`` are the host's (not namespaced); that part rests on the kernel, not on this test.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from components import host_preflight as hp
from components.providers.host_preflight import HostPreflightProvider as Provider

GIB = 1024**3
FIT = "elk-preflight max_map_count=262144 mem_total_kib=16777216 memlock_soft=unlimited memlock_hard=unlimited"


def needs(report: str, **overrides: object) -> dict:
    """The check's inputs for the prod host: three 4 GiB nodes, kibana 1 GiB, logstash 2 GiB."""
    props: dict = {
        "host": "local",
        "docker_url": "unix:///var/run/docker.sock",
        "memory_limits": [["es01", 4 * GIB], ["es02", 4 * GIB], ["es03", 4 * GIB], ["kibana", GIB], ["logstash", 2 * GIB]],
        "min_max_map_count": 262144,
        "memlock": "unlimited",
        "probe_report": report,
    }
    return {**props, **overrides}


def failure(props: dict) -> str:
    with pytest.raises(RuntimeError) as error:
        Provider.verdict(props)
    return str(error.value)


def test_a_host_that_meets_every_need_passes_and_its_values_are_kept() -> None:
    result = Provider().create(needs(FIT))
    assert result.id == "preflight-local"
    assert result.outs["observed"] == {
        "max_map_count": "262144", "mem_total_kib": "16777216", "memlock_soft": "unlimited", "memlock_hard": "unlimited",
    }


def test_a_low_max_map_count_names_the_host_the_value_and_the_fix() -> None:
    message = failure(needs(FIT.replace("262144", "65530")))
    assert message.startswith("Docker host 'local' (unix:///var/run/docker.sock) does not meet what")
    assert "no Elasticsearch node was touched" in message
    assert "vm.max_map_count is 65530; with elasticsearch.allow_mmap: true Elasticsearch needs at least 262144" in message
    assert "`sudo sysctl -w vm.max_map_count=262144`" in message
    assert "`echo 'vm.max_map_count=262144' | sudo tee /etc/sysctl.d/99-elasticsearch.conf`" in message
    assert "elasticsearch.allow_mmap: false" in message


def test_max_map_count_is_not_asked_when_no_node_maps_with_mmap() -> None:
    assert Provider.problems(needs(FIT.replace("262144", "65530"), min_max_map_count=0)) == []


def test_memory_below_the_sum_of_the_limits_lists_every_container() -> None:
    twelve_gib_kib = 12 * 1024 * 1024
    message = failure(needs(FIT.replace("16777216", str(twelve_gib_kib))))
    assert ("the memory limits of the stack's containers here add up to 15.0 GiB (es01 4.0 GiB, es02 4.0 GiB, es03 4.0 GiB, "
            "kibana 1.0 GiB, logstash 2.0 GiB) but the host has 12.0 GiB (MemTotal)") in message
    assert "lower the `memory` settings" in message


def test_sizes_that_arrive_as_floats_count_the_same() -> None:
    """The engine hands numbers to a dynamic provider as floats (8589934592.0)."""
    as_floats = [[name, float(size)] for name, size in needs(FIT)["memory_limits"]]
    message = failure(needs(FIT.replace("16777216", str(12 * 1024 * 1024)), memory_limits=as_floats, min_max_map_count=262144.0))
    assert "add up to 15.0 GiB (es01 4.0 GiB," in message
    assert Provider.problems(needs(FIT, memory_limits=as_floats, min_max_map_count=262144.0)) == []


def test_small_limits_read_in_mib() -> None:
    limits = [["es01", 4 * GIB], ["preflight probe", 32 * 1024**2]]
    message = failure(needs(FIT.replace("16777216", str(1024 * 1024)), memory_limits=limits))
    assert "add up to 4.0 GiB (es01 4.0 GiB, preflight probe 32 MiB) but the host has 1.0 GiB" in message


def test_memory_exactly_the_sum_of_the_limits_is_enough() -> None:
    assert Provider.problems(needs(FIT.replace("16777216", str(15 * 1024 * 1024)))) == []


def test_a_memlock_limit_the_engine_did_not_raise_is_refused() -> None:
    message = failure(needs(FIT.replace("memlock_soft=unlimited memlock_hard=unlimited", "memlock_soft=8192 memlock_hard=8192")))
    assert "the memlock limit inside a container is 8192 (soft) / 8192 (hard) KiB" in message
    assert "bootstrap.memory_lock: true" in message and "rootful Docker engine" in message


def test_memlock_is_not_asked_on_a_host_without_nodes() -> None:
    report = FIT.replace("memlock_soft=unlimited memlock_hard=unlimited", "memlock_soft=64 memlock_hard=64")
    assert Provider.problems(needs(report, memlock="")) == []


def test_every_problem_of_a_host_is_reported_at_once() -> None:
    bad = "elk-preflight max_map_count=65530 mem_total_kib=1048576 memlock_soft=64 memlock_hard=64"
    message = failure(needs(bad))
    bullets = [line for line in message.splitlines() if line.startswith("  - ")]
    assert [b.split(";")[0].split(" but ")[0][4:] for b in bullets] == [
        "vm.max_map_count is 65530",
        "the memory limits of the stack's containers here add up to 15.0 GiB (es01 4.0 GiB, es02 4.0 GiB, es03 4.0 GiB, "
        "kibana 1.0 GiB, logstash 2.0 GiB)",
        "the memlock limit inside a container is 64 (soft) / 64 (hard) KiB,",
    ]


@pytest.mark.parametrize(
    ("report", "expected"),
    [
        ("", "the preflight probe container printed no report (its last log line: '')"),
        ("bash: something went wrong", "printed no report (its last log line: 'bash: something went wrong')"),
        ("elk-preflight max_map_count= mem_total_kib= memlock_soft=unlimited memlock_hard=unlimited",
         "vm.max_map_count could not be read (/proc/sys/vm/max_map_count gave '')"),
    ],
    ids=["no line at all", "a line that is no report", "values the probe could not read"],
)
def test_a_report_that_says_nothing_fails_with_what_was_seen(report: str, expected: str) -> None:
    assert expected in failure(needs(report))


def test_the_last_report_line_wins_and_a_stream_prefix_is_ignored() -> None:
    text = f"\x01\x00\x00\x00\x00\x00\x00\x5c{FIT.replace('262144', '65530')}\n{FIT}\n"
    assert Provider.parse_report(text)["max_map_count"] == "262144"
    assert hp.last_report_line(["old", FIT]) == FIT and hp.last_report_line(None) == ""


def test_update_checks_again_and_diff_sees_a_changed_host() -> None:
    provider = Provider()
    olds = needs(FIT)
    assert provider.diff("id", olds, {**olds, "observed": {"x": "y"}}).changes is False
    lost_sysctl = {**olds, "probe_report": FIT.replace("262144", "65530")}
    assert provider.diff("id", olds, lost_sysctl).changes is True
    with pytest.raises(RuntimeError, match="vm.max_map_count is 65530"):
        provider.update("id", olds, lost_sysctl)


def test_serialized_provider_runs_in_a_process_that_cannot_import_this_project(tmp_path: Path) -> None:
    """Pulumi runs dynamic providers in their own process: the pickled provider must work there
    without ``components`` (proof: load it with the project off sys.path and make it fail)."""
    from pulumi.dynamic.dynamic import serialize_provider

    from components.providers.cluster_health import pickled_by_value

    with pickled_by_value(Provider):
        blob = serialize_provider(Provider())
    assert Provider.__module__ == "components.providers.host_preflight"
    (tmp_path / "provider.txt").write_text(blob)
    props = needs(FIT.replace("262144", "65530"))
    script = (
        "import base64, sys, dill\n"
        f"sys.path = [p for p in sys.path if p not in ('', '.', {str(Path(__file__).resolve().parents[2])!r})]\n"
        "provider = dill.loads(base64.b64decode(open('provider.txt').read()))\n"
        "assert 'components' not in sys.modules, sorted(m for m in sys.modules if m.startswith('components'))\n"
        "try:\n"
        f"    provider.create({props!r})\n"
        "except RuntimeError as error:\n"
        "    print(str(error).splitlines()[1][:40])\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.rstrip("\n") == "  - vm.max_map_count is 65530; with elas"


# ------------------------------------------------------------------ the probe script, run for real


def run_probe(tmp_path: Path, seconds: float) -> tuple[list[str], bool, float]:
    """Run the probe script with this machine's bash (ready file in tmp_path, 0.1 s rounds) for
    ``seconds``, then SIGTERM it; return its lines, whether it became ready, and how long it took to stop."""
    import time

    ready = tmp_path / "ready"
    script = hp.PROBE_SCRIPT.replace(hp.PROBE_READY_FILE, str(ready)).replace("sleep 5", "sleep 0.1")
    process = subprocess.Popen(["bash", "-c", script], stdout=subprocess.PIPE, text=True)
    time.sleep(seconds)
    was_ready = ready.exists()
    stop = time.monotonic()
    process.terminate()
    out, _ = process.communicate(timeout=10)
    return out.splitlines(), was_ready, time.monotonic() - stop


def test_the_probe_reports_what_this_machine_has_once_and_stops_on_sigterm(tmp_path: Path) -> None:
    lines, ready, stop_seconds = run_probe(tmp_path, 1.0)
    assert len(lines) == 1, "a report is printed again only when a value changed"
    assert ready, "the healthcheck's file exists once the report is out"
    assert stop_seconds < 2, "the probe ends on SIGTERM, without waiting for Docker's SIGKILL"
    report = Provider.parse_report(lines[0])
    assert report is not None and set(report) == {"max_map_count", "mem_total_kib", "memlock_soft", "memlock_hard"}
    assert report["max_map_count"] == Path("/proc/sys/vm/max_map_count").read_text().strip()
    mem_total = re.search(r"^MemTotal:\s+(\d+) kB$", Path("/proc/meminfo").read_text(), re.M)
    assert mem_total is not None and report["mem_total_kib"] == mem_total[1]
    limits = subprocess.run(["bash", "-c", "ulimit -S -l; ulimit -H -l"], capture_output=True, text=True, check=True).stdout.split()
    assert [report["memlock_soft"], report["memlock_hard"]] == limits
    assert len(lines[0]) < 128, "one short line: one log frame, so get_logs' 8-byte header strip is exact"
