"""The data behind ``keras_lens.summary``: one row per layer, totals, and a plain-text table.

Pure Python over ``keras_lens.records`` (no Keras, no ipywidgets): ``build_summary(graph)`` turns
a ``LayerGraph`` into a ``SummaryTable``. Totals are the graph's (unique weights), so they equal
``model.count_params()`` and the "Total params" lines of ``model.summary()``.

Example:
    >>> from keras_lens.records import LayerGraph, LayerRecord, NodeRecord, WeightRecord
    >>> w = (WeightRecord("kernel", (3, 2), "float32", True),
    ...      WeightRecord("bias", (2,), "float32", True))
    >>> layer = LayerRecord(key="d", name="d", class_name="Dense", weights=w, trainable_params=8,
    ...                     node_ids=("d@0",))
    >>> g = LayerGraph(name="m", class_name="Functional", kind="functional", layers=(layer,),
    ...                nodes=(NodeRecord("d@0", "d", 0, output_shapes=((None, 2),)),),
    ...                total_params=8, trainable_params=8)
    >>> table = build_summary(g)
    >>> table.rows[0].formula, table.rows[0].activations
    ('(3+1)*2', 2)
    >>> print(table.to_text().splitlines()[-3])
     Total params: 8 (32.00 B)
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from keras_lens.records import LayerGraph, LayerRecord, Shape, WeightRecord, format_shape
from keras_lens.render import formula_words

__all__ = [
    "SummaryRow",
    "SummaryTable",
    "build_summary",
    "dtype_bytes",
    "path_labels",
    "readable_bytes",
    "short_path",
]

_BITS = {
    **{f"float{i}": i for i in (16, 32, 64)},
    **{f"int{i}": i for i in (8, 16, 32, 64)},
    **{f"uint{i}": i for i in (8, 16, 32, 64)},
    "bfloat16": 16,
    "bool": 1,
}


def dtype_bytes(dtype: str) -> float:
    """Bytes per element of a dtype, as Keras's summary counts them (``bool`` is 1/8).

    Example:
        >>> dtype_bytes("float32"), dtype_bytes("bfloat16")
        (4.0, 2.0)
    """
    return _BITS.get(str(dtype), 32) / 8


def readable_bytes(size: float) -> str:
    """A byte count the way ``model.summary()`` prints it: ``"215.04 KB"``.

    Example:
        >>> readable_bytes(220200), readable_bytes(0)
        ('215.04 KB', '0.00 B')
    """
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size / 1024 < 1:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} PB"


def short_path(path: str, max_chars: int = 36) -> str:
    """A nested-model key at most ``max_chars`` long, ellipsised in the middle.

    The first and the last parts stay; the parts between go, from the left, until it fits
    (``"encoder/…/res_block_2"``). A single part that is still too long loses its middle
    characters.

    Example:
        >>> short_path("encoder/stage_1/res_block_2", 24)
        'encoder/…/res_block_2'
        >>> short_path("encoder/stage_1/block_a/res_block_2", 30)
        'encoder/…/block_a/res_block_2'
        >>> short_path("encoder/stage_1/res_block_2")
        'encoder/stage_1/res_block_2'
    """
    if max_chars < 5:
        raise ValueError(f"max_chars must be at least 5; got {max_chars!r}.")
    if len(path) <= max_chars:
        return path
    parts = path.split("/")
    if len(parts) > 2:
        for keep in range(len(parts) - 2, 0, -1):  # keep the last ``keep`` parts
            candidate = "/".join([parts[0], "…", *parts[-keep:]])
            if len(candidate) <= max_chars:
                return candidate
        candidate = "/".join([parts[0], "…", parts[-1]])
        if len(candidate) <= max_chars:
            return candidate
    head = (max_chars - 1) // 2
    tail = max_chars - 1 - head
    return path[:head] + "…" + path[-tail:]


def path_labels(paths: Iterable[str], max_chars: int = 36) -> dict[str, str]:
    """``short_path`` of each path, made distinct: paths whose short forms collide keep more
    of their trailing parts (``"enc/…/stage_1/block"``), up to the whole path.

    Example:
        >>> labels = path_labels(["encoder/body/stage_1/block", "encoder/body/stage_2/block"], 16)
        >>> labels["encoder/body/stage_1/block"], labels["encoder/body/stage_2/block"]
        ('encoder/…/stage_1/block', 'encoder/…/stage_2/block')
    """
    paths = list(dict.fromkeys(paths))
    options = {p: _label_options(p, max_chars) for p in paths}
    level = dict.fromkeys(paths, 0)
    while True:
        labels = {p: options[p][level[p]] for p in paths}
        groups: dict[str, list[str]] = {}
        for p, text in labels.items():
            groups.setdefault(text, []).append(p)
        clashing = [p for group in groups.values() if len(group) > 1 for p in group]
        movable = [p for p in clashing if level[p] < len(options[p]) - 1]
        if not movable:
            return labels
        for p in movable:
            level[p] += 1


def _label_options(path: str, max_chars: int) -> list[str]:
    """Ever longer labels of one path: the short form, more trailing parts, the whole path."""
    parts = path.split("/")
    found = [short_path(path, max_chars)]
    for keep in range(2, len(parts) - 1):
        found.append("/".join([parts[0], "…", *parts[-keep:]]))
    found.append(path)
    return list(dict.fromkeys(found))


@dataclass(frozen=True)
class SummaryRow:
    """One layer of the summary (nested-model layers follow their model, one level deeper).

    Attributes:
        key, name, class_name: the layer's record key, Keras name and class.
        depth: 0 at the top level, +1 per enclosing nested model.
        parent: key of the enclosing nested model ("" at the top level).
        is_model: the row is a nested model (it has child rows).
        output_shapes: every output of every call, in call order (never shortened).
        trainable_params, non_trainable_params: this layer's parameter counts.
        connected_to: one ``"name[node][tensor]"`` per input of every call (Keras's notation).
        param_bytes: bytes of its weights (dtype-aware).
        activations: output elements per sample over all calls (``None`` if a size is unknown).
        formula: the parameter arithmetic, e.g. ``"(784+1)*64"`` ("" for a nested model).
    """

    key: str
    name: str
    class_name: str
    depth: int
    parent: str
    is_model: bool
    output_shapes: tuple[Shape, ...]
    trainable_params: int
    non_trainable_params: int
    connected_to: tuple[str, ...]
    param_bytes: float
    activations: int | None
    formula: str = ""
    explanation: str = ""

    @property
    def params(self) -> int:
        """Trainable + non-trainable."""
        return self.trainable_params + self.non_trainable_params

    def label(self) -> str:
        """``"name (Class)"`` as in Keras's summary."""
        return f"{self.name} ({self.class_name})"


@dataclass(frozen=True)
class SummaryTable:
    """Rows and totals of a model summary; ``to_text()`` renders it."""

    name: str
    class_name: str
    kind: str
    rows: tuple[SummaryRow, ...]
    total_params: int
    trainable_params: int
    non_trainable_params: int
    trainable_bytes: float
    non_trainable_bytes: float
    optimizer_params: int = 0
    optimizer_bytes: float = 0.0
    notes: tuple[str, ...] = ()
    show_connections: bool = True
    _children: dict[str, tuple[SummaryRow, ...]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @property
    def top_rows(self) -> tuple[SummaryRow, ...]:
        """The rows of the top-level layers."""
        return tuple(r for r in self.rows if r.depth == 0)

    @property
    def nested_keys(self) -> tuple[str, ...]:
        """Keys of the nested-model rows (the ones that expand)."""
        return tuple(r.key for r in self.rows if r.is_model and self.children(r.key))

    def children(self, key: str) -> tuple[SummaryRow, ...]:
        """The rows one level below the nested model ``key`` ("" for the top level)."""
        if not self._children:
            grouped: dict[str, list[SummaryRow]] = {}
            for row in self.rows:
                grouped.setdefault(row.parent, []).append(row)
            self._children.update({k: tuple(v) for k, v in grouped.items()})
        return self._children.get(key, ())

    def totals_lines(self) -> list[str]:
        """The totals exactly as ``model.summary()`` prints them."""
        total = self.total_params + self.optimizer_params
        total_bytes = self.trainable_bytes + self.non_trainable_bytes + self.optimizer_bytes
        lines = [
            f" Total params: {total:,} ({readable_bytes(total_bytes)})",
            f" Trainable params: {self.trainable_params:,} "
            f"({readable_bytes(self.trainable_bytes)})",
            f" Non-trainable params: {self.non_trainable_params:,} "
            f"({readable_bytes(self.non_trainable_bytes)})",
        ]
        if self.optimizer_params:
            lines.append(
                f" Optimizer params: {self.optimizer_params:,} "
                f"({readable_bytes(self.optimizer_bytes)})"
            )
        return lines

    def visible_rows(
        self,
        expanded: bool | Iterable[str] = True,
        text: str = "",
        class_name: str = "",
        sort: str = "graph",
    ) -> list[SummaryRow]:
        """Rows to show: nested models expanded (all, none or the given keys), filtered, sorted.

        ``text`` matches name, key or class (case-insensitive); ``class_name`` is exact; a
        match inside a nested model keeps its ancestors. ``sort`` is ``"graph"``,
        ``"params_desc"`` or ``"params_asc"`` (siblings are sorted, children stay under parents).
        """
        if sort not in ("graph", "params_desc", "params_asc"):
            raise ValueError(f"sort must be 'graph', 'params_desc' or 'params_asc'; got {sort!r}.")
        open_keys = set(self.nested_keys) if expanded is True else set(expanded or ())
        needle = text.strip().lower()
        matched = {
            r.key
            for r in self.rows
            if (not needle or needle in f"{r.name} {r.key} {r.class_name}".lower())
            and (not class_name or r.class_name == class_name)
        }
        keep = set(matched)
        if needle or class_name:
            by_key = {r.key: r for r in self.rows}
            for key in matched:
                parent = by_key[key].parent
                while parent:
                    keep.add(parent)
                    open_keys.add(parent)
                    parent = by_key[parent].parent

        out: list[SummaryRow] = []

        def visit(parent: str) -> None:
            rows = list(self.children(parent))
            if sort != "graph":
                rows.sort(key=lambda r: r.params, reverse=sort == "params_desc")
            for row in rows:
                if row.key in keep:
                    out.append(row)
                if row.key in open_keys and row.is_model:
                    visit(row.key)

        visit("")
        return out

    def to_text(self, expanded: bool | Iterable[str] = True) -> str:
        """The summary as a plain-text table (columns as wide as their longest cell)."""
        header = ["Layer (type)", "Output Shape", "Param #", "Trainable", "Non-trainable"]
        header += ["Formula", "Param bytes", "Act./sample"]
        if self.show_connections:
            header.append("Connected to")
        right = {2, 3, 4, 6, 7}
        cells = [[[h] for h in header]]
        for row in self.visible_rows(expanded):
            prefix = "   " * row.depth + "└ " if row.depth else ""
            shapes = [format_shape(s) for s in row.output_shapes] or ["?"]
            line = [
                [prefix + row.label()],
                shapes,
                [f"{row.params:,}"],
                [f"{row.trainable_params:,}"],
                [f"{row.non_trainable_params:,}"],
                [row.formula],
                [readable_bytes(row.param_bytes)],
                ["?" if row.activations is None else f"{row.activations:,}"],
            ]
            if self.show_connections:
                line.append(list(row.connected_to) or ["-"])
            cells.append(line)
        widths = [max(len(text) for line in cells for text in line[i]) for i in range(len(header))]
        rule = "-+-".join("-" * w for w in widths)
        out = [f'Model: "{self.name}" ({self.class_name})', rule]
        for index, line in enumerate(cells):
            for k in range(max(len(c) for c in line)):
                parts = []
                for i, cell in enumerate(line):
                    text = cell[k] if k < len(cell) else ""
                    parts.append(text.rjust(widths[i]) if i in right else text.ljust(widths[i]))
                out.append(" | ".join(parts).rstrip())
            if index == 0:
                out.append(rule)
        out.append(rule)
        out += self.totals_lines()
        out += [f" Note: {note}" for note in self.notes]
        return "\n".join(out)


#: The last graph's table (records are frozen): inspect()'s graph view and summary tab share it.
_LAST: list[tuple[weakref.ref[LayerGraph], SummaryTable]] = []


def build_summary(
    graph: LayerGraph, optimizer_params: int = 0, optimizer_bytes: float = 0.0
) -> SummaryTable:
    """The ``SummaryTable`` of a ``LayerGraph`` (nested models included, one level deeper)."""
    if _LAST and _LAST[0][0]() is graph:
        table = _LAST[0][1]
    else:
        table = _build(graph)
        _LAST[:] = [(weakref.ref(graph), table)]
    if (optimizer_params, optimizer_bytes) != (0, 0.0):
        table = replace(table, optimizer_params=optimizer_params, optimizer_bytes=optimizer_bytes)
    return table


def _build(graph: LayerGraph) -> SummaryTable:
    rows: list[SummaryRow] = []
    _add_rows(graph, 0, rows)
    weights = _unique_weights(graph)
    trainable_bytes = sum(w.size * dtype_bytes(w.dtype) for w in weights if w.trainable)
    non_trainable_bytes = sum(w.size * dtype_bytes(w.dtype) for w in weights if not w.trainable)
    trainable = sum(w.size for w in weights if w.trainable)
    if (trainable, sum(w.size for w in weights)) != (graph.trainable_params, graph.total_params):
        # records cannot tell two weights apart: fall back to the dominant dtype
        per = dtype_bytes(_dominant_dtype(weights))
        trainable_bytes = graph.trainable_params * per
        non_trainable_bytes = graph.non_trainable_params * per
    return SummaryTable(
        name=graph.name,
        class_name=graph.class_name,
        kind=graph.kind,
        rows=tuple(rows),
        total_params=graph.total_params,
        trainable_params=graph.trainable_params,
        non_trainable_params=graph.non_trainable_params,
        trainable_bytes=trainable_bytes,
        non_trainable_bytes=non_trainable_bytes,
        notes=tuple(n for g in graph.walk() for n in g.notes),
        show_connections=graph.kind in ("functional", "tensors"),
    )


def _add_rows(graph: LayerGraph, depth: int, rows: list[SummaryRow]) -> None:
    subgraphs = dict(graph.subgraphs)
    for layer in graph.layers:
        if layer.implicit:
            continue
        rows.append(_row(graph, layer, depth))
        if layer.key in subgraphs:
            _add_rows(subgraphs[layer.key], depth + 1, rows)


def _row(graph: LayerGraph, layer: LayerRecord, depth: int) -> SummaryRow:
    nodes = [graph.node(i) for i in layer.node_ids]
    shapes = tuple(s for n in nodes for s in n.output_shapes)
    connected = []
    for node in nodes:
        for edge in graph.predecessors(node.id):
            source = graph.node(edge.source)
            name = graph.layer(source.layer_key).name
            connected.append(f"{name}[{source.keras_index}][{edge.source_index}]")
    sizes = [_per_sample(s) for s in shapes]
    activations = None if not sizes or None in sizes else sum(s for s in sizes if s is not None)
    formula = explanation = ""
    if not layer.is_model and layer.weights:
        found = layer.formula()
        formula, explanation = found.text, formula_words.explanation(found)
    return SummaryRow(
        key=layer.key,
        name=layer.name,
        class_name=layer.class_name,
        depth=depth,
        parent=layer.parent,
        is_model=layer.is_model,
        output_shapes=shapes,
        trainable_params=layer.trainable_params,
        non_trainable_params=layer.non_trainable_params,
        connected_to=tuple(connected),
        param_bytes=sum(w.size * dtype_bytes(w.dtype) for w in layer.weights),
        activations=activations,
        formula=formula,
        explanation=explanation,
    )


def _per_sample(shape: Shape) -> int | None:
    dims = shape[1:]
    if any(d is None for d in dims):
        return None
    return math.prod(d for d in dims if d is not None)


def _unique_weights(graph: LayerGraph) -> list[WeightRecord]:
    seen: dict[object, WeightRecord] = {}
    for index, weight in enumerate(w for layer in graph.layers for w in layer.weights):
        seen.setdefault(weight.path or index, weight)
    return list(seen.values())


def _dominant_dtype(weights: list[WeightRecord]) -> str:
    sizes: dict[str, int] = {}
    for w in weights:
        sizes[w.dtype] = sizes.get(w.dtype, 0) + w.size
    return max(sizes, key=lambda d: sizes[d]) if sizes else "float32"
