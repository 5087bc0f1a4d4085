"""Every container of both stacks, checked against what its 8.19 image expects.

The image side is ``tests/contracts/images_8.19.json``: the user and groups each image runs as,
which ``*_FILE`` variables its entrypoint loads and how strictly, which env var names it turns
into settings, and which paths exist with which owner and mode, each read from the image's
Dockerfile and entrypoint. Here the real ``__main__.py`` runs under mocks and every upload, env
var and mount of every container is held against that file.

Proof limit: this proves what we hand the engine matches what the sources say the image does;
the contract itself is only as good as the sources read (see ``version_gap`` in the JSON).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import pytest

from tests.conftest import cached_run
from tests.program import Registration, Run

CONTRACT_FILE = Path(__file__).resolve().parent / "contracts" / "images_8.19.json"
CONTRACT: dict[str, Any] = json.loads(CONTRACT_FILE.read_text())
IMAGES: dict[str, dict[str, Any]] = CONTRACT["images"]
CONTAINER = "docker:index/container:Container"
STACKS = ("dev", "prod")

#: The env vars we mean each image to receive. Anything else is a mistake, and none of these may
#: be one the entrypoint turns into a setting (we configure through rendered files only).
INTENDED_ENV: dict[str, frozenset[str]] = {
    "elasticsearch": frozenset({"ELASTIC_PASSWORD_FILE"}),
    "kibana": frozenset({
        "NODE_OPTIONS", "KIBANA_SYSTEM_PASSWORD", "KIBANA_ENCRYPTED_SAVED_OBJECTS_KEY",
        "KIBANA_SECURITY_ENCRYPTION_KEY", "KIBANA_REPORTING_ENCRYPTION_KEY",
    }),
    "logstash": frozenset({"LS_JAVA_OPTS", "MT4_WRITER_PASSWORD"}),
    "filebeat": frozenset(),
    "metricbeat": frozenset({"MT4_METRICBEAT_WRITER_PASSWORD", "MT4_REMOTE_MONITORING_PASSWORD"}),
}
#: One-shot root containers (role label) that prepare a volume; not services, no image contract.
ROOT_HELPER_ROLE = "backup-permissions"
#: Every role of such volume helpers: the snapshot volume's, and each Logstash queue/DLQ volume's.
ROOT_HELPER_ROLES = frozenset({ROOT_HELPER_ROLE, "volume-permissions"})
#: One-shot root containers that install a service's secret files (components/secret_files.py).
SECRET_HELPER_ROLE = "secret-files"
#: Containers that are not services: the root helpers and the host preflight probe (which
#: runs the image as its own user, mounts nothing and uploads nothing; tests/test_host_preflight.py).
HELPER_ROLES = frozenset({*ROOT_HELPER_ROLES, SECRET_HELPER_ROLE, "host-preflight"})
#: What an upload that names no owner or group lands as: the tar header's ids (engine/README.md).
UPLOAD_OWNER = 0
UPLOAD_GROUP = 0


@dataclass(frozen=True)
class Identity:
    """Who a process is for the kernel's permission check: uid, primary gid, supplementary groups."""

    uid: int
    gid: int
    groups: frozenset[int]

    @property
    def all_groups(self) -> frozenset[int]:
        return self.groups | {self.gid}


@dataclass(frozen=True)
class Inode:
    owner: int
    group: int
    mode: int


def identity_of(image: str) -> Identity:
    """Who the container runs as: the image's USER, or the contract's ``run_as`` (the Beats: root)."""
    user = IMAGES[image].get("run_as") or IMAGES[image]["user"]
    return Identity(uid=user["uid"], gid=user["gid"], groups=frozenset(user["supplementary_groups"]))


def permission_bits(who: Identity, node: Inode) -> int:
    """The rwx triplet the kernel applies: owner bits if the uid owns it, else group bits if any of
    the groups matches, else other bits (a matching owner never falls through to the group)."""
    if who.uid == 0:
        return 0o7
    if who.uid == node.owner:
        return (node.mode >> 6) & 0o7
    if node.group in who.all_groups:
        return (node.mode >> 3) & 0o7
    return node.mode & 0o7


def can_read(who: Identity, node: Inode) -> bool:
    return bool(permission_bits(who, node) & 0o4)


def can_write_dir(who: Identity, node: Inode) -> bool:
    return permission_bits(who, node) & 0o3 == 0o3


