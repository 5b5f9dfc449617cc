"""keras_lens widgets in a real front end: JupyterLab and Notebook 7 in headless Chromium.

nbval proves the kernel side; these tests prove that the widgets render and respond in a browser.
A notebook built below is run in a live kernel, then the page is inspected and clicked.

Example:
    bash scripts/test.sh tests/browser
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError:  # the test extra installs it; the opt-out also covers a machine without it
    if os.environ.get("KERAS_LENS_SKIP_BROWSER") == "1":
        pytest.skip("KERAS_LENS_SKIP_BROWSER=1", allow_module_level=True)
    raise ImportError(
        "playwright is missing: run `bash scripts/test.sh` (installs the test extra) or set "
        "KERAS_LENS_SKIP_BROWSER=1"
    ) from None

pytestmark = pytest.mark.browser

HOSTILE = "<img src=x onerror=alert(1)>"
SENTINEL = "KERAS_LENS_BROWSER_READY"
RUN_TIMEOUT_MS = 420_000  # Run All of the tour (ResNet50 included) on a loaded 2-core machine
FRONT_ENDS = {"lab": "lab/tree/{name}", "notebook7": "notebooks/{name}"}

# Four layers, four edges: features -> hidden, features -> HOSTILE, both -> merge.
CELLS = [
    f"""\
import keras
import keras_lens

features = keras.Input(shape=(8,), name="features")
hidden = keras.layers.Dense(4, name="hidden")(features)
side = keras.layers.Dense(3, name={HOSTILE!r})(features)
merged = keras.layers.Concatenate(name="merge")([hidden, side])
model = keras.Model(features, merged, name="tiny")""",
    """\
view = keras_lens.graph(model, show_shapes=False)
view.add_class("kl-test-graph")
view""",
    """\
table = keras_lens.summary(model)
table.add_class("kl-test-summary")
table""",
    """\
lens = keras_lens.playground(layer="Conv2D", input_size=28, kernel=3, stride=1, filters=32)
lens.add_class("kl-test-playground")
lens""",
    """import numpy as np

# LivePlot in live mode (the test server's kernels are headless by default)
# (TensorFlow cannot train the hostile-named layer: a scope name must be plain, so a small model)
live = keras_lens.LivePlot(live=True)
small = keras.Sequential([keras.Input(shape=(8,)), keras.layers.Dense(2)])
small.compile(optimizer="adam", loss="mse")
x = np.random.default_rng(0).normal(size=(64, 8)).astype("float32")
history = small.fit(x, np.zeros((64, 2), "float32"), epochs=3, verbose=0, callbacks=[live])""",
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


def _open_and_run(server, context, shots: Path, label: str, path: str, done: str) -> OpenNotebook:
    """Open ``path`` on the server in a fresh page, run all cells, wait for ``done`` in a stream
    output; fail (with a screenshot) on a cell error or a timeout."""
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.add_init_script(_TRIPWIRE)
    opened = OpenNotebook(page, label, shots)
    page.on("dialog", lambda d: (opened.dialogs.append(d.message), d.dismiss()))
    page.goto(server.url(path))
    started = time.monotonic()
    page.wait_for_function("() => !!window.jupyterapp", timeout=60_000)
    page.evaluate(_RUN_ALL)
    try:
        handle = page.wait_for_function(_RUN_STATE, arg=done, timeout=RUN_TIMEOUT_MS)
    except PlaywrightTimeout as exc:
        opened.shot("run-timeout")
        pytest.fail(f"{label}: notebook did not finish running: {exc}\n{server.log_tail()}")
    state = handle.json_value()
    if "error" in state:
        opened.shot("run-error")
        pytest.fail(f"{label}: the notebook raised {state['error']}")
    print(f"{label}: notebook ran in {time.monotonic() - started:.1f} s")
    return opened


@pytest.fixture(scope="module", params=sorted(FRONT_ENDS))
def notebook(request, jupyter_server, browser_context, artifacts_dir) -> OpenNotebook:
    """The test notebook run in one front end (module-scoped: opened and run once)."""
    front_end = request.param
    name = f"browser_{front_end}.ipynb"
    _write_notebook(jupyter_server.root / name)
    path = FRONT_ENDS[front_end].format(name=name)
    opened = _open_and_run(
        jupyter_server, browser_context, artifacts_dir, front_end, path, SENTINEL
    )
    yield opened
    opened.shot("final")
    opened.page.close()


def _eventually(check, what: str, timeout: float = 20.0) -> None:
    """Poll ``check()`` until it is true; fail saying what did not happen."""
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.1)


def _graph(nb: OpenNotebook):
    return nb.page.locator(".kl-test-graph")


def _svg(nb: OpenNotebook):
    """The graph's drawing; fails saying what is shown instead when there is no SVG."""
    svg = _graph(nb).locator(".keras-lens-svg svg")
    try:
        svg.wait_for(state="attached", timeout=10_000)
        return svg
    except PlaywrightTimeout:
        pass
    box = _graph(nb).locator(".keras-lens-svg")
    shown = (box if box.count() else _graph(nb)).inner_text()[:300]
    nb.shot("no-svg")
    pytest.fail(f"{nb.front_end}: the graph widget shows no <svg> drawing; it shows: {shown!r}")


