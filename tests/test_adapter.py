"""keras_lens.adapter: the layer graph of every seed architecture, checked against Keras itself.

Two independent references: edge dicts written by hand from the seed documents' code, and the
edges Keras's own ``keras.utils.model_to_dot`` draws (as Keras's model_visualization_test does).
Parameter totals are checked against ``model.count_params()`` and the counts printed in the seeds.
"""

from __future__ import annotations

import ast
import gc
import itertools
import warnings
from pathlib import Path

import numpy as np
import pytest

keras = pytest.importorskip("keras")
layers = keras.layers

from keras_lens import adapter  # noqa: E402
from keras_lens.adapter import (  # noqa: E402
    KerasVersionWarning,
    UnbuiltModelError,
    build_layer_graph,
    check_keras_version,
)

from tests import seed_models as seeds  # noqa: E402


def keras_edge_dict(model) -> dict[str, set[str]]:
    """Edges as Keras's plot_model draws them (boxes are ``model.layers``)."""
    dot = keras.utils.model_to_dot(model, show_layer_names=True)
    names = {str(id(layer)): layer.name for layer in model.layers}
    edges: dict[str, set[str]] = {}
    for edge in dot.get_edges():
        edges.setdefault(names[edge.get_source()], set()).add(names[edge.get_destination()])
    return edges


def chain(*names: str) -> dict[str, set[str]]:
    return {a: {b} for a, b in itertools.pairwise(names)}


@pytest.fixture(scope="module")
def built() -> dict[str, keras.Model]:
    return {name: factory() for name, factory in seeds.FUNCTIONAL_FACTORIES.items()}


@pytest.fixture(scope="module")
def vgg19() -> keras.Model:
    return seeds.vgg19_features_001()


# -- hand-written edge dicts (names from the seed code) ------------------------------------------
def test_mlp_002(built):
    g = build_layer_graph(built["mlp_002"])
    assert g.edge_dict() == chain("input", "hidden1", "hidden2", "hidden3", "output")
    assert g.kind == "functional" and g.input_ids == ("input@0",) and g.output_ids == ("output@0",)
    hidden1 = g.node("hidden1@0")
    assert hidden1.input_shapes == ((None, 784),) and hidden1.output_shapes == ((None, 512),)
    assert g.layer("hidden1").params == 784 * 512 + 512


def test_cnn_002(built):
    g = build_layer_graph(built["cnn_002"])
    assert g.edge_dict() == chain("input", "conv1", "pool1", "conv2", "pool2", "hidden1", "output")
    # the seed's summary: Dense applied to a 4-D tensor keeps the spatial axes
    assert g.node("output@0").output_shapes == ((None, 4, 4, 10),)


def test_lstm_002(built):
    g = build_layer_graph(built["lstm_002"])
    assert g.edge_dict() == chain("input", "lstm1", "hidden1", "output")
    assert g.layer("lstm1").params == 66560  # printed in seed 002
    assert g.layer("lstm1").activation == "tanh"


def test_shared_input_002(built):
    model = built["shared_input_002"]
    g = build_layer_graph(model)
    edges = g.edge_dict()
    assert edges["input"] == {"conv1", "conv2"}
    assert edges["conv1"] == {"pool1"} and edges["conv2"] == {"pool2"}
    flat = sorted(edges["pool1"] | edges["pool2"])
    assert len(flat) == 2 and all(g.layer(k).class_name == "Flatten" for k in flat)
    (merge,) = {t for f in flat for t in edges[f]}
    assert g.layer(merge).class_name == "Concatenate" and edges[merge] == {"hidden1"}
    assert [e.source for e in g.predecessors(f"{merge}@0")] == [f"{flat[0]}@0", f"{flat[1]}@0"]


def test_shared_feature_extractor_002(built):
    g = build_layer_graph(built["shared_feature_extractor_002"])
    assert g.edge_dict() == {
        "input": {"lstm1"},
        "lstm1": {"interp1", "interp21"},
        "interp21": {"interp22"},
        "interp22": {"interp23"},
        "interp1": {"merge"},
        "interp23": {"merge"},
        "merge": {"output"},
    }
    assert [g.node(e.source).layer_key for e in g.predecessors("merge@0")] == [
        "interp1",
        "interp23",
    ]


