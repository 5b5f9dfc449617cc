"""Static, escaped HTML describing one layer, or listing all layers, from ``LayerGraph`` records.

Used by the graph view's layer picker and by its no-Graphviz fallback. Every piece of text goes
through ``keras_lens.render._html.esc``.

Example:
    >>> from keras_lens import i18n
from keras_lens.records import LayerGraph, LayerRecord, WeightRecord
    >>> conv = LayerRecord("c", "c", "Conv2D", trainable_params=896,
    ...     weights=(WeightRecord("kernel", (3, 3, 3, 32), "float32", True),
    ...              WeightRecord("bias", (32,), "float32", True)),
    ...     config=(("use_bias", "True"),))
    >>> param_line(conv)
    '(3*3*3+1)*32 = 896'
"""

from __future__ import annotations

from keras_lens import i18n
from keras_lens.records import LayerGraph, LayerRecord, format_shape
from keras_lens.render import formula_words
from keras_lens.render._html import esc

__all__ = ["layer_details_html", "layer_list_html", "param_line"]

_TABLE = '<table style="border-collapse:collapse;font-size:12px;margin:4px 0">'
i18n.register(
    {
        "details.no_weights": ("0 (no weights)", "0（没有权重）"),
        "details.nested_sum": (
            "{params} (sum over the layers of the nested model)",
            "{params}（嵌套模型中各层之和）",
        ),
        "details.operation": (" operation", " 运算"),
        "details.nested_model": (", nested model", "，嵌套模型"),
        "details.inside": (" inside <code>{parent}</code>", "，位于 <code>{parent}</code> 内"),
        "details.parameters": ("Parameters: <code>{line}</code>", "参数：<code>{line}</code>"),
        "details.split": (
            " &mdash; {trainable} trainable, {frozen} non-trainable",
            " &mdash; {trainable} 个可训练，{frozen} 个不可训练",
        ),
        "details.activation": (
            "<br>Activation: <code>{name}</code>",
            "<br>激活函数：<code>{name}</code>",
        ),
        "details.yes": ("yes", "是"),
        "details.no": ("no", "否"),
        "details.weights": ("Weights", "权重"),
        "details.name": ("name", "名称"),
        "details.shape": ("shape", "形状"),
        "details.dtype": ("dtype", "数据类型"),
        "details.trainable": ("trainable", "可训练"),
        "details.size": ("size", "大小"),
        "details.called_at": (
            "Called at {n} nodes (shared weights)",
            "在 {n} 个节点被调用（共享权重）",
        ),
        "details.call": ("Call", "调用"),
        "details.call_index": ("call", "调用"),
        "details.connected_to": ("connected to", "连接自"),
        "details.input_shape": ("input shape", "输入形状"),
        "details.output_shape": ("output shape", "输出形状"),
        "details.feeds": ("feeds", "输出到"),
        "details.colon": (":", "："),
        "details.config": ("Config ({n} entries)", "配置（{n} 项）"),
    }
)
_TD = '<td style="padding:2px 8px;border-bottom:1px solid #ddd;text-align:left">'
_TH = '<th style="padding:2px 8px;border-bottom:1px solid #999;text-align:left">'


def param_line(layer: LayerRecord) -> str:
    """``"(3*3*3+1)*32 = 896"``: the formula giving the layer's parameter count (plain text).

    Uses ``keras_lens.records.formulas`` when available, else the sum of the weight shapes.
    """
    if not layer.weights:
        return i18n.t("details.no_weights")
    if layer.is_model:
        return i18n.t("details.nested_sum", params=f"{layer.params:,}")
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
        return formula_words.explanation(layer.formula())
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
        f"{i18n.t('details.operation') if layer.is_op else ''}"
        f"{i18n.t('details.nested_model') if layer.is_model else ''})"
    ]
    if layer.parent:
        out.append(i18n.t("details.inside", parent=esc(layer.parent)))
    out.append("<br>")
    explanation = _formula_explanation(layer) if layer.weights and not layer.is_model else ""
    out.append(i18n.t("details.parameters", line=esc(param_line(layer))))
    if explanation:
        out.append(f" <i>({esc(explanation)})</i>")
    if layer.non_trainable_params:
        trainable, frozen = f"{layer.trainable_params:,}", f"{layer.non_trainable_params:,}"
        out.append(i18n.t("details.split", trainable=trainable, frozen=frozen))
    if layer.activation:
        out.append(i18n.t("details.activation", name=esc(layer.activation)))
    colon = i18n.t("details.colon")
    if layer.weights:
        yes, no = i18n.t("details.yes"), i18n.t("details.no")
        rows = "".join(
            f"<tr>{_TD}{esc(w.name)}</td>{_TD}{esc(format_shape(w.shape))}</td>"
            f"{_TD}{esc(w.dtype)}</td>{_TD}{yes if w.trainable else no}</td>"
            f"{_TD}{w.size:,}</td></tr>"
            for w in layer.weights
        )
        head = _head("name", "shape", "dtype", "trainable", "size")
        out.append(f"<br>{i18n.t('details.weights')}{colon}{_TABLE}{head}{rows}</table>")
    calls = owner.nodes_of(key)
    if calls:
        title = (
            i18n.t("details.called_at", n=len(calls)) if layer.shared else i18n.t("details.call")
        )
        rows = "".join(
            f"<tr>{_TD}{n.call_index}</td>{_TD}{esc(_connections(owner, n.id, True))}</td>"
            f"{_TD}{esc(_shapes(n.input_shapes))}</td>{_TD}{esc(_shapes(n.output_shapes))}</td>"
            f"{_TD}{esc(_connections(owner, n.id, False))}</td></tr>"
            for n in calls
        )
        head = _head("call_index", "connected_to", "input_shape", "output_shape", "feeds")
        out.append(f"<br>{title}{colon}{_TABLE}{head}{rows}</table>")
    if layer.config:
        rows = "".join(
            f"<tr>{_TD}{esc(k)}</td>{_TD}<code>{esc(v)}</code></td></tr>" for k, v in layer.config
        )
        out.append(
            f"<details><summary>{i18n.t('details.config', n=len(layer.config))}</summary>"
            f"{_TABLE}{rows}"
            "</table></details>"
        )
    out.append("</div>")
    return "".join(out)


def _head(*keys: str) -> str:
    return "<tr>" + "".join(f"{_TH}{i18n.t('details.' + k)}</th>" for k in keys) + "</tr>"


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
