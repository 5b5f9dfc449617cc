"""keras_lens widgets in a real front end: JupyterLab and Notebook 7 in headless Chromium.

nbval proves the kernel side; these tests prove that the widgets render and respond in a browser.
A notebook built below is run in a live kernel, then the page is inspected and clicked.

Example:
    bash scripts/test.sh tests/browser
"""

from __future__ import annotations

import re
import time

import pytest
from jupyter_pages import FRONT_ENDS, OpenNotebook, eventually, open_and_run, write_notebook

# the names other browser modules import from here
__all__ = ["FRONT_ENDS", "OpenNotebook", "_eventually", "_open_and_run"]
_open_and_run = open_and_run
_eventually = eventually

HOSTILE = "<img src=x onerror=alert(1)>"
SENTINEL = "KERAS_LENS_BROWSER_READY"

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


@pytest.fixture(scope="module", params=sorted(FRONT_ENDS))
def notebook(request, jupyter_server, browser_context, artifacts_dir) -> OpenNotebook:
    """The test notebook run in one front end (module-scoped: opened and run once)."""
    front_end = request.param
    name = f"browser_{front_end}.ipynb"
    write_notebook(jupyter_server.root / name, CELLS)
    path = FRONT_ENDS[front_end].format(name=name)
    opened = open_and_run(jupyter_server, browser_context, artifacts_dir, front_end, path, SENTINEL)
    yield opened
    opened.shot("final")
    opened.page.close()


def _graph(nb: OpenNotebook):
    return nb.page.locator(".kl-test-graph")


def _svg(nb: OpenNotebook):
    """The graph's drawing; fails saying what is shown instead when there is no SVG."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

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
    eventually(lambda: "(None, 4)" in svg.text_content(), "shapes to appear in the drawing")
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
    eventually(lambda: rows.count() == 1, "the filter to leave one row")
    assert rows.first.inner_text().startswith("hidden (Dense)")
    summary.get_by_role("textbox").fill("Dense")  # by class: hidden and the hostile layer
    eventually(lambda: rows.count() == 2, "the class filter to leave two rows")
    summary.get_by_role("textbox").fill("")
    eventually(lambda: rows.count() == 4, "clearing the filter to bring back all rows")
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
    eventually(lambda: "(None, 25, 25, 32)" in lens.inner_text(), "output (None, 25, 25, 32)")
    assert "(None, 26, 26, 32)" not in lens.inner_text()
    notebook.shot("playground")


def test_hostile_layer_name_is_text_and_no_script_runs(notebook):
    graph = _graph(notebook)
    graph.locator("select").select_option(label=f"{HOSTILE} (Dense)")
    details = graph.locator(".keras-lens-details")
    eventually(lambda: details.inner_text().startswith(HOSTILE), "the hostile layer's details")
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


@pytest.fixture(scope="module")
def tour(lab_tour) -> OpenNotebook:
    """The toolkit tour run in JupyterLab (conftest's ``lab_tour``, shared with test_contrast)."""
    return lab_tour


def test_tour_renders_every_widget(tour):
    """Every widget of the tour renders: no 'Error displaying widget', drawings, tabs, figure."""
    page = tour.page
    outputs = page.locator(".jp-OutputArea-output")
    eventually(
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
    eventually(lambda: selected.count() == 1 and selected.is_visible(), "the summary tab")
    assert selected.inner_text().startswith("conv (Conv2D)"), selected.inner_text()
    tour.shot("inspect-summary")


def test_live_plot_redraws_in_place_during_fit(notebook):
    """Live mode shows one figure (an SVG in an Image widget), replaced after every epoch, not
    appended; the browser decoded it (a broken image keeps its CSS box but has no natural size)."""
    cell = notebook.page.locator(".jp-Cell", has_text="LivePlot(live=True)")
    cell.scroll_into_view_if_needed()
    pictures = cell.locator(".jp-OutputArea img")
    eventually(lambda: pictures.count() >= 1, "the live plot's figure")
    assert pictures.count() == 1, "the live plot appended figures instead of redrawing one"
    box = pictures.first.bounding_box()
    assert box["width"] > 200 and box["height"] > 100, f"the figure is too small: {box}"
    natural = pictures.first.evaluate("img => [img.complete, img.naturalWidth, img.naturalHeight]")
    assert natural == [True, 640, 240], f"the figure did not decode: {natural}"
    notebook.shot("liveplot")
