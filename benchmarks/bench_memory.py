"""Peak memory of ``keras_lens.shapes(model, x)`` against ``model(x)``, one process per case.

Each case runs in a fresh subprocess (``--child CASE MODE``): build the model and the batch,
collect garbage, reset the kernel's peak-RSS counter (``/proc/self/clear_refs`` = 5, so the
build does not count), then run one of

* ``keras``: ``model(x, training=False)``, Keras's own forward pass (the reference), or
* ``trace``: ``keras_lens.shapes(model, x)`` with the default ``memory_limit_mb`` (1,024 MB),

and report the growth of the peak RSS (``VmHWM`` minus the RSS before the call) in MB, plus the
trace's own estimate. A refused batch is reported as "refused" with the growth up to the refusal
(it must be ~0: the guard runs before anything is allocated).

Cases (the issue's three guard bypasses and its largest standard model):

* ``efficientnetb7``: ``EfficientNetB7(weights=None)`` at its default 600x600, batch 2;
* ``fcn``: a ``(None, None, 3)`` fully-convolutional net, 2 images of 512x512;
* ``text``: a ``(None,)`` token model (Embedding + Conv1D), 2 x 600,000 tokens;
* ``nested_mobilenet``: a model nesting ``MobileNetV2(weights=None)``, batch 24.

Goal: ``trace`` growth <= the limit (1,024 MB) for every case; the ratio to ``keras`` is
printed (the trace keeps one layer's outputs at a time; Keras keeps all of them until the call
returns). Exit status 1 if a goal is missed.

Usage:
    .venv/bin/python benchmarks/bench_memory.py [--cases fcn,text]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

CASES = ("efficientnetb7", "fcn", "text", "nested_mobilenet")
LIMIT_MB = 1024


def _build(case: str):
    import keras
    import numpy as np
    from keras import layers

    rng = np.random.default_rng(0)
    if case == "efficientnetb7":
        model = keras.applications.EfficientNetB7(weights=None)
        return model, rng.random((2, 600, 600, 3), dtype="float32") * 255
    if case == "fcn":
        x = inputs = keras.Input((None, None, 3), name="image")
        for filters in (64, 64, 64, 64):
            x = layers.Conv2D(filters, 3, padding="same", activation="relu")(x)
        skip = x
        x = layers.MaxPooling2D()(x)
        x = layers.Conv2D(128, 3, padding="same", activation="relu")(x)
        x = layers.UpSampling2D()(x)
        x = layers.Concatenate()([x, skip])
        x = layers.Conv2D(64, 3, padding="same", activation="relu")(x)
        outputs = layers.Conv2D(2, 1, activation="softmax", name="mask")(x)
        return keras.Model(inputs, outputs, name="fcn"), rng.random((2, 512, 512, 3), "float32")
    if case == "text":
        tokens = keras.Input((None,), dtype="int32", name="tokens")
        x = layers.Embedding(20_000, 64)(tokens)
        for _ in range(3):
            x = layers.Conv1D(64, 5, padding="same", activation="relu")(x)
        x = layers.GlobalMaxPooling1D()(x)
        outputs = layers.Dense(1, activation="sigmoid")(x)
        model = keras.Model(tokens, outputs, name="text_cnn")
        return model, rng.integers(0, 20_000, (2, 600_000)).astype("int32")
    if case == "nested_mobilenet":
        base = keras.applications.MobileNetV2(weights=None, include_top=False)
        image = keras.Input((224, 224, 3), name="image")
        x = layers.GlobalAveragePooling2D()(base(image))
        outputs = layers.Dense(5, activation="softmax")(x)
        model = keras.Model(image, outputs, name="nested_mobilenet")
        return model, rng.random((24, 224, 224, 3), dtype="float32")
    raise SystemExit(f"unknown case {case!r}; cases: {', '.join(CASES)}")


def _rss_mb(field: str) -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(field)


def _child(case: str, mode: str) -> None:
    import gc

    import keras_lens

    model, x = _build(case)
    gc.collect()
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")  # reset VmHWM to the current RSS
    before = _rss_mb("VmRSS")
    result: dict[str, object] = {"case": case, "mode": mode}
    if mode == "keras":
        model(x, training=False)
    else:
        try:
            trace = keras_lens.shapes(model, x).trace
            result["estimate_mb"] = trace.peak_mb
            result["rows"] = len(trace.rows)
            result["mismatches"] = len(trace.mismatches)
        except ValueError as error:
            result["refused"] = str(error)[:200]
    result["growth_mb"] = round(_rss_mb("VmHWM") - before, 1)
    print(json.dumps(result))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default=",".join(CASES))
    parser.add_argument("--child", nargs=2, metavar=("CASE", "MODE"))
    args = parser.parse_args()
    if args.child:
        _child(*args.child)
        return 0
    failed = False
    print(f"{'case':<18} {'model(x) MB':>12} {'shapes() MB':>12} {'ratio':>6}  verdict")
    for case in args.cases.split(","):
        runs = {}
        for mode in ("keras", "trace"):
            out = subprocess.run(
                [sys.executable, __file__, "--child", case, mode],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            runs[mode] = json.loads(out.strip().splitlines()[-1])
        keras_mb, trace_mb = runs["keras"]["growth_mb"], runs["trace"]["growth_mb"]
        ok = trace_mb <= LIMIT_MB
        failed |= not ok
        if "refused" in runs["trace"]:
            verdict = f"refused before allocating: {runs['trace']['refused'][:90]}..."
        else:
            verdict = (
                f"traced, {runs['trace']['rows']} rows, estimate {runs['trace']['estimate_mb']} MB"
            )
        ratio = trace_mb / keras_mb if keras_mb else float("nan")
        print(
            f"{case:<18} {keras_mb:>12,.0f} {trace_mb:>12,.0f} {ratio:>6.2f}  "
            f"{'OK' if ok else 'OVER LIMIT'}; {verdict}"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
