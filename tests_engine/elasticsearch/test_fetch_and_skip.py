"""Part 1 (fetch and cache) and part 5 (when the layer runs, and why it is skipped)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from engine.realserver import fetch as fetch_mod
from engine.realserver import java as java_mod
from engine.realserver.absent_modules import PRESENT_MODULES


def test_a_zip_whose_sha1_differs_from_maven_centrals_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "elasticsearch-0.zip"
    archive.write_bytes(b"the real bytes")
    sha1 = tmp_path / "elasticsearch-0.zip.sha1"
    sha1.write_text(hashlib.sha1(b"the real bytes").hexdigest() + "  elasticsearch-0.zip\n")
    assert fetch_mod.check_sha1(archive, sha1) == hashlib.sha1(b"the real bytes").hexdigest()
    archive.write_bytes(b"tampered bytes")
    with pytest.raises(RuntimeError, match="does not match"):
        fetch_mod.check_sha1(archive, sha1)


def test_version_and_cache_are_test_settings_defaulting_to_the_newest_819_served(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(fetch_mod.VERSION_ENV, raising=False)
    assert fetch_mod.server_version() == fetch_mod.DEFAULT_VERSION == "8.19.21"
    monkeypatch.setenv(fetch_mod.VERSION_ENV, "8.19.4")
    assert fetch_mod.server_version() == "8.19.4"
    monkeypatch.setenv(fetch_mod.CACHE_ENV, str(tmp_path))
    assert fetch_mod.cache_root() == tmp_path


def test_missing_java_or_maven_is_reported_as_the_reason_to_skip(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(java_mod.JAVA_ENV, str(tmp_path / "no-jdk"))
    monkeypatch.setenv("PATH", str(tmp_path))
    reasons = java_mod.missing_prerequisites()
    assert any("Java >= 17" in r for r in reasons) and any("Maven" in r for r in reasons), reasons


def test_a_java_older_than_17_is_not_chosen(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    old = tmp_path / "jdk-11"
    (old / "bin").mkdir(parents=True)
    (old / "bin" / "java").write_text("")
    (old / "release").write_text('JAVA_VERSION="11.0.2"\n')
    monkeypatch.setenv(java_mod.JAVA_ENV, str(old))
    assert java_mod.find_java() is None
    (old / "release").write_text('JAVA_VERSION="17.0.15"\n')
    assert java_mod.find_java() == java_mod.Java(old, 17)


def test_the_unpacked_build_has_exactly_the_four_modules_the_absent_list_assumes(distribution: fetch_mod.Distribution) -> None:
    assert {p.name for p in (distribution.home / "modules").iterdir()} == PRESENT_MODULES


def test_a_second_fetch_is_a_warm_cache_hit(distribution: fetch_mod.Distribution) -> None:
    again = fetch_mod.fetch(distribution.version, say=lambda _line: None)
    assert not again.cold and again.home == distribution.home
    assert again.times.total < 1.0
