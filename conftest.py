"""Test-suite wide settings, for the unit tests and for nbval's notebook runs.

stderr policy: nbval does not compare stderr. What lands there (TensorFlow's C++ log lines,
Python warnings such as Keras's ``input_shape`` UserWarning, progress meters) differs between
the stored run and a fresh one and is not what the tutorial teaches; a notebook that wants to
show a warning captures it with ``warnings.catch_warnings(record=True)`` and asserts on it.
Widget model ids are random and nbval already skips them; ``text/plain`` and ``text/html`` are
compared after the rules in ``tests/nbval_sanitize.cfg``.
"""

from __future__ import annotations

import os
import sys
import types
from pathlib import Path

# Kernels started by nbval inherit this process's environment.
os.environ.setdefault("KERAS_LENS_DATA", "bundled")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
# LivePlot leaves one final figure and no clear_output messages (nbval cannot compare those).
os.environ.setdefault("KERAS_LENS_HEADLESS", "1")

_TESTS = Path(__file__).resolve().parent / "tests"


def _claim_the_tests_package() -> None:
    """Make ``from tests import seed_models`` mean this repository's tests/ folder.

    IPython 7 (what Colab ships) puts ``IPython/extensions`` on sys.path, and that folder holds
    a regular package named ``tests``, which wins over our namespace package and broke the
    collection of 6 test modules there. Binding the name first makes the import unambiguous.
    """
    current = sys.modules.get("tests")
    if current is not None and str(_TESTS) in [str(p) for p in getattr(current, "__path__", [])]:
        return
    package = types.ModuleType("tests", "The keras_lens test suite (tests/).")
    package.__path__ = [str(_TESTS)]
    sys.modules["tests"] = package


_claim_the_tests_package()


def pytest_collection_modifyitems(config, items):
    """Tests marked ``tensorflow`` are skipped (not failed) where TensorFlow is not installed,
    e.g. in the matrix's JAX environment; everywhere else they run."""
    import importlib.util

    if importlib.util.find_spec("tensorflow") is not None:
        return
    import pytest

    skip = pytest.mark.skip(reason="needs TensorFlow, which is not installed here")
    for item in items:
        if item.get_closest_marker("tensorflow") is not None:
            item.add_marker(skip)


def pytest_collectstart(collector):
    if getattr(collector, "fspath", None) is not None and collector.fspath.ext == ".ipynb":
        collector.skip_compare += ("stderr",)
