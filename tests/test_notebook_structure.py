"""Every seed example is shown in its chapter, every chapter has the same shape.

The list of examples lives in tests/seed_examples.csv (one row per example of the seed documents,
with the chapter that shows it). A chapter shows an example in a cell tagged ``seed-<id>``.

Exercises (docs/teaching.md): a markdown prompt tagged ``exercise``, a collapsed solution cell
tagged ``solution`` (``### BEGIN SOLUTION`` ... ``### END SOLUTION``), an optional ``answer``
cell, and a check cell tagged ``check`` that only calls
``keras_lens.exercises.check("NN.k", globals().get("name"))``: it reads the learner's name,
never another variable of the solution.
"""

from __future__ import annotations

import ast
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


# ---- exercises ----------------------------------------------------------------------------------

CHECK_CALL = "keras_lens.exercises.check"


def _tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def _check_call(cell) -> tuple[str, list[str]]:
    """(exercise id, names read) of a check cell; fails unless it is exactly one check(...) call
    whose answers are all ``globals().get("<name>")``."""
    tree = ast.parse(cell.source)
    assert len(tree.body) == 1 and isinstance(tree.body[0], ast.Expr), cell.source
    call = tree.body[0].value
    assert isinstance(call, ast.Call) and ast.unparse(call.func) == CHECK_CALL, cell.source
    first, *answers = call.args
    assert isinstance(first, ast.Constant) and isinstance(first.value, str), cell.source
    names = []
    for arg in answers:
        text = ast.unparse(arg)
        match = re.fullmatch(r"globals\(\)\.get\('(\w+)'\)", text)
        assert match, f"a check reads its answers as globals().get('name'), not {text}"
        names.append(match.group(1))
    return first.value, names


def _exercise_blocks(nb) -> list[tuple[object, object, object]]:
    """(prompt, solution, check) cells, in order; fails on a block of another shape."""
    blocks = []
    cells = nb.cells
    for index, cell in enumerate(cells):
        if "exercise" not in _tags(cell):
            continue
        rest = [c for c in cells[index + 1 : index + 4]]
        solution = rest[0]
        check = rest[1] if "check" in _tags(rest[1]) else rest[2]
        assert "solution" in _tags(solution), f"no solution cell after:\n{cell.source}"
        assert "check" in _tags(check), f"no check cell after the solution of:\n{cell.source}"
        blocks.append((cell, solution, check))
    return blocks


@pytest.fixture(scope="module")
def registered():
    from keras_lens import exercises

    return {e.exercise_id: e for e in exercises.list_exercises()}


@pytest.mark.parametrize("path", _chapters(), ids=lambda p: p.name)
def test_exercises_have_prompt_solution_and_check(path, registered):
    nb = _read(path)
    chapter = path.name[:2]
    blocks = _exercise_blocks(nb)
    assert 2 <= len(blocks) <= 4, f"{path.name}: {len(blocks)} exercises (2-4 wanted)"
    ids = []
    for prompt, solution, check in blocks:
        assert prompt.cell_type == "markdown" and prompt.source.startswith("### Exercise ")
        assert solution.metadata.get("jupyter", {}).get("source_hidden") is True, (
            f"{path.name}: solution cells are collapsed (metadata jupyter.source_hidden)"
        )
        lines = solution.source.strip().splitlines()
        assert lines[0] == "### BEGIN SOLUTION" and lines[-1] == "### END SOLUTION", solution.source
        ex_id, names = _check_call(check)
        ids.append(ex_id)
        assert ex_id.startswith(chapter + "."), f"{path.name} checks {ex_id}"
        assert ex_id in registered, f"{ex_id} is not registered in keras_lens.exercises.ch{chapter}"
        assert names == list(registered[ex_id].names), (ex_id, names, registered[ex_id].names)
        assert prompt.source.startswith(f"### Exercise {ex_id}:"), prompt.source[:60]
        for name in names:  # the prompt says exactly what to produce
            assert re.search(rf"`{name}[`(]", prompt.source), (
                f"{ex_id}: the prompt never names `{name}`"
            )
            assert re.search(rf"\b{name}\s*=|\b(def|class) {name}\b", solution.source), (
                f"{ex_id}: the worked solution does not define {name}"
            )
    assert len(ids) == len(set(ids)), f"{path.name}: an exercise is checked twice"
    expected = sorted(i for i in registered if i.startswith(chapter + "."))
    assert sorted(ids) == expected, f"{path.name}: checks {sorted(ids)}, registered {expected}"


@pytest.mark.parametrize("path", _chapters(), ids=lambda p: p.name)
def test_no_check_reads_the_solutions_variables(path):
    """Old-style self-checks (asserts on solution variables) are gone; every check-like cell is
    a check cell, and no cell outside a solution reads a name only a solution defines."""
    nb = _read(path)

    def stored(source: str) -> set[str]:
        names = set()
        for node in ast.walk(ast.parse(source.replace("%pip", "#pip"))):
            if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
                names.add(node.id)
            elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.arg):
                names.add(node.arg)
            elif isinstance(node, ast.alias):
                names.add((node.asname or node.name).split(".")[0])
        return names

    code = [c for c in nb.cells if c.cell_type == "code"]
    solution_only = set().union(*(stored(c.source) for c in code if "solution" in _tags(c)))
    solution_only -= set().union(*(stored(c.source) for c in code if "solution" not in _tags(c)))
    for cell in code:
        if "solution" in _tags(cell):
            continue
        source = cell.source.replace("%pip", "#pip")
        assert "Self-check" not in source and "Worked solution" not in source, source[:80]
        if CHECK_CALL in source:
            assert "check" in _tags(cell), f"{path.name}: untagged check cell:\n{source}"
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Name) and node.id in solution_only:
                pytest.fail(f"{path.name}: a cell reads `{node.id}`, defined only by a solution")


def test_check_modules_never_read_notebook_globals():
    folder = ROOT / "widgets" / "keras_lens" / "exercises"
    for module in sorted(folder.glob("ch[0-9][0-9].py")):
        text = module.read_text(encoding="utf-8")
        for forbidden in ("globals(", "__main__", "get_ipython", "sys.modules"):
            assert forbidden not in text, f"{module.name} uses {forbidden}"