def test_multi_input_002(built):
    g = build_layer_graph(built["multi_input_002"])
    edges = g.edge_dict()
    assert g.input_ids == ("img_gray_bigsize@0", "img_rgb_smallsize@0")
    for first, chain_names in (
        ("img_gray_bigsize", ("conv11", "pool11", "conv12", "pool12")),
        ("img_rgb_smallsize", ("conv21", "pool21", "conv22", "pool22")),
    ):
        names = (first, *chain_names)
        assert all(edges[a] == {b} for a, b in itertools.pairwise(names))
    assert edges["hidden1"] == {"hidden2"} and edges["hidden2"] == {"output"}


def test_multi_output_002(built):
    g = build_layer_graph(built["multi_output_002"])
    assert g.edge_dict() == {
        "input": {"extract"},
        "extract": {"class11", "output2"},
        "class11": {"class12"},
        "class12": {"output1"},
    }
    assert g.output_ids == ("output1@0", "output2@0") and g.output_indices == (0, 0)
    assert g.layer("output2").class_name == "TimeDistributed"
    assert g.node("output2@0").output_shapes == ((None, 784, 10),)


def test_ticket_model_001(built):
    g = build_layer_graph(built["ticket_model_001"])
    edges = g.edge_dict()
    assert g.input_ids == ("title@0", "body@0", "tags@0")
    assert g.output_ids == ("priority@0", "department@0")
    (merge,) = edges["tags"]
    assert edges[merge] == {"priority", "department"}
    for text in ("title", "body"):
        (emb,) = edges[text]
        (lstm,) = edges[emb]
        assert g.layer(emb).class_name == "Embedding" and g.layer(lstm).class_name == "LSTM"
        assert edges[lstm] == {merge}


def test_toy_resnet_skip_connections(built):
    g = build_layer_graph(built["toy_resnet_001"])
    adds = [r for r in g.layers if r.class_name == "Add"]
    assert len(adds) == 2 and len(g.edges) == len(g.nodes) + 1  # a chain plus two skips
    first = [g.node(e.source).layer_key for e in g.predecessors(adds[0].node_ids[0])]
    assert g.layer(first[0]).class_name == "Conv2D"
    assert g.layer(first[1]).class_name == "MaxPooling2D"  # block_1_output, the skip
    second = [g.node(e.source).layer_key for e in g.predecessors(adds[1].node_ids[0])]
    assert second[1] == adds[0].key  # block_2_output


# -- Keras's own plot edges and parameter counts, for every functional seed ----------------------
@pytest.mark.parametrize("name", sorted(seeds.FUNCTIONAL_FACTORIES))
def test_edges_match_keras_model_to_dot(built, name):
    model = built[name]
    assert build_layer_graph(model).edge_dict() == keras_edge_dict(model)


@pytest.mark.parametrize("name", sorted(seeds.FUNCTIONAL_FACTORIES))
def test_param_totals(built, name):
    model = built[name]
    g = build_layer_graph(model)
    assert g.total_params == model.count_params()
    assert g.trainable_params + g.non_trainable_params == g.total_params
    if name in seeds.DOCUMENTED_PARAMS:
        assert g.total_params == seeds.DOCUMENTED_PARAMS[name]
    # no weight is shared between two layer objects in the seeds: per-layer counts add up
    assert sum(r.params for r in g.layers) == g.total_params


def test_documented_ticket_and_ensemble_counts(built):
    assert build_layer_graph(built["ticket_model_001"]).total_params == 1_392_097
    assert build_layer_graph(built["ensemble_001"]).total_params == 387


# -- nested models -----------------------------------------------------------------------------
def test_autoencoder_nested():
    encoder, _decoder, autoencoder = seeds.autoencoder_nested_001()
    g = build_layer_graph(autoencoder)
    assert g.edge_dict() == {"img": {"encoder"}, "encoder": {"decoder"}}
    assert [g.layer(k).params for k in ("encoder", "decoder")] == [18_672, 9_569]
    assert g.total_params == 28_241 == autoencoder.count_params()
    enc = g.subgraph("encoder")
    assert all(r.key == f"encoder/{r.name}" and r.parent == "encoder" for r in enc.layers)
    assert all(n.id.startswith("encoder/") for n in enc.nodes)
    assert enc.edge_dict() == keras_edge_dict(encoder)  # edge_dict speaks layer names
    assert enc.input_ids == ("encoder/original_img@0",)
    dec = g.subgraph("decoder")
    assert dec.total_params == 9_569 and dec.input_ids == ("decoder/encoded_img@0",)


