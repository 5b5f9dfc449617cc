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


def _ci_tree(tmp: Path, suite: str = "echo test-suite-stub", matrix: str = "echo matrix-stub"):
    """A copy of .ci/run with scripts/test.sh and scripts/matrix.sh replaced by stubs."""
    tree = tmp / "repo"
    (tree / ".ci").mkdir(parents=True)
    (tree / "scripts").mkdir()
    shutil.copy(ROOT / ".ci" / "run", tree / ".ci" / "run")
    (tree / "scripts" / "test.sh").write_text(suite + "\n")
    (tree / "scripts" / "matrix.sh").write_text(matrix + "\n")
    return tree


@pytest.mark.parametrize(
    ("suite", "matrix", "ok"),
    [
        ("exit 0", "exit 0", True),
        ("exit 1", "exit 0", False),
        ("exit 5", "exit 0", False),
        ("exit 0", "exit 1", False),
    ],
)
def test_ci_run_runs_the_test_command_and_the_matrix(tmp_path, suite, matrix, ok):
    tree = _ci_tree(tmp_path, f"echo suite-ran; {suite}", f"echo matrix-ran; {matrix}")
    result = subprocess.run(
        ["bash", str(tree / ".ci" / "run")], capture_output=True, text=True, timeout=60
    )
    assert (result.returncode == 0) is ok, result.stdout + result.stderr
    assert "suite-ran" in result.stdout and "matrix-ran" in result.stdout
    assert re.search(r"test suite took \d+ s", result.stdout)
    assert re.search(r"compatibility matrix took \d+ s", result.stdout)
    assert re.search(r"total \d+ s", result.stdout)
    if suite == "exit 5":
        assert "collected no tests" in result.stderr


def test_ci_run_always_runs_the_matrix_and_builds_it_during_the_suite(tmp_path):
    """No switch turns the matrix off (it used to need KERAS_LENS_MATRIX=1 while it was red).
    Its venvs are prepared while the suite runs: the suite stub waits for the --prepare call
    to have started; then the matrix tests run in the same work folder after the suite."""
    flag = tmp_path / "prepare-started"
    suite = (
        f"for i in $(seq 100); do [ -f {flag} ] && break; sleep 0.1; done; "
        f'[ -f {flag} ] && echo "suite-saw-prepare"; echo "suite-ran $*"; exit 0'
    )
    matrix = f'[ "$1" = --prepare ] && touch {flag}; echo "matrix-ran $*"; exit 0'
    tree = _ci_tree(tmp_path, suite, matrix)
    env = {**os.environ, "KERAS_LENS_MATRIX": "0"}  # the old switch has no effect any more
    result = subprocess.run(
        ["bash", str(tree / ".ci" / "run")], capture_output=True, text=True, timeout=60, env=env
    )
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "suite-saw-prepare" in out and "suite-ran -n 2" in out
    prepare = re.search(r"matrix-ran --prepare --work (\S+)", out)
    tests = re.search(r"matrix-ran --work (\S+)", out)
    assert prepare and tests and prepare.group(1) == tests.group(1), out
    assert out.index("suite-ran") < out.index("compatibility matrix took")


