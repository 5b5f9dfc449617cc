"""``keras_lens.shapes(model, sample=None)``: the shape of every layer output, symbolic and real.

Without a sample: the symbolic shapes Keras inferred. With a real batch: one forward pass, the
actual shapes next to the symbolic ones, and pictures of the outputs (feature maps for conv and
pooling layers, activation histograms for dense layers). A batch that does not fit the model's
inputs is refused with the expected and the received shapes, at once; the forward pass itself
runs once the widget is on screen, under a "layer i of n" progress line (see
``LensBox._display``), or when ``.trace``, ``.rows`` or the ``repr`` is first asked for. The
widget puts the layer picker, its caption and its picture in one column, beside the table, which
scrolls inside ``TABLE_HEIGHT``.

Example:
    >>> import keras_lens
    >>> keras_lens.shapes(model, x_train[:32])     # doctest: +SKIP
    <Shapes 'mnist_model': 4 layer outputs, traced with a batch of 32: all fit>
"""

from __future__ import annotations

import base64
from typing import Any

import ipywidgets
import traitlets

from keras_lens import i18n
from keras_lens.records import format_shape
from keras_lens.render import static, theme
from keras_lens.render._html import esc
from keras_lens.views._widgets import LensBox
from keras_lens.views.shape_trace import (
    MEMORY_LIMIT_MB,
    PendingTrace,
    ShapeTrace,
    StepFn,
    prepare_trace,
    verdict_text,
)

__all__ = ["Shapes", "shapes", "shapes_html"]

#: The static HTML fallback draws at most this many pictures.
MAX_STATIC_PICTURES = 12
#: The live table scrolls inside this height, so the picker and its picture stay beside it.
TABLE_HEIGHT = "560px"

i18n.register(
    {
        "shapes.select": ("layer", "层"),
        "shapes.none": ("(none)", "（无）"),
        "shapes.hint": (
            "Pick a layer to see its feature maps or activation histogram here.",
            "选择一层，即可在这里查看它的特征图或激活值直方图。",
        ),
        "shapes.no_picture": (
            "{name} has no picture (convolution, pooling and Dense layers have one).",
            "{name} 没有图片（只有卷积层、池化层和全连接层才有）。",
        ),
        "shapes.pending": (
            "Running the batch of {batch} through the model, layer by layer; the actual shapes "
            "and pictures appear when it is done.",
            "正在把这批 {batch} 个样本逐层送入模型；完成后会显示实际形状和图片。",
        ),
        "shapes.picture_pending": (
            "The picture appears when the forward pass is done.",
            "前向传播完成后即显示图片。",
        ),
        "shapes.all_fit": (
            "Traced with a batch of {batch}: every actual shape fits the symbolic one.",
            "用一批 {batch} 个样本追踪：每个实际形状都与符号形状相符。",
        ),
        "shapes.misfit": (
            "Traced with a batch of {batch}: {bad} shapes do NOT fit.",
            "用一批 {batch} 个样本追踪：有 {bad} 个形状不符合。",
        ),
        "shapes.symbolic_only": (
            "Symbolic shapes only: pass sample= (a real batch) to see the actual ones.",
            "只有符号形状：传入 sample=（一批真实数据）即可查看实际形状。",
        ),
    }
)
_STYLE = theme.STYLE + (  # colours (selected row, mismatch): keras_lens.render.theme
    "<style>.klens-shp table{border-collapse:collapse;font-family:monospace;font-size:12px}"
    ".klens-shp td,.klens-shp th{padding:2px 6px;text-align:left;vertical-align:top}</style>"
)


def shapes(model: Any, sample: Any = None, *, memory_limit_mb: float = MEMORY_LIMIT_MB) -> Shapes:
    """Symbolic (and, with ``sample``, actual) output shapes of every layer, as a widget.

    A batch that does not fit is refused here; the forward pass itself runs when the widget is
    shown (with a "layer i of n" progress line) or first asked for ``.trace``, ``.rows`` or its
    ``repr``.

    Example:
        >>> keras_lens.shapes(model)                      # doctest: +SKIP
    """
    return Shapes(prepare_trace(model, sample, memory_limit_mb=memory_limit_mb))


