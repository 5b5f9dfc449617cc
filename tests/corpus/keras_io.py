"""Functional models re-created from keras-io examples (architectures only, small sizes, no data).

Each builder returns ``(model, batch)``: the example's architecture at a reduced width, and a
batch in the structure ``model(batch)`` takes (random numbers / token ids, only to run shapes).
The source example is named in each docstring (https://keras.io/examples/...).
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers, ops

__all__ = [
    "BUILDERS",
    "CTCLayer",
    "PositionalEmbedding",
    "TransformerDecoder",
    "TransformerEncoder",
]

_RNG = np.random.default_rng(0)


def _img(*shape):
    return _RNG.random(shape, dtype="float32")


def _tokens(*shape, vocab=50):
    return _RNG.integers(1, vocab, shape).astype("int64")


# -- nlp/neural_machine_translation_with_transformer (the nested decoder receives a mask) ------
class PositionalEmbedding(layers.Layer):
    def __init__(self, sequence_length, vocab_size, embed_dim, **kwargs):
        super().__init__(**kwargs)
        self.token_embeddings = layers.Embedding(vocab_size, embed_dim)
        self.position_embeddings = layers.Embedding(sequence_length, embed_dim)

    def call(self, inputs):
        positions = ops.arange(0, ops.shape(inputs)[-1], 1)
        return self.token_embeddings(inputs) + self.position_embeddings(positions)

    def compute_mask(self, inputs, mask=None):
        return ops.not_equal(inputs, 0)


class TransformerEncoder(layers.Layer):
    def __init__(self, embed_dim, dense_dim, num_heads, **kwargs):
        super().__init__(**kwargs)
        self.attention = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
        self.dense_proj = keras.Sequential(
            [layers.Dense(dense_dim, activation="relu"), layers.Dense(embed_dim)]
        )
        self.layernorm_1 = layers.LayerNormalization()
        self.layernorm_2 = layers.LayerNormalization()
        self.supports_masking = True

    def call(self, inputs, mask=None):
        padding_mask = ops.cast(mask[:, None, :], "int32") if mask is not None else None
        attention_output = self.attention(
            query=inputs, value=inputs, key=inputs, attention_mask=padding_mask
        )
        proj_input = self.layernorm_1(inputs + attention_output)
        return self.layernorm_2(proj_input + self.dense_proj(proj_input))


class TransformerDecoder(layers.Layer):
    def __init__(self, embed_dim, latent_dim, num_heads, **kwargs):
        super().__init__(**kwargs)
        self.attention_1 = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
        self.attention_2 = layers.MultiHeadAttention(num_heads=num_heads, key_dim=embed_dim)
        self.dense_proj = keras.Sequential(
            [layers.Dense(latent_dim, activation="relu"), layers.Dense(embed_dim)]
        )
        self.layernorm_1 = layers.LayerNormalization()
        self.layernorm_2 = layers.LayerNormalization()
        self.layernorm_3 = layers.LayerNormalization()
        self.supports_masking = True

    def call(self, inputs, encoder_outputs, mask=None):
        length = ops.shape(inputs)[1]
        i = ops.arange(length)[:, None]
        causal = ops.cast(i >= ops.arange(length), "int32")[None, :, :]
        padding_mask = None
        if mask is not None:
            padding_mask = ops.minimum(ops.cast(mask[:, None, :], "int32"), causal)
        attention_output_1 = self.attention_1(
            query=inputs, value=inputs, key=inputs, attention_mask=causal
        )
        out_1 = self.layernorm_1(inputs + attention_output_1)
        attention_output_2 = self.attention_2(
            query=out_1, value=encoder_outputs, key=encoder_outputs, attention_mask=padding_mask
        )
        out_2 = self.layernorm_2(out_1 + attention_output_2)
        return self.layernorm_3(out_2 + self.dense_proj(out_2))


def seq2seq_transformer():
    """nlp/neural_machine_translation_with_transformer: encoder + nested decoder (with a mask)."""
    sequence_length, vocab, embed_dim, latent_dim, heads = 8, 50, 16, 32, 2
    encoder_inputs = keras.Input(shape=(None,), dtype="int64", name="encoder_inputs")
    x = PositionalEmbedding(sequence_length, vocab, embed_dim)(encoder_inputs)
    encoder_outputs = TransformerEncoder(embed_dim, latent_dim, heads)(x)
    decoder_inputs = keras.Input(shape=(None,), dtype="int64", name="decoder_inputs")
    encoded_seq_inputs = keras.Input(shape=(None, embed_dim), name="decoder_state_inputs")
    x = PositionalEmbedding(sequence_length, vocab, embed_dim)(decoder_inputs)
    x = TransformerDecoder(embed_dim, latent_dim, heads)(x, encoded_seq_inputs)
    x = layers.Dropout(0.5)(x)
    decoder_outputs = layers.Dense(vocab, activation="softmax")(x)
    decoder = keras.Model([decoder_inputs, encoded_seq_inputs], decoder_outputs, name="decoder")
    outputs = decoder([decoder_inputs, encoder_outputs])
    model = keras.Model([encoder_inputs, decoder_inputs], outputs, name="transformer")
    return model, [_tokens(2, sequence_length), _tokens(2, sequence_length)]


# -- vision ---------------------------------------------------------------------------------
def mnist_convnet():
    """vision/mnist_convnet (written with the functional API)."""
    inputs = keras.Input((28, 28, 1))
    x = layers.Conv2D(8, 3, activation="relu")(inputs)
    x = layers.MaxPooling2D(2)(x)
    x = layers.Conv2D(16, 3, activation="relu")(x)
    x = layers.MaxPooling2D(2)(x)
    x = layers.Dropout(0.5)(layers.Flatten()(x))
    return keras.Model(inputs, layers.Dense(10, activation="softmax")(x)), _img(2, 28, 28, 1)


def xception_mini():
    """vision/image_classification_from_scratch: the small Xception with residual adds."""
    inputs = keras.Input((32, 32, 3))
    x = layers.Rescaling(1.0 / 255)(inputs)
    x = layers.Conv2D(16, 3, strides=2, padding="same")(x)
    x = layers.Activation("relu")(layers.BatchNormalization()(x))
    previous = x
    for size in (32, 64):
        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(size, 3, padding="same")(x)
        x = layers.BatchNormalization()(x)
        x = layers.MaxPooling2D(3, strides=2, padding="same")(x)
        residual = layers.Conv2D(size, 1, strides=2, padding="same")(previous)
        x = layers.add([x, residual])
        previous = x
    x = layers.GlobalAveragePooling2D()(x)
    outputs = layers.Dense(1)(layers.Dropout(0.25)(x))
    return keras.Model(inputs, outputs), _img(2, 32, 32, 3) * 255


def oxford_pets_unet():
    """vision/oxford_pets_image_segmentation: the U-Net-like Xception segmenter."""
    inputs = keras.Input((32, 32, 3))
    x = layers.Conv2D(8, 3, strides=2, padding="same")(inputs)
    x = layers.Activation("relu")(layers.BatchNormalization()(x))
    previous = x
    for filters in (16, 32):
        x = layers.SeparableConv2D(filters, 3, padding="same", activation="relu")(x)
        x = layers.MaxPooling2D(3, strides=2, padding="same")(x)
        residual = layers.Conv2D(filters, 1, strides=2, padding="same")(previous)
        x = layers.add([x, residual])
        previous = x
    for filters in (32, 16, 8):
        x = layers.Conv2DTranspose(filters, 3, padding="same", activation="relu")(x)
        x = layers.UpSampling2D(2)(x)
        residual = layers.Conv2D(filters, 1, padding="same")(layers.UpSampling2D(2)(previous))
        x = layers.add([x, residual])
        previous = x
    outputs = layers.Conv2D(3, 3, activation="softmax", padding="same")(x)
    return keras.Model(inputs, outputs, name="unet"), _img(2, 32, 32, 3)


def deeplabv3_plus_mini():
    """vision/deeplabv3_plus: ASPP (dilated convs, pooled branch) and the decoder (no ResNet)."""
    inputs = keras.Input((32, 32, 3))
    low = layers.Conv2D(8, 3, strides=2, padding="same", activation="relu")(inputs)
    x = layers.Conv2D(16, 3, strides=2, padding="same", activation="relu")(low)
    pooled = layers.AveragePooling2D(pool_size=(8, 8))(x)
    pooled = layers.Conv2D(8, 1, padding="same")(pooled)
    pooled = layers.UpSampling2D(size=(8, 8), interpolation="bilinear")(pooled)
    branches = [
        layers.Conv2D(8, 1 if r == 1 else 3, dilation_rate=r, padding="same")(x) for r in (1, 6, 12)
    ]
    x = layers.Concatenate(axis=-1)([pooled, *branches])
    x = layers.Conv2D(8, 1, padding="same")(x)
    x = layers.UpSampling2D(size=(2, 2), interpolation="bilinear")(x)
    x = layers.Concatenate(axis=-1)([x, layers.Conv2D(4, 1, padding="same")(low)])
    x = layers.Conv2D(8, 3, padding="same", activation="relu")(x)
    x = layers.UpSampling2D(size=(2, 2), interpolation="bilinear")(x)
    outputs = layers.Conv2D(5, 1, padding="same")(x)
    return keras.Model(inputs, outputs, name="deeplab"), _img(2, 32, 32, 3)


def siamese_contrastive():
    """vision/siamese_contrastive: one nested tower called on two inputs, a distance Lambda."""
    tower_in = keras.Input((28, 28, 1))
    x = layers.BatchNormalization()(tower_in)
    x = layers.Conv2D(4, 5, activation="tanh")(x)
    x = layers.AveragePooling2D(2)(x)
    x = layers.Flatten()(layers.BatchNormalization()(x))
    tower = keras.Model(tower_in, layers.Dense(10, activation="tanh")(x), name="tower")
    a, b = keras.Input((28, 28, 1), name="a"), keras.Input((28, 28, 1), name="b")

    def euclidean(vects):
        x, y = vects
        total = ops.sum(ops.square(x - y), axis=1, keepdims=True)
        return ops.sqrt(ops.maximum(total, keras.backend.epsilon()))

    distance = layers.Lambda(euclidean, output_shape=(1,))([tower(a), tower(b)])
    outputs = layers.Dense(1, activation="sigmoid")(layers.BatchNormalization()(distance))
    return keras.Model([a, b], outputs, name="siamese"), [_img(2, 28, 28, 1), _img(2, 28, 28, 1)]


def vit_mini():
    """vision/image_classification_with_vision_transformer: patches, attention blocks."""
    inputs = keras.Input((16, 16, 3))
    patches = layers.Reshape((16, 48))(
        layers.Conv2D(48, 4, strides=4)(inputs)
    )  # 4x4 patches, as a strided conv
    x = layers.Dense(16)(patches)
    for _ in range(2):
        x1 = layers.LayerNormalization(epsilon=1e-6)(x)
        attention = layers.MultiHeadAttention(num_heads=2, key_dim=8)(x1, x1)
        x2 = layers.Add()([attention, x])
        x3 = layers.Dense(16, activation="gelu")(layers.LayerNormalization(epsilon=1e-6)(x2))
        x = layers.Add()([x3, x2])
    x = layers.Flatten()(layers.LayerNormalization(epsilon=1e-6)(x))
    return keras.Model(inputs, layers.Dense(10)(x), name="vit"), _img(2, 16, 16, 3)


def autoencoder_denoising():
    """vision/autoencoder: Conv2D encoder, Conv2DTranspose decoder."""
    inputs = keras.Input((28, 28, 1))
    x = layers.Conv2D(8, 3, activation="relu", padding="same")(inputs)
    x = layers.MaxPooling2D(2, padding="same")(x)
    x = layers.Conv2DTranspose(8, 3, strides=2, activation="relu", padding="same")(x)
    outputs = layers.Conv2D(1, 3, activation="sigmoid", padding="same")(x)
    return keras.Model(inputs, outputs, name="autoencoder"), _img(2, 28, 28, 1)


# -- structured data, nlp, generative ------------------------------------------------------
def structured_dict_inputs():
    """structured_data/structured_data_classification_from_scratch: a dict of named inputs."""
    names = ("age", "sex", "cp", "thal")
    inputs = {name: keras.Input((1,), name=name) for name in names}
    x = layers.concatenate(list(inputs.values()))
    x = layers.Dropout(0.5)(layers.Dense(8, activation="relu")(x))
    model = keras.Model(inputs, layers.Dense(1, activation="sigmoid")(x), name="heart")
    return model, {name: _img(2, 1) for name in names}


def text_classification_cnn():
    """nlp/text_classification_from_scratch: Embedding + Conv1D + global max pooling."""
    inputs = keras.Input((None,), dtype="int64")
    x = layers.Embedding(100, 16)(inputs)
    x = layers.Dropout(0.5)(x)
    x = layers.Conv1D(16, 7, padding="valid", activation="relu", strides=3)(x)
    x = layers.GlobalMaxPooling1D()(x)
    outputs = layers.Dense(1, activation="sigmoid", name="predictions")(x)
    return keras.Model(inputs, outputs, name="text_cnn"), _tokens(2, 40, vocab=100)


def bidirectional_lstm():
    """nlp/bidirectional_lstm_imdb: masked embedding, two Bidirectional LSTMs."""
    inputs = keras.Input(shape=(None,), dtype="int32")
    x = layers.Embedding(100, 8, mask_zero=True)(inputs)
    x = layers.Bidirectional(layers.LSTM(8, return_sequences=True))(x)
    x = layers.Bidirectional(layers.LSTM(8))(x)
    model = keras.Model(inputs, layers.Dense(1, activation="sigmoid")(x), name="bilstm")
    tokens = _tokens(2, 12, vocab=100).astype("int32")
    tokens[0, 8:] = 0  # padding, masked
    return model, tokens


def transformer_text_classifier():
    """nlp/text_classification_with_transformer: token + position embedding, one block."""
    inputs = keras.Input(shape=(12,))
    positions = layers.Embedding(12, 16)(ops.arange(0, 12, 1))
    x = layers.Embedding(100, 16)(inputs) + positions
    attention = layers.MultiHeadAttention(num_heads=2, key_dim=16)(x, x)
    x = layers.LayerNormalization(epsilon=1e-6)(x + layers.Dropout(0.1)(attention))
    x = layers.GlobalAveragePooling1D()(x)
    outputs = layers.Dense(2, activation="softmax")(layers.Dense(8, activation="relu")(x))
    return keras.Model(inputs, outputs, name="text_transformer"), _tokens(2, 12, vocab=100)


def vae():
    """generative/vae: encoder with a sampling layer, decoder, both nested in one model."""

    class Sampling(layers.Layer):
        def call(self, inputs):
            z_mean, z_log_var = inputs
            epsilon = keras.random.normal(shape=ops.shape(z_mean), seed=1)
            return z_mean + ops.exp(0.5 * z_log_var) * epsilon

    encoder_inputs = keras.Input((28, 28, 1))
    x = layers.Conv2D(4, 3, activation="relu", strides=2, padding="same")(encoder_inputs)
    x = layers.Dense(8, activation="relu")(layers.Flatten()(x))
    z_mean, z_log_var = layers.Dense(2, name="z_mean")(x), layers.Dense(2, name="z_log_var")(x)
    z = Sampling()([z_mean, z_log_var])
    encoder = keras.Model(encoder_inputs, [z_mean, z_log_var, z], name="encoder")
    latent = keras.Input((2,))
    x = layers.Reshape((7, 7, 4))(layers.Dense(7 * 7 * 4, activation="relu")(latent))
    x = layers.Conv2DTranspose(4, 3, activation="relu", strides=4, padding="same")(x)
    decoder = keras.Model(latent, layers.Conv2D(1, 3, padding="same")(x), name="decoder")
    image = keras.Input((28, 28, 1), name="image")
    _, _, code = encoder(image)
    return keras.Model(image, decoder(code), name="vae"), _img(2, 28, 28, 1)


class CTCLayer(layers.Layer):
    """vision/captcha_ocr's endpoint layer: adds the CTC loss of (labels, predictions) to the
    model's losses and returns the predictions (``keras.ops.ctc_loss``, so on every backend)."""

    def call(self, y_true, y_pred):
        batch = ops.shape(y_pred)[0]
        label_length = ops.full((batch,), ops.shape(y_true)[1], dtype="int32")
        output_length = ops.full((batch,), ops.shape(y_pred)[1], dtype="int32")
        log_probs = ops.log(y_pred + 1e-7)
        loss = ops.ctc_loss(ops.cast(y_true, "int32"), log_probs, label_length, output_length)
        self.add_loss(ops.mean(loss))
        return y_pred


