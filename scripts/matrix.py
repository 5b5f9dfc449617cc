"""The compatibility matrix: keras-lens tested in environments other than the main one.

Run by ``.ci/run`` (through ``scripts/matrix.sh``); stdlib only.

    python3 scripts/matrix.py                      # every environment
    python3 scripts/matrix.py colab jax            # some of them
    python3 scripts/matrix.py --prepare --work D   # only build the venvs in D (what .ci/run
                                                   # does while the main suite runs)
    python3 scripts/matrix.py --work D             # test in D (builds what is not built yet)
    python3 scripts/matrix.py --list

Each environment is a fresh venv made from a pyenv Python (``~/.pyenv/versions/X``, or
``$KERAS_LENS_PYENV``) by ``uv`` (installed from PyPI into ``~/.cache/keras-lens-ci/tools`` the
first time, unless one is on PATH). It installs the environment's pinned stack, then the *built
wheel* of keras-lens (not an editable checkout), checks with ``uv pip freeze`` before/after that
installing keras-lens changed none of the pinned packages, installs the test tools under the
same constraints, and runs the unit tests (no browser, no lint: those are
environment-independent and run in the main suite). The environments are built concurrently
(downloads and unpacking, mostly I/O) and tested ``--jobs`` at a time (default 2: the CI machine
has 2 cores). Each step's time is printed.

Why uv and not pip: pip's HTTP cache stores nothing on these machines (the PyPI proxy's answers
carry no Cache-Control, ETag or Last-Modified header, and pip caches only what HTTP allows), so
every run downloaded TensorFlow again; uv keeps every wheel it downloaded in
``~/.cache/keras-lens-ci/uv`` whatever the headers say, and resolves and downloads in parallel.

Environments:
  colab        Python 3.13 with Colab's pins (TensorFlow 2.20, Keras 3.13, ipywidgets 7.7.1,
               IPython 7.34.0, ipykernel 6.17.1, ...), ``google.colab`` stubbed. Runs the
               chapters' setup cell as Colab would (its ``%pip install`` of keras-lens, with
               pip), then the unit tests and one chapter under nbval.
  oldest       the oldest of everything ``pyproject.toml`` claims: Python 3.10, Keras 3.8,
               ipywidgets 7.6, anywidget 0.9, numpy 1.26, matplotlib 3.8, pydot 3.0.
  jax          KERAS_BACKEND=jax and no TensorFlow installed: only keras, jax and the wheel;
               every entry point (scripts/matrix_smoke.py) and the unit tests that do not
               need TensorFlow (the others are marked ``tensorflow`` and skipped there).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYENV = Path(os.environ.get("KERAS_LENS_PYENV", Path.home() / ".pyenv" / "versions"))
CACHE = Path(os.environ.get("KERAS_LENS_CI_CACHE", Path.home() / ".cache" / "keras-lens-ci"))
#: uv's own version range (a tool of this script, not of the package)
UV_REQUIREMENT = "uv>=0.9,<1"

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


_PRINT = threading.Lock()


def log(env: str, text: str) -> None:
    with _PRINT:
        print(f"[matrix:{env}] {text}", flush=True)


def run(label: str, args: list, *, check: bool = True, logfile: Path | None = None, **kw):
    """Run ``args``; its output goes to ``logfile`` (appended) when given. Prints the time."""
    started = time.monotonic()
    shown = " ".join(str(a) for a in args)
    if logfile is not None and "capture_output" not in kw:
        with logfile.open("a") as out:
            out.write(f"$ {shown}\n")
            out.flush()
            result = subprocess.run(args, stdout=out, stderr=subprocess.STDOUT, text=True, **kw)
    else:
        result = subprocess.run(args, **kw)
    took = time.monotonic() - started
    log(label, f"{took:6.1f} s  {shown[:150]}")
    if check and result.returncode != 0:
        if kw.get("capture_output"):
            output = (result.stdout or "") + (result.stderr or "")
        elif logfile is not None:
            output = logfile.read_text()
        else:
            output = ""
        raise Failed(f"exit {result.returncode}: {shown[:200]}\n{output[-4000:]}")
    return result


def find_uv() -> str:
    """``uv`` from PATH, else the one in the cache's tools venv (installed there with pip once)."""
    found = shutil.which("uv")
    if found:
        return found
    tools = CACHE / "tools"
    uv = tools / "bin" / "uv"
    if not uv.exists():
        run("uv", [sys.executable, "-m", "venv", tools])
        pip = [tools / "bin" / "python", "-m", "pip", "install", "--quiet"]
        run("uv", [*pip, UV_REQUIREMENT])
    return str(uv)


