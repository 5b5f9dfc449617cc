"""Fixtures for the browser tests: one Jupyter server and one headless Chromium per session.

The server (JupyterLab, which also serves Notebook 7 when the ``notebook`` package is installed)
listens on a free loopback port with a random token; its config, data, runtime and root
directories are temporary, so nothing is written into the repository or the user's ~/.jupyter.
Server, Chromium and the screenshot folder are started once per pytest process (per xdist
worker) and shared by every browser module: file names in ``jupyter_server.root`` are unique per
module, a module that changes a user setting (theme, language) restores it, and the kernels a
module started are shut down when it ends. ``lab_tour`` is the toolkit tour run once in
JupyterLab, for every module that looks at it. Helpers to open and run notebooks are in
``jupyter_pages.py``.
Chromium is Debian's (``/usr/bin/chromium``, or ``$KERAS_LENS_CHROMIUM``), driven by Playwright
with ``executable_path``: ``playwright install`` is never needed.

Set ``KERAS_LENS_SKIP_BROWSER=1`` to skip these tests on a machine without Chromium. Without it,
a missing or broken Chromium is a test failure that says what to install.

Example:
    bash scripts/test.sh tests/browser      # just the browser tests
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from jupyter_pages import (
    TOUR,
    TOUR_DONE,
    TOUR_EXTRA_CELLS,
    OpenNotebook,
    copy_without_outputs,
    lab_workspace,
    open_and_run,
)

CHROMIUM = os.environ.get("KERAS_LENS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SERVER_START_TIMEOUT = 60.0
HERE = Path(__file__).resolve().parent
_ARTIFACTS: list[Path] = []
_RUNNING: dict[str, JupyterServer] = {}  # the session's server, once started

# JupyterLab / Notebook 7 user settings: render every cell (no virtual scrolling) and ask no
# questions about news, so what a test looks for is in the DOM and nothing covers it.
_USER_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


@pytest.hookimpl(tryfirst=True)  # before `-m` selects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test under tests/browser is marked ``browser``; all are skipped with
    ``KERAS_LENS_SKIP_BROWSER=1``."""
    skip = os.environ.get("KERAS_LENS_SKIP_BROWSER") == "1"
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)
            if skip:
                item.add_marker(
                    pytest.mark.skip(reason="KERAS_LENS_SKIP_BROWSER=1: browser tests opted out")
                )


def pytest_terminal_summary(terminalreporter) -> None:
    for path in _ARTIFACTS:
        terminalreporter.write_line(f"browser test screenshots: {path}")


@dataclass(frozen=True)
class JupyterServer:
    """A running server: ``url(path)`` gives a tokened address, ``root`` its notebook folder."""

    base: str
    token: str
    root: Path
    log: Path
    #: notebook paths (relative to ``root``) whose kernels outlive the module that started them
    pinned: set[str] = field(default_factory=set, compare=False)

    def url(self, path: str) -> str:
        """``base/path?token=...``; a ``lab/tree/<name>`` path opens in a workspace of its own
        (``lab_workspace``), so the shared server restores no other module's notebook beside it."""
        return f"{self.base}/{lab_workspace(path.lstrip('/'))}?token={self.token}"

    def api(self, path: str, method: str = "GET") -> Any:
        """Call the server's REST API (``api/sessions`` ...); the decoded JSON reply or None."""
        request = urllib.request.Request(self.url(f"api/{path}"), method=method)
        with urllib.request.urlopen(request, timeout=30) as reply:
            body = reply.read()
        return json.loads(body) if body else None

    def session_ids(self) -> set[str]:
        """The ids of the kernel sessions open now (one per notebook with a kernel)."""
        return {session["id"] for session in self.api("sessions")}

    def shut_down_sessions(self, keep: set[str]) -> int:
        """Shut down every kernel session not in ``keep`` (and not of a pinned notebook)."""
        count = 0
        for session in self.api("sessions"):
            if session["id"] in keep or session.get("path") in self.pinned:
                continue
            with contextlib.suppress(OSError):
                self.api(f"sessions/{session['id']}", method="DELETE")
                count += 1
        return count

    def log_tail(self, lines: int = 30) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _write_user_settings(config_dir: Path) -> None:
    base = config_dir / "lab" / "user-settings"
    for rel, value in _USER_SETTINGS.items():
        path = base / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))


def _wait_until_up(proc: subprocess.Popen, server: JupyterServer) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"Jupyter server exited with {proc.returncode}:\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(server.url("api/status"), timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"Jupyter server not up after {SERVER_START_TIMEOUT:.0f} s:\n{server.log_tail()}")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)  # the server shuts its kernels down on SIGTERM
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # our own process group (start_new_session)
        proc.wait(timeout=5)


