"""keras_lens.graph vs keras.utils.plot_model: first render and re-render after a toggle.

One process, one run. For ResNet50(weights=None) and a generated 1,000-layer DAG:

* ``plot_model``: ``keras.utils.plot_model(model, to_file=<temp dir>/model.png,
  show_shapes=True, show_layer_names=True)`` (the same content as keras_lens's default drawing);
* first render: ``keras_lens.graph(model)`` with every cache cleared (graph walk, DOT, layout,
  widget); the very first call in the process (imports included) is printed too;
* toggle: one check box switched on an existing widget, to an option set not drawn before
  (a full new layout); toggle back: switched back (served from the cache).

Each timing is the median of ``--repeat`` runs. Goals: first render <= 1.0x plot_model,
re-render after a toggle <= 0.2x. Exit status 1 if a goal is missed.

Usage:
    .venv/bin/python benchmarks/bench_graph.py [--repeat 3] [--layers 1000]
    KERAS_LENS_DOT=graphviz-pure .venv/bin/python benchmarks/bench_graph.py   # the pip engine
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras
import keras_lens
from keras_lens import adapter
from keras_lens.render import layout

GOAL_FIRST, GOAL_TOGGLE = 1.0, 0.2


def generated_dag(n_layers: int = 1000, seed: int = 0) -> keras.Model:
    """A chain of small Dense layers with random skip ``Add``s: every layer reaches the output."""
    rnd = random.Random(seed)
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 5 * n_layers))  # Keras's map_graph recurses
    x = keras.Input(shape=(8,), name="x")
    outputs = [x]
    while len(outputs) < n_layers:
        if len(outputs) > 8 and rnd.random() < 0.25:
            skip = outputs[-rnd.randint(2, 8)]
            outputs.append(keras.layers.Add()([outputs[-1], skip]))
        else:
            outputs.append(keras.layers.Dense(8)(outputs[-1]))
    return keras.Model(x, outputs[-1], name=f"dag{n_layers}")


def median_time(
    run: Callable[[], object], repeat: int, setup: Callable[[], object] | None = None
) -> float:
    times = []
    for _ in range(repeat):
        if setup is not None:
            setup()
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def cold() -> None:
    adapter.clear_cache()
    layout.clear_cache()


def bench(model: keras.Model, repeat: int, folder: Path) -> dict[str, float]:
    target = folder / f"{model.name}.png"

    def plot() -> None:
        keras.utils.plot_model(model, to_file=str(target), show_shapes=True, show_layer_names=True)

    result = {"plot_model": median_time(plot, repeat)}
    cold()
    start = time.perf_counter()
    keras_lens.graph(model)  # includes importing ipywidgets etc. for the first model
    result["very_first"] = time.perf_counter() - start
    result["first"] = median_time(lambda: keras_lens.graph(model), repeat, setup=cold)
    view = keras_lens.graph(model)
    toggles = [view.dtypes_box, view.activations_box, view.trainable_box, view.shapes_box]
    toggle_times, back_times = [], []
    for box in toggles[:repeat]:
        start = time.perf_counter()
        box.value = not box.value  # an option set never drawn before
        toggle_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        box.value = not box.value  # back: cached
        back_times.append(time.perf_counter() - start)
    result["toggle"] = statistics.median(toggle_times)
    result["back"] = statistics.median(back_times)
    result["layers"] = len(model.layers)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--layers", type=int, default=1000)
    args = parser.parse_args()
    engine = layout.find_engine()
    if engine is None:
        print(layout.INSTALL_HELP)
        return 2
    layout.dot_to_svg("digraph { warm -> up }", engine)  # load the engine binary once
    models = [keras.applications.ResNet50(weights=None), generated_dag(args.layers)]
    print(f"Keras {keras.__version__}, engine {engine.name}, median of {args.repeat} runs")
    header = f"{'model':10s} {'layers':>6s} {'plot_model':>10s} {'first':>8s} {'ratio':>6s}"
    print(header + f" {'toggle':>8s} {'ratio':>6s} {'back':>9s}")
    ok = True
    with tempfile.TemporaryDirectory() as folder:
        for model in models:
            r = bench(model, args.repeat, Path(folder))
            first_ratio = r["first"] / r["plot_model"]
            toggle_ratio = r["toggle"] / r["plot_model"]
            ok = ok and first_ratio <= GOAL_FIRST and toggle_ratio <= GOAL_TOGGLE
            print(
                f"{model.name:10s} {r['layers']:6d} {r['plot_model']:9.3f}s {r['first']:7.3f}s "
                f"{first_ratio:5.2f}x {r['toggle']:7.3f}s {toggle_ratio:5.2f}x "
                f"{r['back'] * 1000:7.2f}ms"
            )
            print(f"{'':10s} (first call in this process: {r['very_first']:.3f}s)")
    print(
        f"goals: first <= {GOAL_FIRST}x plot_model, toggle <= {GOAL_TOGGLE}x: "
        + ("met" if ok else "MISSED")
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    sys.exit(main())
