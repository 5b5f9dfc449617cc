"""keras_lens widgets in a real front end: JupyterLab and Notebook 7 in headless Chromium.

nbval proves the kernel side; these tests prove that the widgets render and respond in a browser.
A notebook built below is run in a live kernel, then the page is inspected and clicked.

Example:
    bash scripts/test.sh tests/browser -p no:nbval
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.browser

HOSTILE = "<img src=x onerror=alert(1)>"
SENTINEL = "KERAS_LENS_BROWSER_READY"
RUN_TIMEOUT_MS = 120_000
FRONT_ENDS = {"lab": "lab/tree/{name}", "notebook7": "notebooks/{name}"}

CELLS = [
    f"""\
import keras
import keras_lens

HOSTILE = {HOSTILE!r}
features = keras.Input(shape=(8,), name="features")
hidden = keras.layers.Dense(4, name="hidden")(features)
side = keras.layers.Dense(3, name=HOSTILE)(features)
merged = keras.layers.Concatenate(name="merge")([hidden, side])
model = keras.Model(features, merged, name="tiny")""",
    """\
import html
import ipywidgets as W

def _svg(shapes):
    rows = [(l.name, str(l.output.shape)) for l in model.layers]
    text = "".join(
        f'<g class="node"><text y="{20 * (i + 1)}">{html.escape(n)}'
        f'{" " + html.escape(s) if shapes else ""}</text></g>'
        for i, (n, s) in enumerate(rows)
    )
    return f'<svg width="400" height="120">{text}</svg>'

drawing = W.HTML(_svg(False))
show_shapes = W.Checkbox(description="show shapes", value=False)
show_shapes.observe(lambda ch: setattr(drawing, "value", _svg(ch["new"])), "value")
pick = W.Dropdown(options=[l.name for l in model.layers], value=None)
details = W.HTML()
def _details(ch):
    layer = model.get_layer(ch["new"])
    details.value = f"<b>{html.escape(layer.name)}</b> params {layer.count_params()}"
pick.observe(_details, "value")
graph = W.VBox([show_shapes, drawing, pick, details])
graph.add_class("kl-test-graph")
graph""",
    """\
