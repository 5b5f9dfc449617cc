"""Input checks shared by the inspection views: a clear message instead of a deep traceback.

Example:
    >>> graph_of(None, "summary")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    TypeError: keras_lens.summary() needs a Keras model; got None. ...
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from keras_lens.adapter import ACCEPTED, UnbuiltModelError, as_tensors, build_layer_graph
from keras_lens.records import LayerGraph

__all__ = [
    "ACCEPTED",
    "as_tensors",
    "did_you_mean",
    "graph_of",
    "require_flag",
    "require_model",
    "require_rankdir",
]

_EXAMPLE_CODE = (
    "`inputs = keras.Input(shape=(784,)); outputs = keras.layers.Dense(10)(inputs); "
    "model = keras.Model(inputs, outputs)`"
)
_EXAMPLE = f"Build one with the functional API, e.g. {_EXAMPLE_CODE}."


def require_model(obj: Any, feature: str) -> Any:
    """Return ``obj`` if it is a ``keras.Model``; otherwise raise a ``TypeError`` that says why."""
    import keras

    if isinstance(obj, keras.Model):
        return obj
    if obj is None:
        what = "None"
    elif isinstance(obj, keras.layers.Layer):
        what = (
            f"the layer {obj.name!r} ({type(obj).__name__}), not a model; pass the model that "
            "contains it"
        )
    elif isinstance(obj, keras.KerasTensor):
        what = "a KerasTensor (a graph still being built); wrap it first: keras.Model(inputs, it)"
    elif hasattr(obj, "shape") and hasattr(obj, "dtype"):
        what = f"an array of shape {tuple(obj.shape)} (data, not a model)"
    elif isinstance(obj, str):
        what = f"the string {obj[:60]!r}; pass the model object itself (the variable), not its name"
    elif isinstance(obj, (list, tuple, dict)):
        what = _container(obj, feature)
    else:
        what = f"a {type(obj).__module__}.{type(obj).__qualname__}"
    raise TypeError(f"keras_lens.{feature}() needs a Keras model; got {what}. {_EXAMPLE}")


def _container(obj: Any, feature: str) -> str:
    """What a list, tuple or dict holds, and what to pass instead."""
    import keras

    items = list(obj.values()) if isinstance(obj, dict) else list(obj)
    kind = type(obj).__name__
    if items and all(isinstance(x, keras.Model) for x in items):
        if feature == "compare":
            return f"a {kind} of {len(items)} models; pass them as two arguments: compare(a, b)"
        return f"a {kind} of {len(items)} models; pass one model at a time"
    if items and all(isinstance(x, keras.KerasTensor) for x in items):
        return (
            f"a {kind} of {len(items)} KerasTensors (a graph still being built); wrap them "
            "first: keras.Model(inputs, outputs)"
        )
    return f"a {kind} of {len(items)} item{'' if len(items) == 1 else 's'} (not a model)"


def did_you_mean(key: object, keys: Iterable[str]) -> str:
    """`` Did you mean 'encoder/dense'?`` when ``key`` is the name of a layer in a nested model.

    Example:
        >>> did_you_mean("dense", ["x", "encoder/dense"])
        " Did you mean 'encoder/dense'?"
    """
    found = [k for k in keys if isinstance(key, str) and k.rsplit("/", 1)[-1] == key]
    return f" Did you mean {' or '.join(map(repr, found))}?" if found else ""


def require_flag(value: Any, name: str, feature: str) -> bool:
    """``value`` as a bool if it is ``True`` or ``False`` (or 1/0); otherwise a clear ``TypeError``.

    Example:
        >>> require_flag(1, "show_shapes", "graph")
        True
    """
    if (isinstance(value, int) and value in (0, 1)) or type(value).__name__ == "bool_":
        return bool(value)
    raise TypeError(f"keras_lens.{feature}(): {name} must be True or False; got {value!r}.")


def require_rankdir(value: Any, feature: str) -> str:
    """``"TB"`` or ``"LR"`` (any case, spaces stripped), else a ``ValueError`` naming the feature.

    Example:
        >>> require_rankdir(" lr", "graph")
        'LR'
    """
    text = value.strip().upper() if isinstance(value, str) else value
    if text in ("TB", "LR"):
        return text
    raise ValueError(
        f"keras_lens.{feature}(): rankdir must be 'TB' (top to bottom) or 'LR' (left to "
        f"right); got {value!r}."
    )


def graph_of(obj: Any, feature: str, *, graph_needed: bool = False) -> LayerGraph:
    """The ``LayerGraph`` of a model, with clear errors for bad or unbuilt models.

    The one refusal rule of every entry point (``graph``, ``summary``, ``shapes``, ``inspect``,
    ``compare``): not a model -> ``TypeError``; a model that is not built (a subclassed model
    never called, a Sequential without an input) -> ``ValueError`` saying how to build it.
    ``graph_needed=True`` also rejects subclassed models (they have no static layer graph).
    """
    model = require_model(obj, feature)
    if not model.built:
        raise ValueError(
            f"keras_lens.{feature}(): the model {model.name!r} is not built yet, so its layers "
            "have no weights or shapes. Start it with `keras.Input(shape=...)`, call "
            "`model.build((None, ...))` with your input shape, or call it once on data."
        )
    try:
        graph = build_layer_graph(model)
    except UnbuiltModelError as error:
        raise ValueError(f"keras_lens.{feature}(): {error}") from None
    except TypeError as error:
        raise TypeError(f"keras_lens.{feature}(): {error}") from None
    if graph_needed and graph.kind == "subclassed":
        raise ValueError(
            f"keras_lens.{feature}(): {type(model).__name__} {model.name!r} is a subclassed "
            "keras.Model; its call() is Python code, so Keras keeps no graph of layer outputs "
            f"to inspect. Rebuild it with the functional API, e.g. {_EXAMPLE_CODE}."
        )
    return graph
