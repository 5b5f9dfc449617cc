"""Plain, immutable records describing a Keras layer graph.

These records are what every ``keras_lens`` view consumes (graph drawing, summary table, shape
tracer, compare and inspect views). They hold only strings, ints, bools and tuples: no Keras
object, and this module never imports Keras. ``keras_lens.adapter.build_layer_graph`` is the only
producer; it walks Keras's private graph structures once and freezes what it finds here.

Vocabulary (the same as Keras's own, see ``keras/src/ops/node.py``):

* a *layer* (``LayerRecord``) is one layer or operation object (``Dense``, ``Add``, a nested
  ``Model``). It appears once in ``LayerGraph.layers`` however many times it is called;
* a *node* (``NodeRecord``) is one call of a layer on symbolic inputs. A layer called at several
  nodes is *shared* (its weights are reused);
* an *edge* (``EdgeRecord``) is one tensor flowing from the node that produced it to a node that
  consumes it.

Example:
    >>> from keras_lens.records import LayerGraph, LayerRecord, NodeRecord, EdgeRecord
    >>> inp = LayerRecord(key="x", name="x", class_name="InputLayer", node_ids=("x@0",))
    >>> out = LayerRecord(key="d", name="d", class_name="Dense", node_ids=("d@0",),
    ...                   trainable_params=6)
    >>> nodes = (NodeRecord("x@0", "x", 0, output_shapes=((None, 2),)),
    ...          NodeRecord("d@0", "d", 0, input_shapes=((None, 2),),
    ...                     output_shapes=((None, 2),)))
    >>> g = LayerGraph(name="m", class_name="Functional", kind="functional",
    ...                layers=(inp, out), nodes=nodes,
    ...                edges=(EdgeRecord("x@0", "d@0", 0, 0, (None, 2)),),
    ...                input_ids=("x@0",), output_ids=("d@0",), output_indices=(0,),
    ...                total_params=6, trainable_params=6)
    >>> g.edge_dict()
    {'x': {'d'}}
    >>> [e.source for e in g.predecessors("d@0")]
    ['x@0']
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from keras_lens.records.formulas import Formula

__all__ = [
    "GRAPH_KINDS",
    "ConfigField",
    "ConfigPairs",
    "EdgeRecord",
    "GraphKind",
    "LayerGraph",
    "LayerRecord",
    "NodeRecord",
    "Shape",
    "WeightRecord",
    "format_shape",
]

#: A tensor shape; ``None`` marks an unknown dimension (usually the batch).
Shape = tuple[int | None, ...]

GraphKind = Literal["functional", "sequential", "subclassed", "tensors"]

#: The values ``LayerGraph.kind`` can take.
GRAPH_KINDS: tuple[str, ...] = ("functional", "sequential", "subclassed", "tensors")


#: A layer's ``get_config()`` as sorted ``(key, repr(value))`` pairs.
ConfigPairs = tuple[tuple[str, str], ...]


class ConfigField:
    """``LayerRecord.config``: a tuple of pairs, or a function returning them, read once.

    The adapter passes ``config=lambda: read_config(layer)`` so that walking a 10,000-layer
    model does not serialise 10,000 configs that no view shows; the first read calls the
    function and keeps its tuple (records stay equal, hashable and frozen; equality reads it).

    Example:
        >>> calls = []
        >>> r = LayerRecord(key="d", name="d", class_name="Dense",
        ...                 config=lambda: calls.append(1) or (("units", "2"),))
        >>> calls, r.config, r.config, calls
        ([], (('units', '2'),), (('units', '2'),), [1])
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self._slot = f"_{name}_value"

    def __get__(self, record: Any, owner: type | None = None) -> ConfigPairs:
        if record is None:  # the dataclass asks for the default
            return ()
        value = record.__dict__[self._slot]
        if callable(value):
            value = tuple(value())
            record.__dict__[self._slot] = value  # frozen record: its dict, written once
        return value

    def __set__(self, record: Any, value: ConfigPairs | Callable[[], ConfigPairs]) -> None:
        # only reached from the dataclass __init__ (a frozen record refuses assignment)
        record.__dict__[self._slot] = value if callable(value) else tuple(value)


def format_shape(shape: Shape | None) -> str:
    """Format a shape the way Keras prints it: ``(None, 28, 28, 1)``; ``?`` if unknown.

    Example:
        >>> format_shape((None, 784)), format_shape((3,)), format_shape(None)
        ('(None, 784)', '(3,)', '?')
    """
    if shape is None:
        return "?"
    return repr(tuple(shape))


