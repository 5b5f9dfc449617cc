"""Turn a ``LayerGraph`` into Graphviz DOT text: one box per layer, one arrow per tensor.

Pure Python on the plain records (no Keras, no Graphviz needed to build the text). Every name,
class and shape goes through ``keras_lens.render._html`` escaping; box ids are generated (``L0``,
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

from dataclasses import dataclass, field, replace
from typing import Any, Literal

from keras_lens.records import LayerGraph, LayerRecord, NodeRecord, Shape, format_shape
from keras_lens.records.folding import FoldGroup, find_groups
from keras_lens.render._html import dot_string, esc, esc_text

__all__ = ["FILL", "GraphOptions", "to_dot", "to_dot_indexed"]

_FILL = {
    "input": "#dbe9f6",
    "op": "#efe3f5",
    "model": "#fff1c9",
    "layer": "#ececec",
    "group": "#d9f0e3",
}
#: Box colours by kind (the widget's legend lists them).
FILL = dict(_FILL)
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
    fold: bool = False
    flipped: frozenset[str] = field(default_factory=frozenset)
    """Nested-model keys drawn opposite to ``expand_nested``; group ids opposite to ``fold``."""

    def __post_init__(self) -> None:
        if self.rankdir not in ("TB", "LR"):
            raise ValueError(f"rankdir must be 'TB' (top to bottom) or 'LR', not {self.rankdir!r}")

    def with_(self, **changes: object) -> GraphOptions:
        """A copy with some options changed."""
        return replace(self, **changes)  # type: ignore[arg-type]


def to_dot(graph: LayerGraph, options: GraphOptions | None = None) -> str:
    """DOT text for ``graph`` drawn with ``options`` (deterministic: same input, same text)."""
    return to_dot_indexed(graph, options)[0]


def to_dot_indexed(
    graph: LayerGraph,
    options: GraphOptions | None = None,
    groups: tuple[FoldGroup, ...] | None = None,
) -> tuple[str, dict[str, Any]]:
    """DOT text and an index of what each drawn box, frame and arrow stands for.

    The index (plain JSON for the front end): ``boxes`` ``{box id: {key, name, cls, kind,
    members}}`` (``kind`` is ``layer``, ``model`` or ``group``; a folded group's or collapsed
    model's ``members`` are the layer keys inside it), ``clusters`` ``{frame id: {key, kind}}``
    and ``edges`` ``[[source box, target box], ...]``. In the SVG a box carries the class
    ``kl_<box id>`` and a frame ``kl_<frame id>``. ``groups`` defaults to ``find_groups(graph)``
    when ``options.fold`` is on.

    Example:
        >>> from keras_lens.records import LayerGraph
        >>> to_dot_indexed(LayerGraph(name="m", class_name="Functional", kind="functional"))[1]
        {'boxes': {}, 'clusters': {}, 'edges': []}
    """
    opts = options or GraphOptions()
    if opts.fold and groups is None:
        groups = find_groups(graph)
    writer = _Writer(graph, opts, groups or ())
    body = writer.graph_body(graph, indent="  ")
    head = [
        "digraph keras_lens {",
        f'  graph [rankdir={opts.rankdir}, nodesep=0.25, ranksep=0.35, fontname="Helvetica", '
        'fontsize=11, bgcolor="white"];',
        '  node [shape=box, style="rounded,filled", fillcolor="white", color="#555555", '
        'fontname="Helvetica", fontsize=11, margin="0.04,0.02"];',
        '  edge [color="#555555", arrowsize=0.7];',
    ]
    index = {"boxes": writer.boxes, "clusters": writer.frames, "edges": writer.edge_pairs}
    lines = [*head, *body, *writer.edge_lines, *writer.title_edges(), "}", ""]
    return "\n".join(lines), index


class _Writer:
    def __init__(self, root: LayerGraph, opts: GraphOptions, groups: tuple[FoldGroup, ...]) -> None:
        self.opts = opts
        self.ids: dict[str, str] = {}
        self.edge_lines: list[str] = []
        self.edge_pairs: list[list[str]] = []
        self.seen_edges: set[tuple[str, str, int, int]] = set()
        self.seen_pairs: set[tuple[str, str]] = set()
        self.clusters = 0
        self.emitted: list[str] = []  # box ids in the order their lines are written
        self.frame_firsts: list[tuple[str, str]] = []  # (frame id, its first box)
        self.boxes: dict[str, dict[str, Any]] = {}
        self.frames: dict[str, dict[str, str]] = {}
        self.names = {r.key: r.name for g in root.walk() for r in g.layers}
        self.group_of: dict[str, FoldGroup] = {}
        self.folded: dict[str, str] = {}  # member key -> group id, for folded groups
        for group in groups if opts.fold else ():
            for key in group.keys:
                self.group_of[key] = group
                if group.id not in opts.flipped:
                    self.folded[key] = group.id

    def box_id(self, key: str) -> str:
        key = self.folded.get(key, key)
        if key not in self.ids:
            self.ids[key] = f"L{len(self.ids)}"
        return self.ids[key]

    def expandable(self, graph: LayerGraph, layer: LayerRecord) -> LayerGraph | None:
        if not layer.is_model or (self.opts.expand_nested == (layer.key in self.opts.flipped)):
            return None
        sub = dict(graph.subgraphs).get(layer.key)
        if sub is None or not sub.nodes:
            return None
        return sub

    def graph_body(self, graph: LayerGraph, indent: str, nested: bool = False) -> list[str]:
        lines: list[str] = []
        open_until = ""
        frame_start = ("", 0)
        for layer in graph.layers:
            if nested and layer.implicit:  # as model_to_dot: a nested Sequential's InputLayer
                continue  # is not drawn; the edge goes into its first layer
            group = self.group_of.get(layer.key)
            if group is not None and layer.key in self.folded:
                if layer.key == group.keys[0]:
                    lines.append(indent + self.group_box(graph, group))
                continue
            if group is not None and layer.key == group.keys[0]:  # an opened group: a frame
                self.clusters += 1
                frame = f"c{self.clusters}"
                self.frames[frame] = {"key": group.id, "kind": "group"}
                label = f"▾ <b>{esc(group.label)}</b> · {group.blocks} blocks"
                tip = dot_string(esc_text(f"{group.label}: click the label to fold"))
                lines.append(f"{indent}subgraph cluster_{self.clusters} {{")
                lines.append(
                    f'{indent}  label=""; style="dashed,rounded"; '
                    f'color="#2e8b57"; class="kl_{frame}"; tooltip={tip};'
                )
                lines.append(f"{indent}  {self.frame_label(frame, label, tip)}")
                indent += "  "
                open_until = group.keys[-1]
                frame_start = (frame, len(self.emitted))
            self.layer_lines(graph, layer, indent, lines)
            if open_until and layer.key == open_until:
                indent = indent[:-2]
                lines.append(f"{indent}}}")
                open_until = ""
                self.label_above(*frame_start)
        if open_until:  # defensive: a group whose last member was not met
            lines.append(f"{indent[:-2]}}}")
        for e in graph.edges:
            if nested and graph.layer(graph.node(e.source).layer_key).implicit:
                continue
            src = self.resolve_output(graph, graph.node(e.source).layer_key, e.source_index)
            dst = self.resolve_input(graph, graph.node(e.target).layer_key, e.slot())
            key = (src, dst, e.source_index, e.target_index)
            a, b = self.box_id(src), self.box_id(dst)
            if key in self.seen_edges or a == b:
                continue
            if (a, b) in self.seen_pairs and (src in self.folded or dst in self.folded):
                continue  # many tensors into or out of one folded group: one arrow
            self.seen_edges.add(key)
            tip = f"{self.label_of(src)} → {self.label_of(dst)}: {format_shape(e.shape)}" + (
                f" {e.dtype}" if e.dtype else ""
            )
            self.edge_lines.append(f"  {a} -> {b} [tooltip={dot_string(esc_text(tip))}];")
            if (a, b) not in self.seen_pairs:
                self.seen_pairs.add((a, b))
                self.edge_pairs.append([a, b])
        return lines

    def frame_label(self, frame: str, label: str, tip: str) -> str:
        """A frame's title as a box of its own at the frame's top: edges go round it.

        A Graphviz cluster label is not an obstacle for the edge router, so the arrows into a
        frame crossed its title. ``layout.nest_frame_labels`` moves this box into the frame's
        ``<g class="cluster">`` in the SVG (clicks on it fold the frame).
        """
        return (
            f'{frame}_label [shape=plaintext, style="", margin="0.02,0.01", label=<{label}>, '
            f'class="kl-frame-label kl_{frame}", tooltip={tip}];'
        )

    def label_above(self, frame: str, start: int) -> None:
        """An invisible arrow from the frame's title to its first box: the title is on top."""
        if start < len(self.emitted):
            self.frame_firsts.append((frame, self.emitted[start]))

    def title_edges(self) -> list[str]:
        """Invisible arrows ranking each frame title between the first box and what feeds it."""
        lines = []
        for frame, first in self.frame_firsts:
            lines.append(f"  {frame}_label -> {first} [style=invis];")
            for a, b in self.edge_pairs:
                if b == first:
                    lines.append(f"  {a} -> {frame}_label [style=invis];")
        return lines

    def label_of(self, key: str) -> str:
        gid = self.folded.get(key)
        if gid is not None:
            return self.group_of[key].label
        return self.names.get(key, key)

    def group_box(self, graph: LayerGraph, group: FoldGroup) -> str:
        box = self.box_id(group.keys[0])
        first, last = graph.layer(group.keys[0]), graph.layer(group.keys[-1])
        params = sum(graph.layer(k).params for k in group.keys)
        rows = [
            f'<tr><td bgcolor="{_FILL["group"]}"><b>▸ {esc(group.label)}</b></td></tr>',
            f"<tr><td>{group.blocks} blocks · {len(group.keys)} layers · {params:,} params"
            "</td></tr>",
        ]
        if self.opts.show_shapes:
            ins = graph.nodes_of(first.key)[:1]
            outs = graph.nodes_of(last.key)[:1]
            if ins and outs and ins[0].input_shapes and outs[0].output_shapes:
                text = f"{_shapes(ins[0].input_shapes)} → {_shapes(outs[0].output_shapes)}"
                rows.append(f"<tr><td>{esc(text)}</td></tr>")
        label = (
            '<<table border="0" cellborder="0" cellspacing="0" cellpadding="3">'
            + "".join(rows)
            + "</table>>"
        )
        tip = f"{group.label}: {group.blocks} repeated blocks, {len(group.keys)} layers"
        tip += "; click to open"
        self.emitted.append(box)
        self.boxes[box] = {
            "key": group.id,
            "name": group.label,
            "cls": f"{group.blocks} blocks",
            "kind": "group",
            "members": list(group.keys),
        }
        attrs = [
            f"label={label}",
            f"tooltip={dot_string(esc_text(tip))}",
            f'class="kl_{box}"',
            "peripheries=2",
            'color="#2e8b57"',
        ]
        highlight = self.opts.highlight
        if highlight and any(highlight == k or highlight.startswith(k + "/") for k in group.keys):
            attrs += [f'color="{_HIGHLIGHT}"', "penwidth=3"]
        return f'{box} [{", ".join(attrs)}, style="rounded,filled"];'

    def layer_lines(self, graph: LayerGraph, layer: LayerRecord, indent: str, lines: list[str]):
        sub = self.expandable(graph, layer)
        if sub is None:
            lines.append(indent + self.box(graph, layer))
            return
        self.clusters += 1
        frame = f"c{self.clusters}"
        self.frames[frame] = {"key": layer.key, "kind": "model"}
        label = f"▾ <b>{esc(layer.name)}</b> ({esc(layer.class_name)})"
        if any(inner.implicit for inner in sub.layers):
            label += " · its implicit InputLayer not drawn (as plot_model)"
        if layer.shared:
            label += f" · shared ×{len(layer.node_ids)}"
        style = "dashed,rounded" if layer.shared else "rounded"
        color = _HIGHLIGHT if layer.key == self.opts.highlight else "#b08900"
        tip = f"{layer.name} ({layer.class_name}, nested model): click the label to collapse"
        lines.append(f"{indent}subgraph cluster_{self.clusters} {{")
        lines.append(
            f'{indent}  label=""; style="{style}"; color="{color}";'
            f" penwidth={3 if layer.key == self.opts.highlight else 1.2};"
            f' class="kl_{frame}"; tooltip={dot_string(esc_text(tip))};'
        )
        lines.append(f"{indent}  {self.frame_label(frame, label, dot_string(esc_text(tip)))}")
        start = len(self.emitted)
        lines.extend(self.graph_body(sub, indent + "  ", nested=True))
        lines.append(f"{indent}}}")
        self.label_above(frame, start)

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
        box = self.box_id(layer.key)
        self.emitted.append(box)
        attrs = [
            f"label={label}",
            f"tooltip={dot_string(esc_text(_tooltip(layer)))}",
            f'class="kl_{box}"',
        ]
        self.boxes[box] = {
            "key": layer.key,
            "name": layer.name,
            "cls": layer.class_name,
            "kind": "model" if layer.is_model else "layer",
            "members": [],
        }
        styles = ["rounded", "filled"]
        if layer.shared:
            styles.append("dashed")
            attrs.append("peripheries=2")
        if opts.highlight and (
            layer.key == opts.highlight or opts.highlight.startswith(layer.key + "/")
        ):  # the layer itself, or the collapsed nested model that holds it
            attrs += [f'color="{_HIGHLIGHT}"', "penwidth=3", 'fillcolor="#fff4d6"']
        attrs.append(f'style="{",".join(styles)}"')
        return f"{box} [{', '.join(attrs)}];"


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
    if layer.is_model:
        text += "; double-click to expand or collapse"
    return text
