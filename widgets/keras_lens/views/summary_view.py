"""``keras_lens.summary(model)``: an interactive ``model.summary()``.

A table with, per layer: name, class, every output shape (never shortened), trainable and
non-trainable parameters with their formula, parameter bytes, activation elements per sample and
"connected to". Nested models expand and collapse; rows filter by text or class and sort by
parameters. Totals equal ``model.count_params()`` and the lines ``model.summary()`` prints.

Example:
    >>> import keras_lens
    >>> s = keras_lens.summary(model)          # doctest: +SKIP
    >>> s                                      # doctest: +SKIP
    <Summary 'mnist_model': 4 layers, 55,050 params (55,050 trainable)>
    >>> print(s.to_text())                     # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import ipywidgets
import traitlets

from keras_lens import i18n
from keras_lens.adapter._checks import graph_of, require_flag
from keras_lens.records import format_shape
from keras_lens.render import static, theme
from keras_lens.render._html import esc
from keras_lens.render.summary_table import (
    SummaryRow,
    SummaryTable,
    build_summary,
    dtype_bytes,
    path_labels,
    readable_bytes,
)
from keras_lens.views._compat import tooltip_kwargs
from keras_lens.views._widgets import LensBox

__all__ = ["Summary", "summary", "summary_html"]

i18n.register(
    {
        "summary.filter": ("filter", "筛选"),
        "summary.filter_hint": ("filter: name or class", "筛选：层名或类名"),
        "summary.class": ("class", "类"),
        "summary.all_classes": ("all classes", "所有类"),
        "summary.sort": ("sort", "排序"),
        "summary.sort_graph": ("graph order", "按层图顺序"),
        "summary.sort_most": ("most params", "参数最多"),
        "summary.sort_fewest": ("fewest params", "参数最少"),
        "summary.select": ("select", "选中"),
        "summary.none": ("(none)", "（无）"),
        "summary.expand_nested": ("expand nested:", "展开嵌套模型："),
        "summary.shown": (
            "{shown:,} of {total:,} rows shown (filter: {what}); the totals are the whole model's.",
            "显示 {shown:,} / {total:,} 行（筛选：{what}）；总计仍是整个模型的。",
        ),
        "summary.col_layer": ("Layer (type)", "层（类型）"),
        "summary.col_output": ("Output shape", "输出形状"),
        "summary.col_params": ("Param #", "参数量"),
        "summary.col_trainable": ("Trainable", "可训练"),
        "summary.col_non_trainable": ("Non-trainable", "不可训练"),
        "summary.col_formula": ("Formula", "公式"),
        "summary.col_bytes": ("Param bytes", "参数字节"),
        "summary.col_activations": ("Act./sample", "激活/样本"),
        "summary.col_connected": ("Connected to", "连接到"),
        "summary.expand_tip": ("expand or collapse {path}", "展开或折叠 {path}"),
    }
)


def _sorts() -> tuple[tuple[str, str], ...]:
    t = i18n.t
    return (
        (t("summary.sort_graph"), "graph"),
        (t("summary.sort_most"), "params_desc"),
        (t("summary.sort_fewest"), "params_asc"),
    )


_STYLE = theme.STYLE + (  # colours: keras_lens.render.theme
    "<style>.klens-sum table{border-collapse:collapse;font-family:monospace;font-size:12px}"
    ".klens-sum td,.klens-sum th{padding:2px 6px;vertical-align:top;"
    "text-align:left;line-height:1.35}.klens-sum td.n{text-align:right;white-space:nowrap}"
    ".klens-sum .s{white-space:nowrap}"
    ".klens-sum tr.model td:first-child{font-weight:bold}</style>"
)


#: The live widget only (the stored copy keeps ``_STYLE``): the table scrolls in its own box
#: with the header row pinned at the top, long names and "connected to" lists wrap, formulas
#: are cut with an ellipsis (the whole formula is the cell's tooltip), so the table fits the
#: JupyterLab main area beside an open file browser (1400-px window) without a side scrollbar.
LIVE_STYLE = (
    "<style>.klens-sum .klens-scroll{max-height:460px;overflow:auto;"
    "border:1px solid var(--kl-rule)}"
    ".klens-sum .klens-scroll table{width:100%}"
    ".klens-sum .klens-scroll thead th{position:sticky;top:0;z-index:1;"
    "background:var(--jp-layout-color1,#fff);color:var(--kl-text);"
    "box-shadow:0 1px 0 var(--kl-rule)}"
    ".klens-sum .klens-scroll td.w{overflow-wrap:break-word;min-width:6em}"
    ".klens-sum .klens-scroll td.f{max-width:8em;overflow:hidden;text-overflow:ellipsis;"
    "white-space:nowrap}"
    ".klens-sum .klens-scroll th{white-space:normal;vertical-align:bottom}</style>"
)
#: Longest expand-button label before it is ellipsised in the middle.
BUTTON_CHARS = 36


def summary(model: Any, *, expand_nested: bool = False) -> Summary:
    """Build the summary widget of a model (``.table`` holds the data, ``.to_text()`` the text).

    Example:
        >>> keras_lens.summary(model, expand_nested=True)  # doctest: +SKIP
    """
    expand_nested = require_flag(expand_nested, "expand_nested", "summary")
    graph = graph_of(model, "summary")
    optimizer_params, optimizer_bytes = _optimizer_size(model)
    table = build_summary(graph, optimizer_params, optimizer_bytes)
    return Summary(table, expand_nested=expand_nested)


def _optimizer_size(model: Any) -> tuple[int, float]:
    """Optimizer variables, counted as ``model.summary()`` does once the optimizer is built."""
    optimizer = getattr(model, "optimizer", None)
    if not getattr(model, "compiled", False) or optimizer is None:
        return 0, 0.0
    if not getattr(optimizer, "built", False):
        return 0, 0.0
    unique = {id(v): v for v in optimizer.variables}.values()
    count = sum(_size(v.shape) for v in unique)
    size = sum(_size(v.shape) * dtype_bytes(str(v.dtype)) for v in unique)
    return count, size


def _size(shape: Any) -> int:
    total = 1
    for d in shape:
        total *= int(d)
    return total


def summary_html(
    table: SummaryTable,
    rows: Iterable[SummaryRow] | None = None,
    selected: str = "",
    *,
    scroll: bool = False,
) -> str:
    """The table as static, escaped HTML (all rows expanded unless ``rows`` is given).

    ``scroll=True`` (the live widget) puts the table in its own scroll box with a sticky header
    and marks the cells that may wrap (``w``) or be cut with an ellipsis (``f``).
    """
    rows = table.visible_rows(True) if rows is None else list(rows)
    columns = ["layer", "output", "params", "trainable", "non_trainable", "formula", "bytes"]
    columns += ["activations", *(["connected"] if table.show_connections else [])]
    head = [i18n.t(f"summary.col_{name}") for name in columns]
    out = [
        _STYLE,
        "<div class='klens-sum'>",
        *([LIVE_STYLE] if scroll else []),
        f"<b>Model: &quot;{esc(table.name)}&quot;</b> ({esc(table.class_name)})",
        *(["<div class='klens-scroll'>"] if scroll else []),
        static.table_open()
        + "<thead><tr>"
        + "".join(f"<th>{esc(h)}</th>" for h in head)
        + "</tr></thead>",
        "<tbody>",
    ]
    for row in rows:
        classes = " ".join(
            c for c, on in (("model", row.is_model), ("sel", row.key == selected)) if on
        )
        indent = "&nbsp;" * 4 * row.depth + ("└&nbsp;" if row.depth else "")
        shapes = (
            "<br>".join(f"<span class='s'>{esc(format_shape(s))}</span>" for s in row.output_shapes)
            or "?"
        )
        formula = f"<span title='{esc(row.explanation)}'>{esc(row.formula)}</span>"
        if scroll:
            tip = f"{row.formula} = {row.explanation}" if row.explanation else row.formula
            formula = ("f", esc(row.formula), tip)
        name = esc(row.name).replace("_", "_<wbr>") if scroll else esc(row.name)
        layer = f"{indent}{name} ({esc(row.class_name)})"
        cells = [
            ("w", layer, "") if scroll else layer,
            shapes,
            (f"{row.params:,}", "n"),
            (f"{row.trainable_params:,}", "n"),
            (f"{row.non_trainable_params:,}", "n"),
            formula,
            (readable_bytes(row.param_bytes), "n"),
            ("?" if row.activations is None else f"{row.activations:,}", "n"),
        ]
        if table.show_connections:
            connected = "<br>".join(esc(c) for c in row.connected_to) or "-"
            if scroll:  # long names break after an underscore, not in the middle of a word
                connected = connected.replace("_", "_<wbr>")
            cells.append(("w", connected, "") if scroll else connected)
        tds = "".join(_td(c) for c in cells)
        out.append(f"<tr class='{classes}' data-key='{esc(row.key)}'>{tds}</tr>")
    out.append("</tbody></table>" + ("</div>" if scroll else ""))
    out.append("<pre>" + esc("\n".join(table.totals_lines())) + "</pre>")
    out += [f"<p><i>Note: {esc(note)}</i></p>" for note in table.notes]
    out.append("</div>")
    return "\n".join(out)


def _td(cell: str | tuple[str, ...]) -> str:
    """A ``<td>``: HTML as is, ``(text, "n")`` a right-aligned number, ``(css, html, tip)``."""
    if isinstance(cell, str):
        return f"<td>{cell}</td>"
    if len(cell) == 2:
        return f"<td class='n'>{esc(cell[0])}</td>"
    css, html, tip = cell
    title = f" title='{esc(tip)}'" if tip else ""
    return f"<td class='{css}'{title}>{html}</td>"


class Summary(LensBox):
    """The summary widget: ``table`` is the ``SummaryTable``, ``selected`` a layer key."""

    selected = traitlets.Unicode("")

    def __init__(self, table: SummaryTable, expand_nested: bool = False) -> None:
        self.table = table
        classes = sorted({r.class_name for r in table.rows})
        t = i18n.t
        self.filter_text = ipywidgets.Text(
            placeholder=t("summary.filter_hint"), description=t("summary.filter")
        )
        self.filter_class = ipywidgets.Dropdown(
            options=[(t("summary.all_classes"), ""), *[(c, c) for c in classes]],
            description=t("summary.class"),
        )
        self.sort = ipywidgets.Dropdown(
            options=_sorts(), value="graph", description=t("summary.sort")
        )
        self.layer = ipywidgets.Dropdown(
            options=[(t("summary.none"), ""), *[(r.key, r.key) for r in table.rows]],
            description=t("summary.select"),
        )
        for control in (self.filter_text, self.filter_class, self.sort, self.layer):
            control.layout = ipywidgets.Layout(width="auto", min_width="180px", flex="1 1 200px")
            control.style = {"description_width": "initial"}
        labels = path_labels(table.nested_keys, BUTTON_CHARS)
        self.toggles = {
            key: ipywidgets.ToggleButton(
                value=expand_nested,
                description=labels[key],
                icon="folder",
                layout=ipywidgets.Layout(width="auto", min_width="max-content"),
                **tooltip_kwargs(t("summary.expand_tip", path=key)),
            )
            for key in table.nested_keys
        }
        self.html = ipywidgets.HTML()
        wrap = {"flex_flow": "row wrap"}
        row = [self.filter_text, self.filter_class, self.sort, self.layer]
        controls = [ipywidgets.HBox(row, layout=ipywidgets.Layout(**wrap))]
        if self.toggles:
            label = ipywidgets.HTML(f"<b>{esc(t('summary.expand_nested'))}</b>")
            buttons = [label, *self.toggles.values()]
            controls.append(ipywidgets.HBox(buttons, layout=ipywidgets.Layout(**wrap)))
        super().__init__([*controls, self.html])
        for control in (self.filter_text, self.filter_class, self.sort, *self.toggles.values()):
            control.observe(self._render, names="value")
        traitlets.link((self.layer, "value"), (self, "selected"))
        self.observe(self._on_select, names="selected")
        self._render()

    # -- the result object -------------------------------------------------------------------
    @property
    def rows(self) -> tuple[SummaryRow, ...]:
        """Every row (nested layers included)."""
        return self.table.rows

    @property
    def total_params(self) -> int:
        """Equals ``model.count_params()``."""
        return self.table.total_params

    @property
    def trainable_params(self) -> int:
        return self.table.trainable_params

    @property
    def non_trainable_params(self) -> int:
        return self.table.non_trainable_params

    def to_text(self, expanded: bool | Iterable[str] = True) -> str:
        """The plain-text table (nested models expanded by default)."""
        return self.table.to_text(expanded)

    def visible_rows(self) -> list[SummaryRow]:
        """The rows the widget currently shows (filter, sort and expansion applied)."""
        expanded = [key for key, button in self.toggles.items() if button.value]
        return self.table.visible_rows(
            expanded, self.filter_text.value, self.filter_class.value, self.sort.value
        )

    def _on_select(self, change: Any = None) -> None:
        parents = {r.key: r.parent for r in self.table.rows}
        parent = parents.get(self.selected, "")
        while parent:  # show the selected row: open the nested models around it
            if parent in self.toggles:
                self.toggles[parent].value = True
            parent = parents.get(parent, "")
        self._render()

    def _render(self, change: Any = None) -> None:
        for button in self.toggles.values():
            button.icon = "folder-open" if button.value else "folder"
        rows = self.visible_rows()
        html = summary_html(self.table, rows, self.selected, scroll=True)
        what = " · ".join(v for v in (self.filter_text.value.strip(), self.filter_class.value) if v)
        if what:  # say how much of the table the filter left, above the table
            total = len(self.table.visible_rows(True))  # every row, nested ones included
            note = i18n.t("summary.shown", shown=len(rows), total=total, what=what)
            html = f"<div class='klens-shown'>{esc(note)}</div>" + html
        self.html.value = html

    def _lens_text(self) -> str:
        t = self.table
        n = len(t.top_rows)
        return (
            f"<Summary {t.name!r}: {n} layer{'' if n == 1 else 's'}, {t.total_params:,} params "
            f"({t.trainable_params:,} trainable)>"
        )

    def _lens_html(self) -> str:
        rows = self.table.visible_rows(True)
        shown = static.elide(rows)
        html = summary_html(self.table, shown, selected=self.selected)
        if len(shown) < len(rows):
            left_out = len(rows) - len(shown)
            html += static.note(static.i18n.t("static.rows_left_out", n=left_out))
        return static.block("summary", html)
