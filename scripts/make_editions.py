"""Make the classroom editions of the chapters: a student edition and an nbgrader source folder.

Usage (from the repository root, inside .venv):
    python scripts/make_editions.py                      # every chapter, into build/editions/
    python scripts/make_editions.py --out /tmp/class 00 03   # chapters 00 and 03 only

Writes, from the committed notebooks (never committed itself; build/ is git-ignored):

- ``OUT/student/NN_name.ipynb``: the **student edition**. Each solution region (the lines between
  ``### BEGIN SOLUTION`` and ``### END SOLUTION`` of a cell tagged ``solution``) is replaced by
  ``raise NotImplementedError()``; the check cells stay, so a student sees "define ... first"
  until they answer. The self-study "answer" cells are dropped (the stub cell is the answer cell).
- ``OUT/nbgrader/source/chNN/NN_name.ipynb`` (one nbgrader assignment per chapter) and
  ``OUT/nbgrader/nbgrader_config.py``: an **nbgrader course folder**. Solution cells are nbgrader
  "autograded answer" cells; each check cell is an "autograder tests" cell, locked, with the
  exercise's points and ``grade_id`` ``ex-NN-k``. ``nbgrader generate_assignment chNN`` then makes
  the release version, ``nbgrader autograde chNN`` grades submissions (docs/teaching.md).

Points come from the exercise registry (``keras_lens.exercises``), so they never drift from the
checks.
"""

from __future__ import annotations

import argparse
import copy
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
STUB = "# YOUR CODE HERE\nraise NotImplementedError()"
CHECK_ID = re.compile(r"""exercises\.check\(\s*["'](\d\d\.\d+)["']""")
STUDENT_INTRO = """## Exercises

Each exercise says exactly what to produce: a name to define (a model, a number or a letter).
Write your answer in the cell under the prompt, in place of `raise NotImplementedError()`,
and run it. The next cell, `keras_lens.exercises.check(...)`, judges the object you defined: it
prints `✓ ...` when it is right, and otherwise stops with a hint saying what is wrong (before you
answer, it says "define ... first")."""

__all__ = ["chapter_paths", "main", "nbgrader_notebook", "student_notebook"]


def tags(cell: nbformat.NotebookNode) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def strip_solution(source: str) -> str:
    """Replace every BEGIN/END SOLUTION region (markers included) by the stub."""
    lines, out, inside = source.splitlines(), [], False
    for line in lines:
        if line.strip() == BEGIN:
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            out.extend(indent + stub_line for stub_line in STUB.splitlines())
        elif line.strip() == END:
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError(f"{BEGIN} without {END} in:\n{source}")
    return "\n".join(out)


def _check_ids(cell: nbformat.NotebookNode) -> list[str]:
    return CHECK_ID.findall(cell.source)


def _is_intro(cell: nbformat.NotebookNode) -> bool:
    return cell.cell_type == "markdown" and cell.source.lstrip().startswith("## Exercises")


def _validate(nb: nbformat.NotebookNode, path: Path) -> None:
    for cell in nb.cells:
        if "solution" in tags(cell) and (BEGIN not in cell.source or END not in cell.source):
            raise ValueError(f"{path.name}: a solution cell lacks {BEGIN}/{END}:\n{cell.source}")
        if "check" in tags(cell) and len(_check_ids(cell)) != 1:
            raise ValueError(f"{path.name}: a check cell must check one exercise:\n{cell.source}")


