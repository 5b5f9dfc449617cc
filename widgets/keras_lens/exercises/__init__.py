"""Exercises that judge the learner's answer: ``check("07.1", deeper)``.

Each chapter's checks live in ``keras_lens.exercises.chNN`` and are imported on the first
``check`` of that chapter. A notebook's check cell reads the learner's name through
``globals().get(...)`` so that an undefined name fails cleanly, not with a ``NameError``::

    keras_lens.exercises.check("07.1", globals().get("deeper"))

On success ``check`` prints one line ("✓ 07.1 ...") and returns a :class:`CheckResult`; on a
wrong or missing answer it raises :class:`ExerciseNotPassed` (an ``AssertionError``, so
nbgrader counts it as a failed test) whose message is the specific hint, in the current
``keras_lens.i18n`` language.

Example:
    >>> from keras_lens import exercises
    >>> exercises.check("00.1", None)
    Traceback (most recent call last):
    ...
    keras_lens.exercises._registry.ExerciseNotPassed: 00.1: define `answer_00_1` first ...
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from typing import Any

from keras_lens import i18n
from keras_lens.exercises._registry import (
    Exercise,
    ExerciseNotPassed,
    Wrong,
    exercise,
    get,
    registered,
)

__all__ = [
    "CheckResult",
    "Exercise",
    "ExerciseNotPassed",
    "Wrong",
    "check",
    "exercise",
    "hint",
    "list_exercises",
]


@dataclass(frozen=True)
class CheckResult:
    """A passed check: the exercise, its points and the success message (already printed)."""

    exercise_id: str
    points: int
    message: str

    def __repr__(self) -> str:
        return f"CheckResult({self.exercise_id!r}, passed, points={self.points})"

    def __str__(self) -> str:
        return self.message

    def _ipython_display_(self) -> None:
        # check() has printed the line already; showing the result again would repeat it.
        return None


def _chapter_module(chapter: str) -> None:
    name = f"keras_lens.exercises.ch{chapter}"
    try:
        importlib.import_module(name)
    except ModuleNotFoundError as error:
        if error.name != name:
            raise
        raise ValueError(i18n.t("exercises.no_chapter", chapter=chapter)) from None


def _lookup(exercise_id: str) -> Exercise:
    if not isinstance(exercise_id, str) or "." not in exercise_id:
        raise ValueError(i18n.t("exercises.no_chapter", chapter=exercise_id))
    chapter = exercise_id.split(".", 1)[0]
    _chapter_module(chapter)
    try:
        return get(exercise_id)
    except KeyError:
        known = ", ".join(e.exercise_id for e in registered() if e.chapter == chapter) or "-"
        raise ValueError(
            i18n.t("exercises.unknown_id", exercise_id=exercise_id, chapter=chapter, known=known)
        ) from None


def _fail(ex: Exercise, key: str, **fields: Any) -> ExerciseNotPassed:
    return ExerciseNotPassed(ex.exercise_id, key, f"{ex.exercise_id}: {i18n.t(key, **fields)}")


def check(exercise_id: str, *answers: Any) -> CheckResult:
    """Judge ``answers`` for exercise ``exercise_id``; print "✓ ..." or raise ExerciseNotPassed.

    Example: ``keras_lens.exercises.check("03.1", globals().get("answer_03_1"))``.
    """
    ex = _lookup(exercise_id)
    if len(answers) != len(ex.names):
        raise TypeError(
            i18n.t(
                "exercises.arity",
                exercise_id=exercise_id,
                count=len(ex.names),
                names=", ".join(ex.names),
                given=len(answers),
            )
        )
    for name, answer in zip(ex.names, answers, strict=True):
        if answer is None:
            raise ExerciseNotPassed(
                ex.exercise_id,
                "exercises.define_first",
                i18n.t("exercises.define_first", exercise_id=ex.exercise_id, name=name),
            )
    try:
        outcome = ex.func(*answers)
    except Wrong as wrong:
        raise _fail(ex, wrong.key, **wrong.fields) from None
    except NotImplementedError:
        raise _fail(ex, "exercises.not_implemented", name=", ".join(ex.names)) from None
    except Exception as error:  # the learner's object misbehaved: say so, not a deep traceback
        raise _fail(
            ex,
            "exercises.raised",
            name=", ".join(ex.names),
            error_type=type(error).__name__,
            error=str(error).splitlines()[0][:300] if str(error) else "",
        ) from error
    key, fields = (outcome, {}) if not isinstance(outcome, tuple) else outcome
    message = i18n.t(key or "exercises.ok", **fields)
    line = i18n.t(
        "exercises.passed", exercise_id=ex.exercise_id, title=ex.title_text(), message=message
    )
    print(line)
    return CheckResult(ex.exercise_id, ex.points, line)


def list_exercises(chapter: str | None = None) -> list[Exercise]:
    """Every exercise (of one chapter, e.g. ``"03"``), importing the chapter modules first."""
    if chapter is not None:
        _chapter_module(chapter)
    else:
        for info in pkgutil.iter_modules(__path__):
            if info.name.startswith("ch") and info.name[2:].isdigit():
                importlib.import_module(f"{__name__}.{info.name}")
    return [e for e in registered() if chapter is None or e.chapter == chapter]


def hint(exercise_id: str) -> str:
    """What the exercise asks you to produce: its title and the names to define."""
    ex = _lookup(exercise_id)
    doc = (ex.func.__doc__ or "").strip()
    names = ", ".join(f"`{n}`" for n in ex.names)
    return f"{ex.exercise_id} {ex.title_text()}: {names}" + (f"\n{doc}" if doc else "")