def setting_env_hits(image: str, name: str) -> str | None:
    """The setting the image's entrypoint would make of env var ``name``, or None."""
    rules = IMAGES[image]["setting_env"]
    for pattern in rules.get("regexes", []):
        if re.fullmatch(pattern, name):
            return f"matches {pattern}"
    if name in rules.get("setting_of", {}):
        return rules["setting_of"][name]
    if "settings" in rules:
        normalized = {s.lower().replace(".", "").replace("_", ""): s for s in rules["settings"]}
        return normalized.get(name.lower().replace(".", "").replace("_", ""))
    return None


def contract_path(image: str, path: str) -> dict[str, Any] | None:
    return next((p for p in IMAGES[image]["paths"] if p["path"] == path), None)


def in_image_home(image: str, path: str) -> bool:
    return PurePosixPath(path).is_relative_to(IMAGES[image]["home"])


# ---------------------------------------------------------------------------- the program's side


def role_of(r: Registration) -> str | None:
    return next((lbl["value"] for lbl in r.inputs.get("labels", []) if lbl["label"] == "role"), None)


def image_of(r: Registration) -> str:
    """Which contract image a container runs: its image input is the pinned RemoteImage's id,
    which the mocks make ``sha256:mock-<repository>:<tag>``."""
    ref = r.inputs["image"].removeprefix("sha256:mock-")
    repository = ref.rsplit(":", 1)[0]
    matches = [name for name, spec in IMAGES.items() if spec["image"] == repository]
    assert len(matches) == 1, f"{r.urn}: image {ref!r} has no contract in {CONTRACT_FILE.name}"
    return matches[0]


def env_of(r: Registration) -> dict[str, str]:
    pairs = [e.split("=", 1) for e in r.inputs.get("envs", [])]
    return {k: v for k, v in pairs}


def inode_of(upload: dict[str, Any]) -> Inode:
    """An upload lands root-owned with its declared mode (it names no owner: upload_problems)."""
    assert isinstance(upload.get("permissions"), str), f"{upload['file']}: permissions must be set explicitly"
    return Inode(owner=UPLOAD_OWNER, group=UPLOAD_GROUP, mode=int(upload["permissions"], 8))


INSTALL = re.compile(r"^install -o (?P<uid>\d+) -g (?P<gid>\d+) -m (?P<mode>[0-7]{4}) (?P<src>\S+) (?P<dst>\S+)$")
CLOSE_DIR = re.compile(r"^chown (?P<uid>\d+):(?P<gid>\d+) (?P<path>\S+) && chmod (?P<mode>[0-7]{3,4}) (?P=path)$")


@dataclass(frozen=True)
class Installed:
    """A service's secret files as its installer leaves them, or why they would not be."""

    files: dict[str, Inode]
    directory: Inode | None
    problems: list[str]


def secret_helpers(run: Run) -> list[Registration]:
    return [r for r in run.of_type(CONTAINER) if role_of(r) == SECRET_HELPER_ROLE]


def installed_files(r: Registration, run: Run) -> Installed:
    """Parse the installer of ``r``'s read-only secret mount: who owns each file, its mode, and
    that every installed file was staged root-only, holds a secret and nothing else does."""
    files: dict[str, Inode] = {}
    directory = None
    problems: list[str] = []
    for m in (m for m in r.inputs.get("mounts", []) if m.get("readOnly") and m.get("type") != "bind"):
        where = f"{r.name}: read-only mount {m['source']} -> {m['target']}"
        helpers = [h for h in secret_helpers(run)
                   if any(hm["source"] == m["source"] and hm["target"] == m["target"] for hm in h.inputs.get("mounts", []))]
        if len(helpers) != 1:
            problems.append(f"{where}: needs exactly one secret-file installer mounting it, found {len(helpers)}")
            continue
        [helper] = helpers
        if helper.inputs.get("user") != "0:0":
            problems.append(f"{where}: installer {helper.name} must run as 0:0")
        if helper.urn not in r.dependencies:
            problems.append(f"{where}: does not wait for {helper.name}")
        staged = {u["file"]: u for u in helper.inputs.get("uploads", [])}
        [script] = helper.inputs.get("command") or [""]
        lines = script.splitlines()
        if f"find {m['target']} -mindepth 1 -delete" not in lines:
            problems.append(f"{where}: the installer does not empty the volume first (a dropped file would linger)")
        for line in lines:
            if (step := INSTALL.match(line)) is not None:
                upload = staged.get(step["src"])
                if upload is None or PurePosixPath(step["dst"]).parent != PurePosixPath(m["target"]):
                    problems.append(f"{where}: {line!r} installs what was not staged, or outside the mount")
                    continue
                if int(upload["permissions"], 8) & 0o077:
                    problems.append(f"{where}: {step['src']} is staged readable beyond root ({upload['permissions']})")
                if upload.get("content") not in run.secret_values:
                    problems.append(f"{where}: {step['dst']} is no secret; upload it instead")
                files[step["dst"]] = Inode(int(step["uid"]), int(step["gid"]), int(step["mode"], 8))
            elif (close := CLOSE_DIR.match(line)) is not None and close["path"] == m["target"]:
                directory = Inode(int(close["uid"]), int(close["gid"]), int(close["mode"], 8))
        if directory is None:
            problems.append(f"{where}: the installer never hands the directory to the image user")
    return Installed(files=files, directory=directory, problems=problems)


