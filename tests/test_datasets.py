"""keras_lens.datasets: source selection, cache validation, the bundled real sample.

No test touches the network: the downloader is replaced (autouse fixture) and KERAS_HOME points
to a temporary folder. Expected values come from the dataset documentation
(/work/shared/data/SOURCES.md, LeCun's MNIST page, Keras's load_data docstrings).
"""

from __future__ import annotations

import fnmatch
import hashlib
import pickle
import re
import socket
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
from keras_lens import datasets
from keras_lens.datasets import DatasetSourceError

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    tomllib = pytest.importorskip("tomli")

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "widgets" / "keras_lens" / "data"
MNIST_LINE = (
    "[keras_lens] MNIST from the bundled real sample (official MNIST test files, LeCun & Cortes, "
    "CC BY-SA 3.0): 8,000 train + 2,000 test images"
)
CIFAR_LINE = (
    "[keras_lens] CIFAR-10 from the bundled real sample (Krizhevsky 2009): 1,000 train + 200 "
    "test images; train images 200-999 are JPEG-decoded (lossy)"
)
REAL_DOWNLOAD = datasets._download
FALLBACK = " -- no Keras cache and the download failed (KERAS_LENS_DATA=keras shows why)"


class Downloads:
    """Stand-in for datasets._download: fails (offline) unless given a writer."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.writer = None

    def __call__(self, dataset):
        self.calls.append(dataset.title)
        if self.writer is None:
            raise DatasetSourceError("offline (test)")
        return self.writer()


@pytest.fixture(autouse=True)
def downloads(monkeypatch: pytest.MonkeyPatch) -> Downloads:
    fake = Downloads()
    monkeypatch.setattr(datasets, "_download", fake)
    monkeypatch.delenv("KERAS_LENS_DATA", raising=False)
    return fake


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty Keras cache: returns <KERAS_HOME>/datasets."""
    folder = tmp_path / "keras_home" / "datasets"
    folder.mkdir(parents=True)
    monkeypatch.setenv("KERAS_HOME", str(folder.parent))
    return folder


def fake_mnist(n_train: int = 6, n_test: int = 4) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    return {
        "x_train": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "y_train": (np.arange(n_train) % 10).astype(np.uint8),
        "x_test": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "y_test": (np.arange(n_test)[::-1] % 10).astype(np.uint8),
    }


def write_mnist(path: Path, **overrides: np.ndarray) -> dict[str, np.ndarray]:
    arrays = {**fake_mnist(), **overrides}
    np.savez_compressed(path, **arrays)
    return arrays


def cifar_batch(n: int, seed: int, old_numpy_name: bool = True) -> bytes:
    """A batch pickled like the official files: bytes keys, (n, 3072) uint8 data, int labels."""
    rng = np.random.default_rng(seed)
    batch = {
        b"batch_label": b"fake",
        b"data": rng.integers(0, 256, (n, 3072), dtype=np.uint8),
        b"labels": [int(v) for v in rng.integers(0, 10, n)],
    }
    raw = pickle.dumps(batch, protocol=3)
    if old_numpy_name:  # the official files reference numpy.core (numpy < 2)
        raw = raw.replace(b"numpy._core.multiarray\n", b"numpy.core.multiarray\n")
    return raw


def write_cifar(folder: Path, n: int = 3) -> Path:
    folder.mkdir(parents=True)
    names = [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]
    for seed, name in enumerate(names):
        (folder / name).write_bytes(cifar_batch(n, seed, old_numpy_name=seed % 2 == 0))
    return folder


def blur(x: np.ndarray) -> np.ndarray:
    return x.astype(np.float32).reshape(len(x), 8, 4, 8, 4, 3).mean(axis=(2, 4)).reshape(len(x), -1)


# --- the bundled real sample -------------------------------------------------------------


def test_bundled_mnist_is_the_official_test_set(capsys: pytest.CaptureFixture[str]) -> None:
    (x_train, y_train), (x_test, y_test) = datasets.load_mnist(source="bundled")
    assert capsys.readouterr().out == MNIST_LINE + "\n"
    assert (x_train.shape, y_train.shape) == ((8000, 28, 28), (8000,))
    assert (x_test.shape, y_test.shape) == ((2000, 28, 28), (2000,))
    assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {np.dtype(np.uint8)}
    # t10k facts (SOURCES.md): first labels, per-class counts, mean pixel 33.79
    assert y_train[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    counts = np.bincount(np.concatenate([y_train, y_test]), minlength=10)
    assert counts.tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]
    mean = (x_train.sum(dtype=np.int64) + x_test.sum(dtype=np.int64)) / (10_000 * 28 * 28)
    assert mean == pytest.approx(33.79, abs=0.01)
    # no test image is also a training image
    assert not {x.tobytes() for x in x_train} & {x.tobytes() for x in x_test}


