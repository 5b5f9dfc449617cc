"""inspect/shapes with a batch: shown first, traced on screen with progress, stored finished.

The forward pass of ``inspect(model, batch)`` and ``shapes(model, batch)`` runs when the view is
displayed in a live front end (after the first display, with a progress line on top) or when
its trace, ``repr`` or stored copy is first asked for. Either way the finished bundle is the same.
"""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")
pytest.importorskip("ipywidgets")

import keras_lens  # noqa: E402
from keras_lens import adapter, i18n  # noqa: E402
from keras_lens.views import progress  # noqa: E402
from keras_lens.views._compat import IPYWIDGETS_MAJOR  # noqa: E402


def _model():
    x = keras.Input((28, 28, 1), name="digit")
    y = keras.layers.Conv2D(4, 3, activation="relu", name="conv2d")(x)
    y = keras.layers.MaxPool2D(name="pool")(y)
    y = keras.layers.Flatten(name="flat")(y)
    return keras.Model(x, keras.layers.Dense(3, name="dense")(y), name="cnn_002")


def _batch(n=4):
    return np.random.default_rng(0).random((n, 28, 28, 1), dtype="float32")


@pytest.fixture
def real_runs(monkeypatch):
    """How many real (not dry/spec) forward passes ``adapter.run_graph`` made."""
    calls = []
    original = adapter.run_graph

    def counting(model, inputs, visit=None, *, mode="real", state=None):
        if mode == "real":
            calls.append(model.name)
        return original(model, inputs, visit, mode=mode, state=state)

    monkeypatch.setattr(adapter, "run_graph", counting)
    return calls


class _Screen:
    """Stands in for IPython's ``display``: records each bundle and each in-place update."""

    def __init__(self):
        self.events: list[tuple[str, dict]] = []

    def display(self, bundle, raw=False, display_id=None):
        assert raw
        self.events.append(("display", dict(bundle)))
        screen = self

        class Handle:
            def update(self, new, raw=False):
                assert raw
                screen.events.append(("update", dict(new)))

        return Handle() if display_id else None


@pytest.fixture
def live(monkeypatch):
    """A live front end: not headless, IPython's display recorded."""
    import IPython.display

    screen = _Screen()
    monkeypatch.setenv("KERAS_LENS_HEADLESS", "0")
    monkeypatch.setattr(IPython.display, "display", screen.display)
    return screen


@pytest.fixture
def recorded_progress(monkeypatch):
    """Every ``Progress`` built, with the children of its view at each step."""
    built = []

    class Recording(progress.Progress):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, interval=0.0, **kwargs)
            self.texts: list[str] = []
            built.append(self)

        def step(self, index, total, name):
            super().step(index, total, name)
            self.texts.append(self.text)

    monkeypatch.setattr(progress, "Progress", Recording)
    return built


def test_inspect_returns_before_the_forward_pass_and_repr_finishes_it(real_runs):
    view = keras_lens.inspect(_model(), _batch())
    assert real_runs == [] and view.shape_view.pending
    assert "tracing a batch of 4" in view.shape_view._lens_text()
    text = repr(view)  # asks for the finished view
    assert real_runs == ["cnn_002"] and not view.shape_view.pending
    assert "Inspect 'cnn_002'" in text and view.shape_view.trace.batch == 4
    repr(view)
    view.static_html()
    assert real_runs == ["cnn_002"]  # once


def test_a_batch_that_does_not_fit_is_still_refused_at_once(real_runs):
    with pytest.raises(ValueError, match="does not fit input"):
        keras_lens.inspect(_model(), np.zeros((2, 3)))
    with pytest.raises(ValueError, match="limit 1 MB"):
        keras_lens.shapes(_model(), _batch(64), memory_limit_mb=1)
    assert real_runs == []


def test_live_display_shows_first_then_updates_with_the_finished_bundle(live, recorded_progress):
    model = _model()
    view = keras_lens.inspect(model, _batch(), selected="conv2d")
    hook = view._ipython_display_
    assert callable(hook)
    hook()
    kinds = [kind for kind, _ in live.events]
    assert kinds == ["display", "update"]
    first, final = live.events[0][1], live.events[1][1]
    model_id = first["application/vnd.jupyter.widget-view+json"]["model_id"]
    assert final["application/vnd.jupyter.widget-view+json"]["model_id"] == model_id
    assert "tracing a batch of 4" not in first["text/plain"]  # Inspect's text has no trace
    # the summary and shapes tabs were built after the first display
    assert first["text/html"].count("Building this tab") == 2
    assert "Building this tab" not in final["text/html"]
    # the progress line sat on top while the pass ran, then left the view (it is not closed:
    # closing right after the removal races ipywidgets 7's view creation, see _widgets.py)
    (line,) = recorded_progress
    assert line.texts[-1].startswith("Tracing shapes: layer ") and line.bar.max == len(line.texts)
    assert line.texts[-1] == f"Tracing shapes: layer {line.bar.max} of {line.bar.max}: dense"
    assert line.widget not in view.children
    assert all(line.widget not in getattr(c, "children", ()) for c in view.children)
    # what is stored equals what a headless run (nbval, nbclient) stores
    headless = keras_lens.inspect(model, _batch(), selected="conv2d")
    assert final["text/plain"] == headless._repr_mimebundle_()["text/plain"]
    assert final["text/html"] == headless._repr_mimebundle_()["text/html"]
    assert "Running the batch" not in final["text/html"]


