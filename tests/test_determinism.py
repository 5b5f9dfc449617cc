"""Every entry point's text/plain and text/html are the same in two fresh Python processes.

nbval compares a stored notebook with a fresh run: anything volatile in a ``_repr_mimebundle_``
(widget ids, addresses, dict or set order, timings) breaks it. Two processes with different hash
seeds build the same models and dump every bundle; only what tests/nbval_sanitize.cfg
sanitises may differ.
"""

from __future__ import annotations

import configparser
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("keras")

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = r"""
import json, sys
import numpy as np, keras, keras_lens as kl
from keras import layers

keras.utils.set_random_seed(0)
sx = keras.Input((3,), name="sx")
shared = keras.Model(sx, layers.Dense(3, name="sd")(sx), name="shared")
a, b = keras.Input((3,), name="a"), keras.Input((2,), name="b")
h = layers.BatchNormalization()(shared(shared(a)))
nested = keras.Model([a, b], layers.Dense(1)(layers.Concatenate()([h, b])), name="nested")
ci = keras.Input((6, 6, 1))
conv = keras.Model(ci, layers.Dense(2)(layers.Flatten()(layers.Conv2D(2, 3)(ci))), name="cnn")
seq = keras.Sequential([layers.Dense(2)])
seq.build((None, 3))
x = [np.random.default_rng(0).random((4, n), dtype="float32") for n in (3, 2)]
images = np.random.default_rng(1).random((2, 6, 6, 1), dtype="float32")
views = {
    "graph": kl.graph(nested, show_dtypes=True, show_trainable=True, highlight="shared/sd"),
    "graph_nested": kl.graph(nested, expand_nested=True, rankdir="LR"),
    "graph_seq": kl.graph(seq),
    "summary": kl.summary(nested, expand_nested=True),
    "shapes": kl.shapes(nested),
    "shapes_traced": kl.shapes(conv, images),
    "compare": kl.compare(nested, seq),
    "inspect": kl.inspect(nested, x, selected="shared"),
    "playground": kl.playground(layer="Conv2DTranspose", stride=2),
}
out = {}
for name, view in views.items():
    bundle = view._repr_mimebundle_()
    out[name] = {k: bundle[k] for k in ("text/plain", "text/html")}
plot = kl.LivePlot(live=False)
plot.history, plot.epochs = {"loss": [1.0, 0.5]}, 2
out["liveplot"] = {"text/plain": repr(plot)}
json.dump(out, sys.stdout, sort_keys=True)
"""


def _sanitizer():
    config = configparser.ConfigParser()
    config.read(ROOT / "tests" / "nbval_sanitize.cfg")
    rules = [(re.compile(config[s]["regex"]), config[s]["replace"]) for s in config.sections()]

    def sanitize(text: str) -> str:
        for pattern, replacement in rules:
            text = pattern.sub(replacement, text)
        return text

    return sanitize


def _start(hash_seed: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "PYTHONHASHSEED": hash_seed,
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "KERAS_LENS_HEADLESS": "1",
    }
    return subprocess.Popen(
        [sys.executable, "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_bundles_are_identical_in_two_fresh_processes():
    runs = [_start(seed) for seed in ("1", "2")]  # in parallel: one Keras import each
    outputs = []
    for proc in runs:
        stdout, stderr = proc.communicate(timeout=300)
        assert proc.returncode == 0, stderr[-3000:]
        outputs.append(json.loads(stdout))
    first, second = outputs
    assert sorted(first) == sorted(second)
    sanitize = _sanitizer()
    for name in first:
        for mime, text in first[name].items():
            assert text, f"{name} has an empty {mime}"
            assert sanitize(text) == sanitize(second[name][mime]), f"{name} {mime} differs"
    assert "model_id" not in json.dumps(first)  # widget ids only in the widget-view entry
