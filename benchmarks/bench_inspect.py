"""keras_lens's inspection views against Keras: summary, shape trace, import time.

One process (plus a few short subprocesses for the import time), one run:

* **summary**: ``keras_lens.summary(model)`` with the graph cache cleared (graph walk, table,
  widget, HTML) vs ``model.summary(print_fn=...)`` (rich table, captured, not printed), on
  ``ResNet50(weights=None)`` and a generated 1,000-layer DAG. Goal: <= 1.0x.
* **shape trace**: ``keras_lens.shapes(model, x)`` with a real batch of 32 vs one
  ``model.predict(x)`` of the same batch. "cold" = first call on a fresh model (keras_lens builds
  its feature-extraction model, Keras traces its predict function); "warm" = a second call.
  Goal: cold <= 2.0x. The warm ratio is printed for information: keras_lens runs the
  feature-extraction model eagerly (no tracing), while a second ``predict`` reuses its compiled
  function, so warm keras_lens is only as fast as a plain eager ``model(x)``.
* **import**: ``import keras_lens`` in a fresh interpreter that already imported keras.
  Goal: <= 0.3 s.
* **inspect, first display**: ``keras_lens.inspect(model, batch)`` on ``ResNet50(weights=None)``
  and ``DenseNet121(weights=None)`` with a batch of two 224x224 images, graph cache cleared: the
  kernel-side time until the first display can be sent (the widgets and the first bundle; the
  forward pass then runs on screen with progress) and until the finished bundle (the time the
  whole cell took before, when the trace ran inside ``inspect``). Reference in the same run:
  ``model.summary(print_fn=...)``. Goal: first display <= 2.0x ``model.summary()``. The time to the
  first tab *in the browser* is ``bench_inspect_browser.py``.

Timings are medians of ``--repeat`` runs. Exit status 1 if a goal is missed.

Usage:
    .venv/bin/python benchmarks/bench_inspect.py [--repeat 3] [--layers 1000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras
import keras_lens
import numpy as np
from keras_lens import adapter

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_graph import generated_dag, median_time

GOAL_SUMMARY, GOAL_TRACE, GOAL_IMPORT, GOAL_FIRST = 1.0, 2.0, 0.3, 2.0


def bench_summary(model: keras.Model, repeat: int) -> tuple[float, float]:
    lines: list[str] = []
    keras_time = median_time(lambda: model.summary(print_fn=lambda t, **k: lines.append(t)), repeat)
    ours = median_time(lambda: keras_lens.summary(model), repeat, setup=adapter.clear_cache)
    return keras_time, ours


def bench_trace(make: Callable[[], keras.Model], shape: tuple[int, ...]) -> dict[str, float]:
    x = np.random.default_rng(0).random((32, *shape), dtype="float32")
    result = {}
    model = make()
    start = time.perf_counter()
    model.predict(x, verbose=0, batch_size=32)
    result["predict_cold"] = time.perf_counter() - start
    start = time.perf_counter()
    model.predict(x, verbose=0, batch_size=32)
    result["predict_warm"] = time.perf_counter() - start
    model(x, training=False)
    start = time.perf_counter()
    model(x, training=False)  # a plain eager forward pass, for comparison
    result["eager_warm"] = time.perf_counter() - start
    model = make()  # fresh: nothing cached for keras_lens either
    start = time.perf_counter()
    keras_lens.shapes(model, x)
    result["trace_cold"] = time.perf_counter() - start
    start = time.perf_counter()
    keras_lens.shapes(model, x)
    result["trace_warm"] = time.perf_counter() - start
    return result


def bench_first_display(model: keras.Model, repeat: int) -> dict[str, float]:
    """Seconds: model.summary(), model(batch), inspect's first bundle, its finished bundle."""
    batch = np.random.default_rng(0).normal(size=(2, 224, 224, 3)).astype("float32")
    lines: list[str] = []
    result = {
        "summary": median_time(lambda: model.summary(print_fn=lambda t, **k: lines.append(t)), 3),
    }
    model(batch, training=False)
    result["call"] = median_time(lambda: model(batch, training=False), repeat)
    first, total = [], []
    for _ in range(repeat):
        adapter.clear_cache()
        start = time.perf_counter()
        view = keras_lens.inspect(model, batch)
        view._bundle()  # what the first display sends (the trace not run yet)
        first.append(time.perf_counter() - start)
        view.finish()
        view._bundle()
        total.append(time.perf_counter() - start)
    result["first"], result["total"] = statistics.median(first), statistics.median(total)
    return result