def test_shapes_alone_shows_the_same_progress(live, recorded_progress):
    view = keras_lens.shapes(_model(), _batch())
    view._ipython_display_()
    (line,) = recorded_progress
    assert [kind for kind, _ in live.events] == ["display", "update"]
    assert "tracing a batch of 4" in live.events[0][1]["text/plain"]
    assert live.events[1][1]["text/plain"].endswith("traced with a batch of 4: all fit>")
    assert line.texts and line.widget not in view.children
    assert view.status.value == ""  # the "running the batch" note is gone


def test_headless_sends_one_finished_bundle(monkeypatch, real_runs):
    monkeypatch.setenv("KERAS_LENS_HEADLESS", "1")
    view = keras_lens.inspect(_model(), _batch())
    if IPYWIDGETS_MAJOR >= 8:
        # IPython falls back to _repr_mimebundle_ (an execute_result, as for any widget)
        assert view._ipython_display_ is None
        bundle = view._repr_mimebundle_()
    else:
        import IPython.display

        screen = _Screen()
        monkeypatch.setattr(IPython.display, "display", screen.display)
        view._ipython_display_()
        ((kind, bundle),) = screen.events
        assert kind == "display"
    assert real_runs == ["cnn_002"] and "Running the batch" not in bundle["text/html"]


def test_nothing_pending_needs_no_display_hook_under_ipywidgets_8(live):
    view = keras_lens.shapes(_model())  # no batch: nothing slow left
    if IPYWIDGETS_MAJOR >= 8:
        assert view._ipython_display_ is None
    view.finish()  # a no-op
    assert live.events == []


@pytest.fixture
def built(monkeypatch):
    """Counts of what ``inspect`` builds: summary tables, summary widgets, shapes widgets."""
    from keras_lens.render import summary_table
    from keras_lens.views import shapes_view, summary_view

    counts = {"table": 0, "summary": 0, "shapes": 0}

    def counting(name, owner, attribute):
        original = getattr(owner, attribute)

        def wrapper(*args, **kwargs):
            counts[name] += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(owner, attribute, wrapper)

    counting("table", summary_table, "_build")
    counting("summary", summary_view, "summary")
    counting("shapes", shapes_view, "Shapes")
    return counts


def test_only_the_graph_tab_is_built_before_the_first_display(live, recorded_progress, built):
    adapter.clear_cache()
    view = keras_lens.inspect(_model(), selected="dense")  # no batch: no progress line
    assert built == {"table": 1, "summary": 0, "shapes": 0}  # the graph view's copyable text
    assert callable(view._ipython_display_)  # the other tabs are built once it is on screen
    view._ipython_display_()
    assert [kind for kind, _ in live.events] == ["display", "update"]
    assert recorded_progress == []  # nothing to trace: no "Tracing shapes" line
    # one summary table for the graph view and the summary tab; the layer selected in both
    assert built == {"table": 1, "summary": 1, "shapes": 1}
    assert view.summary_view.selected == "dense" and view.shape_view.selected == "dense"
    final = live.events[1][1]
    assert final["text/html"] == keras_lens.inspect(_model(), selected="dense").static_html()


def test_a_tab_asked_for_is_built_then_and_once(built):
    view = keras_lens.inspect(_model(), _batch())
    assert built["summary"] == 0
    view.selected = "conv2d"
    assert view.summary_view.selected == "conv2d"  # built on first use, the selection passed on
    assert built["summary"] == 1 and built["shapes"] == 1
    assert view.shape_view.pending  # building the tab does not run the forward pass
    view.finish()
    assert built == {"table": 1, "summary": 1, "shapes": 1} and not view.shape_view.pending
    view.summary_view.selected = "dense"  # a tab built late still drives the others
    assert view.selected == "dense" and view.shape_view.selected == "dense"


