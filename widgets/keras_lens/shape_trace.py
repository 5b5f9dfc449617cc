"""Trace the shape of every layer output: symbolic always, real ones from one forward pass.

``trace_shapes(model, sample)`` lists every call of every layer (nested models one level deeper)
with its symbolic shape; given a batch it runs ONE forward pass through a feature-extraction model
whose outputs are all intermediate layer outputs, and records the actual shapes next to the
symbolic ones. Nested models are traced with the inputs their outer call received.

Example:
    >>> trace = trace_shapes(model, x_batch)    # doctest: +SKIP
    >>> print(trace.to_text())                  # doctest: +SKIP
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from keras_lens._checks import graph_of
from keras_lens._sample import check_memory, match_inputs
from keras_lens.records import LayerGraph, Shape, format_shape
from keras_lens.shape_pictures import feature_maps_png, histogram_png, picture_kind

__all__ = ["ShapeRow", "ShapeTrace", "trace_shapes"]

#: Batches whose intermediate outputs would need more memory than this are refused.
MEMORY_LIMIT_MB = 1024
_KEEP = 64  # samples kept per output for histograms (feature maps keep sample 0)


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
    _values: dict[str, np.ndarray] = field(default_factory=dict, repr=False, compare=False)

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
            return feature_maps_png(r.name, values[0])
        return histogram_png(r.name, values)

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
    model: Any, sample: Any = None, *, memory_limit_mb: float = MEMORY_LIMIT_MB
) -> ShapeTrace:
    """Symbolic (and, with ``sample``, real) output shapes of every layer call of a model."""
    if isinstance(memory_limit_mb, bool) or not isinstance(memory_limit_mb, (int, float)):
        raise TypeError(
            f"keras_lens.shapes(): memory_limit_mb must be a number of megabytes; "
            f"got {memory_limit_mb!r}."
        )
    graph = graph_of(model, "shapes", graph_needed=True)
    rows = _symbolic_rows(graph, 0)
    if sample is None:
        return ShapeTrace(graph.name, tuple(rows))
    arrays = match_inputs(graph, sample)
    batch = int(arrays[0].shape[0])
    check_memory(graph, batch, memory_limit_mb)
    shapes: dict[str, list[tuple[int, ...]]] = {}
    values: dict[str, np.ndarray] = {}
    notes: list[str] = []
    _forward(model, graph, arrays, "", shapes, values, notes)
    traced = tuple(_with_actual(r, shapes.get(r.node_id)) for r in rows)
    return ShapeTrace(graph.name, traced, batch, tuple(notes), values)


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


_FEATURE_MODELS: weakref.WeakKeyDictionary[Any, tuple[LayerGraph, Any, list[str]]] = (
    weakref.WeakKeyDictionary()
)


def _feature_model(model: Any, graph: LayerGraph) -> tuple[Any, list[str]]:
    """A keras.Model from the model's inputs to every node's outputs (cached per graph)."""
    cached = _FEATURE_MODELS.get(model)
    if cached is not None and cached[0] is graph:
        return cached[1], cached[2]
    import keras

    from keras_lens.adapter import node_output_tensors

    tensors = node_output_tensors(model)
    order = [(node_id, i) for node_id, ts in tensors.items() for i in range(len(ts))]
    outputs = [tensors[node_id][i] for node_id, i in order]
    features = keras.Model(model.inputs, outputs, name=f"{model.name}_features")
    ids = [node_id for node_id, _ in order]
    _FEATURE_MODELS[model] = (graph, features, ids)
    return features, ids


def _forward(
    model: Any,
    graph: LayerGraph,
    arrays: list[Any],
    prefix: str,
    shapes: dict[str, list[tuple[int, ...]]],
    values: dict[str, np.ndarray],
    notes: list[str],
) -> None:
    """Run the feature model once; record every output's shape and the values pictures need."""
    import keras

    features, ids = _feature_model(model, graph)
    try:
        outputs = features(list(arrays), training=False)
    except Exception as error:  # show one line, not a Keras traceback
        raise ValueError(
            f"keras_lens.shapes(): the forward pass of {model.name!r} failed{_cause(error)}"
        ) from None
    full: dict[str, list[Any]] = {}
    for node_id, tensor in zip(ids, outputs, strict=True):
        full.setdefault(node_id, []).append(tensor)
    for node_id, tensors in full.items():
        key = f"{prefix}/{node_id}" if prefix else node_id
        shapes[key] = [tuple(int(d) for d in t.shape) for t in tensors]
        class_name = graph.layer(graph.node(node_id).layer_key).class_name
        kind = picture_kind(class_name, len(tensors[0].shape)) if len(tensors) == 1 else ""
        if kind:  # copy only what a picture shows: sample 0, or a slice of the batch
            keep = 1 if kind == "feature_maps" else _KEEP
            values[key] = keras.ops.convert_to_numpy(tensors[0][:keep])
    for layer in graph.layers:
        if not layer.is_model or not layer.node_ids:
            continue
        sub = graph.subgraph(layer.key)
        if sub.kind not in ("functional", "sequential"):
            continue
        first = layer.node_ids[0]
        inputs = [full[e.source][e.source_index] for e in graph.predecessors(first)]
        if len(layer.node_ids) > 1:
            notes.append(
                f"{layer.name} is called {len(layer.node_ids)} times; its inner layers "
                "are traced with the inputs of the first call."
            )
        inner = model.get_layer(layer.name)
        inner_graph = graph_of(inner, "shapes")
        inner_prefix = (prefix + "/" if prefix else "") + layer.key
        _forward(inner, inner_graph, inputs, inner_prefix, shapes, values, notes)
