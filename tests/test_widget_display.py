"""The keras_lens widgets publish the same bundle under ipywidgets 7 (Colab) and 8.

ipywidgets 7 defines ``Widget._ipython_display_``, which IPython prefers to
``_repr_mimebundle_``; it published only text/plain and the widget view, so a stored chapter's
``text/html`` (the static rendering) went missing on Colab and nbval failed there. These tests
go through IPython's own display path, the one a notebook cell uses, in whichever ipywidgets is
installed (the matrix's colab and oldest environments have 7, the main one 8).
"""

from __future__ import annotations

import ipywidgets
import pytest
from IPython.core.interactiveshell import InteractiveShell
from IPython.display import display
from IPython.utils.capture import capture_output
from keras_lens.views._widgets import LensBox

VIEW = "application/vnd.jupyter.widget-view+json"


class Hello(LensBox):
    def _lens_text(self) -> str:
        return "<Hello>"

    def _lens_html(self) -> str:
        return "<b>hello</b>"


@pytest.fixture
def shell():
    """An IPython shell for the display machinery, removed again after the test."""
    had = InteractiveShell.initialized()
    instance = InteractiveShell.instance()
    yield instance
    if not had:
        InteractiveShell.clear_instance()


def published(obj) -> list[dict]:
    with capture_output() as captured:
        display(obj)
    return [output.data for output in captured.outputs]


def test_display_sends_text_html_and_the_widget_view(shell):
    widget = Hello()
    (data,) = published(widget)
    assert sorted(data) == [VIEW, "text/html", "text/plain"], ipywidgets.__version__
    assert data["text/plain"] == "<Hello>"
    assert data["text/html"] == "<b>hello</b>"
    assert data[VIEW]["model_id"] == widget.model_id


@pytest.mark.skipif(
    not hasattr(ipywidgets.Widget, "on_displayed"), reason="ipywidgets 8 has no on_displayed"
)
def test_display_callbacks_still_run(shell):
    """ipywidgets 7's ``on_displayed`` callbacks fire as before."""
    widget = Hello()
    seen = []
    widget.on_displayed(lambda w, **kw: seen.append(w))
    published(widget)
    assert seen == [widget]
