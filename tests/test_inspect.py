"""keras_lens.inspect: one tabbed widget whose layer selection is the same in every tab."""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")
traitlets = pytest.importorskip("traitlets")

from keras_lens.views.inspect_view import TABS, inspect  # noqa: E402

from tests import seed_models  # noqa: E402

EVIL = "<img src=x onerror=alert(1)>"


def _tabs(view):
    return view.graph_view.picker.value, view.summary_view.selected, view.shape_view.selected


def test_selection_is_synchronised_across_tabs():
    keras.backend.clear_session()  # reproducible automatic names whatever ran before: conv2d, ...
    _, _, autoencoder = seed_models.autoencoder_nested_001()
    view = inspect(autoencoder, np.zeros((2, 28, 28, 1), "float32"))
    assert [view.tabs.get_title(i) for i in range(4)] == list(TABS)
    view.graph_view.picker.value = "encoder/conv2d"  # a click in the graph tab
    assert view.selected == "encoder/conv2d"
    assert _tabs(view) == ("encoder/conv2d",) * 3
    assert "conv2d" in view.details.value and "Conv2D" in view.details.value
    view.summary_view.selected = "decoder"  # a pick in the summary tab
    assert _tabs(view) == ("decoder",) * 3 and view.selected == "decoder"
    view.shape_view.selected = "img"  # a pick in the shapes tab
    assert _tabs(view) == ("img",) * 3
    view.selected = ""
    assert _tabs(view) == ("", "", "") and "Pick a layer" in view.details.value


def test_layer_missing_from_a_tab_selects_nothing_there():
    view = inspect(seed_models.sequential_002())  # its InputLayer is implicit: graph only
    implicit = next(layer.key for layer in view.layer_graph.layers if layer.implicit)
    view.graph_view.picker.value = implicit
    assert view.selected == implicit
    assert view.summary_view.selected == "" and view.shape_view.selected == ""


def test_bad_selection_and_bad_input():
    keras.backend.clear_session()  # reproducible automatic names: dense, dense_1, ...
    view = inspect(seed_models.mnist_model_001(), selected="dense")
    assert view.selected == "dense" and view.summary_view.selected == "dense"
    with pytest.raises(traitlets.TraitError, match="no layer 'nope'"):
        view.selected = "nope"
    with pytest.raises(TypeError, match=r"keras_lens.inspect\(\) needs a Keras model"):
        inspect("model")
    with pytest.raises(ValueError, match="does not fit input"):
        inspect(seed_models.mnist_model_001(), np.zeros((2, 3)))


def test_subclassed_model_still_opens():
    view = inspect(seed_models.subclassed_mlp_001())
    assert "subclassed" in view.shape_view.value
    assert view.summary_view.total_params == 2_762


def test_reprs_and_escaping():
    keras.backend.clear_session()
    inputs = keras.Input((3,), name="x")
    model = keras.Model(inputs, keras.layers.Dense(2, name=EVIL)(inputs), name=EVIL)
    view = inspect(model, np.zeros((2, 3)), selected=EVIL)
    assert repr(view) == (
        f"<Inspect '{EVIL}': 2 layers, 8 params; tabs: graph, summary, shapes, layer details; "
        f"selected: {EVIL}>"
    )
    bundle = view._repr_mimebundle_()
    assert bundle["text/plain"] == repr(view)
    assert "application/vnd.jupyter.widget-view+json" in bundle
    for html in (bundle["text/html"], view.details.value, view.summary_view.html.value):
        assert EVIL not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