def test_autoencoder_same_graph():
    encoder, autoencoder = seeds.autoencoder_same_graph_001()
    g_enc, g_auto = build_layer_graph(encoder), build_layer_graph(autoencoder)
    assert (g_enc.total_params, g_auto.total_params) == (18_672, 28_241)
    assert set(g_enc.layer_keys) < set(g_auto.layer_keys)  # the same layer objects
    assert g_auto.edge_dict() == keras_edge_dict(autoencoder)
    assert not g_auto.subgraphs


def test_three_levels_of_nesting():
    x = keras.Input(shape=(4,), name="in0")
    inner = keras.Model(x, layers.Dense(3, name="d_inner")(x), name="inner")
    y = keras.Input(shape=(4,), name="in1")
    middle = keras.Model(y, layers.Dense(2, name="d_mid")(inner(y)), name="middle")
    z = keras.Input(shape=(4,), name="in2")
    outer = keras.Model(z, middle(z), name="outer")
    g = build_layer_graph(outer)
    deepest = g.subgraph("middle").subgraph("middle/inner")
    assert deepest.layer_keys == ("middle/inner/in0", "middle/inner/d_inner")
    assert deepest.layer("middle/inner/d_inner").parent == "middle/inner"
    assert [s.name for s in g.walk()] == ["outer", "middle", "inner"]
    assert g.total_params == outer.count_params() == (4 * 3 + 3) + (3 * 2 + 2)


def test_ensemble_nested_models(built):
    g = build_layer_graph(built["ensemble_001"])
    members = [r for r in g.layers if r.is_model]
    assert len(members) == 3 and all(r.params == 129 for r in members)
    assert len(g.subgraphs) == 3
    (inp,) = [r.key for r in g.layers if r.class_name == "InputLayer"]
    assert g.edge_dict()[inp] == {r.key for r in members}


def test_custom_rnn_inside_functional(built):
    model = built["custom_rnn_functional_001"]
    g = build_layer_graph(model)
    (rnn,) = [r for r in g.layers if r.class_name == "CustomRNN"]
    assert rnn.params == 2 * (32 * 32 + 32) + (32 + 1) and rnn.module == seeds.__name__
    assert g.node(rnn.node_ids[0]).output_shapes == ((16, 8, 1),)  # Conv1D(k=3): 10 - 3 + 1
    assert g.total_params == model.count_params()


def test_vgg19_feature_extraction(vgg19):
    g = build_layer_graph(vgg19)
    assert g.total_params == vgg19.count_params() == 20_024_384  # VGG19 without its top
    assert len(g.output_ids) == len(vgg19.layers) == len(g.layers)
    assert len(g.edges) == len(g.layers) - 1  # a chain
    assert g.edge_dict() == keras_edge_dict(vgg19)


# -- shared layers, bare ops, tensors -------------------------------------------------------------
def test_shared_layer_called_twice(built):
    g = build_layer_graph(built["shared_embedding_001"])
    emb = g.layer("shared_embedding")
    assert emb.shared and emb.node_ids == ("shared_embedding@0", "shared_embedding@1")
    assert [r.key for r in g.shared_layers] == ["shared_embedding"]
    assert g.edge_dict() == {"text_a": {"shared_embedding"}, "text_b": {"shared_embedding"}}
    assert g.output_ids == ("shared_embedding@0", "shared_embedding@1")
    assert g.total_params == 128_000  # counted once


def test_bare_ops_are_operation_nodes():
    a = keras.Input(shape=(3,), name="a")
    b = keras.Input(shape=(3,), name="b")
    s = a + b
    out = keras.ops.relu(layers.Dense(2, name="d")(s))
    for g in (build_layer_graph(out), build_layer_graph(keras.Model([a, b], out))):
        add_key = g.node(g.predecessors("d@0")[0].source).layer_key
        add = g.layer(add_key)
        assert (add.class_name, add.is_op, add.weights) == ("Add", True, ())
        assert g.edge_dict() == {"a": {add_key}, "b": {add_key}, add_key: {"d"}, "d": {"relu"}}


