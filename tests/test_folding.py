"""keras_lens.records.folding and the folded drawing: repeated blocks found, opened and closed.

ResNet50 and DenseNet121 are built with ``weights=None`` (nothing is downloaded).
"""

from __future__ import annotations

import re

import pytest

keras = pytest.importorskip("keras")
pytest.importorskip("ipywidgets")

import keras_lens  # noqa: E402
from keras_lens.adapter import build_layer_graph  # noqa: E402
from keras_lens.records.folding import find_groups  # noqa: E402
from keras_lens.render import layout  # noqa: E402
from keras_lens.render.dot_render import GraphOptions, to_dot_indexed  # noqa: E402

needs_dot = pytest.mark.skipif(layout.find_engine() is None, reason="no Graphviz engine")


@pytest.fixture(scope="module")
def resnet():
    return build_layer_graph(keras.applications.ResNet50(weights=None))


def transformer(blocks: int = 24, named: bool = True) -> keras.Model:
    """A small encoder: ``blocks`` identical attention blocks (named ``block{i}_*`` or default)."""
    x = keras.Input(shape=(16, 32), name="tokens")
    h = x
    for i in range(blocks):

        def n(part: str, i: int = i) -> str | None:
            return f"block{i}_{part}" if named else None

        a = keras.layers.MultiHeadAttention(2, 16, name=n("attn"))(h, h)
        h = keras.layers.LayerNormalization(name=n("ln1"))(keras.layers.Add(name=n("add1"))([h, a]))
        f = keras.layers.Dense(32, activation="relu", name=n("ff"))(h)
        h = keras.layers.LayerNormalization(name=n("ln2"))(keras.layers.Add(name=n("add2"))([h, f]))
    return keras.Model(x, keras.layers.Dense(4, name="head")(h), name="encoder24")


def test_resnet50_folds_by_stage(resnet):
    groups = find_groups(resnet)
    assert [(g.label, g.blocks, len(g.keys)) for g in groups] == [
        ("conv2_block1…conv2_block3", 3, 32),
        ("conv3_block1…conv3_block4", 4, 42),
        ("conv4_block1…conv4_block6", 6, 62),
        ("conv5_block1…conv5_block3", 3, 32),
    ]
    conv4 = groups[2]
    assert conv4.keys[0] == "conv4_block1_0_conv" or conv4.keys[0].startswith("conv4_block1_")
    assert "conv4_block3_out" in conv4.keys and "conv5_block1_out" not in conv4.keys
    assert all(g.rule == "prefix" and g.id.startswith("group:conv") for g in groups)


@pytest.mark.parametrize("named", [True, False], ids=["named", "default-names"])
def test_a_24_block_transformer_is_one_group(named):
    graph = build_layer_graph(transformer(24, named=named))
    (group,) = find_groups(graph)
    assert group.blocks == 24 and len(group.keys) == 24 * 6
    assert group.rule == ("prefix" if named else "structure")
    assert "head" not in group.keys


def test_plain_numbered_layers_are_not_blocks():
    x = keras.Input(shape=(4,), name="x")
    h = x
    for i in range(6):
        h = keras.layers.Dense(4, name=f"dense_{i}")(h)
    model = keras.Model(x, keras.layers.Dense(2, name="out")(h))
    assert find_groups(build_layer_graph(model)) == ()  # one layer per "block": nothing to fold


def test_folded_drawing_maps_edges_to_the_group(resnet):
    dot, index = to_dot_indexed(resnet, GraphOptions(fold=True))
    kinds = [b["kind"] for b in index["boxes"].values()]
    assert kinds.count("group") == 4 and len(kinds) == 177 - (32 + 42 + 62 + 32) + 4
    group_box = next(i for i, b in index["boxes"].items() if b["name"].startswith("conv3_"))
    assert "conv3_block2_out" in index["boxes"][group_box]["members"]
    ins = [a for a, b in index["edges"] if b == group_box]
    outs = [b for a, b in index["edges"] if a == group_box]
    assert len(ins) == 1 and len(outs) == 1  # one arrow in from conv2, one out to conv4
    assert "L" not in "".join(re.findall(r'tooltip="([^"]*)"', dot)).replace("Layer", "")
    opened = GraphOptions(fold=True, flipped=frozenset({"group:conv3_block#"}))
    _, index2 = to_dot_indexed(resnet, opened)
    assert len(index2["boxes"]) == len(index["boxes"]) - 1 + 42
    assert [f["key"] for f in index2["clusters"].values()] == ["group:conv3_block#"]


@needs_dot
def test_graph_folds_big_models_by_default_and_toggles(resnet):
    view = keras_lens.graph(resnet)
    assert view.options.fold and view.fold_box.value
    assert "<title>" not in view.canvas.svg  # hover shows names, never ids like L0->L1
    folded = len(view.canvas.index["boxes"])
    view.toggle("group:conv2_block#")
    assert len(view.canvas.index["boxes"]) == folded - 1 + 32
    view._on_message(view.canvas, {"type": "toggle", "key": "group:conv2_block#"}, [])
    assert len(view.canvas.index["boxes"]) == folded
    with pytest.raises(KeyError, match="neither a nested model nor a group"):
        view.toggle("group:nope")
    view.fold_box.value = False
    assert len(view.canvas.index["boxes"]) == 177
    view.direction.value = "LR"
    assert "left → right with 177 boxes" in view.warning.value
    small = keras_lens.graph(transformer(2))
    assert not small.options.fold  # 13 layers: drawn in full


@needs_dot
def test_nested_models_open_on_their_own():
    inner_in = keras.Input(shape=(4,), name="a_in")
    a = keras.Model(inner_in, keras.layers.Dense(3, name="a_d")(inner_in), name="a")
    inner_in2 = keras.Input(shape=(3,), name="b_in")
    b = keras.Model(inner_in2, keras.layers.Dense(2, name="b_d")(inner_in2), name="b")
    x = keras.Input(shape=(4,), name="x")
    view = keras_lens.graph(keras.Model(x, b(a(x)), name="two"))
    names = lambda: sorted(box["name"] for box in view.canvas.index["boxes"].values())  # noqa: E731
    assert names() == ["a", "b", "x"]
    view.toggle("a")
    assert names() == ["a_d", "a_in", "b", "x"]
    view.toggle("b")
    view.toggle("a")
    assert names() == ["a", "b_d", "b_in", "x"]
    view.nested_box.value = True  # expand all: per-model choices reset
    assert names() == ["a_d", "a_in", "b_d", "b_in", "x"]


@needs_dot
def test_canvas_selection_is_the_pickers():
    view = keras_lens.graph(transformer(2))
    view.canvas.selected = "block1_ff"  # what a click in the page does
    assert view.picker.value == "block1_ff" and "block1_ff" in view.details.value
    view.picker.value = "head"
    assert view.canvas.selected == "head"
    svg_before = view.canvas.svg
    view.picker.value = "block0_attn"
    assert view.canvas.svg == svg_before  # selecting never redraws: the page marks it