def uv_env() -> dict:
    env = dict(os.environ)
    env.setdefault("UV_CACHE_DIR", str(CACHE / "uv"))
    # the system's certificates (a proxy's CA lives there), not only uv's bundled roots
    env.setdefault("UV_NATIVE_TLS", "1")
    # the venvs and the cache are on one disk here: hard links, no copies of TensorFlow
    env.setdefault("UV_LINK_MODE", "hardlink")
    # .pyc files at install time, as pip writes them: the tests run with
    # PYTHONDONTWRITEBYTECODE=1, and without them every fresh process compiled TensorFlow's
    # sources again (measured: 3 tests that start processes took 850 s of the 2280 s)
    env.setdefault("UV_COMPILE_BYTECODE", "1")
    env.pop("VIRTUAL_ENV", None)
    return env


def freeze(env: str, python: Path) -> dict[str, str]:
    """Every installed distribution -> its version (``uv pip freeze``: pip's own took 6-10 s)."""
    out = run(
        env,
        [find_uv(), "pip", "freeze", "--python", python],
        capture_output=True,
        text=True,
        env=uv_env(),
    )
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


def build_wheel(uv: str, work: Path) -> Path:
    """The wheel of this checkout, built by ``uv build`` from a copy (the repo stays clean)."""
    existing = sorted(work.glob("keras_lens-*.whl"))
    if existing:
        return existing[-1]
    src = work / "src"
    ignore = shutil.ignore_patterns(".venv", ".git", "build", "dist", "*.egg-info", "__pycache__")
    shutil.rmtree(src, ignore_errors=True)
    shutil.copytree(ROOT, src, ignore=ignore)
    run(
        "build",
        [uv, "build", "--wheel", "--out-dir", work, src],
        capture_output=True,
        text=True,
        env=uv_env(),
    )
    shutil.rmtree(src, ignore_errors=True)
    (wheel,) = work.glob("keras_lens-*.whl")
    return wheel


def stub_google_colab(site: Path) -> None:
    """A tiny ``google.colab`` (the setup cell only asks whether it is importable)."""
    stub = site.parent / "colab-stub"
    (stub / "google" / "colab").mkdir(parents=True, exist_ok=True)
    (stub / "google" / "colab" / "__init__.py").write_text('"""Stub: this is not Colab."""\n')
    (site / "colab_stub.pth").write_text(f"{stub}\n")


def site_packages(python: Path) -> Path:
    out = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    )
    return Path(out.stdout.strip())


def test_environ(name: str, spec: dict, python: Path, work: Path) -> dict:
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
    return env


def prepare_env(name: str, spec: dict, uv: str, wheel: Path, work: Path) -> Path:
    """Build the venv of ``name`` in ``work`` and check the pins; returns its python.

    Writes ``work/venv-NAME/.prepared`` (what the check found) when everything passed, so a
    later call (the test phase of .ci/run) reuses the venv."""
    venv = work / f"venv-{name}"
    python = venv / "bin" / "python"
    marker = venv / ".prepared"
    if marker.exists():
        log(name, f"reusing the venv prepared in {venv}: {json.loads(marker.read_text())}")
        return python
    base = PYENV / spec["python"] / "bin" / "python3"
    if not base.exists():
        raise Failed(f"{base} not found: install Python {spec['python']} with pyenv")
    logfile = work / f"{name}.log"
    shutil.rmtree(venv, ignore_errors=True)
    uvenv = uv_env()
    # --seed: pip in the venv, as on Colab (the setup cell runs %pip)
    run(name, [uv, "venv", "--quiet", "--seed", "--python", base, venv], env=uvenv)
    install = [uv, "pip", "install", "--python", python]
    run(name, [*install, *spec["pins"]], env=uvenv, logfile=logfile)
    env = test_environ(name, spec, python, work)
    before = freeze(name, python)
    if name == "colab":
        stub_google_colab(site_packages(python))
        setup_cell = subprocess.run(
            [sys.executable, str(ROOT / "scripts" / "setup_cell.py")],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        cell = work / "setup_cell.ipy"
        cell.write_text(setup_cell)
        started = time.monotonic()
        # the cell's %pip install is pip's, as on Colab (uv is only this script's tool)
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
            f"{time.monotonic() - started:.1f} s; it printed:\n{result.stdout[-1500:]}",
        )
        if "Keras 3.13" not in result.stdout:
            raise Failed("the setup cell did not print the environment line")
    else:
        run(name, [*install, wheel], env=uvenv, logfile=logfile)
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
    run(name, [*install, "-c", constraints, *TEST_TOOLS], env=uvenv, logfile=logfile)
    still = changed_pins(kept, freeze(name, python))
    if still:
        raise Failed(f"installing the test tools changed packages: {still}")
    marker.write_text(json.dumps({"preinstalled": len(before), "added": added}))
    return python


