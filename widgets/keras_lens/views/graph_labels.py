"""The words, check boxes, legend and side lists of ``keras_lens.graph``'s widget (``GraphView``).

Every label the graph widget shows goes through ``keras_lens.i18n``; this module registers them,
makes the option check boxes, and builds from the records what is not the drawing: the picker's
entries, the legend, the notes above the drawing and the copyable summary text.

Example:
    >>> from keras_lens.records import LayerGraph, LayerRecord
    >>> g = LayerGraph(name="m", class_name="Functional", kind="functional",
    ...     layers=(LayerRecord("d", "d", "Dense"),))
    >>> [key for _, key in picker_options(g)]
    ['', 'd']
"""

from __future__ import annotations

import ipywidgets as w

from keras_lens import i18n
from keras_lens.records import LayerGraph
from keras_lens.render._html import esc
from keras_lens.render.dot_render import FILL
from keras_lens.views._compat import tooltip_kwargs

__all__ = [
    "FRONT_LABELS",
    "checkbox",
    "front_labels",
    "legend",
    "notes_html",
    "picker_options",
    "summary_text",
]

NONE = ""  # the picker's "no layer" entry

i18n.register(
    {
        "graph.shapes": ("shapes", "形状"),
        "graph.dtypes": ("dtypes", "数据类型"),
        "graph.activations": ("activations", "激活函数"),
        "graph.trainable": ("trainable", "可训练"),
        "graph.nested": ("expand nested models", "展开嵌套模型"),
        "graph.fold": ("fold repeated blocks", "折叠重复块"),
        "graph.tip_shapes": ("input → output shape of each call", "每次调用的输入 → 输出形状"),
        "graph.tip_dtypes": ("output dtype of each layer", "每一层的输出数据类型"),
        "graph.tip_activations": ("activation name", "激活函数名称"),
        "graph.tip_trainable": ("trainable or frozen", "可训练还是已冻结"),
        "graph.tip_nested": ("draw the layers inside nested models", "画出嵌套模型内部的层"),
        "graph.tip_fold": (
            "draw each run of repeated blocks as one box; click it to open",
            "把每组重复的块画成一个框；点击即可展开",
        ),
        "graph.tb": ("top → bottom", "从上到下"),
        "graph.lr": ("left → right", "从左到右"),
        "graph.layer": ("layer", "层"),
        "graph.pick": ("(pick a layer to highlight and inspect)", "（选择一层以高亮并查看）"),
        "graph.search": ("find a layer (name or class)", "查找层（名称或类）"),
        "graph.zoom_in": ("zoom in (+)", "放大（+）"),
        "graph.zoom_out": ("zoom out (−)", "缩小（−）"),
        "graph.fit": ("fit the drawing to the view (0)", "整图适应视图（0）"),
        "graph.export_svg": ("download the drawing as SVG", "将图下载为 SVG"),
        "graph.export_png": ("download the drawing as PNG", "将图下载为 PNG"),
        "graph.copy": ("copy summary", "复制摘要"),
        "graph.copy_title": ("copy the model summary as text", "以文本形式复制模型摘要"),
        "graph.copied": ("summary copied", "摘要已复制"),
        "graph.viewport": (
            "layer graph: drag to pan, wheel to zoom, arrow keys move along the arrows, "
            "Enter selects",
            "层图：拖动平移，滚轮缩放，方向键沿箭头移动，回车选中",
        ),
        "graph.matches": ("found", "个匹配"),
        "graph.more": ("more", "更多"),
        "graph.no_match": ("no layer matches", "没有匹配的层"),
        "graph.redrawing": ("redrawing…", "重新绘制中…"),
        "graph.preparing": ("preparing the summary…", "正在生成摘要…"),
        "graph.empty": ("nothing to draw", "没有可绘制的内容"),
        "graph.legend_input": ("input", "输入"),
        "graph.legend_layer": ("layer", "层"),
        "graph.legend_op": ("operation", "运算"),
        "graph.legend_model": ("nested model", "嵌套模型"),
        "graph.legend_group": ("repeated blocks (folded)", "重复块（已折叠）"),
        "graph.legend_shared": ("shared layer (dashed)", "共享层（虚线）"),
        "graph.legend_selected": ("selected", "已选中"),
        "graph.lr_warning": (
            "left → right with {n} boxes draws a very long strip: fold repeated blocks or use "
            "top → bottom.",
            "{n} 个框从左到右会画成很长的一条：请折叠重复块或改用从上到下。",
        ),
    }
)
#: The labels graph.js shows (sent once, in the ``labels`` trait).
FRONT_LABELS = [
    "search",
    "zoom_in",
    "zoom_out",
    "fit",
    "export_svg",
    "export_png",
    "copy",
    "copy_title",
    "copied",
    "viewport",
    "matches",
    "more",
    "no_match",
    "redrawing",
    "preparing",
    "empty",
]


def checkbox(key: str, value: bool, disabled: bool = False) -> w.Checkbox:
    """One of the option check boxes: label ``graph.<key>``, tooltip ``graph.tip_<key>``."""
    return w.Checkbox(
        value=value,
        description=i18n.t(f"graph.{key}"),
        indent=False,
        **tooltip_kwargs(i18n.t(f"graph.tip_{key}")),
        disabled=disabled,
        layout=w.Layout(width="auto", margin="0 12px 0 0"),
    )


def front_labels() -> dict[str, str]:
    """``{key: label}`` in the current language, for the page (``GraphCanvas.labels``)."""
    return {k: i18n.t(f"graph.{k}") for k in FRONT_LABELS}


def summary_text(graph: LayerGraph) -> str:
    from keras_lens.render.summary_table import build_summary

    try:
        return build_summary(graph).to_text()
    except (KeyError, ValueError):  # an unusual graph: the copy button copies the layer list
        return "\n".join(f"{r.key} ({r.class_name})" for r in graph.layers)


def legend() -> list[list[str]]:
    """``[label, background, border]`` per box colour, for the front end's legend."""
    t = i18n.t
    return [
        [t("graph.legend_input"), FILL["input"], ""],
        [t("graph.legend_layer"), FILL["layer"], ""],
        [t("graph.legend_op"), FILL["op"], ""],
        [t("graph.legend_model"), FILL["model"], ""],
        [t("graph.legend_group"), FILL["group"], "2px double #2e8b57"],
        [t("graph.legend_shared"), "#ffffff", "1px dashed #555555"],
        [t("graph.legend_selected"), "#ffffff", "3px solid var(--kl-accent, #1976d2)"],
    ]


def picker_options(graph: LayerGraph) -> list[tuple[str, str]]:
    """Dropdown entries: every layer, nested ones right after their model, indented."""
    options = [(i18n.t("graph.pick"), NONE)]

    def add(sub: LayerGraph, depth: int) -> None:
        subgraphs = dict(sub.subgraphs)
        for layer in sub.layers:
            label = "\u2003" * depth + f"{layer.name} ({layer.class_name})"
            if layer.shared:
                label += f" shared x{len(layer.node_ids)}"
            options.append((label, layer.key))
            if layer.key in subgraphs:
                add(subgraphs[layer.key], depth + 1)

    add(graph, 0)
    return options


def notes_html(graph: LayerGraph) -> str:
    if not graph.notes:
        return ""
    items = "".join(f"<li>{esc(note)}</li>" for note in graph.notes)
    return f'<ul class="kl-muted" style="margin:2px 0;font-size:12px">{items}</ul>'
