"""LivePlot: a Keras callback that draws the loss and metric curves while ``fit`` runs.

With a notebook front end the curves are redrawn in place in an ipywidgets ``Image`` (a small
SVG drawn by ``keras_lens.render.curves_svg``: ~10 ms a frame, not a matplotlib PNG), after
every epoch (``update_every="epoch"``), every batch (``"batch"``) or every N batches (``N``), and
a status line above it says the epoch (i of n), the batch, the latest value of each metric and
the estimated time left. Redraws are throttled (at most one per ``min_redraw_seconds``; the end
of an epoch always redraws), so per-batch updating costs little training time
(``benchmarks/bench_liveplot.py`` measures it). Headless (``KERAS_LENS_HEADLESS=1``, under
pytest/nbval, outside a Jupyter kernel, or ``LivePlot(live=False)``) it draws nothing during
training and shows ONE matplotlib figure (a PNG) when training ends, with a fixed
``text/plain``: no stream output and no ``clear_output`` messages, so a stored notebook and a
fresh run compare equal.

Example:
    >>> import keras_lens
    >>> plot = keras_lens.LivePlot()  # doctest: +SKIP
    >>> model.fit(x, y, epochs=5, callbacks=[plot], verbose=0)  # doctest: +SKIP
    >>> keras_lens.LivePlot(update_every=50)  # redraw every 50 batches
    <LivePlot: 0 epochs; no curves yet>
"""

from __future__ import annotations

import base64
import io
import math
import os
import time
from collections.abc import Sequence
from typing import Any

import keras

from keras_lens import i18n
from keras_lens.render.curves_svg import curves_svg

__all__ = ["LivePlot", "format_duration", "is_headless"]

_SKIP = ("learning_rate", "lr")
#: The status line is rewritten at most this often (seconds); it is one small comm message.
STATUS_SECONDS = 0.2
#: Drawing may take at most this share of the wall time in the per-batch modes: after a redraw
#: that took d seconds the next waits ``max(min_redraw_seconds, d * (1 / MAX_DRAW_SHARE - 1))``,
#: so a slow machine (where one PNG costs a second) redraws less often instead of training slower.
MAX_DRAW_SHARE = 0.1

i18n.register(
    {
        "liveplot.epoch": ("epoch {i} of {n}", "第 {i}/{n} 轮"),
        "liveplot.batch": ("batch {i} of {n}", "批次 {i}/{n}"),
        "liveplot.batch_open": ("batch {i}", "批次 {i}"),
        "liveplot.left": ("about {time} left", "约剩 {time}"),
        "liveplot.took": ("done in {time}", "用时 {time}"),
        "liveplot.starting": ("starting…", "正在开始…"),
        "liveplot.seconds": ("{s} s", "{s} 秒"),
        "liveplot.minutes": ("{m} min {s:02d} s", "{m} 分 {s:02d} 秒"),
        "liveplot.hours": ("{h} h {m:02d} min", "{h} 小时 {m:02d} 分"),
        "liveplot.axis_epoch": ("epoch", "轮次"),
    }
)