def test_tensors_before_any_model():
    x = keras.Input(shape=(8,), name="x")
    h = layers.Dense(4, name="h")(x)
    y1 = layers.Dense(1, name="y1")(h)
    y2 = layers.Dense(2, name="y2")(h)
    g = build_layer_graph([y1, y2])
    assert g.kind == "tensors" and g.input_ids == ("x@0",)
    assert g.output_ids == ("y1@0", "y2@0")
    assert g.edge_dict() == {"x": {"h"}, "h": {"y1", "y2"}}
    assert g.total_params == (8 * 4 + 4) + (4 + 1) + (4 * 2 + 2)
    assert build_layer_graph({"a": y1}).output_ids == ("y1@0",)
    only_input = build_layer_graph(x)
    assert only_input.layer_keys == ("x",) and not only_input.edges


# -- Sequential, subclassed, bad input ---------------------------------------------------------
def test_sequential_built():
    model = seeds.sequential_002()
    g = build_layer_graph(model)
    assert g.kind == "sequential" and g.total_params == model.count_params() == 7
    hidden = [r for r in g.layers if r.implicit]
    assert [r.class_name for r in hidden] == ["InputLayer"]
    assert [r.name for r in g.layers if not r.implicit] == [layer.name for layer in model.layers]
    visible = {k: v for k, v in g.edge_dict().items() if k != hidden[0].name}
    assert visible == keras_edge_dict(model)


def test_sequential_vs_functional_004():
    seq, fun = seeds.sequential_vs_functional_004()
    assert build_layer_graph(seq).total_params == build_layer_graph(fun).total_params == 25_120


def test_sequential_built_with_build_call():
    model = keras.Sequential([layers.Dense(3, name="s1"), layers.Dense(1, name="s2")])
    with pytest.raises(UnbuiltModelError) as info:
        build_layer_graph(model)
    message = str(info.value)
    assert isinstance(info.value, ValueError)
    assert "keras.Input(shape=" in message and "model.build(" in message
    model.build((None, 5))
    g = build_layer_graph(model)
    assert g.total_params == (5 * 3 + 3) + (3 + 1)


def test_subclassed_model_falls_back_to_layer_list():
    model = seeds.subclassed_mlp_001()
    g = build_layer_graph(model)
    assert g.kind == "subclassed" and not g.nodes and not g.edges
    assert [r.name for r in g.layers] == [layer.name for layer in model.layers]
    assert g.total_params == model.count_params() == (32 * 64 + 64) + (64 * 10 + 10)
    assert "subclassed" in g.notes[0] and "functional API" in g.notes[0]


def test_unbuilt_subclassed_model_says_so():
    g = build_layer_graph(seeds.SubclassedMLP())
    assert g.total_params == 0 and any("not built" in note for note in g.notes)


@pytest.mark.parametrize(
    "bad",
    [None, np.zeros((2, 3)), [], [1, 2], "model", 3.0],
    ids=["none", "array", "empty", "ints", "str", "float"],
)
def test_bad_input_type_error(bad):
    with pytest.raises(TypeError, match=r"Accepted: a keras\.Model"):
        build_layer_graph(bad)


def test_layer_never_called_and_eager_tensor():
    with pytest.raises(TypeError, match="never called"):
        build_layer_graph(layers.Dense(3))
    with pytest.raises(TypeError, match="concrete values"):
        build_layer_graph(keras.ops.ones((2, 3)))
    called = layers.Dense(3)
    called(keras.Input(shape=(2,)))
    with pytest.raises(TypeError, match=r"layer\.output"):
        build_layer_graph(called)


# -- cache and version --------------------------------------------------------------------------
def test_cache_reuses_and_refreshes():
    model = seeds.mnist_model_001()
    g = build_layer_graph(model)
    assert build_layer_graph(model) is g
    model.layers[1].trainable = False
    frozen = build_layer_graph(model)
    assert frozen is not g
    assert frozen.non_trainable_params == 784 * 64 + 64
    assert frozen.layer(model.layers[1].name).trainable is False


