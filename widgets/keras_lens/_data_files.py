"""Readers for the files behind ``keras_lens.datasets``: the Keras cache and the bundled sample.

Every reader validates what it reads (shapes, dtypes, label range) and raises
``DatasetSourceError`` naming the file instead of returning garbage. No Keras import here.

Example:
    >>> from keras_lens._data_files import read_bundled_mnist
    >>> (x_train, y_train), (x_test, y_test) = read_bundled_mnist()
    >>> x_train.shape, x_test.shape
    ((8000, 28, 28), (2000, 28, 28))
"""

from __future__ import annotations

import gzip
import pickle
from importlib import resources
from pathlib import Path
from typing import IO, Any, ClassVar

import numpy as np

__all__ = [
    "Arrays",
    "DatasetSourceError",
    "read_bundled_cifar10",
    "read_bundled_mnist",
    "read_cifar10_dir",
    "read_idx",
    "read_mnist_npz",
]

Arrays = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]

CIFAR10_BATCHES = (*(f"data_batch_{i}" for i in range(1, 6)), "test_batch")
# MNIST t10k split (see data/ATTRIBUTION.md): 80% / 20% of each half of the test files
MNIST_TRAIN = np.r_[0:4000, 5000:9000]
MNIST_TEST = np.r_[4000:5000, 9000:10000]
N_LOSSLESS_CIFAR_TRAIN = 200


class DatasetSourceError(RuntimeError):
    """A dataset source is unavailable or holds something other than the expected data."""


def _corrupt(
    path: Path | str, problem: str, delete: Path | str | None = None
) -> DatasetSourceError:
    return DatasetSourceError(
        f"The Keras dataset cache file {path} is corrupt or not the expected data ({problem}). "
        f"Delete {delete or path} so that Keras downloads it again, or set "
        "KERAS_LENS_DATA=bundled (or pass source='bundled') to use keras_lens's bundled sample."
    )


def _check_split(
    x: Any, y: Any, image_shape: tuple[int, ...], what: str
) -> tuple[np.ndarray, np.ndarray]:
    """Return (x, y) as uint8 arrays or raise ValueError saying what is wrong."""
    if not isinstance(x, np.ndarray) or x.dtype != np.uint8 or x.shape[1:] != image_shape:
        shape, dtype = getattr(x, "shape", None), getattr(x, "dtype", type(x).__name__)
        raise ValueError(f"{what} images: expected uint8 (N, {image_shape}), got {dtype} {shape}")
    y = np.asarray(y)
    if y.dtype.kind not in "iu" or y.shape != (len(x),):
        raise ValueError(f"{what} labels: expected {len(x)} integers, got {y.dtype} {y.shape}")
    if len(x) == 0:
        raise ValueError(f"{what}: no images")
    if y.min() < 0 or y.max() > 9:
        raise ValueError(f"{what} labels: expected 0..9, found {y.min()}..{y.max()}")
    return x, y.astype(np.uint8)


