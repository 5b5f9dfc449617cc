"""The colours of every keras_lens widget, derived from JupyterLab's theme variables.

One ``<style>`` block (``STYLE``) defines ``--kl-…`` custom properties from JupyterLab's
``--jp-…`` variables, with a second set for dark themes (JupyterLab and Notebook 7 put
``data-jp-theme-light="false"`` on ``<body>``), and the rules of the classes the views use.
Every rule that sets a background also sets the text colour that goes with it, so each pair
keeps WCAG AA contrast (4.5:1) in JupyterLab Light and JupyterLab Dark; outside Jupyter (no
``--jp-`` variables) the literal fallbacks are the light theme's. The live Graphviz drawing
(``.keras-lens-svg``) gets a transparent background and light strokes in a dark theme.

The views put ``STYLE`` into their live HTML. The static copies stored in a notebook do not
rely on it (the sanitiser of an untrusted notebook removes ``<style>``; see ``static``).

Example:
    >>> from keras_lens.render import theme
    >>> theme.STYLE.startswith("<style>") and "--jp-error-color0" in theme.STYLE
    True
    >>> theme.status_class("only in a")
    'kl-st-only'
"""

from __future__ import annotations

__all__ = ["CSS", "PALETTE", "STYLE", "status_class"]

_DARK = 'body[data-jp-theme-light="false"]'

#: ``--kl-…`` name -> (light value, dark value). Text colours are paired with the background
#: they are drawn on (``--jp-layout-color0/1`` unless the rule sets one).
PALETTE: dict[str, tuple[str, str]] = {
    "text": ("var(--jp-ui-font-color1, rgba(0,0,0,.87))", "var(--jp-ui-font-color1)"),
    "muted": ("var(--jp-ui-font-color1, rgba(0,0,0,.87))", "var(--jp-ui-font-color1)"),
    "error": ("var(--jp-error-color0, #b71c1c)", "var(--jp-error-color2)"),
    "rule": ("var(--jp-border-color2, #e0e0e0)", "var(--jp-border-color1)"),
    "sel-bg": ("var(--jp-warn-color3, #ffe0b2)", "var(--jp-layout-color3)"),
    "sel-fg": ("var(--jp-ui-font-color0, #000)", "var(--jp-ui-font-color0)"),
    "sel-edge": ("var(--jp-warn-color0, #e65100)", "var(--jp-warn-color2)"),
    "same": ("var(--jp-brand-color1, #1976d2)", "var(--jp-brand-color2)"),
    "equal": ("var(--jp-success-color1, #388e3c)", "var(--jp-success-color2)"),
    "differs": ("var(--jp-warn-color1, #f57c00)", "var(--jp-warn-color2)"),
    "only": ("var(--jp-border-color0, #bdbdbd)", "var(--jp-border-color0)"),
    "stroke": ("#555555", "var(--jp-ui-font-color2)"),
}

_STATUS = {
    "same object": "kl-st-same",
    "equal": "kl-st-equal",
    "differs": "kl-st-differs",
    "only in a": "kl-st-only",
    "only in b": "kl-st-only",
}


def status_class(status: str) -> str:
    """The CSS class of a compare row's status (``"kl-st-other"`` for an unknown one)."""
    return _STATUS.get(status, "kl-st-other")


def _variables() -> str:
    light = ";".join(f"--kl-{name}:{pair[0]}" for name, pair in PALETTE.items())
    dark = ";".join(f"--kl-{name}:{pair[1]}" for name, pair in PALETTE.items())
    scope = ".keras-lens,.klens-sum,.klens-shp,.klens-cmp,.keras-lens-playground,.keras-lens-svg"
    dark_scope = ",".join(f"{_DARK} {s}" for s in scope.split(","))
    return f"{scope}{{{light}}}{dark_scope}{{{dark}}}"


_RULES = (
    # tables: rules in the theme's border colour, text in the theme's text colour
    ".klens-sum td,.klens-sum th,.klens-shp td,.klens-shp th,.klens-cmp td,.klens-cmp th"
    "{border:1px solid var(--kl-rule)}"
    # the selected row: a background with its own text colour, and an edge mark
    ".klens-sum tr.sel td,.klens-shp tr.sel td{background:var(--kl-sel-bg);color:var(--kl-sel-fg)}"
    ".klens-sum tr.sel td:first-child,.klens-shp tr.sel td:first-child"
    "{box-shadow:inset 4px 0 0 var(--kl-sel-edge)}"
    # compare: the status is a coloured edge on the first cell, the text keeps the theme colour
    ".klens-cmp tr.kl-st-same td:first-child{border-left:5px solid var(--kl-same)}"
    ".klens-cmp tr.kl-st-equal td:first-child{border-left:5px solid var(--kl-equal)}"
    ".klens-cmp tr.kl-st-differs td:first-child{border-left:5px solid var(--kl-differs)}"
    ".klens-cmp tr.kl-st-only td:first-child{border-left:5px dashed var(--kl-only)}"
    ".kl-error,.klens-shp .bad{color:var(--kl-error);font-weight:bold}"
    ".kl-muted{color:var(--kl-muted)}"
    # ipywidgets' inactive tab titles are --jp-ui-font-color2 on --jp-layout-color2 (4.4:1)
    ".keras-lens .jupyter-widgets.jupyter-widget-tab>.lm-TabBar .lm-TabBar-tab,"
    ".keras-lens .jupyter-widgets.jupyter-widget-tab>.p-TabBar .p-TabBar-tab{color:var(--kl-text)}"
    # a widget restored from stored state without a kernel: one "disconnected" mark, not one
    # per control
    ".keras-lens.jupyter-widgets-disconnected .jupyter-widgets-disconnected::before"
    "{content:none;display:none}"
    # the live Graphviz drawing: no white slab and light strokes in a dark theme
    f"{_DARK} .keras-lens-svg svg g.graph>polygon:first-of-type{{fill:transparent;stroke:none}}"
    f"{_DARK} .keras-lens-svg svg g.edge path{{stroke:var(--kl-stroke)}}"
    f"{_DARK} .keras-lens-svg svg g.edge polygon{{fill:var(--kl-stroke);stroke:var(--kl-stroke)}}"
    f"{_DARK} .keras-lens-svg svg g.edge text,{_DARK} .keras-lens-svg svg g.cluster>text"
    "{fill:var(--kl-text)}"
    f"{_DARK} .keras-lens-svg svg g.node>path,{_DARK} .keras-lens-svg svg g.node>polygon"
    "{stroke:var(--kl-stroke)}"
)

#: The CSS text (without the ``<style>`` tags).
CSS = _variables() + _RULES
#: ``<style>`` block for the live HTML of the views.
STYLE = f"<style>{CSS}</style>"