def ctc_ocr_mini():
    """vision/captcha_ocr: two inputs (image, labels), conv + reshape + bidirectional LSTM, and
    the labels go into the CTC endpoint layer (Keras before 3.14 refuses an input no output
    uses, so the example's wiring is kept)."""
    image = keras.Input((32, 16, 1), name="image")
    labels = keras.Input((None,), name="label", dtype="float32")
    x = layers.Conv2D(4, 3, activation="relu", padding="same")(image)
    x = layers.MaxPooling2D((2, 2))(x)
    x = layers.Reshape((16, 8 * 4))(x)
    x = layers.Bidirectional(layers.LSTM(8, return_sequences=True))(x)
    x = layers.Dense(11, activation="softmax", name="dense2")(x)
    outputs = CTCLayer(name="ctc_loss")(labels, x)
    model = keras.Model({"image": image, "label": labels}, outputs, name="ocr")
    # label ids 1..10 (0 is CTC's blank), as float32 like the example's label input
    return model, {"image": _img(2, 32, 16, 1), "label": _tokens(2, 5, vocab=11).astype("float32")}


#: name -> builder (``(model, batch)``), the keras-io part of the corpus.
BUILDERS = {
    f.__name__: f
    for f in (
        seq2seq_transformer,
        mnist_convnet,
        xception_mini,
        oxford_pets_unet,
        deeplabv3_plus_mini,
        siamese_contrastive,
        vit_mini,
        autoencoder_denoising,
        structured_dict_inputs,
        text_classification_cnn,
        bidirectional_lstm,
        transformer_text_classifier,
        vae,
        ctc_ocr_mini,
    )
}
