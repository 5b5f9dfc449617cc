"""The navigable graph in a real browser: zoom, search, click-to-select, folding, export.

JupyterLab and Notebook 7 in headless Chromium (fixtures in conftest.py and the opener of
test_widgets_in_browser.py). The notebook draws ResNet50 (weights=None: nothing is downloaded),
a model with a nested encoder, and ``keras_lens.inspect`` of that model.

Example:
    .venv/bin/python -m pytest tests/browser/test_graph_navigation.py
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from jupyter_pages import write_notebook
from test_widgets_in_browser import FRONT_ENDS, OpenNotebook, _eventually, _open_and_run

pytestmark = pytest.mark.browser

SENTINEL = "KERAS_LENS_NAVIGATION_READY"
CELLS = [
    """\
import keras
import keras_lens

resnet = keras.applications.ResNet50(weights=None)
inner_in = keras.Input(shape=(8,), name="code_in")
inner = keras.layers.Dense(6, name="inner_a")(inner_in)
inner = keras.layers.Dense(5, name="inner_b")(inner)
encoder = keras.Model(inner_in, inner, name="encoder")
x = keras.Input(shape=(8,), name="features")
h = encoder(x)
out = keras.layers.Dense(2, name="head")(h)
nested = keras.Model(x, out, name="with_encoder")""",
    """\
big = keras_lens.graph(resnet)
big.add_class("kl-nav-resnet")
big""",
    """\
small = keras_lens.graph(nested)
small.add_class("kl-nav-nested")
small""",
    """\
lens = keras_lens.inspect(nested)
lens.add_class("kl-nav-inspect")
lens""",
    f"print({SENTINEL!r})",
]


@pytest.fixture(scope="module", params=sorted(FRONT_ENDS))
def nav(request, jupyter_server, browser_context, artifacts_dir) -> OpenNotebook:
    front_end = request.param
    name = f"navigation_{front_end}.ipynb"
    write_notebook(jupyter_server.root / name, CELLS)
    path = FRONT_ENDS[front_end].format(name=name)
    opened = _open_and_run(
        jupyter_server, browser_context, artifacts_dir, f"nav-{front_end}", path, SENTINEL
    )
    opened.page.set_viewport_size({"width": 1400, "height": 900})
    yield opened
    opened.shot("final")
    opened.page.close()


def _canvas(nb: OpenNotebook, cls: str):
    canvas = nb.page.locator(f".{cls} .kl-canvas").first
    canvas.locator(".kl-viewport svg g.node").first.wait_for(timeout=30_000)
    canvas.scroll_into_view_if_needed()
    return canvas


def _view_box(canvas) -> list[float]:
    """x, y, width, height of the drawing's area in view (drawing units)."""
    return [float(v) for v in canvas.locator(".kl-viewport").get_attribute("data-view").split()]


def _nodes(canvas) -> list[str]:
    return canvas.locator(".kl-viewport svg g.node").all_text_contents()


def _picker_value(nb: OpenNotebook, cls: str) -> str:
    """The layer name the picker shows (its option labels read "name (Class)")."""
    label = nb.page.locator(f".{cls} select").first.evaluate(
        "s => s.selectedIndex < 0 ? '' : s.options[s.selectedIndex].textContent"
    )
    return label.replace("\xa0", " ").strip().split(" (")[0]  # ipywidgets shows spaces as nbsp


def _inside(inner: dict | None, outer: dict | None) -> bool:
    if inner is None or outer is None:  # redrawn while we looked
        return False
    return (
        inner["x"] >= outer["x"] - 1
        and inner["y"] >= outer["y"] - 1
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 1
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + 1
    )


