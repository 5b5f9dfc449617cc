"""Shape playground: how kernel, stride, padding and dilation decide a layer's output shape.

``conv_output_shape`` is the pure-Python arithmetic (no Keras import) and returns a record with
the output shape, the parameter count and every step of the calculation; ``playground()`` wraps
it in sliders and dropdowns.

Example:
    >>> r = conv_output_shape("Conv2D", input_size=28, channels=1, kernel=3, filters=32)
    >>> r.output_shape, r.params
    ((None, 26, 26, 32), 320)
    >>> r.steps[-1]
    'out = floor((28 - 3 + 0)/1) + 1 = 26'
"""

from __future__ import annotations

import html
import math
import numbers as numbers_
from dataclasses import dataclass
from typing import Any

import ipywidgets

from keras_lens.records.formulas import param_formula
from keras_lens.render import formula_words, static, theme
from keras_lens.views._widgets import LensBox

__all__ = ["LAYERS", "Playground", "ShapeArithmetic", "conv_output_shape", "playground"]

#: The layer classes the playground knows, in menu order.
LAYERS: tuple[str, ...] = (
    "Conv2D",
    "MaxPooling2D",
    "AveragePooling2D",
    "Conv2DTranspose",
    "UpSampling2D",
)
_CONV = ("Conv2D", "Conv2DTranspose")
_POOL = ("MaxPooling2D", "AveragePooling2D")
#: Which settings each layer uses (the others are ignored and reported in ``notes``).
USES: dict[str, tuple[str, ...]] = {
    "Conv2D": ("kernel", "stride", "padding", "dilation", "filters"),
    "Conv2DTranspose": ("kernel", "stride", "padding", "dilation", "filters"),
    "MaxPooling2D": ("kernel", "stride", "padding"),
    "AveragePooling2D": ("kernel", "stride", "padding"),
    "UpSampling2D": ("stride",),
}


@dataclass(frozen=True)
class ShapeArithmetic:
    """The result of ``conv_output_shape``.

    Attributes:
        layer: the layer class name.
        input_shape: ``(None, size, size, channels)``.
        output_shape: the output shape, or ``None`` when Keras would reject the settings.
        params: number of parameters (0 for pooling and upsampling).
        param_text: the parameter arithmetic, e.g. ``"(3*3*1+1)*32 = 320"``.
        steps: the output-size arithmetic, one line per step.
        problem: why the settings are invalid ("" when ``valid``).
        notes: settings that this layer ignores.
        code: the Keras call that builds this layer.
    """

    layer: str
    input_shape: tuple[int | None, ...]
    output_shape: tuple[int | None, ...] | None
    params: int
    param_text: str
    steps: tuple[str, ...]
    problem: str
    notes: tuple[str, ...]
    code: str

    @property
    def valid(self) -> bool:
        """True if Keras accepts the settings and the output is not empty."""
        return self.output_shape is not None

    def to_text(self) -> str:
        """Plain-text report: input, steps, output shape and parameters."""
        lines = [f"{self.code}", f"input shape:  {self.input_shape}", *self.steps]
        if self.valid:
            lines.append(f"output shape: {self.output_shape}")
            lines.append(f"parameters:   {self.param_text}")
        else:
            lines.append(f"invalid: {self.problem}")
        return "\n".join(lines + [f"note: {n}" for n in self.notes])


