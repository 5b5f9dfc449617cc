"""``keras_lens.graph(model)``: the live layer-graph widget.

A ``VBox``: check boxes (shapes, dtypes, activations, trainable, expand nested models, fold
repeated blocks), a TB/LR toggle, a layer picker, then the drawing (``GraphCanvas``: zoom, pan,
fit, minimap, search, click to select, arrow keys, SVG/PNG export, legend) with the picked
layer's details beside it. The picker and a click on a box share one selection; selecting
happens in the page, so it never redraws. Toggling a control, or opening/closing a nested
model or a folded group of repeated blocks (a click on it), re-renders in Python; every
drawing is cached per option set. Without a widget front end the cell shows a deterministic
``text/plain`` line and a static ``text/html`` copy.

Example:
    >>> import keras, keras_lens
    >>> x = keras.Input(shape=(784,), name="x")
    >>> y = keras.layers.Dense(10, name="d")(x)
    >>> view = keras_lens.graph(keras.Model(x, y, name="tiny"), show_shapes=True)
    >>> view
    <GraphView 'tiny': 2 nodes, 1 edges, shared: none>
    >>> view.shapes_box.value = False   # what a click does: the drawing is re-rendered
"""

from __future__ import annotations

import contextlib
import re
from typing import Any

import ipywidgets as w

from keras_lens import i18n, theme
from keras_lens._checks import as_tensors, did_you_mean, graph_of, require_flag, require_rankdir
from keras_lens._compat import tooltip_kwargs
from keras_lens._html import esc
from keras_lens._widgets import LensBox
from keras_lens.details import layer_details_html, layer_list_html
from keras_lens.dot_render import FILL, GraphOptions, to_dot_indexed
from keras_lens.folding import FoldGroup, find_groups
from keras_lens.graph_canvas import GraphCanvas
from keras_lens.graph_prefetch import ENABLED as PREFETCH
from keras_lens.graph_prefetch import Prefetcher
from keras_lens.layout import (
    INSTALL_HELP,
    LayoutError,
    dot_to_svg,
    find_engine,
    hurry,
    nest_frame_labels,
)
from keras_lens.records import LayerGraph

__all__ = ["FOLD_ABOVE", "GraphView", "graph"]