def shapes_html(
    trace: ShapeTrace,
    selected: str = "",
    pictures: int = MAX_STATIC_PICTURES,
    *,
    stored: bool = False,
) -> str:
    """Static, escaped HTML: the table, then up to ``pictures`` pictures as base64 PNG.

    ``stored=True`` (the copy stored in a notebook) keeps the first and last rows of a long
    table, draws no pictures for models of ``static.MAX_PICTURE_LAYERS`` layers or more and
    stops adding pictures past a byte budget."""
    rows: list[Any] = list(trace.rows)
    if stored:
        rows = static.elide(rows, note=lambda n: static.rows_note(n, 4))
        if len(trace.rows) >= static.MAX_PICTURE_LAYERS:
            pictures = 0
    out = [
        _STYLE,
        "<div class='klens-shp'>",
        f"<b>{esc(i18n.t('trace.model', name=trace.name))}</b>",
    ]
    out.append(
        static.table_open()
        + "<tr>"
        + "".join(
            f"<th>{esc(i18n.t('trace.' + k))}</th>" for k in ("layer", "symbolic", "actual", "ok")
        )
        + "</tr>"
    )
    for row in rows:
        if isinstance(row, str):  # the note of an elided table
            out.append(row)
            continue
        indent = "&nbsp;" * 4 * row.depth + ("└&nbsp;" if row.depth else "")
        symbolic = "<br>".join(esc(format_shape(s)) for s in row.symbolic) or "?"
        actual = (
            "-" if row.actual is None else "<br>".join(esc(format_shape(a)) for a in row.actual)
        )
        no = f"<span class='bad'>{esc(i18n.t('trace.no'))}</span>"
        ok = {True: esc(i18n.t("trace.yes")), False: no, None: "-"}[row.matches]
        selected_class = " class='sel'" if selected and selected == row.key else ""
        out.append(
            f"<tr{selected_class}><td>{indent}{esc(row.label())}</td><td>{symbolic}</td>"
            f"<td>{actual}</td><td>{ok}</td></tr>"
        )
    out.append("</table>")
    out.append(f"<p>{esc(_verdict(trace))}</p>")
    out += [f"<p><i>Note: {esc(n)}</i></p>" for n in trace.notes]
    with_pictures = [r for r in trace.rows if r.picture]
    budget, drawn = static.MAX_BYTES // 2, 0
    for row in with_pictures[:pictures]:
        png = trace.picture_png(row.node_id)
        if not png:
            continue
        budget -= len(png) * 4 // 3
        if stored and budget < 0:
            break  # past the byte budget of the stored copy: no more pictures
        data = base64.b64encode(png).decode("ascii")
        out.append(f"<img alt='{esc(row.name)}' src='data:image/png;base64,{data}'/>")
        drawn += 1
    if stored and len(trace.rows) >= static.MAX_PICTURE_LAYERS and with_pictures:
        out.append(static.note(static.i18n.t("shapes.no_stored_pictures", n=len(trace.rows))))
    elif 0 < drawn < len(with_pictures):
        out.append(
            f"<p><i>Pictures of the first {drawn} of {len(with_pictures)} layers; pick a layer "
            "in the widget, or call .picture_png(name).</i></p>"
        )
    out.append("</div>")
    return "\n".join(out)


def _verdict(trace: ShapeTrace) -> str:
    return verdict_text(trace, "shapes")


