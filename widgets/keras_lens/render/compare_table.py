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
from dataclasses import dataclass

from keras_lens.records import LayerGraph, LayerRecord, format_shape

__all__ = ["STATUSES", "CompareRow", "CompareTable", "compare_graphs"]

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
        parts = [
            f"{self.count('same object')} shared layer objects",
            f"{self.count('equal')} equal",
            f"{self.count('differs')} differing",
            f"{self.count('only in a')} only in {self.a_name!r}",
            f"{self.count('only in b')} only in {self.b_name!r}",
        ]
        return ", ".join(parts)

    def to_text(self) -> str:
        """Side by side, one line per pair, the differences indented below."""
        head = [f"{self.a_name} (a)", "shape", "params", "status", f"{self.b_name} (b)", "shape"]
        head.append("params")
        lines = [head]
        notes: list[tuple[int, str]] = []
        for row in self.rows:
            lines.append(
                [
                    _label(row.a, row.a_depth),
                    row.a_shape,
                    f"{row.a.params:,}" if row.a else "",
                    row.status,
                    _label(row.b, row.b_depth),
                    row.b_shape,
                    f"{row.b.params:,}" if row.b else "",
                ]
            )
            notes += [(len(lines) - 1, d) for d in row.differences]
        widths = [max(len(line[i]) for line in lines) for i in range(len(head))]
        out = [
            f"Compare {self.a_name!r} (a, {self.a_params:,} params) with "
            f"{self.b_name!r} (b, {self.b_params:,} params)"
        ]
        by_line: dict[int, list[str]] = {}
        for index, text in notes:
            by_line.setdefault(index, []).append(text)
        for index, line in enumerate(lines):
            out.append(" | ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip())
            out += [f"      - {text}" for text in by_line.get(index, [])]
            if index == 0:
                out.append("-+-".join("-" * w for w in widths))
        out.append(self.headline() + ".")
        return "\n".join(out)


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
        found.append(f"class: {a.class_name} vs {b.class_name}")
    if a_shape != b_shape:
        found.append(f"output shape: {a_shape} vs {b_shape}")
    if (a.trainable_params, a.non_trainable_params) != (b.trainable_params, b.non_trainable_params):
        found.append(
            f"params: {a.params:,} ({a.trainable_params:,} trainable) vs "
            f"{b.params:,} ({b.trainable_params:,} trainable)"
        )
    if a.weight_shapes != b.weight_shapes and a.params == b.params:
        found.append(f"weight shapes: {a.weight_shapes} vs {b.weight_shapes}")
    config_a, config_b = dict(a.config), dict(b.config)
    for key in sorted(set(config_a) | set(config_b)):
        if key in _IGNORED_CONFIG:
            continue
        va, vb = config_a.get(key, "(unset)"), config_b.get(key, "(unset)")
        if va != vb:
            found.append(f"{key}: {va} vs {vb}")
    return tuple(found)
