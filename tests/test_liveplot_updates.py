"""LivePlot per batch / every N batches: points, throttled redraws, the status line, arguments."""

from __future__ import annotations

import base64

import numpy as np
import pytest

keras = pytest.importorskip("keras")
IPython_display = pytest.importorskip("IPython.display")

from keras_lens import i18n  # noqa: E402
from keras_lens.views import liveplot as liveplot_module  # noqa: E402
from keras_lens.views.liveplot import LivePlot, format_duration  # noqa: E402

STEPS = 10  # 40 samples, batch 4


@pytest.fixture
def shown(monkeypatch):
    calls: list[object] = []
    monkeypatch.setattr(IPython_display, "display", lambda obj, **kw: calls.append(obj))
    return calls


def _fit(plot: LivePlot, epochs: int = 2) -> None:
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse", metrics=["mae"])
    x = np.linspace(0, 1, 120, dtype="float32").reshape(40, 3)
    y = x.sum(axis=1, keepdims=True)
    model.fit(x, y, epochs=epochs, batch_size=4, callbacks=[plot], verbose=0)


def test_per_batch_points_end_on_whole_epochs(shown):
    plot = LivePlot(live=False, update_every="batch")
    _fit(plot, epochs=2)
    xs = [x for x, _ in plot.batch_history["loss"]]
    assert len(xs) == 2 * STEPS
    assert xs[0] == pytest.approx(0.1) and xs[STEPS - 1] == pytest.approx(1.0)
    assert xs[-1] == pytest.approx(2.0)
    assert len(plot.history["loss"]) == 2  # the epoch curve is kept as well


def test_every_n_batches(shown):
    plot = LivePlot(live=False, update_every=4)
    _fit(plot, epochs=2)
    # batches 4 and 8 of each 10-batch epoch
    assert [round(x, 2) for x, _ in plot.batch_history["mae"]] == [0.4, 0.8, 1.4, 1.8]


def test_epoch_mode_records_no_batch_points(shown):
    plot = LivePlot(live=False)
    _fit(plot, epochs=1)
    assert plot.batch_history == {}


def test_stored_output_is_the_same_whatever_the_update_rate(shown):
    per_epoch, per_batch = LivePlot(live=False), LivePlot(live=False, update_every="batch")
    _fit(per_epoch)
    _fit(per_batch)
    first, second = shown
    assert sorted(first) == sorted(second) == ["image/png", "text/plain"]
    assert first["text/plain"] == second["text/plain"] == "<LivePlot: 2 epochs; loss, mae>"
    assert base64.b64decode(second["image/png"]).startswith(b"\x89PNG")
    lines = per_batch.figure().axes[0].get_lines()
    assert len(lines) == 2 and len(lines[1].get_xdata()) == 2 * STEPS  # epoch + batch curve


def test_redraws_are_throttled(shown, monkeypatch):
    never = LivePlot(live=True, update_every="batch", min_redraw_seconds=3000)
    _fit(never, epochs=2)
    assert never.redraws == 1 + 1  # the first batch (at once something to see), the last points
    monkeypatch.setattr(liveplot_module, "MAX_DRAW_SHARE", 1.0)  # no wait for slow drawings
    always = LivePlot(live=True, update_every="batch", min_redraw_seconds=0)
    _fit(always, epochs=2)
    assert always.redraws == 2 * STEPS + 2
    every5 = LivePlot(live=True, update_every=5, min_redraw_seconds=0)
    _fit(every5, epochs=2)
    assert every5.redraws == 2 * 2 + 2  # batches 5 and 10 of each epoch, each epoch end
    assert bytes(every5.image.value).startswith(b"<svg")