def service_containers(run: Run) -> list[Registration]:
    return [r for r in run.of_type(CONTAINER) if role_of(r) not in HELPER_ROLES]


def root_helpers(run: Run) -> list[Registration]:
    return [r for r in run.of_type(CONTAINER) if role_of(r) in ROOT_HELPER_ROLES]


def every_service(run: Run) -> list[tuple[Registration, str]]:
    found = [(r, image_of(r)) for r in service_containers(run)]
    assert {img for _, img in found} == set(IMAGES), "every image with a contract is run, and only those"
    return found


# ---------------------------------------------------------------------------- the checks


def upload_problems(r: Registration, image: str, secrets: frozenset[str] = frozenset()) -> list[str]:
    """Each upload names no owner (naming one makes the daemon look the image USER up as a host
    user name), is readable by the image user as root's file, and holds no secret."""
    who = identity_of(image)
    problems = []
    for u in r.inputs.get("uploads", []):
        where = f"{r.name}: {u['file']} ({u.get('permissions')})"
        if u.get("owner") or u.get("group"):
            problems.append(f"{where}: names owner/group {u.get('owner')}:{u.get('group')}: the daemon would resolve "
                            "the image USER on the host (CopyUIDGID)")
            continue
        node = inode_of(u)
        if any(secret in str(u.get("content", "")) for secret in secrets):
            problems.append(f"{where}: holds a secret; install it with components/secret_files.py")
        if not can_read(who, node):
            problems.append(f"{where}: unreadable for {who}")
        parent = contract_path(image, str(PurePosixPath(u["file"]).parent))
        if parent is not None and not permission_bits(who, Inode(parent["owner"], parent["group"], int(parent["mode"], 8))) & 0o1:
            problems.append(f"{where}: its directory is not traversable for the image user")
    return problems


def file_env_problems(r: Registration, image: str, run: Run) -> list[str]:
    """Every ``*_FILE`` var is one the entrypoint loads, pointing at an installed secret file it
    accepts (mode) and can read."""
    rules = IMAGES[image]["file_env"]
    who = identity_of(image)
    installed = installed_files(r, run).files
    problems = []
    for name, value in env_of(r).items():
        if not name.endswith("_FILE"):
            continue
        if name not in rules["names"]:
            problems.append(f"{r.name}: {name} is not loaded by the {image} entrypoint (it loads {rules['names']})")
            continue
        if name.removesuffix("_FILE") in env_of(r):
            problems.append(f"{r.name}: {name} and {name.removesuffix('_FILE')} are mutually exclusive")
        node = installed.get(value)
        if node is None:
            problems.append(f"{r.name}: {name} points at {value}, which no installer puts there")
            continue
        mode = f"0{node.mode:o}"
        if mode not in rules["allowed_modes"]:
            problems.append(f"{r.name}: {value} has mode {mode}; the entrypoint wants one of {rules['allowed_modes']}")
        if not can_read(who, node):
            problems.append(f"{r.name}: {value} is unreadable for the entrypoint ({rules['read_as']})")
    return problems


def env_name_problems(r: Registration, image: str) -> list[str]:
    spec = IMAGES[image]
    forbidden = {f["name"] for f in spec["forbidden_env"]}
    problems = []
    for name in env_of(r):
        if name not in INTENDED_ENV[image]:
            problems.append(f"{r.name}: env var {name} is not one we mean {image} to get")
        if name in forbidden:
            problems.append(f"{r.name}: env var {name} is forbidden for {image}")
        setting = setting_env_hits(image, name)
        if setting is not None:
            problems.append(f"{r.name}: the {image} entrypoint turns env var {name} into a setting ({setting})")
    return problems


