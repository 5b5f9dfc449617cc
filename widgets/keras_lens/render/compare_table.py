"""Compare two layer graphs: which layers are the same objects, equal, different or missing.

Pure Python over ``keras_lens.records``. Layers are paired in three passes: the same layer
object (``LayerRecord.identity``: an encoder and the autoencoder built on its layers share them),
then the same name and class, then, in order, the same class (two separately built copies of one
architecture get different automatic names).

Example:
    >>> from keras_lens.records import LayerGraph, LayerRecord
    >>> a = LayerGraph("a", "Functional", "functional",
    ...                layers=(LayerRecord(key="d", name="d", class_name="Dense", identity="L1"),))
    >>> b = LayerGraph("b", "Functional", "functional",
    ...                layers=(LayerRecord(key="d", name="d", class_name="Dense", identity="L1"),))
    >>> [row.status for row in compare_graphs(a, b).rows]
    ['same object']
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass

from keras_lens import i18n
from keras_lens.records import LayerGraph, LayerRecord, format_shape

__all__ = ["STATUSES", "CompareRow", "CompareTable", "compare_graphs", "status_text"]

i18n.register(
    {
        "compare.headline": (
            "{same} shared layer objects, {equal} equal, {differs} differing, "
            "{only_a} only in {a!r}, {only_b} only in {b!r}",
            "{same} 个共享层对象，{equal} 个相同，{differs} 个不同，"
            "{only_a} 个仅在 {a!r} 中，{only_b} 个仅在 {b!r} 中",
        ),
        "compare.end": (".", "。"),
        "compare.title": (
            "Compare {a!r} (a, {a_params} params) with {b!r} (b, {b_params} params)",
            "比较 {a!r}（a，{a_params} 个参数）与 {b!r}（b，{b_params} 个参数）",
        ),
        "compare.shape": ("shape", "形状"),
        "compare.params": ("params", "参数"),
        "compare.status": ("status", "状态"),
        "compare.same object": ("same object", "同一对象"),
        "compare.equal": ("equal", "相同"),
        "compare.differs": ("differs", "不同"),
        "compare.only in a": ("only in a", "仅在 a 中"),
        "compare.only in b": ("only in b", "仅在 b 中"),
        "compare.diff_class": ("class: {a} vs {b}", "类：{a} 对 {b}"),
        "compare.diff_shape": ("output shape: {a} vs {b}", "输出形状：{a} 对 {b}"),
        "compare.diff_params": (
            "params: {a} ({a_trainable} trainable) vs {b} ({b_trainable} trainable)",
            "参数：{a}（{a_trainable} 个可训练）对 {b}（{b_trainable} 个可训练）",
        ),
        "compare.diff_weights": ("weight shapes: {a} vs {b}", "权重形状：{a} 对 {b}"),
        "compare.unset": ("(unset)", "（未设置）"),
    }
)


def status_text(status: str) -> str:
    """A row status (one of ``STATUSES``) in the current language.

    Example: ``status_text("equal")`` -> ``'equal'`` (``'相同'`` in zh-CN).
    """
    return i18n.t(f"compare.{status}")


#: Row statuses, in the order the summary counts them.
STATUSES = ("same object", "equal", "differs", "only in a", "only in b")
_IGNORED_CONFIG = {"name", "dtype"}


@dataclass(frozen=True)
class CompareRow:
    """One layer of ``a`` and/or ``b`` with what is the same and what differs."""

    status: str
    a: LayerRecord | None
    b: LayerRecord | None
    a_shape: str = ""
    b_shape: str = ""
    differences: tuple[str, ...] = ()
    a_depth: int = 0
    b_depth: int = 0


@dataclass(frozen=True)
class CompareTable:
    """The rows of a comparison and the two models' totals."""

    a_name: str
    b_name: str
    a_params: int
    b_params: int
    rows: tuple[CompareRow, ...]

    def count(self, status: str) -> int:
        """Number of rows with this status (one of ``STATUSES``)."""
        return sum(1 for r in self.rows if r.status == status)

    @property
    def same_architecture(self) -> bool:
        """Every layer paired with an equal one (or the same object)."""
        return all(r.status in ("same object", "equal") for r in self.rows)

    def headline(self) -> str:
        """One line: shared objects, equal, differing and unpaired layers."""
        return i18n.t(
            "compare.headline",
            same=self.count("same object"),
            equal=self.count("equal"),
            differs=self.count("differs"),
            only_a=self.count("only in a"),
            only_b=self.count("only in b"),
            a=self.a_name,
            b=self.b_name,
        )

    def to_text(self) -> str:
        """Side by side, one line per pair, the differences indented below."""
        shape, params = i18n.t("compare.shape"), i18n.t("compare.params")
        head = [f"{self.a_name} (a)", shape, params, i18n.t("compare.status")]
        head += [f"{self.b_name} (b)", shape, params]
        lines = [head]
        notes: list[tuple[int, str]] = []
        for row in self.rows:
            lines.append(
                [
                    _label(row.a, row.a_depth),
                    row.a_shape,
                    f"{row.a.params:,}" if row.a else "",
                    status_text(row.status),
                    _label(row.b, row.b_depth),
                    row.b_shape,
                    f"{row.b.params:,}" if row.b else "",
                ]
            )
            notes += [(len(lines) - 1, d) for d in row.differences]
        widths = [max(_width(line[i]) for line in lines) for i in range(len(head))]
        a_params, b_params = f"{self.a_params:,}", f"{self.b_params:,}"
        out = [
            i18n.t(
                "compare.title", a=self.a_name, b=self.b_name, a_params=a_params, b_params=b_params
            )
        ]
        by_line: dict[int, list[str]] = {}
        for index, text in notes:
            by_line.setdefault(index, []).append(text)
        for index, line in enumerate(lines):
            out.append(" | ".join(_pad(c, w) for c, w in zip(line, widths, strict=True)).rstrip())
            out += [f"      - {text}" for text in by_line.get(index, [])]
            if index == 0:
                out.append("-+-".join("-" * w for w in widths))
        out.append(self.headline() + i18n.t("compare.end"))
        return "\n".join(out)