def test_slow_drawings_are_drawn_less_often(monkeypatch):
    """A drawing that takes 1 s, batches 0.1 s apart: drawing keeps to ~10% of the time."""
    clock = [0.0]
    monkeypatch.setattr(liveplot_module.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(IPython_display, "display", lambda obj, **kw: None)

    def slow_svg(self):
        clock[0] += 1.0
        return "<svg/>"

    monkeypatch.setattr(LivePlot, "svg", slow_svg)
    plot = LivePlot(live=True, update_every="batch", min_redraw_seconds=0)
    plot.params = {"epochs": 1, "steps": 100}
    plot.on_train_begin()
    plot.on_epoch_begin(0)
    for batch in range(100):
        clock[0] += 0.1
        plot.on_train_batch_end(batch, {"loss": 1.0 / (batch + 1)})
    assert plot.redraws == 2  # batch 1, then 9 s later (batch 91); not 100
    drawing = plot.redraws * 1.0
    assert drawing / clock[0] <= 0.2
    plot.on_epoch_end(0, {"loss": 0.01})
    plot.on_train_end()
    assert plot.redraws == 3  # the last points are drawn at the end


def test_status_line_epoch_batch_values_and_time_left(shown, monkeypatch):
    clock = iter(float(i) for i in range(10_000))  # one second per call
    monkeypatch.setattr(liveplot_module.time, "monotonic", lambda: next(clock))
    seen: list[str] = []
    plot = LivePlot(live=True, update_every="batch", min_redraw_seconds=3000)
    original = plot._show_status

    def spy(*args, **kwargs):
        original(*args, **kwargs)
        seen.append(plot.status.value)

    monkeypatch.setattr(plot, "_show_status", spy)
    _fit(plot, epochs=3)
    middle = [s for s in seen if "epoch 2 of 3 · batch 5 of 10" in s]
    assert middle, seen[:5]
    assert "loss " in middle[0] and "mae " in middle[0] and "left" in middle[0]
    assert "<progress max='30' value='15'" in middle[0]
    final = seen[-1]
    assert final.count("epoch 3 of 3") == 1 and "done in" in final and "left" not in final
    assert f"loss {plot.history['loss'][-1]:.4g}" in final
    assert plot.status_text(with_time=False).startswith("epoch 3 of 3 · batch 10 of 10 · ")


def test_time_left_estimate(monkeypatch):
    plot = LivePlot(live=False)
    plot._steps, plot._total_epochs = 10, 2
    plot._done_batches, plot._first_batch_at = 5, 100.0
    monkeypatch.setattr(liveplot_module.time, "monotonic", lambda: 108.0)
    assert plot.seconds_left() == pytest.approx(2.0 * 15)  # 2 s a batch, 15 batches to go
    assert "about 30 s left" in plot.status_text()
    assert "left" not in plot.status_text(with_time=False)


def test_status_line_in_chinese():
    plot = LivePlot(live=False)
    plot._steps, plot._total_epochs, plot._epoch, plot._batch = 10, 3, 1, 4
    with i18n.language("zh-CN"):
        assert plot.status_text() == "第 2/3 轮 · 批次 4/10"
        assert format_duration(75) == "1 分 15 秒"
    assert plot.status_text() == "epoch 2 of 3 · batch 4 of 10"


def test_fast_live_figure_has_the_same_curves():
    plot = LivePlot(live=False)
    plot.history, plot.epochs = {"loss": [1.0, 0.5]}, 2
    plot.batch_history = {"loss": [(0.5, 1.2), (1.0, 1.0), (1.5, 0.7), (2.0, 0.5)]}
    slow, fast = plot.figure(), plot.figure(fast=True)
    assert slow.get_layout_engine() is not None and fast.get_layout_engine() is None
    shapes = [[len(line.get_xdata()) for line in f.axes[0].get_lines()] for f in (slow, fast)]
    assert shapes[0] == shapes[1] == [2, 4]
    assert plot.png(fast=True).startswith(b"\x89PNG")


def test_durations():
    assert [format_duration(s) for s in (0, 59.4, 60, 3599, 3600)] == [
        "0 s",
        "59 s",
        "1 min 00 s",
        "59 min 59 s",
        "1 h 00 min",
    ]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"update_every": "batches"}, ValueError, r"'epoch', 'batch' or a number of batches"),
        ({"update_every": 0}, ValueError, "at least 1 batch"),
        ({"update_every": 2.5}, TypeError, "whole number of batches"),
        ({"update_every": True}, TypeError, "whole number of batches"),
        ({"min_redraw_seconds": -1}, ValueError, "between 0 and 3600"),
        ({"min_redraw_seconds": "1"}, TypeError, "number of seconds"),
    ],
)
def test_bad_update_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        LivePlot(**kwargs)
