"""Small factories for the models of the seed documents (/work/shared/seeds), for tests.

Each factory builds a fresh model following the seed code (Keras 3 imports, straight quotes;
``name=input`` typos fixed to ``name="input"``). ``DOCUMENTED_PARAMS`` holds the parameter counts
printed in the seed documents (an independent source for tests). Auto-generated layer names
(``dense_3``...) depend on what was built before, so tests should not hard-code them.

Example:
    >>> from tests.seed_models import mlp_002, DOCUMENTED_PARAMS
    >>> mlp_002().count_params() == DOCUMENTED_PARAMS["mlp_002"]
    True
"""

from __future__ import annotations

import warnings
from typing import Any

import keras
from keras import layers, ops

__all__ = [
    "DOCUMENTED_PARAMS",
    "FUNCTIONAL_FACTORIES",
    "CustomRNN",
    "SubclassedMLP",
    "autoencoder_nested_001",
    "autoencoder_same_graph_001",
    "cnn_002",
    "custom_rnn_functional_001",
    "ensemble_001",
    "lstm_002",
    "mlp_002",
    "mnist_model_001",
    "multi_input_002",
    "multi_output_002",
    "sequential_002",
    "sequential_vs_functional_004",
    "shared_embedding_001",
    "shared_feature_extractor_002",
    "shared_input_002",
    "subclassed_mlp_001",
    "ticket_model_001",
    "toy_resnet_001",
    "vgg19_features_001",
]

#: Parameter counts printed in the seed documents (see /work/shared/seed-examples.md).
DOCUMENTED_PARAMS: dict[str, int] = {
    "mnist_model_001": 55_050,
    "mlp_002": 541_794,
    "cnn_002": 138_122,
    "lstm_002": 84_362,
    "shared_input_002": 399_610,
    "shared_feature_extractor_002": 78_984,
    "multi_input_002": 424_874,
    "multi_output_002": 31_348,
    "toy_resnet_001": 223_242,
    "encoder_001": 18_672,
    "decoder_001": 9_569,
    "autoencoder_001": 28_241,
}


def mnist_model_001() -> keras.Model:
    """Seed 001-03: Dense 64-64-10 on 784 inputs, named "mnist_model"."""
    inputs = keras.Input(shape=(784,))
    x = layers.Dense(64, activation="relu")(inputs)
    x = layers.Dense(64, activation="relu")(x)
    outputs = layers.Dense(10)(x)
    return keras.Model(inputs=inputs, outputs=outputs, name="mnist_model")


def mlp_002() -> keras.Model:
    """Seed 002 3.1: MLP 784-512-216-128-10."""
    mnist_input = keras.Input(shape=(784,), name="input")
    hidden1 = layers.Dense(512, activation="relu", name="hidden1")(mnist_input)
    hidden2 = layers.Dense(216, activation="relu", name="hidden2")(hidden1)
    hidden3 = layers.Dense(128, activation="relu", name="hidden3")(hidden2)
    output = layers.Dense(10, activation="softmax", name="output")(hidden3)
    return keras.Model(inputs=mnist_input, outputs=output)


def cnn_002() -> keras.Model:
    """Seed 002 3.2: two conv/pool stages then Dense on the 4-D tensor."""
    mnist_input = keras.Input(shape=(28, 28, 1), name="input")
    conv1 = layers.Conv2D(128, kernel_size=4, activation="relu", name="conv1")(mnist_input)
    pool1 = layers.MaxPool2D(pool_size=(2, 2), name="pool1")(conv1)
    conv2 = layers.Conv2D(64, kernel_size=4, activation="relu", name="conv2")(pool1)
    pool2 = layers.MaxPool2D(pool_size=(2, 2), name="pool2")(conv2)
    hidden1 = layers.Dense(64, activation="relu", name="hidden1")(pool2)
    output = layers.Dense(10, activation="softmax", name="output")(hidden1)
    return keras.Model(inputs=mnist_input, outputs=output)


def lstm_002() -> keras.Model:
    """Seed 002 3.3: LSTM(128) over 784 time steps of 1 feature."""
    mnist_input = keras.Input(shape=(784, 1), name="input")
    lstm1 = layers.LSTM(128, name="lstm1")(mnist_input)
    hidden1 = layers.Dense(128, activation="relu", name="hidden1")(lstm1)
    output = layers.Dense(10, activation="softmax", name="output")(hidden1)
    return keras.Model(inputs=mnist_input, outputs=output)


