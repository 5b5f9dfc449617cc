"""The stored ``text/html`` of every entry point survives JupyterLab's sanitiser and stays small.

``ALLOWED`` is the subset of ``@jupyterlab/apputils``' ``Sanitizer`` allow-lists (tags, and
attributes per tag; ``style`` content is dropped; ``data-*`` attributes are dropped, which
loses nothing visible) that the views may use; ``sanitised_text`` is
what an untrusted notebook shows as text: every tag outside the list is removed but its text
stays (that is how ``<svg>`` turned into "L0 digit (InputLayer)… L0->L1"), ``<style>`` goes with
its content. The browser tests (tests/browser/test_untrusted_and_restart.py) check the same in
JupyterLab and Notebook 7.
"""

from __future__ import annotations

import base64
import re
from html.parser import HTMLParser

import keras
import keras_lens
import numpy as np
import pytest
from keras_lens.render import static

_COMMON = {"class", "title", "style", "id", "dir", "lang", "hidden"}
ALLOWED: dict[str, set[str]] = {
    **{
        tag: set()
        for tag in [
            "div",
            "p",
            "b",
            "i",
            "em",
            "strong",
            "br",
            "span",
            "code",
            "pre",
            "ul",
            "ol",
            "li",
            "h3",
            "h4",
            "details",
            "summary",
            "thead",
            "tbody",
            "tfoot",
            "tr",
            "small",
            "sub",
            "sup",
            "hr",
        ]
    },
    "table": {"border", "cellpadding", "cellspacing", "width", "align"},
    "td": {"colspan", "rowspan", "align", "valign", "nowrap", "width"},
    "th": {"colspan", "rowspan", "align", "valign", "nowrap", "width"},
    "img": {"alt", "src", "width", "height"},
}
DROPPED_WITH_CONTENT = {"style", "script"}
INTERNAL_ID = re.compile(r"\bL\d+\b|->")


class _Sanitiser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.bad: list[str] = []
        self.images: list[dict[str, str]] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in DROPPED_WITH_CONTENT:
            self._skip += 1
            return
        if tag not in ALLOWED:
            self.bad.append(f"<{tag}>")
            return
        for name, value in attrs:
            if name not in ALLOWED[tag] | _COMMON and not name.startswith("data-"):
                self.bad.append(f"<{tag} {name}=...>")
            if name == "style" and "var(" in (value or ""):
                self.bad.append(f"<{tag} style> uses var(): dropped by the sanitiser")
        if tag == "img":
            self.images.append(dict(attrs))

    def handle_endtag(self, tag: str) -> None:
        if tag in DROPPED_WITH_CONTENT:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.text.append(data)


def sanitised(html_text: str) -> _Sanitiser:
    parser = _Sanitiser()
    parser.feed(html_text)
    parser.close()
    return parser


def _model() -> keras.Model:
    x = keras.Input(shape=(8, 8, 1), name="digit")
    y = keras.layers.Conv2D(4, 3, name="conv")(x)
    z = keras.layers.Flatten(name="flat")(y)
    out = keras.layers.Dense(3, name="scores")(z)
    return keras.Model(x, out, name="small_cnn")


def _chain(n: int) -> keras.Model:
    x = inputs = keras.Input(shape=(4,), name="start")
    for i in range(n):
        x = keras.layers.Dense(4, name=f"dense_{i:03d}")(x)
    return keras.Model(inputs, x, name="long_chain")


def _views() -> dict[str, object]:
    model = _model()
    batch = np.random.default_rng(0).normal(size=(2, 8, 8, 1)).astype("float32")
    return {
        "graph": keras_lens.graph(model, highlight="conv"),
        "summary": keras_lens.summary(model),
        "shapes": keras_lens.shapes(model, batch),
        "playground": keras_lens.playground(kernel=5, input_size=3),  # invalid: error text
        "compare": keras_lens.compare(model, _model()),
        "inspect": keras_lens.inspect(model, batch, selected="conv"),
    }


@pytest.fixture(scope="module")
def views() -> dict[str, object]:
    return _views()


@pytest.mark.parametrize("name", ["graph", "summary", "shapes", "playground", "compare", "inspect"])
def test_stored_html_survives_the_sanitiser(views, name):
    html_text = views[name]._repr_mimebundle_()["text/html"]
    result = sanitised(html_text)
    assert result.bad == [], f"{name}: the sanitiser would strip {sorted(set(result.bad))}"
    text = " ".join("".join(result.text).split())
    assert not INTERNAL_ID.search(text), f"{name}: internal ids in the text: {text[:400]!r}"
    assert "<svg" not in html_text
    if name in ("graph", "inspect"):
        assert len(result.images) >= 1
        source = result.images[0]["src"]
        assert source.startswith("data:image/svg+xml;base64,")
        svg = base64.b64decode(source.split(",", 1)[1]).decode()
        assert svg.startswith("<svg") and 'xmlns="http://www.w3.org/2000/svg"' in svg
        assert "<title>" not in svg and "conv" in svg
        assert "small_cnn" in result.images[0]["alt"]
    expected = {
        "graph": "conv (Conv2D)",
        "summary": "scores (Dense)",
        "shapes": "flat (Flatten)",
        "playground": "invalid",
        "compare": "4 equal",
        "inspect": "scores (Dense)",
    }[name]
    assert expected in text, f"{name}: {expected!r} missing from {text[:300]!r}"


def test_no_text_colour_in_the_stored_html(views):
    """Stored text inherits the viewer's colour: readable in light and dark themes alike."""
    for name, view in views.items():
        result = sanitised(view._repr_mimebundle_()["text/html"])
        html_text = view._repr_mimebundle_()["text/html"]
        styles = re.findall(r'style="([^"]*)"', re.sub(r"<style>.*?</style>", "", html_text))
        for style in styles:
            assert not re.search(r"(^|;)\s*(color|background)\s*:", style), (name, style)
        assert result.bad == []


def test_long_tables_are_elided_and_carry_no_pictures():
    model = _chain(120)
    batch = np.ones((2, 4), "float32")
    for view in (keras_lens.summary(model), keras_lens.shapes(model, batch)):
        html_text = view._repr_mimebundle_()["text/html"]
        text = "".join(sanitised(html_text).text)
        assert "dense_000" in text and "dense_119" in text  # first and last rows
        assert "dense_060" not in text  # a middle row is left out ...
        assert "rows in the middle are left out" in text  # ... and the note says so
        assert "<img" not in html_text
        assert static.size(html_text) <= static.MAX_BYTES


def test_fit_replaces_an_oversized_output_by_its_text():
    big = "<p>" + "x" * (static.MAX_BYTES + 1) + "</p>"
    out = static.fit(big, "<Summary 'm': 1 layer>")
    assert static.size(out) < 2_000 and "too large to store" in out
    assert "&lt;Summary &#x27;m&#x27;: 1 layer&gt;" in out
    assert static.fit("<p>small</p>", "t") == "<p>small</p>"


def test_drawing_past_the_budget_becomes_a_note():
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="1pt" height="1pt">' + "<g/>" * 500
    assert "<img" in static.svg_img(svg + "</svg>", "d", budget=10_000)
    html_text = static.svg_img(svg + "</svg>", "d", budget=100)
    assert "<img" not in html_text and "too large to store" in html_text
