"""The classroom editions made by scripts/make_editions.py, run by nbgrader and by a kernel.

- nbgrader's own ``generate_assignment`` and ``autograde``, in a temporary course folder, on two
  submissions of chapter 01: all answers right (3 of 3 points) and one known wrong answer (1 of 3);
- the student edition of chapters 01 and 04, executed: every stub raises NotImplementedError,
  every check fails cleanly with ExerciseNotPassed ("define ... first"), nothing raises NameError,
  and the lesson cells run without error.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "make_editions.py"
CHAPTER = "01_sequential_vs_functional.ipynb"
ENV = {
    **os.environ,
    "KERAS_LENS_DATA": "bundled",
    "TF_CPP_MIN_LOG_LEVEL": "3",
    "KERAS_LENS_HEADLESS": "1",
    "PYTHONDONTWRITEBYTECODE": "1",
    # nbgrader runs the `alembic` command of its database layer: the venv's bin must be on PATH
    "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
}

nbgrader = pytest.importorskip("nbgrader", reason="nbgrader is in the [test] extra")


def _tags(cell):
    return cell.get("metadata", {}).get("tags", [])


@pytest.fixture(scope="module")
def editions(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("editions")
    subprocess.run(
        [sys.executable, str(SCRIPT), "--out", str(out), "01", "04"],
        check=True,
        env=ENV,
        cwd=ROOT,
    )
    return out


def test_editions_hide_solutions_and_keep_checks(editions):
    source = nbformat.read(ROOT / "notebooks" / CHAPTER, as_version=4)
    student = nbformat.read(editions / "student" / CHAPTER, as_version=4)
    graded = nbformat.read(editions / "nbgrader" / "source" / "ch01" / CHAPTER, as_version=4)

    solutions = [c for c in source.cells if "solution" in _tags(c)]
    assert solutions and all(c.metadata["jupyter"]["source_hidden"] for c in solutions)
    stubs = [c for c in student.cells if "solution" in _tags(c)]
    assert len(stubs) == len(solutions)
    assert all("raise NotImplementedError()" in c.source for c in stubs)
    assert not any("BEGIN SOLUTION" in c.source or 'answer_01_1 = "b"' in c.source for c in stubs)
    assert not [c for c in student.cells if "answer" in _tags(c)]
    checks = [c for c in student.cells if "check" in _tags(c)]
    assert [c.source for c in checks] == [c.source for c in source.cells if "check" in _tags(c)]

    meta = [c.metadata["nbgrader"] for c in graded.cells if "nbgrader" in c.metadata]
    assert [(m["grade_id"], m.get("points")) for m in meta if m["grade"]] == [
        ("ex-01-1", 1),
        ("ex-01-2", 2),
    ]
    assert [m["grade_id"] for m in meta if m["solution"]] == ["sol-01-1", "sol-01-2"]
    assert all(m["locked"] for m in meta if m["grade"])


def _nbgrader(course: Path, *args: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "nbgrader", *args, "--force"],
        cwd=course,
        env=ENV,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _submit(course: Path, student: str, answers: dict[str, str]) -> None:
    release = nbformat.read(course / "release" / "ch01" / CHAPTER, as_version=4)
    for cell in release.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            assert "raise NotImplementedError()" in cell.source  # the release has no solution
            cell.source = answers[grade_id]
    target = course / "submitted" / student / "ch01"
    target.mkdir(parents=True)
    nbformat.write(release, target / CHAPTER)


def test_nbgrader_grades_a_right_and_a_wrong_submission(editions):
    from nbgrader.api import Gradebook

    course = editions / "nbgrader"
    _nbgrader(course, "generate_assignment", "ch01")
    right = {
        "sol-01-1": 'answer_01_1 = "b"',
        "sol-01-2": (
            "x_in = keras.Input(shape=(1,))\n"
            "functional_7 = keras.Model(x_in, Dense(1)(Dense(2)(x_in)))"
        ),
    }
    wrong = {
        "sol-01-1": 'answer_01_1 = "b"',  # right: 1 point
        "sol-01-2": "functional_7 = Sequential([keras.Input(shape=(1,)), Dense(2), Dense(1)])",
    }
    _submit(course, "right", right)
    _submit(course, "wrong", wrong)
    _nbgrader(course, "autograde", "ch01")

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        scores = {
            student: gradebook.find_submission("ch01", student).score
            for student in ("right", "wrong")
        }
        max_score = gradebook.find_assignment("ch01").max_score
    assert max_score == 3
    assert scores == {"right": 3, "wrong": 1}

    graded = nbformat.read(course / "autograded" / "wrong" / "ch01" / CHAPTER, as_version=4)
    errors = [
        o
        for c in graded.cells
        if c.metadata.get("nbgrader", {}).get("grade_id") == "ex-01-2"
        for o in c.outputs
        if o.output_type == "error"
    ]
    assert errors and errors[0].ename == "ExerciseNotPassed"
    assert "is a Sequential model" in errors[0].evalue  # the specific hint, not "incorrect"


@pytest.mark.parametrize("chapter", [CHAPTER, "04_shared_layers.ipynb"])
def test_student_edition_fails_cleanly_until_answered(editions, chapter):
    from nbclient import NotebookClient

    nb = nbformat.read(editions / "student" / chapter, as_version=4)
    old_env = dict(os.environ)
    os.environ.update(ENV)
    try:
        NotebookClient(
            nb,
            timeout=300,
            kernel_name="python3",
            allow_errors=True,
            resources={"metadata": {"path": str(ROOT / "notebooks")}},
        ).execute()
    finally:
        os.environ.clear()
        os.environ.update(old_env)
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        errors = [o.ename for o in cell.outputs if o.output_type == "error"]
        if "solution" in _tags(cell):
            assert errors == ["NotImplementedError"], (cell.source, errors)
        elif "check" in _tags(cell):
            assert errors == ["ExerciseNotPassed"], (cell.source, errors)
            text = "".join(o.evalue for o in cell.outputs if o.output_type == "error")
            assert "first (see the exercise text)" in text
        else:
            assert not errors, (cell.source, errors)