def mount_problems(r: Registration, image: str, run: Run) -> list[str]:
    """A volume on an image directory takes that directory's owner and mode (copy-up): it must be
    writable for the image user. Elsewhere the volume is root-owned: a root helper must chown it
    first, and this container must wait for it."""
    who = identity_of(image)
    problems = []
    installed = installed_files(r, run)
    problems += installed.problems
    if installed.directory is not None and (permission_bits(who, installed.directory) & 0o5) != 0o5:
        problems.append(f"{r.name}: the secrets directory {installed.directory} cannot be listed by {who}")
    for path, node in installed.files.items():
        if not can_read(who, node):
            problems.append(f"{r.name}: installed {path} {node} is unreadable for {who}")
        if node.mode & 0o077:
            problems.append(f"{r.name}: installed {path} {node} is readable beyond its owner")
    problems += host_mount_problems(r, image)
    for m in r.inputs.get("mounts", []):
        where = f"{r.name}: mount {m['source']} -> {m['target']}"
        if m.get("type") == "bind":
            continue  # a host path: host_mount_problems
        if m.get("readOnly"):
            spec = contract_path(image, m["target"])
            if spec is not None and spec["in_image"]:
                problems.append(f"{where}: an image directory; its copy-up would mix image files into the secrets")
            continue  # a secret-file volume, checked above
        if m.get("type") != "volume":
            problems.append(f"{where}: only volumes (files travel as uploads, never bind mounts)")
            continue
        if (m.get("volumeOptions") or {}).get("noCopy"):
            problems.append(f"{where}: no_copy leaves the volume root-owned")
        spec = contract_path(image, m["target"])
        if spec is not None and spec["in_image"]:
            if not can_write_dir(who, Inode(spec["owner"], spec["group"], int(spec["mode"], 8))):
                problems.append(f"{where}: the image directory is not writable for {who}")
            continue
        if in_image_home(image, m["target"]):
            problems.append(f"{where}: {m['target']} is under the image's home but not in the contract")
            continue
        problems += root_helper_problems(r, m, who, run)
    return problems


def host_mount_problems(r: Registration, image: str) -> list[str]:
    """Host paths reach only the images whose contract lists them (the Beats read their host), read-only,
    at the targets listed there; every other file travels as an upload."""
    spec = IMAGES[image].get("host_mounts", {})
    allowed = {tuple(b) for b in spec.get("binds", [])}
    problems = []
    for m in (m for m in r.inputs.get("mounts", []) if m.get("type") == "bind"):
        where = f"{r.name}: bind mount {m['source']} -> {m['target']}"
        if not spec:
            problems.append(f"{where}: only volumes (files travel as uploads, never bind mounts)")
        elif not m.get("readOnly"):
            problems.append(f"{where}: a host path must be mounted read-only")
        elif (m["source"], m["target"]) not in allowed and not (m["source"] == m["target"] and m["target"].endswith("/containers")
                                                               and "bind_targets" in spec):
            problems.append(f"{where}: not a host mount the {image} contract lists")
    for v in r.inputs.get("volumes", []) or []:
        where = f"{r.name}: host bind {v.get('hostPath')} -> {v.get('containerPath')}"
        if "host_binds" not in spec:
            problems.append(f"{where}: the {image} contract allows no host bind")
        elif not v.get("readOnly") or v.get("hostPath") != v.get("containerPath") or in_image_home(image, v["containerPath"]):
            problems.append(f"{where}: must be read-only, at the same path, outside the image's home")
    return problems


CHOWN = re.compile(r"^chown (?P<uid>\d+):(?P<gid>\d+) (?P<path>\S+) && chmod (?P<mode>[0-7]{3,4}) (?P=path)$")
#: A volume backed by one NFS export across Docker hosts is changed only when not yet owned right
#: (with root_squash root cannot chown it; README: the operator gives it to uid 1000 on the server).
GUARDED = re.compile(r'^\[ "\$\(stat -c %u:%g (?P<path>\S+)\)" = "(?P<owner>\d+:\d+)" \] \|\| \{ (?P<fix>.+); \}$')


def root_helper_problems(r: Registration, mount: dict[str, Any], who: Identity, run: Run) -> list[str]:
    where = f"{r.name}: mount {mount['source']} -> {mount['target']} (no such directory in the image: root-owned)"
    helpers = [h for h in root_helpers(run)
               if any(hm["source"] == mount["source"] and hm["target"] == mount["target"] for hm in h.inputs.get("mounts", []))]
    if len(helpers) != 1:
        return [f"{where}: needs exactly one root helper that mounts the same volume, found {len(helpers)}"]
    [helper] = helpers
    problems = []
    if helper.inputs.get("user") != "0:0":
        problems.append(f"{where}: helper {helper.name} must run as 0:0 to chown")
    if helper.urn not in r.dependencies:
        problems.append(f"{where}: does not wait for {helper.name}")
    [command] = helper.inputs.get("command") or [""]
    guard = GUARDED.match(command)
    fix = CHOWN.match(guard["fix"] if guard else command)
    if guard and fix and (guard["path"] != fix["path"] or guard["owner"] != f"{fix['uid']}:{fix['gid']}"):
        return [*problems, f"{where}: helper command {command!r} checks another path or owner than it sets"]
    if fix is None or fix["path"] != mount["target"]:
        return [*problems, f"{where}: helper command {command!r} does not chown and chmod {mount['target']}"]
    fixed = Inode(int(fix["uid"]), int(fix["gid"]), int(fix["mode"], 8))
    if not can_write_dir(who, fixed):
        problems.append(f"{where}: after {command!r} it is still not writable for {who}")
    return problems


