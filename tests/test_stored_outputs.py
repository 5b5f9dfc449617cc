"""Stored notebooks carry no stderr: a learner opening a chapter on GitHub, nbviewer or Colab
sees no red log lines, and nothing there is a warning the chapter does not explain.

Every notebook under notebooks/ (the zh-CN edition included, once it exists) is checked; a
notebook that wants to show a warning captures it (``warnings.catch_warnings(record=True)``)
and prints or asserts on it.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").rglob("*.ipynb"))
NOTEBOOKS = [p for p in NOTEBOOKS if ".ipynb_checkpoints" not in p.parts]


def _stderr_outputs(path: Path) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    found = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                first = output.get("text", "").strip().splitlines()[:1]
                found.append(f"cell {index}: {first[0] if first else '(empty)'}")
    return found


def test_there_are_notebooks_to_check():
    assert len(NOTEBOOKS) >= 13, [p.name for p in NOTEBOOKS]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT / "notebooks")))
def test_no_stored_stderr(path):
    found = _stderr_outputs(path)
    assert not found, (
        f"{path.relative_to(ROOT)} stores stderr output (re-execute it with "
        f"scripts/execute_notebooks.py after removing the cause): " + "; ".join(found)
    )


def test_the_check_finds_stderr(tmp_path):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("import warnings; warnings.warn('x')")
    cell.outputs = [nbformat.v4.new_output("stream", name="stderr", text="UserWarning: x\n")]
    nb.cells.append(cell)
    path = tmp_path / "n.ipynb"
    nbformat.write(nb, path)
    assert _stderr_outputs(path) == ["cell 0: UserWarning: x"]