def conv_output_shape(
    layer: str = "Conv2D",
    input_size: int = 28,
    channels: int = 1,
    kernel: int = 3,
    stride: int = 1,
    padding: str = "valid",
    dilation: int = 1,
    filters: int = 32,
) -> ShapeArithmetic:
    """Output shape and parameter count of a square 2-D layer, with the arithmetic spelled out.

    For ``UpSampling2D`` the upsampling factor ``size`` is ``stride``. Settings that Keras rejects
    (``strides > 1`` with ``dilation_rate > 1``, a kernel that does not fit a 'valid' input) give
    a record with ``output_shape=None`` and ``problem`` explaining why.

    Example:
        >>> r = conv_output_shape("MaxPooling2D", input_size=26, channels=32, kernel=2, stride=2)
        >>> r.output_shape
        (None, 13, 13, 32)
    """
    if layer not in LAYERS:
        raise ValueError(f"layer must be one of {', '.join(LAYERS)}; got {layer!r}.")
    numbers = dict(
        input_size=input_size,
        channels=channels,
        kernel=kernel,
        stride=stride,
        dilation=dilation,
        filters=filters,
    )
    for name, value in numbers.items():
        if isinstance(value, bool) or not isinstance(value, numbers_.Integral) or value < 1:
            raise ValueError(f"{name} must be a whole number >= 1; got {value!r}.")
    input_size, channels, kernel, stride, dilation, filters = (int(v) for v in numbers.values())
    numbers = {name: int(value) for name, value in numbers.items()}
    if padding not in ("valid", "same"):
        raise ValueError(f"padding must be 'valid' or 'same'; got {padding!r}.")
    uses = USES[layer]
    notes = tuple(
        f"{name}={numbers[name]} does not apply to {layer} (ignored)"
        for name in ("kernel", "stride", "dilation", "filters")
        if name not in uses and numbers[name] != _DEFAULTS[name]
    )
    if "padding" not in uses and padding != "valid":
        notes += (f"padding={padding!r} does not apply to {layer} (ignored)",)
    code = _code(layer, kernel, stride, padding, dilation, filters)
    input_shape = (None, input_size, input_size, channels)
    out_channels = filters if layer in _CONV else channels
    params, param_text = _params(layer, kernel, channels, filters)
    problem = ""
    if layer in _CONV and stride > 1 and dilation > 1:
        problem = (
            f"Keras rejects strides > 1 together with dilation_rate > 1 (ValueError; got "
            f"strides={stride}, dilation_rate={dilation}). Use a stride or a dilation, not both."
        )
        steps: tuple[str, ...] = ()
        size: int | None = None
    else:
        steps, size = _size(layer, input_size, kernel, stride, padding, dilation)
        if size is not None and size <= 0:
            effective = dilation * (kernel - 1) + 1
            what = "window" if layer in _POOL else "kernel"
            problem = (
                f"the {what} ({effective}x{effective}) is larger than the {input_size}x"
                f"{input_size} input: with padding='valid' it fits nowhere, so the output would be "
                f"empty (size {size}) and Keras raises ValueError. Use padding='same', a smaller "
                f"{what} or a bigger input."
            )
    output = None if problem else (None, size, size, out_channels)
    return ShapeArithmetic(
        layer, input_shape, output, params, param_text, steps, problem, notes, code
    )


_DEFAULTS = {"kernel": 3, "stride": 1, "dilation": 1, "filters": 32}


def _size(layer: str, n: int, k: int, s: int, padding: str, d: int) -> tuple[tuple[str, ...], int]:
    steps: list[str] = []
    k_eff = k
    if layer in _CONV and d > 1:
        k_eff = d * (k - 1) + 1
        steps.append(f"effective kernel = dilation*(kernel-1) + 1 = {d}*({k}-1) + 1 = {k_eff}")
    if layer == "UpSampling2D":
        return (f"out = in*size = {n}*{s} = {n * s}",), n * s
    if layer == "Conv2DTranspose":
        if padding == "same":
            return (*steps, f"out = in*stride = {n}*{s} = {n * s}  (padding='same')"), n * s
        size = (n - 1) * s + max(k_eff, s)
        steps.append(
            f"out = (in - 1)*stride + max(kernel, stride) = ({n} - 1)*{s} + max({k_eff}, {s})"
            f" = {size}  (padding='valid')"
        )
        return tuple(steps), size
    if padding == "same":
        size = math.ceil(n / s)
        pad = max((size - 1) * s + k_eff - n, 0)
        steps.append(
            "'same' pads the border with zeros: total padding = max((out - 1)*stride + kernel"
            f" - in, 0) = max(({size} - 1)*{s} + {k_eff} - {n}, 0) = {pad}"
        )
        steps.append(f"out = ceil(in/stride) = ceil({n}/{s}) = {size}")
        return tuple(steps), size
    size = (n - k_eff) // s + 1
    steps.append("out = floor((in - kernel + 2*pad)/stride) + 1, pad = 0 for 'valid'")
    steps.append(f"out = floor(({n} - {k_eff} + 0)/{s}) + 1 = {size}")
    return tuple(steps), size


def _params(layer: str, k: int, channels: int, filters: int) -> tuple[int, str]:
    if layer == "Conv2D":
        formula = param_formula(layer, {"use_bias": True}, [(k, k, channels, filters), (filters,)])
    elif layer == "Conv2DTranspose":
        formula = param_formula(layer, {"use_bias": True}, [(k, k, filters, channels), (filters,)])
    else:
        return 0, "0 (no weights: the layer only rearranges its input)"
    why = formula_words.explanation(formula)
    return formula.total, f"{formula.text} = {formula.total:,}  [{why}]"


