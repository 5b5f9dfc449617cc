"""keras_lens: see a Keras model, its layer graph, its summary and its tensor shapes.

Everything heavy (Keras, ipywidgets, matplotlib) is imported lazily, on first use of the
feature that needs it, so ``import keras_lens`` stays cheap.

Example:
    >>> import keras_lens
    >>> keras_lens.__version__
    '0.1.0'
"""

from __future__ import annotations

import importlib
from typing import Any

from keras_lens._version import __version__

# public name -> module that defines it
_LAZY: dict[str, str] = {
    "datasets": "keras_lens.datasets",
    "exercises": "keras_lens.exercises",
    "setup_notebook": "keras_lens.notebook",
    "set_language": "keras_lens.i18n",
    "i18n": "keras_lens.i18n",
    "scratch_dir": "keras_lens.notebook",
    "param_formula": "keras_lens.records.formulas",
    "explain_formula": "keras_lens.render.formula_words",
    "playground": "keras_lens.views.playground_view",
    "LivePlot": "keras_lens.views.liveplot",
    "summary": "keras_lens.views.summary_view",
    "shapes": "keras_lens.views.shapes_view",
    "compare": "keras_lens.views.compare_view",
    "inspect": "keras_lens.views.inspect_view",
    "build_layer_graph": "keras_lens.adapter",
    "LayerGraph": "keras_lens.records",
    "graph": "keras_lens.views.graph_view",
}

__all__ = ["__version__", *sorted(_LAZY)]


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'keras_lens' has no attribute {name!r}")
    module = importlib.import_module(module_name)
    value = module if module_name.endswith("." + name) else getattr(module, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