@dataclass(frozen=True)
class WeightRecord:
    """One weight variable of a layer.

    Attributes:
        name: short variable name, e.g. ``"kernel"``.
        shape: the variable's shape, e.g. ``(784, 64)``.
        dtype: e.g. ``"float32"``.
        trainable: whether the optimizer updates it.
        path: Keras's full variable path, e.g. ``"dense/kernel"`` ("" if unknown).

    Example:
        >>> WeightRecord("kernel", (784, 64), "float32", True).size
        50176
    """

    name: str
    shape: tuple[int, ...]
    dtype: str
    trainable: bool
    path: str = ""

    @property
    def size(self) -> int:
        """Number of scalars in the variable (product of the shape)."""
        return math.prod(self.shape)


@dataclass(frozen=True)
class LayerRecord:
    """One layer (or bare operation, or nested model) object of the graph.

    Attributes:
        key: identifier unique in the whole graph tree. Top-level layers use their name; layers
            inside a nested model use ``"<parent key>/<name>"`` (several levels deep possible).
        name: the Keras name (``layer.name``).
        class_name: e.g. ``"Dense"``, ``"InputLayer"``, ``"Functional"``, ``"Add"``.
        parent: key of the enclosing nested model, ``""`` at the top level.
        trainable: the layer's ``trainable`` flag.
        trainable_params: scalars in its trainable weights (whole sub-model for a nested model).
        non_trainable_params: scalars in its non-trainable weights.
        weights: its own weights (for a nested model: all of the sub-model's weights).
        config: ``get_config()`` as sorted ``(key, repr(value))`` pairs; Keras-serialized objects
            (initializers, ...) are shortened to e.g. ``"GlorotUniform(seed=None)"``. Empty if the
            layer cannot produce a config. Use ``config_values()`` for Python values. May be
            given as a function, read on first use (``ConfigField``).
        activation: activation name (``"relu"``) for layers that have one, else ``None``.
        dtype: dtype policy name, e.g. ``"float32"`` or ``"mixed_float16"`` (``None`` for ops).
        is_model: it is a nested model (Functional, Sequential or subclassed ``keras.Model``).
        is_op: it is a bare operation (``x + y``, ``keras.ops.*``), not a ``keras.layers.Layer``.
        implicit: Keras hides it from ``model.layers`` and ``summary()`` (the ``InputLayer`` a
            Sequential model creates for itself). Views mirroring Keras's summary skip these.
        node_ids: ids of the ``NodeRecord`` calls of this layer in this graph, in call order.
        module: the Python module of the class (``"keras.src.layers.core.dense"``, or a user's
            module for custom layers).
        identity: a token naming the layer *object*: equal in the graphs of two models that
            share the object (encoder and autoencoder), different for two distinct layers even
            with the same name. Stable while the object lives; not an address, never shown.

    Example:
        >>> r = LayerRecord(key="d", name="d", class_name="Dense", node_ids=("d@0", "d@1"),
        ...                 trainable_params=10, config=(("units", "2"),))
        >>> r.shared, r.params, r.config_values()
        (True, 10, {'units': 2})
    """

    key: str
    name: str
    class_name: str
    parent: str = ""
    trainable: bool = True
    trainable_params: int = 0
    non_trainable_params: int = 0
    weights: tuple[WeightRecord, ...] = ()
    config: ConfigField = ConfigField()  # type: ignore[assignment]  # reads as ConfigPairs
    activation: str | None = None
    dtype: str | None = None
    is_model: bool = False
    is_op: bool = False
    implicit: bool = False
    node_ids: tuple[str, ...] = ()
    module: str = ""
    identity: str = ""

    @property
    def params(self) -> int:
        """Total parameter count (trainable + non-trainable)."""
        return self.trainable_params + self.non_trainable_params

    @property
    def shared(self) -> bool:
        """True if the layer is called at more than one node of this graph."""
        return len(self.node_ids) > 1

    @property
    def weight_shapes(self) -> tuple[tuple[int, ...], ...]:
        """Shapes of ``weights``, in order."""
        return tuple(w.shape for w in self.weights)

    def formula(self) -> Formula:
        """The parameter arithmetic of this layer, e.g. ``(3*3*1+1)*8`` = 80 for a Conv2D.

        Example:
            >>> layer.formula().text, layer.formula().total  # doctest: +SKIP
            ('(3*3*1+1)*8', 80)
        """
        from keras_lens.records.formulas import param_formula

        return param_formula(self.class_name, self.config_values(), self.weight_shapes)

    def config_values(self) -> dict[str, Any]:
        """``config`` as a dict of Python values (``ast.literal_eval``; text if not a literal)."""
        values: dict[str, Any] = {}
        for key, text in self.config:
            try:
                values[key] = ast.literal_eval(text)
            except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                values[key] = text
        return values


