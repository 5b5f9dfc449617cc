"""scripts/execute_notebooks.py keeps stored notebooks free of TensorFlow's start-up log lines."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import nbformat

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "execute_notebooks.py"
_spec = importlib.util.spec_from_file_location("execute_notebooks", SCRIPT)
execute_notebooks = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(execute_notebooks)


def _stderr(text: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_output("stream", name="stderr", text=text)


def test_tensorflow_log_lines_are_dropped_and_warnings_kept():
    tf_lines = (
        "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
        "I0000 00:00:1795308552.112875   25949 port.cc:153] oneDNN custom operations are on.\n"
        "E0000 00:00:1795308554.036567   25949 cuda_platform.cc:52] failed call to cuInit: x\n"
        "To enable the following instructions: AVX2 FMA, in other operations, rebuild.\n"
    )
    warning = "/tmp/x.py:3: UserWarning: Do not pass an `input_shape` argument to a layer.\n"
    stdout = nbformat.v4.new_output("stream", name="stdout", text="I0000 kept: this is stdout\n")
    outputs = [_stderr(tf_lines), _stderr(tf_lines + warning), stdout]
    kept = execute_notebooks.drop_tensorflow_log_lines(outputs)
    assert [o["name"] for o in kept] == ["stderr", "stdout"]
    assert kept[0]["text"] == warning
    assert kept[1]["text"] == "I0000 kept: this is stdout\n"
