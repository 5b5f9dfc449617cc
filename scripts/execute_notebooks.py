"""Execute notebooks in place, each in a fresh kernel, and store them with their outputs.

Usage (from the repository root, inside .venv):
    python scripts/execute_notebooks.py notebooks/02_first_functional_model.ipynb [...]
    python scripts/execute_notebooks.py --all

The kernel runs with the notebook's folder as working directory and with the same
environment as the test suite (bundled data, quiet TensorFlow), so the stored outputs are
the ones nbval will compare against. Volatile metadata (execution timestamps) is dropped.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]

# TensorFlow's C++ start-up log lines (absl, printed before any log level applies: they cannot be
# silenced with TF_CPP_MIN_LOG_LEVEL). They differ on every run and say nothing to a learner, so
# they are dropped from the *stored* stderr; nbval does not compare stderr (see conftest.py).
TF_LOG_LINE = re.compile(
    r"^(WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    r"|[IWEF]\d{4} \d\d:\d\d:\d+\.\d+ +\d+ [\w.]+:\d+\] .*"
    r"|To enable the following instructions: .*)$"
)


def drop_tensorflow_log_lines(outputs: list) -> list:
    """Remove TensorFlow's C++ log lines from stderr outputs; drop stderr outputs left empty."""
    kept = []
    for output in outputs:
        if output.get("output_type") == "stream" and output.get("name") == "stderr":
            lines = output["text"].splitlines(keepends=True)
            text = "".join(line for line in lines if not TF_LOG_LINE.match(line.rstrip("\n")))
            if not text.strip():
                continue
            output["text"] = text
        kept.append(output)
    return kept


def execute(path: Path, timeout: int = 900) -> float:
    """Run one notebook top to bottom in a fresh kernel and write it back; return seconds."""
    nb = nbformat.read(path, as_version=4)
    os.environ.setdefault("KERAS_LENS_DATA", "bundled")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("PYTHONDONTWRITEBYTECODE", "1")
    os.environ.setdefault("KERAS_LENS_HEADLESS", "1")  # LivePlot: one final figure, no live redraws
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        record_timing=False,
    )
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = drop_tensorflow_log_lines(cell.outputs)
    nb.metadata.pop("widgets", None)  # widget state is large and differs on every run
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    parser.add_argument("--all", action="store_true", help="every notebook under notebooks/")
    args = parser.parse_args(argv)
    paths = sorted((ROOT / "notebooks").glob("*.ipynb")) if args.all else args.notebooks
    if not paths:
        parser.error("name notebooks or pass --all")
    for path in paths:
        seconds = execute(path.resolve())
        print(f"{path}: executed in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
