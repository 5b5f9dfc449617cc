"""Training curves as a small SVG: what ``LivePlot`` redraws while ``fit`` runs.

A renderer: numbers in, SVG text out (no matplotlib, no widgets). One frame takes about 10 ms
(2,500 batch points, 2 panels, on a busy 2-core machine) where a matplotlib PNG of the same
curves takes 0.2-1 s, so a plot can follow every batch without slowing training
(``benchmarks/bench_liveplot.py``). One panel per metric, side by side; each panel has its
curves (``loss`` and ``val_loss``), epoch markers, thin per-batch lines, a grid with round
ticks, a title and a legend.

Example:
    >>> svg = curves_svg([["loss", "val_loss"]], {"loss": [0.9, 0.5], "val_loss": [1.0, 0.7]})
    >>> svg.startswith("<svg") and svg.count("<polyline") == 2
    True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

from keras_lens.render._html import esc

__all__ = ["COLOURS", "curves_svg", "nice_ticks"]

#: Curve colours, in order within a panel (matplotlib's first two, as the final figure uses).
COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728")
_TEXT, _GRID, _AXIS = "#222", "#e3e3e3", "#777"
_MARGIN = {"left": 52, "right": 12, "top": 26, "bottom": 36}
_FONT = "font-family='sans-serif'"


def nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    """About ``count`` round tick values (steps of 1, 2 or 5 times a power of ten) in [low, high].

    Example:
        >>> nice_ticks(0.12, 0.93)
        [0.2, 0.4, 0.6, 0.8]
    """
    if not (math.isfinite(low) and math.isfinite(high)) or high <= low:
        return [low] if math.isfinite(low) else []
    span = high - low
    power = 10 ** math.floor(math.log10(span / max(count, 1)))
    step = min((m * power for m in (1, 2, 5, 10)), key=lambda s: abs(span / s - count))
    first = math.ceil(low / step - 1e-9) * step
    ticks, i = [], 0
    while first + i * step <= high + step * 1e-9:
        ticks.append(round(first + i * step, 12))
        i += 1
    return ticks


def curves_svg(
    panels: Sequence[Sequence[str]],
    history: Mapping[str, Sequence[float]],
    batch_history: Mapping[str, Sequence[tuple[float, float]]] | None = None,
    size: tuple[int, int] = (640, 240),
    x_label: str = "epoch",
) -> str:
    """The SVG of ``panels`` (e.g. ``[["loss", "val_loss"], ["accuracy"]]``).

    ``history[name]`` holds one value per epoch (drawn at x = 1, 2, ...; NaN leaves a gap);
    ``batch_history[name]`` holds ``(fractional epoch, value)`` points drawn as a thin line.
    ``size`` is the whole picture in pixels.
    """
    batch_history = batch_history or {}
    width, height = (max(int(v), 1) for v in size)
    panel_width = width / max(len(panels), 1)
    parts = [
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
        f"viewBox='0 0 {width} {height}' {_FONT} font-size='12'>",
        f"<rect width='{width}' height='{height}' fill='white'/>",
    ]
    for index, names in enumerate(panels):
        parts.append(
            _panel(names, history, batch_history, index * panel_width, panel_width, height, x_label)
        )
    parts.append("</svg>")
    return "".join(parts)


def _panel(
    names: Sequence[str],
    history: Mapping[str, Sequence[float]],
    batch_history: Mapping[str, Sequence[tuple[float, float]]],
    left: float,
    width: float,
    height: float,
    x_label: str,
) -> str:
    x0, x1 = left + _MARGIN["left"], left + width - _MARGIN["right"]
    y0, y1 = _MARGIN["top"], height - _MARGIN["bottom"]
    epoch_points = {n: [(i + 1.0, v) for i, v in enumerate(history.get(n, ()))] for n in names}
    batch_points = {n: list(batch_history.get(n, ())) for n in names}
    xs = [x for pts in (*epoch_points.values(), *batch_points.values()) for x, _ in pts]
    ys = [
        y
        for pts in (*epoch_points.values(), *batch_points.values())
        for _, y in pts
        if math.isfinite(y)
    ]
    x_low = 0.0 if any(batch_points.values()) else 1.0
    x_high = max([x_low + 1.0, *xs])
    x_pad = (x_high - x_low) * 0.03  # markers at the first and last epoch stay whole
    x_low, x_high = x_low - x_pad, x_high + x_pad
    y_low, y_high = (min(ys), max(ys)) if ys else (0.0, 1.0)
    pad = (y_high - y_low) * 0.06 or abs(y_high) * 0.05 or 0.5
    y_low, y_high = y_low - pad, y_high + pad

    def px(x: float) -> float:
        return x0 + (x - x_low) / (x_high - x_low) * (x1 - x0)

    def py(y: float) -> float:
        return y1 - (y - y_low) / (y_high - y_low) * (y1 - y0)

    title = esc(names[0] if names else "")
    out = [f"<g class='panel'><title>{title}</title>"]
    for tick in nice_ticks(y_low, y_high):
        y = py(tick)
        out.append(
            f"<line x1='{x0:.1f}' x2='{x1:.1f}' y1='{y:.1f}' y2='{y:.1f}' stroke='{_GRID}'/>"
            f"<text x='{x0 - 5:.1f}' y='{y + 4:.1f}' text-anchor='end' fill='{_TEXT}'>"
            f"{tick:.4g}</text>"
        )
    for tick in _epoch_ticks(x_low, x_high):
        x = px(tick)
        out.append(
            f"<line x1='{x:.1f}' x2='{x:.1f}' y1='{y0:.1f}' y2='{y1:.1f}' stroke='{_GRID}'/>"
            f"<text x='{x:.1f}' y='{y1 + 15:.1f}' text-anchor='middle' fill='{_TEXT}'>"
            f"{tick}</text>"
        )
    out.append(
        f"<rect x='{x0:.1f}' y='{y0:.1f}' width='{x1 - x0:.1f}' height='{y1 - y0:.1f}' "
        f"fill='none' stroke='{_AXIS}'/>"
        f"<text x='{(x0 + x1) / 2:.1f}' y='{height - 6:.1f}' text-anchor='middle' "
        f"fill='{_TEXT}'>{esc(x_label)}</text>"
        f"<text x='{(x0 + x1) / 2:.1f}' y='17' text-anchor='middle' font-size='13' "
        f"font-weight='bold' fill='{_TEXT}'>{title}</text>"
    )
    limit = max(int(x1 - x0), 2)  # at most ~one point per pixel: a long run stays light
    for i, name in enumerate(names):
        colour = COLOURS[i % len(COLOURS)]
        for line in _segments(_thin(batch_points[name], limit)):
            out.append(
                f"<polyline class='batch' points='{_points(line, px, py)}' fill='none' "
                f"stroke='{colour}' stroke-width='1' stroke-opacity='0.55'/>"
            )
        epochs = epoch_points[name]
        for line in _segments(epochs):
            out.append(
                f"<polyline class='epoch' points='{_points(line, px, py)}' fill='none' "
                f"stroke='{colour}' stroke-width='1.6'/>"
            )
        if len(epochs) <= 60:
            out.extend(
                f"<circle cx='{px(x):.1f}' cy='{py(y):.1f}' r='3' fill='{colour}'/>"
                for x, y in epochs
                if math.isfinite(y)
            )
    out.append(_legend(names, x1))
    out.append("</g>")
    return "".join(out)


def _legend(names: Sequence[str], right: float) -> str:
    box_width = 24 + 7 * max((len(n) for n in names), default=0)
    left = right - box_width - 6
    rows = [
        f"<rect x='{left:.1f}' y='{_MARGIN['top'] + 4}' width='{box_width}' "
        f"height='{6 + 16 * len(names)}' fill='white' fill-opacity='0.85' stroke='{_GRID}'/>"
    ]
    for i, name in enumerate(names):
        y = _MARGIN["top"] + 17 + 16 * i
        colour = COLOURS[i % len(COLOURS)]
        rows.append(
            f"<line x1='{left + 5:.1f}' x2='{left + 19:.1f}' y1='{y - 4}' y2='{y - 4}' "
            f"stroke='{colour}' stroke-width='2'/>"
            f"<text x='{left + 23:.1f}' y='{y}' fill='{_TEXT}'>{esc(name)}</text>"
        )
    return f"<g class='legend'>{''.join(rows)}</g>"


def _epoch_ticks(low: float, high: float) -> list[int]:
    """Whole epochs only, about 8 at most."""
    step = max(1, math.ceil((high - low) / 8))
    start = math.ceil(low)
    if start == 0:
        start = step if step > 1 else 0
    return list(range(start, math.floor(high) + 1, step))


def _thin(points: list[tuple[float, float]], limit: int) -> list[tuple[float, float]]:
    if len(points) <= limit:
        return points
    step = len(points) / limit
    kept = [points[int(i * step)] for i in range(limit)]
    return kept if kept[-1] == points[-1] else [*kept, points[-1]]


def _segments(points: list[tuple[float, float]]) -> list[list[tuple[float, float]]]:
    """Runs of finite points (a NaN value breaks the line, as matplotlib does)."""
    runs: list[list[tuple[float, float]]] = [[]]
    for x, y in points:
        if math.isfinite(y):
            runs[-1].append((x, y))
        elif runs[-1]:
            runs.append([])
    return [run for run in runs if run]


def _points(
    line: list[tuple[float, float]], px: Callable[[float], float], py: Callable[[float], float]
) -> str:
    return " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in line)
