"""Base class of the keras_lens widgets: a ``VBox`` with a deterministic text and HTML fallback.

Imported only when a widget is built (it imports ipywidgets). A front end with the widget manager
shows the live widget; anything else (nbconvert, GitHub, nbval's text comparison) gets
``text/plain`` from ``_lens_text()`` and a static ``text/html`` from ``_lens_html()``, which
never contain a widget id or anything else that changes from run to run. The static HTML is
built to survive the sanitiser of an untrusted notebook and is capped at ``static.MAX_BYTES``
(see ``keras_lens.render.static``); the live widget carries the theme's ``keras-lens`` class.

Example:
    >>> class Hello(LensBox):
    ...     def _lens_text(self): return "<Hello>"
    ...     def _lens_html(self): return "<b>hello</b>"
    >>> sorted(Hello()._repr_mimebundle_())  # doctest: +NORMALIZE_WHITESPACE
    ['application/vnd.jupyter.widget-view+json', 'text/html', 'text/plain']
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets

from keras_lens.render import static

__all__ = ["LensBox"]

_IPYWIDGETS_7 = hasattr(ipywidgets.Widget, "_ipython_display_")  # Colab ships 7.7.1


class LensBox(ipywidgets.VBox):
    """A ``VBox`` whose ``repr`` and static HTML come from the subclass, not from widget state."""

    def _lens_text(self) -> str:  # pragma: no cover - subclasses override
        return f"<{type(self).__name__}>"

    def _lens_html(self) -> str:  # pragma: no cover - subclasses override
        return ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_class("keras-lens")

    def _pending_work(self) -> Callable[[Any], None] | None:
        """The view's unfinished slow step, as ``work(on_step)``, or ``None`` (subclasses)."""
        return None

    def _pending_progress(self) -> str | None:
        """The kind of progress line (``keras_lens.views.progress``) the pending step shows."""
        return "shapes"

    def finish(self) -> None:
        """Run the unfinished slow step now, without progress (``repr`` and the stored copy do)."""
        work = self._pending_work()
        if work is not None:
            work(None)

    def static_html(self) -> str:
        """The stored ``text/html``: ``_lens_html()``, or its text summary past the size cap."""
        self.finish()
        return static.fit(self._lens_html(), self._lens_text())

    def __repr__(self) -> str:
        self.finish()
        return self._lens_text()

    def _bundle(self) -> dict[str, Any]:
        """The display bundle of the view as it is now (finished or not)."""
        text = self._lens_text()
        data: dict[str, Any] = {
            "text/plain": text,
            "text/html": static.fit(self._lens_html(), text),
        }
        if self._view_name is not None and self._model_id is not None:
            data["application/vnd.jupyter.widget-view+json"] = {
                "version_major": 2,
                "version_minor": 0,
                "model_id": self._model_id,
            }
        return data

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        self.finish()
        return self._bundle()

    @property
    def _ipython_display_(self) -> Callable[..., None] | None:
        """IPython's display hook: ``_display`` when needed, else ``None`` (IPython then uses
        ``_repr_mimebundle_`` and stores an ``execute_result``, as for any ipywidgets 8 widget).

        Needed under ipywidgets 7 always (its ``Widget._ipython_display_`` would send only
        text/plain and the widget view), and whenever a slow step is pending in a live front end.
        """
        if _IPYWIDGETS_7:
            return self._display
        from keras_lens.views.liveplot import is_headless

        return self._display if self._pending_work() is not None and not is_headless() else None

    def _display(self, **kwargs: Any) -> None:
        """Show the view, then finish its slow step while it is on screen.

        With nothing pending, or headless (nbval, scripts: ``liveplot.is_headless``), this sends
        the finished bundle once. Otherwise the view is displayed at once (with a progress line
        on top if ``_pending_progress()`` names one), the step runs (the kernel stays busy, so
        "Run All" and nbclient wait for it), the line is removed, and the same display
        is updated in place with the finished bundle (nbclient and JupyterLab store the update;
        nbval ignores updates, and runs headless): what a notebook stores is the same either way.
        """
        from IPython.display import display

        from keras_lens.views.liveplot import is_headless

        work = self._pending_work()
        if work is None or is_headless():
            self.finish()
            display(self._bundle(), raw=True)
            self._displayed(**kwargs)
            return
        from keras_lens.views.progress import Progress

        what = self._pending_progress()
        progress = Progress(what) if what else None
        if progress is not None:
            self.children = (progress.widget, *self.children)
        handle = display(self._bundle(), raw=True, display_id=True)
        self._displayed(**kwargs)
        try:
            work(progress.step if progress is not None else None)
        finally:
            if progress is not None:
                # Taken out of the view, not closed: a close right after the removal races the
                # front end's own view creation under ipywidgets 7 ("Could not add child view to
                # box", seen in CI under load). Three small detached models stay in the kernel.
                self.children = tuple(c for c in self.children if c is not progress.widget)
            handle.update(self._bundle(), raw=True)

    def _displayed(self, **kwargs: Any) -> None:
        handler = getattr(self, "_handle_displayed", None)  # ipywidgets 7's on_displayed hooks
        if handler is not None:
            handler(**kwargs)
