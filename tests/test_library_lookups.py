"""Start-up: library look-ups remembered across processes (``sahifa.render.libraries``) give
ctypes' own answers, are made again when the linker's cache or LD_LIBRARY_PATH change, and a
broken record is ignored."""

from __future__ import annotations

import ctypes.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from sahifa.render import libraries

NAMES = ["gobject-2.0", "libgobject-2.0-0", "harfbuzz", "no-such-library-sahifa"]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    return tmp_path / "sahifa" / "find-library.json"


def _lookups(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Counts the real look-ups (each runs ldconfig, gcc and ld in subprocesses)."""
    made: list[str] = []
    original = ctypes.util.find_library

    def counting(name: str) -> str | None:
        made.append(name)
        return original(name)

    monkeypatch.setattr(ctypes.util, "find_library", counting)
    return made


@pytest.mark.unit
def test_answers_are_ctypes_own_and_remembered(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = {name: ctypes.util.find_library(name) for name in NAMES}
    assert expected["gobject-2.0"] and expected["no-such-library-sahifa"] is None
    made = _lookups(monkeypatch)
    with libraries.remembered_lookups():
        first = {name: ctypes.util.find_library(name) for name in NAMES}
    assert first == expected and made == NAMES and cache.is_file()
    assert ctypes.util.find_library is not libraries.find_library  # put back after the block
    made.clear()
    with libraries.remembered_lookups():  # as the next process
        again = {name: ctypes.util.find_library(name) for name in NAMES}
    assert again == expected and made == []


@pytest.mark.unit
def test_a_changed_environment_or_a_broken_record_looks_up_again(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with libraries.remembered_lookups():
        harfbuzz = ctypes.util.find_library("harfbuzz")
    assert harfbuzz
    made = _lookups(monkeypatch)
    monkeypatch.setenv("LD_LIBRARY_PATH", "/opt/elsewhere")
    assert libraries.find_library("harfbuzz") == harfbuzz
    assert made == ["harfbuzz"]
    record = json.loads(cache.read_text())
    assert record["stamp"][1] == "/opt/elsewhere"
    cache.write_text("{not json")
    assert libraries.find_library("harfbuzz") == harfbuzz
    assert made == ["harfbuzz", "harfbuzz"]
    # A record made on another linker cache (ldconfig ran since) is not used.
    record = json.loads(cache.read_text())
    record["stamp"][2] = [0, 0, 0]
    record["answers"]["harfbuzz"] = "libsomething-else.so.9"
    cache.write_text(json.dumps(record))
    assert libraries.find_library("harfbuzz") == harfbuzz


def test_weasyprint_imports_without_looking_up_libraries_again(cache: Path) -> None:
    """A second process imports WeasyPrint with no ``find_library`` subprocess at all."""
    probe = (
        "import ctypes.util, subprocess\n"
        "calls = []\n"
        "real = subprocess.Popen.__init__\n"
        "def spy(self, *a, **k):\n"
        "    calls.append(a[0] if a else k.get('args'))\n"
        "    real(self, *a, **k)\n"
        "subprocess.Popen.__init__ = spy\n"
        "from sahifa import render\n"
        "render.warm_up()\n"
        "print(len(calls))\n"
    )
    env = {"XDG_CACHE_HOME": str(cache.parent.parent), "PATH": "/usr/bin:/bin"}
    runs = [subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                           env=env, check=True).stdout.split()[-1] for _ in range(2)]  # fmt: skip
    assert int(runs[0]) > 0 and int(runs[1]) == 0, runs