def _code(layer: str, k: int, s: int, padding: str, d: int, f: int) -> str:
    if layer == "UpSampling2D":
        return f"layers.UpSampling2D(size={s})"
    if layer in _POOL:
        return f"layers.{layer}(pool_size={k}, strides={s}, padding={padding!r})"
    return f"layers.{layer}({f}, {k}, strides={s}, padding={padding!r}, dilation_rate={d})"


def _html(result: ShapeArithmetic) -> str:
    esc = html.escape
    rows = [
        f"<code>{esc(result.code)}</code>",
        f"input shape: <b>{esc(str(result.input_shape))}</b>",
    ]
    rows += [f"<code>{esc(step)}</code>" for step in result.steps]
    if result.valid:
        rows.append(f"output shape: <b>{esc(str(result.output_shape))}</b>")
        rows.append(f"parameters: <code>{esc(result.param_text)}</code>")
    else:
        rows.append(f"<span class='kl-error'>invalid: {esc(result.problem)}</span>")
    rows += [f"<i>note: {esc(note)}</i>" for note in result.notes]
    return theme.STYLE + "<div class='keras-lens-playground'>" + "<br>".join(rows) + "</div>"


def playground(**settings: Any) -> Any:
    """An interactive widget: pick a layer, move the sliders, read the output shape and params.

    Keyword arguments set the starting values (the names of ``conv_output_shape``).

    Example:
        >>> import keras_lens
        >>> keras_lens.playground(layer="Conv2D", input_size=28, kernel=5)  # doctest: +SKIP
    """
    unknown = sorted(set(settings) - set(_START))
    if unknown:
        raise TypeError(
            f"keras_lens.playground() has no setting {', '.join(map(repr, unknown))}; "
            f"settings: {', '.join(_START)}."
        )
    start = {**_START, **settings}
    conv_output_shape(**start)  # validate the starting values with a clear error
    whole = ("input_size", "channels", "kernel", "stride", "dilation", "filters")
    return Playground({**start, **{name: int(start[name]) for name in whole}})


_START: dict[str, Any] = {
    "layer": "Conv2D",
    "input_size": 28,
    "channels": 1,
    "kernel": 3,
    "stride": 1,
    "padding": "valid",
    "dilation": 1,
    "filters": 32,
}


class Playground(LensBox):
    """The playground widget; ``result`` is the current ``ShapeArithmetic``."""

    def __init__(self, start: dict[str, Any]) -> None:
        slider = {"continuous_update": False, "style": {"description_width": "90px"}}

        def int_slider(name: str, top: int, description: str) -> ipywidgets.IntSlider:
            # never clamp a starting value: the slider reaches at least as far as it
            value = start[name]
            return ipywidgets.IntSlider(
                value, 1, max(top, value), description=description, **slider
            )

        self.controls: dict[str, Any] = {
            "layer": ipywidgets.Dropdown(options=LAYERS, value=start["layer"], description="layer"),
            "input_size": int_slider("input_size", 128, "input size"),
            "channels": int_slider("channels", 64, "channels"),
            "kernel": int_slider("kernel", 11, "kernel"),
            "stride": int_slider("stride", 4, "stride"),
            "padding": ipywidgets.Dropdown(
                options=("valid", "same"), value=start["padding"], description="padding"
            ),
            "dilation": int_slider("dilation", 4, "dilation"),
            "filters": int_slider("filters", 128, "filters"),
        }
        self.output = ipywidgets.HTML()
        self.result = conv_output_shape(**start)
        super().__init__([*self.controls.values(), self.output])
        for control in self.controls.values():
            control.observe(self._update, names="value")
        self._update()

    def settings(self) -> dict[str, Any]:
        """The current values of the controls (arguments of ``conv_output_shape``)."""
        values = {name: control.value for name, control in self.controls.items()}
        uses = USES[values["layer"]]
        for name, default in (*_DEFAULTS.items(), ("padding", "valid")):
            if name not in uses:
                values[name] = default
        return values

    def _update(self, change: Any = None) -> None:
        layer = self.controls["layer"].value
        for name in ("kernel", "stride", "padding", "dilation", "filters"):
            self.controls[name].disabled = name not in USES[layer]
        self.controls["stride"].description = "size" if layer == "UpSampling2D" else "stride"
        self.result = conv_output_shape(**self.settings())
        self.output.value = _html(self.result)

    def _lens_text(self) -> str:
        r = self.result
        shown = r.output_shape if r.valid else "invalid"
        return f"<Playground {r.layer}: {r.input_shape} -> {shown}, {r.params:,} params>"

    def _lens_html(self) -> str:
        return static.block("playground", _html(self.result))