@pytest.fixture(scope="session")
def jupyter_server() -> Iterator[JupyterServer]:
    """JupyterLab (and Notebook 7) on 127.0.0.1:<free port>, everything it writes in a temporary
    directory; one per test session (xdist worker), shared by all browser modules."""
    tmp = Path(tempfile.mkdtemp(prefix="keras-lens-jupyter-"))
    dirs = {name: tmp / name for name in ("config", "data", "runtime", "ipython", "root")}
    for path in dirs.values():
        path.mkdir()
    _write_user_settings(dirs["config"])
    env = dict(os.environ)
    env.update(
        JUPYTER_CONFIG_DIR=str(dirs["config"]),
        JUPYTER_DATA_DIR=str(dirs["data"]),
        JUPYTER_RUNTIME_DIR=str(dirs["runtime"]),
        IPYTHONDIR=str(dirs["ipython"]),
        JUPYTER_PLATFORM_DIRS="0",
        KERAS_LENS_DATA=os.environ.get("KERAS_LENS_DATA", "bundled"),
        TF_CPP_MIN_LOG_LEVEL="2",
        PYTHONDONTWRITEBYTECODE="1",
        PATH=os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
    )
    port, token = _free_port(), secrets.token_hex(16)
    server = JupyterServer(f"http://127.0.0.1:{port}", token, dirs["root"], tmp / "server.log")
    cmd = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={dirs['root']}",
        "--ServerApp.terminals_enabled=False",
        "--ServerApp.allow_root=True",  # CI runs as root; the server is loopback-only
        "--LabApp.extension_manager=readonly",  # no registry look-ups from the test server
        "--LabApp.expose_app_in_browser=True",
        "--JupyterNotebookApp.expose_app_in_browser=True",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    with server.log.open("wb") as log:
        proc = subprocess.Popen(
            cmd, env=env, cwd=tmp, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        started = time.monotonic()
        _wait_until_up(proc, server)
        print(f"Jupyter server up in {time.monotonic() - started:.1f} s")
        _RUNNING["server"] = server
        yield server
    finally:
        _RUNNING.pop("server", None)
        _stop(proc)
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="module", autouse=True)
def _module_kernels(request: pytest.FixtureRequest) -> Iterator[None]:
    """At the end of each module, shut down the kernels it started in the shared server (a
    kernel per opened notebook would otherwise live, and hold its memory, to the session's end)."""
    server = _RUNNING.get("server")
    before = server.session_ids() if server else set()
    yield
    server = _RUNNING.get("server")
    if server is not None:
        with contextlib.suppress(OSError):
            count = server.shut_down_sessions(keep=before)
            print(f"{request.module.__name__}: shut down {count} kernel session(s)")


@pytest.fixture(scope="session")
def browser_context():
    """A headless Chromium with a fresh profile, one per test session; fails (not skips) when it
    cannot start."""
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install it (`apt-get install chromium`), point "
            "KERAS_LENS_CHROMIUM at a Chromium binary, or opt out with KERAS_LENS_SKIP_BROWSER=1"
        )
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError as exc:
        pytest.fail(f"playwright is not installed ({exc}): run `bash scripts/test.sh`")
    profile = Path(tempfile.mkdtemp(prefix="keras-lens-chromium-"))
    try:
        with sync_playwright() as pw:
            context, problem = None, ""
            try:
                context = pw.chromium.launch_persistent_context(
                    str(profile),
                    executable_path=CHROMIUM,
                    headless=True,
                    args=CHROMIUM_ARGS,
                    viewport={"width": 1280, "height": 900},
                    timeout=30_000,
                )
            except Error as exc:
                problem = str(exc).splitlines()[0]
            if context is None:
                pytest.fail(
                    f"Chromium at {CHROMIUM} could not start ({problem}). Reinstall it "
                    "(`apt-get install chromium`) or opt out with KERAS_LENS_SKIP_BROWSER=1."
                )
            try:
                yield context
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Where screenshots go: $KERAS_LENS_ARTIFACTS or a new temporary directory (kept)."""
    root = os.environ.get("KERAS_LENS_ARTIFACTS")
    if root:
        path = Path(root)
        path.mkdir(parents=True, exist_ok=True)
    else:
        path = Path(tempfile.mkdtemp(prefix="keras-lens-screenshots-"))
    _ARTIFACTS.append(path)
    print(f"browser test screenshots: {path}")
    return path


@pytest.fixture(scope="session")
def lab_tour(jupyter_server, browser_context, artifacts_dir) -> Iterator[OpenNotebook]:
    """The toolkit tour, copied without its stored outputs (plus ``TOUR_EXTRA_CELLS``), run once
    in JupyterLab in a workspace of its own; shared by the modules that look at it (its kernel
    lives to the session's end). Leave its page as you found it (theme); never close it."""
    name = "shared_tour_lab.ipynb"
    copy_without_outputs(TOUR, jupyter_server.root / name, TOUR_EXTRA_CELLS)
    jupyter_server.pinned.add(name)
    opened = open_and_run(
        jupyter_server,
        browser_context,
        artifacts_dir,
        "lab-tour",
        f"lab/workspaces/tour/tree/{name}",
        TOUR_DONE,
        page_timeout_ms=20_000,
    )
    yield opened
    opened.shot("final")
    opened.page.close()
