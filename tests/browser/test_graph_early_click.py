"""A click on a folded group right after the first drawing, in a real browser (issue 11).

The kernel's background layouts are turned off (``graph_view.PREFETCH = False``), so the click
200 ms after the drawing appears finds nothing laid out ahead: the cold case. The page must
answer at once (the clicked box is marked ``kl-opening`` in the same task as the click) and then
show the new drawing; the group under the pointer is reported to the kernel (``hover``), which is
what lets it start that layout before the click. JupyterLab and Notebook 7.

Example:
    .venv/bin/python -m pytest tests/browser/test_graph_early_click.py
"""

from __future__ import annotations

import pytest
from jupyter_pages import write_notebook
from test_widgets_in_browser import FRONT_ENDS, OpenNotebook, _eventually, _open_and_run

pytestmark = pytest.mark.browser

SENTINEL = "KERAS_LENS_EARLY_READY"
CELLS = [
    """\
import ipywidgets
import keras
import keras_lens
from IPython.display import display
from keras_lens.views import graph_view

graph_view.PREFETCH = False  # every click lays out on demand: nothing is ready ahead
resnet = keras.applications.ResNet50(weights=None)""",
    """\
view = keras_lens.graph(resnet)
view.add_class("kl-early")
heard = ipywidgets.HTML()  # what the page told the kernel, to check the hover messages
heard.add_class("kl-early-heard")
def hear(_widget, msg, _buffers):
    heard.value += f" {msg['type']}:{msg.get('key', '')}"
view.canvas.on_msg(hear)
display(view, heard)""",
    f"print({SENTINEL!r})",
]

_CLICK = """(canvas, label) => {
  const g = [...canvas.querySelectorAll('.kl-viewport svg g.node')]
    .find((n) => n.textContent.includes(label));
  g.querySelector('text').dispatchEvent(new MouseEvent('click', {bubbles: true}));
  return {opening: g.classList.contains('kl-opening'),
          status: canvas.querySelector('.kl-status').textContent};
}"""


@pytest.fixture(scope="module", params=sorted(FRONT_ENDS))
def early(request, jupyter_server, browser_context, artifacts_dir) -> OpenNotebook:
    front_end = request.param
    name = f"early_{front_end}.ipynb"
    write_notebook(jupyter_server.root / name, CELLS)
    path = FRONT_ENDS[front_end].format(name=name)
    opened = _open_and_run(
        jupyter_server, browser_context, artifacts_dir, f"early-{front_end}", path, SENTINEL
    )
    opened.page.set_viewport_size({"width": 1400, "height": 900})
    yield opened
    opened.page.close()


def _nodes(canvas) -> str:
    return " ".join(canvas.locator(".kl-viewport svg g.node").all_text_contents())


def test_a_click_200_ms_after_the_drawing_answers_at_once_then_draws(early):
    canvas = early.page.locator(".kl-early .kl-canvas").first
    canvas.locator(".kl-viewport svg g.node").first.wait_for(timeout=60_000)
    canvas.scroll_into_view_if_needed()
    assert "conv4_block3_out" not in _nodes(canvas)
    early.page.wait_for_timeout(200)
    answer = canvas.evaluate(_CLICK, "conv4_block1…conv4_block6")
    assert answer["opening"], "the clicked group should be marked in the click's own task"
    assert answer["status"], "the status line should say it is redrawing"
    frame = canvas.locator(".kl-viewport g.cluster", has_text="conv4_block1")
    _eventually(lambda: frame.count() == 1, "conv4's frame to be drawn")
    # the view is moved to the opened group: its first layers are in the page (boxes far
    # from the view are kept out of the document until the view reaches them)
    _eventually(lambda: "conv4_block1_1_conv" in _nodes(canvas), "conv4's first layers")
    assert canvas.locator(".kl-viewport g.kl-opening").count() == 0, "the mark goes with it"
    early.shot("early-click-open")


def test_the_group_under_the_pointer_is_reported_to_the_kernel(early):
    canvas = early.page.locator(".kl-early .kl-canvas").first
    canvas.locator(".kl-viewport svg g.node").first.wait_for(timeout=60_000)
    canvas.locator(".kl-fit").click()
    group = canvas.locator(".kl-viewport g.node", has_text="conv5_block1…conv5_block3")
    group.hover()
    heard = early.page.locator(".kl-early-heard").first
    _eventually(
        lambda: "hover:group:conv5_block" in heard.text_content(), "a hover message for conv5"
    )