def test_graph_svg_is_visible_with_one_node_per_layer(notebook):
    svg = _svg(notebook)
    svg.scroll_into_view_if_needed()
    assert svg.is_visible(), "the graph SVG is not visible"
    box = svg.bounding_box()
    assert box["width"] > 50 and box["height"] > 50, f"the SVG is too small to see: {box}"
    assert svg.locator("g.node").count() == 4, "expected one node per layer (4 layers)"
    assert svg.locator("g.edge").count() == 4, "expected 4 edges (two branches, one merge)"
    for name in ("features", "hidden", "merge"):
        assert name in svg.text_content()
    notebook.shot("graph")


def test_show_shapes_changes_the_drawing(notebook):
    svg = _svg(notebook)
    before = svg.text_content()
    assert "(None, 4)" not in before  # built with show_shapes=False
    _graph(notebook).get_by_role("checkbox", name="shapes", exact=True).click()
    # Dense(4) on an (None, 8) input: its output shape is (None, 4)
    _eventually(lambda: "(None, 4)" in svg.text_content(), "shapes to appear in the drawing")
    assert "(None, 7)" in svg.text_content()  # the concatenation: 4 + 3 features
    notebook.shot("graph-shapes")


def test_selecting_a_layer_shows_its_parameter_formula(notebook):
    graph = _graph(notebook)
    graph.locator("select").select_option(label="hidden (Dense)")
    details = graph.locator(".keras-lens-details")
    details.wait_for(timeout=20_000)
    text = re.sub(r"\s+", "", details.inner_text()).replace("×", "*")
    # Dense(4) on 8 inputs: (8 weights + 1 bias) per unit, 4 units = 36
    assert "(8+1)*4=36" in text, f"formula missing from the details: {details.inner_text()!r}"
    assert details.inner_text().startswith("hidden")
    notebook.shot("graph-details")


def test_summary_filter_keeps_only_matching_rows(notebook):
    summary = notebook.page.locator(".kl-test-summary")
    summary.scroll_into_view_if_needed()
    rows = summary.locator("table tbody tr")
    assert rows.count() == 4
    summary.get_by_role("textbox").fill("hidden")
    _eventually(lambda: rows.count() == 1, "the filter to leave one row")
    assert rows.first.inner_text().startswith("hidden (Dense)")
    summary.get_by_role("textbox").fill("Dense")  # by class: hidden and the hostile layer
    _eventually(lambda: rows.count() == 2, "the class filter to leave two rows")
    summary.get_by_role("textbox").fill("")
    _eventually(lambda: rows.count() == 4, "clearing the filter to bring back all rows")
    notebook.shot("summary")


def test_playground_output_shape_follows_the_kernel_slider(notebook):
    lens = notebook.page.locator(".kl-test-playground")
    lens.scroll_into_view_if_needed()
    # 28x28 input, 3x3 kernel, stride 1, 'valid': 28 - 3 + 1 = 26
    assert "(None, 26, 26, 32)" in lens.inner_text()
    kernel = lens.locator(".widget-slider", has_text="kernel")
    # Click the track where kernel=4 sits (range 1..11): a user's click, the same in both UIs.
    # (A focused handle + ArrowRight works in Lab but not in Notebook 7.6, whose shortcuts eat it.)
    track = kernel.locator(".noUi-base")
    box = track.bounding_box()
    track.click(position={"x": box["width"] * (4 - 1) / (11 - 1), "y": box["height"] / 2})
    # kernel 4: 28 - 4 + 1 = 25
    _eventually(lambda: "(None, 25, 25, 32)" in lens.inner_text(), "output (None, 25, 25, 32)")
    assert "(None, 26, 26, 32)" not in lens.inner_text()
    notebook.shot("playground")


