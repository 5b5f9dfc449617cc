"""The summary of a big model in a real browser: sticky header, "n of m shown", fit, buttons.

JupyterLab (file browser open) and Notebook 7 in headless Chromium, a 1400 x 900 window (fixtures
in conftest.py, the opener of test_widgets_in_browser.py). The notebook shows
``keras_lens.summary`` of ResNet50 (``weights=None``: nothing is downloaded; 177 rows, one per
layer) and of a model whose nested models share a long path prefix.

Example:
    .venv/bin/python -m pytest tests/browser/test_summary_layout.py
"""

from __future__ import annotations

import re

import pytest
from jupyter_pages import write_notebook
from test_widgets_in_browser import FRONT_ENDS, OpenNotebook, _eventually, _open_and_run

pytestmark = pytest.mark.browser

SENTINEL = "KERAS_LENS_SUMMARY_LAYOUT_READY"
WINDOW = {"width": 1400, "height": 900}
CELLS = [
    """\
import keras
import keras_lens

resnet = keras.applications.ResNet50(weights=None)
big = keras_lens.summary(resnet)
big.add_class("kl-sum-resnet")
big""",
    """\
def block(name):
    i = keras.Input((8,))
    return keras.Model(i, keras.layers.Dense(8, name="dense")(i), name=name)


def stage(name):
    i = keras.Input((8,))
    return keras.Model(i, block("res_block_2")(block("res_block_1")(i)), name=name)


code = keras.Input((8,))
encoder = keras.Model(
    code, stage("stage_two_of_the_encoder")(stage("stage_one_of_the_encoder")(code)),
    name="encoder_with_a_long_name",
)
x = keras.Input((8,))
deep = keras.Model(x, encoder(x), name="deep")
nested = keras_lens.summary(deep)
nested.add_class("kl-sum-nested")
nested""",
    f"print({SENTINEL!r})",
]
NESTED_KEYS = [
    "encoder_with_a_long_name",
    "encoder_with_a_long_name/stage_one_of_the_encoder",
    "encoder_with_a_long_name/stage_one_of_the_encoder/res_block_1",
    "encoder_with_a_long_name/stage_one_of_the_encoder/res_block_2",
    "encoder_with_a_long_name/stage_two_of_the_encoder",
    "encoder_with_a_long_name/stage_two_of_the_encoder/res_block_1",
    "encoder_with_a_long_name/stage_two_of_the_encoder/res_block_2",
]

# In the page: the geometry the tests assert on, for the summary with class ``cls``.
_GEOMETRY = """(cls) => {
  const root = document.querySelector('.' + cls);
  const box = root.querySelector('.klens-scroll');
  const rect = e => { const r = e.getBoundingClientRect();
                      return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; };
  const area = root.closest('.jp-OutputArea-output') || root.parentElement;
  let widest = null;  // the nearest ancestor (up to the notebook) with a horizontal scrollbar
  for (let e = root; e && !e.classList.contains('jp-Notebook'); e = e.parentElement) {
    if (e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible') {
      widest = {cls: e.className, scroll: e.scrollWidth, client: e.clientWidth};
      break;
    }
  }
  const controls = Array.from(root.querySelectorAll('.widget-text, .widget-dropdown'))
    .map(e => rect(e).right);
  return {
    root: rect(root), area: rect(area), box: rect(box),
    boxScroll: box.scrollWidth, boxClient: box.clientWidth,
    scrollbarAncestor: widest, controlsRight: Math.max(...controls),
    viewport: window.innerWidth,
  };
}"""


@pytest.fixture(scope="module", params=sorted(FRONT_ENDS))
def page(request, jupyter_server, browser_context, artifacts_dir) -> OpenNotebook:
    front_end = request.param
    name = f"summary_layout_{front_end}.ipynb"
    write_notebook(jupyter_server.root / name, CELLS)
    path = FRONT_ENDS[front_end].format(name=name)
    opened = _open_and_run(
        jupyter_server, browser_context, artifacts_dir, f"sum-{front_end}", path, SENTINEL
    )
    opened.page.set_viewport_size(WINDOW)
    if front_end == "lab":  # the file browser open beside the notebook, as a learner has it
        opened.page.evaluate("() => window.jupyterapp.commands.execute('filebrowser:activate')")
        opened.page.locator("#filebrowser").wait_for(state="visible", timeout=10_000)
    opened.page.wait_for_timeout(500)  # let the layout settle after the resize
    yield opened
    opened.shot("final")
    opened.page.close()


def _summary(nb: OpenNotebook, cls: str):
    root = nb.page.locator(f".{cls}")
    root.locator(".klens-scroll table tbody tr").first.wait_for(timeout=30_000)
    return root