def shared_input_002() -> keras.Model:
    """Seed 002 4.1: two conv branches (kernel 4 and 8) on one input, concatenated."""
    mnist_input = keras.Input(shape=(28, 28, 1), name="input")
    conv1 = layers.Conv2D(32, kernel_size=4, activation="relu", name="conv1")(mnist_input)
    pool1 = layers.MaxPool2D(pool_size=(2, 2), name="pool1")(conv1)
    flat1 = layers.Flatten()(pool1)
    conv2 = layers.Conv2D(16, kernel_size=8, activation="relu", name="conv2")(mnist_input)
    pool2 = layers.MaxPool2D(pool_size=(2, 2), name="pool2")(conv2)
    flat2 = layers.Flatten()(pool2)
    merge = layers.concatenate([flat1, flat2])
    hidden1 = layers.Dense(64, activation="relu", name="hidden1")(merge)
    output = layers.Dense(10, activation="softmax", name="output")(hidden1)
    return keras.Model(inputs=mnist_input, outputs=output)


def shared_feature_extractor_002() -> keras.Model:
    """Seed 002 4.2: one LSTM feature extractor read by a shallow and a deep head."""
    mnist_input = keras.Input(shape=(784, 1), name="input")
    extract1 = layers.LSTM(128, name="lstm1")(mnist_input)
    interp1 = layers.Dense(10, activation="relu", name="interp1")(extract1)
    interp21 = layers.Dense(64, activation="relu", name="interp21")(extract1)
    interp22 = layers.Dense(32, activation="relu", name="interp22")(interp21)
    interp23 = layers.Dense(16, activation="relu", name="interp23")(interp22)
    merge = layers.concatenate([interp1, interp23], name="merge")
    output = layers.Dense(10, activation="softmax", name="output")(merge)
    return keras.Model(inputs=mnist_input, outputs=output)


def multi_input_002() -> keras.Model:
    """Seed 002 5.1: 64x64 gray + 32x32 RGB inputs, two CNNs, concatenated."""
    img_gray_bigsize = keras.Input(shape=(64, 64, 1), name="img_gray_bigsize")
    conv11 = layers.Conv2D(32, kernel_size=4, activation="relu", name="conv11")(img_gray_bigsize)
    pool11 = layers.MaxPool2D(pool_size=(2, 2), name="pool11")(conv11)
    conv12 = layers.Conv2D(16, kernel_size=4, activation="relu", name="conv12")(pool11)
    pool12 = layers.MaxPool2D(pool_size=(2, 2), name="pool12")(conv12)
    flat1 = layers.Flatten()(pool12)
    img_rgb_smallsize = keras.Input(shape=(32, 32, 3), name="img_rgb_smallsize")
    conv21 = layers.Conv2D(32, kernel_size=4, activation="relu", name="conv21")(img_rgb_smallsize)
    pool21 = layers.MaxPool2D(pool_size=(2, 2), name="pool21")(conv21)
    conv22 = layers.Conv2D(16, kernel_size=4, activation="relu", name="conv22")(pool21)
    pool22 = layers.MaxPool2D(pool_size=(2, 2), name="pool22")(conv22)
    flat2 = layers.Flatten()(pool22)
    merge = layers.concatenate([flat1, flat2])
    hidden1 = layers.Dense(128, activation="relu", name="hidden1")(merge)
    hidden2 = layers.Dense(64, activation="relu", name="hidden2")(hidden1)
    output = layers.Dense(10, activation="softmax", name="output")(hidden2)
    return keras.Model(inputs=[img_gray_bigsize, img_rgb_smallsize], outputs=output)


def multi_output_002() -> keras.Model:
    """Seed 002 5.2: LSTM(return_sequences) -> LSTM classifier + TimeDistributed(Dense)."""
    mnist_input = keras.Input(shape=(784, 1), name="input")
    extract = layers.LSTM(64, return_sequences=True, name="extract")(mnist_input)
    class11 = layers.LSTM(32, name="class11")(extract)
    class12 = layers.Dense(32, activation="relu", name="class12")(class11)
    output1 = layers.Dense(10, activation="softmax", name="output1")(class12)
    output2 = layers.TimeDistributed(layers.Dense(10, activation="softmax"), name="output2")(
        extract
    )
    return keras.Model(inputs=mnist_input, outputs=[output1, output2])


