"""Helpers of the browser tests: write a notebook, open it in a front end, Run All, wait.

The fixtures (one Jupyter server, one Chromium per test session) are in ``conftest.py``; what a
test module imports is here (``conftest`` cannot be imported by name). JupyterLab and Notebook 7
expose their application as ``window.jupyterapp`` (the server runs with
``expose_app_in_browser``), which the page scripts below drive.

Example:
    >>> from jupyter_pages import FRONT_ENDS, lab_workspace
    >>> FRONT_ENDS["lab"].format(name="x.ipynb")
    'lab/tree/x.ipynb'
    >>> lab_workspace("lab/tree/my_nb.ipynb")
    'lab/workspaces/my-nb/tree/my_nb.ipynb'
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import nbformat
import pytest

__all__ = [
    "FRONT_ENDS",
    "ROOT",
    "RUN_ALL",
    "RUN_TIMEOUT_MS",
    "TOUR",
    "TOUR_DONE",
    "TOUR_EXTRA_CELLS",
    "OpenNotebook",
    "copy_without_outputs",
    "eventually",
    "lab_workspace",
    "open_and_run",
    "open_page",
    "poll",
    "run_state",
    "wait_ready",
    "write_notebook",
]

ROOT = Path(__file__).resolve().parents[2]
#: the toolkit tour (the chapter most browser tests run)
TOUR = ROOT / "notebooks" / "00_toolkit_tour.ipynb"
#: appended to the tour when it is run in a browser: an invalid playground (its error text is on
#: the page, for test_contrast), then a sentinel printed once everything above it has run
TOUR_EXTRA_CELLS = (
    "keras_lens.playground(layer='Conv2D', input_size=3, kernel=5)  # invalid: error text",
    "print('KL_TOUR_READY')",
)
TOUR_DONE = "KL_TOUR_READY"
T = TypeVar("T")
#: Run All of the tour (ResNet50 included) on a loaded 2-core machine
RUN_TIMEOUT_MS = 420_000
#: where a notebook opens in each front end
FRONT_ENDS = {"lab": "lab/tree/{name}", "notebook7": "notebooks/{name}"}

# Runs in the page: wait for the notebook and its kernel, then "Run All Cells".
RUN_ALL = """async () => {
  const app = window.jupyterapp;
  if (!app) { throw new Error('window.jupyterapp missing: expose_app_in_browser not set?'); }
  await app.started;
  let panel = null;
  for (let i = 0; i < 600; i++) {
    panel = app.shell.currentWidget;
    if (panel && panel.sessionContext && panel.content && panel.content.model) break;
    await new Promise(r => setTimeout(r, 100));
  }
  await panel.context.ready;
  await panel.sessionContext.ready;
  await app.commands.execute('notebook:run-all-cells');
}"""

# Runs in the page: null while cells still run; else {error} or {done}. With a sentinel, done is
# the sentinel in a stream output; without (null), every non-empty code cell has run and the
# kernel is idle.
_RUN_STATE = """(sentinel) => {
  const panel = window.jupyterapp.shell.currentWidget;
  const cells = panel.content.model.cells;
  let waiting = false;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells.get(i).toJSON();
    for (const out of cell.outputs || []) {
      if (out.output_type === 'error') return {error: `cell ${i}: ${out.ename}: ${out.evalue}`};
      if (sentinel !== null && out.output_type === 'stream' && String(out.text).includes(sentinel))
        return {done: true};
    }
    if (cell.cell_type === 'code' && String(cell.source).trim() && cell.execution_count === null)
      waiting = true;
  }
  if (sentinel !== null) return null;
  const busy = panel.sessionContext.session?.kernel?.status !== 'idle';
  return waiting || busy ? null : {done: true};
}"""

_READY = """() => { const p = window.jupyterapp.shell.currentWidget;
  return p && p.content && p.content.model && p.context && p.context.isReady; }"""

# Page-level XSS tripwire, installed before any page script runs.
_TRIPWIRE = """
window.__xss = false;
window.alert = window.confirm = window.prompt = function () { window.__xss = true; };
"""


@dataclass
class OpenNotebook:
    """A notebook opened in one front end, run to the end, with what the page reported."""

    page: Any
    front_end: str
    shots: Path
    dialogs: list[str] = field(default_factory=list)

    def shot(self, name: str) -> Path:
        path = self.shots / f"{self.front_end}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


def write_notebook(path: Path, cells: Iterable[str]) -> Path:
    """A new python3 notebook at ``path`` with one code cell per source."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in cells]
    nbformat.write(nb, path)
    return path