def read_mnist_npz(path: Path) -> Arrays:
    """Read and validate Keras's ``mnist.npz``: uint8 (N, 28, 28) images, uint8 (N,) labels."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in ("x_train", "y_train", "x_test", "y_test")}
        for key in ("y_train", "y_test"):
            if arrays[key].dtype != np.uint8:
                raise ValueError(f"{key}: expected uint8 labels, got {arrays[key].dtype}")
        train = _check_split(arrays["x_train"], arrays["y_train"], (28, 28), "train")
        test = _check_split(arrays["x_test"], arrays["y_test"], (28, 28), "test")
    except Exception as exc:  # any failure to parse means the file is not a usable mnist.npz
        raise _corrupt(path, f"{type(exc).__name__}: {exc}") from exc
    return train, test


class _NumpyOnlyUnpickler(pickle.Unpickler):
    """Unpickles the dicts of CIFAR batch files; refuses every global except numpy arrays."""

    _ALLOWED: ClassVar[dict[tuple[str, str], Any]] = {
        ("numpy", "ndarray"): np.ndarray,
        ("numpy", "dtype"): np.dtype,
        ("numpy.core.multiarray", "_reconstruct"): np.zeros(0).__reduce__()[0],
        ("numpy._core.multiarray", "_reconstruct"): np.zeros(0).__reduce__()[0],
    }

    def find_class(self, module: str, name: str) -> Any:
        try:
            return self._ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(f"refusing to load {module}.{name}") from None


def _read_cifar_batch(path: Path) -> tuple[np.ndarray, np.ndarray]:
    with open(path, "rb") as stream:
        batch = _NumpyOnlyUnpickler(stream, encoding="bytes").load()
    if not isinstance(batch, dict):
        raise ValueError(f"expected a dict, got {type(batch).__name__}")
    batch = {k.decode() if isinstance(k, bytes) else k: v for k, v in batch.items()}
    data = batch.get("data")
    if not isinstance(data, np.ndarray) or data.ndim != 2 or data.shape[1] != 3 * 32 * 32:
        raise ValueError(f"'data': expected an (N, 3072) array, got {getattr(data, 'shape', data)}")
    x = data.reshape(len(data), 3, 32, 32)
    return _check_split(x, batch.get("labels"), (3, 32, 32), path.name)


def read_cifar10_dir(directory: Path, channels_last: bool, delete: Path) -> Arrays:
    """Read and validate an extracted ``cifar-10-batches-py`` directory, as Keras does."""
    parts = []
    for name in CIFAR10_BATCHES:
        path = directory / name
        try:
            parts.append(_read_cifar_batch(path))
        except Exception as exc:  # any failure to parse means the cache is not usable
            raise _corrupt(path, f"{type(exc).__name__}: {exc}", delete) from exc
    x_train = np.concatenate([x for x, _ in parts[:-1]])
    y_train = np.concatenate([y for _, y in parts[:-1]])
    x_test, y_test = parts[-1]
    if channels_last:
        x_train, x_test = x_train.transpose(0, 2, 3, 1), x_test.transpose(0, 2, 3, 1)
    return (
        (np.ascontiguousarray(x_train), y_train.reshape(-1, 1)),
        (np.ascontiguousarray(x_test), y_test.reshape(-1, 1)),
    )


def read_idx(stream: IO[bytes]) -> np.ndarray:
    """Parse an IDX file of unsigned bytes (the MNIST format: magic 0x0000 08 <ndim>, dims)."""
    header = stream.read(4)
    if len(header) != 4 or header[:3] != b"\x00\x00\x08" or not 1 <= header[3] <= 4:
        raise ValueError(f"not an IDX file of unsigned bytes (header {header!r})")
    dims = np.frombuffer(stream.read(4 * header[3]), dtype=">u4").astype(int)
    data = np.frombuffer(stream.read(), dtype=np.uint8)
    if len(dims) != header[3] or data.size != int(np.prod(dims)):
        raise ValueError(f"IDX size mismatch: dims {dims.tolist()}, {data.size} bytes of data")
    return data.reshape(tuple(dims)).copy()


def _bundled(name: str) -> Any:
    return resources.files("keras_lens").joinpath("data").joinpath(name)


def read_bundled_mnist() -> Arrays:
    """The bundled official MNIST test files, split 8,000 train / 2,000 test."""
    with _bundled("t10k-images-idx3-ubyte.gz").open("rb") as raw, gzip.open(raw) as stream:
        images = read_idx(stream)
    with _bundled("t10k-labels-idx1-ubyte.gz").open("rb") as raw, gzip.open(raw) as stream:
        labels = read_idx(stream)
    assert images.shape == (10_000, 28, 28) and labels.shape == (10_000,), "damaged bundle"
    return (images[MNIST_TRAIN], labels[MNIST_TRAIN]), (images[MNIST_TEST], labels[MNIST_TEST])


def _read_bundled_npz(name: str) -> tuple[np.ndarray, np.ndarray]:
    with _bundled(name).open("rb") as raw, np.load(raw, allow_pickle=False) as archive:
        x = np.cumsum(archive["x_delta"], axis=2, dtype=np.uint8)  # see ATTRIBUTION.md
        return x, archive["y"].astype(np.uint8)


CIFAR_JPEG_ORDER_SEED = 10  # fixed order of the JPEG-decoded training images


def read_bundled_cifar10(channels_last: bool) -> Arrays:
    """Bundled CIFAR-10: 200 lossless + 800 JPEG-decoded train images, 200 lossless test images."""
    x_lossless, y_lossless = _read_bundled_npz("cifar10_lossless400.npz")
    x_jpeg, y_jpeg = _read_bundled_npz("cifar10_jpeg800_LOSSY.npz")
    # The JPEG part is stored class by class; like the real data_batch files, the training set
    # must come in mixed order, or validation_split (which takes the last images) would see only
    # the last classes. A fixed permutation keeps every load identical.
    order = np.random.default_rng(CIFAR_JPEG_ORDER_SEED).permutation(len(y_jpeg))
    x_jpeg, y_jpeg = x_jpeg[order], y_jpeg[order]
    n = N_LOSSLESS_CIFAR_TRAIN
    x_train = np.concatenate([x_lossless[:n], x_jpeg])
    y_train = np.concatenate([y_lossless[:n], y_jpeg])
    x_test, y_test = x_lossless[n:], y_lossless[n:]
    if not channels_last:
        x_train = np.ascontiguousarray(x_train.transpose(0, 3, 1, 2))
        x_test = np.ascontiguousarray(x_test.transpose(0, 3, 1, 2))
    return (x_train, y_train.reshape(-1, 1)), (x_test.copy(), y_test.reshape(-1, 1))
