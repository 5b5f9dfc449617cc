"""The widgets under ipywidgets 7.7.1 (what Colab ships) in a real browser: classic Notebook 6.5.

ipywidgets 7 targets the classic notebook; this module runs a notebook in a separate venv built by
``scripts/ipywidgets7_env.sh`` (ipywidgets 7.7.1, widgetsnbextension 3.6, notebook 6.5.7,
anywidget with its nbextension, TensorFlow, and keras-lens installed editable from this checkout,
cached in ``~/.cache/keras-lens-ci/ipyw7-venv``), driven by the suite's headless Chromium
(fixtures in conftest.py). It renders ``graph`` (the anywidget ``GraphCanvas``), ``summary``,
``inspect`` and a live ``LivePlot`` and asserts that each shows its content and that no output
says "Error displaying widget".

The venv is built on first use (about 6 minutes on the 2-core CI machine with a warm pip cache,
then instant); the tests skip, saying why, only when it cannot be built. Set
``KERAS_LENS_IPYW7_PYTHON`` to use a ready interpreter instead.

Example:
    bash scripts/ipywidgets7_env.sh && .venv/bin/python -m pytest tests/browser/test_ipywidgets7.py
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "ipywidgets7_env.sh"
SENTINEL = "KERAS_LENS_IPYW7_READY"
RUN_TIMEOUT_MS = 300_000
CELLS = [
    """\
import ipywidgets
import keras
import numpy as np
import keras_lens

print("ipywidgets", ipywidgets.__version__)
code_in = keras.Input(shape=(8,), name="code_in")
encoder = keras.Model(code_in, keras.layers.Dense(6, name="inner")(code_in), name="encoder")
x = keras.Input(shape=(8,), name="features")
h = encoder(x)
out = keras.layers.Dense(2, name="head")(keras.layers.Dense(4, name="hidden")(h))
model = keras.Model(x, out, name="colab_like")""",
    """\
view = keras_lens.graph(model)
view.add_class("kl7-graph")
view""",
    """\
table = keras_lens.summary(model)
table.add_class("kl7-summary")
table""",
    """\
lens = keras_lens.inspect(model, np.ones((2, 8), "float32"))
lens.add_class("kl7-inspect")
lens""",
    """\
keras.utils.set_random_seed(0)
live = keras_lens.LivePlot(live=True, update_every="batch", min_redraw_seconds=0.2)
small = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(2)])
small.compile(optimizer="adam", loss="mse")
data = np.random.default_rng(0).normal(size=(256, 8)).astype("float32")
history = small.fit(data, np.zeros((256, 2), "float32"), epochs=3, batch_size=16,
                    verbose=0, callbacks=[live])