def copy_without_outputs(source: Path, path: Path, extra_cells: Iterable[str] = ()) -> Path:
    """``source`` (a chapter) written to ``path`` without its stored outputs, ``extra_cells``
    appended as code cells: what a learner who clears the outputs runs."""
    nb = nbformat.read(source, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nb.cells += [nbformat.v4.new_code_cell(code) for code in extra_cells]
    nbformat.write(nb, path)
    return path


def lab_workspace(path: str) -> str:
    """``lab/tree/<name>`` -> ``lab/workspaces/<stem>/tree/<name>``: a workspace of its own, so
    the shared server restores no other module's notebook beside it (``JupyterServer.url`` does
    this to every path). Other paths unchanged."""
    if not path.startswith("lab/tree/"):
        return path
    name = path[len("lab/tree/") :]
    stem = re.sub(r"[^A-Za-z0-9-]+", "-", Path(name).stem).strip("-") or "nb"
    return f"lab/workspaces/{stem}/tree/{name}"


def run_state(sentinel: str | None = None) -> tuple[str, str | None]:
    """The page function and argument of ``page.wait_for_function`` that waits for a Run All."""
    return _RUN_STATE, sentinel


def open_page(server, context, path: str, *, tripwire: bool = False, timeout_ms: int = 20_000):
    """A new page with the notebook at ``path`` open and its document context ready."""
    page = context.new_page()
    page.set_default_timeout(timeout_ms)
    if tripwire:
        page.add_init_script(_TRIPWIRE)
    page.goto(server.url(path))
    wait_ready(page)
    return page


def wait_ready(page) -> None:
    """Wait until the page's application runs and its current notebook is loaded."""
    page.wait_for_function("() => !!window.jupyterapp", timeout=60_000)
    page.wait_for_function(_READY, timeout=60_000)


def open_and_run(
    server,
    context,
    shots: Path,
    label: str,
    path: str,
    done: str | None = None,
    *,
    timeout_ms: int = RUN_TIMEOUT_MS,
    page_timeout_ms: int = 15_000,
) -> OpenNotebook:
    """Open ``path`` on the server in a fresh page (with the XSS tripwire), run all cells, wait
    for ``done`` in a stream output (``None``: for every cell to have run); fail (with a
    screenshot) on a cell error or a timeout."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page = context.new_page()
    page.set_default_timeout(page_timeout_ms)
    page.add_init_script(_TRIPWIRE)
    opened = OpenNotebook(page, label, shots)
    page.on("dialog", lambda d: (opened.dialogs.append(d.message), d.dismiss()))
    started = time.monotonic()
    page.goto(server.url(path))
    page.wait_for_function("() => !!window.jupyterapp", timeout=60_000)
    page.evaluate(RUN_ALL)
    try:
        handle = page.wait_for_function(_RUN_STATE, arg=done, timeout=timeout_ms)
    except PlaywrightTimeout as exc:
        opened.shot("run-timeout")
        pytest.fail(f"{label}: notebook did not finish running: {exc}\n{server.log_tail()}")
    state = handle.json_value()
    if "error" in state:
        shot = opened.shot("run-error")
        pytest.fail(f"{label}: the notebook raised {state['error']} (screenshot {shot})")
    print(f"{label}: notebook opened and ran in {time.monotonic() - started:.1f} s")
    return opened


def eventually(check: Callable[[], Any], what: str, timeout: float = 20.0) -> None:
    """Poll ``check()`` until it is true; fail saying what did not happen."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.1)


def poll(read: Callable[[], T], done: Callable[[T], bool], timeout: float, every: float = 0.2) -> T:
    """``read()`` until ``done(value)`` or ``timeout`` seconds have passed; the last value (the
    caller's assertions then say what was wrong with it)."""
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if done(value) or time.monotonic() > deadline:
            return value
        time.sleep(every)