lens = keras_lens.playground(layer="Conv2D", input_size=28, kernel=3, stride=1, filters=32)
lens.add_class("kl-test-playground")
lens""",
    f"print({SENTINEL!r})",
]


@dataclass
class OpenNotebook:
    """A notebook opened in one front end, run to the end, with what the page reported."""

    page: object
    front_end: str
    shots: Path
    dialogs: list[str] = field(default_factory=list)

    def shot(self, name: str) -> Path:
        path = self.shots / f"{self.front_end}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


def _write_notebook(path: Path) -> None:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    nbformat.write(nb, path)


# Runs in the page: wait for the notebook and its kernel, then "Run All Cells".
_RUN_ALL = """async () => {
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

# Runs in the page: null while cells still run; else {error} or {done}.
_RUN_STATE = """(sentinel) => {
  const panel = window.jupyterapp.shell.currentWidget;
  const cells = panel.content.model.cells;
  for (let i = 0; i < cells.length; i++) {
    const outputs = cells.get(i).toJSON().outputs || [];
    for (const out of outputs) {
      if (out.output_type === 'error') {
        return {error: `cell ${i}: ${out.ename}: ${out.evalue}`};
      }
      if (out.output_type === 'stream' && String(out.text).includes(sentinel)) {
        return {done: true};
      }
    }
  }
  return null;
}"""

# Page-level XSS tripwire, installed before any page script runs.
_TRIPWIRE = """
window.__xss = false;
window.alert = window.confirm = window.prompt = function () { window.__xss = true; };
"""


@pytest.fixture(scope="module", params=sorted(FRONT_ENDS))
def notebook(request, jupyter_server, browser_context, artifacts_dir) -> OpenNotebook:
    """The test notebook run in one front end (module-scoped: opened and run once)."""
    front_end = request.param
    name = f"browser_{front_end}.ipynb"
    _write_notebook(jupyter_server.root / name)
    page = browser_context.new_page()
    page.add_init_script(_TRIPWIRE)
    opened = OpenNotebook(page, front_end, artifacts_dir)
    page.on("dialog", lambda d: (opened.dialogs.append(d.message), d.dismiss()))
    page.goto(jupyter_server.url(FRONT_ENDS[front_end].format(name=name)))
    started = time.monotonic()
    page.wait_for_function("() => !!window.jupyterapp", timeout=60_000)
    page.evaluate(_RUN_ALL)
    try:
        handle = page.wait_for_function(_RUN_STATE, arg=SENTINEL, timeout=RUN_TIMEOUT_MS)
    except Exception as exc:
        opened.shot("run-timeout")
        pytest.fail(
            f"{front_end}: notebook did not finish running: {exc}\n{jupyter_server.log_tail()}"
        )
    state = handle.json_value()
    if "error" in state:
        opened.shot("run-error")
        pytest.fail(f"{front_end}: the test notebook raised {state['error']}")
    print(f"{front_end}: notebook ran in {time.monotonic() - started:.1f} s")
    yield opened
    opened.shot("final")
    page.close()


def _eventually(check, what: str, timeout: float = 20.0) -> None:
    """Poll ``check()`` until it is true; fail saying what did not happen."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.1)


def _graph(nb: OpenNotebook):
    return nb.page.locator(".kl-test-graph")


def test_graph_svg_is_visible_with_one_node_per_layer(notebook):
    svg = _graph(notebook).locator("svg").first
    svg.scroll_into_view_if_needed()
    assert svg.is_visible()
    # features, hidden, the hostile one, merge: four layers, four nodes
    assert svg.locator("g.node").count() == 4
    notebook.shot("graph")


def test_show_shapes_changes_the_drawing(notebook):
    graph = _graph(notebook)
    svg = graph.locator("svg").first
    before = svg.inner_html()
    graph.locator(".widget-checkbox", has_text="show shapes").locator("input").click()
    _eventually(lambda: svg.inner_html() != before, "the drawing to change after 'show shapes'")
    assert "(None, 4)" in svg.text_content()


def test_layer_name_is_text_and_no_script_runs(notebook):
    graph = _graph(notebook)
    assert HOSTILE in graph.inner_text()
    assert graph.locator("img").count() == 0
    assert notebook.page.evaluate("window.__xss") is False
    assert notebook.dialogs == []
    # The tripwire itself works: a real injected <img onerror> trips it.
    notebook.page.evaluate(
        "() => { const d = document.createElement('div'); d.innerHTML = '"
        + HOSTILE
        + "'; document.body.appendChild(d); }"
    )
    notebook.page.wait_for_function("window.__xss === true", timeout=5_000)
    notebook.page.evaluate("window.__xss = false")


def test_selecting_a_layer_shows_its_parameter_formula(notebook):
    graph = _graph(notebook)
    graph.locator("select").select_option(label="hidden")
    details = graph.locator(".widget-html").last
    details.get_by_text("36").wait_for()
    assert json.dumps(details.inner_text())
    assert re.search(r"\b36\b", details.inner_text())


def test_playground_output_shape_follows_the_kernel_slider(notebook):
    lens = notebook.page.locator(".kl-test-playground")
    lens.scroll_into_view_if_needed()
    # 28x28 input, 3x3 kernel, stride 1, 'valid': 28 - 3 + 1 = 26
    assert "(None, 26, 26, 32)" in lens.inner_text()
    kernel = lens.locator(".widget-slider", has_text="kernel")
    # Click the track where kernel=4 sits (range 1..11): a user's click, the same in both UIs.
    track = kernel.locator(".noUi-base")
    box = track.bounding_box()
    track.click(position={"x": box["width"] * (4 - 1) / (11 - 1), "y": box["height"] / 2})
    _eventually(
        lambda: "(None, 25, 25, 32)" in lens.inner_text(), "output shape (None, 25, 25, 32)"
    )
    assert "(None, 26, 26, 32)" not in lens.inner_text()
    notebook.shot("playground")
