"""``keras_lens.graph(model)``: the live layer-graph widget.

A ``VBox`` of core ipywidgets: check boxes (shapes, dtypes, activations, trainable, expand
nested models), a TB/LR toggle, a layer picker, the SVG drawing and the picked layer's details
(class, config, shapes, weights, parameter formula, calls). Toggling a control re-renders at
once; every drawing is cached per option set, so toggling back is instant. Without a widget
front end the cell shows a deterministic ``text/plain`` line and a static ``text/html`` copy.

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

from typing import Any

import ipywidgets as w

from keras_lens import theme
from keras_lens._checks import as_tensors, did_you_mean, graph_of, require_flag, require_rankdir
from keras_lens._compat import tooltip_kwargs
from keras_lens._html import esc
from keras_lens._widgets import LensBox
from keras_lens.details import layer_details_html, layer_list_html
from keras_lens.dot_render import GraphOptions, to_dot
from keras_lens.layout import INSTALL_HELP, LayoutError, dot_to_svg, find_engine
from keras_lens.records import LayerGraph

__all__ = ["GraphView", "graph"]

_NONE = ""


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
) -> GraphView:
    """Draw a model (or the KerasTensors of a graph being built) as a live widget.

    Args:
        model_or_tensors: a ``keras.Model``, one or more ``KerasTensor``, or a ``LayerGraph``.
        show_shapes, show_dtypes, show_activations, show_trainable: what each box shows.
        expand_nested: draw nested models' layers inside a frame instead of one box.
        rankdir: ``"TB"`` (top to bottom) or ``"LR"`` (left to right).
        highlight: key of a layer to pick (its name; ``"encoder/conv2d"`` inside a nested model).

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
    rankdir = require_rankdir(rankdir, "graph")
    options = GraphOptions(**flags, rankdir=rankdir, highlight=highlight or None)  # type: ignore[arg-type]
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
    return GraphView(layer_graph, options)


class GraphView(LensBox):
    """The widget returned by ``keras_lens.graph``; ``.layer_graph`` holds the records."""

    def __init__(self, layer_graph: LayerGraph, options: GraphOptions | None = None) -> None:
        options = options or GraphOptions()
        picks = _picker_options(layer_graph)
        if options.highlight is not None and options.highlight not in dict(picks).values():
            keys = ", ".join(key for _, key in picks[1:])
            hint = did_you_mean(options.highlight, (key for _, key in picks))
            raise KeyError(
                f"highlight={options.highlight!r} is not a layer key;{hint} keys: {keys}"
            )
        nested = any(sub.nodes for _, sub in layer_graph.subgraphs)
        options = options.with_(expand_nested=options.expand_nested and nested)
        self.layer_graph = layer_graph
        self.options = options
        self._svg_cache: dict[GraphOptions, str] = {}
        self._engine = find_engine()

        def box(description: str, value: bool, tip: str, disabled: bool = False) -> w.Checkbox:
            return w.Checkbox(
                value=value,
                description=description,
                indent=False,
                **tooltip_kwargs(tip),
                disabled=disabled,
                layout=w.Layout(width="auto", margin="0 12px 0 0"),
            )

        self.shapes_box = box("shapes", options.show_shapes, "input → output shape of each call")
        self.dtypes_box = box("dtypes", options.show_dtypes, "output dtype of each layer")
        self.activations_box = box("activations", options.show_activations, "activation name")
        self.trainable_box = box("trainable", options.show_trainable, "trainable or frozen")
        self.nested_box = box(
            "expand nested models",
            options.expand_nested,
            "draw the layers inside nested models",
            disabled=not nested,
        )
        self.direction = w.ToggleButtons(
            options=[("top → bottom", "TB"), ("left → right", "LR")],
            value=options.rankdir,
            style={"button_width": "110px"},
        )
        self.picker = w.Dropdown(
            options=picks,
            value=options.highlight or _NONE,
            description="layer",
            layout=w.Layout(width="420px"),
        )
        self.drawing = w.HTML(layout=w.Layout(overflow="auto", max_height="720px"))
        self.details = w.HTML()
        self.notes = w.HTML(theme.STYLE + _notes_html(layer_graph))  # the page's theme CSS
        for control in (
            self.shapes_box,
            self.dtypes_box,
            self.activations_box,
            self.trainable_box,
            self.nested_box,
            self.direction,
            self.picker,
        ):
            control.observe(self._on_change, names="value")
        toggles = w.HBox(
            [
                self.shapes_box,
                self.dtypes_box,
                self.activations_box,
                self.trainable_box,
                self.nested_box,
            ]
        )
        super().__init__(
            [self.notes, toggles, w.HBox([self.direction, self.picker]), self.drawing, self.details]
        )
        self.add_class("keras-lens-graph")
        self._refresh()

    # -- state -----------------------------------------------------------------------------
    def _on_change(self, _change: dict[str, Any]) -> None:
        self.options = GraphOptions(
            show_shapes=self.shapes_box.value,
            show_dtypes=self.dtypes_box.value,
            show_activations=self.activations_box.value,
            show_trainable=self.trainable_box.value,
            expand_nested=self.nested_box.value,
            rankdir=self.direction.value,
            highlight=self.picker.value or None,
        )
        self._refresh()

    def _refresh(self) -> None:
        self.drawing.value = self._drawing_html(self.options)
        key = self.options.highlight
        self.details.value = layer_details_html(self.layer_graph, key) if key else ""

    @property
    def svg(self) -> str:
        """The current drawing as SVG text ("" when it cannot be drawn)."""
        try:
            return self.render_svg(self.options)
        except LayoutError:
            return ""

    def render_svg(self, options: GraphOptions) -> str:
        """SVG for ``options`` (cached per option set); "" if no engine or no static graph."""
        if options in self._svg_cache:
            return self._svg_cache[options]
        if self._engine is None or not self.layer_graph.nodes:
            return ""
        svg = dot_to_svg(to_dot(self.layer_graph, options), self._engine)
        self._svg_cache[options] = svg
        return svg

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


def _picker_options(graph: LayerGraph) -> list[tuple[str, str]]:
    """Dropdown entries: every layer, nested ones right after their model, indented."""
    options = [("(pick a layer to highlight and inspect)", _NONE)]

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