def test_bundled_cifar10_real_images(capsys: pytest.CaptureFixture[str]) -> None:
    (x_train, y_train), (x_test, y_test) = datasets.load_cifar10(source="bundled")
    assert capsys.readouterr().out == CIFAR_LINE + "\n"
    # layout of keras.datasets.cifar10.load_data(): channels_last, labels (N, 1), all uint8
    assert (x_train.shape, y_train.shape) == ((1000, 32, 32, 3), (1000, 1))
    assert (x_test.shape, y_test.shape) == ((200, 32, 32, 3), (200, 1))
    assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {np.dtype(np.uint8)}
    assert y_train.max() <= 9 and y_test.max() <= 9
    assert y_train[:2, 0].tolist() == [6, 9]  # data_batch_1 starts with a frog and a truck
    lossless = np.concatenate([x_train[:200], x_test]).reshape(-1, 3).mean(axis=0)
    np.testing.assert_allclose(lossless, [125.2, 122.6, 113.4], atol=0.05)  # SOURCES.md
    assert np.bincount(y_train[200:, 0]).tolist() == [80] * 10  # ATTRIBUTION.md
    # mixed order, as in the real data_batch files: validation_split=0.2 takes the last 200
    # images, which must hold every class (stored class by class they held only 3 classes)
    assert np.bincount(y_train[-200:, 0], minlength=10).min() >= 10
    jpeg_mean = x_train[200:].reshape(-1, 3).mean(axis=0)  # whole JPEG test set: 126.0 123.7 114.8
    np.testing.assert_allclose(jpeg_mean, [126.0, 123.7, 114.8], atol=3)
    # the JPEG training images exclude copies of the lossless test images (copies are <= 3.4
    # apart in 4x4 block means, distinct images >= 12.7)
    train, test = blur(x_train[200:]), blur(x_test)
    nearest = np.array([np.abs(train - image).mean(axis=1).min() for image in test])
    assert nearest.min() > 8


def test_bundled_cifar10_channels_first(monkeypatch: pytest.MonkeyPatch) -> None:
    (x_last, _), (t_last, _) = datasets.load_cifar10(source="bundled")
    monkeypatch.setattr(datasets, "_channels_last", lambda: False)
    (x_first, _), (t_first, _) = datasets.load_cifar10(source="bundled")
    assert x_first.shape == (1000, 3, 32, 32) and t_first.shape == (200, 3, 32, 32)
    np.testing.assert_array_equal(x_first.transpose(0, 2, 3, 1), x_last)
    np.testing.assert_array_equal(t_first.transpose(0, 2, 3, 1), t_last)