_ = live.widget.add_class("kl7-live")""",
    f"print({SENTINEL!r})",
]


@dataclass
class Classic:
    page: object
    shots: Path
    console: list[str] = field(default_factory=list)

    def shot(self, name: str) -> Path:
        path = self.shots / f"ipywidgets7-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


def _python() -> Path:
    """The ipywidgets 7 venv's python: ``$KERAS_LENS_IPYW7_PYTHON`` or built by the script."""
    given = os.environ.get("KERAS_LENS_IPYW7_PYTHON")
    if given:
        return Path(given)
    started = time.monotonic()
    try:
        done = subprocess.run(
            ["bash", str(SCRIPT)], capture_output=True, text=True, timeout=1800, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.skip(f"the ipywidgets 7 venv could not be built ({exc}); see {SCRIPT.name}")
    if done.returncode != 0:
        tail = "\n".join(done.stderr.strip().splitlines()[-5:])
        pytest.skip(f"the ipywidgets 7 venv could not be built (exit {done.returncode}): {tail}")
    print(f"ipywidgets 7 venv ready in {time.monotonic() - started:.0f} s")
    return Path(done.stdout.strip().splitlines()[-1])


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def classic_server():
    """Notebook 6.5 (classic) of the ipywidgets 7 venv on a free loopback port."""
    python = _python()
    tmp = Path(tempfile.mkdtemp(prefix="keras-lens-ipyw7-"))
    dirs = {name: tmp / name for name in ("config", "data", "runtime", "ipython", "root")}
    for path in dirs.values():
        path.mkdir()
    env = dict(os.environ)
    for key in ("PYTEST_CURRENT_TEST", "PYTHONPATH", "VIRTUAL_ENV"):
        env.pop(key, None)
    env.update(
        JUPYTER_CONFIG_DIR=str(dirs["config"]),
        JUPYTER_DATA_DIR=str(dirs["data"]),
        JUPYTER_RUNTIME_DIR=str(dirs["runtime"]),
        IPYTHONDIR=str(dirs["ipython"]),
        KERAS_LENS_DATA="bundled",
        KERAS_LENS_HEADLESS="0",
        TF_CPP_MIN_LOG_LEVEL="3",
        PATH=os.pathsep.join([str(python.parent), env.get("PATH", "")]),
    )
    port, token = _free_port(), secrets.token_hex(16)
    base = f"http://127.0.0.1:{port}"
    log = tmp / "server.log"
    cmd = [
        str(python),
        "-m",
        "notebook",
        "--no-browser",
        "--ip=127.0.0.1",
        f"--port={port}",
        "--port-retries=0",
        f"--NotebookApp.token={token}",
        f"--NotebookApp.notebook_dir={dirs['root']}",
        "--allow-root",
    ]
    with log.open("wb") as out:
        proc = subprocess.Popen(
            cmd, env=env, cwd=tmp, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                pytest.fail(f"notebook 6.5 exited with {proc.returncode}:\n{log.read_text()}")
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"notebook 6.5 not up after 90 s:\n{log.read_text()[-3000:]}")
                time.sleep(0.3)
        yield base, token, dirs["root"], log
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)
        shutil.rmtree(tmp, ignore_errors=True)


_STATE = """(sentinel) => {
  const cells = Jupyter.notebook.get_cells();
  for (let i = 0; i < cells.length; i++) {
    for (const out of (cells[i].output_area ? cells[i].output_area.outputs : [])) {
      if (out.output_type === 'error') return {error: `cell ${i}: ${out.ename}: ${out.evalue}`};
      if (out.output_type === 'stream' && String(out.text).includes(sentinel)) return {done: 1};
    }
  }
  return null;
}"""


# In the page: the mime types of every cell's outputs (for failure messages).
_OUTPUT_KINDS = """() => Jupyter.notebook.get_cells()
  .map(c => (c.output_area ? c.output_area.outputs : [])
    .map(o => o.output_type + ':' + Object.keys(o.data || {}).join('+')))"""


@pytest.fixture(scope="module")
def classic(classic_server, browser_context, artifacts_dir) -> Classic:
    base, token, root, log = classic_server
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    nbformat.write(nb, root / "ipyw7.ipynb")
    page = browser_context.new_page()
    page.set_default_timeout(15_000)
    page.set_viewport_size({"width": 1400, "height": 900})
    opened = Classic(page, artifacts_dir)
    page.on("console", lambda m: opened.console.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: opened.console.append(f"pageerror: {e}"))
    page.goto(f"{base}/notebooks/ipyw7.ipynb?token={token}")
    page.wait_for_function(
        "() => window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel"
        " && Jupyter.notebook.kernel.is_connected()",
        timeout=90_000,
    )
    # the widget manager and anywidget's loader must be in place before a widget is displayed
    page.wait_for_function(
        "() => window.require && require.defined('nbextensions/jupyter-js-widgets/extension')"
        " && require.defined('nbextensions/anywidget/extension')",
        timeout=60_000,
    )
    page.wait_for_timeout(1000)
    started = time.monotonic()
    page.evaluate("() => Jupyter.notebook.execute_all_cells()")
    try:
        handle = page.wait_for_function(_STATE, arg=SENTINEL, timeout=RUN_TIMEOUT_MS)
    except Exception as exc:  # a Playwright timeout: report what the page shows
        opened.shot("run-timeout")
        pytest.fail(f"the notebook did not finish: {exc}\n{log.read_text()[-3000:]}")
    state = handle.json_value()
    if "error" in state:
        opened.shot("run-error")
        pytest.fail(f"the notebook raised {state['error']}")
    print(f"ipywidgets 7 notebook ran in {time.monotonic() - started:.1f} s")
    page.wait_for_timeout(1000)
    yield opened
    opened.shot("final")
    page.close()


