"""pyproject.toml and environment.yml must agree, so conda and pip users get the same lab."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
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


def _extra(project: dict, name: str) -> dict[str, str]:
    """An extra's requirements, with the extras it names (``keras-lens[lab]``) spelled out."""
    out: dict[str, str] = {}
    for requirement in project["optional-dependencies"][name]:
        inner = re.fullmatch(r"keras-lens\[([a-z,]+)\]", requirement)
        if inner:
            for sub in inner.group(1).split(","):
                out.update(_extra(project, sub))
        else:
            out.update([_normalise(requirement)])
    return out


def test_environment_pip_list_matches_pyproject():
    """environment.yml = dependencies + [test] (which includes [lab]); a pin in an extra wins."""
    project = _pyproject()["project"]
    wanted = dict(_normalise(r) for r in project["dependencies"])
    wanted.update(_extra(project, "test"))
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
    # both ends are installed and tested by scripts/matrix.sh (3.10: oldest-keras, 3.13: colab)
    assert _pyproject()["project"]["requires-python"] == ">=3.10,<3.14"
    matrix = (ROOT / "scripts" / "matrix.py").read_text()
    assert '"python": "3.10.' in matrix and '"python": "3.13.' in matrix


def test_runtime_dependencies_are_what_a_users_environment_accepts():
    """No TensorFlow, no Jupyter server, no test tooling: installing keras-lens into Colab's
    stack must change none of its packages (scripts/matrix.py measures it with pip freeze)."""
    project = _pyproject()["project"]
    deps = dict(_normalise(r) for r in project["dependencies"])
    assert deps == {
        "keras": ">=3.8,<4",
        "numpy": ">=1.26,<3",
        "matplotlib": ">=3.8,<4",
        "pydot": ">=3,<5",
        "ipywidgets": ">=7.6,<9",
        "traitlets": ">=5.4",
        "anywidget": ">=0.9",
    }
    lab = _extra(project, "lab")
    assert lab["tensorflow"] == ">=2.21,<2.22" and lab["keras"] == ">=3.15,<3.16"
    for name in ("jupyterlab", "notebook", "ipykernel", "jupyterlab-language-pack-zh-cn"):
        assert name in lab, name
    test = _extra(project, "test")
    for name in ("pytest", "nbval", "nbformat", "nbclient", "graphviz-pure", "build", "twine"):
        assert name in test, name
    for extra in ("gpu", "graphviz", "dev"):
        assert extra in project["optional-dependencies"], extra


def test_keras_range_matches_what_the_package_says_it_is_tested_with():
    from keras_lens.adapter._keras_version import SUPPORTED_KERAS, TESTED_KERAS_RANGE

    assert SUPPORTED_KERAS == (">=3.8", "<3.16")
    matrix = (ROOT / "scripts" / "matrix.py").read_text()
    oldest = "{}.{}".format(*TESTED_KERAS_RANGE[0])
    assert f"keras=={oldest}." in matrix, "the matrix must test the oldest Keras claimed"
    deps = dict(_normalise(r) for r in _pyproject()["project"]["dependencies"])
    assert deps["keras"].startswith(SUPPORTED_KERAS[0] + ",")


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


def _built(tmp_path_factory) -> dict[str, Path]:
    """Build the sdist and wheel from a copy of the repository (offline: --no-isolation uses
    this environment's setuptools), so the build leaves nothing in the work tree."""
    src = tmp_path_factory.mktemp("src") / "keras-lens"
    ignore = shutil.ignore_patterns(".venv", ".git", "build", "dist", "*.egg-info", "__pycache__")
    shutil.copytree(ROOT, src, ignore=ignore)
    out = tmp_path_factory.mktemp("dist")
    result = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(src)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    (wheel,) = out.glob("*.whl")
    (sdist,) = out.glob("*.tar.gz")
    return {"wheel": wheel, "sdist": sdist}


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    pytest.importorskip("build")
    return _built(tmp_path_factory)


def test_build_and_twine_check_pass(built):
    pytest.importorskip("twine")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "twine",
            "check",
            "--strict",
            str(built["wheel"]),
            str(built["sdist"]),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("PASSED") == 2, result.stdout


def test_wheel_has_license_data_and_only_the_runtime_requirements(built):
    import keras_lens

    with zipfile.ZipFile(built["wheel"]) as wheel:
        names = wheel.namelist()
        (metadata,) = [n for n in names if n.endswith(".dist-info/METADATA")]
        meta = wheel.read(metadata).decode()
    assert built["wheel"].name == f"keras_lens-{keras_lens.__version__}-py3-none-any.whl"
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names), names
    assert "keras_lens/data/t10k-images-idx3-ubyte.gz" in names
    assert "keras_lens/py.typed" in names
    assert not any(n.startswith(("tests/", "notebooks/")) for n in names)
    assert "License-Expression: Apache-2.0" in meta
    unconditional = [
        line.split(":", 1)[1].strip()
        for line in meta.splitlines()
        if line.startswith("Requires-Dist:") and "extra ==" not in line
    ]
    names_only = sorted(_normalise(r)[0] for r in unconditional)
    assert names_only == sorted(
        ["anywidget", "ipywidgets", "keras", "matplotlib", "numpy", "pydot", "traitlets"]
    ), unconditional


def test_sdist_ships_no_tests_without_their_fixtures(built):
    """The suite needs the whole repository (conftest, goldens, notebooks): ship all or none."""
    with tarfile.open(built["sdist"]) as sdist:
        names = [name.split("/", 1)[1] for name in sdist.getnames() if "/" in name]
    assert not [n for n in names if n.startswith(("tests/", "notebooks/"))]
    for needed in ("LICENSE", "CHANGELOG.md", "README.md", "pyproject.toml"):
        assert needed in names, needed
    assert "widgets/keras_lens/adapter/__init__.py" in names


def test_tests_package_is_this_folder_even_when_another_tests_package_is_on_the_path(tmp_path):
    """IPython 7 (Colab) puts IPython/extensions, which holds a package ``tests``, on sys.path;
    the root conftest.py binds ``tests`` to this repository's folder first."""
    impostor = tmp_path / "tests"
    impostor.mkdir()
    (impostor / "__init__.py").write_text("")
    code = (
        "import importlib.util, sys; "
        f"sys.path.insert(0, {str(tmp_path)!r}); "
        "print(importlib.util.find_spec('tests.seed_models') is None); "
        f"sys.path.insert(0, {str(ROOT)!r}); import conftest; "
        "print(importlib.util.find_spec('tests.seed_models').origin)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    without, origin = out.stdout.splitlines()
    assert without == "True"  # the impostor alone hides our seed_models: the bug
    assert origin == str(ROOT / "tests" / "seed_models.py")
