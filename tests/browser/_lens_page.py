"""Helpers of the inspect-progress and shapes-tab browser tests (not a test module).

Write a notebook into the test server's folder, open it in JupyterLab or Notebook 7, start
"Run All" without waiting, and read the page's notebook model (outputs as JupyterLab holds them,
i.e. what "Save" writes). A page-side ticker (every 20 ms) records when things first appear.

Example:
    >>> page = open_notebook(server, context, "lab", "x.ipynb")   # doctest: +SKIP
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import jupyter_pages
import pytest

__all__ = [
    "FRONT_ENDS",
    "cell_outputs",
    "eventually",
    "open_notebook",
    "run_all",
    "wait_done",
    "write_notebook",
]

FRONT_ENDS = {"lab": "lab/tree/{name}", "notebook7": "notebooks/{name}"}
#: The first cell of every test notebook: the test server's kernels are headless by default
#: (they inherit pytest's environment), a learner's are not.
LIVE = 'import os\n\nos.environ["KERAS_LENS_HEADLESS"] = "0"  # a live front end, as a learner has'


def write_notebook(path: Path, cells: list[str]) -> None:
    """A test notebook at ``path``: the ``LIVE`` cell, then ``cells``."""
    jupyter_pages.write_notebook(path, [LIVE, *cells])


_START = """async () => {
  const app = window.jupyterapp;
  await app.started;
  let panel = null;
  for (let i = 0; i < 600; i++) {
    panel = app.shell.currentWidget;
    if (panel && panel.sessionContext && panel.content && panel.content.model) break;
    await new Promise(r => setTimeout(r, 100));
  }
  await panel.context.ready;
  await panel.sessionContext.ready;
  return true;
}"""

_RUN_ALL = """() => {
  window.jupyterapp.commands.execute('notebook:run-all-cells');  // not awaited
  return Date.now();
}"""

_STATE = """(sentinel) => {
  const cells = window.jupyterapp.shell.currentWidget.content.model.cells;
  for (let i = 0; i < cells.length; i++) {
    for (const out of (cells.get(i).toJSON().outputs || [])) {
      if (out.output_type === 'error') return {error: `cell ${i}: ${out.ename}: ${out.evalue}`};
      if (out.output_type === 'stream' && String(out.text).includes(sentinel)) return {done: true};
    }
  }
  return null;
}"""

_OUTPUTS = """() => {
  const cells = window.jupyterapp.shell.currentWidget.content.model.cells;
  const all = [];
  for (let i = 0; i < cells.length; i++) all.push(cells.get(i).toJSON().outputs || []);
  return all;
}"""


def open_notebook(server, context, front_end: str, name: str, ticker: str = ""):
    """A new page with ``name`` open and its kernel ready; ``ticker`` is page JS run every 20 ms
    from the first page script on (it may record into ``window.__kl``)."""
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.add_init_script(
        "window.__kl = {texts: []};"
        + (f"setInterval(() => {{ try {{ {ticker} }} catch (e) {{}} }}, 20);" if ticker else "")
    )
    page.goto(server.url(FRONT_ENDS[front_end].format(name=name)))
    page.wait_for_function("() => !!window.jupyterapp", timeout=60_000)
    page.evaluate(_START)
    return page


def run_all(page) -> int:
    """Start "Run All Cells"; the page's ``Date.now()`` when it started (ms)."""
    return int(page.evaluate(_RUN_ALL))


def wait_done(page, sentinel: str, timeout_ms: int, shot: Path) -> None:
    """Wait until a stream output holds ``sentinel``; fail with a screenshot on error/timeout."""
    try:
        handle = page.wait_for_function(_STATE, arg=sentinel, timeout=timeout_ms, polling=250)
    except Exception as exc:  # Playwright's TimeoutError
        page.screenshot(path=str(shot), full_page=True)
        pytest.fail(f"the notebook did not finish: {exc}")
    state = handle.json_value()
    if "error" in state:
        page.screenshot(path=str(shot), full_page=True)
        pytest.fail(f"the notebook raised {state['error']}")


def cell_outputs(page) -> list[list[dict]]:
    """Every cell's outputs as the page's notebook model holds them (what Save would store)."""
    return json.loads(json.dumps(page.evaluate(_OUTPUTS)))


def eventually(check, what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.1)