@dataclass(frozen=True)
class NodeRecord:
    """One call of a layer (a Keras ``Node``).

    Attributes:
        id: identifier unique in the graph tree, ``"<layer key>@<call_index>"``.
        layer_key: key of the ``LayerRecord`` that was called.
        call_index: position of this call among the layer's calls in this graph (0, 1, ...).
        input_shapes: shapes of the symbolic input tensors, flattened, in argument order.
        output_shapes: shapes of the output tensors, flattened.
        output_dtypes: dtypes of the output tensors, e.g. ``("float32",)``.
        input_dtypes: dtypes of the input tensors.
        keras_index: Keras's own node index (position in ``layer._inbound_nodes``; counts calls
            made outside this model too); the ``[i]`` in summary's "Connected to" column.

    Example:
        >>> NodeRecord("d@0", "d", 0, ((None, 3),), ((None, 2),), ("float32",)).output_shape
        (None, 2)
    """

    id: str
    layer_key: str
    call_index: int
    input_shapes: tuple[Shape, ...] = ()
    output_shapes: tuple[Shape, ...] = ()
    output_dtypes: tuple[str, ...] = ()
    input_dtypes: tuple[str, ...] = ()
    keras_index: int = 0

    @property
    def output_shape(self) -> Shape | None:
        """The single output shape, or ``None`` if the call has zero or several outputs."""
        return self.output_shapes[0] if len(self.output_shapes) == 1 else None


@dataclass(frozen=True)
class EdgeRecord:
    """One tensor going from the node that produced it to a node that consumes it.

    Attributes:
        source: id of the producing node.
        target: id of the consuming node.
        source_index: which output of the source node (Keras's ``tensor_index``).
        target_index: which input of the target node (position in its flattened inputs).
        shape: the tensor's shape.
        dtype: the tensor's dtype ("" if unknown).
        argument: the call argument the tensor is passed in: ``""`` for the inputs (the first
            argument), else the keyword (``"mask"`` when Keras passes an input's mask).
        input_slot: which input of the target it belongs to: its position in the first
            argument, or for ``mask`` the position of the input it masks (``-1``: unknown; a
            nested model's edges go into the box of input ``input_slot``).

    Example:
        >>> e = EdgeRecord("a@0", "b@0", 0, 2, (None, 4), "bool", argument="mask", input_slot=0)
        >>> e.target_index, e.slot()
        (2, 0)
    """

    source: str
    target: str
    source_index: int
    target_index: int
    shape: Shape
    dtype: str = ""
    argument: str = ""
    input_slot: int = -1

    def slot(self) -> int:
        """The input of the target this tensor feeds (``input_slot``, else ``target_index``)."""
        return self.input_slot if self.input_slot >= 0 else self.target_index