def bench_import(repeat: int, what: str = "keras_lens") -> float:
    code = (
        f"import time, keras; t = time.perf_counter(); import {what}; "
        "print(time.perf_counter() - t)"
    )
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    times = []
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
        )
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(times)


def inspect_section(repeat: int) -> bool:
    """The first-display table; True if the goal is met on every model."""
    ok = True
    print("\ninspect(model, batch of 2 x 224x224): kernel side, first display vs model.summary()")
    print("| model | model.summary() | model(batch) | first display | ratio | finished |")
    print("|---|---:|---:|---:|---:|---:|")
    for make in (keras.applications.ResNet50, keras.applications.DenseNet121):
        model = make(weights=None)
        r = bench_first_display(model, repeat)
        ratio = r["first"] / r["summary"]
        ok = ok and ratio <= GOAL_FIRST
        print(
            f"| {model.name} | {r['summary'] * 1000:,.0f} ms | {r['call'] * 1000:,.0f} ms | "
            f"{r['first'] * 1000:,.0f} ms | {ratio:.2f}x | {r['total'] * 1000:,.0f} ms |"
        )
    print(
        f"(goal: first display <= {GOAL_FIRST}x model.summary(); 'finished' is what the whole "
        "cell took before, when the trace ran inside inspect())"
    )

    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--layers", type=int, default=1000)
    parser.add_argument("--only-inspect", action="store_true", help="just the inspect section")
    args = parser.parse_args()
    ok = True
    print(f"Keras {keras.__version__}, median of {args.repeat} runs")
    keras_lens.summary(keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)]))  # imports
    if args.only_inspect:
        return 0 if inspect_section(args.repeat) else 1

    print("\nsummary build vs model.summary()")
    for model in (keras.applications.ResNet50(weights=None), generated_dag(args.layers)):
        theirs, ours = bench_summary(model, args.repeat)
        ratio = ours / theirs
        ok = ok and ratio <= GOAL_SUMMARY
        print(
            f"  {model.name:10s} {len(model.layers):5d} layers: model.summary {theirs:6.3f}s, "
            f"keras_lens.summary {ours:6.3f}s, ratio {ratio:4.2f}x (goal <= {GOAL_SUMMARY}x)"
        )

    print("\nshape trace (batch of 32) vs one model.predict")
    cases = [
        (
            "ResNet50 64x64",
            lambda: keras.applications.ResNet50(weights=None, input_shape=(64, 64, 3), classes=10),
            (64, 64, 3),
        ),
        ("toy ResNet", _toy_resnet, (32, 32, 3)),
        (f"DAG {args.layers}", lambda: generated_dag(args.layers), (8,)),
    ]
    for name, make, shape in cases:
        r = bench_trace(make, shape)
        cold = r["trace_cold"] / r["predict_cold"]
        warm = r["trace_warm"] / r["predict_warm"]
        ok = ok and cold <= GOAL_TRACE  # the goal: one call each, on a fresh model
        print(
            f"  {name:15s} cold: predict {r['predict_cold']:6.3f}s, shapes {r['trace_cold']:6.3f}s,"
            f" {cold:4.2f}x | warm: predict {r['predict_warm']:6.3f}s, shapes "
            f"{r['trace_warm']:6.3f}s, {warm:4.2f}x (goal: cold <= {GOAL_TRACE}x)"
        )
        print(f"  {'':15s} (a plain eager model(x) takes {r['eager_warm']:6.3f}s)")

    ok = inspect_section(args.repeat) and ok
    seconds = bench_import(max(args.repeat, 3))
    ok = ok and seconds <= GOAL_IMPORT
    print(f"\nimport keras_lens after import keras: {seconds:.3f}s (goal <= {GOAL_IMPORT}s)")
    views = (
        "keras_lens.views.summary_view, keras_lens.views.shapes_view, keras_lens.views.inspect_view"
    )
    first_use = bench_import(max(args.repeat, 3), views)
    print(f"first use of the views (imports ipywidgets, matplotlib parts...): {first_use:.3f}s")
    print("goals: " + ("met" if ok else "MISSED"))
    return 0 if ok else 1


def _toy_resnet() -> keras.Model:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.seed_models import toy_resnet_001

    return toy_resnet_001()


if __name__ == "__main__":
    sys.exit(main())
