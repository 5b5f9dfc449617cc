"""The Shapes tab in a browser: the picture sits by its picker, with titles of 11 px or more.

ResNet50 (``weights=None``, 64x64 inputs so the trace is quick; still 177 layers, a 178-row
table) in ``inspect(model, batch)`` and ``shapes(model, batch)``. Picking a layer in the Shapes
tab's picker must show its feature maps (or histogram) right under the picker, not below the
table, and the rendered picture must not be scaled down: its smallest title, ``LABEL_PT`` points
at ``DPI`` dots per inch, is at least 11 CSS px on the page.

Example:
    .venv/bin/python -m pytest tests/browser/test_shapes_tab.py
"""

from __future__ import annotations

import os

import pytest

try:
    import playwright.sync_api  # noqa: F401
except ImportError:  # the test extra installs it; the opt-out also covers a machine without it
    if os.environ.get("KERAS_LENS_SKIP_BROWSER") == "1":
        pytest.skip("KERAS_LENS_SKIP_BROWSER=1", allow_module_level=True)
    raise ImportError(
        "playwright is missing: run `bash scripts/test.sh` (installs the test extra) or set "
        "KERAS_LENS_SKIP_BROWSER=1"
    ) from None

from keras_lens.render.shape_pictures import DPI, LABEL_PT

from tests.browser._lens_page import (
    cell_outputs,
    eventually,
    open_notebook,
    run_all,
    wait_done,
    write_notebook,
)

pytestmark = pytest.mark.browser

SENTINEL = "KERAS_LENS_SHAPES_DONE"
MAX_GAP_PX = 120  # from the picker's bottom edge to the picture's top edge

CELLS = [
    """\
import keras
import keras_lens
import numpy as np

model = keras.applications.ResNet50(weights=None, input_shape=(64, 64, 3), classes=10)
batch = np.random.default_rng(0).normal(size=(2, 64, 64, 3)).astype("float32")
view = keras_lens.inspect(model, batch)
view.add_class("kl-test-inspect")
view""",
    """\
alone = keras_lens.shapes(model, batch)
alone.add_class("kl-test-shapes")
alone""",
    f"print({SENTINEL!r})",
]

_PICTURE = """(img) => ({
  natural: img.naturalWidth, shown: img.getBoundingClientRect().width,
  top: img.getBoundingClientRect().top, left: img.getBoundingClientRect().left,
})"""


@pytest.fixture(scope="module", params=["lab", "notebook7"])
def page(request, jupyter_server, browser_context, artifacts_dir):
    front_end = request.param
    name = f"shapes_tab_{front_end}.ipynb"
    write_notebook(jupyter_server.root / name, CELLS)
    page = open_notebook(jupyter_server, browser_context, front_end, name)
    run_all(page)
    wait_done(page, SENTINEL, 300_000, artifacts_dir / f"{front_end}-shapes-error.png")
    page.front_end, page.shots = front_end, artifacts_dir
    yield page
    page.close()


def _check_picture_by_picker(page, root, layer: str, shot: str) -> dict:
    panel = root.locator(".klens-shp-panel")
    picker = panel.locator("select")
    picker.scroll_into_view_if_needed()
    image = panel.locator("img")
    before = image.get_attribute("src") if image.count() else None
    picker.select_option(value=layer)

    def shown() -> bool:  # a new picture (the kernel answered), decoded
        if image.count() != 1 or image.get_attribute("src") == before:
            return False
        return image.evaluate("i => i.complete && i.naturalWidth > 0")

    eventually(shown, f"the picture of {layer} under the picker", timeout=60)
    page.wait_for_timeout(300)  # layout settles
    picked = picker.bounding_box()
    picture = image.evaluate(_PICTURE)
    page.screenshot(path=str(page.shots / f"{page.front_end}-{shot}.png"))
    gap = picture["top"] - (picked["y"] + picked["height"])
    assert 0 <= gap <= MAX_GAP_PX, f"{layer}: picture {gap:.0f} px below its picker"
    scale = picture["shown"] / picture["natural"]
    title_px = LABEL_PT * DPI / 72 * scale
    assert title_px >= 11, f"{layer}: titles {title_px:.1f} px on the page (scale {scale:.2f})"
    return {"gap": gap, "scale": scale, "title_px": title_px}


def test_inspect_shapes_tab_feature_maps_sit_by_the_picker(page):
    root = page.locator(".kl-test-inspect")
    root.locator(".lm-TabBar-tab, .p-TabBar-tab", has_text="shapes").first.click()
    table = root.locator(".klens-shp-table")
    table.wait_for(state="visible")
    height = table.bounding_box()["height"]
    assert height <= 600, f"the table is {height:.0f} px high: it should scroll"
    rows = table.locator("tr").count()
    assert rows >= 178, f"the live table lost rows: {rows}"
    maps = _check_picture_by_picker(page, root, "conv2_block1_1_conv", "shapes-tab-maps")
    hist = _check_picture_by_picker(page, root, "predictions", "shapes-tab-histogram")
    print(f"\n{page.front_end}: feature maps {maps}, histogram {hist}")


def test_shapes_alone_puts_the_picture_by_the_picker(page):
    root = page.locator(".kl-test-shapes")
    _check_picture_by_picker(page, root, "conv1_conv", "shapes-alone-maps")


def test_stored_outputs_are_finished(page):
    outputs = cell_outputs(page)
    for cell in outputs[1:3]:
        (shown,) = [o for o in cell if o.get("output_type") in ("display_data", "execute_result")]
        assert "Running the batch" not in "".join(shown["data"]["text/html"])
    assert "traced with a batch of 2: all fit" in outputs[2][0]["data"]["text/plain"]
