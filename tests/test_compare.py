"""keras_lens.compare: shared layer objects, equal copies, differences, escaping, bad input."""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from keras_lens.views.compare_view import compare  # noqa: E402

from tests import seed_models  # noqa: E402

EVIL = "<img src=x onerror=alert(1)>"


def _statuses(result) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in result.rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    return counts


def test_encoder_and_autoencoder_share_layer_objects():
    encoder, autoencoder = seed_models.autoencoder_same_graph_001()
    result = compare(encoder, autoencoder)
    shared = [r for r in result.rows if r.status == "same object"]
    # independently: the layer objects of the encoder are all inside the autoencoder
    assert {id(layer) for layer in encoder.layers} <= {id(layer) for layer in autoencoder.layers}
    assert [r.a.name for r in shared] == [layer.name for layer in encoder.layers]
    assert _statuses(result) == {"same object": 7, "only in b": 6}
    assert repr(result).startswith(
        "<Compare 'encoder' vs 'autoencoder': 7 shared layer objects, 0 equal, 0 differing"
    )


def test_nested_encoder_inside_the_autoencoder_is_the_same_object():
    encoder, _, autoencoder = seed_models.autoencoder_nested_001()
    result = compare(encoder, autoencoder)
    shared = [r for r in result.rows if r.status == "same object"]
    assert len(shared) == len(encoder.layers) == 7
    assert all(r.b.parent == "encoder" and r.a.parent == "" for r in shared)


def test_two_builds_of_one_architecture_are_equal_but_not_shared():
    keras.backend.clear_session()
    a, b = seed_models.mnist_model_001(), seed_models.mnist_model_001()
    result = compare(a, b)
    assert _statuses(result) == {"equal": 4}
    assert result.table.same_architecture
    # paired by class and order although the automatic names differ (dense_3 vs dense_7)
    assert all(r.a.name != r.b.name for r in result.rows)


def test_differences_are_named():
    seq, functional = seed_models.sequential_vs_functional_004()
    result = compare(seq, functional)
    dense = next(r for r in result.rows if r.a is not None and r.a.class_name == "Dense")
    assert dense.status == "differs"
    assert dense.differences == ("activation: 'linear' vs 'relu'",)
    # the Sequential's implicit InputLayer pairs with the functional model's explicit one
    inputs = next(r for r in result.rows if r.a is not None and r.a.class_name == "InputLayer")
    assert inputs.status == "equal" and inputs.b.class_name == "InputLayer"
    assert {r.status for r in result.rows} == {"differs", "equal", "only in a"}
    assert not result.table.same_architecture
    widened = compare(seed_models.mlp_002(), seed_models.mnist_model_001())
    first = next(r for r in widened.rows if r.status == "differs")
    assert "units: 512 vs 64" in first.differences
    assert "params: 401,920 (401,920 trainable) vs 50,240 (50,240 trainable)" in first.differences


def test_a_model_with_itself_is_all_shared():
    model = seed_models.toy_resnet_001()
    result = compare(model, model)
    assert _statuses(result) == {"same object": len(model.layers)}


def test_filter_text_and_static_html():
    encoder, autoencoder = seed_models.autoencoder_same_graph_001()
    result = compare(encoder, autoencoder)
    result.show.value = "diff"
    assert "conv2d_transpose" in result.html.value and "same object" not in result.html.value
    bundle = result._repr_mimebundle_()
    assert "same object" in bundle["text/html"] and bundle["text/plain"] == repr(result)
    assert "7 shared layer objects" in result.to_text()


def test_escaping_and_bad_input():
    keras.backend.clear_session()
    inputs = keras.Input((2,), name="x")
    evil = keras.Model(inputs, keras.layers.Dense(1, name=EVIL)(inputs), name=EVIL)
    result = compare(evil, seed_models.mnist_model_001())
    for html in (result.html.value, result._repr_mimebundle_()["text/html"]):
        assert EVIL not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    with pytest.raises(TypeError, match=r"keras_lens.compare\(\) needs a Keras model"):
        compare(evil, np.zeros(3))
    with pytest.raises(ValueError, match="not built yet"):
        compare(evil, keras.Sequential([keras.layers.Dense(1)]))


def test_sequential_and_functional_twins_are_the_same_architecture():
    """A Sequential hides its InputLayer; its functional twin shows it: they still compare equal."""
    layers = keras.layers

    def stack():
        return [layers.Dense(8, activation="relu", name="hidden"), layers.Dense(2, name="out")]

    sequential = keras.Sequential([keras.Input(shape=(4,), name="x"), *stack()])
    inputs = keras.Input(shape=(4,), name="x")
    hidden, out = stack()
    functional = keras.Model(inputs, out(hidden(inputs)))
    result = compare(sequential, functional)
    assert _statuses(result) == {"equal": 3}
    assert result.table.same_architecture