def test_the_kernel_runs_ipywidgets_7(classic):
    first = classic.page.locator(".cell").first.locator(".output").inner_text()
    assert "ipywidgets 7.7.1" in first, first


def test_no_widget_fails_to_display(classic):
    text = classic.page.locator("#notebook-container").inner_text()
    assert "Error displaying widget" not in text, text[:2000]
    assert "Failed to load model class" not in text
    errors = [m for m in classic.console if m.startswith("pageerror")]
    assert errors == [], errors
    views = classic.page.locator(".output_area .jupyter-widgets")
    kinds = classic.page.evaluate(_OUTPUT_KINDS)
    assert views.count() >= 4, f"only {views.count()} widget views rendered; outputs: {kinds}"


def test_graph_canvas_draws_every_layer(classic):
    canvas = classic.page.locator(".kl7-graph .kl-canvas")
    canvas.locator("svg g.node").first.wait_for(timeout=30_000)
    canvas.scroll_into_view_if_needed()
    assert canvas.is_visible()
    box = canvas.bounding_box()
    assert box["width"] > 200 and box["height"] > 100, box
    names = " ".join(canvas.locator("svg g.node").all_text_contents())
    for name in ("features", "encoder", "hidden", "head"):
        assert name in names, names
    classic.shot("graph")


def test_summary_table_and_expand_button(classic):
    summary = classic.page.locator(".kl7-summary")
    summary.scroll_into_view_if_needed()
    rows = summary.locator(".klens-scroll tbody tr")
    assert rows.count() == 4, rows.count()  # features, encoder (collapsed), hidden, head
    button = summary.locator("button", has_text="encoder")
    assert button.is_visible()
    button.click()
    deadline = time.monotonic() + 20
    while rows.count() != 6 and time.monotonic() < deadline:  # + code_in, inner
        time.sleep(0.1)
    assert rows.count() == 6, "expanding the nested model did not add its rows"
    assert "Total params" in summary.inner_text()
    classic.shot("summary")


def test_inspect_tabs_have_titles_and_switch(classic):
    lens = classic.page.locator(".kl7-inspect")
    lens.scroll_into_view_if_needed()
    tabs = lens.locator(".p-TabBar-tab, .lm-TabBar-tab")
    titles = [t.strip() for t in tabs.all_inner_texts()]
    assert len(titles) == 4 and all(titles), titles
    tabs.nth(1).click()
    table = lens.locator(".klens-scroll tbody tr:visible")
    deadline = time.monotonic() + 20
    while table.count() == 0 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert table.count() >= 4, "the summary tab shows no rows"
    classic.shot("inspect")


def test_live_plot_shows_its_figure_and_status(classic):
    live = classic.page.locator(".kl7-live")
    live.wait_for(timeout=20_000)
    live.scroll_into_view_if_needed()
    pictures = live.locator("img")
    assert pictures.count() == 1, f"{pictures.count()} figures (expected one, redrawn)"
    box = pictures.first.bounding_box()
    assert box["width"] > 200 and box["height"] > 100, box
    natural = pictures.first.evaluate("img => [img.complete, img.naturalWidth, img.naturalHeight]")
    assert natural == [True, 640, 240], f"the SVG figure did not decode: {natural}"
    status = live.locator(".klens-live-status").inner_text()
    assert "epoch 3 of 3" in status and "batch 16 of 16" in status, status
    assert "done in" in status and "loss" in status, status
    classic.shot("liveplot")


def test_the_front_end_is_the_classic_notebook(classic, classic_server):
    """The old stack really served the page (a guard against testing ipywidgets 8 by accident)."""
    log = classic_server[3].read_text(errors="replace")
    assert "Jupyter Notebook 6.5" in log, log[-2000:]
    loaded = classic.page.evaluate(
        "() => ['nbextensions/jupyter-js-widgets/extension', 'nbextensions/anywidget/extension']"
        ".map(m => require.defined(m))"
    )
    assert loaded == [True, True], loaded
    print(json.dumps(classic.page.evaluate(_OUTPUT_KINDS)))
