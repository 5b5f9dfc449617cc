"""Base class of the keras_lens widgets: a ``VBox`` with a deterministic text and HTML fallback.

Imported only when a widget is built (it imports ipywidgets). A front end with the widget manager
shows the live widget; anything else (nbconvert, GitHub, nbval's text comparison) gets
``text/plain`` from ``_lens_text()`` and a static ``text/html`` from ``_lens_html()``, which
never contain a widget id or anything else that changes from run to run. The static HTML is
built to survive the sanitiser of an untrusted notebook and is capped at ``static.MAX_BYTES``
(see ``keras_lens.static``); the live widget carries the theme's ``keras-lens`` class.

Example:
    >>> class Hello(LensBox):
    ...     def _lens_text(self): return "<Hello>"
    ...     def _lens_html(self): return "<b>hello</b>"
    >>> sorted(Hello()._repr_mimebundle_())  # doctest: +NORMALIZE_WHITESPACE
    ['application/vnd.jupyter.widget-view+json', 'text/html', 'text/plain']
"""

from __future__ import annotations

from typing import Any

import ipywidgets

from keras_lens import static

__all__ = ["LensBox"]


class LensBox(ipywidgets.VBox):
    """A ``VBox`` whose ``repr`` and static HTML come from the subclass, not from widget state."""

    def _lens_text(self) -> str:  # pragma: no cover - subclasses override
        return f"<{type(self).__name__}>"

    def _lens_html(self) -> str:  # pragma: no cover - subclasses override
        return ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.add_class("keras-lens")

    def static_html(self) -> str:
        """The stored ``text/html``: ``_lens_html()``, or its text summary past the size cap."""
        return static.fit(self._lens_html(), self._lens_text())

    def __repr__(self) -> str:
        return self._lens_text()

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        data: dict[str, Any] = {"text/plain": self._lens_text(), "text/html": self.static_html()}
        if self._view_name is not None and self._model_id is not None:
            data["application/vnd.jupyter.widget-view+json"] = {
                "version_major": 2,
                "version_minor": 0,
                "model_id": self._model_id,
            }
        return data

    if hasattr(ipywidgets.Widget, "_ipython_display_"):  # ipywidgets 7 (Colab ships 7.7.1)

        def _ipython_display_(self, **kwargs: Any) -> None:
            """ipywidgets 7 displays widgets through ``Widget._ipython_display_``, which IPython
            prefers to ``_repr_mimebundle_`` and which sends only text/plain + the widget view;
            send the same bundle as under ipywidgets 8 (with the static ``text/html``)."""
            from IPython.display import display

            display(self._repr_mimebundle_(), raw=True)
            self._handle_displayed(**kwargs)
