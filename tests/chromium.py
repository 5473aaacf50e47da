"""Run a script of tests/browser/ in Debian's chromium (through playwright-core) against a
server, and read the JSON report it prints; skip when chromium, node or the npm packages are
not installed here."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from server import ROOT

__all__ = ["CHROMIUM", "run_script"]

CHROMIUM = Path("/usr/bin/chromium")


def run_script(
    script: str,
    base: str,
    out: Path,
    *args: str,
    packages: Sequence[str] = ("playwright-core",),
    timeout: float = 300,
) -> dict[str, Any]:
    """``node tests/browser/SCRIPT BASE OUT ARGS...``: its report, with ``out`` (where its
    screenshots are) added; the script must exit 0 and report no ``error``."""
    if not CHROMIUM.exists():
        pytest.skip(f"no {CHROMIUM}: apt-get install chromium (.ci/run does)")
    node = shutil.which("node")
    if node is None:
        pytest.skip("no node for the browser test: apt-get install nodejs npm")
    for package in packages:
        if not (ROOT / "node_modules" / package).is_dir():
            pytest.skip(f"no node_modules/{package}: run `make setup` (npm ci)")
    done = subprocess.run(
        [node, str(ROOT / "tests/browser" / script), base, str(out), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )
    assert done.stdout, done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    assert done.returncode == 0 and "error" not in result, (result.get("error"), done.stderr)
    result["out"] = str(out)
    return result
