"""The live graph canvas in a real browser: frame titles clear of arrows, and the dark theme.

JupyterLab and Notebook 7 in headless Chromium (fixtures in conftest.py, the opener of
test_widgets_in_browser.py). The notebook draws a model holding a nested Sequential encoder,
drawn expanded: its frame title is long ("… its implicit InputLayer not drawn …"), so an arrow
into the frame used to run straight through it.

Example:
    .venv/bin/python -m pytest tests/browser/test_graph_frames_and_theme.py
"""

from __future__ import annotations

import pytest
from jupyter_pages import write_notebook
from test_widgets_in_browser import FRONT_ENDS, OpenNotebook, _eventually, _open_and_run

pytestmark = pytest.mark.browser

SENTINEL = "KERAS_LENS_FRAMES_READY"
CELLS = [
    """\
import keras
import keras_lens

encoder = keras.Sequential(
    [
        keras.Input(shape=(8,)),
        keras.layers.Dense(6, name="enc_a"),
        keras.layers.Dense(4, name="enc_b"),
    ],
    name="encoder",
)
x = keras.Input(shape=(8,), name="features")
skip = keras.layers.Dense(4, name="skip")(x)
merged = keras.layers.Add(name="merge")([encoder(x), skip])
model = keras.Model(x, keras.layers.Dense(2, name="head")(merged), name="with_encoder")
view = keras_lens.graph(model, expand_nested=True)
view.add_class("kl-frames")
view""",
    f"print({SENTINEL!r})",
]

# Points every 2 px along each arrow; the ones inside a frame title's box (drawing units).
_CROSSINGS = """(canvas) => {
  const svg = canvas.querySelector('.kl-viewport > svg');
  const titles = [...svg.querySelectorAll('g.cluster .kl-frame-label')].map((g) => {
    const b = g.getBBox();
    return {text: g.textContent.trim(), x0: b.x, y0: b.y, x1: b.x + b.width, y1: b.y + b.height};
  });
  const hits = [];
  for (const path of svg.querySelectorAll('g.edge path')) {
    const length = path.getTotalLength();
    for (let s = 0; s <= length; s += 2) {
      const p = path.getPointAtLength(s);
      for (const t of titles) {
        if (p.x > t.x0 && p.x < t.x1 && p.y > t.y0 && p.y < t.y1) hits.push(t.text);
      }
    }
  }
  return {titles: titles.map((t) => t.text), hits: [...new Set(hits)]};
}"""

# WCAG contrast of two computed colours (rgb()/rgba(), alpha blended over the second).
_COLOURS = """(canvas) => {
  const parse = (c) => {
    const p = /rgba?\\(([^)]+)\\)/.exec(c).slice(1)[0].split(/[\\s,\\/]+/).map(Number);
    return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
  };
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  };
  const over = (top, below) => ({r: top.r * top.a + below.r * (1 - top.a),
    g: top.g * top.a + below.g * (1 - top.a), b: top.b * top.a + below.b * (1 - top.a), a: 1});
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
                            return (x + 0.05) / (y + 0.05); };
  const viewport = canvas.querySelector('.kl-viewport');
  const bg = parse(getComputedStyle(viewport).backgroundColor);
  const page = getComputedStyle(viewport).getPropertyValue('--jp-layout-color0').trim();
  const sheet = getComputedStyle(viewport.querySelector('svg g.graph > polygon')).fill;
  const edge = parse(getComputedStyle(viewport.querySelector('svg g.edge path')).stroke);
  const title = parse(getComputedStyle(viewport.querySelector('.kl-frame-label text')).fill);
  const clusterFill = getComputedStyle(viewport.querySelector('svg g.cluster path')).fill;
  return {
    background: lum(bg), jpLayout0: page, sheet, clusterFill,
    edge: ratio(over(edge, bg), bg), title: ratio(over(title, bg), bg),
  };
}"""


@pytest.fixture(scope="module", params=sorted(FRONT_ENDS))
def frames(request, jupyter_server, browser_context, artifacts_dir) -> OpenNotebook:
    front_end = request.param
    name = f"frames_{front_end}.ipynb"
    write_notebook(jupyter_server.root / name, CELLS)
    path = FRONT_ENDS[front_end].format(name=name)
    opened = _open_and_run(
        jupyter_server, browser_context, artifacts_dir, f"frames-{front_end}", path, SENTINEL
    )
    opened.page.set_viewport_size({"width": 1400, "height": 900})
    yield opened
    opened.page.evaluate(
        "window.jupyterapp.commands.execute('apputils:change-theme', {theme: 'JupyterLab Light'})"
    )
    opened.page.close()


def _canvas(nb: OpenNotebook):
    canvas = nb.page.locator(".kl-frames .kl-canvas").first
    canvas.locator(".kl-viewport svg g.node").first.wait_for(timeout=30_000)
    canvas.scroll_into_view_if_needed()
    return canvas


def test_no_arrow_crosses_a_frame_title(frames):
    canvas = _canvas(frames)
    found = canvas.evaluate(_CROSSINGS)
    assert any("encoder" in t and "InputLayer" in t for t in found["titles"]), found
    assert not found["hits"], f"arrows cross the frame titles {found['hits']}"
    # the title is still the frame's: a click on it closes the encoder
    frame = canvas.locator(".kl-viewport g.cluster", has_text="encoder")
    canvas.locator(".kl-fit").click()
    frames.shot("frame-title")
    frame.locator("text").first.click()
    _eventually(
        lambda: "enc_a" not in canvas.locator(".kl-viewport > svg").text_content(), "closing"
    )
    canvas.locator(".kl-viewport g.node", has_text="encoder").dblclick()
    _eventually(lambda: "enc_a" in canvas.locator(".kl-viewport > svg").text_content(), "reopening")


def test_the_canvas_follows_jupyterlab_dark(frames, artifacts_dir):
    canvas = _canvas(frames)
    light = canvas.evaluate(_COLOURS)
    assert light["background"] > 0.9, light  # JupyterLab Light: a white page
    frames.page.evaluate(
        "async () => { await window.jupyterapp.commands.execute("
        "'apputils:change-theme', {theme: 'JupyterLab Dark'}); }"
    )
    frames.page.wait_for_function("document.body.dataset.jpThemeLight === 'false'", timeout=20_000)
    _eventually(lambda: canvas.evaluate(_COLOURS)["background"] < 0.05, "a dark canvas")
    dark = canvas.evaluate(_COLOURS)
    canvas.locator(".kl-fit").click()
    canvas.screenshot(path=str(artifacts_dir / f"frames-{frames.front_end}-dark.png"))
    assert dark["jpLayout0"], "the canvas should take its background from --jp-layout-color0"
    assert dark["sheet"] in ("transparent", "rgba(0, 0, 0, 0)"), dark  # no white slab
    assert dark["clusterFill"] in ("transparent", "rgba(0, 0, 0, 0)"), dark
    assert dark["edge"] >= 3.0, f"arrows must stand out on the dark page (1.4.11): {dark}"
    assert dark["title"] >= 4.5, f"frame titles must be readable (AA): {dark}"
