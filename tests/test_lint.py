"""ruff is clean on the package, the tests, the scripts and (through nbqa) the notebooks."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PY_TARGETS = ["widgets", "tests", "scripts", "benchmarks", "conftest.py"]


def _tool(name: str) -> str:
    path = BIN / name if (BIN / name).exists() else shutil.which(name)
    if path is None:
        pytest.fail(
            f"{name} is not installed; run `bash scripts/test.sh` (installs the test extra)"
        )
    return str(path)


def _run(args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_ruff_check_python_sources():
    targets = [t for t in PY_TARGETS if (ROOT / t).exists()]
    result = _run([_tool("ruff"), "check", "--no-cache", *targets])
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_python_sources():
    targets = [t for t in PY_TARGETS if (ROOT / t).exists()]
    result = _run([_tool("ruff"), "format", "--check", "--no-cache", *targets])
    assert result.returncode == 0, result.stdout + result.stderr


def test_nbqa_ruff_notebooks():
    if not list((ROOT / "notebooks").glob("*.ipynb")):
        pytest.fail("no notebooks found under notebooks/")
    result = _run([_tool("nbqa"), "ruff", "notebooks", "--no-cache"])
    assert result.returncode == 0, result.stdout + result.stderr