#: Repeated blocks are folded by default in graphs with more layers than this.
FOLD_ABOVE = 80
_PREFETCH_MAX = 12  # drawings laid out ahead, per drawing shown
_PREFETCH_DELAY = 0.05  # seconds: the kernel sends the first drawing before dot starts
_EAGER_SUMMARY = 2000  # above this many layers the copyable summary is made on request
_NONE = ""
_TITLE = re.compile(r"<title>[^<]*</title>\n?")

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
_FRONT_LABELS = [
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


def graph(
    model_or_tensors: Any,
    *,
    show_shapes: bool = True,
    show_dtypes: bool = False,
    show_activations: bool = False,
    show_trainable: bool = False,
    expand_nested: bool = False,
    rankdir: str = "TB",
    highlight: str | None = None,
    fold: bool | None = None,
) -> GraphView:
    """Draw a model (or the KerasTensors of a graph being built) as a live widget.

    Args:
        model_or_tensors: a ``keras.Model``, one or more ``KerasTensor``, or a ``LayerGraph``.
        show_shapes, show_dtypes, show_activations, show_trainable: what each box shows.
        expand_nested: draw nested models' layers inside a frame instead of one box.
        rankdir: ``"TB"`` (top to bottom) or ``"LR"`` (left to right).
        highlight: key of a layer to pick (its name; ``"encoder/conv2d"`` inside a nested model).
        fold: draw each run of repeated blocks (``conv2_block1_*`` … ``conv2_block3_*``) as one
            box; ``None`` (default) folds graphs of more than ``FOLD_ABOVE`` layers.

    Raises:
        TypeError: not a model or KerasTensor (the message lists what is accepted).
        keras_lens.adapter.UnbuiltModelError: an unbuilt Sequential (the message says how).

    Example:
        >>> import keras, keras_lens
        >>> m = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(1, name="out")])
        >>> keras_lens.graph(m, rankdir="LR").options.rankdir
        'LR'
    """
    flags = {
        name: require_flag(value, name, "graph")
        for name, value in (
            ("show_shapes", show_shapes),
            ("show_dtypes", show_dtypes),
            ("show_activations", show_activations),
            ("show_trainable", show_trainable),
            ("expand_nested", expand_nested),
        )
    }
    if fold is not None:
        flags["fold"] = require_flag(fold, "fold", "graph")
    rankdir = require_rankdir(rankdir, "graph")
    if isinstance(model_or_tensors, LayerGraph):
        layer_graph = model_or_tensors
    else:
        import keras

        from keras_lens.adapter import build_layer_graph

        if isinstance(model_or_tensors, keras.Model):  # the rule every entry point follows
            layer_graph = graph_of(model_or_tensors, "graph")
        else:
            as_tensors(model_or_tensors, "keras_lens.graph()")  # a clear TypeError if not
            layer_graph = build_layer_graph(model_or_tensors)
    flags.setdefault("fold", len(layer_graph.layers) > FOLD_ABOVE)
    options = GraphOptions(**flags, rankdir=rankdir, highlight=highlight or None)  # type: ignore[arg-type]
    return GraphView(layer_graph, options)


class GraphView(LensBox):
    """The widget returned by ``keras_lens.graph``; ``.layer_graph`` holds the records."""

    def __init__(self, layer_graph: LayerGraph, options: GraphOptions | None = None) -> None:
        t = i18n.t
        options = options or GraphOptions()
        picks = _picker_options(layer_graph)
        if options.highlight is not None and options.highlight not in dict(picks).values():
            keys = ", ".join(key for _, key in picks[1:])
            hint = did_you_mean(options.highlight, (key for _, key in picks))
            raise KeyError(
                f"highlight={options.highlight!r} is not a layer key;{hint} keys: {keys}"
            )
        nested = any(sub.nodes for _, sub in layer_graph.subgraphs)
        self.groups: tuple[FoldGroup, ...] = find_groups(layer_graph)
        options = options.with_(
            expand_nested=options.expand_nested and nested, fold=options.fold and bool(self.groups)
        )
        self.layer_graph = layer_graph
        self.options = options
        self._svg_cache: dict[GraphOptions, tuple[str, dict[str, Any]]] = {}
        self._engine = find_engine()
        self.prefetcher = Prefetcher(self._prefetch_one, delay=_PREFETCH_DELAY, workers=2)
        self._urgent: set[GraphOptions] = set()  # hovered: laid out at normal priority
        self._model_keys = {
            layer.key for g in layer_graph.walk() for layer in g.layers if layer.is_model
        }

        def box(description: str, value: bool, tip: str, disabled: bool = False) -> w.Checkbox:
            return w.Checkbox(
                value=value,
                description=description,
                indent=False,
                **tooltip_kwargs(tip),
                disabled=disabled,
                layout=w.Layout(width="auto", margin="0 12px 0 0"),
            )

        self.shapes_box = box(t("graph.shapes"), options.show_shapes, t("graph.tip_shapes"))
        self.dtypes_box = box(t("graph.dtypes"), options.show_dtypes, t("graph.tip_dtypes"))
        self.activations_box = box(
            t("graph.activations"), options.show_activations, t("graph.tip_activations")
        )
        self.trainable_box = box(
            t("graph.trainable"), options.show_trainable, t("graph.tip_trainable")
        )
        self.nested_box = box(
            t("graph.nested"), options.expand_nested, t("graph.tip_nested"), disabled=not nested
        )
        self.fold_box = box(
            t("graph.fold"), options.fold, t("graph.tip_fold"), disabled=not self.groups
        )
        self.direction = w.ToggleButtons(
            options=[(t("graph.tb"), "TB"), (t("graph.lr"), "LR")],
            value=options.rankdir,
            style={"button_width": "110px"},
        )
        self.picker = w.Dropdown(
            options=picks,
            value=options.highlight or _NONE,
            description=t("graph.layer"),
            layout=w.Layout(width="420px"),
        )
        lazy_summary = len(layer_graph.layers) > _EAGER_SUMMARY
        self.canvas = GraphCanvas(
            name=layer_graph.name,
            labels={k: t(f"graph.{k}") for k in _FRONT_LABELS},
            legend=_legend(),
            summary_text="" if lazy_summary else _summary_text(layer_graph),
            summary_lazy=lazy_summary,
            selected=options.highlight or "",
            layout=w.Layout(flex="1 1 auto", min_width="0"),
        )
        self.canvas.on_msg(self._on_message)
        self.drawing = w.HTML(layout=w.Layout(overflow="auto", max_height="720px"))
        self.details = w.HTML()
        self.details.add_class("kl-side")
        self.notes = w.HTML(theme.STYLE + _notes_html(layer_graph))  # the page's theme CSS
        self.warning = w.HTML()
        for control in (
            self.shapes_box,
            self.dtypes_box,
            self.activations_box,
            self.trainable_box,
            self.nested_box,
            self.fold_box,
            self.direction,
        ):
            control.observe(self._on_change, names="value")
        self.picker.observe(self._on_pick, names="value")
        self.canvas.observe(self._on_canvas_pick, names="selected")
        toggles = w.HBox(
            [
                self.shapes_box,
                self.dtypes_box,
                self.activations_box,
                self.trainable_box,
                self.nested_box,
                self.fold_box,
            ],
            layout=w.Layout(flex_flow="row wrap"),
        )
        self.body = w.HBox([self.canvas, self.drawing, self.details], layout=w.Layout(width="100%"))
        super().__init__(
            [
                self.notes,
                toggles,
                w.HBox([self.direction, self.picker], layout=w.Layout(flex_flow="row wrap")),
                self.warning,
                self.body,
            ]
        )
        self.add_class("keras-lens-graph")
        self._refresh()

    # -- state -----------------------------------------------------------------------------
    def _on_change(self, change: dict[str, Any]) -> None:
        flipped = self.options.flipped
        if change["owner"] is self.nested_box:
            flipped = frozenset(k for k in flipped if k not in self._model_keys)
        if change["owner"] is self.fold_box:
            flipped = frozenset(k for k in flipped if not k.startswith("group:"))
        self.options = GraphOptions(
            show_shapes=self.shapes_box.value,
            show_dtypes=self.dtypes_box.value,
            show_activations=self.activations_box.value,
            show_trainable=self.trainable_box.value,
            expand_nested=self.nested_box.value,
            rankdir=self.direction.value,
            highlight=self.picker.value or None,
            fold=self.fold_box.value,
            flipped=flipped,
        )
        self._refresh()

    def toggle(self, key: str) -> None:
        """Open or close one nested model (its key) or one folded group (its ``group:`` id)."""
        valid = self._model_keys | {g.id for g in self.groups}
        if key not in valid:
            hint = did_you_mean(key, sorted(valid))
            raise KeyError(f"{key!r} is neither a nested model nor a group;{hint}")
        self.options = self.options.with_(flipped=self.options.flipped ^ {key})
        self._refresh()

    def hover(self, key: str) -> None:
        """The pointer is over group or nested model ``key``: lay out its click's drawing now.

        Sent by the page when the pointer enters a folded group, a nested model or a frame's
        title, so that the layout is (mostly) done when the click comes. Unknown keys are
        ignored (a stale message from a replaced drawing).
        """
        if not PREFETCH or key not in self._model_keys | {g.id for g in self.groups}:
            return
        here = self.options.with_(highlight=None)
        target = here.with_(flipped=here.flipped ^ {key})
        if target not in self._svg_cache:
            self._urgent.add(target)
            self.prefetcher.first(target)

    def _on_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "summary":
            self.canvas.summary_text = _summary_text(self.layer_graph)
        if isinstance(content, dict) and content.get("type") == "hover":
            self.hover(str(content.get("key", "")))
        if isinstance(content, dict) and content.get("type") == "toggle":
            with contextlib.suppress(KeyError):  # a stale click from a replaced drawing
                self.toggle(str(content.get("key", "")))

    def _on_pick(self, change: dict[str, Any]) -> None:
        key = change["new"] or ""
        self.options = self.options.with_(highlight=key or None)
        if self.canvas.selected != key:
            self.canvas.selected = key
        self._show_details()

    def _on_canvas_pick(self, change: dict[str, Any]) -> None:
        key = change["new"] or ""
        if key in dict(self.picker.options).values() and self.picker.value != key:
            self.picker.value = key  # -> _on_pick

    def _show_details(self) -> None:
        key = self.options.highlight
        self.details.value = layer_details_html(self.layer_graph, key) if key else ""

    def _refresh(self) -> None:
        drawn = self._canvas_drawing()
        if drawn is not None:
            svg, index = drawn
            self.canvas.rankdir = self.options.rankdir
            self.canvas.index = index
            self.canvas.svg = svg
            self.canvas.layout.display = None
            self.drawing.layout.display = "none"
            self.drawing.value = ""
            self._prefetch_neighbours(index)
            boxes = len(index["boxes"])
            lr = self.options.rankdir == "LR" and boxes > FOLD_ABOVE
            self.warning.value = (
                f'<p style="margin:2px 0;color:#8a5a00">'
                f"{esc(i18n.t('graph.lr_warning').format(n=boxes))}</p>"
                if lr
                else ""
            )
        else:
            self.canvas.layout.display = "none"
            self.drawing.layout.display = None
            self.drawing.value = self._drawing_html(self.options)
        self._show_details()

    def _canvas_drawing(self) -> tuple[str, dict[str, Any]] | None:
        if self._engine is None or not self.layer_graph.nodes:
            return None
        try:
            return self.render_indexed(self.options.with_(highlight=None))
        except LayoutError:
            return None

    @property
    def svg(self) -> str:
        """The current drawing as SVG text ("" when it cannot be drawn)."""
        try:
            return self.render_svg(self.options)
        except LayoutError:
            return ""

    def render_svg(self, options: GraphOptions) -> str:
        """SVG for ``options`` (cached per option set); "" if no engine or no static graph."""
        return self.render_indexed(options)[0]

    def render_indexed(self, options: GraphOptions) -> tuple[str, dict[str, Any]]:
        """SVG and box index for ``options`` (cached per option set; see ``to_dot_indexed``)."""
        if options in self._svg_cache:
            return self._svg_cache[options]
        if self._engine is None or not self.layer_graph.nodes:
            return "", {"boxes": {}, "clusters": {}, "edges": []}
        if self.prefetcher.running(options):
            hurry()  # its dot runs at a low priority: the person is waiting for it now
        if self.prefetcher.wait(options) and options in self._svg_cache:
            return self._svg_cache[options]  # the background thread was laying it out
        return self._render_now(options)

    def _render_now(
        self, options: GraphOptions, background: bool = False
    ) -> tuple[str, dict[str, Any]]:
        dot, index = to_dot_indexed(self.layer_graph, options, self.groups)
        svg = dot_to_svg(dot, self._engine, background=background)
        svg = _TITLE.sub("", svg)  # tooltips say names, not ids
        svg = nest_frame_labels(svg)
        self._svg_cache[options] = (svg, index)
        return svg, index

    def _prefetch_neighbours(self, index: dict[str, Any]) -> None:
        """Lay out, in the background, each drawing one click away from this one."""
        if not PREFETCH:
            return
        keys = [b["key"] for b in index["boxes"].values() if b["kind"] in ("group", "model")]
        keys += [f["key"] for f in index["clusters"].values()]
        valid = self._model_keys | {g.id for g in self.groups}
        here = self.options.with_(highlight=None)
        ahead = [here.with_(flipped=here.flipped ^ {k}) for k in dict.fromkeys(keys) if k in valid]
        self.prefetcher.ahead([o for o in ahead if o not in self._svg_cache][:_PREFETCH_MAX])

    def _prefetch_one(self, options: Any) -> None:
        if options not in self._svg_cache:
            self._render_now(options, background=options not in self._urgent)

    def _drawing_html(self, options: GraphOptions) -> str:
        graph = self.layer_graph
        if not graph.nodes:  # subclassed model: no static graph, show the layer list
            return layer_list_html(graph)
        if self._engine is None:
            message = INSTALL_HELP
        else:
            try:
                return f'<div class="keras-lens-svg">{self.render_svg(options)}</div>'
            except LayoutError as exc:
                message = f"The graph could not be drawn: {exc}"
        return (
            f'<pre class="kl-error" style="white-space:pre-wrap">{esc(message)}</pre>'
            + layer_list_html(graph)
        )

    # -- representations -------------------------------------------------------------------
    def _lens_text(self) -> str:
        g = self.layer_graph
        shared = ", ".join(f"{r.name} x{len(r.node_ids)}" for r in g.shared_layers) or "none"
        if not g.nodes:
            return f"<GraphView {g.name!r}: {g.kind}, {len(g.layers)} layers, no static graph>"
        return (
            f"<GraphView {g.name!r}: {len(g.nodes)} nodes, {len(g.edges)} edges, shared: {shared}>"
        )

    def _lens_html(self, budget: int | None = None) -> str:
        from keras_lens import static

        svg = self.svg if self.layer_graph.nodes else ""
        fallback = "" if svg else self._drawing_html(self.options)
        return static.graph_html(
            self.layer_graph,
            svg,
            fallback,
            _notes_html(self.layer_graph),
            self.details.value,
            budget=budget,
        )


def _summary_text(graph: LayerGraph) -> str:
    from keras_lens.summary_table import build_summary

    try:
        return build_summary(graph).to_text()
    except (KeyError, ValueError):  # an unusual graph: the copy button copies the layer list
        return "\n".join(f"{r.key} ({r.class_name})" for r in graph.layers)


def _legend() -> list[list[str]]:
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


def _picker_options(graph: LayerGraph) -> list[tuple[str, str]]:
    """Dropdown entries: every layer, nested ones right after their model, indented."""
    options = [(i18n.t("graph.pick"), _NONE)]

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


def _notes_html(graph: LayerGraph) -> str:
    if not graph.notes:
        return ""
    items = "".join(f"<li>{esc(note)}</li>" for note in graph.notes)
    return f'<ul class="kl-muted" style="margin:2px 0;font-size:12px">{items}</ul>'