def pytest_run(name: str, python: Path, args: list[str], env: dict, logfile: Path) -> str:
    """Run pytest; returns its last line (the counts). Its whole output is printed after."""
    result = run(
        name, [python, "-m", "pytest", *args], check=False, cwd=ROOT, env=env, logfile=logfile
    )
    lines = [line for line in logfile.read_text().splitlines() if line.strip()]
    summary = lines[-1] if lines else "(no output)"
    if result.returncode == 5:
        raise Failed("pytest collected no tests (exit 5)")
    if result.returncode != 0:
        raise Failed(f"pytest failed (exit {result.returncode}): {summary}")
    return summary


def test_env(name: str, spec: dict, python: Path, work: Path) -> list[str]:
    """The tests of one prepared environment; returns pytest's summary lines."""
    env = test_environ(name, spec, python, work)
    logfile = work / f"{name}-tests.log"
    logfile.write_text("")
    summaries = []
    try:
        if name == "jax":
            run(
                name,
                [python, str(ROOT / "scripts" / "matrix_smoke.py")],
                cwd=work,
                env=env,
                logfile=logfile,
            )
        summaries.append(pytest_run(name, python, UNIT_TESTS, env, logfile))
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
            summaries.append(pytest_run(name, python, nbval, env, logfile))
    finally:
        with _PRINT:
            print(f"----- [matrix:{name}] test output -----\n{logfile.read_text()}", flush=True)
    return summaries


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="keras-lens compatibility matrix")
    parser.add_argument("envs", nargs="*", help=f"some of {', '.join(ENVIRONMENTS)} (default: all)")
    parser.add_argument("--list", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the venvs (prints where)")
    parser.add_argument("--work", type=Path, help="the folder of the venvs (kept; reused)")
    parser.add_argument("--prepare", action="store_true", help="only build and check the venvs")
    parser.add_argument("--jobs", type=int, default=2, help="environments tested at once")
    args = parser.parse_args(argv)
    if args.list:
        for name, spec in ENVIRONMENTS.items():
            print(f"{name}: Python {spec['python']}, {spec['backend']}, {' '.join(spec['pins'])}")
        return 0
    unknown = [e for e in args.envs if e not in ENVIRONMENTS]
    if unknown:
        parser.error(f"unknown environment(s) {unknown}; choose from {list(ENVIRONMENTS)}")
    names = args.envs or list(ENVIRONMENTS)
    if args.work:
        work = args.work.resolve()
        work.mkdir(parents=True, exist_ok=True)
    else:
        work = Path(tempfile.mkdtemp(prefix="keras-lens-matrix-"))
    keep = args.keep or args.work is not None
    times: dict[str, str] = {}
    failed: list[str] = []

    def one(name: str) -> None:
        started = time.monotonic()
        phase = "prepare"
        try:
            python = prepare_env(name, ENVIRONMENTS[name], uv, wheel, work)
            took = time.monotonic() - started
            times[name] = f"prepared in {took:.0f} s"
            if args.prepare:
                return
            phase = "tests"
            tests.acquire()
            try:
                started_tests = time.monotonic()
                summaries = test_env(name, ENVIRONMENTS[name], python, work)
            finally:
                tests.release()
            times[name] += (
                f", tests passed in {time.monotonic() - started_tests:.0f} s: "
                + " | ".join(summaries)
            )
        except Exception as exc:  # a Failed, or anything unexpected: report, go on
            log(name, f"FAILED ({phase}): {exc}")
            failed.append(name)
            times[name] = times.get(name, "") + f" FAILED in {phase}"

    started_all = time.monotonic()
    try:
        uv = find_uv()
        started = time.monotonic()
        wheel = build_wheel(uv, work)
        times["build"] = f"{wheel.name} in {time.monotonic() - started:.0f} s"
        tests = threading.BoundedSemaphore(max(1, args.jobs))
        with concurrent.futures.ThreadPoolExecutor(len(names)) as pool:
            list(pool.map(one, names))
    except Failed as exc:
        log("matrix", f"FAILED: {exc}")
        failed.append("build")
    finally:
        if keep:
            print(f"[matrix] venvs kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    for name, text in times.items():
        print(f"[matrix] {name:7s} {text}")
    verb = "prepared" if args.prepare else "tested"
    print(
        f"[matrix] {len(names) - len(failed)} of {len(names)} environments {verb} in "
        f"{time.monotonic() - started_all:.0f} s{': FAILED ' + ', '.join(failed) if failed else ''}"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