def test_ci_run_fails_when_only_the_matrix_fails(tmp_path):
    tree = _ci_tree(tmp_path, "echo suite-ran; exit 0", 'echo "matrix-ran $*"; exit 1')
    result = subprocess.run(
        ["bash", str(tree / ".ci" / "run")], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert "matrix exit 1" in result.stderr


def _setup_system_step(
    tmp_path,
    *,
    have: dict[str, str],
    uid: int = 0,
    sudo_ok: bool = True,
    env_extra: dict[str, str] | None = None,
):
    """Run scripts/_setup.sh's system-package step with fake apt-get, sudo, id and tools."""
    log = tmp_path / "apt.log"
    scripts = {
        "apt-get": f'echo "$@" >> {log}',
        "sudo": 'shift; exec "$@"' if sudo_ok else "exit 1",
        "id": f"echo {uid}",
        **have,
    }
    fake = _fake_bin(tmp_path, **scripts)
    # a PATH with the fakes and the shell tools only: no real dot, apt-get or fc-list
    tools = tmp_path / "tools"
    tools.mkdir()
    for tool in ("bash", "sh", "grep", "cat", "dirname", "sha256sum", "cut", "env", "true"):
        found = shutil.which(tool)
        if found:
            (tools / tool).symlink_to(found)
    chromium = tmp_path / "no-chromium"
    env = dict(
        os.environ,
        PATH=f"{fake}{os.pathsep}{tools}",
        LAB_SETUP_SYSTEM_ONLY="1",
        LAB_NEED_CHROMIUM="1",
        KERAS_LENS_CHROMIUM=str(chromium),
        KERAS_LENS_SKIP_BROWSER="",
    )
    env.update(env_extra or {})
    result = subprocess.run(
        [str(tools / "bash"), str(ROOT / "scripts" / "_setup.sh")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    calls = log.read_text().splitlines() if log.exists() else []
    return result, calls


CJK_FONT = {"fc-list": 'echo "/usr/share/fonts/NotoSansCJK-Regular.ttc: Noto Sans CJK SC"'}


def test_setup_installs_with_apt_only_what_is_missing(tmp_path):
    result, calls = _setup_system_step(tmp_path, have={"dot": "exit 0", **CJK_FONT})
    assert result.returncode == 0, result.stderr
    assert calls[0].startswith("update") and calls[1].split()[-1] == "chromium", calls


def test_setup_installs_graphviz_chromium_and_the_cjk_font_on_a_bare_machine(tmp_path):
    result, calls = _setup_system_step(tmp_path, have={"fc-list": "exit 0"}, uid=1000)
    assert result.returncode == 0, result.stderr
    assert calls[0].startswith("update"), calls
    assert calls[1].split()[-3:] == ["graphviz", "chromium", "fonts-noto-cjk"], calls


def test_setup_calls_no_apt_when_nothing_is_missing(tmp_path):
    result, calls = _setup_system_step(
        tmp_path, have={"dot": "exit 0", **CJK_FONT}, env_extra={"KERAS_LENS_SKIP_BROWSER": "1"}
    )
    assert result.returncode == 0, result.stderr
    assert calls == [], f"apt-get called although nothing was missing: {calls}"


def test_setup_without_root_or_sudo_falls_back_to_pip_and_says_so(tmp_path):
    result, calls = _setup_system_step(tmp_path, have=CJK_FONT, uid=1000, sudo_ok=False)
    assert result.returncode == 0, result.stderr
    assert calls == []
    assert "no root/passwordless sudo" in result.stdout and "graphviz" in result.stdout


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


def _matrix_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("matrix", ROOT / "scripts" / "matrix.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_matrix_reports_every_changed_pin_and_allows_additions():
    matrix = _matrix_module()
    before = {"keras": "3.13.2", "ipywidgets": "7.7.1", "numpy": "2.0.2"}
    after = {"keras": "3.15.1", "numpy": "2.0.2", "anywidget": "0.11.0"}
    assert matrix.changed_pins(before, after) == [
        "ipywidgets 7.7.1 -> removed",
        "keras 3.13.2 -> 3.15.1",
    ]
    assert matrix.changed_pins(before, {**before, "psygnal": "0.16.1"}) == []


def test_matrix_environments_are_the_ones_the_issue_asks_for():
    matrix = _matrix_module()
    colab = matrix.ENVIRONMENTS["colab"]
    assert colab["python"].startswith("3.13.")
    for pin in (
        "tensorflow==2.20.",
        "keras==3.13.",
        "ipywidgets==7.7.1",
        "ipython==7.34.",
        "ipykernel==6.17.",
    ):
        assert any(p.startswith(pin) for p in colab["pins"]), pin
    assert matrix.ENVIRONMENTS["jax"]["backend"] == "jax"
    assert not any(p.startswith("tensorflow") for p in matrix.ENVIRONMENTS["jax"]["pins"])
    assert matrix.ENVIRONMENTS["oldest"]["python"].startswith("3.10.")
    # every unit test runs (no deselected corpus model any more), and the venvs get .pyc files
    assert not any(a.startswith("--deselect") for a in matrix.UNIT_TESTS)
    assert matrix.uv_env()["UV_COMPILE_BYTECODE"] == "1"
