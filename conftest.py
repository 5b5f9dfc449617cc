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

# Kernels started by nbval inherit this process's environment.
os.environ.setdefault("KERAS_LENS_DATA", "bundled")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
# LivePlot leaves one final figure and no clear_output messages (nbval cannot compare those).
os.environ.setdefault("KERAS_LENS_HEADLESS", "1")


def pytest_collectstart(collector):
    if getattr(collector, "fspath", None) is not None and collector.fspath.ext == ".ipynb":
        collector.skip_compare += ("stderr",)