def student_notebook(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The student edition of one chapter (a new notebook; ``nb`` is unchanged)."""
    out = copy.deepcopy(nb)
    cells = []
    for cell in out.cells:
        cell_tags = tags(cell)
        if "answer" in cell_tags:
            continue
        if _is_intro(cell):
            cell.source = STUDENT_INTRO
        if "solution" in cell_tags:
            cell.source = strip_solution(cell.source)
            cell.metadata.pop("jupyter", None)  # the stub is meant to be seen
        if "solution" in cell_tags or "check" in cell_tags:
            cell.outputs, cell.execution_count = [], None
        cells.append(cell)
    out.cells = cells
    return out


def nbgrader_notebook(nb: nbformat.NotebookNode, points: dict[str, int]) -> nbformat.NotebookNode:
    """The nbgrader source version of one chapter: answer cells and autograded test cells."""
    out = copy.deepcopy(nb)
    cells = []
    for cell in out.cells:
        cell_tags = tags(cell)
        if "answer" in cell_tags:
            continue
        if _is_intro(cell):
            cell.source = STUDENT_INTRO
        if "solution" in cell_tags:
            (ex_id,) = _following_check(out, cell)
            cell.metadata.pop("jupyter", None)
            cell.metadata["nbgrader"] = {
                "grade": False,
                "grade_id": "sol-" + ex_id.replace(".", "-"),
                "locked": False,
                "schema_version": 3,
                "solution": True,
                "task": False,
            }
        if "check" in cell_tags:
            (ex_id,) = _check_ids(cell)
            cell.metadata["nbgrader"] = {
                "grade": True,
                "grade_id": "ex-" + ex_id.replace(".", "-"),
                "locked": True,
                "points": points[ex_id],
                "schema_version": 3,
                "solution": False,
                "task": False,
            }
        if cell.cell_type == "code" and ("solution" in cell_tags or "check" in cell_tags):
            cell.outputs, cell.execution_count = [], None
        cells.append(cell)
    out.cells = cells
    return out


def _following_check(nb: nbformat.NotebookNode, solution: nbformat.NotebookNode) -> list[str]:
    """The exercise id of the first check cell after ``solution``."""
    index = next(i for i, c in enumerate(nb.cells) if c is solution)
    for cell in nb.cells[index + 1 :]:
        if "check" in tags(cell):
            return _check_ids(cell)
    raise ValueError(f"no check cell after the solution cell:\n{solution.source}")


def chapter_paths(chapters: list[str], notebooks: Path = NOTEBOOKS) -> list[Path]:
    """The chapter notebooks ``NN_*.ipynb`` for the given numbers (all when empty)."""
    found = sorted(notebooks.glob("[0-9][0-9]_*.ipynb"))
    if not chapters:
        return found
    paths = []
    for chapter in chapters:
        match = [p for p in found if p.name.startswith(f"{int(chapter):02d}_")]
        if not match:
            raise SystemExit(f"make_editions: no chapter {chapter!r} in {notebooks}")
        paths.extend(match)
    return paths


def _points() -> dict[str, int]:
    sys.path.insert(0, str(ROOT / "widgets"))
    from keras_lens import exercises

    return {e.exercise_id: e.points for e in exercises.list_exercises()}


NBGRADER_CONFIG = """# nbgrader configuration of the Keras Functional API lab (make_editions.py)
c = get_config()  # noqa: F821
c.CourseDirectory.course_id = "keras-functional-lab"
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\\nraise NotImplementedError()"}
# TensorFlow's start-up and the training exercises need more than nbgrader's 30 s default per cell
c.ExecutePreprocessor.timeout = 600
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("chapters", nargs="*", help="chapter numbers (default: all)")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "editions")
    parser.add_argument("--notebooks", type=Path, default=NOTEBOOKS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    points = _points()
    student_dir = args.out / "student"
    course_dir = args.out / "nbgrader"
    student_dir.mkdir(parents=True, exist_ok=True)
    (course_dir / "source").mkdir(parents=True, exist_ok=True)
    (course_dir / "nbgrader_config.py").write_text(NBGRADER_CONFIG, encoding="utf-8")
    for path in chapter_paths(args.chapters, args.notebooks):
        nb = nbformat.read(path, as_version=4)
        _validate(nb, path)
        ids = [i for cell in nb.cells if "check" in tags(cell) for i in _check_ids(cell)]
        unknown = [i for i in ids if i not in points]
        if unknown:
            raise SystemExit(f"make_editions: {path.name} checks unregistered exercises {unknown}")
        nbformat.write(student_notebook(nb), student_dir / path.name)
        assignment = course_dir / "source" / f"ch{path.name[:2]}"
        assignment.mkdir(parents=True, exist_ok=True)
        nbformat.write(nbgrader_notebook(nb, points), assignment / path.name)
        total = sum(points[i] for i in ids)
        print(f"{path.name}: {len(ids)} exercises, {total} points -> student/, nbgrader/source/")
    print(f"editions written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
