"""MNIST and CIFAR-10 exactly as ``keras.datasets`` returns them, with a real offline fallback.

Where the data comes from is chosen by ``source=`` or else the ``KERAS_LENS_DATA`` environment
variable (default ``auto``):

- ``auto``: the Keras cache (``$KERAS_HOME`` or ``~/.keras``, subfolder ``datasets``) if present,
  else Keras's own download (giving up after a few seconds when offline), else the bundled sample.
- ``keras``: the Keras cache or download only; a clear error if neither works.
- ``bundled``: only the real sample shipped with keras_lens (see ``data/ATTRIBUTION.md``):
  MNIST 8,000 train + 2,000 test images, CIFAR-10 1,000 train + 200 test images.

A corrupt cache file is an error (naming the file), never a silent fallback. Each call prints
one line saying which source was used and how many images it holds.

Example:
    >>> from keras_lens import datasets
    >>> (x_train, y_train), (x_test, y_test) = datasets.load_mnist(source="bundled")
    [keras_lens] MNIST from the bundled real sample (official MNIST test files, ...
    >>> x_train.shape, y_train.shape, x_train.dtype
    ((8000, 28, 28), (8000,), dtype('uint8'))
"""

from __future__ import annotations

import os
import socket
import threading
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from keras_lens import i18n
from keras_lens._data_files import (
    Arrays,
    DatasetSourceError,
    read_bundled_cifar10,
    read_bundled_mnist,
    read_cifar10_dir,
    read_mnist_npz,
)

__all__ = ["CIFAR10_CLASSES", "SOURCES", "DatasetSourceError", "load_cifar10", "load_mnist"]

ENV_VAR = "KERAS_LENS_DATA"
SOURCES = ("auto", "keras", "bundled")
DOWNLOAD_TIMEOUT = 5.0  # seconds without an answer before a download attempt gives up
CIFAR10_CLASSES = (
    "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
)  # fmt: skip

i18n.register(
    {
        "datasets.line": (
            "[keras_lens] {title} {where}: {train} train + {test} test images{note}",
            "[keras_lens] {title} {where}：{train} 张训练图像 + {test} 张测试图像{note}",
        ),
        "datasets.cache": ("from the Keras cache ({path})", "来自 Keras 缓存（{path}）"),
        "datasets.downloaded": ("downloaded by Keras ({path})", "由 Keras 下载（{path}）"),
        "datasets.bundled": (
            "from the bundled real sample ({source})",
            "来自随附的真实样本（{source}）",
        ),
        "datasets.cifar_lossy": (
            "; train images 200-999 are JPEG-decoded (lossy)",
            "；训练图像 200-999 经过 JPEG 解码（有损）",
        ),
        "datasets.fallback": (
            " -- no Keras cache and the download failed (KERAS_LENS_DATA=keras shows why)",
            " —— 没有 Keras 缓存，下载也失败了（设置 KERAS_LENS_DATA=keras 可查看原因）",
        ),
    }
)


@dataclass(frozen=True)
class _Dataset:
    title: str
    cache_paths: tuple[str, ...]  # relative to <keras home>/datasets, newest Keras layout first
    fname: str  # get_file arguments, as keras.datasets uses them
    origin: str
    file_hash: str
    extract: bool
    bundled_source: str  # how the printed line names the bundled sample
    bundled_note: str = ""  # i18n key of the text appended to the bundled sample's line

    def download_target(self, datasets_dir: Path) -> Path:
        """Where get_file stores the downloaded file (before extraction)."""
        return datasets_dir / (f"{self.fname}_archive" if self.extract else self.fname)


_MNIST = _Dataset(
    title="MNIST",
    cache_paths=("mnist.npz",),
    fname="mnist.npz",
    origin="https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz",
    file_hash="731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1",
    extract=False,
    bundled_source="official MNIST test files, LeCun & Cortes, CC BY-SA 3.0",
)
_CIFAR10 = _Dataset(
    title="CIFAR-10",
    cache_paths=("cifar-10-batches-py-target/cifar-10-batches-py", "cifar-10-batches-py"),
    fname="cifar-10-batches-py-target",
    origin="https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz",
    file_hash="6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce",
    extract=True,
    bundled_source="Krizhevsky 2009",
    bundled_note="datasets.cifar_lossy",
)


def load_mnist(source: str | None = None) -> Arrays:
    """Return ``(x_train, y_train), (x_test, y_test)`` like ``keras.datasets.mnist.load_data()``.

    Images are uint8 ``(N, 28, 28)``, labels uint8 ``(N,)`` in 0..9. ``source`` is one of
    ``SOURCES`` and overrides ``$KERAS_LENS_DATA``. Example: ``load_mnist(source="bundled")``.
    """
    return _load(_MNIST, _resolve_source(source), read_mnist_npz, read_bundled_mnist)


def load_cifar10(source: str | None = None) -> Arrays:
    """Return ``(x_train, y_train), (x_test, y_test)`` like ``keras.datasets.cifar10.load_data()``.

    Images are uint8 ``(N, 32, 32, 3)`` (``(N, 3, 32, 32)`` if Keras's image data format is
    channels_first), labels uint8 ``(N, 1)`` in 0..9 (names in ``CIFAR10_CLASSES``). In the
    bundled sample, train images 200-999 are JPEG-decoded (lossy). Example:
    ``load_cifar10(source="bundled")``.
    """
    mode = _resolve_source(source)
    channels_last = _channels_last()
    return _load(
        _CIFAR10,
        mode,
        lambda path: read_cifar10_dir(path, channels_last, delete=_cifar_cache_root(path)),
        lambda: read_bundled_cifar10(channels_last),
    )


