"""The Keras versions whose private graph API ``keras_lens.adapter`` is written against.

Pure Python (Keras is imported only to read the installed version). Re-exported by
``keras_lens.adapter``.

Example:
    >>> import warnings
    >>> with warnings.catch_warnings(record=True):
    ...     check_keras_version("3.15.1"), check_keras_version("3.16.0")
    (True, False)
"""

from __future__ import annotations

import warnings

__all__ = ["SUPPORTED_KERAS", "KerasVersionWarning", "check_keras_version"]

#: Keras versions whose private graph API the adapter is written and tested against.
SUPPORTED_KERAS: tuple[str, str] = (">=3.15", "<3.16")


class KerasVersionWarning(UserWarning):
    """The installed Keras is outside ``SUPPORTED_KERAS``; the graph may be incomplete."""


_version_checked: list[bool] = []


def check_keras_version(version: str | None = None) -> bool:
    """True if ``version`` (default: the installed Keras) is in ``SUPPORTED_KERAS``.

    Otherwise issues a ``KerasVersionWarning`` (once per process for the installed Keras).

    Example:
        >>> check_keras_version("3.15.9")
        True
    """
    installed = version is None
    if installed:
        import keras

        version = keras.__version__
    parts = tuple(int(p) for p in _numeric_prefix(version).split(".")[:2])
    ok = (3, 15) <= parts < (3, 16)
    if not ok and not (installed and _version_checked):
        warnings.warn(
            f"keras_lens reads Keras's private graph API and is tested with Keras "
            f"{' '.join(SUPPORTED_KERAS)}, but Keras {version} is installed: the drawing may be "
            f"incomplete or fail. Install a supported version: pip install 'keras>=3.15,<3.16'",
            KerasVersionWarning,
            stacklevel=2,
        )
    if installed:
        _version_checked.append(True)
    return ok


def _numeric_prefix(version: str) -> str:
    out = []
    for part in version.split(".")[:2]:
        digits = "".join(c for c in part if c.isdigit()) or "0"
        out.append(digits)
    return ".".join(out)
