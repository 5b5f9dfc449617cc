"""keras_lens.summary: totals agree with Keras, golden text tables, widget behaviour, escaping."""

from __future__ import annotations

import re

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from keras_lens.render.summary_table import build_summary  # noqa: E402
from keras_lens.views.summary_view import Summary, summary  # noqa: E402

from tests import seed_models  # noqa: E402

EVIL = "<img src=x onerror=alert(1)>"
TOTALS = re.compile(r"^\s*(Total|Trainable|Non-trainable|Optimizer) params: ([\d,]+) \(([^)]*)\)")


def _keras_totals(model) -> dict[str, tuple[int, str]]:
    """The totals lines ``model.summary()`` prints: {"Total": (count, "215.04 KB"), ...}."""
    lines: list[str] = []
    model.summary(print_fn=lambda text, **kw: lines.extend(text.splitlines()))
    found = {}
    for line in lines:
        match = TOTALS.match(line)
        if match:
            found[match[1]] = (int(match[2].replace(",", "")), match[3])
    assert {"Total", "Trainable", "Non-trainable"} <= set(found), lines[-4:]
    return found


def _our_totals(result: Summary) -> dict[str, tuple[int, str]]:
    found = {}
    for line in result.to_text().splitlines():
        match = TOTALS.match(line)
        if match:
            found[match[1]] = (int(match[2].replace(",", "")), match[3])
    return found


def _seed(name: str):
    """A seed model built after clear_session, so auto-generated names are reproducible."""
    keras.backend.clear_session()
    if name in seed_models.FUNCTIONAL_FACTORIES:
        return seed_models.FUNCTIONAL_FACTORIES[name]()
    return {
        "sequential_002": seed_models.sequential_002,
        "subclassed_mlp_001": seed_models.subclassed_mlp_001,
        "autoencoder_001": lambda: seed_models.autoencoder_nested_001()[2],
        "autoencoder_same_graph_001": lambda: seed_models.autoencoder_same_graph_001()[1],
        "sequential_004": lambda: seed_models.sequential_vs_functional_004()[0],
        "vgg19_features_001": seed_models.vgg19_features_001,
    }[name]()


SEEDS = [
    *seed_models.FUNCTIONAL_FACTORIES,
    "sequential_002",
    "subclassed_mlp_001",
    "autoencoder_001",
    "autoencoder_same_graph_001",
    "sequential_004",
    "vgg19_features_001",
]


@pytest.mark.parametrize("name", SEEDS)
def test_totals_match_keras(name):
    model = _seed(name)
    result = summary(model)
    assert result.total_params == model.count_params()
    assert result.trainable_params == sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    assert _our_totals(result) == _keras_totals(model)
    if name in seed_models.DOCUMENTED_PARAMS:
        assert result.total_params == seed_models.DOCUMENTED_PARAMS[name]


@pytest.mark.parametrize("name", SEEDS)
def test_every_formula_evaluates_to_its_row_count(name):
    """The Formula column is arithmetic a learner can redo: it must give the row's Param #."""
    rows = [row for row in summary(_seed(name)).rows if row.formula]
    assert rows or name == "subclassed_mlp_001"
    for row in rows:
        text = row.formula.replace("\N{MULTIPLICATION SIGN}", "*")
        assert re.fullmatch(r"[0-9+*() ]+", text), f"{row.name}: not plain arithmetic: {text}"
        assert eval(text, {"__builtins__": {}}) == row.params, f"{row.name}: {text} != {row.params}"


@pytest.mark.parametrize("name", SEEDS)
def test_golden_text(name, golden):
    golden(f"summary_{name}.txt", summary(_seed(name)).to_text())


def test_repr_matches_the_documented_example():
    result = summary(_seed("mnist_model_001"))
    assert repr(result) == "<Summary 'mnist_model': 4 layers, 55,050 params (55,050 trainable)>"
    bundle = result._repr_mimebundle_()
    assert bundle["text/plain"] == repr(result)
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "55,050" in bundle["text/html"]


def test_rows_and_formulas_of_mnist_model():
    rows = summary(_seed("mnist_model_001")).rows
    assert [r.class_name for r in rows] == ["InputLayer", "Dense", "Dense", "Dense"]
    # 784*64+64 = 50,240; 64*64+64 = 4,160; 64*10+10 = 650 (seed 001-03's table)
    assert [r.params for r in rows] == [0, 50_240, 4_160, 650]
    assert rows[1].formula == "(784+1)*64"
    assert rows[1].param_bytes == 50_240 * 4
    assert [r.activations for r in rows] == [784, 64, 64, 10]
    assert rows[2].connected_to == ("dense[0][0]",)


def test_shared_layer_lists_every_call():
    rows = {r.name: r for r in summary(_seed("shared_embedding_001")).rows}
    shared = rows["shared_embedding"]
    assert shared.output_shapes == ((None, None, 128), (None, None, 128))
    assert shared.connected_to == ("text_a[0][0]", "text_b[0][0]")
    assert shared.activations is None  # the sequence length is unknown


