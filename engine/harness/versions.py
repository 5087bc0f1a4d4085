"""The pins of the engine toolchain and the cache key derived from them.

Plugin versions are not written here: they are read from the installed Python SDK packages
(``pulumi_<name>/pulumi-plugin.json``), so the plugins always carry the version the pinned SDKs
ask for (requirements.txt) and a bump of an SDK changes the cache key by itself.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
from importlib import resources
from pathlib import Path

TOOLCHAIN_DIR = Path(__file__).resolve().parent.parent / "toolchain"
CLI_MODULE = TOOLCHAIN_DIR / "cli"
PROVIDER_MODULES = TOOLCHAIN_DIR / "providers"
#: The CLI version stamped into the binary (``-X .../version.Version``): the wrapper's pkg/v3 pin.
CLI_VERSION = "v3.274.0"
CLI_VERSION_SYMBOL = "github.com/pulumi/pulumi/sdk/v3/go/common/version.Version"
#: Provider plugins rebuilt from upstream, in build order (cheapest first).
PLUGINS = ("tls", "random", "docker")
#: Bump to invalidate every cache entry when the build recipe itself changes.
RECIPE_REVISION = "1"


def sdk_plugin_version(name: str) -> str:
    """The plugin version the installed ``pulumi_<name>`` SDK asks the engine for."""
    meta = json.loads(resources.files(f"pulumi_{name}").joinpath("pulumi-plugin.json").read_text())
    if meta.get("name") != name or not meta.get("version"):
        raise RuntimeError(f"pulumi_{name}/pulumi-plugin.json does not name plugin {name!r} with a version: {meta}")
    return str(meta["version"])


def go_version() -> str:
    return subprocess.run(["go", "env", "GOVERSION"], check=True, capture_output=True, text=True).stdout.strip()


def _module_files() -> list[Path]:
    return sorted(p for p in TOOLCHAIN_DIR.rglob("*") if p.is_file() and p.suffix in (".go", ".mod", ".sum"))


def cache_key() -> str:
    """sha256 (first 16 hex) over every pin: wrapper modules, go.sum, plugin versions, Go, recipe."""
    digest = hashlib.sha256()
    for path in _module_files():
        digest.update(str(path.relative_to(TOOLCHAIN_DIR)).encode() + b"\0" + path.read_bytes() + b"\0")
    for name in PLUGINS:
        digest.update(f"{name}={sdk_plugin_version(name)}\0".encode())
    digest.update(f"go={go_version()}\0recipe={RECIPE_REVISION}\0cli={CLI_VERSION}".encode())
    return digest.hexdigest()[:16]