def runs_as_the_image_says(r: Registration) -> list[str]:
    """Overriding user or entrypoint would bypass the contract (and the entrypoint); a command
    only as the image's ``command_wrapper`` (``command_problems``)."""
    allowed = {"user": IMAGES[image_of(r)].get("run_as", {}).get("user")} if r.inputs.get("image") else {}
    return [f"{r.name}: sets {key}={r.inputs[key]!r}" for key in ("user", "entrypoints", "groupAdds")
            if r.inputs.get(key) and r.inputs[key] != allowed.get(key)]


#: What a wrapper may do besides handing over: bash options, comments, the entrypoint's umask, and
#: ``<keystore cli> add --stdin --force <setting> < <file>`` (the value from a file, on stdin).
WRAPPER_PREAMBLE = re.compile(r"^(#.*|set -euo pipefail|umask 0002)$")
KEYSTORE_ADD = re.compile(r"^(?P<cli>\S+) add --stdin --force (?P<setting>\S+) < (?P<file>\S+)$")


def command_problems(r: Registration, image: str, run: Run) -> list[str]:
    """A command replaces the image's CMD, and the entrypoint then runs it *instead of* its own
    steps (``exec "$@"``). Allowed only as the contract's ``command_wrapper``: ``<shell> <uploaded
    script>``, the script adding keystore entries from installed secret files (0400, the image
    user's) and ending in the hand-over to the entrypoint with its default command."""
    command = r.inputs.get("command")
    if not command:
        return []
    where = f"{r.name}: command {command!r}"
    spec = IMAGES[image].get("command_wrapper")
    if spec is None:
        return [f"{where}: the {image} image has no command_wrapper in the contract; keep the image's command"]
    if len(command) != 2 or command[0] != spec["shell"]:
        return [f"{where}: must be [{spec['shell']!r}, <uploaded wrapper>]"]
    if PurePosixPath(command[0]).name in spec["continues_only_for"]:
        return [f"{where}: the entrypoint would not exec it as is"]
    script = next((u.get("content") for u in r.inputs.get("uploads", []) if u["file"] == command[1]), None)
    if not isinstance(script, str):
        return [f"{where}: {command[1]} is not uploaded to this container"]
    lines = script.splitlines()
    problems = []
    if not lines or lines[-1] != "exec " + " ".join(spec["hand_over"]):
        problems.append(f"{where}: does not end in `exec {' '.join(spec['hand_over'])}`: the image's own start would never run")
    if "set -euo pipefail" not in lines:
        problems.append(f"{where}: without `set -euo pipefail` a failed step would start the node without it")
    keystore = IMAGES[image]["keystore"]
    installed = installed_files(r, run).files
    who = identity_of(image)
    for line in lines[1:-1]:
        if WRAPPER_PREAMBLE.match(line):
            continue
        add = KEYSTORE_ADD.match(line)
        if add is None:
            problems.append(f"{where}: {line!r} is neither a keystore add from a file nor the preamble")
            continue
        if add["cli"] != keystore["cli"]:
            problems.append(f"{where}: {add['cli']} is not the image's keystore CLI {keystore['cli']}")
        if not re.fullmatch(keystore["setting_name"], add["setting"]):
            problems.append(f"{where}: {add['setting']!r} is not a keystore setting name")
        node = installed.get(add["file"])
        if node is None:
            problems.append(f"{where}: {add['file']} is no installed secret file of this container")
        elif not can_read(who, node) or node.mode & 0o077:
            problems.append(f"{where}: {add['file']} {node} is not readable by {who} alone")
    return problems


# ---------------------------------------------------------------------------- the tests


@pytest.fixture(params=STACKS)
def run(request: pytest.FixtureRequest) -> Run:
    return cached_run(request.param)


def test_every_fact_of_the_contract_names_its_source() -> None:
    for image, spec in IMAGES.items():
        assert spec["user"]["sources"], image
        for entry in spec["paths"]:
            assert entry["sources"], (image, entry["path"])
            assert all(s.get("repo") and (s.get("commit") or s.get("branch") or s.get("url") or s.get("note")) for s in entry["sources"])
        assert spec["setting_env"]["sources"], image


