"""Input checks shared by the inspection views: a clear message instead of a deep traceback.

Example:
    >>> graph_of(None, "summary")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    TypeError: keras_lens.summary() needs a Keras model; got None. ...
"""

from __future__ import annotations

from typing import Any

from keras_lens.records import LayerGraph

__all__ = ["graph_of", "require_model"]

_EXAMPLE = (
    "Build one with the functional API, e.g. `inputs = keras.Input(shape=(784,)); "
    "outputs = keras.layers.Dense(10)(inputs); model = keras.Model(inputs, outputs)`."
)


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
    else:
        what = f"a {type(obj).__module__}.{type(obj).__qualname__}"
    raise TypeError(f"keras_lens.{feature}() needs a Keras model; got {what}. {_EXAMPLE}")


def graph_of(obj: Any, feature: str, *, graph_needed: bool = False) -> LayerGraph:
    """The ``LayerGraph`` of a model, with clear errors for bad or unbuilt models.

    ``graph_needed=True`` rejects subclassed models (they have no static layer graph).
    """
    from keras_lens.adapter import UnbuiltModelError, build_layer_graph

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
            f"to inspect. Rebuild it with the functional API. {_EXAMPLE}"
        )
    return graph
