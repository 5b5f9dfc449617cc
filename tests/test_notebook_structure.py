"""Every seed example is shown in its chapter, every chapter has the same shape.

The list of examples lives in tests/seed_examples.csv (one row per example of the seed documents,
with the chapter that shows it). A chapter shows an example in a cell tagged ``seed-<id>``.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
SETUP_MARKER = "keras_lens.setup_notebook("
REQUIRED_HEADINGS = ("what you will learn", "summary", "exercises")


def _seed_rows() -> list[dict[str, str]]:
    with open(ROOT / "tests" / "seed_examples.csv", encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return list(csv.DictReader(lines))


def _chapter_path(chapter: str) -> Path:
    matches = sorted(NOTEBOOKS.glob(f"{chapter}_*.ipynb"))
    assert len(matches) == 1, f"expected one notebook notebooks/{chapter}_*.ipynb, found {matches}"
    return matches[0]


def _read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def _chapters() -> list[Path]:
    return sorted(p for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def _digits(text: str) -> str:
    return re.sub(r"[,_\s]", "", text)


def test_inventory_lists_all_examples():
    rows = _seed_rows()
    ids = [row["id"] for row in rows]
    assert len(ids) == len(set(ids)) == 43  # 41 code examples + 2 prose sections
    assert sum(row["kind"] == "prose" for row in rows) == 2


@pytest.mark.parametrize("row", _seed_rows(), ids=lambda row: row["id"])
def test_seed_example_is_tagged_in_its_chapter(row):
    nb = _read(_chapter_path(row["chapter"]))
    tag = f"seed-{row['id']}"
    cells = [cell for cell in nb.cells if tag in cell.get("metadata", {}).get("tags", [])]
    assert cells, f"no cell tagged {tag!r} in chapter {row['chapter']}"
    if row["kind"] == "code":
        assert any(cell.cell_type == "code" for cell in cells), f"{tag} must tag a code cell"


@pytest.mark.parametrize(
    "row",
    [r for r in _seed_rows() if r["documented_params"] and "(" not in r["documented_params"]],
    ids=lambda row: row["id"],
)
def test_documented_parameter_counts_are_asserted(row):
    """Each count the documents print appears in an ``assert`` of the chapter that shows it."""
    nb = _read(_chapter_path(row["chapter"]))
    asserts = [
        _digits(line)
        for cell in nb.cells
        if cell.cell_type == "code"
        for line in cell.source.splitlines()
        if line.lstrip().startswith("assert")
    ]
    for count in row["documented_params"].split("/"):
        number = _digits(count)
        assert any(re.search(rf"(?<!\d){number}(?!\d)", line) for line in asserts), (
            f"chapter {row['chapter']} never asserts the documented count {count.strip()}"
        )


@pytest.mark.parametrize("path", _chapters(), ids=lambda p: p.name)
def test_chapter_has_the_common_shape(path):
    nb = _read(path)
    code = [cell for cell in nb.cells if cell.cell_type == "code"]
    assert code and SETUP_MARKER in code[0].source, (
        "first code cell must be the standard setup cell"
    )
    headings = " ".join(
        line.lower()
        for cell in nb.cells
        if cell.cell_type == "markdown"
        for line in cell.source.splitlines()
        if line.startswith("#")
    )
    for heading in REQUIRED_HEADINGS:
        assert heading in headings, f"{path.name} lacks a '{heading}' heading"


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.name)
def test_notebook_is_stored_executed_and_never_skipped(path):
    nb = _read(path)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tags = cell.get("metadata", {}).get("tags", [])
        assert "NBVAL_SKIP" not in cell.source and "nbval-skip" not in tags, (
            f"{path.name}: NBVAL_SKIP is not allowed on tutorial cells"
        )
        if cell.source.strip():
            assert cell.get("execution_count") is not None, (
                f"{path.name}: a cell was stored unexecuted; run scripts/execute_notebooks.py"
            )


def test_every_chapter_starts_with_the_same_setup_cell():
    """One setup cell for all chapters: a fix to it (e.g. for Colab) reaches every chapter."""
    first_cells = {
        path.name: next(c for c in _read(path).cells if c.cell_type == "code").source
        for path in _chapters()
    }
    assert len(set(first_cells.values())) == 1, "setup cells differ: " + ", ".join(
        sorted(first_cells)
    )
    # the reference is scripts/setup_cell.py; `python scripts/sync_setup_cell.py` writes it
    sys.path.insert(0, str(ROOT / "scripts"))
    from setup_cell import setup_cell

    stale = sorted(name for name, source in first_cells.items() if source != setup_cell("en"))
    assert not stale, f"run `python scripts/sync_setup_cell.py`: stale setup cell in {stale}"