def test_the_contract_states_the_users_the_sources_show() -> None:
    assert identity_of("elasticsearch") == Identity(1000, 0, frozenset({0}))
    assert identity_of("kibana") == Identity(1000, 1000, frozenset({0}))
    assert identity_of("logstash") == Identity(1000, 1000, frozenset())
    for beat in ("filebeat", "metricbeat"):
        assert (IMAGES[beat]["user"]["uid"], IMAGES[beat]["user"]["gid"]) == (1000, 1000), "the image's USER"
        assert identity_of(beat) == Identity(0, 0, frozenset()), "ours run as root (run_as)"
        assert IMAGES[beat]["run_as"]["sources"] and IMAGES[beat]["config_permissions"]["sources"]
    assert IMAGES["elasticsearch"]["file_env"]["allowed_modes"] == ["0400", "0600"]


def test_uploads_name_no_owner_are_readable_for_the_image_user_and_hold_no_secret(run: Run) -> None:
    problems = [p for r, image in every_service(run) for p in upload_problems(r, image, frozenset(run.secret_values))]
    assert problems == []


def test_every_private_key_reaches_its_service_through_an_installer(run: Run) -> None:
    """The keys the rendered configs name are installed files, none is missing."""
    keys = {"elasticsearch": "/usr/share/elasticsearch/config/secrets/node.key",
            "logstash": "/usr/share/logstash/config/secrets/logstash.pkcs8.key"}
    for r, image in every_service(run):
        installed = installed_files(r, run)
        assert installed.problems == []
        if image in keys:
            assert keys[image] in installed.files, r.name


def test_file_env_vars_point_at_files_the_entrypoint_accepts(run: Run) -> None:
    problems = [p for r, image in every_service(run) for p in file_env_problems(r, image, run)]
    assert problems == []
    es = [r for r, image in every_service(run) if image == "elasticsearch"]
    assert es and all("ELASTIC_PASSWORD_FILE" in env_of(r) for r in es), "the elastic password reaches every node as a file"


def test_no_env_var_becomes_a_setting_by_accident(run: Run) -> None:
    problems = [p for r, image in every_service(run) for p in env_name_problems(r, image)]
    assert problems == []


def test_mounts_are_writable_for_the_image_user(run: Run) -> None:
    problems = [p for r, image in every_service(run) for p in mount_problems(r, image, run)]
    assert problems == []


def test_service_containers_keep_the_image_user_and_entrypoint(run: Run) -> None:
    problems = [p for r, image in every_service(run) for p in [*runs_as_the_image_says(r), *command_problems(r, image, run)]]
    assert problems == []


def test_a_node_with_the_keystore_wrapper_meets_every_check() -> None:
    """Watcher email with a login (trial): the nodes run the keystore wrapper, whose password file
    comes from the installer like the elastic password's."""
    from tests.test_watcher_email_program import EMAIL, nodes, with_email

    run = with_email("dev", EMAIL)
    es = nodes(run)
    assert es and all(r.inputs.get("command") for r in es), "the wrapper is in use"
    problems = []
    for r, image in every_service(run):
        problems += upload_problems(r, image, frozenset(run.secret_values)) + file_env_problems(r, image, run)
        problems += mount_problems(r, image, run) + runs_as_the_image_says(r) + command_problems(r, image, run)
    assert problems == []


# ---------------------------------------------------------------------------- the checks can fail


def upload_at(path: str, mode: str, content: str = "x", owner: str | None = None) -> dict[str, str]:
    return {"file": path, "permissions": mode, "content": content, **({"owner": owner, "group": "0"} if owner else {})}


def fake(
    name: str, *, uploads: tuple[dict, ...] = (), envs: tuple[str, ...] = (), mounts: tuple[dict, ...] = (), deps: tuple[str, ...] = ()
) -> Registration:
    """A container registration as the mocks record it, for showing that each check can fail."""
    return Registration(
        type=CONTAINER, name=name, urn=f"urn:{name}",
        inputs={"uploads": list(uploads), "envs": list(envs), "mounts": list(mounts)},
        raw={}, parent="", dependencies=list(deps), provider="", protect=False, retain_on_delete=False,
        delete_before_replace=False, deleted_with="", custom=True,
    )


ES_SECRETS = "/usr/share/elasticsearch/config/secrets"
PW = f"{ES_SECRETS}/elastic-password"