def test_hostile_layer_name_is_text_and_no_script_runs(notebook):
    graph = _graph(notebook)
    graph.locator("select").select_option(label=f"{HOSTILE} (Dense)")
    details = graph.locator(".keras-lens-details")
    _eventually(lambda: details.inner_text().startswith(HOSTILE), "the hostile layer's details")
    assert HOSTILE in _svg(notebook).text_content()
    summary = notebook.page.locator(".kl-test-summary")
    assert HOSTILE in summary.inner_text()
    for where in (graph, summary):
        assert where.locator("img").count() == 0, "a layer name became an <img> element"
    time.sleep(0.5)  # give a (wrongly) injected image time to fail to load
    assert notebook.page.evaluate("window.__xss") is False, "a script ran from a layer name"
    assert notebook.dialogs == [], f"dialogs opened: {notebook.dialogs}"
    # The tripwire itself works: a really injected <img onerror> trips it.
    notebook.page.evaluate(
        "(html) => { const d = document.createElement('div'); d.innerHTML = html;"
        " document.body.appendChild(d); setTimeout(() => d.remove(), 2000); }",
        HOSTILE,
    )
    notebook.page.wait_for_function("window.__xss === true", timeout=5_000)
    notebook.page.evaluate("window.__xss = false")


# --- The toolkit tour (notebooks/00_toolkit_tour.ipynb), run as a learner would run it ---------

TOUR = Path(__file__).resolve().parents[2] / "notebooks" / "00_toolkit_tour.ipynb"
TOUR_DONE = "✓ 00.3"  # the last check of the tour: every cell above it has run


@pytest.fixture(scope="module")
def tour(jupyter_server, browser_context, artifacts_dir) -> OpenNotebook:
    """The toolkit tour, copied without its stored outputs into the server's temporary root and
    run in JupyterLab, in a workspace of its own (so no other notebook is restored beside it)."""
    nb = nbformat.read(TOUR, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nbformat.write(nb, jupyter_server.root / TOUR.name)
    path = f"lab/workspaces/tour/tree/{TOUR.name}"
    opened = _open_and_run(
        jupyter_server, browser_context, artifacts_dir, "lab-tour", path, TOUR_DONE
    )
    yield opened
    opened.shot("final")
    opened.page.close()


def test_tour_renders_every_widget(tour):
    """Every widget of the tour renders: no 'Error displaying widget', drawings, tabs, figure."""
    page = tour.page
    outputs = page.locator(".jp-OutputArea-output")
    _eventually(
        lambda: page.locator(".keras-lens-svg svg").count() >= 2,
        "the graph drawings of keras_lens.graph and keras_lens.inspect",
        timeout=30,
    )
    text = page.locator(".jp-Notebook").inner_text()
    assert "Error displaying widget" not in text and "Loading widget" not in text
    # keras_lens.inspect: one tab bar with the four tabs, in this order
    titles = page.locator(".jupyter-widget-tab .lm-TabBar-tab").all_inner_texts()
    assert [t.strip() for t in titles] == ["graph", "summary", "shapes", "layer details"], titles
    # keras_lens.shapes: feature maps and a histogram as pictures; LivePlot: the final figure
    assert outputs.locator("img").count() >= 3
    assert tour.page.evaluate("window.__xss") is False and tour.dialogs == []
    inspect = page.locator(".jupyter-widget-tab").first
    inspect.scroll_into_view_if_needed()
    tour.shot("inspect")
    # the tour opens inspect with selected="conv": the summary tab shows that row selected
    inspect.locator(".lm-TabBar-tab", has_text="summary").click()
    selected = inspect.locator("tr.sel:visible")
    _eventually(lambda: selected.count() == 1 and selected.is_visible(), "the summary tab")
    assert selected.inner_text().startswith("conv (Conv2D)"), selected.inner_text()
    tour.shot("inspect-summary")


def test_live_plot_redraws_in_place_during_fit(notebook):
    """Live mode shows one figure in an Output widget, replaced after every epoch, not appended."""
    cell = notebook.page.locator(".jp-Cell", has_text="LivePlot(live=True)")
    cell.scroll_into_view_if_needed()
    pictures = cell.locator(".jp-OutputArea img")
    _eventually(lambda: pictures.count() >= 1, "the live plot's figure")
    assert pictures.count() == 1, "the live plot appended figures instead of redrawing one"
    box = pictures.first.bounding_box()
    assert box["width"] > 200 and box["height"] > 100, f"the figure is too small: {box}"
    notebook.shot("liveplot")