def format_duration(seconds: float) -> str:
    """A rounded, readable duration in the current language.

    Example:
        >>> format_duration(7.4), format_duration(75), format_duration(3725)
        ('7 s', '1 min 15 s', '1 h 02 min')
    """
    total = max(0, round(seconds))
    if total < 60:
        return i18n.t("liveplot.seconds", s=total)
    if total < 3600:
        return i18n.t("liveplot.minutes", m=total // 60, s=total % 60)
    return i18n.t("liveplot.hours", h=total // 3600, m=total % 3600 // 60)


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
        live: ``True`` redraws while training, ``False`` shows one figure at the end,
            ``None`` decides with ``is_headless()``.
        figsize: figure size in inches, ``(width, height)``.
        update_every: ``"epoch"`` (default), ``"batch"`` or a whole number N of batches: how
            often the curves get a new point and the live figure may redraw. Batch points are
            drawn as a thin line between the epoch markers.
        min_redraw_seconds: the live figure is redrawn at most this often (the end of each
            epoch always redraws); ``0`` redraws at every update.

    The stored output (headless) is one figure and a ``text/plain`` that holds no numbers that
    vary (no values, no times), so nbval compares it exactly.
    """

    def __init__(
        self,
        metrics: str | Sequence[str] | None = None,
        live: bool | None = None,
        figsize: tuple[float, float] = (8.0, 3.0),
        update_every: str | int = "epoch",
        min_redraw_seconds: float = 0.5,
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
        self.update_every = _update_every(update_every)
        self.min_redraw_seconds = _seconds(min_redraw_seconds)
        self.history: dict[str, list[float]] = {}
        #: per-batch points ``(fractional epoch, value)`` of the training metrics
        self.batch_history: dict[str, list[tuple[float, float]]] = {}
        self.epochs = 0
        self.redraws = 0  # how many times the live figure was drawn
        #: the ipywidgets ``Image`` of a live plot (not an ``Output`` widget: ipywidgets 7's
        #: classic-notebook manager fails to create ``OutputModel``, and an image is one message)
        self.image: Any = None
        self.status: Any = None  # the ipywidgets HTML status line of a live plot
        self.widget: Any = None  # VBox([status, image]), displayed once per plot
        self._live_now = False
        self._total_epochs: int | None = None
        self._steps: int | None = None
        self._epoch = 0  # 0-based epoch now running
        self._batch = 0  # batches finished in that epoch
        self._done_batches = 0
        self._latest: dict[str, float] = {}
        self._clock_start = self._first_batch_at = 0.0
        self._last_status = -math.inf
        self._next_draw = -math.inf  # monotonic time from which a per-batch redraw is allowed
        self._drawn_all = True  # the live figure shows every point recorded so far

    # -- Keras hooks -------------------------------------------------------------------------
    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        params = getattr(self, "params", None) or {}
        self._total_epochs = _whole(params.get("epochs"))
        self._steps = _whole(params.get("steps"))
        self._clock_start = time.monotonic()
        self._next_draw, self._drawn_all = -math.inf, True
        self._first_batch_at = 0.0
        self._done_batches = 0
        self._live_now = (not is_headless()) if self.live is None else bool(self.live)
        if self._live_now and self.widget is None:
            import ipywidgets
            from IPython.display import display

            width, height = self._pixels()
            self.image = ipywidgets.Image(
                format="svg+xml", layout=ipywidgets.Layout(width=f"{width}px", height=f"{height}px")
            )
            self.status = ipywidgets.HTML(i18n.t("liveplot.starting"))
            self.widget = ipywidgets.VBox([self.status, self.image])
            display(self.widget)

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._epoch, self._batch = int(epoch), 0
        self._show_status(force=True)

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self._batch = int(batch) + 1
        self._done_batches += 1
        now = time.monotonic()
        if self._done_batches == 1:
            self._first_batch_at = now
        every = self.update_every
        if every == "epoch" or self._batch % (1 if every == "batch" else int(every)):
            return
        x = self._epoch + (self._batch / self._steps if self._steps else 0.0)
        for key, number in _numbers(logs).items():
            self._latest[key] = number
            self.batch_history.setdefault(key, []).append((x, number))
        if not self._live_now:
            return
        self._drawn_all = False
        if now >= self._next_draw:
            self._draw()
        self._show_status(now=now)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        numbers = _numbers(logs)
        for key, number in numbers.items():
            series = self.history.setdefault(key, [])
            series.extend([math.nan] * (self.epochs - len(series)))  # a key that appeared late
            series.append(number)
        self._latest.update(numbers)
        self.epochs += 1
        self.panels()  # fail early, in the first epoch, on an unknown metric name
        if self._live_now:
            # per epoch: always; per batch: the epoch point waits for the throttle like the rest
            self._drawn_all = False
            if self.update_every == "epoch" or time.monotonic() >= self._next_draw:
                self._draw()
            self._show_status(force=True)

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        if self._live_now:
            if not self._drawn_all:
                self._draw()  # the last points, whatever the throttle
            self._show_status(force=True, finished=True)
        elif self.epochs:
            from IPython.display import display

            display(self._bundle(), raw=True)

    # -- the status line ---------------------------------------------------------------------
    def status_text(self, with_time: bool = True) -> str:
        """The status line: epoch i of n, batch, latest values, time left (``with_time``).

        Example:
            >>> plot = LivePlot(); plot.status_text()
            'epoch 1 of ?'
        """
        t = i18n.t
        n = "?" if self._total_epochs is None else self._total_epochs
        parts = [t("liveplot.epoch", i=self._epoch + 1, n=n)]
        if self._batch:
            if self._steps:
                parts.append(t("liveplot.batch", i=self._batch, n=self._steps))
            else:
                parts.append(t("liveplot.batch_open", i=self._batch))
        wanted = {name for panel in self._safe_panels() for name in panel}
        for key, value in self._latest.items():
            if key in _SKIP or (wanted and key not in wanted):
                continue
            parts.append(f"{key} {value:.4g}")
        left = self.seconds_left() if with_time else None
        if left is not None:
            parts.append(t("liveplot.left", time=format_duration(left)))
        return " · ".join(parts)

    def seconds_left(self) -> float | None:
        """Estimated seconds of training left (``None`` until two batches have run).

        The rate is measured from the end of the first batch (which includes tracing) and
        includes validation, so it settles after the first epoch.
        """
        if not (self._steps and self._total_epochs) or self._done_batches < 2:
            return None
        total = self._steps * self._total_epochs
        rate = (time.monotonic() - self._first_batch_at) / (self._done_batches - 1)
        return max(0.0, rate * (total - self._done_batches))

    def _show_status(
        self, force: bool = False, now: float | None = None, finished: bool = False
    ) -> None:
        if self.status is None:
            return
        now = time.monotonic() if now is None else now
        if not force and now - self._last_status < STATUS_SECONDS:
            return
        self._last_status = now
        if finished:
            took = i18n.t("liveplot.took", time=format_duration(now - self._clock_start))
            text = self.status_text(with_time=False) + " · " + took
        else:
            text = self.status_text()
        bar = ""
        if self._steps and self._total_epochs:
            done = self._done_batches if not finished else self._steps * self._total_epochs
            bar = (
                f"<progress max='{self._steps * self._total_epochs}' value='{done}' "
                "style='width:12em;vertical-align:middle;margin-right:.6em'></progress>"
            )
        self.status.value = f"<div class='klens-live-status'>{bar}{_esc(text)}</div>"

    def _draw(self) -> None:
        if self.image is None or not (self.history or self.batch_history):
            return
        started = time.monotonic()
        self.redraws += 1
        self.image.value = self.svg().encode()  # replaced in one message: no flicker
        done = time.monotonic()
        cost = (done - started) * (1 / MAX_DRAW_SHARE - 1)
        self._next_draw = done + max(self.min_redraw_seconds, cost)
        self._drawn_all = True

    # -- drawing -----------------------------------------------------------------------------
    def panels(self) -> list[list[str]]:
        """The curves of each panel, e.g. ``[["loss", "val_loss"], ["accuracy"]]``."""
        keys = list(dict.fromkeys([*self.history, *self.batch_history]))
        wanted = self.metrics
        if wanted is None:
            wanted = [k for k in keys if not k.startswith("val_") and k not in _SKIP]
        missing = [m for m in wanted if m not in keys]
        if missing:
            raise ValueError(
                f"LivePlot: no metric named {', '.join(map(repr, missing))} in the training logs; "
                f"available: {', '.join(keys) or '(none)'}. Pass metrics= with those names."
            )
        return [[m] + ([f"val_{m}"] if f"val_{m}" in self.history else []) for m in wanted]

    def figure(self, fast: bool = False) -> Any:
        """A matplotlib ``Figure`` of the curves so far (not registered with pyplot).

        ``fast=True`` (a quicker PNG) uses fixed margins instead of the constrained layout,
        which halves the drawing time; the final figure keeps the constrained layout.
        """
        from matplotlib.figure import Figure
        from matplotlib.ticker import MaxNLocator

        panels = self.panels()
        figure = Figure(figsize=self.figsize, layout=None if fast else "constrained")
        if fast:
            figure.subplots_adjust(left=0.08, right=0.98, bottom=0.17, top=0.88, wspace=0.22)
        axes = figure.subplots(1, max(len(panels), 1), squeeze=False)[0]
        epochs = range(1, self.epochs + 1)
        for ax, names in zip(axes, panels, strict=False):
            for name in names:
                values = self.history.get(name, [])
                line = None
                if values:
                    (line,) = ax.plot(list(epochs)[: len(values)], values, marker="o", label=name)
                points = self.batch_history.get(name)
                if points:
                    colour = line.get_color() if line is not None else None
                    xs, ys = zip(*points, strict=True)
                    ax.plot(
                        xs,
                        ys,
                        lw=0.8,
                        alpha=0.55,
                        color=colour,
                        label=None if line is not None else name,
                    )
            ax.set_xlabel(i18n.t("liveplot.axis_epoch"))
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
            ax.set_title(names[0])
            ax.legend(loc="upper right" if self.batch_history else "best")  # "best" is slow
            ax.grid(alpha=0.3)
        return figure

    def svg(self) -> str:
        """The curves so far as SVG text, what the live plot shows (``render.curves_svg``).

        Example:
            >>> LivePlot().svg()[:4]
            '<svg'
        """
        try:
            panels = self.panels()
        except ValueError:  # a metric not logged yet: draw what there is
            panels = [[k] for k in dict.fromkeys([*self.history, *self.batch_history])]
        return curves_svg(
            panels,
            self.history,
            self.batch_history,
            size=self._pixels(),
            x_label=i18n.t("liveplot.axis_epoch"),
        )

    def _pixels(self) -> tuple[int, int]:
        """The figure size in pixels (80 per inch, as the PNG)."""
        return round(self.figsize[0] * 80), round(self.figsize[1] * 80)

    def png(self, fast: bool = False) -> bytes:
        """The figure as PNG bytes (no metadata that changes from run to run)."""
        buffer = io.BytesIO()
        self.figure(fast).savefig(buffer, format="png", dpi=80, metadata={"Software": None})
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


def _numbers(logs: dict[str, Any] | None) -> dict[str, float]:
    found = {}
    for key, value in (logs or {}).items():
        try:
            found[key] = float(value)
        except (TypeError, ValueError):
            continue
    return found


def _whole(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _update_every(value: Any) -> str | int:
    """``"epoch"``, ``"batch"`` or a whole number >= 1, or a TypeError/ValueError saying so."""
    if isinstance(value, str):
        if value in ("epoch", "batch"):
            return value
        raise ValueError(
            f"update_every must be 'epoch', 'batch' or a number of batches, e.g. "
            f"update_every=50; got {value!r}."
        )
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(
            f"update_every must be 'epoch', 'batch' or a whole number of batches, e.g. "
            f"update_every=50; got {value!r}."
        )
    if value < 1:
        raise ValueError(f"update_every must be at least 1 batch; got {value!r}.")
    return value


def _seconds(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"min_redraw_seconds must be a number of seconds, e.g. 1.0; got {value!r}.")
    if not (0 <= value < 3600) or math.isnan(value):
        raise ValueError(f"min_redraw_seconds must be between 0 and 3600 seconds; got {value!r}.")
    return float(value)


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
