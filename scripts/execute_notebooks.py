"""Execute notebooks in place, each in a fresh kernel, and store them with their outputs.

Usage (from the repository root, inside .venv):
    python scripts/execute_notebooks.py notebooks/02_first_functional_model.ipynb [...]
    python scripts/execute_notebooks.py --all

The kernel runs with the notebook's folder as working directory and with the same
environment as the test suite (bundled data, quiet TensorFlow), so the stored outputs are
the ones nbval will compare against. Volatile metadata (execution timestamps) is dropped. The
widgets' state is stored in the notebook metadata (``widgets``), so that JupyterLab and Notebook 7
render the stored widgets from it after a kernel restart (see ``keep_widget_state``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
WIDGET_STATE_MIME = "application/vnd.jupyter.widget-state+json"
#: Widget state larger than this is not stored (the static text/html fallback still is).
WIDGET_STATE_LIMIT = 2_000_000

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


def keep_widget_state(nb: nbformat.NotebookNode, limit: int = WIDGET_STATE_LIMIT) -> int:
    """Keep the widget state nbclient stored (``store_widget_state``), so that the stored widgets
    render from it after a kernel restart and a page reload, instead of "Error displaying widget:
    model not found"; drop it (and say so) past ``limit`` bytes. Returns the bytes kept."""
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE_MIME)
    if not state or not state.get("state"):
        nb.metadata.pop("widgets", None)
        return 0
    for model in state["state"].values():  # unset layout properties: the front end's default
        if model.get("model_name") == "LayoutModel":
            model["state"] = {k: v for k, v in model.get("state", {}).items() if v is not None}
    size = len(json.dumps(state, sort_keys=True))
    if size > limit:
        print(f"  widget state of {size:,} bytes > {limit:,}: not stored", file=sys.stderr)
        nb.metadata.pop("widgets", None)
        return 0
    nb.metadata["widgets"] = {WIDGET_STATE_MIME: state}
    return size


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
        store_widget_state=True,
    )
    start = time.perf_counter()
    client.execute()
    elapsed = time.perf_counter() - start
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs = drop_tensorflow_log_lines(cell.outputs)
    keep_widget_state(nb)
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
