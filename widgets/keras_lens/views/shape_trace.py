"""Trace the shape of every layer output: symbolic always, real ones from one forward pass.

``trace_shapes(model, sample)`` lists every call of every layer (nested models one level deeper)
with its symbolic shape; given a batch it runs the graph ONE node at a time (``adapter.run_graph``:
each layer output is dropped once its last consumer has run) and keeps only what the tables and
pictures need: real shapes, a few statistics, sample 0 of a feature map (its first channels),
the histogram of a dense output. Before anything is allocated, the same walk is done on shapes
only (``None`` sizes taken from the real batch, nested models inside) to estimate the peak
memory; a batch over ``memory_limit_mb`` is refused with the largest batch that fits.
The records and the entry functions are here; running the model (the estimate, the real pass)
is ``keras_lens.adapter._trace_run``.

Example:
    >>> trace = trace_shapes(model, x_batch)    # doctest: +SKIP
    >>> print(trace.to_text())                  # doctest: +SKIP
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from keras_lens import i18n
from keras_lens.adapter._checks import graph_of
from keras_lens.adapter._sample import match_inputs
from keras_lens.adapter._trace_run import (
    _MB,
    StepFn,
    _per_example,
    _picture_kinds,
    _Recorder,
    _run,
    _too_big,
    estimate_peak,
)
from keras_lens.records import LayerGraph, Shape, format_shape
from keras_lens.render.shape_pictures import feature_maps_png, histogram_png, picture_kind

i18n.register(
    {
        "trace.layer": ("Layer (type)", "层（类型）"),
        "trace.symbolic": ("Symbolic shape", "符号形状"),
        "trace.actual": ("Actual shape", "实际形状"),
        "trace.ok": ("OK", "符合"),
        "trace.yes": ("yes", "是"),
        "trace.no": ("NO", "否"),
        "trace.model": ('Model: "{name}"', '模型："{name}"'),
        "trace.note": ("Note: {note}", "注：{note}"),
        "trace.nested": (
            "{name} is called {n} times; its inner layers are traced with the inputs of the "
            "first call.",
            "{name} 被调用了 {n} 次；它内部的层按第一次调用的输入来追踪。",
        ),
        "trace.all_fit": (
            "Traced with a batch of {batch}: all real shapes fit.",
            "用一批 {batch} 个样本追踪：所有实际形状都符合。",
        ),
        "trace.misfit": (
            "Traced with a batch of {batch}: {bad} shapes do NOT fit.",
            "用一批 {batch} 个样本追踪：有 {bad} 个形状不符合。",
        ),
        "trace.symbolic_only": (
            "Symbolic shapes only: pass sample= (a real batch) for the actual ones.",
            "只有符号形状：传入 sample=（一批真实数据）即可得到实际形状。",
        ),
    }
)

__all__ = [
    "PendingTrace",
    "ShapeRow",
    "ShapeTrace",
    "StepFn",
    "prepare_trace",
    "trace_shapes",
    "verdict_text",
]

#: Batches whose intermediate outputs would need more memory than this are refused.
MEMORY_LIMIT_MB = 1024


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
        head = [i18n.t(f"trace.{k}") for k in ("layer", "symbolic", "actual", "ok")]
        lines = [head]
        marks = {True: i18n.t("trace.yes"), False: i18n.t("trace.no"), None: "-"}
        for r in self.rows:
            prefix = "   " * r.depth + "└ " if r.depth else ""
            actual = [format_shape(a) for a in r.actual] if r.actual is not None else ["-"]
            symbolic = [format_shape(s) for s in r.symbolic] or ["?"]
            lines.append(
                [prefix + r.label(), "\n".join(symbolic), "\n".join(actual), marks[r.matches]]
            )
        widths = [max(_width(p) for line in lines for p in line[i].split("\n")) for i in range(4)]
        out = [i18n.t("trace.model", name=self.name)]
        rule = "-+-".join("-" * w for w in widths)
        for index, line in enumerate(lines):
            cells = [c.split("\n") for c in line]
            for k in range(max(len(c) for c in cells)):
                parts = [
                    _pad(c[k] if k < len(c) else "", w) for c, w in zip(cells, widths, strict=True)
                ]
                out.append(" | ".join(parts).rstrip())
            if index == 0:
                out.append(rule)
        out.append(verdict_text(self))
        out += [i18n.t("trace.note", note=n) for n in self.notes]
        return "\n".join(out)


def verdict_text(trace: ShapeTrace, prefix: str = "trace") -> str:
    """The sentence under a trace: symbolic only, all fit, or how many do not fit.

    ``prefix`` names the i18n keys ``<prefix>.symbolic_only``/``.misfit``/``.all_fit``: ``"trace"``
    (the text table, registered here) or ``"shapes"`` (the widget's wording, registered by
    ``views.shapes_view``). Example: ``verdict_text(trace)`` ->
    ``'Traced with a batch of 8: all real shapes fit.'``
    """
    if not trace.traced:
        return i18n.t(f"{prefix}.symbolic_only")
    bad = len(trace.mismatches)
    if bad:
        return i18n.t(f"{prefix}.misfit", batch=trace.batch, bad=bad)
    return i18n.t(f"{prefix}.all_fit", batch=trace.batch)


def _width(text: str) -> int:
    """Columns ``text`` takes in a monospace font (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


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


def _nested_notes(graph: LayerGraph) -> list[str]:
    notes = []
    for g in graph.walk():
        for layer in g.layers:
            if layer.is_model and len(layer.node_ids) > 1 and layer.key in dict(g.subgraphs):
                notes.append(i18n.t("trace.nested", name=layer.name, n=len(layer.node_ids)))
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
