"""The hand-import NDJSON (scripts/export_saved_objects.py): what the stack imports, importable
with curl as the README shows (against the fake Kibana 8.19)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from components.render import dashboards
from components.render import saved_objects as so
from tests.providers.kibana.fake_kibana import PASSWORD, USER, FakeKibana, serve

ROOT = Path(__file__).resolve().parent.parent


def run_export(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "scripts" / "export_saved_objects.py"), *args],
                          capture_output=True, text=True, timeout=60, cwd=ROOT)


def test_export_holds_the_objects_the_stack_imports_plus_the_data_views(tmp_path: Path) -> None:
    out = tmp_path / "mt4-kibana.ndjson"
    result = run_export("-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "wrote 33 saved objects" in result.stderr
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    imported = [*so.saved_searches(), *dashboards.all_dashboard_objects()]
    assert [o for o in lines if o["type"] != "index-pattern"] == json.loads(json.dumps(imported))
    assert sorted(o["id"] for o in lines if o["type"] == "index-pattern") == ["mt4-failures", "mt4-logs", "mt4-metrics", "mt4-system"]
    assert run_export().stdout == out.read_text()


def test_the_export_imports_in_one_request_as_the_readme_shows(tmp_path: Path) -> None:
    out = tmp_path / "mt4-kibana.ndjson"
    run_export("-o", str(out))
    kibana = FakeKibana()
    with serve(kibana) as url:
        result = subprocess.run(
            ["curl", "-sS", "-X", "POST", f"{url}/api/saved_objects/_import?overwrite=true", "-H", "kbn-xsrf: true",
             "-u", f"{USER}:{PASSWORD}", "-F", f"file=@{out}"],
            capture_output=True, text=True, timeout=60,
        )
    answer = json.loads(result.stdout)
    assert answer["success"] is True and answer["successCount"] == 33, answer
