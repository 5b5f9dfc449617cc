"""The corpus: real models this project did not write, every entry point checked against Keras.

* models re-created from Keras's own tests (``tests/corpus/keras_tests.py``);
* keras-io functional examples (``tests/corpus/keras_io.py``);
* every ``keras.applications`` constructor with ``weights=None`` at a small input size
  (marker ``corpus_heavy``: ``.ci/run`` runs it; skip locally with ``-m "not corpus_heavy"``).

Each model is built once, checked by ``tests/corpus/checks.check_model`` and freed.
"""

from __future__ import annotations

import gc
import warnings

import numpy as np
import pytest

keras = pytest.importorskip("keras")
pytest.importorskip("pydot")

from tests.corpus import keras_io, keras_tests  # noqa: E402
from tests.corpus.checks import check_model  # noqa: E402

#: constructor -> input size (the smallest each accepts, to stay in the CI budget).
APPLICATIONS = {
    "ConvNeXtBase": 32,
    "ConvNeXtLarge": 32,
    "ConvNeXtSmall": 32,
    "ConvNeXtTiny": 32,
    "ConvNeXtXLarge": 32,
    "DenseNet121": 32,
    "DenseNet169": 32,
    "DenseNet201": 32,
    "EfficientNetB0": 32,
    "EfficientNetB1": 32,
    "EfficientNetB2": 32,
    "EfficientNetB3": 32,
    "EfficientNetB4": 32,
    "EfficientNetB5": 32,
    "EfficientNetB6": 32,
    "EfficientNetB7": 32,
    "EfficientNetV2B0": 32,
    "EfficientNetV2B1": 32,
    "EfficientNetV2B2": 32,
    "EfficientNetV2B3": 32,
    "EfficientNetV2L": 32,
    "EfficientNetV2M": 32,
    "EfficientNetV2S": 32,
    "InceptionResNetV2": 75,
    "InceptionV3": 75,
    "MobileNet": 32,
    "MobileNetV2": 32,
    "MobileNetV3Large": 32,
    "MobileNetV3Small": 32,
    "NASNetLarge": 32,
    "NASNetMobile": 32,
    "ResNet101": 32,
    "ResNet101V2": 32,
    "ResNet152": 32,
    "ResNet152V2": 32,
    "ResNet50": 32,
    "ResNet50V2": 32,
    "VGG16": 32,
    "VGG19": 32,
    "Xception": 71,
}


def _fresh(builder):
    keras.backend.clear_session()
    gc.collect()
    keras.utils.set_random_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Keras warns about dict keys that are not Input names
        return builder()


@pytest.mark.parametrize("name", sorted(keras_tests.BUILDERS))
def test_models_from_keras_tests(name):
    model, batch = _fresh(keras_tests.BUILDERS[name])
    check_model(model, batch)


@pytest.mark.parametrize("name", sorted(keras_io.BUILDERS))
def test_keras_io_examples(name):
    model, batch = _fresh(keras_io.BUILDERS[name])
    check_model(model, batch)


def test_every_application_is_listed():
    constructors = {n for n in dir(keras.applications) if n[0].isupper()}
    assert constructors == set(APPLICATIONS)


@pytest.mark.corpus_heavy
@pytest.mark.parametrize("name", sorted(APPLICATIONS))
def test_keras_applications(name):
    size = APPLICATIONS[name]

    def build():
        constructor = getattr(keras.applications, name)
        model = constructor(weights=None, input_shape=(size, size, 3), classes=10)
        return model, np.random.default_rng(0).random((1, size, size, 3), dtype="float32")

    model, batch = _fresh(build)
    check_model(model, batch)
    del model
    gc.collect()
