"""Running a functional model one node at a time (``keras_lens.adapter.run_graph``).

Private to the adapter (import from ``keras_lens.adapter``): reads Keras's private graph
structures (``_nodes_by_depth``, ``node.arguments``, ``Sequential._functional``) like
``_adapter_walk``, whose node ids it uses. ``RunState`` counts the bytes alive during a run;
``nbytes`` is what one tensor takes.

Example:
    >>> from keras_lens.adapter._run import RunState, nbytes
    >>> import numpy as np
    >>> state = RunState()
    >>> state.add(nbytes(np.zeros((2, 3), "float32")), "x")
    >>> state.live, state.peak
    (24, 24)
"""

from __future__ import annotations

import math
from typing import Any

from keras_lens.adapter._walk import node_keys, producer

__all__ = ["RunState", "nbytes", "run_graph"]


class _Stub:
    """A stand-in tensor with a concrete shape and a dtype (the ``"dry"`` run: nothing computed)."""

    def __init__(self, shape: tuple[int, ...], dtype: str) -> None:
        self.shape, self.dtype = shape, dtype


def nbytes(tensor: Any) -> int:
    """Bytes a tensor (real, KerasTensor or stub) takes: elements times its dtype's item size."""
    shape = getattr(tensor, "shape", None)
    if shape is None:
        return 0
    dims = [1 if d is None else int(d) for d in shape]
    name = str(getattr(tensor, "dtype", "float32")).replace("<dtype: '", "").rstrip("'>")
    size = {"bool": 1, "int8": 1, "uint8": 1, "float16": 2, "bfloat16": 2, "int16": 2}.get(name)
    if size is None:
        size = 8 if name.endswith("64") else 16 if name.endswith("128") else 4
    return math.prod(dims) * size


class RunState:
    """Bytes alive during a run (``live``), their maximum (``peak``) and an optional ceiling.

    ``scratch(class_name, output_bytes)`` is what a layer may allocate while it runs on top of
    its inputs and outputs (e.g. a convolution's patches); it counts towards ``peak`` only.
    ``on_limit(peak, where)`` is called (and may raise) when ``peak`` passes ``limit_bytes``.
    """

    def __init__(
        self, limit_bytes: float = math.inf, on_limit: Any = None, scratch: Any = None
    ) -> None:
        self.live = 0
        self.peak = 0
        self.limit = limit_bytes
        self.on_limit = on_limit
        self.scratch = scratch

    def add(self, size: int, where: str, class_name: str = "") -> None:
        self.live += size
        extra = self.scratch(class_name, size) if self.scratch and class_name else 0
        if self.live + extra > self.peak:
            self.peak = self.live + extra
            if self.peak > self.limit and self.on_limit is not None:
                self.on_limit(self.peak, where)


def run_graph(
    model: Any,
    inputs: list[Any],
    visit: Any = None,
    *,
    mode: str = "real",
    state: RunState | None = None,
) -> list[Any]:
    """Run a functional (or built Sequential) model one node at a time; return its flat outputs.

    Keras's own ``Functional.call`` keeps every intermediate tensor until the call returns; this
    runs the same nodes, in the same order, with the same arguments (``node.arguments``, masks
    and ``training=False`` as ``Functional.call`` passes them) but drops each tensor as soon as
    its last consumer has run. Nested functional models are run the same way, inside.
    ``visit(node_id, outputs)`` sees every node's outputs (ids of ``build_layer_graph``; the inner
    nodes of a nested model on its first call, as ``"inner/dense@0"``). ``mode="dry"`` computes
    nothing: ``inputs`` are shapes ``(shape, dtype)`` and outputs are stubs whose ``None`` sizes
    are the batch size (for a memory estimate); ``mode="spec"`` runs ``compute_output_spec``
    (shapes of every tensor for inputs of any concrete shape, without allocating).

    Example:
        >>> import keras, numpy as np
        >>> x = keras.Input(shape=(4,), name="x")
        >>> m = keras.Model(x, keras.layers.Dense(2, name="d")(x))
        >>> seen = []
        >>> [tuple(y.shape) for y in run_graph(m, [np.zeros((3, 4))], lambda i, o: seen.append(i))]
        [(3, 2)]
        >>> seen
        ['x@0', 'd@0']
    """
    from keras import ops

    functional = _functional_of(model)
    run = state or RunState()
    if mode == "dry":
        flat = [_Stub(tuple(shape), dtype) for shape, dtype in inputs]
    elif mode == "spec":
        import keras

        flat = [keras.KerasTensor(tuple(shape), dtype=dtype) for shape, dtype in inputs]
    else:
        flat = functional._adjust_input_rank(functional._convert_inputs_to_tensors(list(inputs)))
        flat = [ops.convert_to_tensor(x) if x is not None else x for x in flat]
    batch = int(flat[0].shape[0]) if flat and flat[0] is not None and flat[0].shape else 1
    return _run(functional, "", flat, visit, mode, run, batch)


