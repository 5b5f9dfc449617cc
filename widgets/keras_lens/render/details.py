"""Static, escaped HTML describing one layer, or listing all layers, from ``LayerGraph`` records.

Used by the graph view's layer picker and by its no-Graphviz fallback. Every piece of text goes
through ``keras_lens.render._html.esc``.

Example:
    >>> from keras_lens.records import LayerGraph, LayerRecord, WeightRecord
    >>> conv = LayerRecord("c", "c", "Conv2D", trainable_params=896,
    ...     weights=(WeightRecord("kernel", (3, 3, 3, 32), "float32", True),
    ...              WeightRecord("bias", (32,), "float32", True)),
    ...     config=(("use_bias", "True"),))
    >>> param_line(conv)
    '(3*3*3+1)*32 = 896'
"""

from __future__ import annotations

from keras_lens.records import LayerGraph, LayerRecord, format_shape
from keras_lens.render._html import esc

__all__ = ["layer_details_html", "layer_list_html", "param_line"]

_TABLE = '<table style="border-collapse:collapse;font-size:12px;margin:4px 0">'
_TD = '<td style="padding:2px 8px;border-bottom:1px solid #ddd;text-align:left">'
_TH = '<th style="padding:2px 8px;border-bottom:1px solid #999;text-align:left">'


def param_line(layer: LayerRecord) -> str:
    """``"(3*3*3+1)*32 = 896"``: the formula giving the layer's parameter count (plain text).

    Uses ``keras_lens.records.formulas`` when available, else the sum of the weight shapes.
    """
    if not layer.weights:
        return "0 (no weights)"
    if layer.is_model:
        return f"{layer.params:,} (sum over the layers of the nested model)"
    text = None
    try:
        formula = layer.formula()
        if formula.total == layer.params:
            text = formula.text
    except Exception:  # missing module or an unexpected layer: fall back to the shapes
        text = None
    if text is None:
        text = " + ".join("*".join(str(d) for d in w.shape) or "1" for w in layer.weights)
    if text == str(layer.params):
        return f"{layer.params:,}"
    return f"{text} = {layer.params:,}"


def _formula_explanation(layer: LayerRecord) -> str:
    try:
        return layer.formula().explanation
    except Exception:
        return ""


def _shapes(shapes: tuple) -> str:
    return ", ".join(format_shape(s) for s in shapes) or "-"


def _connections(graph: LayerGraph, node_id: str, incoming: bool) -> str:
    edges = graph.predecessors(node_id) if incoming else graph.successors(node_id)
    parts = []
    for e in edges:
        other = graph.node(e.source if incoming else e.target)
        name = graph.layer(other.layer_key).name
        if incoming:
            parts.append(f"{name}[{other.keras_index}][{e.source_index}]")
        else:
            parts.append(name)
    return ", ".join(parts) or "-"


def layer_details_html(graph: LayerGraph, key: str) -> str:
    """HTML for the layer ``key``: class, parameters with formula, weights, calls, config."""
    owner = _owner(graph, key)
    layer = owner.layer(key)
    out = [
        f'<div class="keras-lens-details" style="font-family:sans-serif;font-size:13px">'
        f"<b>{esc(layer.name)}</b> ({esc(layer.class_name)}"
        f"{' operation' if layer.is_op else ''}{', nested model' if layer.is_model else ''})"
    ]
    if layer.parent:
        out.append(f" inside <code>{esc(layer.parent)}</code>")
    out.append("<br>")
    explanation = _formula_explanation(layer) if layer.weights and not layer.is_model else ""
    out.append(f"Parameters: <code>{esc(param_line(layer))}</code>")
    if explanation:
        out.append(f" <i>({esc(explanation)})</i>")
    if layer.non_trainable_params:
        out.append(
            f" &mdash; {layer.trainable_params:,} trainable, "
            f"{layer.non_trainable_params:,} non-trainable"
        )
    if layer.activation:
        out.append(f"<br>Activation: <code>{esc(layer.activation)}</code>")
    if layer.weights:
        rows = "".join(
            f"<tr>{_TD}{esc(w.name)}</td>{_TD}{esc(format_shape(w.shape))}</td>"
            f"{_TD}{esc(w.dtype)}</td>{_TD}{'yes' if w.trainable else 'no'}</td>"
            f"{_TD}{w.size:,}</td></tr>"
            for w in layer.weights
        )
        out.append(
            f"<br>Weights:{_TABLE}<tr>{_TH}name</th>{_TH}shape</th>{_TH}dtype</th>"
            f"{_TH}trainable</th>{_TH}size</th></tr>{rows}</table>"
        )
    calls = owner.nodes_of(key)
    if calls:
        title = f"Called at {len(calls)} nodes (shared weights)" if layer.shared else "Call"
        rows = "".join(
            f"<tr>{_TD}{n.call_index}</td>{_TD}{esc(_connections(owner, n.id, True))}</td>"
            f"{_TD}{esc(_shapes(n.input_shapes))}</td>{_TD}{esc(_shapes(n.output_shapes))}</td>"
            f"{_TD}{esc(_connections(owner, n.id, False))}</td></tr>"
            for n in calls
        )
        out.append(
            f"<br>{title}:{_TABLE}<tr>{_TH}call</th>{_TH}connected to</th>{_TH}input shape</th>"
            f"{_TH}output shape</th>{_TH}feeds</th></tr>{rows}</table>"
        )
    if layer.config:
        rows = "".join(
            f"<tr>{_TD}{esc(k)}</td>{_TD}<code>{esc(v)}</code></td></tr>" for k, v in layer.config
        )
        out.append(
            f"<details><summary>Config ({len(layer.config)} entries)</summary>{_TABLE}{rows}"
            "</table></details>"
        )
    out.append("</div>")
    return "".join(out)


def layer_list_html(graph: LayerGraph) -> str:
    """A plain table of the layers (name, class, output shape, params), nested ones indented."""
    rows: list[str] = []
    _list_rows(graph, 0, rows)
    return (
        f"{_TABLE}<tr>{_TH}Layer (type)</th>{_TH}Output shape</th>{_TH}Param #</th></tr>"
        + "".join(rows)
        + f"<tr>{_TD}<b>Total</b></td>{_TD}</td>{_TD}<b>{graph.total_params:,}</b></td></tr>"
        "</table>"
    )


def _list_rows(graph: LayerGraph, depth: int, rows: list[str]) -> None:
    subgraphs = dict(graph.subgraphs)
    for layer in graph.layers:
        calls = graph.nodes_of(layer.key) if layer.node_ids else ()
        shape = "; ".join(_shapes(n.output_shapes) for n in calls) or "?"
        indent = "&nbsp;" * 4 * depth
        rows.append(
            f"<tr>{_TD}{indent}{esc(layer.name)} ({esc(layer.class_name)})</td>"
            f"{_TD}{esc(shape)}</td>{_TD}{layer.params:,}</td></tr>"
        )
        if layer.key in subgraphs:
            _list_rows(subgraphs[layer.key], depth + 1, rows)


def _owner(graph: LayerGraph, key: str) -> LayerGraph:
    """The (sub)graph that holds layer ``key``."""
    for sub in graph.walk():
        if key in sub.layer_keys:
            return sub
    graph.layer(key)  # raises a KeyError listing the keys
    return graph
