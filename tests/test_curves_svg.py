"""keras_lens.render.curves_svg: live training curves as SVG (numbers in, SVG out)."""

from __future__ import annotations

import math
from xml.etree import ElementTree

import pytest
from keras_lens.render.curves_svg import COLOURS, curves_svg, nice_ticks

SVG = "{http://www.w3.org/2000/svg}"


def _parse(text: str) -> ElementTree.Element:
    return ElementTree.fromstring(text)


def _lines(root: ElementTree.Element, kind: str) -> list[list[tuple[float, float]]]:
    found = []
    for line in root.iter(f"{SVG}polyline"):
        if line.get("class") == kind:
            found.append([tuple(map(float, p.split(","))) for p in line.get("points").split()])
    return found


def _texts(root: ElementTree.Element) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text")]


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (0.12, 0.93, [0.2, 0.4, 0.6, 0.8]),
        (0.0, 1.0, [0.0, 0.2, 0.4, 0.6, 0.8, 1.0]),
        (-3.0, 1000.0, [0, 200, 400, 600, 800, 1000]),
        (2.3, 2.31, [2.3, 2.302, 2.304, 2.306, 2.308, 2.31]),
    ],
)
def test_ticks_are_round_and_inside_the_range(low, high, expected):
    ticks = nice_ticks(low, high)
    assert ticks == pytest.approx(expected)
    assert all(low - 1e-9 <= t <= high + 1e-9 for t in ticks)


def test_degenerate_ranges_give_one_tick_or_none():
    assert nice_ticks(5.0, 5.0) == [5.0]
    assert nice_ticks(math.nan, 1.0) == []


def test_one_panel_per_metric_with_title_legend_and_colours():
    root = _parse(
        curves_svg(
            [["loss", "val_loss"], ["accuracy"]],
            {"loss": [0.9, 0.5, 0.4], "val_loss": [1.0, 0.7, 0.6], "accuracy": [0.6, 0.8, 0.9]},
            size=(640, 240),
        )
    )
    assert (root.get("width"), root.get("height")) == ("640", "240")
    panels = [g for g in root.iter(f"{SVG}g") if g.get("class") == "panel"]
    assert [p.find(f"{SVG}title").text for p in panels] == ["loss", "accuracy"]
    assert {"loss", "val_loss", "accuracy", "epoch"} <= set(_texts(root))
    strokes = [line.get("stroke") for line in root.iter(f"{SVG}polyline")]
    assert strokes == [COLOURS[0], COLOURS[1], COLOURS[0]]
    assert len(list(root.iter(f"{SVG}circle"))) == 9  # a marker per epoch value


def test_points_follow_the_values():
    """Lower loss is drawn lower (larger y in SVG), later epochs further right; the second
    panel lies right of the first."""
    root = _parse(curves_svg([["loss"], ["mae"]], {"loss": [3.0, 2.0, 1.0], "mae": [1, 2, 3]}))
    loss, mae = _lines(root, "epoch")
    assert [x for x, _ in loss] == sorted(x for x, _ in loss)
    assert loss[0][1] < loss[1][1] < loss[2][1]  # falling values: y grows downwards
    assert mae[0][1] > mae[1][1] > mae[2][1]
    assert min(x for x, _ in mae) > max(x for x, _ in loss)


def test_epoch_ticks_are_whole_numbers():
    root = _parse(curves_svg([["loss"]], {"loss": [1.0, 0.8, 0.7]}))
    numbers = [t for t in _texts(root) if t.replace(".", "", 1).isdigit()]
    assert {"1", "2", "3"} <= set(numbers)
    assert not {"1.5", "2.5"} & set(numbers)


def test_nan_breaks_the_line_instead_of_dropping_to_zero():
    root = _parse(curves_svg([["loss"]], {"loss": [1.0, 0.9, math.nan, 0.5, 0.4]}))
    assert [len(line) for line in _lines(root, "epoch")] == [2, 2]
    assert "nan" not in ElementTree.tostring(root, encoding="unicode").lower()


def test_batch_points_are_a_thin_line_thinned_to_the_width():
    points = [(i / 1000, 1.0 - i / 2000) for i in range(1, 20_001)]  # 20 epochs of 1,000
    text = curves_svg([["loss"]], {"loss": [0.5] * 20}, {"loss": points}, size=(400, 200))
    (batch,) = _lines(_parse(text), "batch")
    assert 100 < len(batch) <= 400  # about one point per pixel, never 20,000
    assert batch[-1][0] == pytest.approx(max(x for x, _ in batch))  # the last point is kept
    assert len(text) < 40_000


def test_names_are_escaped():
    text = curves_svg([["a<b>&'c"]], {"a<b>&'c": [1.0, 2.0]})
    assert "a&lt;b&gt;&amp;&#x27;c" in text
    _parse(text)  # well-formed


def test_no_curves_yet_is_still_a_picture():
    root = _parse(curves_svg([], {}))
    assert root.tag == f"{SVG}svg" and list(root.iter(f"{SVG}polyline")) == []
