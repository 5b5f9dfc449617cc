"""Running a model for ``keras_lens.views.shape_trace``: the memory estimate and the real pass.

``estimate_peak`` walks the graph on shapes only (``adapter.run_graph`` in ``spec``/``dry`` mode);
``_run`` runs it for real, one node at a time, with a ``_Recorder`` that keeps only the real
shapes, statistics and picture data (``keras_lens.records.pictures``) of every output, and stops
with a clear message when the live outputs pass the memory limit. The records it produces are
assembled into a ``ShapeTrace`` by ``keras_lens.views.shape_trace``.

Example:
    >>> scratch_bytes("Conv2D", 1000), scratch_bytes("Dense", 1000)
    (2000, 500)
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import numpy as np

from keras_lens.records import LayerGraph
from keras_lens.records.pictures import MAX_MAPS, histogram_of, picture_kind

__all__ = ["MAX_VALUES", "StepFn", "estimate_peak", "scratch_bytes"]

#: ``on_step(index, total, layer name)``: called after node ``index`` (1-based) of ``total`` ran
#: (``keras_lens.views.progress.Progress.step`` is one).
StepFn = Callable[[int, int, str], None]

_KEEP = 64  # samples per output a histogram counts (feature maps keep sample 0)
_MB = 2**20


def _picture_kinds(graph: LayerGraph) -> dict[str, tuple[str, str]]:
    """``node id -> (class name, picture kind or "")`` for every node, nested ones included."""
    out: dict[str, tuple[str, str]] = {}
    for g in graph.walk():
        for node in g.nodes:
            class_name = g.layer(node.layer_key).class_name
            rank = len(node.output_shapes[0]) if len(node.output_shapes) == 1 else 0
            kind = picture_kind(class_name, rank) if len(node.output_shapes) == 1 else ""
            out[node.id] = (class_name, kind)
    return out


def _kept_bytes(kind: str, shape: tuple[int, ...]) -> int:
    """Bytes the trace keeps for one output: sample 0's first maps, or a histogram."""
    if kind == "feature_maps" and len(shape) == 4:
        return int(shape[1] * shape[2] * min(shape[3], MAX_MAPS) * 4)
    return 1024 if kind else 0


def estimate_peak(
    model: Any, graph: LayerGraph, arrays: list[Any], kinds: dict[str, tuple[str, str]]
) -> int:
    """Bytes the trace of this batch needs at most, from shapes only (nothing is computed).

    The node-by-node walk of ``adapter.run_graph`` on stand-in tensors: the outputs alive at
    once at its worst step, plus the pictures kept. ``None`` sizes other than the batch are
    resolved by Keras's ``compute_output_spec`` from the real input shapes.
    """
    from keras_lens.adapter import RunState, run_graph

    specs = [
        (tuple(a.shape) if a is not None else graph.node(i).output_shapes[0], _dtype(graph, i))
        for i, a in zip(graph.input_ids, arrays, strict=True)
    ]
    kept = [0]

    def visit(node_id: str, outputs: list[Any]) -> None:
        kind = kinds.get(node_id, ("", ""))[1]
        if kind and len(outputs) == 1 and outputs[0] is not None:
            kept[0] += _kept_bytes(kind, tuple(int(d or 1) for d in outputs[0].shape))

    free_sizes = any(None in s[1:] for g in graph.walk() for n in g.nodes for s in n.output_shapes)
    state = RunState(scratch=scratch_bytes)
    if free_sizes:
        try:
            run_graph(model, specs, visit, mode="spec", state=state)
        except Exception:  # a layer without compute_output_spec: count None sizes as the batch
            kept[0], state = 0, RunState(scratch=scratch_bytes)
            run_graph(model, specs, visit, mode="dry", state=state)
    else:
        run_graph(model, specs, visit, mode="dry", state=state)
    return int(state.peak) + kept[0]


def scratch_bytes(class_name: str, output_bytes: int) -> int:
    """What a layer allocates while it runs besides its output: a convolution's patches
    (measured about 2x its output for TensorFlow's CPU kernels, benchmarks/bench_memory.py),
    half the output for anything else (temporaries of a few ops, the allocator's slack)."""
    return 2 * output_bytes if "Conv" in class_name else output_bytes // 2


def _dtype(graph: LayerGraph, node_id: str) -> str:
    return (graph.node(node_id).output_dtypes or ("float32",))[0] or "float32"


def _per_example(estimate: int, batch: int, kinds: dict[str, tuple[str, str]]) -> float:
    return estimate / max(batch, 1)