def test_nested_models_expand_and_collapse():
    result = summary(_seed("autoencoder_001"))
    assert [r.name for r in result.visible_rows()] == ["img", "encoder", "decoder"]
    result.toggles["encoder"].value = True
    names = [r.name for r in result.visible_rows()]
    assert names[:3] == ["img", "encoder", "original_img"] and names[-1] == "decoder"
    encoder_rows = [r for r in result.rows if r.parent == "encoder"]
    assert sum(r.params for r in encoder_rows) == 18_672  # seed 001-07's encoder
    assert "└ conv2d (Conv2D)" in result.to_text()


def test_filter_sort_and_selection():
    result = summary(_seed("autoencoder_001"))
    result.filter_text.value = "TRANSPOSE"
    keys = [r.key for r in result.visible_rows()]
    assert keys[0] == "decoder" and all("transpose" in k for k in keys[1:]) and len(keys) == 5
    result.filter_text.value = ""
    result.filter_class.value = "InputLayer"
    # nested InputLayers match too; their models stay as context
    names = [r.name for r in result.visible_rows()]
    assert names == ["img", "encoder", "original_img", "decoder", "encoded_img"]
    result.filter_class.value = ""
    result.sort.value = "params_desc"
    assert [r.name for r in result.visible_rows()] == ["encoder", "decoder", "img"]
    result.selected = "decoder/reshape"
    assert result.toggles["decoder"].value  # opened to show the selection
    assert "class='sel' data-key='decoder/reshape'" in result.html.value
    assert result.layer.value == "decoder/reshape"


def test_non_trainable_and_optimizer_params():
    keras.backend.clear_session()
    inputs = keras.Input((4,))
    x = keras.layers.Dense(3, name="frozen", trainable=False)(inputs)
    x = keras.layers.BatchNormalization(name="bn")(x)
    model = keras.Model(inputs, keras.layers.Dense(1, name="out")(x))
    model.compile(optimizer="adam", loss="mse")
    model.fit(np.ones((4, 4)), np.ones((4, 1)), epochs=1, verbose=0)
    result = summary(model)
    rows = {r.name: r for r in result.rows}
    assert (rows["frozen"].trainable_params, rows["frozen"].non_trainable_params) == (0, 15)
    assert (rows["bn"].trainable_params, rows["bn"].non_trainable_params) == (6, 6)
    assert result.non_trainable_params == 21 and result.total_params == model.count_params()
    ours, theirs = _our_totals(result), _keras_totals(model)
    assert "Optimizer" in theirs and ours == theirs


def test_html_is_escaped():
    keras.backend.clear_session()
    inputs = keras.Input((2,), name="x")
    model = keras.Model(inputs, keras.layers.Dense(1, name=EVIL)(inputs), name=EVIL)
    result = summary(model)
    for html in (result._repr_mimebundle_()["text/html"], result.html.value):
        assert EVIL not in html
        assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert EVIL in result.to_text()  # plain text is not HTML: kept verbatim


def test_subclassed_model_is_listed_with_a_note():
    result = summary(_seed("subclassed_mlp_001"))
    assert result.total_params == 2_762  # 32*64+64 + 64*10+10
    assert "subclassed" in result.to_text() and "?" in result.to_text()


@pytest.mark.parametrize(
    ("bad", "error", "message"),
    [
        (None, TypeError, "needs a Keras model; got None"),
        (np.zeros((2, 3)), TypeError, r"got an array of shape \(2, 3\)"),
        ("model", TypeError, "got the string 'model'; pass the model object itself"),
    ],
)
def test_bad_input(bad, error, message):
    with pytest.raises(error, match=message):
        summary(bad)


def test_layer_and_unbuilt_model_are_clear_errors():
    keras.backend.clear_session()
    with pytest.raises(TypeError, match=r"the layer 'd'.*not a model"):
        summary(keras.layers.Dense(2, name="d"))
    with pytest.raises(ValueError, match="not built yet"):
        summary(keras.Sequential([keras.layers.Dense(2)]))


def test_build_summary_without_keras_objects():
    table = build_summary(_graph("toy_resnet_001"))
    assert table.total_params == 223_242  # seed 000's documented total
    assert {r.class_name for r in table.rows} >= {"Add", "Conv2D", "Dropout"}


def _graph(name: str):
    from keras_lens.adapter import build_layer_graph

    return build_layer_graph(_seed(name))


def test_a_filtered_summary_says_how_many_rows_it_shows():
    result = summary(_seed("autoencoder_001"))
    assert "rows shown" not in result.html.value  # unfiltered: no note
    result.filter_text.value = "TRANSPOSE"
    shown = len(result.visible_rows())
    total = len(result.table.visible_rows(True))  # every row, nested ones included
    assert f"{shown:,} of {total:,} rows shown (filter: TRANSPOSE)" in result.html.value
    assert shown < total


def test_summary_labels_follow_the_language():
    from keras_lens import i18n

    with i18n.language("zh-CN"):
        result = summary(_seed("mlp_002"))
    assert result.filter_text.description == "筛选"
    assert result.sort.options[0] == ("按层图顺序", "graph")
    assert "<th>层（类型）</th>" in result.html.value
    english = summary(_seed("mlp_002"))
    assert english.filter_text.description == "filter"
    assert "<th>Layer (type)</th>" in english.html.value
