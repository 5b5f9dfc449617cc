"""Static renderings that every notebook viewer shows: untrusted Jupyter, nbconvert, GitHub.

Each view's ``_lens_html()`` builds its stored ``text/html`` from these pieces. The HTML keeps
to what JupyterLab's sanitiser (``@jupyterlab/apputils`` ``Sanitizer``, used for untrusted
outputs) lets through: ``div``/``p``/``table``/``img``/``details``/``summary``/``pre``/``code``
and friends, the ``class``/``title``/``style`` attributes, inline CSS whose values are plain
lengths or literal colours (``var(--jp-…)`` is dropped there), ``<img src="data:…">``. It drops
``<svg>`` (leaving its ``<title>`` texts, internal ids such as ``L0->L1``, as loose text),
``<style>`` (with its content) and ``data-*`` attributes. So:

* a drawing is an ``<img>`` whose ``src`` is the SVG as a base64 ``data:`` URI (``svg_img``);
* tables carry ``border``/``cellpadding`` attributes, so they have rules without any CSS;
* nothing sets a text colour: text inherits the viewer's own, readable in light and dark themes;
* every output stays under ``MAX_BYTES``; longer tables keep their first and last rows and say
  how many were left out (``elide``), and ``fit`` replaces anything still too big by its text.

Example:
    >>> html = svg_img('<svg xmlns="http://www.w3.org/2000/svg" width="10pt" height="5pt">'
    ...                '<title>L0</title></svg>', "a drawing")
    >>> html.startswith('<img class="keras-lens-drawing" alt="a drawing" src="data:image/svg+xml')
    True
    >>> clean_svg('<svg width="1pt"><title>L0</title><text x="1.234">L0</text></svg>')
    '<svg width="1pt"><text x="1.2">L0</text></svg>'
    >>> elide(list("abcdefghijklmnop"), head=2, tail=1, note=lambda n: f"({n} more)")
    ['a', 'b', '(13 more)', 'p']
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from keras_lens import i18n
from keras_lens.render._html import esc

__all__ = [
    "HEAD_ROWS",
    "MAX_BYTES",
    "MAX_PICTURE_LAYERS",
    "TAIL_ROWS",
    "block",
    "clean_svg",
    "elide",
    "fit",
    "graph_html",
    "layer_rows_html",
    "note",
    "rows_note",
    "size",
    "svg_img",
    "table_open",
]

#: Upper bound of one stored ``text/html`` (bytes of UTF-8).
MAX_BYTES = 300_000
#: Tables longer than HEAD_ROWS + TAIL_ROWS (+ a few) keep these rows and a note between.
HEAD_ROWS, TAIL_ROWS = 40, 10
#: Models with at least this many layers get no per-layer pictures in the static copy.
MAX_PICTURE_LAYERS = 100

i18n.register(
    {
        "static.rows_left_out": (
            "… {n} rows in the middle are left out of this stored copy; run the cell to see "
            "every row in the live widget …",
            "…… 中间的 {n} 行没有保存在这份静态副本里；"
            "运行这个单元格，即可在交互控件里查看全部行 ……",
        ),
        "static.too_big": (
            "This output is too large to store ({kb:,} KB > {limit:,} KB); run the cell to see "
            "it live. Its summary:",
            "这个输出太大，无法保存（{kb:,} KB > {limit:,} KB）；运行这个单元格即可查看交互版本。"
            "摘要如下：",
        ),
        "static.graph_alt": (
            "Layer graph of {name}: {layers}",
            "{name} 的层结构图：{layers}",
        ),
        "shapes.no_stored_pictures": (
            "No pictures in this stored copy ({n} layers); run the cell and pick a layer to "
            "see its feature maps or histogram.",
            "这份静态副本不含图片（共 {n} 层）；"
            "运行这个单元格并选择一层，即可查看它的特征图或直方图。",
        ),
        "static.layers_as_text": ("the layers as text", "以文字列出的各层"),
        "static.drawing_too_big": (
            "The drawing ({kb:,} KB) is too large to store; run the cell to see it live.",
            "这张图（{kb:,} KB）太大，无法保存；运行这个单元格即可查看交互版本。",
        ),
    }
)

_TITLE = re.compile(r"<title>.*?</title>", re.S)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_PROLOGUE = re.compile(r"^.*?(?=<svg)", re.S)
_BLANK = re.compile(r">\s+<")
_LINK = re.compile(r"</?a\b[^>]*>")  # tooltip anchors: an image shows no tooltips
_TAG = re.compile(r"<[^>]+>")
_ID_CLASS = re.compile(r'\s(?:id|class)="[^"]*"')
_DECIMALS = re.compile(r"(\d\.\d)\d+")
_INHERITED = ("font-family", "font-size", "text-anchor")  # inherited: said once, on the root
_BARE_G = re.compile(r"<g>")
_OPEN_G = re.compile(r"<g\s[^>]*>")
_SIZE = re.compile(r'<svg[^>]*?\swidth="([\d.]+)pt"[^>]*?\sheight="([\d.]+)pt"', re.S)

T = TypeVar("T")


def size(html: str) -> int:
    """Bytes of ``html`` as stored (UTF-8)."""
    return len(html.encode("utf-8"))


def clean_svg(svg: str) -> str:
    """The SVG as small as it draws the same: no XML prologue, comments, ``<title>`` elements
    (Graphviz's internal ids: an image shows no tooltips, and ids must not leak into any text),
    tooltip links, ids or classes; coordinates to 0.1 pt; a single font named once."""
    svg = _PROLOGUE.sub("", svg, count=1)
    svg = _COMMENT.sub("", svg)
    svg = _TITLE.sub("", svg)
    svg = _LINK.sub("", svg)
    # inside tags only (never in a text): no ids or classes; coordinates to 1/10 pt
    svg = _TAG.sub(lambda m: _DECIMALS.sub(r"\1", _ID_CLASS.sub("", m.group())), svg)
    for name in _INHERITED:  # the most common value goes on the root, the others stay
        pattern = re.compile(rf'\s{name}="([^"]*)"')
        values = pattern.findall(svg)
        if values:
            common = max(set(values), key=values.count)
            svg = _TAG.sub(lambda m, a=f' {name}="{common}"': m.group().replace(a, ""), svg)
            svg = svg.replace("<svg", f'<svg {name}="{common}"', 1)
    if len(_OPEN_G.findall(svg)) == 1:  # groups without attributes draw nothing of their own
        svg = _BARE_G.sub("", svg).replace("</g>", "")
        svg = svg.replace("</svg>", "</g></svg>")
    return _BLANK.sub("><", svg).strip()


def svg_img(svg: str, alt: str, *, budget: int = MAX_BYTES) -> str:
    """``<img>`` showing ``svg`` through a base64 ``data:`` URI (sanitiser-safe), at its natural
    size but never wider than the output area; a note instead when it exceeds ``budget``."""
    svg = clean_svg(svg)
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    if len(data) > budget:
        return note(i18n.t("static.drawing_too_big", kb=len(data) // 1000))
    dims = ""
    match = _SIZE.search(svg)
    if match:  # Graphviz sizes in points; CSS px = pt * 4/3
        width, height = (round(float(v) * 4 / 3) for v in match.groups())
        dims = f' width="{width}" height="{height}"'
    return (
        f'<img class="keras-lens-drawing" alt="{esc(alt)}" src="data:image/svg+xml;base64,{data}"'
        f'{dims} style="max-width:100%;height:auto"/>'
    )


def note(text: str) -> str:
    """An italic paragraph (no colour: it inherits the viewer's text colour)."""
    return f'<p style="margin:4px 0"><i>{esc(text)}</i></p>'


def table_open(css_class: str = "") -> str:
    """``<table>`` with rules drawn by attributes, so it has them even where CSS is dropped."""
    cls = f' class="{esc(css_class)}"' if css_class else ""
    return (
        f'<table{cls} border="1" cellpadding="3" cellspacing="0" '
        'style="border-collapse:collapse;font-family:monospace;font-size:12px">'
    )


def elide(
    rows: Sequence[T],
    *,
    head: int = HEAD_ROWS,
    tail: int = TAIL_ROWS,
    note: Callable[[int], T] | None = None,
) -> list[T]:
    """The first ``head`` and last ``tail`` rows with ``note(n_left_out)`` between them (all rows
    when there are not many more than that)."""
    rows = list(rows)
    if len(rows) <= head + tail + 5:
        return rows
    left_out = len(rows) - head - tail
    middle = [note(left_out)] if note is not None else []
    return [*rows[:head], *middle, *rows[len(rows) - tail :]]


def rows_note(n: int, columns: int) -> str:
    """A table row saying ``n`` rows were left out (for ``elide``)."""
    text = esc(i18n.t("static.rows_left_out", n=n))
    return f'<tr><td colspan="{columns}"><i>{text}</i></td></tr>'


def block(kind: str, body: str) -> str:
    """Wrap a view's static HTML: ``<div class="keras-lens-static keras-lens-static-<kind>">``."""
    return f'<div class="keras-lens-static keras-lens-static-{esc(kind)}">{body}</div>'


def fit(html: str, text: str, *, budget: int = MAX_BYTES) -> str:
    """``html`` if it is at most ``budget`` bytes, else a note and ``text`` (the plain summary)."""
    if size(html) <= budget:
        return html
    message = i18n.t("static.too_big", kb=size(html) // 1000, limit=budget // 1000)
    return block("summary", note(message) + f"<pre>{esc(text[: budget // 2])}</pre>")


def graph_html(
    graph: Any,
    svg: str,
    fallback: str,
    notes: str = "",
    details: str = "",
    *,
    budget: int | None = None,
) -> str:
    """A layer graph: ``notes``, the drawing as an ``<img>`` (``fallback``, e.g. the layer list
    and why there is no drawing, when ``svg`` is empty), the layers as text in a closed
    ``<details>`` and the picked layer's ``details``."""
    budget = (MAX_BYTES if budget is None else budget) - size(notes) - size(details) - 2_000
    from keras_lens.render.details import layer_list_html

    listing = layer_list_html(graph) if svg else ""
    if size(listing) > min(60_000, budget // 4):
        listing = layer_rows_html(graph)  # the long list: first and last rows only
    budget -= size(listing)
    layers = [f"{layer.name} ({layer.class_name})" for layer in graph.layers if not layer.implicit]
    shown = ", ".join(layers[:12]) + (f", … ({len(layers)} layers)" if len(layers) > 12 else "")
    if not svg:
        return block("graph", notes + fallback + details)
    alt = i18n.t("static.graph_alt", name=graph.name, layers=shown)
    parts = [notes, svg_img(svg, alt, budget=budget)]
    if listing:
        parts.append(
            f"<details><summary>{esc(i18n.t('static.layers_as_text'))}</summary>{listing}</details>"
        )
    parts.append(details)
    return block("graph", "".join(parts))


def layer_rows_html(graph: Any) -> str:
    """The top-level layers (name, class, output shapes, params), elided like every long table."""
    from keras_lens.records import format_shape

    rows = []
    for layer in graph.layers:
        calls = graph.nodes_of(layer.key) if layer.node_ids else ()
        shapes = "; ".join(format_shape(s) for n in calls for s in n.output_shapes) or "?"
        rows.append(
            f"<tr><td>{esc(layer.name)} ({esc(layer.class_name)})</td><td>{esc(shapes)}</td>"
            f"<td>{layer.params:,}</td></tr>"
        )
    head = "<tr><th>Layer (type)</th><th>Output shape</th><th>Param #</th></tr>"
    body = "".join(elide(rows, note=lambda n: rows_note(n, 3)))
    return f"{table_open()}{head}{body}</table>"
