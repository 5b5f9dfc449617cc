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

from keras_lens.adapter._checks import graph_of
from keras_lens.render import static, theme
from keras_lens.render._html import esc
from keras_lens.render.compare_table import CompareRow, CompareTable, compare_graphs
from keras_lens.views._widgets import LensBox

__all__ = ["Compare", "compare", "compare_html"]

_STYLE = theme.STYLE + (  # colours (status edges, rules): keras_lens.render.theme
    "<style>.klens-cmp table{border-collapse:collapse;font-family:monospace;font-size:12px}"
    ".klens-cmp td,.klens-cmp th{padding:2px 6px;text-align:left;"
    "vertical-align:top}.klens-cmp td.n{text-align:right}.klens-cmp ul{margin:0;padding-left:1.2em}"
    "</style>"
)
_FILTERS = (("every layer", "all"), ("differences only", "diff"), ("shared objects", "same"))


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
        f"<p><b>a</b> = {esc(table.a_name)} ({table.a_params:,} params), "
        f"<b>b</b> = {esc(table.b_name)} ({table.b_params:,} params)</p>",
        static.table_open()
        + "<tr><th>a: layer</th><th>output shape</th><th>params</th><th>status</th>"
        "<th>b: layer</th><th>output shape</th><th>params</th></tr>",
    ]
    for row in rows:
        if isinstance(row, str):  # a note row (static copy of a long comparison)
            out.append(row)
            continue
        status = esc(row.status)
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
    out += ["</table>", f"<p>{esc(table.headline())}.</p>", "</div>"]
    return "\n".join(out)


def _cell(record: Any, depth: int) -> str:
    if record is None:
        return "-"
    indent = "&nbsp;" * 4 * depth + ("└&nbsp;" if depth else "")
    return f"{indent}{esc(record.name)} ({esc(record.class_name)})"


class Compare(LensBox):
    """The comparison widget; ``table`` holds the ``CompareTable``."""

    def __init__(self, table: CompareTable) -> None:
        self.table = table
        self.show = ipywidgets.Dropdown(options=_FILTERS, value="all", description="show")
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
        return f"<Compare {t.a_name!r} vs {t.b_name!r}: {t.headline()}>"

    def _lens_html(self) -> str:
        rows = static.elide(self.table.rows, note=lambda n: static.rows_note(n, 7))
        return static.block("compare", compare_html(self.table, rows))