def _width(text: str) -> int:
    """Columns ``text`` takes in a monospace font (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _label(record: LayerRecord | None, depth: int = 0) -> str:
    if record is None:
        return "-"
    indent = "   " * depth + "└ " if depth else ""
    return f"{indent}{record.name} ({record.class_name})"


def compare_graphs(a: LayerGraph, b: LayerGraph) -> CompareTable:
    """Pair the layers of two graphs (nested models included) and describe each pair."""
    left, right = _flatten(a), _flatten(b)
    pairs: list[tuple[int | None, int | None, str]] = []
    free_b = set(range(len(right)))
    by_identity: dict[str, list[int]] = {}  # a layer can be listed twice (outer + nested)
    for j, (rec, _, _) in enumerate(right):
        if rec.identity:
            by_identity.setdefault(rec.identity, []).append(j)
    unmatched_a: list[int] = []
    for i, (rec, _, _) in enumerate(left):
        candidates = by_identity.get(rec.identity, []) if rec.identity else []
        j = next((j for j in candidates if j in free_b), None)
        if j is not None:
            pairs.append((i, j, "same object"))
            free_b.discard(j)
        else:
            unmatched_a.append(i)
    still_a: list[int] = []
    for i in unmatched_a:
        rec = left[i][0]
        j = next(
            (
                j
                for j in sorted(free_b)
                if (right[j][0].name, right[j][0].class_name) == (rec.name, rec.class_name)
            ),
            None,
        )
        if j is None:
            still_a.append(i)
        else:
            pairs.append((i, j, ""))
            free_b.discard(j)
    still_b = sorted(free_b)
    matcher = difflib.SequenceMatcher(
        a=[left[i][0].class_name for i in still_a],
        b=[right[j][0].class_name for j in still_b],
        autojunk=False,
    )
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            i, j = still_a[block.a + k], still_b[block.b + k]
            pairs.append((i, j, ""))
            free_b.discard(j)
    paired_a = {i for i, _, _ in pairs}
    pairs += [(i, None, "only in a") for i in range(len(left)) if i not in paired_a]
    pairs.sort(key=lambda p: p[0] if p[0] is not None else -1)
    for j in sorted(free_b):  # a b-only layer goes after the pair holding its b predecessor
        after = max((k for k, p in enumerate(pairs) if p[1] is not None and p[1] < j), default=-1)
        pairs.insert(after + 1, (None, j, "only in b"))
    rows = tuple(_row(left, right, i, j, status) for i, j, status in pairs)
    return CompareTable(a.name, b.name, a.total_params, b.total_params, rows)


def _flatten(graph: LayerGraph, depth: int = 0) -> list[tuple[LayerRecord, str, int]]:
    """(record, first output shape text, depth) for every layer, nested ones included.

    A Sequential's implicit InputLayer is kept: the functional twin of that model has an explicit
    one, and the two must pair up for "the same model written two ways" to compare equal.
    """
    out: list[tuple[LayerRecord, str, int]] = []
    subgraphs = dict(graph.subgraphs)
    for layer in graph.layers:
        nodes = graph.nodes_of(layer.key)
        shape = ", ".join(format_shape(s) for s in nodes[0].output_shapes) if nodes else "?"
        out.append((layer, shape, depth))
        if layer.key in subgraphs:
            out += _flatten(subgraphs[layer.key], depth + 1)
    return out


def _row(left: list, right: list, i: int | None, j: int | None, status: str) -> CompareRow:
    a, a_shape, a_depth = left[i] if i is not None else (None, "", 0)
    b, b_shape, b_depth = right[j] if j is not None else (None, "", 0)
    differences: tuple[str, ...] = ()
    if a is not None and b is not None and status != "same object":
        differences = _differences(a, b, a_shape, b_shape)
        status = "differs" if differences else "equal"
    return CompareRow(status, a, b, a_shape, b_shape, differences, a_depth, b_depth)


def _differences(a: LayerRecord, b: LayerRecord, a_shape: str, b_shape: str) -> tuple[str, ...]:
    found = []
    if a.class_name != b.class_name:
        found.append(i18n.t("compare.diff_class", a=a.class_name, b=b.class_name))
    if a_shape != b_shape:
        found.append(i18n.t("compare.diff_shape", a=a_shape, b=b_shape))
    if (a.trainable_params, a.non_trainable_params) != (b.trainable_params, b.non_trainable_params):
        found.append(
            i18n.t(
                "compare.diff_params",
                a=f"{a.params:,}",
                a_trainable=f"{a.trainable_params:,}",
                b=f"{b.params:,}",
                b_trainable=f"{b.trainable_params:,}",
            )
        )
    if a.weight_shapes != b.weight_shapes and a.params == b.params:
        found.append(i18n.t("compare.diff_weights", a=a.weight_shapes, b=b.weight_shapes))
    config_a, config_b = dict(a.config), dict(b.config)
    for key in sorted(set(config_a) | set(config_b)):
        if key in _IGNORED_CONFIG:
            continue
        unset = i18n.t("compare.unset")
        va, vb = config_a.get(key, unset), config_b.get(key, unset)
        if va != vb:
            found.append(f"{key}: {va} vs {vb}")
    return tuple(found)