def _too_big(batch: int, needed: float, limit: float, per_example: float) -> str:
    fits = int(limit * _MB // per_example) if per_example else batch
    text = (
        f"keras_lens.shapes(): tracing a batch of {batch} needs about {needed / _MB:,.0f} MB "
        f"(the layer outputs alive at once while the graph runs layer by layer; limit "
        f"{limit:,.0f} MB)."
    )
    if fits >= 1:
        return (
            f"{text} Pass a smaller batch, e.g. sample[:{min(fits, batch - 1)}]; the shapes are "
            "the same for any batch size."
        )
    return (
        f"{text} Even one example needs about {per_example / _MB:,.0f} MB: use a smaller "
        "input size if the model allows it, or raise memory_limit_mb= if this machine has "
        "the memory."
    )


class _Recorder:
    """The ``visit`` of the real run: shapes, statistics and picture data of every node."""

    def __init__(
        self,
        kinds: dict[str, tuple[str, str]],
        on_step: StepFn | None = None,
        names: dict[str, str] | None = None,
    ) -> None:
        self.kinds, self.on_step, self.names = kinds, on_step, names or {}
        self.seen = 0
        self.shapes: dict[str, list[tuple[int, ...]]] = {}
        self.values: dict[str, Any] = {}
        self.stats: dict[str, dict[str, float]] = {}

    def __call__(self, node_id: str, outputs: list[Any]) -> None:
        self.seen += 1
        try:
            self._record(node_id, outputs)
        finally:
            if self.on_step is not None:
                name = self.names.get(node_id, node_id.rsplit("@", 1)[0])
                self.on_step(self.seen, len(self.kinds), name)

    def _record(self, node_id: str, outputs: list[Any]) -> None:
        from keras import ops

        if any(t is None for t in outputs):  # an optional input left out: nothing to show
            return
        self.shapes[node_id] = [tuple(int(d) for d in getattr(t, "shape", ())) for t in outputs]
        if len(outputs) != 1 or outputs[0] is None:
            return
        tensor = outputs[0]
        kind = self.kinds.get(node_id, ("", ""))[1]
        real = "float" in str(tensor.dtype) or "int" in str(tensor.dtype)
        if not (real and len(tensor.shape) and math.prod(tensor.shape)):
            return
        if kind == "feature_maps":
            maps = ops.convert_to_numpy(tensor[0, ..., :MAX_MAPS])
            self.values[node_id] = (maps, int(tensor.shape[-1]))
        sample = _subsample(tensor)
        if kind == "histogram":
            self.values[node_id] = histogram_of(sample)
        finite = sample[np.isfinite(sample)] if sample.dtype.kind == "f" else sample
        if finite.size:
            self.stats[node_id] = {
                "min": float(finite.min()),
                "max": float(finite.max()),
                "mean": float(finite.mean()),
                "std": float(finite.std()),
            }


#: At most this many values of one output are copied for its histogram and statistics.
MAX_VALUES = 2**20


def _subsample(tensor: Any) -> np.ndarray:
    """The first ``_KEEP`` samples of an output, or (if that is over ``MAX_VALUES`` values) the
    first samples that fit, or an evenly strided part of sample 0 (float32, numpy)."""
    import keras

    per_sample = math.prod(int(d) for d in tensor.shape[1:])
    take = max(1, min(_KEEP, MAX_VALUES // max(per_sample, 1)))
    part = keras.ops.reshape(tensor[:take], (-1,))
    if int(part.shape[0]) > MAX_VALUES:
        step = math.ceil(int(part.shape[0]) / MAX_VALUES)
        part = part[::step]
    return np.asarray(keras.ops.convert_to_numpy(part), dtype="float32")


def _run(
    model: Any, graph: LayerGraph, arrays: list[Any], recorder: _Recorder, limit: float, batch: int
) -> int:
    """The real run, stopped with a clear message if the live outputs pass the limit."""
    from keras_lens.adapter import RunState, run_graph

    def stop(peak: int, where: str) -> None:
        raise _OverLimit(peak, where)

    state = RunState(limit * _MB, stop, scratch_bytes)
    try:
        run_graph(model, list(arrays), recorder, state=state)
    except _OverLimit as over:
        raise ValueError(
            f"keras_lens.shapes(): stopped at {over.where!r}: the layer outputs alive at once "
            f"reached {over.peak / _MB:,.0f} MB with a batch of {batch} (limit "
            f"{limit:,.0f} MB). Pass a smaller batch; the shapes are the same for any batch size."
        ) from None
    except Exception as error:  # show one line, not a Keras traceback
        raise ValueError(
            f"keras_lens.shapes(): the forward pass of {graph.name!r} failed{_cause(error)}"
        ) from None
    return int(state.peak) + sum(
        v[0].nbytes if isinstance(v, tuple) else v.nbytes for v in recorder.values.values()
    )


class _OverLimit(Exception):
    def __init__(self, peak: int, where: str) -> None:
        super().__init__(where)
        self.peak, self.where = peak, where


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_CALLING = re.compile(r"Exception encountered when calling (?:layer )?['\"]?([\w.]+)")


def _cause(error: Exception) -> str:
    """`` in Embedding.call(): InvalidArgumentError: indices[0,0] = 99 is not in [0, 10)``.

    Keras wraps a layer's error in "Exception encountered when calling X.call()", the real
    reason, then the arguments; keep the layer and the reason, drop the rest.
    """
    text = _ANSI.sub("", str(error))
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    where = next((m.group(1) for line in lines if (m := _CALLING.match(line))), "")
    reasons = [
        line
        for line in lines
        if not line.startswith(("Exception encountered when calling", "Arguments received by", "•"))
    ]
    reason = re.sub(r"\{\{function_node [^}]*\}\}\s*", "", reasons[0] if reasons else "")
    place = f" in {where}()" if where and where != "Functional.call" else ""
    return f"{place}: {type(error).__name__}: {reason[:300]}"
