"""Call every public entry point of keras_lens once, on whatever backend Keras runs on.

Run by scripts/matrix.py in the JAX environment (no TensorFlow installed), from any folder:
    KERAS_BACKEND=jax python scripts/matrix_smoke.py
Exits non-zero, naming the entry point, when one fails or TensorFlow got imported although it
is not the backend. Prints one line per entry point.
"""

from __future__ import annotations

import os
import sys
import traceback

os.environ.setdefault("KERAS_LENS_DATA", "bundled")

import keras_lens
import numpy as np


def _model():
    import keras

    inputs = keras.Input(shape=(28, 28, 1), name="image")
    x = keras.layers.Conv2D(4, 3, activation="relu", name="conv")(inputs)
    x = keras.layers.Flatten(name="flat")(x)
    outputs = keras.layers.Dense(10, activation="softmax", name="out")(x)
    return keras.Model(inputs, outputs, name="smoke")


def _liveplot():
    (x, y), _ = keras_lens.datasets.load_mnist()
    model = _model()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    plot = keras_lens.LivePlot()
    model.fit(
        x[:64, ..., None] / 255.0, y[:64], epochs=1, batch_size=32, verbose=0, callbacks=[plot]
    )
    return plot


def main() -> int:
    model = _model()
    sample = np.zeros((2, 28, 28, 1), dtype="float32")
    checks = {
        "setup_notebook": lambda: keras_lens.setup_notebook(seed=1),
        "describe_environment": lambda: keras_lens.notebook.describe_environment(),
        "datasets.load_mnist": lambda: keras_lens.datasets.load_mnist()[0][0].shape,
        "build_layer_graph": lambda: keras_lens.build_layer_graph(model),
        "graph": lambda: keras_lens.graph(model),
        "summary": lambda: keras_lens.summary(model),
        "shapes": lambda: keras_lens.shapes(model, sample),
        "playground": lambda: keras_lens.playground(),
        "LivePlot": _liveplot,
        "compare": lambda: keras_lens.compare(model, _model()),
        "inspect": lambda: keras_lens.inspect(model, sample),
        "param_formula": lambda: keras_lens.param_formula("Dense", {}, [(784, 64), (64,)]).text,
    }
    import keras

    backend = keras.backend.backend()
    failed = []
    for name, call in checks.items():
        try:
            result = call()
            html = getattr(result, "_repr_html_", None)
            if callable(html):
                html()
            print(f"ok    {name}: {repr(result)[:100]!s}")
        except Exception:
            failed.append(name)
            print(f"FAIL  {name}\n{traceback.format_exc()}")
    if backend != "tensorflow" and "tensorflow" in sys.modules:
        failed.append("tensorflow was imported although the backend is " + backend)
    print(f"{len(checks) - len(failed)} of {len(checks)} entry points work on {backend}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