def _functional_of(model: Any) -> Any:
    from keras.src.models.functional import Functional
    from keras.src.models.sequential import Sequential

    functional = model._functional if isinstance(model, Sequential) else model
    if not isinstance(functional, Functional):
        raise TypeError(
            f"run_graph needs a functional or built Sequential model; {model.name!r} is a "
            f"{type(model).__name__}."
        )
    return functional


def _nested_functional(op: Any) -> Any:
    """The Functional graph of a nested functional or built Sequential model, else ``None``."""
    from keras.src.models.functional import Functional
    from keras.src.models.sequential import Sequential

    if isinstance(op, Sequential):
        return op._functional
    return op if isinstance(op, Functional) else None


_NESTED_KWARGS = {"mask", "training"}


def _run(
    functional: Any,
    prefix: str,
    flat_inputs: list[Any],
    visit: Any,
    mode: str,
    state: RunState,
    batch: int,
) -> list[Any]:
    from keras import tree
    from keras.src.models.functional import operation_fn

    node_ids, op_keys = node_keys(functional, prefix)
    tensors: dict[int, Any] = {}
    for x, y in zip(functional.inputs, flat_inputs, strict=True):
        tensors[id(x)] = y
        if visit is not None and (nid := node_ids.get(id(producer(x)))):
            visit(nid, [y])
    owned: set[int] = set()  # tensors this graph made (a nested model's inputs are its caller's)
    if not prefix:
        owned.update(id(x) for x in functional.inputs)
        state.add(sum(nbytes(y) for y in flat_inputs if y is not None), "inputs")
    steps = [
        node
        for depth in sorted(functional._nodes_by_depth, reverse=True)
        for node in functional._nodes_by_depth[depth]
        if node.operation is not None and not node.is_input
    ]
    last_use: dict[int, int] = {}
    for index, node in enumerate(steps):
        for x in node.input_tensors:
            last_use[id(x)] = index
    keep = {id(x) for x in functional.outputs}
    for index, node in enumerate(steps):
        if any(id(x) not in tensors for x in node.input_tensors):
            continue  # not computable (Keras skips it too)
        op = node.operation
        nid = node_ids.get(id(node), "")
        args, kwargs = node.arguments.fill_in(tensors)
        if _nested_functional(op) is not None and set(kwargs) <= _NESTED_KWARGS and args:
            inner_visit = visit if nid.endswith("@0") else None
            outputs = _run_nested(
                op, op_keys[id(op)], args, kwargs, inner_visit, mode, state, batch
            )
        elif mode == "dry":
            outputs = [
                _Stub(tuple(batch if d is None else int(d) for d in x.shape), str(x.dtype))
                for x in node.outputs
            ]
        elif mode == "spec":
            outputs = op.compute_output_spec(*args, **kwargs)
        else:
            outputs = operation_fn(op, training=False)(*args, **kwargs)
        flat = tree.flatten(outputs)
        del args, kwargs, outputs
        state.add(sum(nbytes(y) for y in flat), nid, type(op).__name__)
        for x, y in zip(node.outputs, flat, strict=False):
            tensors[id(x)] = y
            owned.add(id(x))
        if visit is not None and nid:
            visit(nid, flat)
        del flat
        for x in node.input_tensors:
            if last_use.get(id(x)) == index and id(x) not in keep and id(x) in tensors:
                gone = tensors.pop(id(x))
                if id(x) in owned:
                    state.live -= nbytes(gone)
    outputs = [tensors[id(x)] for x in functional.outputs]
    # the caller takes the outputs over (and counts them); everything else here is gone
    state.live -= sum(nbytes(y) for k, y in tensors.items() if k in owned and y is not None)
    return outputs


def _run_nested(
    op: Any,
    key: str,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    visit: Any,
    mode: str,
    state: RunState,
    batch: int,
) -> list[Any]:
    """``op(*args, **kwargs)`` for a nested model, as ``Functional.call`` does it, node by node."""
    from keras import tree
    from keras.src import backend

    functional = _functional_of(op)
    first = args[0]
    if mode == "real":
        flat = functional._standardize_inputs(first)
        masks = kwargs.get("mask")
        if masks is not None:
            for x, mask in zip(flat, tree.flatten(masks), strict=False):
                if mask is not None:
                    backend.set_keras_mask(x, mask)
    else:
        flat = tree.flatten(first)
    return _run(functional, key, flat, visit, mode, state, batch)
