"""pyproject.toml and environment.yml must agree, so conda and pip users get the same lab."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).resolve().parents[1]


def _normalise(requirement: str) -> tuple[str, str]:
    match = re.match(r"\s*([A-Za-z0-9_.\-]+)(\[[^\]]*\])?\s*(.*)$", requirement)
    assert match, f"cannot parse requirement {requirement!r}"
    name = re.sub(r"[-_.]+", "-", match.group(1)).lower()
    return name, match.group(3).replace(" ", "")


def _environment_yml() -> tuple[list[str], list[str]]:
    """(conda packages, pip packages) of environment.yml, read without a YAML dependency."""
    conda, pip, in_pip = [], [], False
    for raw in (ROOT / "environment.yml").read_text().splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip().startswith("- "):
            in_pip = in_pip and bool(line.strip()) and raw.startswith("      ")
            continue
        item = line.strip()[2:].strip()
        indent = len(line) - len(line.lstrip())
        if item == "pip:":
            in_pip = True
        elif in_pip and indent >= 6:
            pip.append(item)
        else:
            in_pip = False
            conda.append(item)
    return conda, pip


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_environment_pip_list_matches_pyproject():
    project = _pyproject()["project"]
    wanted = dict(_normalise(r) for r in project["dependencies"])
    wanted.update(_normalise(r) for r in project["optional-dependencies"]["test"])
    _, pip = _environment_yml()
    listed = dict(_normalise(r) for r in pip if not r.startswith("-e"))
    assert listed == wanted, (
        "environment.yml and pyproject.toml disagree: "
        f"only in environment.yml {sorted(set(listed.items()) - set(wanted.items()))}, "
        f"only in pyproject.toml {sorted(set(wanted.items()) - set(listed.items()))}"
    )
    assert "-e ." in pip, "environment.yml must install the lab itself (- -e .)"


def test_environment_has_graphviz_and_a_supported_python():
    conda, _ = _environment_yml()
    assert "graphviz" in conda
    python = [c for c in conda if c.startswith("python=")]
    assert python == ["python=3.11"]
    assert _pyproject()["project"]["requires-python"] == ">=3.10,<3.14"


def test_keras_pin_matches_the_adapter_range():
    deps = dict(_normalise(r) for r in _pyproject()["project"]["dependencies"])
    assert deps["keras"] == ">=3.15,<3.16"
    assert deps["tensorflow"] == ">=2.21,<2.22"


def test_package_imports_cheaply_and_has_a_version():
    """``import keras_lens`` must not import Keras, TensorFlow, ipywidgets or matplotlib."""
    code = (
        "import sys, keras_lens; print(keras_lens.__version__); "
        "print(sorted(m for m in ('keras', 'tensorflow', 'ipywidgets', 'matplotlib') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    version, heavy = out.stdout.splitlines()
    assert re.fullmatch(r"\d+\.\d+\.\d+", version)
    assert heavy == "[]", f"import keras_lens pulled in {heavy}"
