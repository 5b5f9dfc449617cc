"""Progress of a slow step: a bar and "layer i of n: <name>" while a view finishes its work.

A view whose last step is slow (the shape trace of ``shapes(model, batch)`` and of
``inspect(model, batch)``: one layer at a time) is shown first and finishes while the learner
already looks at it (``LensBox._ipython_display_``). Meanwhile a ``Progress`` line sits at the
top of the view; it is taken out of the view when the step ends (not closed: see _widgets.py),
so a stored notebook never holds a stale bar. It is an ipywidgets ``HBox`` (an ``IntProgress``
and an ``HTML``), the same under ipywidgets 7 and 8, and it writes nothing to stdout or stderr.
Updates are sent at most every ``interval`` seconds (and always for the last step), so a
1,000-layer model does not flood the front end with messages.

Example:
    >>> progress = Progress("shapes")
    >>> progress.step(3, 177, "conv1_conv")
    >>> progress.text
    'Tracing shapes: layer 3 of 177: conv1_conv'
    >>> progress.bar.value, progress.bar.max
    (3, 177)
"""

from __future__ import annotations

import time
from collections.abc import Callable

import ipywidgets

from keras_lens import i18n
from keras_lens.render._html import esc

__all__ = ["Progress", "step_text"]

i18n.register(
    {
        "progress.step": (
            "{what}: layer {i} of {n}: {name}",
            "{what}：第 {i} 层，共 {n} 层：{name}",
        ),
        "progress.shapes": ("Tracing shapes", "正在追踪形状"),
        "progress.starting": ("{what}: starting …", "{what}：开始 ……"),
    }
)


def step_text(what: str, index: int, total: int, name: str) -> str:
    """The progress line's text, in the current language (``what`` is an i18n key's suffix).

    Example:
        >>> step_text("shapes", 1, 2, "dense")
        'Tracing shapes: layer 1 of 2: dense'
        >>> with i18n.language("zh-CN"):
        ...     step_text("shapes", 1, 2, "dense")
        '正在追踪形状：第 1 层，共 2 层：dense'
    """
    label = i18n.t(f"progress.{what}")
    return i18n.t("progress.step", what=label, i=index, n=total, name=name)


class Progress:
    """A progress line (``widget``); ``step`` is a ``keras_lens.views.shape_trace.StepFn``."""

    def __init__(
        self,
        what: str = "shapes",
        *,
        interval: float = 0.1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.what, self.interval, self._clock = what, interval, clock
        self._last = -float("inf")
        self.text = i18n.t("progress.starting", what=i18n.t(f"progress.{what}"))
        self.bar = ipywidgets.IntProgress(
            value=0, min=0, max=1, layout=ipywidgets.Layout(width="220px")
        )
        self.label = ipywidgets.HTML(f"<span>{esc(self.text)}</span>")
        self.widget = ipywidgets.HBox(
            [self.bar, self.label], layout=ipywidgets.Layout(align_items="center")
        )
        self.widget.add_class("klens-progress")
        self.sent = 0  # updates sent to the front end (for tests and benchmarks)

    def step(self, index: int, total: int, name: str) -> None:
        """Record step ``index`` of ``total``; send it if ``interval`` passed or it is the last."""
        total = max(int(total), 1)
        index = min(max(int(index), 0), total)
        self.text = step_text(self.what, index, total, name)
        now = self._clock()
        if index < total and now - self._last < self.interval:
            return
        self._last = now
        self.bar.max = total
        self.bar.value = index
        self.label.value = f"<span>{esc(self.text)}</span>"
        self.sent += 1

    def close(self) -> None:
        """Close the widgets (their models leave the front end and the stored widget state)."""
        for widget in (self.bar, self.label, self.widget):
            widget.close()
