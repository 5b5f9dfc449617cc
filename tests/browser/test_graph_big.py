"""A drawing of 600 boxes in a real browser: drawn fast, complete where you look.

Above ``CULL_ABOVE`` (60) boxes, graph.js takes the boxes and arrows outside the view out of the
document (Chromium's layout of a 1,000-box SVG took 1.5 s of its first drawing; ``display: none``
still laid out every text) and puts them back as the view reaches them. This checks, in
JupyterLab and Notebook 7, that what is in view is drawn, that zooming out to the whole drawing
shows every box, and that the SVG export holds every box.

Example:
    .venv/bin/python -m pytest tests/browser/test_graph_big.py
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from jupyter_pages import write_notebook
from test_widgets_in_browser import FRONT_ENDS, OpenNotebook, _eventually, _open_and_run

pytestmark = pytest.mark.browser

SENTINEL = "KERAS_LENS_BIG_READY"
LAYERS = 600
CELLS = [
    f"""\
import keras
import keras_lens

x = keras.Input(shape=(4,), name="x")
h = x
for i in range({LAYERS}):  # weightless: Keras builds it in seconds
    h = keras.layers.Activation("relu", name=f"act{{i}}")(h)
chain = keras.Model(x, h, name="chain")
view = keras_lens.graph(chain, fold=False, show_shapes=False)
view.add_class("kl-big")
view""",
    f"print({SENTINEL!r})",
]

_SHOWN = """(canvas) => {
  const vp = canvas.querySelector('.kl-viewport');
  const r = vp.getBoundingClientRect();
  const nodes = [...vp.querySelectorAll(':scope > svg g.node')];
  const shown = nodes.filter((g) => getComputedStyle(g).display !== 'none');
  const inView = nodes.filter((g) => {
    if (getComputedStyle(g).display === 'none') return false;
    const b = g.getBoundingClientRect();
    return b.bottom > r.top && b.top < r.bottom && b.right > r.left && b.left < r.right;
  });
  return {total: nodes.length, shown: shown.length, inView: inView.length,
          hidden: Number(vp.dataset.hidden || 0)};
}"""


@pytest.fixture(scope="module", params=sorted(FRONT_ENDS))
def big(request, jupyter_server, browser_context, artifacts_dir) -> OpenNotebook:
    front_end = request.param
    name = f"big_{front_end}.ipynb"
    write_notebook(jupyter_server.root / name, CELLS)
    path = FRONT_ENDS[front_end].format(name=name)
    opened = _open_and_run(
        jupyter_server, browser_context, artifacts_dir, f"big-{front_end}", path, SENTINEL
    )
    opened.page.set_viewport_size({"width": 1400, "height": 900})
    yield opened
    opened.page.close()


def _canvas(nb: OpenNotebook):
    canvas = nb.page.locator(".kl-big .kl-canvas").first
    canvas.locator(".kl-viewport svg g.node").first.wait_for(state="attached", timeout=60_000)
    canvas.scroll_into_view_if_needed()
    return canvas


def test_a_big_drawing_shows_what_is_in_view_and_all_of_it_when_zoomed_out(big, tmp_path):
    canvas = _canvas(big)
    first = canvas.evaluate(_SHOWN)
    assert first["hidden"] > 0 and first["total"] < LAYERS + 1, f"nothing culled: {first}"
    assert first["shown"] == first["total"], f"what is in the page is shown: {first}"
    assert first["inView"] >= 3, f"the top of the drawing should be drawn: {first}"
    # the search jumps to the last layer: it is drawn there
    canvas.locator(".kl-search").fill(f"act{LAYERS - 1}")
    canvas.locator(".kl-search").press("Enter")
    last = canvas.locator(".kl-viewport g.node", has_text=f"act{LAYERS - 1}")
    _eventually(lambda: last.is_visible(), "the last layer drawn in view")
    canvas.locator(".kl-fit").click()
    _eventually(lambda: canvas.evaluate(_SHOWN)["shown"] == LAYERS + 1, "every box shown")
    assert canvas.evaluate(_SHOWN)["hidden"] == 0
    big.shot("big-fit")
    with big.page.expect_download() as info:
        canvas.locator(".kl-export-svg").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    root = ET.parse(path).getroot()
    ns = "{http://www.w3.org/2000/svg}"
    nodes = [g for g in root.iter(f"{ns}g") if "node" in (g.get("class") or "").split()]
    assert len(nodes) == LAYERS + 1
    assert not [g for g in nodes if "display" in (g.get("style") or "")], "hidden boxes exported"