def test_resnet_is_folded_by_stage_with_tooltips_naming_layers(nav):
    canvas = _canvas(nav, "kl-nav-resnet")
    texts = " ".join(_nodes(canvas))
    for stage, blocks in (("conv2", 3), ("conv3", 4), ("conv4", 6), ("conv5", 3)):
        assert f"{stage}_block1…{stage}_block{blocks}" in texts, texts[:400]
    assert len(_nodes(canvas)) < 30, "ResNet50 (177 layers) should start folded"
    svg = canvas.locator(".kl-viewport svg")
    assert svg.locator("title").count() == 0, "a <title> would show an internal id on hover"
    tips = svg.locator("a").evaluate_all(
        "as => as.map(a => a.getAttribute('xlink:title') || a.getAttribute('title') || '')"
    )
    assert tips and not [t for t in tips if re.search(r"\bL\d+\b", t)], tips[:5]
    assert any("→" in t and "(None," in t for t in tips), "edge tooltips name layers and shapes"
    nav.shot("resnet-folded")


def test_zoom_buttons_and_wheel_change_the_view(nav):
    canvas = _canvas(nav, "kl-nav-resnet")
    before = _view_box(canvas)
    canvas.locator(".kl-zoom-in").click()
    after = _view_box(canvas)
    assert after[2] == pytest.approx(before[2] / 1.25, rel=0.02), (before, after)
    box = canvas.locator(".kl-viewport").bounding_box()
    nav.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    nav.page.mouse.wheel(0, 300)  # wheel down: zoom out
    _eventually(lambda: _view_box(canvas)[2] > after[2] * 1.2, "the wheel to zoom out")
    canvas.locator(".kl-fit").click()
    fitted = _view_box(canvas)
    # fit: the whole drawing's height is in view
    height = float(canvas.locator(".kl-viewport svg g.graph").evaluate("g => g.getBBox().height"))
    assert fitted[3] >= height * 0.99, (fitted, height)
    assert canvas.locator(".kl-minimap").is_visible() is False or fitted[3] > 0


def test_search_jumps_and_selects_a_layer_inside_a_folded_block(nav):
    canvas = _canvas(nav, "kl-nav-resnet")
    canvas.locator(".kl-zoom-in").click()
    canvas.locator(".kl-zoom-in").click()
    search = canvas.locator(".kl-search")
    search.fill("conv4_block3_o")
    results = canvas.locator(".kl-result")
    _eventually(lambda: results.count() >= 1, "search results")
    assert "conv4_block3_out" in results.first.inner_text()
    search.press("Enter")
    _eventually(
        lambda: _picker_value(nav, "kl-nav-resnet") == "conv4_block3_out",
        "the picker to follow the search",
    )
    details = nav.page.locator(".kl-nav-resnet .keras-lens-details")
    _eventually(lambda: details.count() and "conv4_block3_out" in details.inner_text(), "details")
    # scroll-to-selected: the selection mark (on the folded conv4 group) is inside the view
    mark = canvas.locator(".kl-overlay .kl-selected")
    viewport = canvas.locator(".kl-viewport")
    _eventually(
        lambda: mark.count() == 1 and _inside(mark.bounding_box(), viewport.bounding_box()),
        "the selected block to be in view",
    )
    search.press("Escape")
    # the details card is beside the drawing, not below it
    side = details.bounding_box()
    view = canvas.locator(".kl-viewport").bounding_box()
    assert side["x"] >= view["x"] + view["width"] - 2 and side["y"] < view["y"] + view["height"]
    nav.shot("resnet-search")


def test_picker_pans_the_drawing_to_the_selected_layer(nav):
    canvas = _canvas(nav, "kl-nav-resnet")
    nav.page.locator(".kl-nav-resnet select").first.select_option(label="predictions (Dense)")
    mark = canvas.locator(".kl-overlay .kl-selected")
    viewport = canvas.locator(".kl-viewport")
    _eventually(
        lambda: mark.count() == 1 and _inside(mark.bounding_box(), viewport.bounding_box()),
        "the view to pan to 'predictions'",
    )


