"""The commands README.md tells a new user to paste, run as pasted (only the port changed).

Proof limit: the hand-sent event reaches a TCP listener on 127.0.0.1 as one JSON line with a
current timestamp and the fields the templates map; it does not prove Logstash indexes it (the
pipeline tests and the smoke check do).
"""

from __future__ import annotations

import datetime
import json
import re
import shlex
import socket
import subprocess
import sys
from pathlib import Path

from components.render import mt4_fields

ROOT = Path(__file__).resolve().parent.parent


def hand_sent_event_command() -> str:
    readme = (ROOT / "README.md").read_text()
    block = readme.split("<!-- hand-sent-event -->", 1)[1]
    return re.search(r"```bash\n(.*?)\n```", block, re.S).group(1)


def test_the_hand_sent_event_arrives_as_one_current_json_line() -> None:
    command = hand_sent_event_command()
    assert "nc " not in command and command.startswith("python3 -c ")
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        argv = shlex.split(command.replace('("localhost", 5000)', f'("127.0.0.1", {port})'))
        assert argv[0] == "python3"
        done = subprocess.run([sys.executable, *argv[1:]], capture_output=True, text=True, timeout=30)
        assert done.returncode == 0, done.stderr
        server.settimeout(5)
        connection, _ = server.accept()
        with connection:
            received = b""
            while chunk := connection.recv(65536):
                received += chunk
    lines = received.decode().splitlines()
    assert len(lines) == 1 and received.endswith(b"\n")
    event = json.loads(lines[0])
    sent_at = datetime.datetime.fromisoformat(event["@timestamp"].replace("Z", "+00:00"))
    assert abs((datetime.datetime.now(datetime.UTC) - sent_at).total_seconds()) < 60
    assert event["event_type"] in mt4_fields.ROUTED_EVENT_TYPES
    assert set(event) - {"@timestamp"} <= set(mt4_fields.all_mapped_fields())


def test_the_layout_section_shows_every_top_level_folder() -> None:
    readme = (ROOT / "README.md").read_text()
    layout = re.search(r"## Layout\n\n```\n(.*?)```", readme, re.S).group(1)
    listed = {line.split()[0].split("/")[0] for line in layout.splitlines() if line.strip()}
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    folders = {path.split("/")[0] for path in tracked if "/" in path}
    assert folders - listed == set(), "top-level folders missing from README's layout"