def test_cache_refreshes_after_a_rename():
    inner_input = keras.Input((3,), name="ix")
    inner = keras.Model(inner_input, layers.Dense(2, name="deep")(inner_input), name="inner")
    x = keras.Input((3,), name="x")
    dense = layers.Dense(2, name="old")
    model = keras.Model(x, dense(inner(x)), name="before")
    assert build_layer_graph(model).layer_keys == ("x", "inner", "old")
    dense.name, model.name = "new", "after"  # plain attributes in Keras 3
    inner.layers[1].name = "renamed"
    graph = build_layer_graph(model)
    assert (graph.name, graph.layer_keys) == ("after", ("x", "inner", "new"))
    assert graph.subgraph("inner").layer_keys == ("inner/ix", "inner/renamed")


def test_only_the_adapter_reads_keras_private_internals():
    """Private attributes and ``keras.src`` imports appear in the adapter and nowhere else (the
    adapter: everything under keras_lens/adapter/)."""
    private = {"_inbound_nodes", "_keras_history", "_operations", "_nodes", "_functional"}
    private |= {"_flatten_layers", "_layers", "_tracker", "_outbound_nodes"}
    adapter_dir = Path(adapter.__file__).parent
    package = adapter_dir.parent
    assert {"__init__.py", "_walk.py", "_run.py"} <= {p.name for p in adapter_dir.glob("*.py")}
    found = []
    for path in sorted(package.rglob("*.py")):
        if adapter_dir in path.parents:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in private:
                found.append(f"{path.name}:{node.lineno} .{node.attr}")
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            names += [a.name for a in node.names] if isinstance(node, ast.Import) else []
            found += [f"{path.name}:{node.lineno} {n}" for n in names if n.startswith("keras.src")]
    assert found == []


def test_cache_does_not_keep_models_alive():
    adapter.clear_cache()
    model = seeds.mnist_model_001()
    build_layer_graph(model)
    assert len(adapter._CACHE) == 1
    del model
    gc.collect()
    assert len(adapter._CACHE) == 0


def test_supported_keras_version_is_pinned():
    assert adapter.SUPPORTED_KERAS == (">=3.8", "<3.16")  # what scripts/matrix.py tests
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert check_keras_version() is True  # the test environment is supported
        assert check_keras_version("3.15.9") is True
        assert check_keras_version("3.8.0") is True
    for outside in ("3.16.0", "3.7.0", "4.0.0rc1"):
        with pytest.warns(KerasVersionWarning, match="keras>=3.8,<3.16"):
            assert check_keras_version(outside) is False


def test_records_are_frozen(built):
    g = build_layer_graph(built["mlp_002"])
    with pytest.raises(AttributeError):
        g.layers[0].name = "x"  # type: ignore[misc]
    assert g.layer("hidden1").config_values()["units"] == 512
    assert g.layer("hidden1").config_values()["use_bias"] is True


def test_configs_are_read_on_first_use_not_during_the_walk():
    """``get_config()`` is most of a 10,000-layer walk (benchmarks/README.md): the walk leaves
    it to the first reader, which gets the same pairs an eager read gives, read once."""
    calls: list[str] = []

    class Counted(layers.Dense):
        def get_config(self):
            calls.append(self.name)
            return super().get_config()

    x = keras.Input(shape=(3,), name="x")
    model = keras.Model(x, Counted(2, name="d")(x), name="lazy")
    adapter.clear_cache()
    record = build_layer_graph(model).layer("d")
    assert calls == []
    assert record.config_values()["units"] == 2
    assert dict(record.config)["activation"] == "'linear'"
    assert record.config == record.config and calls == ["d"]
    assert record.formula().total == 8  # formulas read the config too
    eager = keras.layers.Dense(2, name="d").get_config()
    assert {k for k, _ in record.config} == set(eager)


def test_a_config_read_late_still_answers_after_the_model_is_gone():
    """The record keeps what it needs to read the config: deleting the model first does not
    turn it into an empty (silently wrong) config."""
    x = keras.Input(shape=(3,), name="x")
    graph = build_layer_graph(keras.Model(x, layers.Dense(5, name="d")(x)))
    gc.collect()
    assert graph.layer("d").config_values()["units"] == 5


def test_a_layer_whose_get_config_fails_has_an_empty_config():
    class NoConfig(layers.Layer):
        def call(self, inputs):
            return inputs

        def get_config(self):
            raise NotImplementedError("no config here")

    x = keras.Input(shape=(3,), name="x")
    graph = build_layer_graph(keras.Model(x, NoConfig(name="plain")(x)))
    assert graph.layer("plain").config == ()
