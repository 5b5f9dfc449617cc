"""Training time with ``keras_lens.LivePlot`` updating per batch, against no callback, one run.

Model: ``Flatten -> Dense(64, relu) -> Dense(10)`` on the bundled real MNIST sample
(``keras_lens.datasets.load_mnist(source="bundled")``: 8,000 training digits, scaled to [0, 1]),
``batch_size=32`` (250 steps an epoch), ``--epochs`` epochs (default 1), ``verbose=0``. After one
warm-up fit (tracing), each condition trains the same compiled model, the conditions interleaved
``--repeat`` times (default 3), medians reported:

* **none**: no callback (the reference);
* **epoch**: ``LivePlot(live=True)``, one redraw per epoch (what the chapters use);
* **batch**: ``LivePlot(live=True, update_every="batch")``, a point per batch, redraws throttled
  to one per 0.5 s (``min_redraw_seconds``'s default) and the status line to one per 0.2 s;
* **batch, unthrottled**: the same with ``min_redraw_seconds=0`` (an SVG per batch);
* **epoch, PNG** and **batch, PNG**: the same two with each redraw a matplotlib PNG, as LivePlot
  drew until 1 December 2026 (the reference for what the SVG frames save).

Live mode is forced (``live=True``) with ``IPython.display.display`` replaced by a no-op, so the
drawing and the widget updates are all paid as in a notebook (only the comm messages have no
kernel to go to). Goal: **batch <= 1.25x none**. Exit status 1 if it is missed.

Usage:
    .venv/bin/python benchmarks/bench_liveplot.py [--epochs 1] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ["KERAS_LENS_HEADLESS"] = "0"

import IPython.display
import keras
from keras_lens.datasets import load_mnist
from keras_lens.views.liveplot import LivePlot

GOAL_RATIO = 1.25


class PngLivePlot(LivePlot):
    """LivePlot with matplotlib PNG redraws (the drawing before the SVG frames)."""

    def svg(self) -> str:  # the bytes are a PNG; only the cost is compared
        return self.png(fast=True).decode("latin-1")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    IPython.display.display = lambda *a, **k: None  # live mode without a front end

    (x, y), _ = load_mnist(source="bundled")
    x = x.astype("float32") / 255.0
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((28, 28)),
            keras.layers.Flatten(),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(10),
        ]
    )
    model.compile(
        optimizer="adam",
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    model.fit(x, y, epochs=1, batch_size=32, verbose=0)  # warm-up: tracing

    conditions = {
        "none": lambda: [],
        "epoch": lambda: [LivePlot(live=True)],
        "batch": lambda: [LivePlot(live=True, update_every="batch")],
        "batch, unthrottled": lambda: [
            LivePlot(live=True, update_every="batch", min_redraw_seconds=0)
        ],
        "epoch, PNG": lambda: [PngLivePlot(live=True)],
        "batch, PNG": lambda: [PngLivePlot(live=True, update_every="batch")],
    }
    times: dict[str, list[float]] = {name: [] for name in conditions}
    redraws: dict[str, int] = {}
    for round_ in range(args.repeat):
        for name, callbacks in conditions.items():
            made = callbacks()
            start = time.perf_counter()
            model.fit(x, y, epochs=args.epochs, batch_size=32, verbose=0, callbacks=made)
            times[name].append(time.perf_counter() - start)
            print(f"  round {round_ + 1}: {name}: {times[name][-1]:.2f} s", flush=True)
            if made:
                redraws[name] = made[0].redraws
    steps = -(-len(x) // 32)
    print(
        f"MNIST bundled sample, {len(x):,} digits, {args.epochs} epochs x {steps} batches, "
        f"median of {args.repeat}; Keras {keras.__version__} ({keras.backend.backend()})"
    )
    reference = statistics.median(times["none"])
    print(f"{'condition':<20} {'time':>8} {'ratio':>7} {'redraws':>8}")
    for name, values in times.items():
        median = statistics.median(values)
        shown = redraws.get(name, "-")
        print(f"{name:<20} {median:>7.2f}s {median / reference:>6.2f}x {shown!s:>8}")
    ratio = statistics.median(times["batch"]) / reference
    ok = ratio <= GOAL_RATIO
    print(f"goal: batch <= {GOAL_RATIO}x none: {'met' if ok else 'MISSED'} ({ratio:.2f}x)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
