"""The Keras versions ``keras_lens`` is tested with (its compatibility matrix).

Pure Python (Keras is imported only to read the installed version). Re-exported by
``keras_lens.adapter``. The lower end is the oldest Keras that ``scripts/matrix.sh`` runs the
unit tests on; the upper end excludes the next minor release, which nobody has tested yet.
Outside that range the package still runs, with one ``KerasVersionWarning``.

Example:
    >>> import warnings
    >>> with warnings.catch_warnings(record=True):
    ...     check_keras_version("3.15.1"), check_keras_version("3.7.0")
    (True, False)
"""

from __future__ import annotations

import warnings

__all__ = ["SUPPORTED_KERAS", "TESTED_KERAS_RANGE", "KerasVersionWarning", "check_keras_version"]

#: [oldest, first untested): the Keras minor versions the matrix tests (see scripts/matrix.sh).
TESTED_KERAS_RANGE: tuple[tuple[int, int], tuple[int, int]] = ((3, 8), (3, 16))

#: The same range as pip specifiers (what pyproject.toml's ``keras`` dependency allows).
SUPPORTED_KERAS: tuple[str, str] = (
    ">={}.{}".format(*TESTED_KERAS_RANGE[0]),
    "<{}.{}".format(*TESTED_KERAS_RANGE[1]),
)


class KerasVersionWarning(UserWarning):
    """The installed Keras is outside ``SUPPORTED_KERAS``; the graph may be incomplete."""


_version_checked: list[bool] = []


def check_keras_version(version: str | None = None) -> bool:
    """True if ``version`` (default: the installed Keras) is in ``SUPPORTED_KERAS``.

    Otherwise issues a ``KerasVersionWarning`` (once per process for the installed Keras).

    Example:
        >>> check_keras_version("3.8.0")
        True
    """
    installed = version is None
    if installed:
        import keras

        version = keras.__version__
    parts = tuple(int(p) for p in _numeric_prefix(version).split(".")[:2])
    low, high = TESTED_KERAS_RANGE
    ok = low <= parts < high
    if not ok and not (installed and _version_checked):
        warnings.warn(
            f"keras_lens reads Keras's private graph API and is tested with Keras "
            f"{' '.join(SUPPORTED_KERAS)}, but Keras {version} is installed: the drawing may be "
            f"incomplete or fail. Install a tested version: "
            f"pip install 'keras{','.join(SUPPORTED_KERAS)}'",
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