def test_clicking_a_folded_group_opens_it_and_its_label_folds_it(nav):
    canvas = _canvas(nav, "kl-nav-resnet")
    canvas.locator(".kl-fit").click()
    folded = len(_nodes(canvas))
    group = canvas.locator(".kl-viewport g.node", has_text="conv2_block1…conv2_block3")
    group.click()
    _eventually(lambda: len(_nodes(canvas)) == folded - 1 + 32, "conv2's 32 layers to appear")
    frame = canvas.locator(".kl-viewport g.cluster", has_text="conv2_block1…conv2_block3")
    assert frame.count() == 1
    nav.shot("resnet-open-group")
    frame.locator("text").first.click()
    _eventually(lambda: len(_nodes(canvas)) == folded, "the group to fold again")


def test_a_nested_model_opens_and_closes_on_its_own(nav):
    canvas = _canvas(nav, "kl-nav-nested")
    assert "inner_a" not in " ".join(_nodes(canvas))
    canvas.locator(".kl-viewport g.node", has_text="encoder").dblclick()
    _eventually(lambda: "inner_a" in " ".join(_nodes(canvas)), "the encoder's layers")
    frame = canvas.locator(".kl-viewport g.cluster", has_text="encoder")
    assert frame.count() == 1
    frame.locator("text").first.click()
    _eventually(lambda: "inner_a" not in " ".join(_nodes(canvas)), "the encoder to close")


def test_click_to_select_is_shared_with_inspect(nav):
    canvas = _canvas(nav, "kl-nav-inspect")
    canvas.locator(".kl-viewport g.node", has_text="head").click()
    inspect = nav.page.locator(".kl-nav-inspect")
    _eventually(lambda: _picker_value(nav, "kl-nav-inspect") == "head", "the picker to follow")
    inspect.locator(".lm-TabBar-tab", has_text="summary").click()
    row = inspect.locator("tr.sel:visible")
    _eventually(lambda: row.count() == 1, "the summary row of 'head' selected")
    assert row.inner_text().startswith("head (Dense)"), row.inner_text()
    inspect.locator(".lm-TabBar-tab", has_text="graph").click()


def test_keyboard_moves_along_edges_and_enter_selects(nav):
    canvas = _canvas(nav, "kl-nav-nested")
    viewport = canvas.locator(".kl-viewport")
    nav.page.locator(".kl-nav-nested select").first.select_option(label="features (InputLayer)")
    viewport.focus()
    viewport.press("ArrowDown")  # features -> encoder
    viewport.press("ArrowDown")  # encoder -> head
    viewport.press("Enter")
    _eventually(lambda: _picker_value(nav, "kl-nav-nested") == "head", "Enter to select 'head'")


def test_export_downloads_a_valid_svg_and_png(nav, tmp_path):
    canvas = _canvas(nav, "kl-nav-resnet")
    with nav.page.expect_download() as info:
        canvas.locator(".kl-export-svg").click()
    svg_path = tmp_path / info.value.suggested_filename
    info.value.save_as(svg_path)
    assert svg_path.name == "resnet50.svg"
    root = ET.parse(svg_path).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert "conv2_block1…conv2_block3" in "".join(root.itertext())
    with nav.page.expect_download(timeout=30_000) as info:
        canvas.locator(".kl-export-png").click()
    png_path = tmp_path / info.value.suggested_filename
    info.value.save_as(png_path)
    data = png_path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", data[:16]
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width > 200 and height > 200, (width, height)


def test_copy_summary_and_legend(nav):
    canvas = _canvas(nav, "kl-nav-resnet")
    nav.page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    canvas.locator(".kl-copy-summary").click()
    _eventually(lambda: int(canvas.get_attribute("data-copied") or 0) > 1000, "the copy")
    text = nav.page.evaluate("navigator.clipboard.readText()")
    assert "conv4_block3_out" in text and "Total params" in text
    legend = canvas.locator(".kl-legend").inner_text()
    assert "nested model" in legend and "repeated blocks" in legend