def ticket_model_001(num_tags: int = 12, num_words: int = 10000) -> keras.Model:
    """Seed 001-09: title/body/tags -> priority/department."""
    num_departments = 4
    title_input = keras.Input(shape=(None,), name="title")
    body_input = keras.Input(shape=(None,), name="body")
    tags_input = keras.Input(shape=(num_tags,), name="tags")
    title_features = layers.Embedding(num_words, 64)(title_input)
    body_features = layers.Embedding(num_words, 64)(body_input)
    title_features = layers.LSTM(128)(title_features)
    body_features = layers.LSTM(32)(body_features)
    x = layers.concatenate([title_features, body_features, tags_input])
    priority_pred = layers.Dense(1, name="priority")(x)
    department_pred = layers.Dense(num_departments, name="department")(x)
    return keras.Model(
        inputs=[title_input, body_input, tags_input],
        outputs=[priority_pred, department_pred],
    )


def toy_resnet_001() -> keras.Model:
    """Seed 000 / 001-13: toy ResNet for CIFAR-10 with two residual ``add`` merges."""
    inputs = keras.Input(shape=(32, 32, 3), name="img")
    x = layers.Conv2D(32, 3, activation="relu")(inputs)
    x = layers.Conv2D(64, 3, activation="relu")(x)
    block_1_output = layers.MaxPooling2D(3)(x)
    x = layers.Conv2D(64, 3, activation="relu", padding="same")(block_1_output)
    x = layers.Conv2D(64, 3, activation="relu", padding="same")(x)
    block_2_output = layers.add([x, block_1_output])
    x = layers.Conv2D(64, 3, activation="relu", padding="same")(block_2_output)
    x = layers.Conv2D(64, 3, activation="relu", padding="same")(x)
    block_3_output = layers.add([x, block_2_output])
    x = layers.Conv2D(64, 3, activation="relu")(block_3_output)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dense(256, activation="relu")(x)
    x = layers.Dropout(0.5)(x)
    outputs = layers.Dense(10)(x)
    return keras.Model(inputs, outputs, name="toy_resnet")


def _encoder_layers(encoder_input: Any) -> Any:
    x = layers.Conv2D(16, 3, activation="relu")(encoder_input)
    x = layers.Conv2D(32, 3, activation="relu")(x)
    x = layers.MaxPooling2D(3)(x)
    x = layers.Conv2D(32, 3, activation="relu")(x)
    x = layers.Conv2D(16, 3, activation="relu")(x)
    return layers.GlobalMaxPooling2D()(x)


def _decoder_layers(x: Any) -> Any:
    x = layers.Reshape((4, 4, 1))(x)
    x = layers.Conv2DTranspose(16, 3, activation="relu")(x)
    x = layers.Conv2DTranspose(32, 3, activation="relu")(x)
    x = layers.UpSampling2D(3)(x)
    x = layers.Conv2DTranspose(16, 3, activation="relu")(x)
    return layers.Conv2DTranspose(1, 3, activation="relu")(x)


def autoencoder_same_graph_001() -> tuple[keras.Model, keras.Model]:
    """Seed 001-06: ``(encoder, autoencoder)`` defined on one layer graph."""
    encoder_input = keras.Input(shape=(28, 28, 1), name="img")
    encoder_output = _encoder_layers(encoder_input)
    encoder = keras.Model(encoder_input, encoder_output, name="encoder")
    decoder_output = _decoder_layers(encoder_output)
    autoencoder = keras.Model(encoder_input, decoder_output, name="autoencoder")
    return encoder, autoencoder


def autoencoder_nested_001() -> tuple[keras.Model, keras.Model, keras.Model]:
    """Seed 001-07 / 003: ``(encoder, decoder, autoencoder)``; models called like layers."""
    encoder_input = keras.Input(shape=(28, 28, 1), name="original_img")
    encoder = keras.Model(encoder_input, _encoder_layers(encoder_input), name="encoder")
    decoder_input = keras.Input(shape=(16,), name="encoded_img")
    decoder = keras.Model(decoder_input, _decoder_layers(decoder_input), name="decoder")
    autoencoder_input = keras.Input(shape=(28, 28, 1), name="img")
    encoded_img = encoder(autoencoder_input)
    decoded_img = decoder(encoded_img)
    autoencoder = keras.Model(autoencoder_input, decoded_img, name="autoencoder")
    return encoder, decoder, autoencoder


def ensemble_001() -> keras.Model:
    """Seed 001-08: three ``get_model()`` models on one input, averaged (3 * 129 = 387)."""

    def get_model() -> keras.Model:
        inputs = keras.Input(shape=(128,))
        outputs = layers.Dense(1)(inputs)
        return keras.Model(inputs, outputs)

    model1, model2, model3 = get_model(), get_model(), get_model()
    inputs = keras.Input(shape=(128,))
    outputs = layers.average([model1(inputs), model2(inputs), model3(inputs)])
    return keras.Model(inputs=inputs, outputs=outputs)