def es_with_installer(*, mode: str = "0400", uid: str = "1000", staged_mode: str = "0400", secret: str = "s3cret",
                      dir_mode: str = "0500", empties: bool = True) -> tuple[Registration, Run]:
    """An Elasticsearch node whose password file comes from an installer, as the program declares it."""
    mount = {"type": "volume", "source": "es-secrets", "target": ES_SECRETS}
    helper = fake("es-secret-files", uploads=(upload_at("/run/staged/elastic-password", staged_mode, secret),), mounts=(mount,))
    script = [f"find {ES_SECRETS} -mindepth 1 -delete"] if empties else []
    script += [f"install -o {uid} -g 0 -m {mode} /run/staged/elastic-password {PW}",
               f"chown {uid}:0 {ES_SECRETS} && chmod {dir_mode} {ES_SECRETS}"]
    helper.inputs.update(user="0:0", command=["\n".join(script)], labels=[{"label": "role", "value": SECRET_HELPER_ROLE}])
    node = fake("es", envs=(f"ELASTIC_PASSWORD_FILE={PW}",), mounts=({**mount, "readOnly": True},), deps=("urn:es-secret-files",))
    return node, Run(resources=[helper], secret_values={"s3cret"})


def test_a_group_readable_or_foreign_password_file_is_refused_for_elasticsearch() -> None:
    good, run = es_with_installer()
    assert file_env_problems(good, "elasticsearch", run) == [] and mount_problems(good, "elasticsearch", run) == []
    bad, run = es_with_installer(mode="0440")
    assert any("mode 0440" in p for p in file_env_problems(bad, "elasticsearch", run))
    assert any("readable beyond its owner" in p for p in mount_problems(bad, "elasticsearch", run))
    not_ours, run = es_with_installer(uid="0")
    assert any("unreadable" in p for p in file_env_problems(not_ours, "elasticsearch", run))
    unknown = fake("es", envs=("MY_SECRET_FILE=/x",))
    assert any("not loaded" in p for p in file_env_problems(unknown, "elasticsearch", Run()))
    uploaded = fake("es", uploads=(upload_at(PW, "0400"),), envs=(f"ELASTIC_PASSWORD_FILE={PW}",))
    assert any("no installer puts there" in p for p in file_env_problems(uploaded, "elasticsearch", Run()))


def test_an_installer_that_leaks_lingers_or_locks_out_is_caught() -> None:
    for kwargs, expected in (
        ({"staged_mode": "0644"}, "staged readable beyond root"),
        ({"secret": "not-a-secret"}, "is no secret"),
        ({"empties": False}, "does not empty the volume"),
        ({"dir_mode": "0100"}, "cannot be listed"),
    ):
        node, run = es_with_installer(**kwargs)
        assert any(expected in p for p in mount_problems(node, "elasticsearch", run)), kwargs
    node, run = es_with_installer()
    waits_not = fake("es", envs=node.inputs["envs"], mounts=tuple(node.inputs["mounts"]))
    assert any("does not wait" in p for p in mount_problems(waits_not, "elasticsearch", run))
    assert any("found 0" in p for p in mount_problems(node, "elasticsearch", Run())), "a read-only mount without installer"


def test_uploads_naming_an_owner_or_holding_a_secret_are_caught() -> None:
    key = "/usr/share/logstash/config/certs/logstash.pkcs8.key"
    owned = fake("ls", uploads=(upload_at(key, "0440", owner="1000"),))
    assert any("CopyUIDGID" in p for p in upload_problems(owned, "logstash"))
    root_only = fake("ls", uploads=(upload_at(key, "0440"),))
    assert any("unreadable" in p for p in upload_problems(root_only, "logstash")), "root 0440: group 0 gives Logstash nothing"
    assert upload_problems(fake("kb", uploads=(upload_at("/usr/share/kibana/config/kibana.yml", "0440"),)), "kibana") == [], (
        "Kibana reads root's 0440 file through group 0")
    secret = fake("ls", uploads=(upload_at("/usr/share/logstash/config/logstash.yml", "0644", "pw: s3cret"),))
    assert any("holds a secret" in p for p in upload_problems(secret, "logstash", frozenset({"s3cret"})))
    assert not can_read(identity_of("logstash"), Inode(1, 0, 0o440)) and can_read(identity_of("kibana"), Inode(1, 0, 0o440))
    assert not can_read(identity_of("logstash"), Inode(1000, 1000, 0o040)), "an owner never falls through to the group bits"


def test_env_names_the_entrypoints_would_rewrite_are_caught() -> None:
    assert setting_env_hits("elasticsearch", "cluster.name") and setting_env_hits("elasticsearch", "ES_SETTING_CLUSTER_NAME")
    assert setting_env_hits("kibana", "ELASTICSEARCH_PASSWORD") == "elasticsearch.password"
    assert setting_env_hits("logstash", "PIPELINE_WORKERS") == "pipeline.workers"
    assert setting_env_hits("logstash", "pipeline.batch.size") == "pipeline.batch.size"
    assert setting_env_hits("logstash", "MT4_WRITER_PASSWORD") is None
    assert any("forbidden" in p for p in env_name_problems(fake("es", envs=("ELASTIC_PASSWORD=x",)), "elasticsearch"))


