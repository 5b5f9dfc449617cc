"""keras_lens.LivePlot: one final figure headless, in-place redraws live, nothing printed."""

from __future__ import annotations

import base64
from xml.etree import ElementTree

import numpy as np
import pytest

keras = pytest.importorskip("keras")
IPython_display = pytest.importorskip("IPython.display")

from keras_lens.views.liveplot import LivePlot, is_headless  # noqa: E402

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def shown(monkeypatch):
    calls: list[tuple[object, dict]] = []
    monkeypatch.setattr(IPython_display, "display", lambda obj, **kw: calls.append((obj, kw)))
    return calls


def _fit(plot: LivePlot, epochs: int = 3, validation: bool = True) -> None:
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    x = np.linspace(0, 1, 24, dtype="float32").reshape(8, 3)
    y = x.sum(axis=1, keepdims=True)
    model.fit(
        x,
        y,
        epochs=epochs,
        batch_size=4,
        validation_split=0.25 if validation else 0.0,
        callbacks=[plot],
        verbose=0,
    )


def test_headless_leaves_one_final_figure(shown, capsys):
    plot = LivePlot(live=False)
    _fit(plot)
    assert len(shown) == 1
    bundle, kwargs = shown[0]
    assert kwargs == {"raw": True}
    assert base64.b64decode(bundle["image/png"]).startswith(PNG_MAGIC)
    assert bundle["text/plain"] == "<LivePlot: 3 epochs; loss, val_loss, mae, val_mae>"
    assert plot.panels() == [["loss", "val_loss"], ["mae", "val_mae"]]
    assert len(plot.history["loss"]) == 3
    captured = capsys.readouterr()
    assert captured.out == ""


def test_repr_does_not_depend_on_the_values(shown):
    first, second = LivePlot(live=False), LivePlot(live=False)
    _fit(first, epochs=2)
    _fit(second, epochs=2)
    assert first.history["loss"] != [] and repr(first) == repr(second)
    assert shown[0][0]["text/plain"] == shown[1][0]["text/plain"]


def test_live_mode_redraws_in_place(shown):
    plot = LivePlot(live=True)
    _fit(plot, epochs=3)
    import ipywidgets

    assert len(shown) == 1 and isinstance(shown[0][0], ipywidgets.VBox)
    assert shown[0][0].children == (plot.status, plot.image)
    assert isinstance(plot.image, ipywidgets.Image)  # one picture, replaced: never appended to
    assert plot.image.format == "svg+xml"  # drawn in ~10 ms (render.curves_svg), not a PNG
    svg = ElementTree.fromstring(bytes(plot.image.value))
    epoch_lines = [e for e in svg.iter(f"{SVG}polyline") if e.get("class") == "epoch"]
    assert len(epoch_lines) == 4  # loss + val_loss, mae + val_mae
    assert all(len(e.get("points").split()) == 3 for e in epoch_lines)  # one point per epoch
    assert plot.redraws == 3 and repr(plot).startswith("<LivePlot: 3 epochs")


def test_auto_mode_is_headless_under_pytest(shown, monkeypatch):
    monkeypatch.delenv("KERAS_LENS_HEADLESS", raising=False)
    assert is_headless()  # PYTEST_CURRENT_TEST is set while this test runs
    plot = LivePlot()
    _fit(plot, epochs=1, validation=False)
    assert len(shown) == 1 and "image/png" in shown[0][0]
    assert repr(plot) == "<LivePlot: 1 epoch; loss, mae>"


def test_environment_flag(monkeypatch):
    monkeypatch.setenv("KERAS_LENS_HEADLESS", "1")
    assert is_headless()
    monkeypatch.setenv("KERAS_LENS_HEADLESS", "0")
    assert not is_headless()


def test_selected_metrics_and_unknown_name(shown):
    plot = LivePlot(metrics="mae", live=False)
    _fit(plot, epochs=1)
    assert plot.panels() == [["mae", "val_mae"]]
    wrong = LivePlot(metrics=["accuracy"], live=False)
    with pytest.raises(ValueError, match=r"no metric named 'accuracy'.*available: .*mae"):
        _fit(wrong, epochs=1)


def test_bad_arguments():
    with pytest.raises(TypeError, match="metrics must be"):
        LivePlot(metrics=[1])
    with pytest.raises(TypeError, match="live must be"):
        LivePlot(live="yes")


def test_figure_is_not_registered_with_pyplot(shown):
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    plot = LivePlot(live=False)
    _fit(plot, epochs=1)
    assert plt.get_fignums() == before
    assert len(plot.figure().axes) == 2


def test_epoch_axis_has_whole_number_ticks():
    """Three epochs: ticks at 1, 2, 3, never 1.25 or 2.5."""
    from keras_lens.views.liveplot import LivePlot

    plot = LivePlot(live=False)
    plot.history = {"loss": [1.0, 0.8, 0.7]}
    plot.epochs = 3
    axis = plot.figure().axes[0]
    ticks = [t for t in axis.get_xticks() if 1 <= t <= 3]
    assert ticks and all(float(t).is_integer() for t in ticks), ticks