def shared_embedding_001() -> keras.Model:
    """Seed 001-15: one Embedding(1000, 128) called on two int inputs (a shared layer)."""
    shared_embedding = layers.Embedding(1000, 128, name="shared_embedding")
    text_input_a = keras.Input(shape=(None,), dtype="int32", name="text_a")
    text_input_b = keras.Input(shape=(None,), dtype="int32", name="text_b")
    encoded_input_a = shared_embedding(text_input_a)
    encoded_input_b = shared_embedding(text_input_b)
    return keras.Model([text_input_a, text_input_b], [encoded_input_a, encoded_input_b])


def vgg19_features_001(input_shape: tuple[int, int, int] = (32, 32, 3)) -> keras.Model:
    """Seed 001-16, kept cheap: VGG19(weights=None, include_top=False) on a small input,
    with every layer's output as a model output (feature extraction)."""
    vgg19 = keras.applications.VGG19(weights=None, include_top=False, input_shape=input_shape)
    features_list = [layer.output for layer in vgg19.layers]
    return keras.Model(inputs=vgg19.input, outputs=features_list, name="vgg19_features")


class CustomRNN(layers.Layer):
    """Seed 001-23: a hand-written RNN layer (keras.ops instead of tf.* calls)."""

    def __init__(self, units: int = 32, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.units = units
        self.projection_1 = layers.Dense(units=units, activation="tanh")
        self.projection_2 = layers.Dense(units=units, activation="tanh")
        self.classifier = layers.Dense(1)

    def call(self, inputs: Any) -> Any:
        outputs = []
        state = ops.zeros(shape=(inputs.shape[0], self.units))
        for t in range(inputs.shape[1]):
            x = inputs[:, t, :]
            h = self.projection_1(x)
            y = h + self.projection_2(state)
            state = y
            outputs.append(y)
        features = ops.stack(outputs, axis=1)
        return self.classifier(features)


def custom_rnn_functional_001(batch_size: int = 16) -> keras.Model:
    """Seed 001-23: a functional model around ``CustomRNN`` (static batch size)."""
    inputs = keras.Input(batch_shape=(batch_size, 10, 5))
    x = layers.Conv1D(32, 3)(inputs)
    outputs = CustomRNN()(x)
    return keras.Model(inputs, outputs)


class SubclassedMLP(keras.Model):
    """Seed 001-21: the subclassed version of a small MLP."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.dense_1 = layers.Dense(64, activation="relu")
        self.dense_2 = layers.Dense(10)

    def call(self, inputs: Any) -> Any:
        return self.dense_2(self.dense_1(inputs))


def subclassed_mlp_001() -> keras.Model:
    """Seed 001-21: ``SubclassedMLP`` called once on zeros so it has weights."""
    mlp = SubclassedMLP()
    mlp(ops.zeros((1, 32)))
    return mlp


def sequential_002() -> keras.Sequential:
    """Seed 002-02: ``Sequential([Dense(2, input_shape=(1,)), Dense(1)])`` (built)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # Keras 3 warns about input_shape
        return keras.Sequential([layers.Dense(2, input_shape=(1,)), layers.Dense(1)])


def sequential_vs_functional_004() -> tuple[keras.Sequential, keras.Model]:
    """Seed 004-01: the same 784 -> Dense(32) -> relu model, Sequential and functional."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # Keras 3 warns about input_dim
        seq = keras.Sequential()
        seq.add(layers.Dense(32, input_dim=784))
        seq.add(layers.Activation("relu"))
    a = keras.Input(shape=(784,))
    b = layers.Dense(32, activation="relu")(a)
    return seq, keras.Model(inputs=a, outputs=b)


#: Factories returning one functional model, by name (for parametrized tests).
FUNCTIONAL_FACTORIES = {
    "mnist_model_001": mnist_model_001,
    "mlp_002": mlp_002,
    "cnn_002": cnn_002,
    "lstm_002": lstm_002,
    "shared_input_002": shared_input_002,
    "shared_feature_extractor_002": shared_feature_extractor_002,
    "multi_input_002": multi_input_002,
    "multi_output_002": multi_output_002,
    "ticket_model_001": ticket_model_001,
    "toy_resnet_001": toy_resnet_001,
    "ensemble_001": ensemble_001,
    "shared_embedding_001": shared_embedding_001,
    "custom_rnn_functional_001": custom_rnn_functional_001,
}