def test_a_root_owned_volume_without_its_helper_is_caught() -> None:
    lone = Run(resources=[])
    mount = {"type": "volume", "source": "backup", "target": "/backup/elasticsearch"}
    assert any("root helper" in p for p in mount_problems(fake("es", mounts=(mount,)), "elasticsearch", lone))
    helper = fake("helper", mounts=(mount,))
    helper.inputs.update(user="0:0", command=["chown 0:0 /backup/elasticsearch && chmod 0755 /backup/elasticsearch"],
                         labels=[{"label": "role", "value": ROOT_HELPER_ROLE}])
    with_bad_helper = Run(resources=[helper])
    problems = mount_problems(fake("es", mounts=(mount,), deps=("urn:helper",)), "elasticsearch", with_bad_helper)
    assert any("still not writable" in p for p in problems)
    unlisted = {"type": "volume", "source": "p", "target": "/usr/share/kibana/plugins"}
    assert any("not in the contract" in p for p in mount_problems(fake("kb", mounts=(unlisted,)), "kibana", lone))
    assert not can_write_dir(identity_of("logstash"), Inode(0, 0, 0o775)), "group 0 gives Logstash nothing"
    assert can_write_dir(identity_of("elasticsearch"), Inode(0, 0, 0o775))


def test_an_nfs_guarded_helper_is_read_as_its_chown_and_a_mismatched_guard_is_caught() -> None:
    mount = {"type": "volume", "source": "backup", "target": "/backup/elasticsearch"}
    fix = "chown 1000:0 /backup/elasticsearch && chmod 2770 /backup/elasticsearch"
    for owner, caught in (("1000:0", False), ("0:0", True)):
        helper = fake("helper", mounts=(mount,))
        helper.inputs.update(user="0:0", command=[f'[ "$(stat -c %u:%g /backup/elasticsearch)" = "{owner}" ] || {{ {fix}; }}'],
                             labels=[{"label": "role", "value": ROOT_HELPER_ROLE}])
        problems = mount_problems(fake("es", mounts=(mount,), deps=("urn:helper",)), "elasticsearch", Run(resources=[helper]))
        assert any("checks another path or owner" in p for p in problems) is caught, owner
        assert caught or problems == []


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_the_preflight_probe_touches_no_file_of_the_image(stack: str) -> None:
    probes = [r for r in cached_run(stack).of_type(CONTAINER) if role_of(r) == "host-preflight"]
    assert probes, "one probe per Docker host"
    for probe in probes:
        assert not probe.inputs.get("uploads") and not probe.inputs.get("mounts"), probe.name
        assert probe.inputs.get("user") in (None, ""), "the probe must see the limits as the image's own user"


def test_a_command_that_skips_the_image_start_or_reads_no_installed_file_is_caught() -> None:
    from components.render import es_keystore as ks

    setting = "xpack.notification.email.account.mt4.smtp.secure_password"
    node, run = es_with_installer()
    good = ks.render_wrapper({setting: PW})
    node.inputs.update(command=ks.command(), uploads=[upload_at(ks.WRAPPER_PATH, "0644", good)])
    assert command_problems(node, "elasticsearch", run) == []

    def problems(command: list[str], script: str | None) -> list[str]:
        node.inputs.update(command=command, uploads=[upload_at(ks.WRAPPER_PATH, "0644", script)] if script is not None else [])
        return command_problems(node, "elasticsearch", run)

    assert any("must be" in p for p in problems(["/bin/sh", "-c", "elasticsearch"], good))
    assert any("not uploaded" in p for p in problems(ks.command(), None))
    no_handover = good.replace("exec /usr/local/bin/docker-entrypoint.sh eswrapper", "exec /usr/share/elasticsearch/bin/elasticsearch")
    assert any("does not end in" in p for p in problems(ks.command(), no_handover))
    not_installed = good.replace(PW, f"{ES_SECRETS}/smtp-password")
    assert any("no installed secret file" in p for p in problems(ks.command(), not_installed))
    echo = good.replace("set -euo pipefail", f"echo $(cat {PW})")
    assert any("neither a keystore add" in p for p in problems(ks.command(), echo))
    assert any("set -euo pipefail" in p for p in problems(ks.command(), echo))
    kibana = fake("kb")
    kibana.inputs["command"] = ["/bin/bash", "/x"]
    assert any("no command_wrapper" in p for p in command_problems(kibana, "kibana", run))
