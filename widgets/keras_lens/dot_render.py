"""Turn a ``LayerGraph`` into Graphviz DOT text: one box per layer, one arrow per tensor.

Pure Python on the plain records (no Keras, no Graphviz needed to build the text). Every name,
class and shape goes through ``keras_lens._html`` escaping; box ids are generated (``L0``,
``L1``...), never taken from layer names.

Example:
    >>> from keras_lens.records import LayerGraph, LayerRecord, NodeRecord, EdgeRecord
    >>> g = LayerGraph(name="m", class_name="Functional", kind="functional",
    ...     layers=(LayerRecord("x", "x", "InputLayer", node_ids=("x@0",)),
    ...             LayerRecord("d", "d", "Dense", node_ids=("d@0",))),
    ...     nodes=(NodeRecord("x@0", "x", 0, (), ((None, 3),)),
    ...            NodeRecord("d@0", "d", 0, ((None, 3),), ((None, 2),))),
    ...     edges=(EdgeRecord("x@0", "d@0", 0, 0, (None, 3)),))
    >>> text = to_dot(g, GraphOptions(show_shapes=True))
    >>> "L0 -> L1" in text, "(None, 2)" in text
    (True, True)
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from keras_lens._html import dot_string, esc, esc_text
from keras_lens.records import LayerGraph, LayerRecord, NodeRecord, Shape, format_shape

__all__ = ["GraphOptions", "to_dot"]

_FILL = {"input": "#dbe9f6", "op": "#efe3f5", "model": "#fff1c9", "layer": "#ececec"}
_HIGHLIGHT = "#d62728"


@dataclass(frozen=True)
class GraphOptions:
    """What the drawing shows. Frozen and hashable: it is part of the SVG cache key.

    Example:
        >>> GraphOptions().with_(rankdir="LR").rankdir
        'LR'
    """

    show_shapes: bool = True
    show_dtypes: bool = False
    show_activations: bool = False
    show_trainable: bool = False
    expand_nested: bool = False
    rankdir: Literal["TB", "LR"] = "TB"
    highlight: str | None = None

    def __post_init__(self) -> None:
        if self.rankdir not in ("TB", "LR"):
            raise ValueError(f"rankdir must be 'TB' (top to bottom) or 'LR', not {self.rankdir!r}")

    def with_(self, **changes: object) -> GraphOptions:
        """A copy with some options changed."""
        return replace(self, **changes)  # type: ignore[arg-type]


def to_dot(graph: LayerGraph, options: GraphOptions | None = None) -> str:
    """DOT text for ``graph`` drawn with ``options`` (deterministic: same input, same text)."""
    opts = options or GraphOptions()
    writer = _Writer(graph, opts)
    body = writer.graph_body(graph, indent="  ")
    head = [
        "digraph keras_lens {",
        f'  graph [rankdir={opts.rankdir}, nodesep=0.25, ranksep=0.35, fontname="Helvetica", '
        'fontsize=11, bgcolor="white"];',
        '  node [shape=box, style="rounded,filled", fillcolor="white", color="#555555", '
        'fontname="Helvetica", fontsize=11, margin="0.04,0.02"];',
        '  edge [color="#555555", arrowsize=0.7];',
    ]
    return "\n".join([*head, *body, *writer.edge_lines, "}", ""])


class _Writer:
    def __init__(self, root: LayerGraph, opts: GraphOptions) -> None:
        self.opts = opts
        self.ids: dict[str, str] = {}
        self.edge_lines: list[str] = []
        self.seen_edges: set[tuple[str, str, int, int]] = set()
        self.clusters = 0

    def box_id(self, key: str) -> str:
        if key not in self.ids:
            self.ids[key] = f"L{len(self.ids)}"
        return self.ids[key]

    def expandable(self, graph: LayerGraph, layer: LayerRecord) -> LayerGraph | None:
        if not (self.opts.expand_nested and layer.is_model):
            return None
        sub = dict(graph.subgraphs).get(layer.key)
        if sub is None or not sub.nodes:
            return None
        return sub

    def graph_body(self, graph: LayerGraph, indent: str, nested: bool = False) -> list[str]:
        lines: list[str] = []
        for layer in graph.layers:
            if nested and layer.implicit:  # as model_to_dot: a nested Sequential's InputLayer
                continue  # is not drawn; the edge goes into its first layer
            sub = self.expandable(graph, layer)
            if sub is None:
                lines.append(indent + self.box(graph, layer))
                continue
            self.clusters += 1
            label = f"<b>{esc(layer.name)}</b> ({esc(layer.class_name)})"
            if any(inner.implicit for inner in sub.layers):
                label += " · its implicit InputLayer not drawn (as plot_model)"
            if layer.shared:
                label += f" · shared ×{len(layer.node_ids)}"
            style = "dashed,rounded" if layer.shared else "rounded"
            color = _HIGHLIGHT if layer.key == self.opts.highlight else "#b08900"
            lines.append(f"{indent}subgraph cluster_{self.clusters} {{")
            lines.append(
                f'{indent}  label=<{label}>; labeljust="l"; style="{style}"; color="{color}";'
                f" penwidth={3 if layer.key == self.opts.highlight else 1.2};"
            )
            lines.extend(self.graph_body(sub, indent + "  ", nested=True))
            lines.append(f"{indent}}}")
        for e in graph.edges:
            if nested and graph.layer(graph.node(e.source).layer_key).implicit:
                continue
            src = self.resolve_output(graph, graph.node(e.source).layer_key, e.source_index)
            dst = self.resolve_input(graph, graph.node(e.target).layer_key, e.slot())
            key = (src, dst, e.source_index, e.target_index)
            if key in self.seen_edges:
                continue
            self.seen_edges.add(key)
            self.edge_lines.append(f"  {self.box_id(src)} -> {self.box_id(dst)};")
        return lines

    def resolve_output(self, graph: LayerGraph, key: str, index: int) -> str:
        """The box drawing output ``index`` of layer ``key`` (inside an expanded nested model)."""
        sub = self.expandable(graph, graph.layer(key))
        if sub is None or index >= len(sub.output_ids):
            return key
        inner = sub.node(sub.output_ids[index])
        return self.resolve_output(sub, inner.layer_key, sub.output_indices[index])

    def resolve_input(self, graph: LayerGraph, key: str, index: int) -> str:
        """The box receiving input ``index`` of layer ``key`` (inside an expanded nested model)."""
        sub = self.expandable(graph, graph.layer(key))
        if sub is None or not sub.input_ids:
            return key
        inner = sub.node(sub.input_ids[min(index, len(sub.input_ids) - 1)])
        if sub.layer(inner.layer_key).implicit:  # into the first layer after it
            after = sub.successors(inner.id)
            if after:
                target = sub.node(after[0].target)
                return self.resolve_input(sub, target.layer_key, after[0].slot())
        return self.resolve_input(sub, inner.layer_key, 0)

    def box(self, graph: LayerGraph, layer: LayerRecord) -> str:
        opts = self.opts
        calls = [graph.node(i) for i in layer.node_ids]
        category = (
            "input"
            if layer.class_name == "InputLayer"
            else "op"
            if layer.is_op
            else "model"
            if layer.is_model
            else "layer"
        )
        kind = f"{layer.class_name} op" if layer.is_op else layer.class_name
        if layer.is_model:
            kind += " · nested model"
        rows = [
            f'<tr><td bgcolor="{_FILL[category]}"><b>{esc(layer.name)}</b> ({esc(kind)})</td></tr>'
        ]
        if layer.shared:
            rows.append(
                f"<tr><td><b>shared ×{len(calls)}</b>: one layer, {len(calls)} calls</td></tr>"
            )
        if opts.show_activations and layer.activation and layer.activation != "linear":
            rows.append(f"<tr><td>activation: <b>{esc(layer.activation)}</b></td></tr>")
        if opts.show_shapes:
            rows.extend(_shape_rows(layer, calls))
        if opts.show_dtypes:
            dtypes = sorted({d for n in calls for d in n.output_dtypes}) or ["?"]
            text = ", ".join(dtypes)
            if layer.dtype and layer.dtype not in dtypes:
                text += f" (policy {layer.dtype})"
            rows.append(f"<tr><td>output dtype: <b>{esc(text)}</b></td></tr>")
        if opts.show_trainable and layer.weights:
            if layer.trainable_params and not layer.non_trainable_params:
                color, text = "#2e7d32", f"trainable · {layer.params:,} params"
            elif layer.trainable_params:
                color, text = (
                    "#8d6e00",
                    f"{layer.trainable_params:,} trainable + "
                    f"{layer.non_trainable_params:,} non-trainable",
                )
            else:
                color, text = "#c62828", f"non-trainable · {layer.params:,} params"
            rows.append(
                f'<tr><td bgcolor="{color}"><font color="white">{esc(text)}</font></td></tr>'
            )
        label = (
            '<<table border="0" cellborder="0" cellspacing="0" cellpadding="3">'
            + "".join(rows)
            + "</table>>"
        )
        attrs = [f"label={label}", f"tooltip={dot_string(esc_text(_tooltip(layer)))}"]
        styles = ["rounded", "filled"]
        if layer.shared:
            styles.append("dashed")
            attrs.append("peripheries=2")
        if opts.highlight and (
            layer.key == opts.highlight or opts.highlight.startswith(layer.key + "/")
        ):  # the layer itself, or the collapsed nested model that holds it
            attrs += [f'color="{_HIGHLIGHT}"', "penwidth=3", 'fillcolor="#fff4d6"']
        attrs.append(f'style="{",".join(styles)}"')
        return f"{self.box_id(layer.key)} [{', '.join(attrs)}];"


def _shapes(shapes: tuple[Shape, ...]) -> str:
    if len(shapes) == 1:
        return format_shape(shapes[0])
    return "[" + ", ".join(format_shape(s) for s in shapes) + "]"


def _shape_rows(layer: LayerRecord, calls: list[NodeRecord]) -> list[str]:
    rows = []
    for n in calls:
        prefix = f"call {n.call_index}: " if len(calls) > 1 else ""
        out = _shapes(n.output_shapes) if n.output_shapes else "?"
        if layer.class_name == "InputLayer" or not n.input_shapes:
            text = f"{prefix}output: {out}"
        else:
            text = f"{prefix}{_shapes(n.input_shapes)} → {out}"
        rows.append(f"<tr><td>{esc(text)}</td></tr>")
    if not calls:
        rows.append("<tr><td>output: ?</td></tr>")
    return rows


def _tooltip(layer: LayerRecord) -> str:
    text = f"{layer.name} ({layer.class_name}): {layer.params:,} params"
    if layer.shared:
        text += f", shared by {len(layer.node_ids)} calls"
    return text