def test_bundle_size_hashes_and_packaging() -> None:
    files = sorted(DATA.iterdir())
    assert sum(p.stat().st_size for p in files) <= 5_000_000
    # the MNIST files are the official ones, byte for byte (sha256 from SOURCES.md)
    official = {
        "t10k-images-idx3-ubyte.gz": "8d422c7b0a1c1c79245a5bcf07fe86e33e"
        "eafee792b84584aec276f5a2dbc4e6",
        "t10k-labels-idx1-ubyte.gz": "f7ae60f92e00ec6debd23a6088c31dbd23"
        "71eca3ffa0defaefb259924204aec6",
    }
    for name, digest in official.items():
        assert hashlib.sha256((DATA / name).read_bytes()).hexdigest() == digest
    # ATTRIBUTION.md lists every shipped file with its current sha256
    attribution = (DATA / "ATTRIBUTION.md").read_text()
    for path in files:
        if path.name != "ATTRIBUTION.md":
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            assert f"| `{path.name}` | {path.stat().st_size:,} | `{digest}` |" in attribution
    # and pyproject's package-data ships them all
    config = tomllib.loads((REPO / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["keras_lens"]
    for path in files:
        assert any(fnmatch.fnmatch(f"data/{path.name}", p) for p in patterns), path.name


def test_returned_arrays_are_fresh_copies(cache: Path) -> None:
    for load in (datasets.load_mnist, datasets.load_cifar10):
        (x, y), (xt, _) = load(source="bundled")
        x[:] = 0
        y[:] = 0
        xt[:] = 0
        (x2, y2), (xt2, _) = load(source="bundled")
        assert x2.any() and y2.any() and xt2.any()
    write_mnist(cache / "mnist.npz")
    (x, _), _ = datasets.load_mnist()
    x[:] = 0
    (x2, _), _ = datasets.load_mnist()
    assert x2.any()


# --- choosing the source -----------------------------------------------------------------


def test_auto_uses_a_valid_mnist_cache(
    cache: Path, downloads: Downloads, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = write_mnist(cache / "mnist.npz")
    (x_train, y_train), (x_test, y_test) = datasets.load_mnist()
    for got, key in ((x_train, "x_train"), (y_train, "y_train"), (x_test, "x_test")):
        np.testing.assert_array_equal(got, expected[key])
    np.testing.assert_array_equal(y_test, expected["y_test"])
    where = f"from the Keras cache ({cache / 'mnist.npz'})"
    assert capsys.readouterr().out == f"[keras_lens] MNIST {where}: 6 train + 4 test images\n"
    assert downloads.calls == []


@pytest.mark.parametrize(
    "layout", ["cifar-10-batches-py-target/cifar-10-batches-py", "cifar-10-batches-py"]
)
def test_auto_uses_a_valid_cifar10_cache(
    cache: Path, layout: str, downloads: Downloads, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_cifar(cache / layout, n=3)
    (x_train, y_train), (x_test, y_test) = datasets.load_cifar10()
    assert (x_train.shape, y_train.shape) == ((15, 32, 32, 3), (15, 1))
    assert (x_test.shape, y_test.shape) == ((3, 32, 32, 3), (3, 1))
    assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {np.dtype(np.uint8)}
    # the official row layout is 1024 red, 1024 green, 1024 blue values, row-major
    first = pickle.loads(cifar_batch(3, 0, old_numpy_name=False))
    np.testing.assert_array_equal(x_train[0, 0, :, 0], first[b"data"][0, :32])
    np.testing.assert_array_equal(x_train[0, 0, :, 1], first[b"data"][0, 1024:1056])
    assert y_train[:3, 0].tolist() == first[b"labels"]
    assert capsys.readouterr().out == (
        f"[keras_lens] CIFAR-10 from the Keras cache ({folder}): 15 train + 3 test images\n"
    )
    assert downloads.calls == []


def test_auto_without_cache_falls_back_to_bundled(
    cache: Path, downloads: Downloads, capsys: pytest.CaptureFixture[str]
) -> None:
    (x_train, _), _ = datasets.load_mnist()
    assert x_train.shape == (8000, 28, 28)
    datasets.load_cifar10()
    assert capsys.readouterr().out == f"{MNIST_LINE}{FALLBACK}\n{CIFAR_LINE}{FALLBACK}\n"
    assert downloads.calls == ["MNIST", "CIFAR-10"]


def test_auto_uses_keras_download(
    cache: Path, downloads: Downloads, capsys: pytest.CaptureFixture[str]
) -> None:
    target = cache / "mnist.npz"
    downloads.writer = lambda: (write_mnist(target), target)[1]
    (x_train, _), _ = datasets.load_mnist()
    assert x_train.shape == (6, 28, 28)
    out = capsys.readouterr().out
    assert out == f"[keras_lens] MNIST downloaded by Keras ({target}): 6 train + 4 test images\n"


def test_keras_mode_without_cache_or_network_is_a_clear_error(
    cache: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KERAS_LENS_DATA", "keras")
    with pytest.raises(DatasetSourceError, match="offline \\(test\\)") as info:
        datasets.load_mnist()
    assert "KERAS_LENS_DATA=bundled" in str(info.value) and str(cache) in str(info.value)
    assert capsys.readouterr().out == ""
    # the keyword argument overrides the environment variable
    datasets.load_mnist(source="bundled")
    assert capsys.readouterr().out == MNIST_LINE + "\n"


def test_keras_mode_uses_the_cache(cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_mnist(cache / "mnist.npz")
    (x_train, _), _ = datasets.load_mnist(source="keras")
    assert x_train.shape == (6, 28, 28)
    assert "from the Keras cache" in capsys.readouterr().out


@pytest.mark.parametrize("value", ["web", "offline", "1"])
def test_bad_source_values(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("KERAS_LENS_DATA", value)
    with pytest.raises(ValueError, match=f"KERAS_LENS_DATA='{value}'.*auto, keras, bundled"):
        datasets.load_mnist()
    with pytest.raises(ValueError, match=f"source='{value}'.*auto, keras, bundled"):
        datasets.load_cifar10(source=value)


def test_env_var_is_case_insensitive(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("KERAS_LENS_DATA", " Bundled ")
    datasets.load_mnist()
    assert capsys.readouterr().out == MNIST_LINE + "\n"


# --- corrupt caches: an error naming the file, never garbage, never a silent fallback -------


def truncated(path: Path) -> None:
    write_mnist(path)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def flipped_member(path: Path) -> None:  # a valid zip directory over damaged data
    write_mnist(path)
    with zipfile.ZipFile(path) as archive:
        offset = archive.getinfo("x_train.npy").header_offset
    raw = bytearray(path.read_bytes())
    raw[offset + 60 : offset + 200] = bytes(140)
    path.write_bytes(bytes(raw))


MNIST_DAMAGE = {
    "truncated": truncated,
    "flipped": flipped_member,
    "garbage": lambda p: p.write_bytes(b"<html>404 Not Found</html>" * 50),
    "flat images": lambda p: write_mnist(p, x_train=np.zeros((6, 784), np.uint8)),
    "float images": lambda p: write_mnist(p, x_test=np.zeros((4, 28, 28), np.float32)),
    "label 10": lambda p: write_mnist(p, y_train=np.full(6, 10, np.uint8)),
    "int64 labels": lambda p: write_mnist(p, y_test=np.zeros(4, np.int64)),
    "too few labels": lambda p: write_mnist(p, y_train=np.zeros(5, np.uint8)),
    "no images": lambda p: write_mnist(
        p, x_test=np.zeros((0, 28, 28), np.uint8), y_test=np.zeros(0, np.uint8)
    ),
    "missing key": lambda p: np.savez(p, x_train=np.zeros((6, 28, 28), np.uint8)),
}


@pytest.mark.parametrize("mode", ["auto", "keras"])
@pytest.mark.parametrize("damage", sorted(MNIST_DAMAGE))
def test_corrupt_mnist_cache_is_a_clear_error(
    cache: Path, downloads: Downloads, capsys, mode: str, damage: str
) -> None:
    path = cache / "mnist.npz"
    MNIST_DAMAGE[damage](path)
    with pytest.raises(DatasetSourceError) as info:
        datasets.load_mnist(source=mode)
    message = str(info.value)
    assert str(path) in message
    assert f"Delete {path}" in message and "KERAS_LENS_DATA=bundled" in message
    assert capsys.readouterr().out == "" and downloads.calls == []


def malicious_batch(path: Path) -> None:
    class Exploit:
        def __reduce__(self):
            return (print, ("pwned",))

    path.write_bytes(pickle.dumps({b"data": Exploit(), b"labels": [0]}))


CIFAR_DAMAGE = {
    "missing": lambda p: p.unlink(),
    "truncated": lambda p: p.write_bytes(p.read_bytes()[:500]),
    "garbage": lambda p: p.write_bytes(bytes(range(256)) * 4),
    "wrong width": lambda p: p.write_bytes(
        pickle.dumps({b"data": np.zeros((3, 1000), np.uint8), b"labels": [0, 1, 2]})
    ),
    "label 11": lambda p: p.write_bytes(
        pickle.dumps({b"data": np.zeros((3, 3072), np.uint8), b"labels": [0, 11, 2]})
    ),
    "float data": lambda p: p.write_bytes(
        pickle.dumps({b"data": np.zeros((3, 3072), np.float64), b"labels": [0, 1, 2]})
    ),
    "malicious": malicious_batch,
}


@pytest.mark.parametrize("damage", sorted(CIFAR_DAMAGE))
def test_corrupt_cifar10_cache_is_a_clear_error(
    cache: Path, downloads: Downloads, capsys, damage: str
) -> None:
    root = cache / "cifar-10-batches-py-target"
    folder = write_cifar(root / "cifar-10-batches-py")
    CIFAR_DAMAGE[damage](folder / "data_batch_3")
    with pytest.raises(DatasetSourceError) as info:
        datasets.load_cifar10()
    message = str(info.value)
    assert str(folder / "data_batch_3") in message and f"Delete {root} " in message
    assert capsys.readouterr().out == "" and downloads.calls == []


# --- the real downloader gives up quickly when offline ----------------------------------


def test_download_gives_up_fast_when_host_unreachable(
    cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(datasets, "_download", REAL_DOWNLOAD)  # but no real network:
    monkeypatch.setattr("urllib.request.getproxies", dict)
    monkeypatch.setattr(datasets, "DOWNLOAD_TIMEOUT", 0.3)

    def hanging_connection(address, timeout=None):
        time.sleep(3)
        raise OSError("should have given up earlier")

    monkeypatch.setattr(socket, "create_connection", hanging_connection)
    start = time.monotonic()
    with pytest.raises(DatasetSourceError, match=r"no answer within 0\.3 s"):
        datasets._download(datasets._MNIST)
    assert time.monotonic() - start < 2

    def refused(address, timeout=None):
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(socket, "create_connection", refused)
    with pytest.raises(DatasetSourceError, match=re.escape("storage.googleapis.com:443")):
        datasets._download(datasets._MNIST)