@dataclass(frozen=True)
class LayerGraph:
    """A whole layer graph: layers, their calls (nodes) and the tensors between them (edges).

    Attributes:
        name: the model's name (or ``"tensors"`` for a graph walked from KerasTensors).
        class_name: e.g. ``"Functional"``, ``"Sequential"``, a subclass name.
        kind: ``"functional"``, ``"sequential"``, ``"subclassed"`` (no static graph: ``layers`` is
            the layer list, no nodes or edges, see ``notes``) or ``"tensors"`` (walked back from
            KerasTensors before any ``keras.Model`` exists).
        layers: every layer once, in topological order (inputs first).
        nodes: every call, in topological order.
        edges: every tensor between two nodes.
        input_ids: node ids of the graph inputs, in the model's input order (``keras.tree``
            flattening order of the input structure, as ``model.inputs``).
        input_struct: the model's input structure (Keras's ``_inputs_struct``) with each
            ``keras.Input`` replaced by its node id: a str, or nested lists/tuples/dicts of them
            (``None`` when unknown).
        optional_inputs: node ids of inputs created with ``keras.Input(..., optional=True)``.
        output_ids: node ids producing the graph outputs, in the model's output order.
        output_indices: for each output, which output of its node it is (parallel to output_ids).
        total_params, trainable_params, non_trainable_params: counted over unique weights, so
            they equal ``model.count_params()`` etc. (shared layers count once).
        subgraphs: ``(layer key, LayerGraph)`` for every nested model layer; their layer and node
            keys carry the nested model's key as prefix, so ids never collide. Nested models of
            nested models are in the subgraph's own ``subgraphs``.
        notes: human-readable remarks (e.g. why a subclassed model has no graph).
        keras_version: the Keras version the graph was read from.

    Example:
        >>> g = LayerGraph(name="m", class_name="Functional", kind="functional")
        >>> g.layer_keys, g.shared_layers
        ((), ())
    """

    name: str
    class_name: str
    kind: GraphKind
    layers: tuple[LayerRecord, ...] = ()
    nodes: tuple[NodeRecord, ...] = ()
    edges: tuple[EdgeRecord, ...] = ()
    input_ids: tuple[str, ...] = ()
    output_ids: tuple[str, ...] = ()
    output_indices: tuple[int, ...] = ()
    total_params: int = 0
    trainable_params: int = 0
    non_trainable_params: int = 0
    subgraphs: tuple[tuple[str, LayerGraph], ...] = ()
    notes: tuple[str, ...] = ()
    keras_version: str = ""
    input_struct: Any = field(default=None, repr=False, compare=False, hash=False)
    optional_inputs: tuple[str, ...] = ()
    _index: dict[str, Any] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )

    def __repr__(self) -> str:
        return (
            f"LayerGraph({self.name!r}, kind={self.kind!r}, {len(self.layers)} layers, "
            f"{len(self.nodes)} nodes, {len(self.edges)} edges, {self.total_params:,} params)"
        )

    # -- lookups ---------------------------------------------------------------------------------
    def _lookup(self) -> dict[str, Any]:
        if not self._index:
            self._index["layers"] = {r.key: r for r in self.layers}
            self._index["nodes"] = {n.id: n for n in self.nodes}
            incoming: dict[str, list[EdgeRecord]] = {n.id: [] for n in self.nodes}
            outgoing: dict[str, list[EdgeRecord]] = {n.id: [] for n in self.nodes}
            for e in self.edges:
                incoming.setdefault(e.target, []).append(e)
                outgoing.setdefault(e.source, []).append(e)
            self._index["in"] = {k: tuple(sorted(v, key=_by_target)) for k, v in incoming.items()}
            self._index["out"] = {k: tuple(v) for k, v in outgoing.items()}
            self._index["sub"] = dict(self.subgraphs)
        return self._index

    @property
    def layer_keys(self) -> tuple[str, ...]:
        """Keys of ``layers``, in order."""
        return tuple(r.key for r in self.layers)

    @property
    def shared_layers(self) -> tuple[LayerRecord, ...]:
        """Layers called at more than one node."""
        return tuple(r for r in self.layers if r.shared)

    def layer(self, key: str) -> LayerRecord:
        """The layer with this key (``KeyError`` listing the valid keys if absent)."""
        try:
            return self._lookup()["layers"][key]
        except KeyError:
            raise KeyError(
                f"no layer {key!r} in graph {self.name!r}; layers: "
                f"{', '.join(self.layer_keys) or '(none)'}"
            ) from None

    def node(self, node_id: str) -> NodeRecord:
        """The node with this id (``KeyError`` if absent)."""
        try:
            return self._lookup()["nodes"][node_id]
        except KeyError:
            raise KeyError(f"no node {node_id!r} in graph {self.name!r}") from None

    def nodes_of(self, key: str) -> tuple[NodeRecord, ...]:
        """All calls of the layer ``key``, in call order."""
        return tuple(self.node(i) for i in self.layer(key).node_ids)

    def predecessors(self, node_id: str) -> tuple[EdgeRecord, ...]:
        """Incoming edges of a node, ordered by input position ("connected to")."""
        self.node(node_id)
        return self._lookup()["in"].get(node_id, ())

    def successors(self, node_id: str) -> tuple[EdgeRecord, ...]:
        """Outgoing edges of a node."""
        self.node(node_id)
        return self._lookup()["out"].get(node_id, ())

    def subgraph(self, key: str) -> LayerGraph:
        """The graph of the nested model layer ``key`` (``KeyError`` if it is not a model)."""
        try:
            return self._lookup()["sub"][key]
        except KeyError:
            raise KeyError(f"layer {key!r} of {self.name!r} is not a nested model") from None

    def walk(self) -> Iterator[LayerGraph]:
        """This graph, then every nested subgraph, depth first."""
        yield self
        for _, sub in self.subgraphs:
            yield from sub.walk()

    def edge_dict(self) -> dict[str, set[str]]:
        """Connectivity by layer name: ``{source name: {target names}}``.

        Layers without outgoing edges do not appear as keys (as in Keras's own plot tests).
        """
        lookup = self._lookup()
        result: dict[str, set[str]] = {}
        for e in self.edges:
            src = lookup["layers"][lookup["nodes"][e.source].layer_key].name
            dst = lookup["layers"][lookup["nodes"][e.target].layer_key].name
            result.setdefault(src, set()).add(dst)
        return result


def _by_target(edge: EdgeRecord) -> int:
    return edge.target_index
