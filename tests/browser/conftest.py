"""Fixtures for the browser tests: one Jupyter server and one headless Chromium per module.

The server (JupyterLab, which also serves Notebook 7 when the ``notebook`` package is installed)
listens on a free loopback port with a random token; its config, data, runtime and root
directories are temporary, so nothing is written into the repository or the user's ~/.jupyter.
Chromium is Debian's (``/usr/bin/chromium``, or ``$KERAS_LENS_CHROMIUM``), driven by Playwright
with ``executable_path``: ``playwright install`` is never needed.

Set ``KERAS_LENS_SKIP_BROWSER=1`` to skip these tests on a machine without Chromium. Without it,
a missing or broken Chromium is a test failure that says what to install.

Example:
    bash scripts/test.sh tests/browser      # just the browser tests
"""

from __future__ import annotations

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
from dataclasses import dataclass
from pathlib import Path

import pytest

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
_ARTIFACTS: list[Path] = []

# JupyterLab / Notebook 7 user settings: render every cell (no virtual scrolling) and ask no
# questions about news, so what a test looks for is in the DOM and nothing covers it.
_USER_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if os.environ.get("KERAS_LENS_SKIP_BROWSER") != "1":
        return
    skip = pytest.mark.skip(reason="KERAS_LENS_SKIP_BROWSER=1: browser tests opted out")
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(skip)


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

    def url(self, path: str) -> str:
        return f"{self.base}/{path.lstrip('/')}?token={self.token}"

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


@pytest.fixture(scope="module")
def jupyter_server() -> Iterator[JupyterServer]:
    """JupyterLab on 127.0.0.1:<free port>, everything it writes in a temporary directory."""
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
        _wait_until_up(proc, server)
        yield server
    finally:
        _stop(proc)
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="module")
def browser_context():
    """A headless Chromium with a fresh profile; fails (not skips) when it cannot start."""
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


@pytest.fixture(scope="module")
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