@pytest.mark.tensorflow  # JAX clamps an out-of-range Embedding index instead of raising
def test_a_pass_that_fails_on_screen_is_shown_not_raised(live, recorded_progress):
    x = keras.Input((5,), dtype="int32", name="tokens")
    model = keras.Model(x, keras.layers.Embedding(10, 3, name="embed")(x), name="words")
    view = keras_lens.inspect(model, np.full((2, 5), 99, "int32"))
    view._ipython_display_()
    final = live.events[-1][1]
    assert "99 is not in [0, 10)" in final["text/html"]
    assert "99 is not in [0, 10)" in view.shape_view.status.value
    with pytest.raises(ValueError, match=r"99 is not in \[0, 10\)"):
        _ = view.shape_view.trace


def test_progress_line_throttles_and_always_sends_the_last_step():
    now = [0.0]
    line = progress.Progress(interval=0.5, clock=lambda: now[0])
    sent = []
    line.label.observe(lambda change: sent.append(change["new"]), names="value")
    for i in range(1, 11):
        now[0] += 0.1
        line.step(i, 10, f"layer{i}")
    # 1 s in 10 steps of 0.1 s with a 0.5 s interval: steps 1, 6 and the last, 10
    assert len(sent) == 3 and "layer 10 of 10: layer10" in sent[-1]
    assert line.bar.value == 10 and line.bar.max == 10 and line.sent == 3
    line.step(99, 10, "x")  # out of range: clamped
    assert line.bar.value == 10
    line.close()


def test_progress_text_in_both_languages_and_escaped():
    assert progress.step_text("shapes", 2, 5, "d") == "Tracing shapes: layer 2 of 5: d"
    with i18n.language("zh-CN"):
        assert progress.step_text("shapes", 2, 5, "d") == "正在追踪形状：第 2 层，共 5 层：d"
        assert "正在" in progress.Progress().text
    line = progress.Progress(interval=0.0)
    line.step(1, 1, "<b>x</b>")
    assert "<b>" not in line.label.value and "&lt;b&gt;x&lt;/b&gt;" in line.label.value


_NOTEBOOK_CELLS = [
    "import keras, keras_lens, numpy as np\n"
    "keras.utils.set_random_seed(0)\n"
    "x = keras.Input((28, 28, 1), name='digit')\n"
    "y = keras.layers.Conv2D(4, 3, name='conv2d')(x)\n"
    "y = keras.layers.Flatten(name='flat')(keras.layers.MaxPool2D(name='pool')(y))\n"
    "model = keras.Model(x, keras.layers.Dense(3, name='dense')(y), name='cnn')\n"
    "batch = np.random.default_rng(0).random((4, 28, 28, 1), dtype='float32')",
    "keras_lens.inspect(model, batch)",
    "keras_lens.shapes(model, batch)",
]


def _executed(headless: str, monkeypatch) -> list:
    import re

    nbclient = pytest.importorskip("nbclient")
    nbformat = pytest.importorskip("nbformat")
    monkeypatch.setenv("KERAS_LENS_HEADLESS", headless)  # the kernel inherits it
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "3")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in _NOTEBOOK_CELLS]
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3").execute()
    outputs = []
    for cell in nb.cells[1:]:
        shown = [o for o in cell.outputs if o.output_type in ("display_data", "execute_result")]
        assert len(shown) == 1, cell.outputs
        data = shown[0]["data"]
        png = re.compile(r"data:image/png;base64,[A-Za-z0-9+/=]+")
        outputs.append((data["text/plain"], png.sub("PNG", data["text/html"])))
        assert not [o for o in cell.outputs if o.get("name") == "stderr"]
    return outputs


def test_nbclient_stores_the_finished_trace_live_or_headless(monkeypatch):
    """nbclient applies the display update: a live run stores what a headless run stores."""
    live = _executed("0", monkeypatch)
    headless = _executed("1", monkeypatch)
    assert live == headless
    (inspect_text, inspect_html), (shapes_text, shapes_html) = live
    assert inspect_text.startswith("<Inspect 'cnn': ")
    assert shapes_text == "<Shapes 'cnn': 5 layer outputs, traced with a batch of 4: all fit>"
    for html in (inspect_html, shapes_html):
        assert "Running the batch" not in html and "Traced with a batch of 4" in html


def test_an_interrupted_pass_runs_again_when_next_asked(monkeypatch):
    view = keras_lens.shapes(_model(), _batch())
    pending = view._pending

    def interrupted(on_step=None):
        raise KeyboardInterrupt

    monkeypatch.setattr(view, "_pending", type(pending)(pending.symbolic, 4, 1, interrupted))
    with pytest.raises(KeyboardInterrupt):
        view.finish()
    assert view.pending and "Running the batch of 4" in view.status.value
    view._pending = pending  # the real pass
    assert view.trace.batch == 4 and not view.pending
