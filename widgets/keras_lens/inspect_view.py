"""``keras_lens.inspect(model)``: graph, summary, shapes and layer details in one tabbed widget.

Picking a layer in any tab selects it everywhere: the graph highlights it, the summary and shape
tables mark its row, the details tab describes it (one ``selected`` trait, kept in step with
every tab through ``observe``).

Example:
    >>> import keras_lens
    >>> view = keras_lens.inspect(model, sample=x_train[:8])   # doctest: +SKIP
    >>> view.selected = "dense_1"                              # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

import ipywidgets
import traitlets

from keras_lens._checks import did_you_mean, graph_of
from keras_lens._compat import tab_with_titles
from keras_lens._html import esc
from keras_lens._widgets import LensBox

__all__ = ["TABS", "Inspect", "inspect"]

#: Tab titles, in order.
TABS = ("graph", "summary", "shapes", "layer details")


def inspect(
    model: Any, sample: Any = None, *, selected: str = "", memory_limit_mb: float = 1024
) -> Inspect:
    """One widget with a tab per view; ``selected`` picks a layer key to start with.

    ``memory_limit_mb`` goes to ``keras_lens.shapes`` (the trace of ``sample``). A ``sample``
    that does not fit is refused here; its forward pass (the slow part on big models) runs once
    the widget is on screen, with a "layer i of n" progress line above the tabs, or when the
    trace, ``repr`` or stored copy is first asked for.

    Example:
        >>> keras_lens.inspect(model, selected="dense")   # doctest: +SKIP
    """
    from keras_lens.graph_view import graph
    from keras_lens.shape_trace import check_limit, prepare_trace
    from keras_lens.shapes_view import Shapes
    from keras_lens.summary_view import summary

    check_limit(memory_limit_mb, "inspect")
    layer_graph = graph_of(model, "inspect")
    try:
        shape_view: Any = Shapes(prepare_trace(model, sample, memory_limit_mb=memory_limit_mb))
    except ValueError as error:
        if sample is not None:
            raise  # a batch that does not fit: the caller must hear about it
        shape_view = ipywidgets.HTML(f"<p><i>{esc(error)}</i></p>")  # e.g. subclassed
    view = Inspect(layer_graph, graph(layer_graph), summary(model), shape_view)
    if selected:
        view.selected = selected
    return view


class Inspect(LensBox):
    """The tabbed widget. ``selected`` is the layer key selected in every tab ("" for none)."""

    selected = traitlets.Unicode("")

    def __init__(self, layer_graph: Any, graph_view: Any, summary_view: Any, shape_view: Any):
        self.layer_graph = layer_graph
        self.graph_view, self.summary_view, self.shape_view = graph_view, summary_view, shape_view
        self.details = ipywidgets.HTML()
        self.tabs = tab_with_titles([graph_view, summary_view, shape_view, self.details], TABS)
        super().__init__([self.tabs])
        self._valid = self._all_keys()
        self._syncing = False
        self._sources = [(graph_view.picker, "value")]
        for view in (summary_view, shape_view):
            if isinstance(view, LensBox) and view.has_trait("selected"):
                self._sources.append((view, "selected"))
        for owner, name in self._sources:
            owner.observe(self._from_tab, names=name)
        self.observe(self._to_tabs, names="selected")
        self._to_tabs()

    def _pending_work(self) -> Any:
        """The shapes tab's forward pass, while it has not run (see ``LensBox._display``)."""
        pending = getattr(self.shape_view, "_pending_work", None)
        return pending() if pending is not None else None

    def _all_keys(self) -> set[str]:
        return {layer.key for g in self.layer_graph.walk() for layer in g.layers}

    @traitlets.validate("selected")
    def _check_selected(self, proposal: Any) -> str:
        key = proposal["value"]
        if key and key not in self._valid:
            raise traitlets.TraitError(
                f"no layer {key!r} in {self.layer_graph.name!r};"
                f"{did_you_mean(key, sorted(self._valid))} layer keys: "
                f"{', '.join(sorted(self._valid))}"
            )
        return key

    def _from_tab(self, change: Any) -> None:
        if not self._syncing:
            self.selected = change["new"] or ""

    def _to_tabs(self, change: Any = None) -> None:
        """Push ``selected`` into every tab (tabs that do not list the layer select nothing)."""
        self._syncing = True
        try:
            for owner, name in self._sources:
                control = owner if name == "value" else getattr(owner, "layer", None)
                options = {value for _, value in getattr(control, "options", ())}
                value = self.selected if self.selected in options else ""
                if getattr(owner, name) != value:
                    setattr(owner, name, value)
        finally:
            self._syncing = False
        self.details.value = self._details_html()

    def _details_html(self) -> str:
        from keras_lens.details import layer_details_html

        if not self.selected:
            return "<p><i>Pick a layer in any tab to see its details here.</i></p>"
        return layer_details_html(self.layer_graph, self.selected)

    def _lens_text(self) -> str:
        g = self.layer_graph
        chosen = self.selected or "none"
        n = sum(1 for layer in g.layers if not layer.implicit)
        return (
            f"<Inspect {g.name!r}: {n} layers, {g.total_params:,} params; "
            f"tabs: {', '.join(TABS)}; selected: {chosen}>"
        )

    def _lens_html(self) -> str:
        from keras_lens import static

        bodies: dict[str, str] = {}
        for title, view in zip(TABS[1:], self.tabs.children[1:], strict=True):
            html = view._lens_html() if isinstance(view, LensBox) else getattr(view, "value", "")
            bodies[title] = html
        # the drawing gets what the other tabs leave of the stored output's size cap
        budget = static.MAX_BYTES - sum(static.size(b) for b in bodies.values()) - 2_000
        bodies = {TABS[0]: self.graph_view._lens_html(budget=budget), **bodies}
        parts = [f"<div class='klens-inspect'><h3>{esc(self.layer_graph.name)}</h3>"]
        parts += [f"<h4>{esc(title)}</h4>{bodies[title]}" for title in TABS]
        parts.append("</div>")
        return "\n".join(parts)
