"""``keras_lens.compare(a, b)``: two models side by side.

Which layers are the same objects (shared weights: an encoder and the autoencoder built from its
layers), which are equal copies (same class, config, shapes and parameter counts), which differ
(and how) and which exist in only one model.

Example:
    >>> import keras_lens
    >>> keras_lens.compare(encoder, autoencoder)   # doctest: +SKIP
    <Compare 'encoder' vs 'autoencoder': 7 shared layer objects, 0 equal, 0 differing, ...>
"""

from __future__ import annotations

from typing import Any

import ipywidgets

from keras_lens import i18n
from keras_lens.adapter._checks import graph_of
from keras_lens.render import static, theme
from keras_lens.render._html import esc
from keras_lens.render.compare_table import CompareRow, CompareTable, compare_graphs, status_text
from keras_lens.views._widgets import LensBox

__all__ = ["Compare", "compare", "compare_html"]

_STYLE = theme.STYLE + (  # colours (status edges, rules): keras_lens.render.theme
    "<style>.klens-cmp table{border-collapse:collapse;font-family:monospace;font-size:12px}"
    ".klens-cmp td,.klens-cmp th{padding:2px 6px;text-align:left;"
    "vertical-align:top}.klens-cmp td.n{text-align:right}.klens-cmp ul{margin:0;padding-left:1.2em}"
    "</style>"
)
i18n.register(
    {
        "compare.every_layer": ("every layer", "所有层"),
        "compare.diff_only": ("differences only", "只看不同"),
        "compare.shared_only": ("shared objects", "共享对象"),
        "compare.show": ("show", "显示"),
        "compare.models": (
            "<b>a</b> = {a} ({a_params} params), <b>b</b> = {b} ({b_params} params)",
            "<b>a</b> = {a}（{a_params} 个参数），<b>b</b> = {b}（{b_params} 个参数）",
        ),
        "compare.a_layer": ("a: layer", "a：层"),
        "compare.b_layer": ("b: layer", "b：层"),
        "compare.output_shape": ("output shape", "输出形状"),
    }
)
_FILTERS = (
    ("compare.every_layer", "all"),
    ("compare.diff_only", "diff"),
    ("compare.shared_only", "same"),
)


def compare(a: Any, b: Any) -> Compare:
    """Compare two models layer by layer (nested models included).

    Example:
        >>> keras_lens.compare(model_a, model_b).table.same_architecture  # doctest: +SKIP
        True
    """
    table = compare_graphs(graph_of(a, "compare"), graph_of(b, "compare"))
    return Compare(table)


def compare_html(table: CompareTable, rows: list[CompareRow | str] | None = None) -> str:
    """Static, escaped HTML of a comparison (all rows unless ``rows`` is given)."""
    rows = list(table.rows) if rows is None else rows
    out = [
        _STYLE,
        "<div class='klens-cmp'>",
        "<p>"
        + i18n.t(
            "compare.models",
            a=esc(table.a_name),
            b=esc(table.b_name),
            a_params=f"{table.a_params:,}",
            b_params=f"{table.b_params:,}",
        )
        + "</p>",
        static.table_open() + "<tr>" + "".join(f"<th>{esc(h)}</th>" for h in _head()) + "</tr>",
    ]
    for row in rows:
        if isinstance(row, str):  # a note row (static copy of a long comparison)
            out.append(row)
            continue
        status = esc(status_text(row.status))
        if row.differences:
            items = "".join(f"<li>{esc(d)}</li>" for d in row.differences)
            status += f"<ul>{items}</ul>"
        out.append(
            f"<tr class='{theme.status_class(row.status)}'>"
            f"<td>{_cell(row.a, row.a_depth)}</td><td>{esc(row.a_shape)}</td>"
            f"<td class='n'>{f'{row.a.params:,}' if row.a else ''}</td><td>{status}</td>"
            f"<td>{_cell(row.b, row.b_depth)}</td><td>{esc(row.b_shape)}</td>"
            f"<td class='n'>{f'{row.b.params:,}' if row.b else ''}</td></tr>"
        )
    end = i18n.t("compare.end")
    out += ["</table>", f"<p>{esc(table.headline())}{end}</p>", "</div>"]
    return "\n".join(out)


def _head() -> list[str]:
    shape, params = i18n.t("compare.output_shape"), i18n.t("compare.params")
    a, b, status = i18n.t("compare.a_layer"), i18n.t("compare.b_layer"), i18n.t("compare.status")
    return [a, shape, params, status, b, shape, params]


def _cell(record: Any, depth: int) -> str:
    if record is None:
        return "-"
    indent = "&nbsp;" * 4 * depth + ("└&nbsp;" if depth else "")
    return f"{indent}{esc(record.name)} ({esc(record.class_name)})"


class Compare(LensBox):
    """The comparison widget; ``table`` holds the ``CompareTable``."""

    def __init__(self, table: CompareTable) -> None:
        self.table = table
        options = [(i18n.t(key), value) for key, value in _FILTERS]
        self.show = ipywidgets.Dropdown(
            options=options, value="all", description=i18n.t("compare.show")
        )
        self.html = ipywidgets.HTML()
        super().__init__([self.show, self.html])
        self.show.observe(self._render, names="value")
        self._render()

    @property
    def rows(self) -> tuple[CompareRow, ...]:
        """Every row of the comparison."""
        return self.table.rows

    def to_text(self) -> str:
        """The comparison as plain text."""
        return self.table.to_text()

    def _render(self, change: Any = None) -> None:
        wanted = {
            "all": None,
            "diff": ("differs", "only in a", "only in b"),
            "same": ("same object",),
        }[self.show.value]
        rows = [r for r in self.table.rows if wanted is None or r.status in wanted]
        self.html.value = compare_html(self.table, rows)

    def _lens_text(self) -> str:
        t = self.table
        with i18n.language("en"):  # a Python repr: always English
            headline = t.headline()
        return f"<Compare {t.a_name!r} vs {t.b_name!r}: {headline}>"

    def _lens_html(self) -> str:
        rows = static.elide(self.table.rows, note=lambda n: static.rows_note(n, 7))
        return static.block("compare", compare_html(self.table, rows))
