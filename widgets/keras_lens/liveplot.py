"""LivePlot: a Keras callback that draws the loss and metric curves while ``fit`` runs.

With a notebook front end the figure is redrawn in place after every epoch inside an ipywidgets
``Output``. Headless (``KERAS_LENS_HEADLESS=1``, under pytest/nbval, outside a Jupyter kernel, or
``LivePlot(live=False)``) it draws nothing during training and shows ONE figure when training
ends, with a fixed ``text/plain``: no stream output and no ``clear_output`` messages, so a stored
notebook and a fresh run compare equal.

Example:
    >>> import keras_lens
    >>> plot = keras_lens.LivePlot()  # doctest: +SKIP
    >>> model.fit(x, y, epochs=5, callbacks=[plot], verbose=0)  # doctest: +SKIP
"""

from __future__ import annotations

import base64
import io
import math
import os
from collections.abc import Sequence
from typing import Any

import keras

__all__ = ["LivePlot", "is_headless"]

_SKIP = ("learning_rate", "lr")


def is_headless() -> bool:
    """True when nobody can watch a live plot: nbval/pytest runs, scripts, terminal IPython.

    Example:
        >>> import os; os.environ["KERAS_LENS_HEADLESS"] = "1"; is_headless()
        True
    """
    flag = os.environ.get("KERAS_LENS_HEADLESS", "").strip().lower()
    if flag in ("1", "true", "yes", "on"):
        return True
    if flag in ("0", "false", "no", "off"):
        return False
    if "PYTEST_CURRENT_TEST" in os.environ:
        return True
    try:
        from IPython import get_ipython
    except ImportError:
        return True
    shell = get_ipython()
    return shell is None or getattr(shell, "kernel", None) is None


class LivePlot(keras.callbacks.Callback):
    """Plot ``loss`` (and ``val_loss``) and every metric, one panel per metric, during ``fit``.

    Args:
        metrics: names to plot (``"loss"``, ``"accuracy"``, ...); ``val_`` curves are added when
            present. Default: every metric Keras reports except the learning rate.
        live: ``True`` redraws after every epoch, ``False`` shows one figure at the end,
            ``None`` decides with ``is_headless()``.
        figsize: figure size in inches, ``(width, height)``.
    """

    def __init__(
        self,
        metrics: str | Sequence[str] | None = None,
        live: bool | None = None,
        figsize: tuple[float, float] = (8.0, 3.0),
    ) -> None:
        super().__init__()
        if isinstance(metrics, str):
            metrics = [metrics]
        if metrics is not None and (
            not isinstance(metrics, (list, tuple)) or not all(isinstance(m, str) for m in metrics)
        ):
            raise TypeError(
                f"metrics must be a metric name or a list of names, e.g. ['loss', 'accuracy']; "
                f"got {metrics!r}."
            )
        if live not in (None, True, False):
            raise TypeError(f"live must be True, False or None; got {live!r}.")
        self.metrics = None if metrics is None else [str(m) for m in metrics]
        self.live = live
        self.figsize = _figsize(figsize)
        self.history: dict[str, list[float]] = {}
        self.epochs = 0
        self.output: Any = None  # the ipywidgets Output of a live plot
        self._live_now = False

    # -- Keras hooks -------------------------------------------------------------------------
    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self._live_now = (not is_headless()) if self.live is None else bool(self.live)
        if self._live_now and self.output is None:
            import ipywidgets
            from IPython.display import display

            self.output = ipywidgets.Output()
            display(self.output)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        for key, value in (logs or {}).items():
            try:
                number = float(value)
            except (TypeError, ValueError):
                continue
            series = self.history.setdefault(key, [])
            series.extend([math.nan] * (self.epochs - len(series)))  # a key that appeared late
            series.append(number)
        self.epochs += 1
        self.panels()  # fail early, in the first epoch, on an unknown metric name
        if self._live_now and self.output is not None:
            item = {"output_type": "display_data", "data": self._bundle(), "metadata": {}}
            self.output.outputs = (item,)  # replace in one step: no clear_output message

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        if not self._live_now and self.epochs:
            from IPython.display import display

            display(self._bundle(), raw=True)

    # -- drawing -----------------------------------------------------------------------------
    def panels(self) -> list[list[str]]:
        """The curves of each panel, e.g. ``[["loss", "val_loss"], ["accuracy"]]``."""
        keys = list(self.history)
        wanted = self.metrics
        if wanted is None:
            wanted = [k for k in keys if not k.startswith("val_") and k not in _SKIP]
        missing = [m for m in wanted if m not in self.history]
        if missing:
            raise ValueError(
                f"LivePlot: no metric named {', '.join(map(repr, missing))} in the training logs; "
                f"available: {', '.join(keys) or '(none)'}. Pass metrics= with those names."
            )
        return [[m] + ([f"val_{m}"] if f"val_{m}" in self.history else []) for m in wanted]

    def figure(self) -> Any:
        """A matplotlib ``Figure`` of the curves so far (not registered with pyplot)."""
        from matplotlib.figure import Figure
        from matplotlib.ticker import MaxNLocator

        panels = self.panels()
        figure = Figure(figsize=self.figsize, layout="constrained")
        axes = figure.subplots(1, max(len(panels), 1), squeeze=False)[0]
        epochs = range(1, self.epochs + 1)
        for ax, names in zip(axes, panels, strict=False):
            for name in names:
                values = self.history[name]
                ax.plot(list(epochs)[: len(values)], values, marker="o", label=name)
            ax.set_xlabel("epoch")
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
            ax.set_title(names[0])
            ax.legend(loc="best")
            ax.grid(alpha=0.3)
        return figure

    def png(self) -> bytes:
        """The figure as PNG bytes (no metadata that changes from run to run)."""
        buffer = io.BytesIO()
        self.figure().savefig(buffer, format="png", dpi=80, metadata={"Software": None})
        return buffer.getvalue()

    def _bundle(self) -> dict[str, str]:
        return {"image/png": base64.b64encode(self.png()).decode("ascii"), "text/plain": repr(self)}

    def __repr__(self) -> str:
        curves = ", ".join(name for panel in self._safe_panels() for name in panel)
        epochs = f"{self.epochs} epoch" + ("" if self.epochs == 1 else "s")
        return f"<LivePlot: {epochs}; {curves or 'no curves yet'}>"

    def _safe_panels(self) -> list[list[str]]:
        try:
            return self.panels()
        except ValueError:
            return []


def _figsize(value: Any) -> tuple[float, float]:
    """``(width, height)`` in inches, both positive, or a TypeError/ValueError saying so."""
    try:
        width, height = (float(v) for v in value)
    except (TypeError, ValueError):
        raise TypeError(
            f"figsize must be (width, height) in inches, e.g. (8, 3); got {value!r}."
        ) from None
    if not (0 < width < 1000 and 0 < height < 1000):
        raise ValueError(f"figsize must be positive inches, e.g. (8, 3); got {value!r}.")
    return width, height
