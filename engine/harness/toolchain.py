"""Build, or reuse from a cache outside the repository, the Pulumi CLI and the rebuilt plugins.

Layout of one cache entry, ``<cache>/<key>/`` (key: ``versions.cache_key()``)::

    bin/pulumi                          the CLI (pkg/v3 cmd/pulumi, built from Go modules)
    bin/pulumi-resource-pulumi-python   the dynamic-provider plugin script shipped in sdk/v3
    plugins/pulumi-resource-<name>      random, tls, docker: REBUILT FROM UPSTREAM, not published
    manifest.json                       written last: an entry without it is incomplete

Plugins are then installed with ``pulumi plugin install resource NAME VERSION --file BIN`` into a
fresh ``PULUMI_HOME``; automatic plugin acquisition stays off, so nothing else can sneak in.

``python -m engine.harness.toolchain prepare --pulumi-home DIR`` prints one progress line per
step with its time and, last, ``ELK_ENGINE_ROOT=<entry>`` for the caller.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from engine.harness import versions

DEFAULT_CACHE = Path(os.environ.get("ELK_ENGINE_CACHE", str(Path.home() / ".cache" / "elk-stack-engine")))
SDK_MODULE = "github.com/pulumi/pulumi/sdk/v3"
DYNAMIC_PLUGIN = "pulumi-resource-pulumi-python"


class ToolchainError(RuntimeError):
    """A step that cannot be done here; the message says what is missing and what to do."""


@dataclass
class Toolchain:
    """A ready CLI with the plugins installed into ``pulumi_home``."""

    root: Path
    pulumi_home: Path
    plugin_versions: dict[str, str] = field(default_factory=dict)

    @property
    def bin_dir(self) -> Path:
        return self.root / "bin"

    @property
    def pulumi(self) -> Path:
        return self.bin_dir / "pulumi"

    def env(self) -> dict[str, str]:
        """What every engine process gets: our CLI first on PATH, no plugin downloads, no update check."""
        return {
            "PATH": f"{self.bin_dir}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "PULUMI_HOME": str(self.pulumi_home),
            "PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
            "PULUMI_SKIP_UPDATE_CHECK": "true",
            # The dynamic provider (ClusterHealthGate) runs under this interpreter: it has the SDK.
            "PULUMI_PYTHON_CMD": sys.executable,
        }


def log(message: str) -> None:
    print(f"[engine] {message}", file=sys.stderr, flush=True)


@contextmanager
def step(what: str) -> Iterator[None]:
    start = time.monotonic()
    log(f"{what} ...")
    yield
    log(f"{what}: done in {time.monotonic() - start:.1f} s")


def _run(cmd: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None, what: str) -> str:
    done = subprocess.run(cmd, cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True)
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-25:])
        raise ToolchainError(f"{what} failed (exit {done.returncode}): {' '.join(cmd)}\n{tail}")
    return done.stdout


def check_go() -> None:
    """Go on PATH and the module proxy reachable, or one clear message."""
    if shutil.which("go") is None:
        raise ToolchainError(
            "Go is not installed (no `go` on PATH): the engine tests build the Pulumi CLI and the provider plugins "
            "from Go modules. Install Go >= 1.26.6 and rerun; the fast suite (scripts/test.sh) needs no Go."
        )
    try:
        _run(["go", "mod", "download", "-json", f"{SDK_MODULE}@{versions.CLI_VERSION}"], cwd=versions.CLI_MODULE,
             what="Reaching the Go module proxy")
    except ToolchainError as err:
        proxy = _run(["go", "env", "GOPROXY"], what="go env").strip()
        raise ToolchainError(f"The Go module proxy ({proxy}) does not serve {SDK_MODULE}@{versions.CLI_VERSION}: "
                             f"no network or a proxy that lacks it.\n{err}") from err


def _go_build(module: Path, out: Path, ldflags: str, package: str = ".") -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".partial")
    _run(["go", "build", "-mod=readonly", "-o", str(tmp), "-ldflags", ldflags, package], cwd=module, what=f"go build {module.name}")
    tmp.replace(out)


def _sdk_dir() -> Path:
    meta = json.loads(_run(["go", "list", "-m", "-json", SDK_MODULE], cwd=versions.CLI_MODULE, what="go list sdk/v3"))
    return Path(meta["Dir"])


def build(entry: Path) -> None:
    """Build every missing piece into ``entry`` (a half-built entry resumes where it stopped)."""
    check_go()
    cli = entry / "bin" / "pulumi"
    if not cli.exists():
        with step(f"build CLI pkg/v3 {versions.CLI_VERSION} (cold: ~5-7 min)"):
            _go_build(versions.CLI_MODULE, cli, f"-X {versions.CLI_VERSION_SYMBOL}={versions.CLI_VERSION}",
                      "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi")
    script = entry / "bin" / DYNAMIC_PLUGIN
    if not script.exists():
        shutil.copyfile(_sdk_dir() / "python" / "dist" / DYNAMIC_PLUGIN, script)
        script.chmod(0o755)
    for name in versions.PLUGINS:
        binary = entry / "plugins" / f"pulumi-resource-{name}"
        if binary.exists():
            continue
        version = versions.sdk_plugin_version(name)
        with step(f"build plugin {name} {version} (rebuilt from upstream)"):
            _go_build(versions.PROVIDER_MODULES / name, binary, f"-X main.version={version}")
    manifest = {"cli": versions.CLI_VERSION, "plugins": {n: versions.sdk_plugin_version(n) for n in versions.PLUGINS},
                "go": versions.go_version(), "key": entry.name}
    (entry / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")


def ensure_built(cache: Path = DEFAULT_CACHE) -> Path:
    """The cache entry for the current pins, built if absent."""
    if shutil.which("go") is None:
        check_go()
    entry = cache / versions.cache_key()
    if (entry / "manifest.json").exists():
        log(f"toolchain cache hit: {entry}")
        return entry
    log(f"toolchain cache miss: building into {entry}")
    build(entry)
    return entry


def install_plugins(entry: Path, pulumi_home: Path) -> Toolchain:
    """``pulumi plugin install resource NAME VERSION --file BIN`` for each rebuilt plugin."""
    tc = Toolchain(root=entry, pulumi_home=pulumi_home)
    pulumi_home.mkdir(parents=True, exist_ok=True)
    for name in versions.PLUGINS:
        version = versions.sdk_plugin_version(name)
        binary = entry / "plugins" / f"pulumi-resource-{name}"
        with step(f"install plugin {name} {version}"):
            _run([str(tc.pulumi), "plugin", "install", "resource", name, version, "--file", str(binary)],
                 env=tc.env(), what=f"pulumi plugin install {name}")
        tc.plugin_versions[name] = version
    return tc


def from_environment() -> Toolchain | None:
    """The toolchain ``scripts/engine-test.sh`` prepared (``ELK_ENGINE_ROOT``, ``ELK_ENGINE_PULUMI_HOME``)."""
    root, home = os.environ.get("ELK_ENGINE_ROOT"), os.environ.get("ELK_ENGINE_PULUMI_HOME")
    if not root or not home:
        return None
    manifest = json.loads((Path(root) / "manifest.json").read_text())
    return Toolchain(root=Path(root), pulumi_home=Path(home), plugin_versions=dict(manifest["plugins"]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["prepare", "key"])
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--pulumi-home", type=Path)
    args = parser.parse_args(argv)
    try:
        if args.command == "key":
            print(versions.cache_key())
            return 0
        entry = ensure_built(args.cache)
        if args.pulumi_home is not None:
            install_plugins(entry, args.pulumi_home)
    except ToolchainError as err:
        log(f"ERROR: {err}")
        return 2
    print(f"ELK_ENGINE_ROOT={entry}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