def _load(
    dataset: _Dataset,
    mode: str,
    read_cache: Callable[[Path], Arrays],
    read_bundled: Callable[[], Arrays],
) -> Arrays:
    if mode != "bundled":
        cached = _find_cache(dataset)
        if cached is not None:
            where = i18n.t("datasets.cache", path=cached)
            return _report(dataset.title, where, read_cache(cached))
        try:
            downloaded = _download(dataset)
        except DatasetSourceError as exc:
            if mode == "keras":
                raise DatasetSourceError(
                    f"{dataset.title} is not in the Keras cache ({_datasets_dir()}) and Keras "
                    f"could not download it from {dataset.origin}: {exc}. Connect to the "
                    f"internet, or set {ENV_VAR}=bundled (or pass source='bundled') to use "
                    "keras_lens's bundled real sample."
                ) from exc
        else:
            where = i18n.t("datasets.downloaded", path=downloaded)
            return _report(dataset.title, where, read_cache(downloaded))
    where = i18n.t("datasets.bundled", source=dataset.bundled_source)
    note = i18n.t(dataset.bundled_note) if dataset.bundled_note else ""
    note += i18n.t("datasets.fallback") if mode == "auto" else ""
    return _report(dataset.title, where, read_bundled(), note)


def _report(title: str, where: str, data: Arrays, note: str = "") -> Arrays:
    """Print the one line saying where the data came from; return the data."""
    (x_train, _), (x_test, _) = data
    train, test = f"{len(x_train):,}", f"{len(x_test):,}"
    print(i18n.t("datasets.line", title=title, where=where, train=train, test=test, note=note))
    return data


def _resolve_source(source: str | None) -> str:
    origin = "source"
    if source is None:
        source, origin = os.environ.get(ENV_VAR, "").strip() or "auto", ENV_VAR
    if isinstance(source, str):
        source = source.strip().lower()
    if source not in SOURCES:
        raise ValueError(
            f"{origin}={source!r} is not a data source; use one of {', '.join(SOURCES)} "
            "(auto = Keras cache, else download, else the bundled sample)."
        )
    return source


def _keras_home() -> Path:
    """Keras's home folder, computed the way Keras does (but at call time)."""
    home = os.environ.get("KERAS_HOME")
    if home:
        return Path(home).expanduser()
    base = Path.home()
    return (base if os.access(base, os.W_OK) else Path("/tmp")) / ".keras"


def _datasets_dir() -> Path:
    home = _keras_home()
    # get_file falls back to /tmp/.keras when the home folder is not writable
    return home / "datasets" if os.access(home, os.W_OK) else Path("/tmp/.keras/datasets")


def _find_cache(dataset: _Dataset) -> Path | None:
    for folder in dict.fromkeys([_keras_home() / "datasets", _datasets_dir()]):
        for relative in dataset.cache_paths:
            if (folder / relative).exists():
                return folder / relative
    return None


def _cifar_cache_root(path: Path) -> Path:
    """The folder to delete for a clean re-download (the extraction folder, not just a batch)."""
    return path.parent if path.parent.name == _CIFAR10.fname else path


def _channels_last() -> bool:
    import keras

    return keras.config.image_data_format() == "channels_last"


def _download(dataset: _Dataset) -> Path:
    """Download with ``keras.utils.get_file``; raise DatasetSourceError quickly when offline."""
    home = _keras_home()
    if not dataset.download_target(_datasets_dir()).exists():  # else get_file only extracts
        _check_reachable(dataset.origin, DOWNLOAD_TIMEOUT)
    from keras.utils import get_file

    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(DOWNLOAD_TIMEOUT)
    try:
        path = get_file(
            fname=dataset.fname,
            origin=dataset.origin,
            file_hash=dataset.file_hash,
            extract=dataset.extract,
            cache_dir=str(home),
        )
    except Exception as exc:  # get_file raises bare Exception on fetch failures
        raise DatasetSourceError(f"{type(exc).__name__}: {exc}") from exc
    finally:
        socket.setdefaulttimeout(previous)
    return Path(path) / "cifar-10-batches-py" if dataset.extract else Path(path)


def _check_reachable(url: str, timeout: float) -> None:
    """Raise DatasetSourceError unless a TCP connection to the URL's host opens in time."""
    parts = urllib.parse.urlsplit(url)
    if urllib.request.getproxies().get(parts.scheme):
        return  # a proxy fetches it; get_file's socket timeout still bounds the wait
    host, port = parts.hostname or "", parts.port or 443
    outcome: list[BaseException | None] = []

    def probe() -> None:  # in a thread: name resolution ignores socket timeouts
        try:
            socket.create_connection((host, port), timeout=timeout).close()
            outcome.append(None)
        except OSError as exc:
            outcome.append(exc)

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(timeout + 1.0)
    if not outcome or outcome[0] is not None:
        reason = outcome[0] if outcome else f"no answer within {timeout:g} s"
        raise DatasetSourceError(f"cannot reach {host}:{port} ({reason})")
