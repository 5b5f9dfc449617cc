"""The navigable drawing inside ``keras_lens.graph``: an anywidget with its own page code.

Python renders (DOT -> SVG through Graphviz) and sends ``svg`` plus an ``index`` of what each
box stands for; the ES module ``frontend/graph.js`` zooms, pans, searches, draws the minimap,
selects on click (the ``selected`` trait: a layer key) and exports SVG/PNG, all in the page.
Expanding or collapsing a group or nested model is a message ``{"type": "toggle", "key": ...}``
to Python, which re-renders (see ``GraphView``). anywidget runs under ipywidgets 7 and 8 with
no build step and no extension to enable.

Example:
    >>> canvas = GraphCanvas(svg="<svg></svg>", index={"boxes": {}, "clusters": {}, "edges": []})
    >>> canvas.selected
    ''
"""

from __future__ import annotations

from pathlib import Path

import anywidget
import traitlets

__all__ = ["FRONTEND", "GraphCanvas"]

#: The folder of the front-end files (shipped as package data).
FRONTEND = Path(__file__).parent.parent / "frontend"


class GraphCanvas(anywidget.AnyWidget):
    """SVG drawing + navigation in the page; ``selected`` is synced with the picker."""

    _esm = FRONTEND / "graph.js"
    _css = FRONTEND / "graph.css"

    svg = traitlets.Unicode("").tag(sync=True)
    index = traitlets.Dict().tag(sync=True)
    selected = traitlets.Unicode("").tag(sync=True)
    rankdir = traitlets.Unicode("TB").tag(sync=True)
    name = traitlets.Unicode("model").tag(sync=True)
    labels = traitlets.Dict().tag(sync=True)
    legend = traitlets.List().tag(sync=True)
    summary_text = traitlets.Unicode("").tag(sync=True)
    #: True: ``summary_text`` is made on the first click of "copy summary" (big models)
    summary_lazy = traitlets.Bool(False).tag(sync=True)