def test_lab_has_the_file_browser_open(page):
    if page.front_end != "sum-lab":
        pytest.skip("JupyterLab only: Notebook 7 shows the notebook alone")
    width = page.page.locator("#filebrowser").bounding_box()["width"]
    assert width >= 200, f"the file browser is only {width} px wide"


def test_resnet_summary_has_its_177_rows_in_a_scroll_box(page):
    root = _summary(page, "kl-sum-resnet")
    assert root.locator(".klens-scroll tbody tr").count() == 177
    geometry = page.page.evaluate(_GEOMETRY, "kl-sum-resnet")
    height = geometry["box"]["bottom"] - geometry["box"]["top"]
    assert 200 < height <= 470, f"the scroll box is {height} px high"


def test_header_stays_visible_while_scrolling(page):
    root = _summary(page, "kl-sum-resnet")
    box = root.locator(".klens-scroll")
    box.scroll_into_view_if_needed()
    header = root.locator(".klens-scroll thead th").first
    row_100 = root.locator(".klens-scroll tbody tr").nth(100)
    row_100.evaluate("r => r.closest('.klens-scroll').scrollTop = r.offsetTop - 120")
    page.page.wait_for_timeout(200)
    scrolled = box.evaluate("b => b.scrollTop")
    assert scrolled > 2000, f"the box did not scroll ({scrolled} px)"
    top = box.bounding_box()["y"]
    head = header.bounding_box()
    assert abs(head["y"] - top) <= 2, f"header at {head['y']}, box top at {top}"
    # the header is what is drawn there (not covered by the rows scrolled under it)
    hit = page.page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y).closest('th') !== null",
        [head["x"] + head["width"] / 2, head["y"] + head["height"] / 2],
    )
    assert hit, "a table row is drawn over the sticky header"
    assert header.inner_text().strip().startswith("Layer")
    page.shot("summary-scrolled")
    box.evaluate("b => b.scrollTop = 0")


def test_filtered_summary_says_n_of_m_rows_shown(page):
    root = _summary(page, "kl-sum-resnet")
    text = root.get_by_role("textbox")
    text.fill("conv5_block3")
    rows = root.locator(".klens-scroll tbody tr")
    _eventually(lambda: 0 < rows.count() < 20, "the filter to leave a few rows")
    note = root.locator(".klens-shown")
    assert re.search(rf"\b{rows.count()} of 177 rows shown", note.inner_text()), note.inner_text()
    assert "Total params: 25,636,712" in root.inner_text()  # totals stay the whole model's
    page.shot("summary-filtered")
    text.fill("")
    _eventually(lambda: rows.count() == 177, "clearing the filter")


def test_summary_fits_without_a_horizontal_scrollbar(page):
    root = _summary(page, "kl-sum-resnet")
    root.scroll_into_view_if_needed()
    g = page.page.evaluate(_GEOMETRY, "kl-sum-resnet")
    assert g["viewport"] == WINDOW["width"]
    assert g["boxScroll"] <= g["boxClient"] + 1, (
        f"the table is {g['boxScroll']} px wide in a {g['boxClient']} px box"
    )
    assert g["scrollbarAncestor"] is None, f"a horizontal scrollbar: {g['scrollbarAncestor']}"
    assert g["controlsRight"] <= g["area"]["right"] + 1, g
    assert g["root"]["right"] <= g["area"]["right"] + 1, g
    connected = root.locator(".klens-scroll thead th").last
    assert connected.inner_text().strip() == "Connected to"
    right = connected.bounding_box()
    assert right["x"] + right["width"] <= g["area"]["right"] + 1
    print(f"{page.front_end}: output area {g['area']['right'] - g['area']['left']:.0f} px wide")
    page.shot("summary-fit")


def test_nested_expand_buttons_are_distinct_and_not_cut(page):
    root = _summary(page, "kl-sum-nested")
    root.scroll_into_view_if_needed()
    buttons = root.locator("button.widget-toggle-button")
    assert buttons.count() == len(NESTED_KEYS)
    labels = [b.inner_text().strip() for b in buttons.all()]
    assert len(set(labels)) == len(labels), labels
    for key, label in zip(NESTED_KEYS, labels, strict=True):
        head, _, tail = label.partition("…")
        assert label == key or (tail and key.startswith(head) and key.endswith(tail)), (key, label)
    cut = buttons.evaluate_all(
        "bs => bs.filter(b => b.scrollWidth > b.clientWidth + 1).map(b => b.textContent)"
    )
    assert cut == [], f"buttons whose label is cut by the button's width: {cut}"
    g = page.page.evaluate(_GEOMETRY, "kl-sum-nested")
    right = max(b.bounding_box()["x"] + b.bounding_box()["width"] for b in buttons.all())
    assert right <= g["area"]["right"] + 1, "the buttons run out of the output area"
    page.shot("summary-nested")
