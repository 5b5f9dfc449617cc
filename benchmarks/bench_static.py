"""Size and build time of the static ``text/html`` each view stores in a notebook, on big models.

One process, one run, ``keras.applications.ResNet50(weights=None)`` (177 layers) and
``DenseNet121(weights=None)`` (429 layers), a real-valued batch of 2 images:

* **static**: ``view.static_html()`` (what ``_repr_mimebundle_`` stores) of ``graph``, ``summary``,
  ``shapes(model, batch)`` and ``inspect(model, batch)``, on a widget already built (the live
  drawing is already laid out, so this is the cost the cell pays on top of the widget);
* **reference**: ``model.summary(print_fn=...)`` (Keras's own text table, captured) in the same
  run; the ratio static / reference is what the goal is written in;
* **size**: bytes of UTF-8 of each stored ``text/html``.

Goals (issue 10): every stored output <= 300 KB (``keras_lens.render.static.MAX_BYTES``); the static
copy of inspect(ResNet50) built in <= 1 s, which on this machine is <= 3x ``model.summary()``.
Timings are medians of ``--repeat`` runs. Exit status 1 if a goal is missed.

Usage:
    .venv/bin/python benchmarks/bench_static.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras
import keras_lens
import numpy as np
from keras_lens.render import static

GOAL_BYTES, GOAL_SECONDS, GOAL_RATIO = static.MAX_BYTES, 1.0, 3.0


def median(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def bench(name: str, model: keras.Model, repeat: int) -> bool:
    batch = np.random.default_rng(0).normal(size=(2, 224, 224, 3)).astype("float32")
    lines: list[str] = []
    reference = median(lambda: model.summary(print_fn=lambda t, **k: lines.append(t)), repeat)
    start = time.perf_counter()
    views = {
        "graph": keras_lens.graph(model),
        "summary": keras_lens.summary(model),
        "shapes": keras_lens.shapes(model, batch),
    }
    views["inspect"] = keras_lens.inspect(model, batch)
    built = time.perf_counter() - start
    print(
        f"\n{name}: {len(model.layers)} layers; widgets built in {built:.1f} s; "
        f"model.summary() {reference * 1000:.0f} ms"
    )
    print("| view | stored text/html | static build | / model.summary() | drawing stored |")
    print("|---|---:|---:|---:|---|")
    ok = True
    for view_name, view in views.items():
        seconds = median(view.static_html, repeat)
        html = view.static_html()
        size = static.size(html)
        drawing = "yes" if "data:image/svg+xml" in html else "no"
        print(
            f"| {view_name} | {size / 1000:.0f} KB | {seconds * 1000:.0f} ms | "
            f"{seconds / reference:.2f}x | {drawing} |"
        )
        ok &= size <= GOAL_BYTES and seconds <= GOAL_SECONDS
        if view_name == "inspect" and name == "ResNet50":
            ok &= seconds / reference <= GOAL_RATIO
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    ok = bench("ResNet50", keras.applications.ResNet50(weights=None), args.repeat)
    ok &= bench("DenseNet121", keras.applications.DenseNet121(weights=None), args.repeat)
    print("\nall goals met" if ok else "\nA GOAL WAS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