class Shapes(LensBox):
    """The shapes widget: the layer picker and its picture side by side, the table next to them.

    Built from a finished ``ShapeTrace`` or from a ``PendingTrace`` (``shapes(model, batch)``
    and ``inspect(model, batch)``): then it shows the symbolic shapes at once and runs the
    forward pass when it is displayed (with progress) or first asked for its trace, ``repr``
    or stored copy, whichever comes first.
    """

    selected = traitlets.Unicode("")

    def __init__(self, trace: ShapeTrace | PendingTrace) -> None:
        self._pending = trace if isinstance(trace, PendingTrace) else None
        self._trace = trace.symbolic if isinstance(trace, PendingTrace) else trace
        self._error = ""
        keys = list(dict.fromkeys(r.key for r in self._trace.rows))
        self.layer = ipywidgets.Dropdown(
            options=[(i18n.t("shapes.none"), ""), *[(k, k) for k in keys]],
            description=i18n.t("shapes.select"),
        )
        self.status = ipywidgets.HTML()
        self.html = ipywidgets.HTML()
        self.image = ipywidgets.Image(format="png", layout=ipywidgets.Layout(max_width="100%"))
        self.caption = ipywidgets.HTML()
        # the picker drives the picture: they sit together, beside the (scrolling) table
        self.panel = ipywidgets.VBox(
            [self.layer, self.caption, self.image],
            layout=ipywidgets.Layout(flex="0 1 auto", max_width="100%", margin="0 12px 0 0"),
        )
        self.table = ipywidgets.Box(
            [self.html],
            layout=ipywidgets.Layout(
                flex="1 1 420px", max_height=TABLE_HEIGHT, overflow="auto", min_width="0"
            ),
        )
        self.panel.add_class("klens-shp-panel")
        self.table.add_class("klens-shp-table")
        body = ipywidgets.HBox(
            [self.panel, self.table],
            layout=ipywidgets.Layout(flex_flow="row wrap", align_items="flex-start"),
        )
        super().__init__([self.status, body])
        traitlets.link((self.layer, "value"), (self, "selected"))
        self.observe(self._render, names="selected")
        self._render()

    @property
    def trace(self) -> ShapeTrace:
        """The finished trace (runs the forward pass first if it has not run yet)."""
        self.finish()
        if self._error:
            raise ValueError(self._error)
        return self._trace

    @property
    def pending(self) -> bool:
        """True while the forward pass of the batch has not run."""
        return self._pending is not None

    def _pending_work(self) -> Any:
        return self._run if self._pending is not None else None

    def _run(self, on_step: StepFn | None = None) -> None:
        """The forward pass; a model that fails shows (and stores) its one-line error."""
        pending, self._pending = self._pending, None
        if pending is None:
            return
        try:
            self._trace = pending.run(on_step)
        except ValueError as error:
            self._error = str(error)
        except BaseException:  # interrupted (KeyboardInterrupt): run again when next asked
            self._pending = pending
            raise
        finally:
            self._render()

    def to_text(self) -> str:
        """The plain-text table."""
        return self.trace.to_text()

    @property
    def rows(self) -> Any:
        """Every layer call, with symbolic and actual shapes."""
        return self.trace.rows

    def picture_png(self, key: str) -> bytes | None:
        """PNG of a layer's feature maps or histogram (``None`` if it has no picture)."""
        return self.trace.picture_png(key)

    def _render(self, change: Any = None) -> None:
        trace = self._trace
        self.html.value = shapes_html(trace, self.selected, pictures=0)
        if self._pending is not None:
            note = i18n.t("shapes.pending", batch=self._pending.batch)
            self.status.value = f"<p><i>{esc(note)}</i></p>"
        elif self._error:
            self.status.value = f"<p class='bad'>{esc(self._error)}</p>"
        else:
            self.status.value = ""
        png = trace.picture_png(self.selected) if self.selected else None
        self.image.value = png or b""
        self.image.layout.display = None if png else "none"
        if not self.selected:
            hint = i18n.t("shapes.hint")
            self.caption.value = f"<i>{esc(hint)}</i>" if trace.traced or self.pending else ""
        elif png is None and self._pending is not None:
            self.caption.value = f"<i>{esc(i18n.t('shapes.picture_pending'))}</i>"
        elif png is None:
            self.caption.value = f"<i>{esc(i18n.t('shapes.no_picture', name=self.selected))}</i>"
        else:
            self.caption.value = ""

    def _lens_text(self) -> str:
        t = self._trace
        n = len(t.rows)
        head = f"<Shapes {t.name!r}: {n} layer output{'' if n == 1 else 's'}"
        if self._pending is not None:
            return f"{head}, tracing a batch of {self._pending.batch}>"
        if self._error:
            return f"{head}, the trace failed: {self._error}>"
        if not t.traced:
            return head + ", symbolic only>"
        bad = len(t.mismatches)
        verdict = "all fit" if not bad else f"{bad} do NOT fit"
        return f"{head}, traced with a batch of {t.batch}: {verdict}>"

    def _lens_html(self) -> str:
        html = shapes_html(self._trace, self.selected, stored=True)
        if self._pending is not None:  # shown only until the display is updated
            html = f"<p><i>{esc(i18n.t('shapes.pending', batch=self._pending.batch))}</i></p>{html}"
        if self._error:
            html = f"<p><b>{esc(self._error)}</b></p>{html}"
        return static.block("shapes", html)
