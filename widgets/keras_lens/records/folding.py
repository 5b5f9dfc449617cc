"""Repeated blocks of a layer graph, found on the plain records, for folding in the drawing.

Two rules, tried in this order on each (sub)graph's layers:

1. **Shared name prefix.** ``conv2_block1_1_conv``, ``conv2_block2_1_conv``... share the prefix
   ``conv2_block`` followed by a block number. A prefix makes a group when at least two of its
   numbered blocks have the same layers (same name suffixes and classes) and those identical
   blocks are at least half of them (ResNet's first block of a stage has an extra projection
   shortcut, the others are alike). The prefix covering the most layers wins.
2. **Identical sub-structure.** Layers left over (e.g. a transformer built with Keras's default
   names) are read as a sequence of (class, inbound offsets) tokens; a run of two or more
   identical consecutive stretches becomes a group (a tandem repeat).

Records only: no Keras, no Graphviz. ``keras_lens.render.dot_render`` draws a folded group as
one box.

Example:
    >>> from keras_lens.records import LayerGraph, LayerRecord
    >>> names = [f"b{i}_{part}" for i in (1, 2, 3) for part in ("conv", "bn")]
    >>> g = LayerGraph(name="m", class_name="Functional", kind="functional",
    ...     layers=tuple(LayerRecord(n, n, "Conv2D" if n.endswith("conv") else "BN")
    ...                  for n in names))
    >>> [(grp.label, grp.blocks, len(grp.keys)) for grp in find_groups(g)]
    [('b1…b3', 3, 6)]
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from keras_lens.records import LayerGraph, LayerRecord

__all__ = ["MIN_BLOCK_LAYERS", "FoldGroup", "find_groups", "groups_by_id"]

#: A block must hold at least this many layers (``dense_1``, ``dense_2``... are not blocks).
MIN_BLOCK_LAYERS = 2
_MAX_PERIOD = 64
_ALIKE = 0.6  # every block shares >= 60 % of its (suffix, class) pairs with the common block
_NUMBER = re.compile(r"\d+")


@dataclass(frozen=True)
class FoldGroup:
    """Consecutive repeated blocks of one (sub)graph, drawn as one box when folded.

    Attributes:
        id: stable id, ``"group:<parent key>/<prefix>#"`` (``"group:conv2_block#"`` at the top).
        label: what the box says, e.g. ``"conv2_block1…conv2_block3"``.
        blocks: how many blocks; ``keys``: every member layer key, in graph order.
        parent: key of the nested model holding the group ("" for the top-level graph).
        rule: ``"prefix"`` or ``"structure"``.
    """

    id: str
    label: str
    blocks: int
    keys: tuple[str, ...]
    parent: str = ""
    rule: str = "prefix"


def find_groups(graph: LayerGraph) -> tuple[FoldGroup, ...]:
    """Every group of repeated blocks in ``graph`` and its nested subgraphs (records only)."""
    found: list[FoldGroup] = []
    if graph.kind != "subclassed":  # a subclassed model's layer list is not a graph
        _groups_in(graph, "", found)
    for key, sub in graph.subgraphs:
        found.extend(_with_parent(g, key) for g in find_groups(sub))
    return tuple(found)


def groups_by_id(groups: tuple[FoldGroup, ...]) -> dict[str, FoldGroup]:
    """``{group id: group}``."""
    return {g.id: g for g in groups}


def _with_parent(group: FoldGroup, key: str) -> FoldGroup:
    if group.parent:
        return group
    return FoldGroup(
        group.id.replace("group:", f"group:{key}/", 1),
        group.label,
        group.blocks,
        group.keys,
        key,
        group.rule,
    )


def _groups_in(graph: LayerGraph, parent: str, found: list[FoldGroup]) -> None:
    layers = [r for r in graph.layers if r.class_name != "InputLayer"]
    taken: set[str] = set()
    while True:
        best = _best_prefix(layers, taken)
        if best is None:
            break
        prefix, blocks = best
        members = {k for b in blocks.values() for k in b}
        keys = tuple(r.key for r in layers if r.key in members)
        taken.update(keys)
        numbers = sorted(blocks)
        label = f"{prefix}{numbers[0]}…{prefix}{numbers[-1]}"
        found.append(FoldGroup(f"group:{prefix}#", label, len(blocks), keys, parent))
    run: list[LayerRecord] = []
    position = {r.key: i for i, r in enumerate(graph.layers)}  # inputs count: first block too
    for r in [*layers, None]:  # stretches of consecutive ungrouped layers
        if r is not None and r.key not in taken:
            run.append(r)
            continue
        if len(run) >= 2 * MIN_BLOCK_LAYERS:
            found.extend(_structure_groups(graph, run, position))
        run = []
    first = {r.key: i for i, r in enumerate(layers)}
    found.sort(key=lambda g: first[g.keys[0]])


def _best_prefix(
    layers: list[LayerRecord], taken: set[str]
) -> tuple[str, dict[int, tuple[str, ...]]] | None:
    """The name prefix whose numbered blocks cover the most free layers, or None."""
    families: dict[str, dict[int, list[tuple[str, str, str]]]] = {}
    for r in layers:
        if r.key in taken:
            continue
        for m in _NUMBER.finditer(r.name):
            prefix, rest = r.name[: m.start()], r.name[m.end() :]
            if not prefix or (rest and rest[0].isalnum()):
                continue
            families.setdefault(prefix, {}).setdefault(int(m.group()), []).append(
                (rest, r.class_name, r.key)
            )
    order = {r.key: i for i, r in enumerate(r for r in layers if r.key not in taken)}
    best: tuple[int, int, str] | None = None
    for prefix, blocks in families.items():
        if len(blocks) < 2:
            continue
        signatures = Counter(
            frozenset((rest, cls) for rest, cls, _ in members) for members in blocks.values()
        )
        signature, same = signatures.most_common(1)[0]
        if same < 2 or 2 * same < len(blocks) or len(signature) < MIN_BLOCK_LAYERS:
            continue
        if any(len(s & signature) < _ALIKE * len(s | signature) for s in signatures):
            continue  # one block unlike the others: not a run of repeated blocks
        where = [order[k] for members in blocks.values() for *_, k in members]
        if max(where) - min(where) + 1 != len(where):
            continue  # interleaved with other layers: not one stretch of the graph
        covered = sum(len(m) for m in blocks.values())
        score = (covered, len(prefix), prefix)
        if best is None or score > best:
            best = score
    if best is None:
        return None
    prefix = best[2]
    return prefix, {n: tuple(k for *_, k in m) for n, m in families[prefix].items()}


def _structure_groups(
    graph: LayerGraph, layers: list[LayerRecord], position: dict[str, int]
) -> list[FoldGroup]:
    """Tandem repeats of (class, inbound offsets) tokens among ``layers`` (graph order).

    ``position``: each layer key's index in ``graph.layers``.
    """
    tokens: list[tuple[str, tuple[int, ...]]] = []
    for r in layers:
        i = position[r.key]
        sources: set[int] = set()
        for node_id in r.node_ids:
            for e in graph.predecessors(node_id):
                j = position.get(graph.node(e.source).layer_key)
                if j is not None:
                    sources.add(i - j)
        tokens.append((r.class_name, tuple(sorted(sources))))
    groups: list[FoldGroup] = []
    start = 0
    while start < len(tokens):
        found = _repeat_at(tokens, start)
        if found is None:
            start += 1
            continue
        period, count = found
        keys = tuple(r.key for r in layers[start : start + period * count])
        first = layers[start]
        groups.append(
            FoldGroup(
                f"group:{first.key}*{period}",
                f"{count} × [{', '.join(r.class_name for r in layers[start : start + period])}]",
                count,
                keys,
                rule="structure",
            )
        )
        start += period * count
    return groups


def _repeat_at(tokens: list[tuple[str, tuple[int, ...]]], start: int) -> tuple[int, int] | None:
    """The (period, count) of the longest tandem repeat starting at ``start`` (count >= 2)."""
    best: tuple[int, int] | None = None
    n = len(tokens)
    for period in range(MIN_BLOCK_LAYERS, min(_MAX_PERIOD, (n - start) // 2) + 1):
        if tokens[start + period] != tokens[start]:
            continue  # quick rejection: the second block does not even start alike
        unit = tokens[start : start + period]
        count = 1
        while (
            start + (count + 1) * period <= n
            and tokens[start + count * period : start + (count + 1) * period] == unit
        ):
            count += 1
        if count < 2 or (best is not None and period * count <= best[0] * best[1]):
            continue
        if any(period % d == 0 and unit == unit[:d] * (period // d) for d in range(1, period)):
            continue  # [Dense, Dense] is a chain of one layer repeated, not a block
        best = (period, count)
    return best
