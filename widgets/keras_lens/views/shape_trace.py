"""Trace the shape of every layer output: symbolic always, real ones from one forward pass.

``trace_shapes(model, sample)`` lists every call of every layer (nested models one level deeper)
with its symbolic shape; given a batch it runs the graph ONE node at a time (``adapter.run_graph``:
each layer output is dropped once its last consumer has run) and keeps only what the tables and
pictures need: real shapes, a few statistics, sample 0 of a feature map (its first channels),
the histogram of a dense output. Before anything is allocated, the same walk is done on shapes
only (``None`` sizes taken from the real batch, nested models inside) to estimate the peak
memory; a batch over ``memory_limit_mb`` is refused with the largest batch that fits.

Example:
    >>> trace = trace_shapes(model, x_batch)    # doctest: +SKIP
    >>> print(trace.to_text())                  # doctest: +SKIP
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from keras_lens.adapter._checks import graph_of
from keras_lens.adapter._sample import match_inputs
from keras_lens.records import LayerGraph, Shape, format_shape
from keras_lens.render.shape_pictures import (
    MAX_MAPS,
    feature_maps_png,
    histogram_of,
    histogram_png,
    picture_kind,
)

__all__ = ["PendingTrace", "ShapeRow", "ShapeTrace", "StepFn", "prepare_trace", "trace_shapes"]

#: ``on_step(index, total, layer name)``: called after node ``index`` (1-based) of ``total`` ran
#: (``keras_lens.views.progress.Progress.step`` is one).
StepFn = Callable[[int, int, str], None]
#: Batches whose intermediate outputs would need more memory than this are refused.
MEMORY_LIMIT_MB = 1024
_KEEP = 64  # samples per output a histogram counts (feature maps keep sample 0)
_MB = 2**20


@dataclass(frozen=True)
class ShapeRow:
    """One call of one layer: symbolic output shapes and, after a forward pass, the real ones."""

    key: str
    node_id: str
    name: str
    class_name: str
    call_index: int
    depth: int
    symbolic: tuple[Shape, ...]
    actual: tuple[tuple[int, ...], ...] | None = None

    @property
    def matches(self) -> bool | None:
        """Whether the real shapes fit the symbolic ones (``None`` = not traced)."""
        if self.actual is None:
            return None
        return len(self.actual) == len(self.symbolic) and all(
            len(a) == len(s) and all(d is None or d == e for d, e in zip(s, a, strict=True))
            for a, s in zip(self.actual, self.symbolic, strict=True)
        )

    def label(self) -> str:
        """``"name (Class)"``, with ``" call 2"`` for the second call of a shared layer."""
        call = f" call {self.call_index + 1}" if self.call_index else ""
        return f"{self.name} ({self.class_name}){call}"

    @property
    def picture(self) -> str:
        """Kind of picture available: ``"feature_maps"``, ``"histogram"`` or ``""``."""
        if self.actual is None or len(self.actual) != 1:
            return ""
        return picture_kind(self.class_name, len(self.actual[0]))


@dataclass(frozen=True)
class ShapeTrace:
    """Rows (every layer call) of a model, with real shapes when a sample was given."""

    name: str
    rows: tuple[ShapeRow, ...]
    batch: int | None = None
    notes: tuple[str, ...] = ()
    _values: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    _stats: dict[str, dict[str, float]] = field(default_factory=dict, repr=False, compare=False)
    peak_mb: float | None = field(default=None, repr=False, compare=False)

    @property
    def traced(self) -> bool:
        """True if a forward pass gave real shapes."""
        return self.batch is not None

    @property
    def mismatches(self) -> tuple[ShapeRow, ...]:
        """Rows whose real shape does not fit the symbolic one."""
        return tuple(r for r in self.rows if r.matches is False)

    def row(self, key: str) -> ShapeRow:
        """The first row of a layer key or node id (``KeyError`` listing valid keys)."""
        for r in self.rows:
            if key in (r.key, r.node_id):
                return r
        raise KeyError(
            f"no layer {key!r}; layers: {', '.join(dict.fromkeys(r.key for r in self.rows))}"
        )

    def picture_png(self, key: str) -> bytes | None:
        """PNG of the feature maps or activation histogram of a layer (``None`` if none)."""
        r = self.row(key)
        if not r.picture or r.node_id not in self._values:
            return None
        values = self._values[r.node_id]
        if r.picture == "feature_maps":
            maps, channels = values
            return feature_maps_png(r.name, maps, channels)
        return histogram_png(r.name, values)

    def stats(self, key: str) -> dict[str, float]:
        """``min``, ``max``, ``mean``, ``std`` of a layer's (single, real-valued) output.

        Empty for a layer with several outputs, a non-numeric one, or an untraced trace.
        """
        return dict(self._stats.get(self.row(key).node_id, {}))

    def to_text(self) -> str:
        """A plain-text table: layer, symbolic shape, actual shape, check mark."""
        head = ["Layer (type)", "Symbolic shape", "Actual shape", "OK"]
        lines = [head]
        for r in self.rows:
            prefix = "   " * r.depth + "└ " if r.depth else ""
            actual = [format_shape(a) for a in r.actual] if r.actual is not None else ["-"]
            ok = {True: "yes", False: "NO", None: "-"}[r.matches]
            symbolic = [format_shape(s) for s in r.symbolic] or ["?"]
            lines.append([prefix + r.label(), "\n".join(symbolic), "\n".join(actual), ok])
        widths = [max(len(p) for line in lines for p in line[i].split("\n")) for i in range(4)]
        out = [f'Model: "{self.name}"']
        rule = "-+-".join("-" * w for w in widths)
        for index, line in enumerate(lines):
            cells = [c.split("\n") for c in line]
            for k in range(max(len(c) for c in cells)):
                parts = [
                    (c[k] if k < len(c) else "").ljust(w)
                    for c, w in zip(cells, widths, strict=True)
                ]
                out.append(" | ".join(parts).rstrip())
            if index == 0:
                out.append(rule)
        if self.traced:
            bad = len(self.mismatches)
            verdict = "all real shapes fit" if not bad else f"{bad} shapes do NOT fit"
            out.append(f"Traced with a batch of {self.batch}: {verdict}.")
        else:
            out.append("Symbolic shapes only: pass sample= (a real batch) for the actual ones.")
        out += [f"Note: {n}" for n in self.notes]
        return "\n".join(out)


def trace_shapes(
    model: Any,
    sample: Any = None,
    *,
    memory_limit_mb: float = MEMORY_LIMIT_MB,
    on_step: StepFn | None = None,
) -> ShapeTrace:
    """Symbolic (and, with ``sample``, real) output shapes of every layer call of a model.

    ``on_step(i, n, layer name)`` is called after each node of the forward pass (progress).
    """
    pending = prepare_trace(model, sample, memory_limit_mb=memory_limit_mb)
    return pending.run(on_step) if isinstance(pending, PendingTrace) else pending


@dataclass(frozen=True)
class PendingTrace:
    """A checked batch whose forward pass has not run yet: ``run()`` gives the ``ShapeTrace``.

    ``prepare_trace`` did everything that can refuse the batch (inputs that do not fit, the
    memory estimate), so ``run`` can only fail inside the model itself. ``symbolic`` is the trace
    without real shapes, to show while the pass runs; ``steps`` is the number of nodes it visits.

    Example:
        >>> pending = prepare_trace(model, x_batch)   # doctest: +SKIP
        >>> pending.run(lambda i, n, name: print(i, n, name)).batch  # doctest: +SKIP
    """

    symbolic: ShapeTrace
    batch: int
    steps: int
    _go: Callable[[StepFn | None], ShapeTrace] = field(repr=False, compare=False)

    def run(self, on_step: StepFn | None = None) -> ShapeTrace:
        """The forward pass (``ValueError`` with one clear line if the model fails)."""
        return self._go(on_step)


def prepare_trace(
    model: Any, sample: Any = None, *, memory_limit_mb: float = MEMORY_LIMIT_MB
) -> ShapeTrace | PendingTrace:
    """The symbolic ``ShapeTrace`` (no sample), or a ``PendingTrace`` of a batch that fits.

    Raises the same errors as ``trace_shapes`` for a batch that does not fit the inputs or the
    memory limit, before anything runs.
    """
    limit = check_limit(memory_limit_mb, "shapes")
    graph = graph_of(model, "shapes", graph_needed=True)
    rows = _symbolic_rows(graph, 0)
    symbolic = ShapeTrace(graph.name, tuple(rows))
    if sample is None:
        return symbolic
    arrays = match_inputs(graph, sample)
    batch = next(int(a.shape[0]) for a in arrays if a is not None)
    kinds = _picture_kinds(graph)
    estimate = estimate_peak(model, graph, arrays, kinds)
    if estimate > limit * _MB:
        raise ValueError(_too_big(batch, estimate, limit, _per_example(estimate, batch, kinds)))
    names = {row.node_id: row.name for row in rows}

    def go(on_step: StepFn | None) -> ShapeTrace:
        recorder = _Recorder(kinds, on_step, names)
        peak = _run(model, graph, arrays, recorder, limit, batch)
        traced = tuple(_with_actual(r, recorder.shapes.get(r.node_id)) for r in rows)
        return ShapeTrace(
            graph.name,
            traced,
            batch,
            tuple(_nested_notes(graph)),
            recorder.values,
            recorder.stats,
            round(peak / _MB, 1),
        )

    return PendingTrace(symbolic, batch, len(kinds), go)


def check_limit(value: Any, feature: str) -> float:
    """``memory_limit_mb`` as a positive number of megabytes, or a ``ValueError`` saying why.

    Example:
        >>> check_limit(512, "shapes")
        512.0
        >>> check_limit(float("nan"), "shapes")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: keras_lens.shapes(): memory_limit_mb must be a positive number of megabytes...
    """
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    if ok and math.isfinite(float(value)) and float(value) > 0:
        return float(value)
    if ok and float(value) == math.inf:
        return math.inf
    raise ValueError(
        f"keras_lens.{feature}(): memory_limit_mb must be a positive number of megabytes "
        f"(e.g. 2048), or math.inf for no limit; got {value!r}."
    )


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


def _nested_notes(graph: LayerGraph) -> list[str]:
    notes = []
    for g in graph.walk():
        for layer in g.layers:
            if layer.is_model and len(layer.node_ids) > 1 and layer.key in dict(g.subgraphs):
                notes.append(
                    f"{layer.name} is called {len(layer.node_ids)} times; its inner layers "
                    "are traced with the inputs of the first call."
                )
    return notes


def _symbolic_rows(graph: LayerGraph, depth: int) -> list[ShapeRow]:
    rows: list[ShapeRow] = []
    subgraphs = dict(graph.subgraphs)
    for layer in graph.layers:
        if layer.implicit:
            continue
        for node in graph.nodes_of(layer.key):
            rows.append(
                ShapeRow(
                    layer.key,
                    node.id,
                    layer.name,
                    layer.class_name,
                    node.call_index,
                    depth,
                    node.output_shapes,
                )
            )
        if layer.key in subgraphs:
            rows += _symbolic_rows(subgraphs[layer.key], depth + 1)
    return rows


def _with_actual(row: ShapeRow, shapes: list[tuple[int, ...]] | None) -> ShapeRow:
    if shapes is None:
        return row
    actual = tuple(shapes)
    return ShapeRow(
        row.key,
        row.node_id,
        row.name,
        row.class_name,
        row.call_index,
        row.depth,
        row.symbolic,
        actual,
    )


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
