"""``keras_lens.inspect(model)``: graph, summary, shapes and layer details in one tabbed widget.

Picking a layer in any tab selects it everywhere: the graph highlights it, the summary and shape
tables mark its row, the details tab describes it (one ``selected`` trait, kept in step with
every tab through ``observe``).

Only the first tab (the graph) is built inside ``inspect()``. The summary and shapes tabs are
built once the widget is on screen (like the shape trace, see ``LensBox._display``), or as soon
as anything asks for them (``view.summary_view``, ``repr``, the stored copy), so what a
notebook stores is the same either way.

Example:
    >>> import keras_lens
    >>> view = keras_lens.inspect(model, sample=x_train[:8])   # doctest: +SKIP
    >>> view.selected = "dense_1"                              # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets
import traitlets

from keras_lens import i18n
from keras_lens.adapter._checks import did_you_mean, graph_of
from keras_lens.render._html import esc
from keras_lens.views._compat import tab_with_titles
from keras_lens.views._widgets import LensBox

__all__ = ["TABS", "Inspect", "inspect"]

#: Tab titles, in order.
TABS = ("graph", "summary", "shapes", "layer details")

i18n.register({"inspect.building": ("Building this tab …", "正在生成此标签页 ……")})

#: A tab's widget, or a function that builds it when it is first needed.
TabSource = Any | Callable[[], Any]


def inspect(
    model: Any, sample: Any = None, *, selected: str = "", memory_limit_mb: float = 1024
) -> Inspect:
    """One widget with a tab per view; ``selected`` picks a layer key to start with.

    ``memory_limit_mb`` goes to ``keras_lens.shapes`` (the trace of ``sample``). A ``sample``
    that does not fit is refused here; its forward pass (the slow part on big models) runs once
    the widget is on screen, with a "layer i of n" progress line above the tabs, or when the
    trace, ``repr`` or stored copy is first asked for. The summary and shapes tabs are built
    at that moment too, so the graph tab shows sooner.

    Example:
        >>> keras_lens.inspect(model, selected="dense")   # doctest: +SKIP
    """
    from keras_lens.views.graph_view import graph
    from keras_lens.views.shape_trace import PendingTrace, check_limit, prepare_trace

    check_limit(memory_limit_mb, "inspect")
    layer_graph = graph_of(model, "inspect")
    try:
        prepared: Any = prepare_trace(model, sample, memory_limit_mb=memory_limit_mb)
    except ValueError as error:
        if sample is not None:
            raise  # a batch that does not fit: the caller must hear about it
        prepared = f"<p><i>{esc(error)}</i></p>"  # e.g. subclassed: no shapes tab

    def shape_view() -> Any:
        from keras_lens.views.shapes_view import Shapes

        return ipywidgets.HTML(prepared) if isinstance(prepared, str) else Shapes(prepared)

    def summary_view() -> Any:
        from keras_lens.views.summary_view import summary

        return summary(model)

    tracing = isinstance(prepared, PendingTrace)
    view = Inspect(layer_graph, graph(layer_graph), summary_view, shape_view, tracing=tracing)
    if selected:
        view.selected = selected
    return view


class Inspect(LensBox):
    """The tabbed widget. ``selected`` is the layer key selected in every tab ("" for none).

    ``summary_view`` and ``shape_view`` may be given as widgets or as functions that build them:
    a function runs when the widget is first displayed live or when the tab is first asked for.
    ``tracing``: the shapes tab such a function builds has a forward pass to run.
    """

    selected = traitlets.Unicode("")

    def __init__(
        self,
        layer_graph: Any,
        graph_view: Any,
        summary_view: TabSource,
        shape_view: TabSource,
        *,
        tracing: bool = False,
    ) -> None:
        self.layer_graph = layer_graph
        self._tracing = tracing  # an unbuilt shapes tab will have a forward pass to run
        self.graph_view = graph_view
        self._views: dict[str, Any] = {}
        self._makers: dict[str, Callable[[], Any]] = {}
        self._holders: dict[str, ipywidgets.Box] = {}
        for title, source in (("summary", summary_view), ("shapes", shape_view)):
            if isinstance(source, ipywidgets.Widget) or not callable(source):
                self._views[title] = source
                self._holders[title] = source
            else:  # a place in the tab, filled once the tab is built
                self._makers[title] = source
                waiting = ipywidgets.HTML(f"<p><i>{esc(i18n.t('inspect.building'))}</i></p>")
                self._holders[title] = ipywidgets.VBox([waiting])
        self.details = ipywidgets.HTML()
        children = [graph_view, self._holders["summary"], self._holders["shapes"], self.details]
        self.tabs = tab_with_titles(children, TABS)
        super().__init__([self.tabs])
        self._valid = self._all_keys()
        self._syncing = False
        self._sources: list[tuple[Any, str]] = [(graph_view.picker, "value")]
        graph_view.picker.observe(self._from_tab, names="value")
        for view in self._views.values():
            self._watch(view)
        self.observe(self._to_tabs, names="selected")
        self._to_tabs()

    @property
    def summary_view(self) -> Any:
        """The summary tab's widget (built now if it has not been)."""
        self._build_tabs()
        return self._views["summary"]

    @property
    def shape_view(self) -> Any:
        """The shapes tab's widget (built now if it has not been)."""
        self._build_tabs()
        return self._views["shapes"]

    def _build_tabs(self) -> None:
        """Build the tabs that are not built yet, put them in place, select the layer there."""
        if not self._makers:
            return
        while self._makers:
            title, make = next(iter(self._makers.items()))
            view = make()
            del self._makers[title]
            self._views[title] = view
            self._watch(view)
            self._holders[title].children = (view,)
        self._to_tabs()

    def _watch(self, view: Any) -> None:
        if isinstance(view, LensBox) and view.has_trait("selected"):
            self._sources.append((view, "selected"))
            view.observe(self._from_tab, names="selected")

    def _pending_progress(self) -> str | None:
        """The progress line's kind while the shape trace is left to run, else ``None``."""
        if "shapes" in self._makers:
            return "shapes" if self._tracing else None
        return "shapes" if self._trace_work() is not None else None

    def _trace_work(self) -> Any:
        """The built shapes tab's forward pass, while it has not run."""
        pending = getattr(self._views.get("shapes"), "_pending_work", None)
        return pending() if pending is not None else None

    def _pending_work(self) -> Any:
        """Tabs not built yet and the shape trace, while any is left (see ``LensBox._display``)."""
        return self._finish_work if self._makers or self._trace_work() is not None else None

    def _finish_work(self, on_step: Any = None) -> None:
        self._build_tabs()
        work = self._trace_work()
        if work is not None:
            work(on_step)

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
        from keras_lens.render.details import layer_details_html

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
        from keras_lens.render import static

        bodies: dict[str, str] = {}
        for title, view in (*self._views.items(), (TABS[3], self.details)):
            html = view._lens_html() if isinstance(view, LensBox) else getattr(view, "value", "")
            bodies[title] = html
        for title in self._makers:  # only in a first display, updated once the tabs are built
            bodies[title] = f"<p><i>{esc(i18n.t('inspect.building'))}</i></p>"
        # the drawing gets what the other tabs leave of the stored output's size cap
        budget = static.MAX_BYTES - sum(static.size(b) for b in bodies.values()) - 2_000
        bodies = {TABS[0]: self.graph_view._lens_html(budget=budget), **bodies}
        parts = [f"<div class='klens-inspect'><h3>{esc(self.layer_graph.name)}</h3>"]
        parts += [f"<h4>{esc(title)}</h4>{bodies[title]}" for title in TABS]
        parts.append("</div>")
        return "\n".join(parts)
