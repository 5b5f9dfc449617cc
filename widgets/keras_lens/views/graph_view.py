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

from keras_lens import i18n
from keras_lens.adapter._checks import (
    as_tensors,
    did_you_mean,
    graph_of,
    require_flag,
    require_rankdir,
)
from keras_lens.records import LayerGraph
from keras_lens.records.folding import FoldGroup, find_groups
from keras_lens.render import theme
from keras_lens.render._html import esc
from keras_lens.render.details import layer_details_html, layer_list_html
from keras_lens.render.dot_render import GraphOptions, to_dot_indexed
from keras_lens.render.layout import (
    INSTALL_HELP,
    LayoutError,
    dot_to_svg,
    find_engine,
    hurry,
    nest_frame_labels,
)
from keras_lens.views._widgets import LensBox
from keras_lens.views.graph_canvas import GraphCanvas
from keras_lens.views.graph_labels import (
    NONE,
    checkbox,
    front_labels,
    legend,
    notes_html,
    picker_options,
    summary_text,
)
from keras_lens.views.graph_prefetch import ENABLED as PREFETCH
from keras_lens.views.graph_prefetch import Prefetcher

__all__ = ["FOLD_ABOVE", "GraphView", "graph"]

#: Repeated blocks are folded by default in graphs with more layers than this.
FOLD_ABOVE = 80
_PREFETCH_MAX = 12  # drawings laid out ahead, per drawing shown
_PREFETCH_DELAY = 0.05  # seconds: the kernel sends the first drawing before dot starts
_EAGER_SUMMARY = 2000  # above this many layers the copyable summary is made on request
_TITLE = re.compile(r"<title>[^<]*</title>\n?")


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
        picks = picker_options(layer_graph)
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

        self.shapes_box = checkbox("shapes", options.show_shapes)
        self.dtypes_box = checkbox("dtypes", options.show_dtypes)
        self.activations_box = checkbox("activations", options.show_activations)
        self.trainable_box = checkbox("trainable", options.show_trainable)
        self.nested_box = checkbox("nested", options.expand_nested, disabled=not nested)
        self.fold_box = checkbox("fold", options.fold, disabled=not self.groups)
        boxes = [
            self.shapes_box,
            self.dtypes_box,
            self.activations_box,
            self.trainable_box,
            self.nested_box,
            self.fold_box,
        ]
        self.direction = w.ToggleButtons(
            options=[(t("graph.tb"), "TB"), (t("graph.lr"), "LR")],
            value=options.rankdir,
            style={"button_width": "110px"},
        )
        self.picker = w.Dropdown(
            options=picks,
            value=options.highlight or NONE,
            description=t("graph.layer"),
            layout=w.Layout(width="420px"),
        )
        lazy_summary = len(layer_graph.layers) > _EAGER_SUMMARY
        self.canvas = GraphCanvas(
            name=layer_graph.name,
            labels=front_labels(),
            legend=legend(),
            summary_text="" if lazy_summary else summary_text(layer_graph),
            summary_lazy=lazy_summary,
            selected=options.highlight or "",
            layout=w.Layout(flex="1 1 auto", min_width="0"),
        )
        self.canvas.on_msg(self._on_message)
        self.drawing = w.HTML(layout=w.Layout(overflow="auto", max_height="720px"))
        self.details = w.HTML()
        self.details.add_class("kl-side")
        self.notes = w.HTML(theme.STYLE + notes_html(layer_graph))  # the page's theme CSS
        self.warning = w.HTML()
        for control in [*boxes, self.direction]:
            control.observe(self._on_change, names="value")
        self.picker.observe(self._on_pick, names="value")
        self.canvas.observe(self._on_canvas_pick, names="selected")
        toggles = w.HBox(boxes, layout=w.Layout(flex_flow="row wrap"))
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
            self.canvas.summary_text = summary_text(self.layer_graph)
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
        from keras_lens.render import static

        svg = self.svg if self.layer_graph.nodes else ""
        fallback = "" if svg else self._drawing_html(self.options)
        return static.graph_html(
            self.layer_graph,
            svg,
            fallback,
            notes_html(self.layer_graph),
            self.details.value,
            budget=budget,
        )
