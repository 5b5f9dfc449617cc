"""The files that bring the lab to other front ends: Binder, Colab, a CUDA machine, CI's apt step.

None of these can run here for real (no Binder build, no Colab, no GPU), so the tests check what
can be checked locally: Binder's environment mirrors environment.yml, the Colab notebook is
un-executed and valid, ``.ci/run`` asks apt for exactly what is missing (with a fake apt-get),
and ``scripts/test_gpu.sh`` refuses to run without a GPU.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    tomllib = pytest.importorskip("tomli")

ROOT = Path(__file__).resolve().parents[1]
COLAB = ROOT / "colab" / "run_tests_on_colab.ipynb"


def _env_items(path: Path) -> tuple[list[str], list[str]]:
    """(conda items, pip items) of an environment.yml, comments dropped."""
    conda, pip = [], []
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if not line.lstrip().startswith("- "):
            continue
        item = line.strip()[2:].strip()
        if item == "pip:":
            continue
        (pip if len(line) - len(line.lstrip()) >= 6 else conda).append(item)
    return conda, pip


def test_binder_environment_is_environment_yml_without_the_editable_install():
    conda, pip = _env_items(ROOT / "environment.yml")
    b_conda, b_pip = _env_items(ROOT / "binder" / "environment.yml")
    assert b_conda == conda, "binder/environment.yml conda list differs from environment.yml"
    assert b_pip == [p for p in pip if p != "-e ."], (
        "binder/environment.yml pip list must equal environment.yml's without '- -e .' "
        "(repo2docker installs it before copying the repo; binder/postBuild installs the lab)"
    )


def test_binder_installs_graphviz_and_the_lab():
    apt = [
        line.partition("#")[0].strip()
        for line in (ROOT / "binder" / "apt.txt").read_text().splitlines()
    ]
    assert "graphviz" in apt
    post = ROOT / "binder" / "postBuild"
    assert os.access(post, os.X_OK), "binder/postBuild must be executable"
    assert re.search(r"pip install --no-deps -e \.$", post.read_text(), re.MULTILINE)


def test_colab_notebook_is_unexecuted_and_runs_the_test_command():
    nb = nbformat.read(COLAB, as_version=4)
    nbformat.validate(nb)
    assert nb.cells[0].cell_type == "markdown" and "GPU" in nb.cells[0].source
    code = [c for c in nb.cells if c.cell_type == "code"]
    for cell in code:
        assert cell.outputs == [] and cell.execution_count is None, "store it un-executed"
        ast.parse(cell.source)
    source = "\n".join(c.source for c in code)
    assert re.search(r'^REPO_URL = ""', source, re.MULTILINE), "REPO_URL is set by the user"
    for needed in ("list_physical_devices", "scripts/test.sh", "[test,gpu]"):
        assert needed in source
    assert "notebooks" not in COLAB.parts, "nbval collects notebooks/: keep it out"


def test_gpu_extra_pins_the_same_tensorflow():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    tf = [d for d in project["optional-dependencies"]["lab"] if d.startswith("tensorflow")]
    assert project["optional-dependencies"]["gpu"] == [
        tf[0].replace("tensorflow", "tensorflow[and-cuda]", 1)
    ]


def _fake_bin(tmp: Path, **scripts: str) -> Path:
    fake = tmp / "bin"
    fake.mkdir()
    for name, body in scripts.items():
        path = fake / name
        path.write_text("#!/bin/sh\n" + body + "\n")
        path.chmod(0o755)
    return fake


def _ci_tree(tmp: Path) -> Path:
    """A copy of .ci/run with scripts/test.sh replaced by a stub."""
    tree = tmp / "repo"
    (tree / ".ci").mkdir(parents=True)
    (tree / "scripts").mkdir()
    shutil.copy(ROOT / ".ci" / "run", tree / ".ci" / "run")
    (tree / "scripts" / "test.sh").write_text("echo test-suite-stub\n")
    return tree


@pytest.mark.parametrize(
    ("chromium_exists", "skip_browser", "expected"),
    [(True, "", ""), (False, "", "chromium"), (False, "1", "")],
)
def test_ci_run_installs_only_what_is_missing(tmp_path, chromium_exists, skip_browser, expected):
    log = tmp_path / "apt.log"
    fake = _fake_bin(
        tmp_path,
        dot="exit 0",
        sudo='exec "$@"',
        **{"apt-get": f'echo "$@" >> {log}'},
    )
    chromium = tmp_path / "chromium"
    if chromium_exists:
        chromium.write_text("")
        chromium.chmod(0o755)
    env = dict(
        os.environ,
        PATH=f"{fake}{os.pathsep}{os.environ['PATH']}",
        KERAS_LENS_CHROMIUM=str(chromium),
        KERAS_LENS_SKIP_BROWSER=skip_browser,
    )
    tree = _ci_tree(tmp_path)
    result = subprocess.run(
        ["bash", str(tree / ".ci" / "run")], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "test-suite-stub" in result.stdout
    calls = log.read_text().splitlines() if log.exists() else []
    if expected:
        assert calls[0].startswith("update")
        assert calls[1].split()[-1] == expected, calls
    else:
        assert calls == [], f"apt-get called although nothing was missing: {calls}"


def test_test_gpu_refuses_to_run_without_a_gpu(tmp_path):
    fake = _fake_bin(tmp_path, **{"nvidia-smi": "exit 9"})
    env = dict(os.environ, PATH=f"{fake}{os.pathsep}{os.environ['PATH']}")
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "test_gpu.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 4
    assert "No NVIDIA GPU" in result.stderr and "scripts/test.sh" in result.stderr
